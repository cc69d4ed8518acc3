"""What the complainant hears, and when: outbox rows written in the same transaction as the step.

Rules (DESIGN.md): only with consent (notify_channel is not "none") and a phone; on the channel
they chose; in their language; the text carries the tracking code and the status, never their
identity or the case's details (phones are shared); one SMS segment where it can be.
WhatsApp outside the 24-hour window goes as the approved status template (code, status).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from notifications import outbox
from notifications.models import Message

from .codes import display_code
from .models import NotifyChannel

SIGNATURE = "Sigap"

TEXTS = {
    "received": {
        "id": "{sig}: pengaduan diterima. Kode lacak {code}, PIN {pin}. Simpan keduanya. Cek status: {url}/lacak/",
        "en": "{sig}: complaint received. Tracking code {code}, PIN {pin}. Keep both. Status: {url}/lacak/",
    },
    "request_info": {
        "id": "{sig} {code}: petugas perlu informasi tambahan. Balas pesan ini atau buka {url}/lacak/ sebelum {date}.",
        "en": "{sig} {code}: the officer needs more information. Reply here or open {url}/lacak/ by {date}.",
    },
    "refer": {
        "id": "{sig} {code}: pengaduan dirujuk ke {unit}.",
        "en": "{sig} {code}: complaint referred to {unit}.",
    },
    "resolve": {
        "id": "{sig} {code}: pemeriksaan selesai. Lihat hasilnya di {url}/lacak/ (keberatan paling lambat {date}).",
        "en": "{sig} {code}: examination finished. See the outcome at {url}/lacak/ (objections by {date}).",
    },
    "close": {
        "id": "{sig} {code}: pengaduan ditutup. Terima kasih.",
        "en": "{sig} {code}: complaint closed. Thank you.",
    },
    "reject": {
        "id": "{sig} {code}: pengaduan tidak dapat ditindaklanjuti. Penjelasan di {url}/lacak/",
        "en": "{sig} {code}: the complaint cannot be taken further. Explanation at {url}/lacak/",
    },
    "withdrawn": {
        "id": "{sig} {code}: pengaduan dicabut.",
        "en": "{sig} {code}: complaint withdrawn.",
    },
    "thread": {
        "id": "{sig} {code}: ada pesan baru dari petugas. Buka {url}/lacak/",
        "en": "{sig} {code}: a new message from the officer. Open {url}/lacak/",
    },
}
# Workflow steps the complainant hears about, and the text each uses.
TRANSITION_TEXTS = {
    "request_info": "request_info",
    "refer": "refer",
    "resolve": "resolve",
    "close": "close",
    "reject": "reject",
    "withdraw": "withdrawn",
    "expire_info": "withdrawn",
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


def _render(key: str, complaint, **values) -> str:
    language = _language(complaint)
    due = timezone.localtime(complaint.due_at).strftime("%d-%m-%Y") if complaint.due_at else ""
    return TEXTS[key][language].format(
        sig=SIGNATURE,
        code=display_code(complaint.tracking_code),
        url=settings.SIGAP_PUBLIC_URL,
        date=due,
        **values,
    )


def _message(complaint, key: str, **values) -> Message | None:
    recipient = _recipient(complaint)
    if recipient is None:
        return None
    body = _render(key, complaint, **values)
    template_sid = (
        settings.TWILIO_WHATSAPP_STATUS_TEMPLATE_SID if complaint.notify_channel == "whatsapp" else ""
    )
    return Message(
        channel=complaint.notify_channel,
        recipient=recipient,
        language=_language(complaint),
        template_key=key,
        body=body,
        # The approved template carries only the code and the status sentence.
        content_sid=template_sid,
        content_variables={
            "1": display_code(complaint.tracking_code),
            "2": str(complaint.get_state_display()),
        }
        if template_sid
        else {},
        reference=f"complaint:{complaint.pk}",
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
    )


def enqueue_received(complaint, *, pin: str) -> Message | None:
    """The complaint was filed: tracking code and PIN (the only message that carries the PIN)."""
    return _enqueue(_message(complaint, "received", pin=pin))


def _transition_message(complaint, log) -> Message | None:
    key = TRANSITION_TEXTS.get(log.transition)
    if key is None:
        return None
    values = {"unit": complaint.unit.name} if key == "refer" else {}
    return _message(complaint, key, **values)


def enqueue_for_transition(complaint, log) -> Message | None:
    """A workflow step the complainant should hear about."""
    return _enqueue(_transition_message(complaint, log))


def enqueue_for_transitions(pairs) -> None:
    """The same for many (complaint, log) pairs at once (the timer sweep): bulk insert."""
    outbox.enqueue_many([m for m in (_transition_message(c, log) for c, log in pairs) if m is not None])


def enqueue_thread_message(complaint, *, body: str) -> Message | None:
    """An officer wrote to the complainant: tell them where to read it (not what it says)."""
    return _enqueue(_message(complaint, "thread"))
