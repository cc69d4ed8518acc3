"""The receipt (tanda terima) of a complaint, and its public check (docs/domain.md#receipts).

Every complaint, whatever channel it came by, has a receipt the complainant can print: its number,
when and by which channel it was received, the unit that received it, the deadline of the next
step and the rule it comes from, the tracking code, a QR code to /lacak/ and where the PIN is. The
PIN itself is never on it.

The receipt's number needs no column and cannot be guessed: ``TT-<year>-<pk, 7 digits>-<6 chars>``,
the last six an HMAC of the complaint's id. Anyone holding a receipt can check it at
/tanda-terima/<number>/, which says only when, by which channel and at which unit it was received,
and the status now: never the code, the identity or the content.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

import phonenumbers
import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from complaints.codes import ALPHABET, display_code
from complaints.models import Complaint, DeskChannel, HandlingUnit, NotifyChannel, UnitKind
from complaints.public.selectors import state_explanation
from notifications.contacts import e164, parse_phone

PREFIX = "TT"
SIGNATURE_LENGTH = 6
# TT-2026-0000123-AB3CDE: the year received, the complaint's id (at least 7 digits), the signature.
NUMBER = re.compile(
    rf"TT-(?P<year>\d{{4}})-(?P<pk>\d{{7,12}})-(?P<signature>[{ALPHABET}]{{{SIGNATURE_LENGTH}}})"
)
TEXTED = ("sms", "whatsapp")


# --- the number -------------------------------------------------------------------------------------
def _key() -> bytes:
    # A key of its own, derived from the blind-index key rather than SECRET_KEY: SECRET_KEY may be
    # rotated, the index key never is (every stored phone index depends on it), and a receipt
    # printed today must still check years from now.
    return hmac.new(settings.SIGAP_INDEX_KEY.encode(), b"sigap:tanda-terima", hashlib.sha256).digest()


def _signature(pk: int) -> str:
    """Six characters of the tracking codes' alphabet (no 0/O, 1/I/L): about 30 bits."""
    value = int.from_bytes(hmac.new(_key(), str(pk).encode(), hashlib.sha256).digest()[:8], "big")
    chars = []
    for _i in range(SIGNATURE_LENGTH):
        value, index = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def receipt_number(complaint: Complaint) -> str:
    year = timezone.localtime(complaint.created_at).year
    return f"{PREFIX}-{year}-{complaint.pk:07d}-{_signature(complaint.pk)}"


def normalise_number(value: str) -> str:
    """A number as typed from the paper (any case, spaces or dashes anywhere) in its printed form,
    or "" when it cannot be one."""
    raw = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if not raw.startswith(PREFIX) or len(raw) < len(PREFIX) + 4 + 7 + SIGNATURE_LENGTH:
        return ""
    year, rest = raw[len(PREFIX) : len(PREFIX) + 4], raw[len(PREFIX) + 4 :]
    number = f"{PREFIX}-{year}-{rest[:-SIGNATURE_LENGTH]}-{rest[-SIGNATURE_LENGTH:]}"
    return number if NUMBER.fullmatch(number) else ""


def verify(number: str) -> Complaint | None:
    """The complaint a receipt's number names, or None for a number Sigap never printed.

    The signature is checked first, in constant time and without touching the database, so an
    altered number costs the same whether or not the id exists; then the id's zero-padding and
    the year must be exactly as printed (one complaint, one number)."""
    match = NUMBER.fullmatch(normalise_number(number))
    if match is None:
        return None
    pk = int(match["pk"])
    if not hmac.compare_digest(match["signature"], _signature(pk)) or match["pk"] != f"{pk:07d}":
        return None
    complaint = Complaint.objects.select_related("unit", "received_by__unit").filter(pk=pk).first()
    if complaint is None or timezone.localtime(complaint.created_at).year != int(match["year"]):
        return None
    return complaint


# --- what the receipt says ----------------------------------------------------------------------------
def receiving_unit(complaint: Complaint) -> HandlingUnit:
    """The intake desk that received the complaint, also after it was referred on: the desk of the
    officer who filed it on the complainant's behalf, else the desk it sits at (until referral),
    else its province's desk (where every complaint not filed at a desk starts)."""
    officer = complaint.received_by
    if officer is not None and officer.unit_id and officer.unit.kind == UnitKind.INTAKE:
        return officer.unit
    if complaint.unit.kind == UnitKind.INTAKE:
        return complaint.unit
    return HandlingUnit.objects.intake_desk_for(complaint.province_id)


