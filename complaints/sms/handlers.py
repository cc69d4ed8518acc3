"""SMS and WhatsApp for complainants, registered with notifications' inbound router.

- CEK <kode> <PIN> / STATUS <code> <PIN>: the status (code and status only: phones are shared).
- A reply from a number whose complaint awaits information: attached to the case (media too)
  and the case goes back to its stage (provide_info).
- LAPOR: a guided intake conversation (complaints/conversations.py).

Every answer here is the TwiML reply to the complainant's own message; nothing calls Twilio.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import pgettext_lazy

from complaints.codes import display_code, normalise_code
from complaints.intake.forms import validate_evidence
from complaints.models import Complaint, State
from complaints.public.services import complainant_act
from complaints.public.tracking import TrackingLocked, complaint_for_tracking
from complaints.sanitize import clean_text
from complaints.sms import conversations
from notifications.inbound import Inbound, conversation_for, register_handler, register_language_resolver
from workflow.engine import TransitionError

MEDIA_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/mp4": "mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


# Text messages: msgids in Bahasa Indonesia, English in the catalogue under the context "sms" (so
# translators know their length matters); sent in the texter's language.
TEXTS = {
    "status": pgettext_lazy("sms", "Sigap {code}: status {status}. Rincian: {url}/lacak/"),
    "no_match": pgettext_lazy("sms", "Kode lacak atau PIN tidak cocok. Format: CEK <kode> <PIN>"),
    "locked": pgettext_lazy("sms", "Terlalu banyak percobaan yang salah. Coba lagi dalam satu jam."),
    "received_info": pgettext_lazy(
        "sms", "Sigap {code}: informasi Anda sudah kami terima dan diteruskan ke petugas."
    ),
    "which_case": pgettext_lazy(
        "sms",
        "Anda punya beberapa pengaduan yang menunggu kelengkapan. Awali pesan dengan kode lacaknya, misalnya: {code} isi pesan.",
    ),
    "bad_media": pgettext_lazy(
        "sms",
        "Sigap {code}: pesan diterima, tetapi lampiran ditolak ({reason}). Kirim PDF/JPEG/PNG/MP4/DOCX maks. 10 MB.",
    ),
    "nothing_usable": pgettext_lazy(
        "sms",
        "Sigap {code}: lampiran ditolak ({reason}) dan tidak ada pesan. Kirim PDF/JPEG/PNG/MP4/DOCX maks. 10 MB atau tulis pesan.",
    ),
    "not_waiting": pgettext_lazy(
        "sms", "Sigap {code}: pengaduan ini tidak lagi menunggu kelengkapan. Lihat {url}/lacak/"
    ),
    "download_failed": pgettext_lazy("sms", "unduhan gagal"),
    "too_many": pgettext_lazy("sms", "hanya {max} berkas pertama"),
}


def text(key: str, english: bool, **values) -> str:
    with translation.override("en" if english else "id"):
        return str(TEXTS[key]).format(url=settings.SIGAP_PUBLIC_URL, **values)


@register_language_resolver
def complainant_language(phone: str) -> str | None:
    """The language of the newest complaint filed with this phone number."""
    return (
        Complaint.objects.filter(identity__phone=phone)
        .order_by("-id")
        .values_list("language", flat=True)
        .first()
    )


@register_handler
def lapor_conversation(inbound: Inbound) -> str | None:
    conversation = conversation_for(inbound.phone, inbound.channel)
    if conversation is not None and conversation.handler == conversations.HANDLER:
        if conversation.expired and inbound.keyword != "LAPOR":
            return conversations.timed_out(conversation)
        if not conversation.expired:
            return conversations.step(inbound, conversation)
    if inbound.keyword == "LAPOR":
        return conversations.start(inbound)
    return None


@register_handler
def check_status(inbound: Inbound) -> str | None:
    if inbound.keyword not in ("CEK", "STATUS"):
        return None
    english = inbound.english
    words = inbound.words[1:]
    # The PIN is a secret: it is not kept in the record of inbound messages.
    inbound.stored_body = " ".join([inbound.words[0], *words[:-1], "******"]) if words else inbound.body
    if len(words) < 2:
        return text("no_match", english)
    code, pin = "".join(words[:-1]), words[-1]
    try:
        # The phone number is the client whose wrong guesses are counted (no IP address here).
        complaint = complaint_for_tracking(code=code, pin=pin, client_key=f"phone:{inbound.phone}")
    except TrackingLocked:
        return text("locked", english)
    if complaint is None:
        return text("no_match", english)
    english = english or complaint.language == "en"
    with translation.override("en" if english else "id"):
        status = str(complaint.get_state_display())
    return text("status", english, code=display_code(complaint.tracking_code), status=status)


@register_handler
def reply_to_information_request(inbound: Inbound) -> str | None:
    """1. find the case of this number that awaits information (asks for the code if several);
    2. fetch the media from Twilio and check it like web evidence (refused items are named);
    3. perform provide_info as the complainant, via sms/whatsapp, with the text and the files."""
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
            english = inbound.english
            return text("which_case", english, code=display_code(waiting[0].tracking_code))
        waiting, body = chosen, " ".join(inbound.words[1:])
    complaint = waiting[0]
    english = complaint.language == "en"
    code = display_code(complaint.tracking_code)
    with translation.override("en" if english else "id"):
        files, refused = _media_files(inbound, english=english)
    message = clean_text(body)[:5000]
    if not message and not files:
        return text("nothing_usable", english, code=code, reason=refused[:60] or "-")
    try:
        complainant_act(
            complaint=complaint,
            name="provide_info",
            via=inbound.channel,
            message=message or "(lampiran)",
            files=files,
            # The case was read above without a lock: if an officer moved it meanwhile, refuse.
            expected_state=State.AWAITING_INFO,
        )
    except TransitionError:
        return text("not_waiting", english, code=code)
    if refused:
        return text("bad_media", english, code=code, reason=refused[:60])
    return text("received_info", english, code=code)


def _media_url_allowed(url: str) -> bool:
    """Only Twilio's own media URLs are fetched with the account's credentials (the request is
    signed, but the credentials must never go to a host that is not Twilio's)."""
    parsed = urlsplit(url)
    base = urlsplit(settings.TWILIO_API_BASE or "https://api.twilio.com")
    if (parsed.scheme, parsed.netloc) == (base.scheme, base.netloc):
        return True
    host = parsed.hostname or ""
    return parsed.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com"))


def _media_files(inbound: Inbound, *, english: bool) -> tuple[list, str]:
    """The message's media as checked upload files, and the reasons for those refused."""
    files, reasons = [], []
    limit = settings.SIGAP_EVIDENCE_MAX_FILES
    if len(inbound.media) > limit:
        reasons.append(text("too_many", english, max=limit))
    for index, item in enumerate(inbound.media[:limit]):
        try:
            upload = _download(item, index)
            files.extend(validate_evidence([upload]))
        except ValidationError as exc:
            reasons.extend(exc.messages)
        except (requests.RequestException, ValueError):
            reasons.append(text("download_failed", english))
    return files, "; ".join(reasons)


def _download(item: dict, index: int) -> SimpleUploadedFile:
    """Fetch one media item from Twilio (HTTP basic auth with the account's credentials).

    Twilio answers with a redirect to its storage; requests drops the credentials there."""
    if not _media_url_allowed(item.get("url", "")):
        raise ValueError("not a Twilio media URL")
    response = requests.get(
        item["url"],
        auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
        timeout=settings.TWILIO_HTTP_TIMEOUT,
        stream=True,
    )
    with response:
        response.raise_for_status()
        # One byte over the limit is enough for validate_evidence to refuse it; never read more.
        content = response.raw.read(settings.SIGAP_EVIDENCE_MAX_BYTES + 1, decode_content=True)
        content_type = (item.get("content_type") or response.headers.get("Content-Type", "")).split(";")[0]
    extension = MEDIA_EXTENSIONS.get(content_type.strip().lower(), "bin")
    return SimpleUploadedFile(f"lampiran-{index + 1}.{extension}", content, content_type=content_type)
