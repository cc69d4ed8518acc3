"""Tracking codes and PINs.

A tracking code is 8 random characters from an alphabet without look-alikes (no 0/O, 1/I/L),
so it can be read aloud over the phone; being random it says nothing about volume or order.
It is shown as ABCD-EFGH and accepted with or without the dash, spaces, in any case.

PINs: 6 random digits, shown once, stored as a keyed HMAC-SHA256.

A 6-digit PIN has only a million values, so no hash cost could protect it; the guessing limits in
complaints.public.tracking do (docs/domain.md#tracking-codes-and-pins). A keyed HMAC
(settings.SIGAP_PIN_KEY) keeps a leaked table from being reversed by simply hashing all million
PINs, and costs microseconds per filing, unlike PBKDF2.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

from notifications.personal import decrypt, encrypt

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_pin(pin: str) -> str:
    return hmac.new(settings.SIGAP_PIN_KEY.encode(), (pin or "").strip().encode(), hashlib.sha256).hexdigest()


def pin_matches(complaint, pin: str) -> bool:
    """Constant-time comparison: the answer time says nothing about how close a guess was."""
    return hmac.compare_digest(complaint.pin_hash or "", hash_pin(pin or ""))


def pin_for_session(pin: str) -> str:
    """The PIN as a session keeps it until the next page shows it once: encrypted, because a
    session row sits in the database (docs/domain.md#tracking-codes-and-pins) for as long as the
    session lives when that page is never opened."""
    return encrypt(pin)


def pin_from_session(kept: str) -> str:
    """The PIN pin_for_session kept ("" when it cannot be read: another key, a changed row)."""
    try:
        return decrypt(kept or "")
    except ValueError:
        return ""
