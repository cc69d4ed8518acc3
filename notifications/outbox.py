"""Writing messages: a row in the caller's transaction, sent by a worker after commit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .contacts import is_opted_out
from .models import Message, Status


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
) -> Message:
    """Queue one message. It exists if and only if the caller's transaction commits.

    A recipient who opted out on this channel gets a row that is failed at once with the reason
    ("opted out"), so officers can see why the complainant heard nothing; nothing is sent.
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
    )
    if channel != "email" and is_opted_out(recipient, channel):
        message.status = Status.FAILED
        message.last_error = "opted out"
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
        if (message.recipient, message.channel) in opted_out:
            message.status = Status.FAILED
            message.last_error = "opted out"
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
    query = Q()
    for phone, channel in pairs:
        query |= Q(phone=phone, channel=channel)
    return OptOut.objects.filter(query).values_list("phone", "channel")


def schedule_send_on_commit(message_id: int) -> None:
    from .tasks import send_message

    transaction.on_commit(lambda: send_message.delay(message_id))


def messages_for(reference: str):
    """The messages about one thing (e.g. a case), newest first, for officers."""
    return Message.objects.filter(reference=reference).order_by("-created_at", "-id")


def requeue_due(*, stuck_after, now=None) -> list[int]:
    """Messages a worker should (re)try now: queued and due, or left in 'sending' by a worker
    that died. Returns their ids; the claim in the task keeps a message from going out twice."""
    now = now or timezone.now()
    stuck = Message.objects.filter(status=Status.SENDING, updated_at__lt=now - stuck_after)
    stuck_ids = list(stuck.values_list("pk", flat=True)[:1000])
    if stuck_ids:
        Message.objects.filter(pk__in=stuck_ids, status=Status.SENDING).update(
            status=Status.QUEUED, updated_at=now
        )
    return list(
        Message.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).values_list("pk", flat=True)[
            :1000
        ]
    )
