"""Delivery status from Twilio's callbacks. Idempotent, and a status never moves backwards."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import EarlyStatus, Message, Status

# How far along a message is. A callback applies only when it ranks higher than what the row
# holds, so a replayed or late callback changes nothing. Twilio does not promise order: "sent"
# may arrive after "delivered", "delivered" after "read".
# - failed/undelivered outrank queued/sending/sent: the carrier gave up after accepting it.
# - delivered/read outrank failed/undelivered: a delivery receipt is proof that the phone got it,
#   while a failure can be a stale or contradictory report, and the officer's question is "did
#   the complainant get it?". So a delivered message never turns undelivered, and a late
#   receipt clears a failure (its error code stays on the row for the record).
# - read outranks delivered (WhatsApp read receipts).
# Failures decided here before Twilio had the message (opted out, invalid number, gave up)
# have no SID, so no callback can reach them.
RANK = {
    Status.QUEUED: 0,
    Status.SENDING: 1,
    Status.SENT: 2,
    Status.FAILED: 3,
    Status.UNDELIVERED: 3,
    Status.DELIVERED: 4,
    Status.READ: 5,
}
TWILIO_STATUSES = {
    "accepted": Status.SENDING,
    "scheduled": Status.SENDING,
    "queued": Status.SENT,
    "sending": Status.SENT,
    "sent": Status.SENT,
    "delivered": Status.DELIVERED,
    "read": Status.READ,
    "failed": Status.FAILED,
    "undelivered": Status.UNDELIVERED,
    "canceled": Status.FAILED,
}


def record_status(*, sid: str, twilio_status: str, error_code: str = "") -> bool:
    """Apply one callback; True when it moved the message forward.

    A callback for a SID no message holds yet (Twilio answered the worker, called back, and the
    worker has not saved the SID) is kept as an EarlyStatus and applied when the SID is saved.
    The order of the two writes on each side closes the race: the worker saves the SID and then
    reads the early statuses; the callback stores its status and then tries the message again.
    """
    status = TWILIO_STATUSES.get((twilio_status or "").lower())
    if status is None or not sid:
        return False
    moved = _apply(sid, status, error_code)
    if moved or Message.objects.filter(twilio_sid=sid).exists():
        return moved
    early = EarlyStatus.objects.create(
        sid=sid[:40], twilio_status=twilio_status.lower()[:20], error_code=error_code[:10]
    )
    if Message.objects.filter(twilio_sid=sid).exists():
        # The worker saved the SID meanwhile and may have read the early statuses before this one.
        moved = _apply(sid, status, error_code)
        early.delete()
    return moved


def apply_early_statuses(sid: str) -> int:
    """Apply, in the order they came, the callbacks that arrived before ``sid`` was saved."""
    applied = 0
    for early in EarlyStatus.objects.filter(sid=sid):
        status = TWILIO_STATUSES.get(early.twilio_status)
        if status is not None:
            applied += _apply(sid, status, early.error_code)
        early.delete()
    return applied


def _apply(sid: str, status: str, error_code: str) -> bool:
    lower = [s for s, rank in RANK.items() if rank < RANK[status]]
    updates = {"status": status, "updated_at": timezone.now()}
    if status in (Status.DELIVERED, Status.READ):
        # The first proof of arrival is when it arrived; a later "read" keeps that time.
        updates["delivered_at"] = Coalesce(F("delivered_at"), Value(timezone.now()))
    if error_code:
        updates["error_code"] = error_code[:10]
        updates["last_error"] = f"Twilio {error_code}"
    return bool(Message.objects.filter(twilio_sid=sid, status__in=lower).update(**updates))
