"""What the complainant hears, and when: outbox rows written in the same transaction as the step.

Rules (docs/domain.md#whatsapp-and-opt-out): only with consent (notify_channel is not "none") and a phone
(or, for "email", an email address); on the channel they chose; in their language; the text
carries the tracking code and the status, never their identity or the case's details (phones are
shared); one SMS segment where it can be. Two texts carry an officer's own words, because the
complainant must be able to act on them without the web (docs/domain.md#sms-and-whatsapp): an
information request and an officer's message, with the complainant's identifiers masked
(``complainant_words``), cut to WORDS_MAX_SEGMENTS segments with where to read the rest.
WhatsApp outside the 24-hour window goes as the approved status template (code, status).
Email (notify_channel "email", docs/domain.md#email-updates): every update, with its subject on
the first line, never the PIN.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone, translation

from complaints import reference
from complaints.codes import display_code
from complaints.models import NotifyChannel
from complaints.redaction import mask_identifiers
from complaints.sanitize import clean_text
from notifications import outbox, texts
from notifications.models import Channel as MessageChannel
from notifications.models import Message

# What a complaint's messages are filed under (Message.reference): "complaint:<id>".
MESSAGE_REFERENCE = "complaint:"


def message_reference(complaint_id) -> str:
    return f"{MESSAGE_REFERENCE}{complaint_id}"


# The shipped wording of each message (administrators may reword it: notifications.texts and the
# "Templat pesan" admin). Placeholders: {code} tracking code, {status} the case's state in the
# complainant's language, {url} the public address, {date} the deadline that matters for the
# step, {pin} (received only), {unit} (refer only), {message} (request_info and thread: the
# officer's words, which may take the text to WORDS_MAX_SEGMENTS segments). Without the officer's
# words, all fit one GSM-7 segment with a 40-character address and the longest unit name
# (tests/complaints/test_messaging.py measures them).
TEXTS = {
    "received": {
        "id": "Sigap: pengaduan diterima. Kode lacak {code}, PIN {pin}. Simpan keduanya. Cek status: {url}/lacak/",
        "en": "Sigap: complaint received. Tracking code {code}, PIN {pin}. Keep both. Status: {url}/lacak/",
    },
    # {message}: the officer's words (complainant_words), cut to fit (WORDS_MAX_SEGMENTS).
    "request_info": {
        "id": "Sigap {code}: {status}. Petugas meminta: {message} Balas pesan ini atau buka {url}/lacak/ sebelum {date}.",
        "en": "Sigap {code}: {status}. The officer asks: {message} Reply to this message or open {url}/lacak/ by {date}.",
    },
    "refer": {
        "id": "Sigap {code}: pengaduan dirujuk ke {unit}.",
        "en": "Sigap {code}: complaint referred to {unit}.",
    },
    "resolve": {
        "id": "Sigap {code}: pemeriksaan selesai. Lihat hasilnya di {url}/lacak/ (keberatan paling lambat {date}).",
        "en": "Sigap {code}: complaint resolved. See the outcome at {url}/lacak/ (objections by {date}).",
    },
    "close": {
        "id": "Sigap {code}: pengaduan ditutup. Terima kasih.",
        "en": "Sigap {code}: complaint closed. Thank you.",
    },
    "reject": {
        "id": "Sigap {code}: pengaduan ditolak, tidak dapat ditindaklanjuti. Alasannya di {url}/lacak/",
        "en": "Sigap {code}: complaint rejected, it cannot be taken further. The reason is at {url}/lacak/",
    },
    "withdrawn": {
        "id": "Sigap {code}: pengaduan dicabut.",
        "en": "Sigap {code}: complaint withdrawn.",
    },
    "expired": {
        "id": "Sigap {code}: pengaduan dicabut karena informasi tambahan tidak diterima sampai batas waktu.",
        "en": "Sigap {code}: complaint withdrawn, the information requested did not arrive in time.",
    },
    "duplicate": {
        "id": "Sigap {code}: pengaduan digabung dengan pengaduan lain tentang hal yang sama. Info: {url}/lacak/",
        "en": "Sigap {code}: complaint merged with another about the same matter. Details: {url}/lacak/",
    },
    "accept_referral": {
        "id": "Sigap {code}: {status}. Pengaduan Anda mulai diperiksa. Cek status: {url}/lacak/",
        "en": "Sigap {code}: {status}. Your complaint is being examined. Status: {url}/lacak/",
    },
    "request_clarification": {
        "id": "Sigap {code}: {status}. Instansi terlapor wajib menjawab paling lambat {date}. Cek: {url}/lacak/",
        "en": "Sigap {code}: {status}. The agency must answer by {date}. Status: {url}/lacak/",
    },
    "start_mediation": {
        "id": "Sigap {code}: {status}. Pengaduan Anda diselesaikan bersama instansi. Info: {url}/lacak/",
        "en": "Sigap {code}: {status}. Your complaint is in mediation with the agency. {url}/lacak/",
    },
    "corrective_action": {
        "id": "Sigap {code}: LAHP terbit, maladministrasi ditemukan. {status}: instansi wajib bertindak paling lambat {date}.",
        "en": "Sigap {code}: report issued, maladministration found. {status}: the agency must act by {date}.",
    },
    "recommendation": {
        "id": "Sigap {code}: {status} diterbitkan; instansi wajib melaksanakan paling lambat {date}.",
        "en": "Sigap {code}: {status} issued; the agency must carry it out by {date}.",
    },
    "objection": {
        "id": "Sigap {code}: keberatan Anda diterima. Status: {status}. Cek: {url}/lacak/",
        "en": "Sigap {code}: your objection was received. Status: {status}. Check: {url}/lacak/",
    },
    "thread": {
        "id": "Sigap {code}: pesan dari petugas: {message} Info: {url}/lacak/",
        "en": "Sigap {code}: a message from the officer: {message} Details: {url}/lacak/",
    },
    # Where the rest of an officer's words can be read, after the part that fits.
    "more": {
        "id": "... baca lengkap di {url}/lacak/",
        "en": "... read it all at {url}/lacak/",
    },
    # "received" by email: the PIN went to the screen or the reply, never to an inbox.
    "received_email": {
        "id": "Sigap: pengaduan diterima. Kode lacak {code}. Simpan kode ini dan PIN Anda. Cek status: {url}/lacak/",
        "en": "Sigap: complaint received. Tracking code {code}. Keep it with your PIN. Status: {url}/lacak/",
    },
}
COMMON = {"code", "status", "url", "date"}
EXTRA = {"received": {"pin"}, "refer": {"unit"}, "request_info": {"message"}, "thread": {"message"}}
for _key, _texts in TEXTS.items():
    texts.register(_key, texts=_texts, placeholders=COMMON | EXTRA.get(_key, set()))

# A new PIN the complainant asked for (docs/domain.md#pin-recovery): sent to the phone or email on
# file, never shown on a page; carries the PIN, so it is sensitive (blanked once sent, never logged).
TEXTS["new_pin"] = {
    "id": "Sigap {code}: PIN baru Anda {pin}. PIN lama tidak berlaku lagi. Cek status: {url}/lacak/",
    "en": "Sigap {code}: your new PIN is {pin}. The old PIN no longer works. Status: {url}/lacak/",
}
texts.register("new_pin", texts=TEXTS["new_pin"], placeholders=COMMON | {"pin"})
# An email's first line is its subject (notifications.senders.send_email).
NEW_PIN_SUBJECT = {"id": "Sigap: PIN baru", "en": "Sigap: your new PIN"}

# Workflow steps the complainant hears about, and the text each uses: every stage of the route
# they should know of (docs/domain.md#states-and-transitions). Not here: their own provide_info
# and withdraw's confirmation on the page, and the desk's internal steps (start_verification,
# verify_formal, return_referral, record_clarification, start_investigation).
TRANSITION_TEXTS = {
    "request_info": "request_info",
    "refer": "refer",
    "accept_referral": "accept_referral",
    "request_clarification": "request_clarification",
    "start_mediation": "start_mediation",
    "issue_recommendation": "recommendation",
    "object": "objection",
    "resolve": "resolve",
    "end_mediation": "resolve",  # only when it resolves the case (see _transition_message)
    "issue_lahp": "resolve",  # or corrective_action when maladministration was found
    "corrective_action_done": "resolve",
    "recommendation_done": "resolve",
    "close": "close",
    "reject": "reject",
    "withdraw": "withdrawn",
    "expire_info": "expired",
    "mark_duplicate": "duplicate",
}


# An officer's words (an information request, a message) in an SMS: at most this many segments
# (SMS concatenation; 612 GSM-7 characters), on WhatsApp at most this many characters (Twilio
# takes 1,600); by email, all of them. Beyond that, "... baca lengkap di <url>/lacak/".
WORDS_MAX_SEGMENTS = 4
WHATSAPP_MAX_CHARS = 1500
# Updates by email (docs/domain.md#email-updates): the complainant chose "email" as their channel.
EMAIL = MessageChannel.EMAIL.value
# An email's first line is its subject (notifications.senders.send_email).
EMAIL_SUBJECT = "Sigap {code}: {status}"
# Texts that differ by email: the PIN never goes to an inbox.
EMAIL_TEXTS = {"received": "received_email"}


def _language(complaint) -> str:
    return "en" if (complaint.language or "").startswith("en") else "id"


def _identity(complaint):
    try:
        return complaint.identity
    except complaint._meta.model.identity.RelatedObjectDoesNotExist:
        return None


def _destination(complaint) -> tuple[str, str] | None:
    """(channel, address) the complainant asked to hear on: their phone for SMS and WhatsApp, their
    email for "email"; None without consent or without that address."""
    channel = complaint.notify_channel
    if channel in ("", NotifyChannel.NONE):
        return None
    identity = _identity(complaint)
    if identity is None:
        return None
    address = identity.email if channel == EMAIL else identity.phone
    return (channel, address) if address else None


def _recipient(complaint) -> str | None:
    destination = _destination(complaint)
    return destination[1] if destination else None


# A complainant's own step taken by SMS or WhatsApp is confirmed by the reply to their message
# (complaints/sms/handlers.py); the step's message to that very phone and channel would say it
# twice, so it is left out while the handler acts (``answered_in_reply``).
_answered_by_reply: ContextVar[tuple[str, str] | None] = ContextVar("sigap_answered_by_reply", default=None)


@contextmanager
def answered_in_reply(channel: str, phone: str):
    token = _answered_by_reply.set((channel, phone))
    try:
        yield
    finally:
        _answered_by_reply.reset(token)


def complainant_words(complaint, text: str, *, language: str | None = None) -> str:
    """An officer's words as they may go to the complainant's phone or inbox: sanitised, on one
    line, GSM-7 where it can be, with identifiers masked (the complainant's own, and every email
    address, NIK-shaped number and mobile number: phones are shared; for a confidential or
    anonymous case what the officers read is already masked), ending with a full stop."""
    with translation.override(language or _language(complaint)):
        words = mask_identifiers(clean_text(text or ""), _identity(complaint))
    words = " ".join(texts.plain(words).split())
    if words and words[-1] not in ".!?":
        words += "."
    return words


def more_text(language: str, *, preloaded=None) -> str:
    """Where to read the rest of words cut to fit (" ... baca lengkap di <url>/lacak/")."""
    rendered = texts.render(
        "more", language=language, channel="", values={"url": settings.SIGAP_PUBLIC_URL}, preloaded=preloaded
    )
    return " " + rendered.body.strip()


def fit_words(
    build, words: str, *, channel: str, language: str, preloaded=None, suffix: str | None = None
) -> str:
    """``build(words)`` within the channel's budget for an officer's words (WORDS_MAX_SEGMENTS on
    SMS and in a texted reply, WHATSAPP_MAX_CHARS on WhatsApp, all of them by email). What is cut
    ends with ``suffix`` (by default, where to read it all: more_text)."""
    if channel == EMAIL:
        return build(words)
    budget = (
        {"max_chars": WHATSAPP_MAX_CHARS}
        if channel == MessageChannel.WHATSAPP
        else {"max_segments": WORDS_MAX_SEGMENTS}
    )
    if suffix is None:
        suffix = more_text(language, preloaded=preloaded)
    return texts.fit(build, words, suffix=suffix, **budget)


def _values(complaint, language: str, **extra) -> dict:
    with translation.override(language):
        status = str(complaint.get_state_display())
    due = timezone.localtime(complaint.due_at).strftime("%d-%m-%Y") if complaint.due_at else ""
    return {
        "code": display_code(complaint.tracking_code),
        "status": status,
        "url": settings.SIGAP_PUBLIC_URL,
        "date": due,
        **extra,
    }


def _message(complaint, key: str, *, preloaded=None, words: str | None = None, **extra) -> Message | None:
    """The message ``key`` to the complainant on the channel they chose, or None. ``words``: an
    officer's words for the text's {message}, cut to the channel's budget."""
    destination = _destination(complaint)
    if destination is None or destination == _answered_by_reply.get():
        return None
    channel, recipient = destination
    language = _language(complaint)
    if channel == EMAIL:
        key = EMAIL_TEXTS.get(key, key)
        extra.pop("pin", None)  # never by email
    values = _values(complaint, language, **extra)
    values["message"] = complainant_words(complaint, words, language=language) if words is not None else ""
    if preloaded is None:
        preloaded = reference.table("message_template")
    rendered = texts.render(key, language=language, channel=channel, values=values, preloaded=preloaded)
    body = rendered.body
    if words is not None:

        def build(message: str) -> str:
            return texts.render(
                key,
                language=language,
                channel=channel,
                values={**values, "message": message},
                preloaded=preloaded,
            ).body

        body = fit_words(build, values["message"], channel=channel, language=language, preloaded=preloaded)
    if channel == EMAIL:
        body = f"{EMAIL_SUBJECT.format(**values)}\n{body}"
    # WhatsApp outside the 24-hour window: the approved status template, which carries only the
    # code and the status (the sender decides at send time, when the window is known).
    template_sid = (
        (rendered.content_sid or settings.TWILIO_WHATSAPP_STATUS_TEMPLATE_SID)
        if channel == MessageChannel.WHATSAPP
        else ""
    )
    return Message(
        channel=channel,
        recipient=recipient,
        language=language,
        template_key=key,
        body=body,
        content_sid=template_sid,
        content_variables={"1": values["code"], "2": values["status"]} if template_sid else {},
        reference=message_reference(complaint.pk),
        # The PIN goes to the complainant's phone and nowhere else: blanked once sent, never logged.
        sensitive="pin" in extra,
    )


