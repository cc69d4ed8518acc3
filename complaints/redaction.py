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

from django.utils.translation import gettext as _

from complaints.models import Identity

_SEPARATORS = r"[\s.\-()]*"
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


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if len(national) < 6:
        return None
    # 0812…, 62812…, +62 812…, or the national number alone.
    return rf"(?:(?:\+?{_SEPARATORS}62|0){_SEPARATORS})?{_digits_pattern(national)}"


def redact_identity(text: str, identity: Identity | None, *, keep: str = "") -> str:
    """`text` with the complainant's name (whole and each part of it), NIK, NIP, phone, email and own
    agency replaced by “[dirahasiakan]”. It errs on the side of masking: a name part that is also
    an ordinary word is masked everywhere in the text. `keep`: the reported agency, which the
    letter names anyway and is not masked when an ASN works there."""
    if not text or identity is None:
        return text
    patterns: list[str] = []
    if identity.email:
        patterns.append(re.escape(identity.email))
    for number in (identity.nik, identity.nip):
        digits = re.sub(r"\D", "", number or "")
        if len(digits) >= 6:
            patterns.append(rf"(?<!\d){_digits_pattern(digits)}(?!\d)")
    phone = _phone_pattern(identity.phone or "")
    if phone:
        patterns.append(rf"(?<!\d){phone}(?!\d)")
    own_agency = identity.own_agency.name if identity.own_agency_id else identity.own_agency_name
    if own_agency and own_agency.strip():
        # The agency an ASN works at: masked in the text unless it is the reported agency itself.
        if own_agency.strip().casefold() != (keep or "").strip().casefold():
            patterns.append(re.escape(own_agency.strip()))
    name = (identity.name or "").strip()
    if name:
        patterns.append(r"\s+".join(re.escape(part) for part in name.split()))
        patterns.extend(rf"\b{re.escape(token)}\b" for token in _NAME_TOKEN.findall(name))
    if not patterns:
        return text
    # Longest first, so a full name is masked whole rather than part by part.
    patterns.sort(key=len, reverse=True)
    masked = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return masked.sub(_("[dirahasiakan]"), text)


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
