"""What the complainant hears, and when: outbox rows written in the same transaction as the step.

Rules (docs/domain.md#whatsapp-and-opt-out): only with consent (notify_channel is not "none") and a phone; on the channel
they chose; in their language; the text carries the tracking code and the status, never their
identity or the case's details (phones are shared); one SMS segment where it can be.
WhatsApp outside the 24-hour window goes as the approved status template (code, status).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from complaints.codes import display_code
from complaints.models import NotifyChannel
from notifications import outbox, texts
from notifications.models import Message

# The shipped wording of each message (administrators may reword it: notifications.texts and the
# "Templat pesan" admin). Placeholders: {code} tracking code, {status} the case's state in the
# complainant's language, {url} the public address, {date} the deadline that matters for the
# step, {pin} (received only), {unit} (refer only). All fit one GSM-7 segment with a 40-character
# address and the longest unit name (tests/complaints/test_messaging.py measures them).
TEXTS = {
    "received": {
        "id": "Sigap: pengaduan diterima. Kode lacak {code}, PIN {pin}. Simpan keduanya. Cek status: {url}/lacak/",
        "en": "Sigap: complaint received. Tracking code {code}, PIN {pin}. Keep both. Status: {url}/lacak/",
    },
    "request_info": {
        "id": "Sigap {code}: {status}. Kirim informasi tambahan: balas pesan ini atau buka {url}/lacak/ sebelum {date}.",
        "en": "Sigap {code}: {status}. The officer needs more information. Reply here or open {url}/lacak/ by {date}.",
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
    "thread": {
        "id": "Sigap {code}: ada pesan baru dari petugas. Buka {url}/lacak/",
        "en": "Sigap {code}: a new message from the officer. Open {url}/lacak/",
    },
}
COMMON = {"code", "status", "url", "date"}
EXTRA = {"received": {"pin"}, "refer": {"unit"}}
for _key, _texts in TEXTS.items():
    texts.register(_key, texts=_texts, placeholders=COMMON | EXTRA.get(_key, set()))

# Workflow steps the complainant hears about, and the text each uses. Not here: their own
# provide_info/object (the reply or the page confirms those), and officers' internal steps
# (start_verification, accept/return_referral), which change nothing the complainant must do.
TRANSITION_TEXTS = {
    "request_info": "request_info",
    "refer": "refer",
    "resolve": "resolve",
    "close": "close",
    "reject": "reject",
    "withdraw": "withdrawn",
    "expire_info": "expired",
    "mark_duplicate": "duplicate",
}


def _language(complaint) -> str:
    return "en" if (complaint.language or "").startswith("en") else "id"


def _recipient(complaint) -> str | None:
    if complaint.notify_channel in ("", NotifyChannel.NONE):
        return None
    identity = getattr(complaint, "identity", None)
    try:
        phone = identity.phone if identity is not None else ""
    except complaint._meta.model.identity.RelatedObjectDoesNotExist:
        phone = ""
    return phone or None


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


def _message(complaint, key: str, *, preloaded=None, **extra) -> Message | None:
    recipient = _recipient(complaint)
    if recipient is None:
        return None
    language = _language(complaint)
    values = _values(complaint, language, **extra)
    rendered = texts.render(
        key, language=language, channel=complaint.notify_channel, values=values, preloaded=preloaded
    )
    # WhatsApp outside the 24-hour window: the approved status template, which carries only the
    # code and the status (the sender decides at send time, when the window is known).
    template_sid = (
        (rendered.content_sid or settings.TWILIO_WHATSAPP_STATUS_TEMPLATE_SID)
        if complaint.notify_channel == "whatsapp"
        else ""
    )
    return Message(
        channel=complaint.notify_channel,
        recipient=recipient,
        language=language,
        template_key=key,
        body=rendered.body,
        content_sid=template_sid,
        content_variables={"1": values["code"], "2": values["status"]} if template_sid else {},
        reference=f"complaint:{complaint.pk}",
        # The PIN goes to the complainant's phone and nowhere else: blanked once sent, never logged.
        sensitive="pin" in extra,
    )


def _enqueue(message: Message | None) -> Message | None:
    if message is None:
        return None
    return outbox.enqueue(
        channel=message.channel,
        recipient=message.recipient,
        language=message.language,
        template_key=message.template_key,
        body=message.body,
        content_sid=message.content_sid,
        variables=message.content_variables,
        reference=message.reference,
        sensitive=message.sensitive,
    )


def enqueue_received(complaint, *, pin: str) -> Message | None:
    """The complaint was filed: tracking code and PIN (the only message that carries the PIN)."""
    return _enqueue(_message(complaint, "received", pin=pin))


def _transition_message(complaint, log, *, preloaded=None) -> Message | None:
    key = TRANSITION_TEXTS.get(log.transition)
    if key is None:
        return None
    # The unit's name is data: keep it GSM-7 so the text stays one segment.
    extra = {"unit": texts.plain(complaint.unit.name)} if key == "refer" else {}
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
    """An officer wrote to the complainant: tell them where to read it (not what it says)."""
    return _enqueue(_message(complaint, "thread"))