def _enqueue(message: Message | None) -> Message | None:
    return None if message is None else outbox.enqueue_message(message)


def received_message(complaint, *, pin: str) -> Message | None:
    """The complaint was filed: tracking code and PIN (the only message that carries the PIN; by
    email, the code alone). Unsaved, for complaints.intake.filing to write with the complaint (its
    ``reference`` is completed then)."""
    return _message(complaint, "received", pin=pin)


def _transition_message(complaint, log, *, preloaded=None) -> Message | None:
    key = TRANSITION_TEXTS.get(log.transition)
    if key is None:
        return None
    if log.transition == "end_mediation" and log.target != "resolved":
        return None  # no agreement: the examination goes on, as the case page shows
    if log.transition == "issue_lahp" and log.target == "corrective_action":
        key = "corrective_action"
    # The unit's name is data: keep it GSM-7 so the text stays one segment.
    extra = {"unit": texts.plain(complaint.unit.name)} if key == "refer" else {}
    if key == "request_info":
        # What the officer asks for, in their words: the complainant answers it by SMS alone.
        extra["words"] = (log.fields or {}).get("message") or complaint.info_requested or ""
    return _message(complaint, key, preloaded=preloaded, **extra)


def enqueue_for_transition(complaint, log) -> Message | None:
    """A workflow step the complainant should hear about."""
    return _enqueue(_transition_message(complaint, log))


