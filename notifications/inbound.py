"""Inbound SMS and WhatsApp: record, answer the generic keywords, hand the rest to the domain.

Keywords (Bahasa Indonesia and English, any case): STOP / BERHENTI opt the number out on that
channel (a second one is told it already was), MULAI / START opt it back in, BANTUAN / HELP lists
every keyword. They are answered in the person's language when the domain knows it (their case's,
``register_language_resolver``), else in the keyword's. Everything else goes to the handlers the
domain registered (``register_handler``); the first that answers wins.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy

from . import contacts
from .contacts import e164, parse_phone
from .models import Contact, Conversation, InboundMessage
from .personal import blind_index

CONVERSATION_TIMEOUT = datetime.timedelta(hours=24)

STOP_WORDS = {"STOP", "BERHENTI", "STOPALL", "UNSUBSCRIBE"}
START_WORDS = {"MULAI", "START", "UNSTOP"}
HELP_WORDS = {"BANTUAN", "HELP"}
# Keywords that are English (the domain's included): the answer to one is in English unless the
# person's language is known.
ENGLISH_WORDS = {
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "START",
    "UNSTOP",
    "HELP",
    "STATUS",
    "CHECK",
    "REPORT",
    "ANSWER",
    "OBJECT",
    "WITHDRAW",
    "FORGOT",
    "CANCEL",
}


# Text messages: msgids in Bahasa Indonesia, English in the catalogue under the context "sms" (so
# translators know their length matters); sent in the texter's language.
REPLIES = {
    "stopped": pgettext_lazy(
        "sms",
        "Anda tidak akan menerima pesan Sigap lagi di nomor ini. Ketik MULAI untuk berlangganan kembali.",
    ),
    "already_stopped": pgettext_lazy(
        "sms",
        "Nomor ini sudah berhenti berlangganan pesan Sigap. Ketik MULAI untuk berlangganan kembali.",
    ),
    "started": pgettext_lazy("sms", "Pesan Sigap diaktifkan kembali untuk nomor ini."),
    # Every keyword, in two SMS segments at most.
    "help": pgettext_lazy(
        "sms",
        "Sigap: LAPOR (buat pengaduan), CEK <kode> <PIN> (status), JAWAB <kode> <PIN> <isi> "
        "(kirim kelengkapan), KEBERATAN <kode> <PIN> <alasan>, CABUT <kode> <PIN> (cabut pengaduan), "
        "PIN <kode> (PIN baru), BATAL, BERHENTI (hentikan pesan), MULAI.",
    ),
    "unknown": pgettext_lazy("sms", "Maaf, pesan tidak dikenali. Ketik BANTUAN untuk daftar perintah."),
}


@dataclass
class Inbound:
    sid: str
    phone: str  # E.164
    channel: str  # sms | whatsapp
    body: str
    media: list[dict] = field(default_factory=list)  # [{"url": …, "content_type": …}]
    to: str = ""  # our number that received it (E.164, without the whatsapp: prefix)
    # The person's language when the domain knows it (their case's language), else None.
    language: str | None = None
    # What is kept in InboundMessage.body when it differs from the text (a handler removes a PIN).
    stored_body: str | None = None
    # Set by forget_sender(): once answered, nothing recorded here keeps the number with its messages.
    forget: bool = False

    @property
    def words(self) -> list[str]:
        return self.body.split()

    @property
    def keyword(self) -> str:
        return self.words[0].upper() if self.words else ""

    @property
    def english(self) -> bool:
        """Answer in English: the keyword was English, or the person's case is in English."""
        return self.keyword in ENGLISH_WORDS or self.language == "en"

    @property
    def texter_english(self) -> bool:
        """For the generic keywords: the person's own language when known (an Indonesian texting
        STOP is answered in Indonesian), else the keyword's (BERHENTI Indonesian, STOP English)."""
        if self.language in ("id", "en"):
            return self.language == "en"
        return self.keyword in ENGLISH_WORDS


def parse_twilio(post) -> Inbound:
    """An inbound message from Twilio's webhook parameters."""
    sender = post.get("From", "")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    raw = sender.removeprefix("whatsapp:")
    number = parse_phone(raw)
    phone = e164(number) if number is not None else raw
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
        to=post.get("To", "").removeprefix("whatsapp:"),
    )


Handler = Callable[[Inbound], "str | None"]
_handlers: list[Handler] = []
_language_resolvers: list[Callable[[str], str | None]] = []


