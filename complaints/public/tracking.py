"""Looking a complaint up by tracking code and PIN, with limits on guessing.

Failures are counted per tracking code and per client (an IP address, or a phone number on
SMS/WhatsApp) in the cache (Redis in production, so every process shares the count). Past the
limit the lookup is refused for an hour, even with the right PIN.
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


def _keys(code: str, client_key: str) -> tuple[str, str]:
    return f"track:code:{code}", f"track:client:{client_key}"


def _failed(key: str) -> None:
    if not cache.add(key, 1, WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW)


def complaint_for_tracking(*, code: str, pin: str, client_key: str) -> Complaint | None:
    """The complaint with this code when the PIN matches; None otherwise (no hint which was wrong)."""
    code = codes.normalise_code(code)
    code_key, client = _keys(code, client_key)
    counts = cache.get_many([code_key, client])
    if counts.get(code_key, 0) >= MAX_FAILURES_PER_CODE or counts.get(client, 0) >= MAX_FAILURES_PER_CLIENT:
        raise TrackingLocked()
    complaint = (
        Complaint.objects.select_related("unit", "category").filter(tracking_code=code).first()
        if code
        else None
    )
    if complaint is None or not codes.pin_matches(complaint, pin or ""):
        _failed(code_key)
        _failed(client)
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
