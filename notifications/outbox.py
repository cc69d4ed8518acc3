"""Writing messages: a row in the caller's transaction, sent by a worker after commit."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .contacts import is_opted_out, opted_out_query
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
    return enqueue_message(
        Message(
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
    )


def enqueue_message(message: Message) -> Message:
    """The same for a message built beforehand (unsaved)."""
    opted_out = message.channel != "email" and is_opted_out(message.recipient, message.channel)
    _settle(message, opted_out=opted_out, at=timezone.now())
    message.save()
    if not opted_out:
        schedule_send_on_commit(message.pk)
    return message


def opted_out_check(message: Message, connection) -> tuple[str, list] | None:
    """For a statement that inserts ``message`` itself (complaints.intake.filing): the SQL and
    parameters that answer a row when enqueue would fail it as opted out; None when it never
    would (email)."""
    if message.channel == "email":
        return None
    return opted_out_query(message.recipient, message.channel, connection)


def settle_enqueued(message: Message, *, opted_out: bool, at) -> None:
    """After such a statement inserted ``message`` as enqueue would have: the same fields on the
    instance, and its send handed to a worker on commit."""
    _settle(message, opted_out=opted_out, at=at)
    if not opted_out:
        schedule_send_on_commit(message.pk)


def _settle(message: Message, *, opted_out: bool, at) -> None:
    if opted_out:
        message.status = Status.FAILED
        message.last_error = OPTED_OUT
        message.dispatched_at = None
    else:
        message.dispatched_at = at  # its task is handed out when the caller commits


def enqueue_many(messages: list[Message]) -> list[Message]:
    """The same for many messages at once (a timer sweep): two queries however many."""
    if not messages:
        return []
    opted_out = set(_opted_out_pairs({(m.recipient, m.channel) for m in messages if m.channel != "email"}))
    now = timezone.now()
    for message in messages:
        message.dispatched_at = now
        message.recipient_index = blind_index(message.recipient)  # bulk_create skips save()
        if (message.recipient, message.channel) in opted_out:
            message.status = Status.FAILED
            message.last_error = OPTED_OUT
            message.dispatched_at = None
    created = Message.objects.bulk_create(messages)
    for message in created:
        if message.status == Status.QUEUED:
            schedule_send_on_commit(message.pk)
    return created


def _opted_out_pairs(pairs):
    from .models import OptOut

    if not pairs:
        return []
    by_index = {(blind_index(phone), channel): (phone, channel) for phone, channel in pairs}
    query = Q()
    for index, channel in by_index:
        query |= Q(phone_index=index, channel=channel)
    return [by_index[pair] for pair in OptOut.objects.filter(query).values_list("phone_index", "channel")]


def schedule_send_on_commit(message_id: int) -> None:
    """Hand the message to a worker once the caller's transaction commits. Never fails the caller:
    with the broker unreachable the row stays queued and the re-queue hands it out later."""
    from .tasks import hand_to_workers

    transaction.on_commit(lambda: hand_to_workers([message_id]), robust=True)


def messages_for(reference: str):
    """The messages about one thing (e.g. a case), newest first, for officers.

    Each has ``reason``: why it did not arrive (opted out, invalid number, gave up…), in words."""
    return Message.objects.filter(reference=reference).order_by("-created_at", "-id")


def requeue_due(
    *, stuck_after, lost_after, max_attempts: int, now=None, broker_started_at=None, limit: int = 1000
) -> list[int]:
    """Messages to hand to the workers now, each marked as handed out (``dispatched_at``).

    The broker holds at most one task per message: a row is handed out again only when the task
    it was given cannot be waiting any more. The claim in the task keeps a message from going
    out twice however often it is handed out.

    1. Rows left in "sending" longer than ``stuck_after`` belong to a worker that died mid-send:
       back to "queued", or "failed" once they used every attempt (a message that kills its
       worker each time must not loop forever).
    2. Rows "queued" and due with no task out: a retry whose time has come, or a row whose
       task could not be handed out (the broker was down when its step committed).
    3. Rows "queued" and due whose task was handed out before the broker last started
       (``broker_started_at``: Redis keeps nothing on disk, so a restart lost it), or longer ago
       than ``lost_after`` (the last resort when the broker's start is unknown).
    """
    now = now or timezone.now()
    stuck = list(
        Message.objects.filter(status=Status.SENDING, updated_at__lt=now - stuck_after).values_list(
            "pk", "attempts"
        )[:limit]
    )
    exhausted = [pk for pk, attempts in stuck if attempts >= max_attempts]
    retry = [pk for pk, attempts in stuck if attempts < max_attempts]
    if exhausted:
        Message.objects.filter(pk__in=exhausted, status=Status.SENDING).update(
            status=Status.FAILED, last_error=f"{GAVE_UP}: the worker stopped while sending", updated_at=now
        )
    if retry:
        Message.objects.filter(pk__in=retry, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=now, dispatched_at=None, updated_at=now
        )
    lost = Q(dispatched_at__lt=now - lost_after)
    if broker_started_at is not None:
        lost |= Q(dispatched_at__lt=broker_started_at)
    waiting = Q(status=Status.QUEUED, next_attempt_at__lte=now) & (Q(dispatched_at__isnull=True) | lost)
    ids = list(
        Message.objects.filter(waiting).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    # Conditional on the same test, and marked with this run's time: a rival run that took some
    # of the same rows meanwhile keeps them (no row is handed out by both).
    Message.objects.filter(waiting, pk__in=ids).update(dispatched_at=now)
    return list(Message.objects.filter(pk__in=ids, dispatched_at=now).values_list("pk", flat=True))


def messages_forget(references: list[str]) -> int:
    """Blank who the messages of these references went to and what they said (their personal data's
    retention has ended); the rows stay, so delivery figures still add up."""
    return (
        Message.objects.filter(reference__in=references)
        .exclude(recipient="", body="", content_variables={})
        .update(recipient="", body="", content_variables={})
    )
