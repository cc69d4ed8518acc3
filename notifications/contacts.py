"""Phone numbers in E.164, opt-out and the WhatsApp 24-hour window, per phone number and channel.

Numbers are stored encrypted and found by their blind index (personal.py)."""

import datetime

import phonenumbers
from django.db import connections, router
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
    """Asked for every message queued and again before it is sent. One indexed look-up, as plain
    SQL: the ORM built and compiled this query anew every time, 8 % of filing a complaint's CPU."""
    with connections[router.db_for_read(OptOut)].cursor() as cursor:
        cursor.execute(*opted_out_query(phone, channel, cursor.db))
        return cursor.fetchone() is not None


def opted_out_query(phone: str, channel: str, connection) -> tuple[str, list]:
    """The SQL and parameters of is_opted_out's look-up (a row when opted out), for a statement
    that asks it on the way (complaints.intake.filing)."""
    return _opted_out_sql(connection), [blind_index(phone), channel]


_OPTED_OUT_SQL: dict[str, str] = {}  # by database vendor


def _opted_out_sql(connection) -> str:
    sql = _OPTED_OUT_SQL.get(connection.vendor)
    if sql is None:
        quote, meta = connection.ops.quote_name, OptOut._meta
        # Names from the model itself, quoted; the values go as parameters.
        sql = _OPTED_OUT_SQL[connection.vendor] = "SELECT 1 FROM {} WHERE {} = %s AND {} = %s LIMIT 1".format(  # noqa: S608
            quote(meta.db_table),
            quote(meta.get_field("phone_index").column),
            quote(meta.get_field("channel").column),
        )
    return sql


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
