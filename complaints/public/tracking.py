"""Looking a complaint up by tracking code and PIN, with limits on guessing
(docs/domain.md#tracking-codes-and-pins).

A 6-digit PIN has a million values; what protects it is how few guesses anyone gets:
1. one client (an IP address, or a phone number on SMS/WhatsApp) and one code: 5 wrong guesses,
   then that client is refused that code for an hour;
2. one client, any codes: 20 wrong guesses an hour;
3. one code, any clients (guessing spread over many addresses): after 5 wrong guesses in a day,
   each further guess waits for the last one, 1 minute, then 2, 4, … up to an hour. At most about
   thirty guesses a day reach a code, and no one, guessing or not, locks its owner out for long;
   the owner also keeps CEK from the phone the case was filed with, which needs no guess.
The counts live in the "guard" cache (Redis in production, so every process shares them; it fails
closed: with Redis unreachable a guess is not heard, the page answers 503) and are kept by
hand (`PinGuesses`, check then count), not by a rate-limit library: the rule is the domain's own
and counts only wrong guesses. The web page, the API and SMS/WhatsApp all come through
`complaint_for_tracking`; the web and the API pass `complaints.limits.client_address(request)`.
"""

from __future__ import annotations

import math
import time

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext as _

from complaints import codes
from complaints.models import Complaint, Identity
from notifications.personal import blind_index

WINDOW = 3600
MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_CLIENT = 20
FREE_FAILURES_PER_CODE = 5
CODE_MEMORY = 24 * 3600
FIRST_WAIT, MAX_WAIT = 60, 3600
cache = ConnectionProxy(caches, "guard")


class TrackingLocked(Exception):
    """Refused for now; ``wait``: seconds until the next guess is heard."""

    def __init__(self, wait: int = WINDOW):
        super().__init__(wait)
        self.wait = max(1, int(wait))

    @property
    def message(self) -> str:
        if self.wait >= WINDOW:
            return _("Terlalu banyak percobaan yang salah. Coba lagi dalam satu jam.")
        return _("Terlalu banyak percobaan yang salah untuk kode ini. Coba lagi dalam %(minutes)s menit.") % {
            "minutes": math.ceil(self.wait / 60)
        }


def code_wait(failures: int) -> int:
    """Seconds a code's next guess waits after ``failures`` wrong ones (0 while they are few)."""
    if failures < FREE_FAILURES_PER_CODE:
        return 0
    return min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES_PER_CODE), MAX_WAIT)


class PinGuesses:
    """Wrong code + PIN guesses for one tracking code and one client: `check()` before the lookup,
    `failed()` after a miss."""

    def __init__(self, code: str, client_key: str, *, owner: bool = False):
        self.counters = {f"track:pair:{code}:{client_key}": MAX_FAILURES_PER_PAIR}
        if not owner:
            self.counters[f"track:client:{client_key}"] = MAX_FAILURES_PER_CLIENT
        # The phone a case was filed with answers only for its own guesses: what others tried on
        # the code never holds its owner back, and the owner's typos do not slow others down.
        self.code_key = None if owner else f"track:code:{code}"

    def check(self) -> None:
        """Raise TrackingLocked when this client has used its guesses, or the code must wait."""
        state = cache.get_many([*self.counters, *([self.code_key] if self.code_key else [])])
        if any(state.get(key, 0) >= limit for key, limit in self.counters.items()):
            raise TrackingLocked(WINDOW)
        if self.code_key is None:
            return
        failures, last = state.get(self.code_key, (0, 0.0))
        left = last + code_wait(failures) - time.time()
        if left > 0:
            raise TrackingLocked(left)

    def failed(self) -> None:
        for key in self.counters:
            if not cache.add(key, 1, WINDOW):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, WINDOW)
        if self.code_key is None:
            return
        failures, _last = cache.get(self.code_key, (0, 0.0))
        cache.set(self.code_key, (failures + 1, time.time()), CODE_MEMORY)


def complaint_for_tracking(*, code: str, pin: str, client_key: str, phone: str = "") -> Complaint | None:
    """The complaint with this code when the PIN matches; None otherwise (no hint which was wrong).

    ``phone``: the number an SMS/WhatsApp message came from. From the number the case was filed
    with, the owner is never held back by guesses others made; only their own wrong PINs count.
    """
    code = codes.normalise_code(code)
    # Whether a phone is the owner's needs the case first; a web or API guess is checked before
    # the look-up, so a refused one costs no query.
    complaint = _complaint(code) if phone else None
    guesses = PinGuesses(code, client_key, owner=bool(complaint and _filed_from(complaint, phone)))
    guesses.check()
    if not phone:
        complaint = _complaint(code)
    if complaint is None or not codes.pin_matches(complaint, pin or ""):
        guesses.failed()
        return None
    return complaint


def _complaint(code: str) -> Complaint | None:
    if not code:
        return None
    return Complaint.objects.select_related("unit", "category").filter(tracking_code=code).first()


def _filed_from(complaint: Complaint, phone: str) -> bool:
    return Identity.objects.filter(complaint=complaint, phone_index=blind_index(phone)).exists()


def public_timeline(complaint: Complaint, language: str | None = None) -> list[dict]:
    """Each step in plain words with its date: never notes, fields or officers' names."""
    from complaints.machine import public_label
    from workflow.engine import history

    return [
        {"at": log.created_at, "text": public_label(log.transition, language), "state": log.target}
        for log in history(complaint).select_related(None).only("transition", "target", "created_at")
    ]


# --- asking for a new PIN (docs/domain.md#pin-recovery) -------------------------------------------
# The web page answers the same whether or not the code and contact matched, so every request
# counts, matched or not: one client (an address; a phone number by SMS/WhatsApp) on one code,
# RECOVERY_PER_PAIR an hour; on any codes, RECOVERY_PER_CLIENT an hour. Apart from those, one case
# gets at most NEW_PINS_PER_DAY new PINs a day by the web and SMS/WhatsApp together, so nobody can
# flood a complainant's phone or keep changing their PIN. An officer's re-issue at a desk, after
# checking identity, is not held to it. The counts live in the "guard" cache, which fails closed.
RECOVERY_PER_PAIR = 3
RECOVERY_PER_CLIENT = 10
NEW_PINS_PER_DAY = 3
DAY = 24 * 3600


class RecoveryLocked(TrackingLocked):
    @property
    def message(self) -> str:
        return _("Terlalu banyak permintaan PIN baru. Coba lagi dalam satu jam.")


def _count(key: str, timeout: int) -> None:
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)


class PinRecoveryRequests:
    """Requests for a new PIN by one client for one code: `check()`, then `count()` (each one)."""

    def __init__(self, code: str, client_key: str):
        self.counters = {
            f"pinreset:pair:{code}:{client_key}": RECOVERY_PER_PAIR,
            f"pinreset:client:{client_key}": RECOVERY_PER_CLIENT,
        }

    def check(self) -> None:
        state = cache.get_many(list(self.counters))
        if any(state.get(key, 0) >= limit for key, limit in self.counters.items()):
            raise RecoveryLocked(WINDOW)

    def count(self) -> None:
        for key in self.counters:
            _count(key, WINDOW)


def new_pins_today(complaint: Complaint) -> int:
    """New PINs the complainant had sent for this case in the last day (the web and SMS)."""
    return cache.get(f"pinreset:case:{complaint.pk}", 0)


def new_pin_counted(complaint: Complaint) -> None:
    _count(f"pinreset:case:{complaint.pk}", DAY)