def register_handler(handler: Handler) -> Handler:
    """A domain handler: returns the reply text, "" for no reply, or None to let the next one try."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def register_language_resolver(resolver: Callable[[str], str | None]) -> Callable:
    """A domain function phone → "en" / "id" / None: the language the person chose elsewhere
    (this app does not know complaints, the domain does)."""
    if resolver not in _language_resolvers:
        _language_resolvers.append(resolver)
    return resolver


def _language_for(phone: str) -> str | None:
    return next((lang for lang in (r(phone) for r in _language_resolvers) if lang), None)


def reply_text(key: str, *, english: bool) -> str:
    with translation.override("en" if english else "id"):
        return str(REPLIES[key])


def _keyword_reply(inbound: Inbound) -> str | None:
    word = inbound.keyword
    if len(inbound.words) != 1:
        return None
    english = inbound.texter_english
    if word in STOP_WORDS:
        # A second STOP is told the number already stopped (not silence: the person is unsure).
        stopped = contacts.opt_out(inbound.phone, inbound.channel)
        return reply_text("stopped" if stopped else "already_stopped", english=english)
    if word in START_WORDS:
        contacts.opt_in(inbound.phone, inbound.channel)
        return reply_text("started", english=english)
    if word in HELP_WORDS:
        return reply_text("help", english=english)
    return None


def handle(inbound: Inbound) -> str:
    """Handle one inbound message once; the reply text ("" for none).

    1. record it (the unique MessageSid makes a retried webhook return the first answer);
    2. note the contact (WhatsApp's 24-hour window) and the person's language;
    3. the generic keywords, else the domain's handlers in order, else "not understood".
    All in one transaction: a handler that fails leaves no trace and Twilio may retry. Twilio waits
    15 seconds for the answer: a handler does slow work (fetching media) after the commit, in a
    task, and nothing here sweeps other people's data (conversations_purge_expired is periodic).
    """
    previous = InboundMessage.objects.filter(sid=inbound.sid).first()
    if previous is not None:
        return previous.reply
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundMessage.objects.create(
                    sid=inbound.sid,
                    phone=inbound.phone,
                    channel=inbound.channel,
                    body=inbound.body,
                    media=inbound.media,
                )
        except IntegrityError:
            # The same webhook, handled at this very moment by another request: the insert
            # waited for it to commit, so its answer is there now.
            return InboundMessage.objects.get(sid=inbound.sid).reply
        contacts.touch_inbound(inbound.phone, inbound.channel)
        inbound.language = _language_for(inbound.phone)
        reply = _keyword_reply(inbound)
        if reply is None:
            reply = next((r for r in (h(inbound) for h in _handlers) if r is not None), None)
        if reply is None:
            reply = reply_text("unknown", english=inbound.english)
        # The reply is kept so that a retried webhook gets the same answer (e.g. LAPOR's code
        # and PIN, which is sent nowhere else); inbound_replies_forget blanks it later.
        record.reply = reply
        if inbound.stored_body is not None:
            record.body = inbound.stored_body
        record.save(update_fields=["reply", "body"])
        if inbound.forget:
            _forget_number(inbound.phone)
    return reply


def forget_sender(inbound: Inbound) -> None:
    """Unlink the sender's number from everything it sent, once this message is answered and in
    the same transaction as the handler's work (an anonymous report: docs/domain.md#confidentiality).

    Every recorded message of the number, on any channel and this one included, loses the number,
    its text and its media; the MessageSid and the reply stay, so a webhook Twilio retries is still
    recognised and answered as before (the reply is blanked after SIGAP_INBOUND_REPLY_HOURS like
    any other: inbound_replies_forget). The number's WhatsApp-window contact goes too: its time
    would point at those messages. Opt-outs stay (the person's own instruction), as does a
    conversation in progress on another channel.
    """
    inbound.forget = True


def _forget_number(phone: str) -> None:
    if not phone:
        return
    index = blind_index(phone)
    InboundMessage.objects.filter(phone_index=index).update(phone="", phone_index="", body="", media=[])
    Contact.objects.filter(phone_index=index).delete()


# --- conversations -------------------------------------------------------------------------------
def conversation_is_expired(conversation: Conversation, *, now=None) -> bool:
    return conversation.updated_at < (now or timezone.now()) - CONVERSATION_TIMEOUT


def conversation_for(phone: str, channel: str) -> Conversation | None:
    """The number's conversation in progress; one silent for a day has ended.

    An ended one is returned once more with ``expired = True`` (and deleted), so its handler can
    tell the person why their answer is not understood any more.
    """
    conversations = Conversation.objects.filter(phone_index=blind_index(phone), channel=channel)
    if transaction.get_connection().in_atomic_block:
        # Two messages from one phone at once (a double send) must not both answer the same step.
        conversations = conversations.select_for_update()
    conversation = conversations.first()
    if conversation is None:
        return None
    conversation.expired = conversation_is_expired(conversation)
    if conversation.expired:
        conversation.delete()
    return conversation


def conversations_purge_expired(*, now=None) -> int:
    """Delete conversations long past their timeout: half-written reports hold personal data
    (UU PDP) and the people who left them may never write again. Kept one more day after the
    timeout so that a late answer is told the conversation ended (conversation_for). Run by the
    domain's periodic retention job, not on each message."""
    cutoff = (now or timezone.now()) - 2 * CONVERSATION_TIMEOUT
    deleted, _ = Conversation.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def conversation_start(
    phone: str, channel: str, *, handler: str, step: str, data: dict | None = None
) -> Conversation:
    Conversation.objects.filter(phone_index=blind_index(phone), channel=channel).delete()
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


def inbound_replies_forget(*, older_than: datetime.timedelta, now=None) -> int:
    """Blank the stored replies of messages received before ``older_than`` ago. A reply is kept so
    that a webhook Twilio retries gets the same answer, and the answer to a texted report holds its
    PIN in plain text; Twilio retries within minutes."""
    cutoff = (now or timezone.now()) - older_than
    return InboundMessage.objects.filter(received_at__lt=cutoff).exclude(reply="").update(reply="")


def inbound_messages_purge(*, older_than: datetime.timedelta, now=None) -> int:
    """Delete the record of messages received before ``older_than`` ago (the end of personal data's
    retention). It is a transport log: what a message brought to a case lives in the case."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = InboundMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted
