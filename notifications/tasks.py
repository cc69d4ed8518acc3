"""Delivery workers. At-least-once: a task may run twice; the row claim makes the second a no-op.

send_message:
1. claim the row (queued → sending) with a conditional UPDATE; stop unless exactly one row changed;
2. send through the configured sender;
3. record the SID at once (sent), or schedule a retry with exponential backoff, or fail.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from . import contacts, senders
from .models import GAVE_UP, OPTED_OUT, Message, Status
from .outbox import requeue_due

logger = logging.getLogger(__name__)
# A send takes at most TWILIO_HTTP_TIMEOUT (10 s by default): a row "sending" for 5 minutes
# belongs to a worker that died. Queued rows due for 2 minutes lost their task.
STUCK_AFTER = datetime.timedelta(minutes=5)
LOST_TASK_GRACE = datetime.timedelta(minutes=2)


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour."""
    return datetime.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def deliver(message_id: int) -> str:
    now = timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if claimed != 1:
        return "not claimed"
    message = Message.objects.get(pk=message_id)
    # Every write below is this attempt's only: a worker that stalled past STUCK_AFTER finds its
    # row re-queued and sent again by another, and must not overwrite what that one recorded.
    mine = Message.objects.filter(pk=message_id, status=Status.SENDING, attempts=message.attempts)
    # A retry scheduled before the person texted BERHENTI/STOP must not go out after it.
    if message.channel != "email" and contacts.is_opted_out(message.recipient, message.channel):
        mine.update(status=Status.FAILED, last_error=OPTED_OUT, updated_at=timezone.now())
        return "opted out"
    try:
        sent = senders.send(message)
    except senders.PermanentSendError as exc:
        mine.update(
            status=Status.FAILED, last_error=str(exc)[:300], error_code=exc.code, updated_at=timezone.now()
        )
        if exc.code == senders.TWILIO_UNSUBSCRIBED:
            # The person sent STOP to Twilio itself: remember it here too, so the next steps are
            # skipped at enqueue (and shown as opted out) instead of failing one by one.
            contacts.opt_out(message.recipient, message.channel)
        return "failed"
    except senders.TransientSendError as exc:
        if message.attempts >= settings.SIGAP_MESSAGE_MAX_ATTEMPTS:
            mine.update(status=Status.FAILED, last_error=f"{GAVE_UP}: {exc}"[:300], updated_at=timezone.now())
            return "failed"
        retry_at = timezone.now() + backoff(message.attempts)
        mine.update(
            status=Status.QUEUED,
            last_error=str(exc)[:300],
            next_attempt_at=retry_at,
            updated_at=timezone.now(),
        )
        return "retry"
    # Record the SID at once: a status callback may arrive any moment now. A secret the text
    # carried (a PIN) now exists only on the recipient's phone.
    recorded = mine.update(
        status=Status.SENT,
        twilio_sid=sent.sid,
        sent_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
        **({"body": ""} if message.sensitive else {}),
    )
    if not recorded:
        logger.warning(
            "outbox: message %s was sent again by another worker after this one stalled", message_id
        )
        return "sent late"
    return "sent"


@shared_task(name="notifications.tasks.send_message", ignore_result=True, acks_late=True)
def send_message(message_id: int) -> None:
    outcome = deliver(message_id)
    if outcome == "retry" and not settings.CELERY_TASK_ALWAYS_EAGER:
        message = Message.objects.only("next_attempt_at").get(pk=message_id)
        send_message.apply_async((message_id,), eta=message.next_attempt_at)


@shared_task(name="notifications.tasks.requeue_stuck", ignore_result=True)
def requeue_stuck() -> int:
    """Re-queue messages left behind by a crash, and hand due retries to the workers."""
    ids = requeue_due(
        stuck_after=STUCK_AFTER, grace=LOST_TASK_GRACE, max_attempts=settings.SIGAP_MESSAGE_MAX_ATTEMPTS
    )
    for message_id in ids:
        send_message.delay(message_id)
    if ids:
        logger.info("outbox: %s messages handed to workers", len(ids))
    return len(ids)
