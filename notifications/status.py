"""Delivery status from Twilio's callbacks. Idempotent, and a status never moves backwards."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Message, Status

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
    """Apply one callback; True when it moved the message forward."""
    status = TWILIO_STATUSES.get((twilio_status or "").lower())
    if status is None:
        return False
    lower = [s for s, rank in RANK.items() if rank < RANK[status]]
    updates = {"status": status, "updated_at": timezone.now()}
    if status in (Status.DELIVERED, Status.READ):
        # The first proof of arrival is when it arrived; a later "read" keeps that time.
        updates["delivered_at"] = Coalesce(F("delivered_at"), Value(timezone.now()))
    if error_code:
        updates["error_code"] = error_code[:10]
        updates["last_error"] = f"Twilio {error_code}"
    return bool(Message.objects.filter(twilio_sid=sid, status__in=lower).update(**updates))
