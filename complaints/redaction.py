"""Masking a complainant's identifiers in text they wrote (docs/domain.md#confidentiality).

- A confidential or anonymous complaint is stored with the identifiers typed into its text
  masked (``seal``): officers read the masked text until a logged reveal; what was typed is kept
  only encrypted beside it (Complaint.sealed_text, CaseMessage.sealed_body).
- The referral letter of a confidential case masks the complainant's own identifiers.
- A case whose personal data reached the end of its retention period is masked the same way.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from django.utils.translation import gettext as _

from complaints.models import Identity

_SEPARATOR = r"[\s.\-()]"
_SEPARATORS = rf"{_SEPARATOR}*"
_NAME_TOKEN = re.compile(r"[^\W\d_]{3,}")
# Identifiers anyone may type, whoever they belong to: an email address, a 16-digit NIK or
# 18-digit NIP, an Indonesian mobile number (08…, 62 8…, +62 8…), with the usual separators.
_ANY_IDENTIFIER = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|(?<![\d+])\d(?:[ .\-]?\d){{15,17}}(?!\d)"
    rf"|(?<![\w+])(?:\+{_SEPARATORS}62|62|0){_SEPARATORS}8(?:[ .\-]?\d){{7,11}}(?!\d)"
)


def _digits_pattern(digits: str) -> str:
    """The digits as people write them: with or without spaces, dots or dashes between."""
    return _SEPARATORS.join(re.escape(d) for d in digits)


def _phone_national(phone: str) -> str | None:
    """The digits of the number after its 0 or 62 prefix; None when too short to mask."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    return national if len(national) >= 6 else None


def _phone_pattern(national: str) -> str:
    # 0812…, 62812…, +62 812…, or the national number alone.
    return rf"(?:(?:\+?{_SEPARATORS}62|0){_SEPARATORS})?{_digits_pattern(national)}"


class _Piece(NamedTuple):
    """One of the patterns masked in a text, with a piece of text every match of it contains."""

    pattern: str
    anchor: str
    # The anchor is a run of digits: looked for in the text with the separators taken out.
    digits: bool = False


