"""Delivery workers. At-least-once: a task may run twice; the row claim makes the second a no-op.

send_message:
1. claim the row (queued → sending) with a conditional UPDATE; stop unless exactly one row changed;
2. send through the configured sender;
3. record the SID at once (sent) and apply any status Twilio reported before it, or set the
   row's next attempt with exponential backoff (or the provider's Retry-After), or fail.

Tasks reach the broker only through hand_to_workers: at commit for a new message, and from the
minutely requeue_stuck for retries that are due and for tasks the broker lost. A retry is not
published ahead with an ETA: the broker holds at most one task per message, and only for a
message that is due. With the broker unreachable nothing fails: the rows wait in the outbox.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from celery import shared_task, signals
from celery.utils import uuid
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from kombu.entity import DELIVERY_MODES
from kombu.utils import json as kombu_json

from . import contacts, senders
from .models import GAVE_UP, OPTED_OUT, EarlyStatus, Message, Status
from .outbox import requeue_due
from .status import apply_early_statuses

logger = logging.getLogger(__name__)
# A send takes at most TWILIO_HTTP_TIMEOUT (10 s by default): a row "sending" for 5 minutes
# belongs to a worker that died.
STUCK_AFTER = datetime.timedelta(minutes=5)
# Statuses for a SID no message ever took (the worker died before saving it) are dropped after this.
EARLY_STATUS_KEPT = datetime.timedelta(days=7)


def backoff(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour (SIGAP_MESSAGE_RETRY_BASE scales it)."""
    base = settings.SIGAP_MESSAGE_RETRY_BASE
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 120 * base))


def _gives_up(message: Message, now) -> bool:
    """A transient failure (the provider down, a timeout) is not the message's fault: it gives up
    only after SIGAP_MESSAGE_MAX_ATTEMPTS attempts *and* SIGAP_MESSAGE_GIVE_UP_AFTER since it was
    queued, so an outage of hours delays messages without losing them."""
    return message.attempts >= settings.SIGAP_MESSAGE_MAX_ATTEMPTS and (
        now - message.created_at >= datetime.timedelta(seconds=settings.SIGAP_MESSAGE_GIVE_UP_AFTER)
    )


# While the broker is unreachable, each publish would wait for its connection timeout; after a
# failure, publishing is skipped for this long (the rows wait for the re-queue).
BROKER_PAUSE = 15.0
_broker_down_until = 0.0


def hand_to_workers(message_ids: list[int]) -> int:
    """Publish one send task per message; returns how many were published. Never raises: a
    message whose task could not be published loses its mark, and the re-queue hands it out
    once the broker is back."""
    global _broker_down_until
    published = 0
    if time.monotonic() >= _broker_down_until:
        for message_id in message_ids:
            try:
                publish_task(send_message, (message_id,))
            except Exception:  # noqa: BLE001 - kombu's OperationalError, redis' ConnectionError, …
                _broker_down_until = time.monotonic() + BROKER_PAUSE
                logger.warning(
                    "outbox: broker unreachable; %s message(s) wait in the outbox for the re-queue",
                    len(message_ids) - published,
                    exc_info=True,
                )
                break
            published += 1
    left = message_ids[published:]
    if left:
        try:
            Message.objects.filter(pk__in=left, status=Status.QUEUED).update(dispatched_at=None)
        except Exception:  # noqa: BLE001 - the database too: the lost-task rule re-queues them later
            logger.warning("outbox: could not unmark %s message(s)", len(left), exc_info=True)
    return published


# --- publishing a task ------------------------------------------------------------------------------
_held = threading.local()


