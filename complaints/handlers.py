"""SMS and WhatsApp for complainants, registered with notifications' inbound router.

- CEK <kode> <PIN> / STATUS <code> <PIN>: the status (code and status only: phones are shared).
- A reply from a number whose complaint awaits information: attached to the case (media too)
  and the case goes back to its stage (provide_info).
- LAPOR: a guided intake conversation (complaints/conversations.py).
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.inbound import Inbound, conversation_for, register_handler

from . import conversations
from .codes import display_code, normalise_code
from .forms import validate_evidence
from .models import Complaint, State
from .sanitize import clean_text
from .services import complainant_act
from .tracking import TrackingLocked, complaint_for_tracking

MEDIA_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/mp4": "mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}

TEXTS = {
    "status": {
        "id": "Sigap {code}: status {status}. Rincian: {url}/lacak/",
        "en": "Sigap {code}: status {status}. Details: {url}/lacak/",
    },
    "no_match": {
        "id": "Kode lacak atau PIN tidak cocok. Format: CEK <kode> <PIN>",
        "en": "Tracking code or PIN does not match. Format: STATUS <code> <PIN>",
    },
    "locked": {
        "id": "Terlalu banyak percobaan yang salah. Coba lagi dalam satu jam.",
        "en": "Too many wrong attempts. Try again in an hour.",
    },
    "received_info": {
        "id": "Sigap {code}: informasi Anda sudah kami terima dan diteruskan ke petugas.",
        "en": "Sigap {code}: we received your information and passed it to the officer.",
    },
    "which_case": {
        "id": "Anda punya beberapa pengaduan yang menunggu kelengkapan. Awali pesan dengan kode lacaknya.",
        "en": "You have several complaints awaiting information. Start your message with the tracking code.",
    },
    "bad_media": {
        "id": "Sigap {code}: pesan diterima, tetapi lampiran ditolak ({reason}). Kirim PDF/JPEG/PNG/MP4/DOCX maks. 10 MB.",
        "en": "Sigap {code}: message received, but the attachment was refused ({reason}). Send PDF/JPEG/PNG/MP4/DOCX up to 10 MB.",
    },
}


def text(key: str, english: bool, **values) -> str:
    return TEXTS[key]["en" if english else "id"].format(url=settings.SIGAP_PUBLIC_URL, **values)


@register_handler
def lapor_conversation(inbound: Inbound) -> str | None:
    conversation = conversation_for(inbound.phone, inbound.channel)
    if conversation is not None and conversation.handler == conversations.HANDLER:
        return conversations.step(inbound, conversation)
    if inbound.keyword == "LAPOR":
        return conversations.start(inbound)
    return None


@register_handler
def check_status(inbound: Inbound) -> str | None:
    if inbound.keyword not in ("CEK", "STATUS"):
        return None
    english = inbound.keyword == "STATUS"
    words = inbound.words[1:]
    if len(words) < 2:
        return text("no_match", english)
    code, pin = "".join(words[:-1]), words[-1]
    try:
        complaint = complaint_for_tracking(code=code, pin=pin, client_key=f"phone:{inbound.phone}")
    except TrackingLocked:
        return text("locked", english)
    if complaint is None:
        return text("no_match", english)
    english = english or complaint.language == "en"
    from django.utils import translation

    with translation.override("en" if english else "id"):
        status = str(complaint.get_state_display())
    return text("status", english, code=display_code(complaint.tracking_code), status=status)


@register_handler
def reply_to_information_request(inbound: Inbound) -> str | None:
    waiting = list(
        Complaint.objects.filter(identity__phone=inbound.phone, state=State.AWAITING_INFO).order_by("-id")[
            :10
        ]
    )
    if not waiting:
        return None
    body = inbound.body
    if len(waiting) > 1:
        first = normalise_code(inbound.words[0]) if inbound.words else ""
        chosen = [c for c in waiting if c.tracking_code == first]
        if not chosen:
            return text("which_case", False)
        waiting, body = chosen, " ".join(inbound.words[1:])
    complaint = waiting[0]
    english = complaint.language == "en"
    files, refused = [], ""
    try:
        files = validate_evidence(_download_media(inbound))
    except (ValidationError, requests.RequestException) as exc:
        refused = "; ".join(exc.messages) if isinstance(exc, ValidationError) else "unduhan gagal"
    complainant_act(
        complaint=complaint,
        name="provide_info",
        via=inbound.channel,
        message=clean_text(body) or "(lampiran)",
        files=files,
    )
    code = display_code(complaint.tracking_code)
    if refused:
        return text("bad_media", english, code=code, reason=refused[:60])
    return text("received_info", english, code=code)


def _download_media(inbound: Inbound) -> list:
    """Fetch the message's media from Twilio (basic auth with the account's credentials)."""
    files = []
    for index, item in enumerate(inbound.media):
        response = requests.get(
            item["url"],
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            timeout=settings.TWILIO_HTTP_TIMEOUT,
            stream=True,
        )
        response.raise_for_status()
        content = response.raw.read(settings.SIGAP_EVIDENCE_MAX_BYTES + 1, decode_content=True)
        content_type = (item.get("content_type") or response.headers.get("Content-Type", "")).split(";")[0]
        extension = MEDIA_EXTENSIONS.get(content_type, "bin")
        files.append(
            SimpleUploadedFile(f"lampiran-{index + 1}.{extension}", content, content_type=content_type)
        )
    return files
