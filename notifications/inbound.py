"""Inbound SMS and WhatsApp: record, answer the generic keywords, hand the rest to the domain.

Keywords (Bahasa Indonesia and English, any case): STOP / BERHENTI opt the number out on that
channel, MULAI / START opt it back in, BANTUAN / HELP lists the keywords. Everything else goes to
the handlers the domain registered (``register_handler``); the first that answers wins.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import contacts
from .models import Conversation, InboundMessage

CONVERSATION_TIMEOUT = datetime.timedelta(hours=24)

STOP_WORDS = {"STOP", "BERHENTI", "STOPALL", "UNSUBSCRIBE"}
START_WORDS = {"MULAI", "START", "UNSTOP"}
HELP_WORDS = {"BANTUAN", "HELP"}
ENGLISH_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "START", "UNSTOP", "HELP", "STATUS"}

REPLIES = {
    "stopped": {
        "id": "Anda tidak akan menerima pesan Sigap lagi di nomor ini. Ketik MULAI untuk berlangganan kembali.",
        "en": "You will receive no more Sigap messages on this number. Send START to subscribe again.",
    },
    "started": {
        "id": "Pesan Sigap diaktifkan kembali untuk nomor ini.",
        "en": "Sigap messages are on again for this number.",
    },
    "help": {
        "id": "Sigap: LAPOR (buat pengaduan), CEK <kode> <PIN> (status), BERHENTI (hentikan pesan), MULAI.",
        "en": "Sigap: LAPOR (file a complaint), STATUS <code> <PIN>, STOP (no more messages), START.",
    },
    "unknown": {
        "id": "Maaf, pesan tidak dikenali. Ketik BANTUAN untuk daftar perintah.",
        "en": "Sorry, we did not understand. Send HELP for the list of commands.",
    },
}


@dataclass
class Inbound:
    sid: str
    phone: str  # E.164
    channel: str  # sms | whatsapp
    body: str
    media: list[dict] = field(default_factory=list)  # [{"url": …, "content_type": …}]

    @property
    def words(self) -> list[str]:
        return self.body.split()

    @property
    def keyword(self) -> str:
        return self.words[0].upper() if self.words else ""

    @property
    def english(self) -> bool:
        return self.keyword in ENGLISH_WORDS


def parse_twilio(post) -> Inbound:
    """An inbound message from Twilio's webhook parameters."""
    sender = post.get("From", "")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    raw = sender.removeprefix("whatsapp:")
    try:
        phone = phonenumbers.format_number(phonenumbers.parse(raw, "ID"), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        phone = raw
    count = int(post.get("NumMedia", "0") or 0)
    media = [
        {"url": post.get(f"MediaUrl{i}", ""), "content_type": post.get(f"MediaContentType{i}", "")}
        for i in range(min(count, 10))
    ]
    return Inbound(
        sid=post.get("MessageSid", ""),
        phone=phone,
        channel=channel,
        body=post.get("Body", "").strip(),
        media=media,
    )


Handler = Callable[[Inbound], "str | None"]
_handlers: list[Handler] = []


def register_handler(handler: Handler) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def reply_text(key: str, *, english: bool) -> str:
    return REPLIES[key]["en" if english else "id"]


def _keyword_reply(inbound: Inbound) -> str | None:
    word = inbound.keyword
    if len(inbound.words) != 1:
        return None
    if word in STOP_WORDS:
        # Confirmed once: a second STOP gets no answer.
        return (
            reply_text("stopped", english=inbound.english)
            if contacts.opt_out(inbound.phone, inbound.channel)
            else ""
        )
    if word in START_WORDS:
        contacts.opt_in(inbound.phone, inbound.channel)
        return reply_text("started", english=inbound.english)
    if word in HELP_WORDS:
        return reply_text("help", english=inbound.english)
    return None


def handle(inbound: Inbound) -> str:
    """Handle one inbound message once; the reply text ("" for none)."""
    previous = InboundMessage.objects.filter(sid=inbound.sid).first()
    if previous is not None:
        return previous.reply
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                sid=inbound.sid,
                phone=inbound.phone,
                channel=inbound.channel,
                body=inbound.body,
                media=inbound.media,
            )
            contacts.touch_inbound(inbound.phone, inbound.channel)
            reply = _keyword_reply(inbound)
            if reply is None:
                reply = next((r for r in (h(inbound) for h in _handlers) if r is not None), None)
            if reply is None:
                reply = reply_text("unknown", english=inbound.english)
            record.reply = reply
            record.save(update_fields=["reply"])
    except IntegrityError:
        # The same webhook, handled at this very moment by another request.
        return InboundMessage.objects.get(sid=inbound.sid).reply
    return reply


# --- conversations -------------------------------------------------------------------------------
def conversation_for(phone: str, channel: str) -> Conversation | None:
    """The number's conversation in progress; one silent for a day has ended."""
    conversation = Conversation.objects.filter(phone=phone, channel=channel).first()
    if conversation and conversation.updated_at < timezone.now() - CONVERSATION_TIMEOUT:
        conversation.delete()
        return None
    return conversation


def conversation_start(
    phone: str, channel: str, *, handler: str, step: str, data: dict | None = None
) -> Conversation:
    Conversation.objects.filter(phone=phone, channel=channel).delete()
    return Conversation.objects.create(
        phone=phone, channel=channel, handler=handler, step=step, data=data or {}, updated_at=timezone.now()
    )


def conversation_save(conversation: Conversation, *, step: str, data: dict) -> None:
    conversation.step = step
    conversation.data = data
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=["step", "data", "updated_at"])


def conversation_end(conversation: Conversation) -> None:
    conversation.delete()
