"""Phone numbers in E.164, opt-out and the WhatsApp 24-hour window, per phone number and channel.

Numbers are stored encrypted and found by their blind index (personal.py)."""

import datetime

import phonenumbers
from django.utils import timezone

from .models import Contact, OptOut
from .personal import blind_index

WHATSAPP_WINDOW = datetime.timedelta(hours=24)


def parse_phone(value: str, region: str = "ID") -> phonenumbers.PhoneNumber | None:
    """A number as people write it (08…, 62…, +62…, with spaces or dashes), or None.

    The one parser for every phone number Sigap reads: typed into a form or sent by Twilio.
    """
    raw = "".join(ch for ch in (value or "") if ch.isdigit() or ch == "+")
    if raw.startswith("62"):
        raw = "+" + raw
    try:
        return phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def opt_out(phone: str, channel: str) -> bool:
    """Stop messages to this number on this channel; True when it was not opted out before."""
    _, created = OptOut.objects.get_or_create(
        phone_index=blind_index(phone), channel=channel, defaults={"phone": phone}
    )
    return created


def opt_in(phone: str, channel: str) -> bool:
    deleted, _ = OptOut.objects.filter(phone_index=blind_index(phone), channel=channel).delete()
    return bool(deleted)


def is_opted_out(phone: str, channel: str) -> bool:
    return OptOut.objects.filter(phone_index=blind_index(phone), channel=channel).exists()


def touch_inbound(phone: str, channel: str, *, at=None) -> None:
    """The number just wrote to us on this channel."""
    Contact.objects.update_or_create(
        phone_index=blind_index(phone),
        channel=channel,
        defaults={"phone": phone, "last_inbound_at": at or timezone.now()},
    )


def within_whatsapp_window(phone: str, *, now=None) -> bool:
    now = now or timezone.now()
    return Contact.objects.filter(
        phone_index=blind_index(phone), channel="whatsapp", last_inbound_at__gte=now - WHATSAPP_WINDOW
    ).exists()