def _identity_pieces(identity: Identity, keep: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    if identity.email:
        pieces.append(_Piece(re.escape(identity.email), identity.email))
    for number in (identity.nik, identity.nip):
        digits = re.sub(r"\D", "", number or "")
        if len(digits) >= 6:
            pieces.append(_Piece(rf"(?<!\d){_digits_pattern(digits)}(?!\d)", digits, digits=True))
    national = _phone_national(identity.phone or "")
    if national:
        # The prefix is optional: only the national number is in every match.
        pieces.append(_Piece(rf"(?<!\d){_phone_pattern(national)}(?!\d)", national, digits=True))
    own_agency = identity.own_agency.name if identity.own_agency_id else identity.own_agency_name
    if own_agency and own_agency.strip():
        # The agency an ASN works at: masked in the text unless it is the reported agency itself.
        if own_agency.strip().casefold() != (keep or "").strip().casefold():
            pieces.append(_Piece(re.escape(own_agency.strip()), own_agency.strip()))
    name = (identity.name or "").strip()
    if name:
        parts = name.split()
        # Any one part is in every match of the whole name; the longest rules out the most texts.
        pieces.append(_Piece(r"\s+".join(re.escape(part) for part in parts), max(parts, key=len)))
        pieces.extend(_Piece(rf"\b{re.escape(token)}\b", token) for token in _NAME_TOKEN.findall(name))
    return pieces


def _mask(text: str, pieces: list[_Piece]) -> str:
    # Longest first, so a full name is masked whole rather than part by part.
    patterns = sorted((piece.pattern for piece in pieces), key=len, reverse=True)
    masked = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return masked.sub(_("[dirahasiakan]"), text)


def redact_identity(text: str, identity: Identity | None, *, keep: str = "") -> str:
    """`text` with the complainant's name (whole and each part of it), NIK, NIP, phone, email and own
    agency replaced by “[dirahasiakan]”. It errs on the side of masking: a name part that is also
    an ordinary word is masked everywhere in the text. `keep`: the reported agency, which the
    letter names anyway and is not masked when an ASN works there."""
    if not text or identity is None:
        return text
    pieces = _identity_pieces(identity, keep)
    # Compiling the pattern is costly and most texts hold none of the identifiers (_may_contain).
    if not pieces or not _may_contain(text, pieces):
        return text
    return _mask(text, pieces)


def _masked_always(text: str, identity: Identity | None, *, keep: str = "") -> str:
    """redact_identity without the prefilter: what it must return for every text (tests)."""
    if not text or identity is None:
        return text
    pieces = _identity_pieces(identity, keep)
    return _mask(text, pieces) if pieces else text


def _may_match(text: str, identity: Identity | None, *, keep: str = "") -> bool:
    """False only when redact_identity certainly leaves `text` as it is."""
    if not text or identity is None:
        return False
    pieces = _identity_pieces(identity, keep)
    return bool(pieces) and _may_contain(text, pieces)


# The prefilter. Every pattern of _identity_pieces needs its anchor to match: the email, the
# agency, a name part or token (all literal), or the run of digits with separators between them.
# A text without any anchor can't match, and is returned without compiling the pattern. It has to
# compare as `re` does with IGNORECASE, or a name spelt with other letters would slip through:
# a pattern letter matches a text letter when the text letter's simple lowercase
# (_sre.unicode_tolower) is the pattern letter's, or a letter `re` holds the same (i and ı, s and ſ,
# µ and μ…: re._compiler's table). Each letter is mapped to one representative of that class, and
# "could match" becomes a substring test. Where those internals are missing or have changed
# shape, the prefilter answers "maybe" and the pattern is compiled as before.
_SEPARATOR_RE = re.compile(_SEPARATOR, re.IGNORECASE)  # the class exactly as the patterns use it
try:
    from _sre import unicode_tolower as _tolower
except ImportError:  # not CPython's re
    _tolower = None


def _letter_representatives() -> dict[int, int] | None:
    """The lowercase letters `re` holds the same as another, each to the smallest of its class."""
    compiler = getattr(re, "_compiler", None)
    # The table is _EXTRA_CASES (re/_casefix.py) in newer releases, _ignorecase_fixes in older
    # ones; with both, both are used: a class too wide only makes the prefilter say "maybe" more.
    tables = [getattr(compiler, name, None) for name in ("_EXTRA_CASES", "_ignorecase_fixes")]
    tables = [table for table in tables if isinstance(table, dict)]
    if _tolower is None or not tables:
        return None
    classes: list[set[int]] = []
    try:
        for table in tables:
            for code, others in table.items():
                joined = {int(code), *map(int, others)}
                # Joined transitively, whatever the table promises.
                for overlapping in [cls for cls in classes if cls & joined]:
                    joined |= overlapping
                    classes.remove(overlapping)
                classes.append(joined)
    except (TypeError, ValueError):
        return None
    return {code: min(cls) for cls in classes for code in cls}


_REPRESENTATIVES = _letter_representatives()


def _canonical_code(code: int) -> int:
    lower = _tolower(code)
    return _REPRESENTATIVES.get(lower, lower)


class _CanonicalTable(dict):
    """str.translate table to each character's representative, filled in as characters are seen."""

    def __missing__(self, code: int) -> int:
        canonical = _canonical_code(code)
        if len(self) < 65536:  # a text of rare characters can't make it grow without end
            self[code] = canonical
        return canonical


_CANONICAL_TABLE = _CanonicalTable()
# ASCII text, the usual case, through str.lower: only if that is the same mapping.
_ASCII_LOWER_IS_CANONICAL = _REPRESENTATIVES is not None and all(
    _canonical_code(code) == ord(chr(code).lower()) for code in range(128)
)


def _canonical(text: str) -> str:
    """`text` with each character replaced by its representative: same length, case folded as `re`
    does it."""
    if _ASCII_LOWER_IS_CANONICAL and text.isascii():
        return text.lower()
    return text.translate(_CANONICAL_TABLE)


def _may_contain(text: str, pieces: list[_Piece]) -> bool:
    """False only when `text` certainly holds none of the pieces' anchors."""
    if _REPRESENTATIVES is None:
        return True
    canonical = _canonical(text)
    if any(_canonical(piece.anchor) in canonical for piece in pieces if not piece.digits):
        return True
    numbers = [piece.anchor for piece in pieces if piece.digits]
    if not numbers:
        return False
    # Without the separators the patterns allow between digits, each number is a plain substring.
    digits_only = _canonical(_SEPARATOR_RE.sub("", text))
    return any(_canonical(number) in digits_only for number in numbers)


def mask_identifiers(text: str, identity: Identity | None = None) -> str:
    """`text` with the complainant's own identifiers (redact_identity) and every other email
    address, NIK/NIP-shaped number and mobile number masked."""
    if not text:
        return text
    # The generic patterns first: a name inside an email address would otherwise break it apart.
    return redact_identity(_ANY_IDENTIFIER.sub(_("[dirahasiakan]"), text), identity)


def unseal(sealed: str) -> dict[str, str]:
    """What ``seal`` kept of the original text, by field ({} when nothing was masked)."""
    try:
        originals = json.loads(sealed) if sealed else {}
    except ValueError:
        return {}
    return originals if isinstance(originals, dict) else {}


def seal(values: dict[str, str], identity: Identity | None) -> tuple[dict[str, str], str]:
    """The values with identifiers masked, and the originals to keep encrypted: JSON of those that
    changed, or "" when nothing was masked."""
    masked = {key: mask_identifiers(value, identity) for key, value in values.items()}
    originals = {key: values[key] for key in values if masked[key] != values[key]}
    return masked, (json.dumps(originals, ensure_ascii=False) if originals else "")
