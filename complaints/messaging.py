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
        "id": "Sigap {code}: ada pesan baru dari petugas. Buka {url}/lacak/",
        "en": "Sigap {code}: a new message from the officer. Open {url}/lacak/",
    },
}
COMMON = {"code", "status", "url", "date"}
EXTRA = {"received": {"pin"}, "refer": {"unit"}}
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
    if log.transition == "end_mediation" and log.target != "resolved":
        return None  # no agreement: the examination goes on, as the case page shows
    if log.transition == "issue_lahp" and log.target == "corrective_action":
        key = "corrective_action"
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
        reference=f"complaint:{complaint.pk}",
        sensitive=True,
    )
