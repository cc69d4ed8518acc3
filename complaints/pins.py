"""PINs: 6 random digits, shown once, stored as a keyed HMAC-SHA256.

A 6-digit PIN has only a million values, so no hash cost could protect it; the guessing limits in
complaints.tracking do. A keyed HMAC (settings.SIGAP_PIN_KEY) keeps a leaked table from being
reversed by simply hashing all million PINs, and costs microseconds per filing, unlike PBKDF2.
"""

import hashlib
import hmac
import secrets

from django.conf import settings


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def hash_pin(pin: str) -> str:
    return hmac.new(settings.SIGAP_PIN_KEY.encode(), (pin or "").strip().encode(), hashlib.sha256).hexdigest()


def pin_matches(complaint, pin: str) -> bool:
    """Constant-time comparison: the answer time says nothing about how close a guess was."""
    return hmac.compare_digest(complaint.pin_hash or "", hash_pin(pin or ""))