def next_deadline(complaint: Complaint) -> dict | None:
    """The deadline of the step the case waits for now, and the rule (and its legal source) it
    runs on, as the officers' case page reads it; None once the case has ended."""
    if complaint.due_at is None:
        return None
    from complaints.machine import agency_rule, stage_rule
    from complaints.models import AGENCY_STATES

    # The rule the clock really runs on: the agency's in its stages, an urgent case's shorter one.
    if complaint.state in AGENCY_STATES:
        rule = agency_rule(complaint, complaint.state)
    else:
        rule = stage_rule(complaint, complaint.state)
    return {
        "due_at": complaint.due_at,
        "days": rule.days if rule else None,
        "working_days": rule.working_days if rule else None,
        "source": rule.source if rule else "",
    }


def pin_note(complaint: Complaint) -> str:
    """Where the complainant's PIN is. Never the PIN: a receipt is paper, and paper is shared."""
    channel = complaint.channel
    texted = complaint.get_notify_channel_display()
    sent = complaint.notify_channel in (NotifyChannel.SMS, NotifyChannel.WHATSAPP) and channel not in TEXTED
    if channel in TEXTED:
        notes = [
            _("PIN ada di balasan %(channel)s atas laporan Anda.")
            % {"channel": complaint.get_channel_display()}
        ]
    elif channel == "web":
        notes = [_("PIN ditampilkan sekali di layar setelah pengaduan dikirim.")]
    elif channel == "api":
        notes = [_("PIN diberikan sekali oleh aplikasi yang Anda pakai untuk melapor.")]
    elif channel == DeskChannel.IN_PERSON:
        notes = [_("PIN diserahkan dalam amplop tertutup di meja penerimaan.")]
    else:  # a letter, a call or an email the desk filed
        notes = [_("PIN disampaikan terpisah oleh petugas penerimaan.")]
    if sent:
        notes.append(_("PIN juga dikirim lewat %(channel)s ke nomor telepon Anda.") % {"channel": texted})
    notes.append(_("PIN tidak pernah dicetak pada tanda terima ini; simpan terpisah."))
    return " ".join(notes)


def public_sms_number() -> dict | None:
    """The number people text (settings.SIGAP_SMS_NUMBER) as printed (0811-…) and as an sms: link."""
    raw = settings.SIGAP_SMS_NUMBER
    if not raw:
        return None
    number = parse_phone(raw)
    if number is not None and phonenumbers.is_valid_number(number):
        style = phonenumbers.PhoneNumberFormat
        shown = phonenumbers.format_number(
            number, style.NATIONAL if number.country_code == 62 else style.INTERNATIONAL
        )
        return {"display": shown, "href": f"sms:{e164(number)}"}
    # A short code: as it was written.
    return {"display": raw, "href": "sms:" + "".join(ch for ch in raw if ch.isdigit() or ch == "+")}


def tracking_url() -> str:
    return f"{settings.SIGAP_PUBLIC_URL}{reverse('lacak')}"


@functools.lru_cache(maxsize=8)
def _qr_svg(url: str, label: str) -> str:
    svg = segno.make(url, error="m").svg_inline(border=4, omitsize=True, svgclass="qr", title=label)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code (no image request, no script) of ``url``: the tracking page, never a
    PIN. segno escapes the title; the label is escaped here."""
    return mark_safe(_qr_svg(url, _("Kode QR menuju %(url)s") % {"url": url}))  # noqa: S308


# The receipt-printer layout (?lebar=80mm); A4 otherwise.
NARROW = "80mm"


def page_context(complaint: Complaint, *, width: str) -> dict:
    """What templates/complaints/public/tanda_terima.html needs, for the complainant's page and
    the desk's alike: the receipt, and whether it is laid out for an 80 mm roll."""
    return {"receipt": receipt_for(complaint), "narrow": width == NARROW}


def receipt_for(complaint: Complaint) -> dict:
    """Everything a printed receipt shows, in the active language."""
    number = receipt_number(complaint)
    url = tracking_url()
    return {
        "number": number,
        "received_at": complaint.created_at,
        "channel": complaint.get_channel_display(),
        "unit": receiving_unit(complaint),
        "code": display_code(complaint.tracking_code),
        "status": complaint.get_state_display(),
        "explanation": state_explanation(complaint),
        "deadline": next_deadline(complaint),
        "pin_note": pin_note(complaint),
        "tracking_url": url,
        "qr": qr_svg(url),
        "check_url": f"{settings.SIGAP_PUBLIC_URL}{reverse('tanda_terima_cek', args=[number])}",
        "sms": public_sms_number(),
        "printed_at": timezone.now(),
    }


def verification_for(complaint: Complaint) -> dict:
    """What the public check shows: when, by which channel, at which unit, and the status now.
    Nothing else is read into it: no code, no identity, no content."""
    return {
        "number": receipt_number(complaint),
        "received_at": complaint.created_at,
        "channel": complaint.get_channel_display(),
        "unit": receiving_unit(complaint).name,
        "status": complaint.get_state_display(),
    }
