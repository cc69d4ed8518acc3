"""Looking a complaint up by tracking code and PIN, with limits on guessing.

Failures are counted per tracking code and per client (an IP address, or a phone number on
SMS/WhatsApp) in the cache (Redis in production, so every process shares the count). Past the
limit the lookup is refused for an hour, even with the right PIN. The count is kept by hand
(`PinGuesses`, check then count), not by a rate-limit library: it is the domain's own rule
(docs/domain.md), it counts only wrong guesses, and a locked code must stay locked for every
client. The web page, the API and SMS/WhatsApp all come through `complaint_for_tracking`; the
web and the API pass `complaints.limits.client_address(request)` as the client.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from complaints import codes
from complaints.models import Complaint

WINDOW = 3600
MAX_FAILURES_PER_CODE = 5
MAX_FAILURES_PER_CLIENT = 20


class TrackingLocked(Exception):
    message = _("Terlalu banyak percobaan yang salah. Coba lagi dalam satu jam.")


class PinGuesses:
    """Wrong code + PIN guesses for one tracking code and one client: `check()` before the lookup,
    `failed()` after a miss. Each count lives an hour from its first failure."""

    def __init__(self, code: str, client_key: str):
        self.limits = {
            f"track:code:{code}": MAX_FAILURES_PER_CODE,
            f"track:client:{client_key}": MAX_FAILURES_PER_CLIENT,
        }

    def check(self) -> None:
        """Raise TrackingLocked when the code or the client has reached its limit."""
        counts = cache.get_many(list(self.limits))
        if any(counts.get(key, 0) >= limit for key, limit in self.limits.items()):
            raise TrackingLocked()

    def failed(self) -> None:
        for key in self.limits:
            if not cache.add(key, 1, WINDOW):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, WINDOW)


def complaint_for_tracking(*, code: str, pin: str, client_key: str) -> Complaint | None:
    """The complaint with this code when the PIN matches; None otherwise (no hint which was wrong)."""
    code = codes.normalise_code(code)
    guesses = PinGuesses(code, client_key)
    guesses.check()
    complaint = (
        Complaint.objects.select_related("unit", "category").filter(tracking_code=code).first()
        if code
        else None
    )
    if complaint is None or not codes.pin_matches(complaint, pin or ""):
        guesses.failed()
        return None
    return complaint


def public_timeline(complaint: Complaint, language: str | None = None) -> list[dict]:
    """Each step in plain words with its date: never notes, fields or officers' names."""
    from complaints.machine import public_label
    from workflow.engine import history

    return [
        {"at": log.created_at, "text": public_label(log.transition, language), "state": log.target}
        for log in history(complaint).select_related(None).only("transition", "target", "created_at")
    ]