def publish_task(task, args: tuple) -> None:
    """``task.delay(*args)`` for a task that returns nothing, published for less.

    The message is Celery's own (``AMQP.as_task_v2``), put on the task's queue through a kombu
    channel this thread keeps (``Channel.prepare_message`` and ``basic_publish``: kombu's own
    envelope and transport). ``delay`` also merged the task's options, routed it, and took a
    producer from the pool and gave it back, which dropped its channel: 400 µs of CPU per message
    handed out, a tenth of filing a complaint; this is about 200 µs. A test compares the two
    messages on the queue.

    Through ``delay`` still: without a broker (tasks run eagerly), with a publish signal
    receiver, and with a key prefix on the broker. A failure closes the kept connection (the
    next publish opens another) and is raised, as ``delay``'s.
    """
    app = task.app
    conf = app.conf
    if (
        conf.task_always_eager
        or (conf.broker_transport_options or {}).get("global_keyprefix")
        or signals.before_task_publish.receivers
        or signals.after_task_publish.receivers
    ):
        task.delay(*args)
        return
    headers, properties, body, _event = app.amqp.as_task_v2(
        uuid(),
        task.name,
        args=args,
        kwargs={},
        ignore_result=True,
        reply_to=app.thread_oid,
        argsrepr=repr(args),
        kwargsrepr="{}",
    )
    mode = conf.task_default_delivery_mode
    try:
        channel, queue = _channel(app, task.name)
        message = channel.prepare_message(
            kombu_json.dumps(body),
            priority=0,
            content_type="application/json",
            content_encoding="utf-8",
            headers=headers,
            properties={**properties, "delivery_mode": DELIVERY_MODES.get(mode, mode)},
        )
        channel.basic_publish(message, exchange="", routing_key=queue)
    except BaseException:
        _forget_channel()
        raise


def _channel(app, task_name: str):
    """This thread's channel to the broker, and the queue Celery's router gives the task."""
    held = getattr(_held, "channel", None)
    if held is None or held[0] is not app:
        connection = app.connection_for_write()
        try:
            held = (app, connection, connection.default_channel, {})
        except BaseException:
            connection.release()
            raise
        _held.channel = held
    _app, _connection, channel, queues = held
    if task_name not in queues:
        queues[task_name] = app.amqp.router.route({}, task_name)["queue"].name
    return channel, queues[task_name]


def _forget_channel() -> None:
    held = getattr(_held, "channel", None)
    _held.channel = None
    if held is not None:
        try:
            held[1].release()
        except Exception:  # noqa: BLE001 - a broken connection may fail to close too
            logger.debug("outbox: could not close the broker connection", exc_info=True)


def deliver(message_id: int) -> str:
    now = timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, dispatched_at=None, updated_at=now
    )
    if claimed != 1:
        # This task is used up: a due row may be handed out again by the re-queue.
        Message.objects.filter(pk=message_id, status=Status.QUEUED).update(dispatched_at=None)
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
        now = timezone.now()
        if _gives_up(message, now):
            mine.update(status=Status.FAILED, last_error=f"{GAVE_UP}: {exc}"[:300], updated_at=now)
            return "failed"
        wait = backoff(message.attempts)
        if exc.retry_after is not None:
            wait = max(wait, datetime.timedelta(seconds=exc.retry_after))
        retry_at = now + wait
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
    apply_early_statuses(sent.sid)
    return "sent"


@shared_task(name="notifications.tasks.send_message", ignore_result=True, acks_late=True)
def send_message(message_id: int) -> None:
    deliver(message_id)


def broker_started_at():
    """When the broker (Redis) last started, from its INFO; None when unknown. Tasks handed out
    before then are gone: Redis keeps nothing on disk."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    try:
        import redis

        with redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2) as connection:
            uptime = int(connection.info("server")["uptime_in_seconds"])
    except Exception:  # noqa: BLE001 - unknown; the lost_after rule still applies
        return None
    return timezone.now() - datetime.timedelta(seconds=uptime + 1)


@shared_task(name="notifications.tasks.requeue_stuck", ignore_result=True)
def requeue_stuck() -> int:
    """Re-queue messages left behind by a crash, hand due retries and lost tasks to the workers."""
    now = timezone.now()
    ids = requeue_due(
        stuck_after=STUCK_AFTER,
        lost_after=datetime.timedelta(seconds=settings.SIGAP_OUTBOX_LOST_TASK_AFTER),
        max_attempts=settings.SIGAP_MESSAGE_MAX_ATTEMPTS,
        # Without a broker (tasks run eagerly) no task is ever waiting anywhere.
        broker_started_at=now if settings.CELERY_TASK_ALWAYS_EAGER else broker_started_at(),
        now=now,
    )
    published = hand_to_workers(ids)
    if ids:
        logger.info("outbox: %s of %s due messages handed to workers", published, len(ids))
    EarlyStatus.objects.filter(received_at__lt=now - EARLY_STATUS_KEPT).delete()
    return published
