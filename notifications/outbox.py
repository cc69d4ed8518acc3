"""Writing messages: a row in the caller's transaction, sent by a worker after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .contacts import is_opted_out
from .models import GAVE_UP, OPTED_OUT, Message, Status
from .personal import blind_index


def enqueue(
    *,
    channel: str,
    recipient: str,
    language: str,
    template_key: str,
    body: str = "",
    content_sid: str = "",
    variables: dict | None = None,
    reference: str = "",
    sensitive: bool = False,
) -> Message:
    """Queue one message. It exists if and only if the caller's transaction commits.

    A recipient who opted out on this channel gets a row that is failed at once with the reason
    ("opted out"), so officers can see why the complainant heard nothing; nothing is sent.
    ``sensitive``: the text carries a secret (a PIN); it is blanked once sent, and never logged.
    """
    message = Message(
        channel=channel,
        recipient=recipient,
        language=language,
        template_key=template_key,
        body=body,
        content_sid=content_sid,
        content_variables=variables or {},
        reference=reference,
        sensitive=sensitive,
    )
    if channel != "email" and is_opted_out(recipient, channel):
        message.status = Status.FAILED
        message.last_error = OPTED_OUT
        message.save()
        return message
    message.save()
    schedule_send_on_commit(message.pk)
    return message


def enqueue_many(messages: list[Message]) -> list[Message]:
    """The same for many messages at once (a timer sweep): two queries however many."""
    if not messages:
        return []
    opted_out = set(_opted_out_pairs({(m.recipient, m.channel) for m in messages if m.channel != "email"}))
    for message in messages:
        message.recipient_index = blind_index(message.recipient)  # bulk_create skips save()
        if (message.recipient, message.channel) in opted_out:
            message.status = Status.FAILED
            message.last_error = OPTED_OUT
    created = Message.objects.bulk_create(messages)
    for message in created:
        if message.status == Status.QUEUED:
            schedule_send_on_commit(message.pk)
    return created


def _opted_out_pairs(pairs):
    from django.db.models import Q

    from .models import OptOut

    if not pairs:
        return []
    by_index = {(blind_index(phone), channel): (phone, channel) for phone, channel in pairs}
    query = Q()
    for index, channel in by_index:
        query |= Q(phone_index=index, channel=channel)
    return [by_index[pair] for pair in OptOut.objects.filter(query).values_list("phone_index", "channel")]


def schedule_send_on_commit(message_id: int) -> None:
    from .tasks import send_message

    transaction.on_commit(lambda: send_message.delay(message_id))


def messages_for(reference: str):
    """The messages about one thing (e.g. a case), newest first, for officers.

    Each has ``reason``: why it did not arrive (opted out, invalid number, gave up…), in words."""
    return Message.objects.filter(reference=reference).order_by("-created_at", "-id")


def requeue_due(*, stuck_after, grace, max_attempts: int, now=None) -> list[int]:
    """Messages a worker should (re)try now. Returns their ids; the claim in the task keeps a
    message from going out twice however often it is handed out.

    1. Rows left in "sending" longer than ``stuck_after`` belong to a worker that died mid-send:
       back to "queued", or "failed" once they used every attempt (a message that kills its
       worker each time must not loop forever).
    2. Rows "queued" and due for longer than ``grace``: their task was lost (the broker keeps
       nothing on disk) or never scheduled (eager mode). The grace keeps the sweep from handing
       out again, every minute, the tasks still waiting in the broker.
    """
    now = now or timezone.now()
    stuck = list(
        Message.objects.filter(status=Status.SENDING, updated_at__lt=now - stuck_after).values_list(
            "pk", "attempts"
        )[:1000]
    )
    exhausted = [pk for pk, attempts in stuck if attempts >= max_attempts]
    retry = [pk for pk, attempts in stuck if attempts < max_attempts]
    if exhausted:
        Message.objects.filter(pk__in=exhausted, status=Status.SENDING).update(
            status=Status.FAILED, last_error=f"{GAVE_UP}: the worker stopped while sending", updated_at=now
        )
    if retry:
        Message.objects.filter(pk__in=retry, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=now, updated_at=now
        )
    due = Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now - grace).exclude(pk__in=retry)
    return retry + list(due.values_list("pk", flat=True)[:1000])


def messages_forget(references: list[str]) -> int:
    """Blank who the messages of these references went to and what they said (their personal data's
    retention has ended); the rows stay, so delivery figures still add up."""
    return (
        Message.objects.filter(reference__in=references)
        .exclude(recipient="", body="", content_variables={})
        .update(recipient="", body="", content_variables={})
    )