def enqueue_for_transitions(pairs) -> None:
    """The same for many (complaint, log) pairs at once (the timer sweep): bulk insert."""
    pairs = list(pairs)
    preloaded = texts.overrides()  # one query for the wordings, however many messages
    outbox.enqueue_many(
        [m for m in (_transition_message(c, log, preloaded=preloaded) for c, log in pairs) if m is not None]
    )


def enqueue_thread_message(complaint, *, body: str) -> Message | None:
    """An officer wrote to the complainant: their words (identifiers masked, cut to fit), and
    where to read them in full."""
    return _enqueue(_message(complaint, "thread", words=body))


def enqueue_new_pin(complaint, *, pin: str, channel: str, recipient: str) -> Message:
    """A new PIN, to the phone number (sms, whatsapp) or email on file the complainant named."""
    language = _language(complaint)
    rendered = texts.render(
        "new_pin", language=language, channel=channel, values=_values(complaint, language, pin=pin)
    )
    body = f"{NEW_PIN_SUBJECT[language]}\n{rendered.body}" if channel == "email" else rendered.body
    return outbox.enqueue(
        channel=channel,
        recipient=recipient,
        language=language,
        template_key="new_pin",
        body=body,
        reference=message_reference(complaint.pk),
        sensitive=True,
    )
