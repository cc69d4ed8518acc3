"""Delivery status from Twilio's callbacks. Idempotent, and a status never moves backwards."""

from django.utils import timezone

from .models import Message, Status

# How far along a message is. A replayed or late callback with a lower rank changes nothing.
# failed/undelivered outrank sent (the carrier gave up after accepting it) but not delivered/read:
# a message someone received cannot become undelivered.
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
        updates["delivered_at"] = timezone.now()
    if error_code:
        updates["error_code"] = error_code[:10]
        updates["last_error"] = f"Twilio {error_code}"
    return bool(Message.objects.filter(twilio_sid=sid, status__in=lower).update(**updates))
