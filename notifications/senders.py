"""Senders: Twilio's Messages API, or the console (the embedded default, for a newcomer)."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from twilio.base.exceptions import TwilioRestException

from .contacts import within_whatsapp_window
from .models import Message
from .personal import masked_address

logger = logging.getLogger("sigap.messages")

# Twilio errors that no retry will fix: invalid or unreachable number, unsubscribed, outside the
# WhatsApp window, template problems.
PERMANENT_ERRORS = {21211, 21214, 21408, 21610, 21612, 21614, 63016, 63024, 63032}
TWILIO_UNSUBSCRIBED = "21610"


class TransientSendError(Exception):
    """Try again later (network, timeout, 429, 5xx). ``retry_after``: seconds the provider asked
    us to wait (its Retry-After header), when it said."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(Exception):
    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


@dataclass
class Sent:
    sid: str
    status: str


def _address(channel: str, number: str) -> str:
    return f"whatsapp:{number}" if channel == "whatsapp" else number


def send_twilio(message: Message) -> Sent:
    params: dict = {"to": _address(message.channel, message.recipient)}
    if settings.SIGAP_PUBLIC_URL:
        params["status_callback"] = f"{settings.SIGAP_PUBLIC_URL}/webhooks/twilio/status/"
    sender = settings.TWILIO_WHATSAPP_FROM if message.channel == "whatsapp" else settings.TWILIO_SMS_FROM
    if settings.TWILIO_MESSAGING_SERVICE_SID:
        params["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
    if sender:
        params["from_"] = _address(message.channel, sender)
    # WhatsApp allows free text only within 24 hours of the complainant's last message;
    # outside it only an approved (utility) Content template.
    if (
        message.channel == "whatsapp"
        and message.content_sid
        and not within_whatsapp_window(message.recipient)
    ):
        params["content_sid"] = message.content_sid
        params["content_variables"] = json.dumps(message.content_variables)
    else:
        params["body"] = message.body
    # Imported when a message goes out: a web worker, which only queues messages, never loads
    # Twilio's REST client and requests (about 16 MiB a process).
    from .twilio_rest import retry_after, twilio_client

    client = twilio_client()
    try:
        created = client.messages.create(**params)
    except TwilioRestException as exc:
        # 401: wrong or rotated credentials. Every message would fail; an operator fixes the
        # setting and the retries then deliver them, so it is not the message's fault.
        if exc.status in (401, 429) or exc.status >= 500:
            raise TransientSendError(f"Twilio {exc.status}: {exc.msg}"[:300], retry_after=retry_after(client))
        if exc.code in PERMANENT_ERRORS or 400 <= exc.status < 500:
            raise PermanentSendError(f"Twilio {exc.code}: {exc.msg}"[:300], code=str(exc.code or exc.status))
        raise TransientSendError(str(exc))
    except Exception as exc:  # noqa: BLE001 - network errors and timeouts from requests
        raise TransientSendError(f"{type(exc).__name__}: {exc}"[:300])
    return Sent(sid=created.sid, status=created.status or "queued")


def send_console(message: Message) -> Sent:
    # The log is no place for personal data: the number masked, a text with a secret left out.
    text = (
        "[teks berisi rahasia, tidak dicatat / text with a secret, not logged]"
        if message.sensitive
        else message.body
    )
    logger.info(
        "[%s → %s] %s", message.channel, masked_address(message.recipient), text or message.content_sid
    )
    return Sent(sid=f"CONSOLE{uuid.uuid4().hex[:26]}", status="sent")


def send_email(message: Message) -> Sent:
    """Email through Django's mail settings (the console backend in development)."""
    from django.core.mail import send_mail

    subject, _, rest = message.body.partition("\n")
    try:
        send_mail(subject[:120] or "Sigap", rest or message.body, None, [message.recipient])
    except OSError as exc:  # SMTP refused or unreachable: try again later
        raise TransientSendError(f"{type(exc).__name__}: {exc}"[:300])
    return Sent(sid=f"EMAIL{uuid.uuid4().hex[:28]}", status="sent")


def send(message: Message) -> Sent:
    if message.channel == "email":
        return send_email(message)
    if settings.SIGAP_MESSAGE_SENDER == "twilio":
        return send_twilio(message)
    return send_console(message)
