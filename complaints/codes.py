"""Tracking codes and PINs.

A tracking code is 8 random characters from an alphabet without look-alikes (no 0/O, 1/I/L),
so it can be read aloud over the phone; being random it says nothing about volume or order.
It is shown as ABCD-EFGH and accepted with or without the dash, spaces, in any case.
The PIN functions live in complaints.pins (re-exported here for older imports).
"""

import secrets

from .pins import hash_pin, new_pin, pin_matches

__all__ = ["ALPHABET", "CODE_LENGTH", "new_tracking_code", "normalise_code", "display_code"]
__all__ += ["new_pin", "hash_pin", "pin_matches"]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code
