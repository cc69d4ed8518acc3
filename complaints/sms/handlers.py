"""SMS and WhatsApp for complainants, registered with notifications' inbound router.

- CEK <kode> <PIN> / STATUS <code> <PIN>: the status (code and status only: phones are shared).
- A reply from a number whose complaint awaits information: attached to the case (media too)
  and the case goes back to its stage (provide_info).
- LAPOR: a guided intake conversation (complaints/conversations.py).

Every answer here is the TwiML reply to the complainant's own message; nothing calls Twilio.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import pgettext_lazy
from urllib3.util import parse_url

from complaints.codes import display_code, normalise_code
from complaints.intake.forms import validate_evidence
from complaints.models import Complaint, State
from complaints.public.services import complainant_act
from complaints.public.tracking import TrackingLocked, complaint_for_tracking
from complaints.sanitize import clean_text
from complaints.sms import conversations
from notifications.inbound import (
    Inbound,
    conversation_for,
    forget_sender,
    register_handler,
    register_language_resolver,
)
from notifications.personal import blind_index
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
        Complaint.objects.filter(identity__phone_index=blind_index(phone))
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
        complaint = complaint_for_tracking(
            code=code, pin=pin, client_key=f"phone:{inbound.phone}", phone=inbound.phone
        )
    except TrackingLocked:
        return text("locked", english)
    if complaint is None:
        return text("no_match", english)
    if complaint.is_anonymous:
        # The record of this message would tie the number to the code (and its answer, to the
        # status): an anonymous report stays unlinkable (conversations._submit).
        forget_sender(inbound)
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
        Complaint.objects.filter(
            identity__phone_index=blind_index(inbound.phone), state=State.AWAITING_INFO
        ).order_by("-id")[:10]
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


# Twilio's media, as its webhook names it (MediaUrl0…): a URL on Twilio's REST API, fetched with the
# account's credentials, which answers with a redirect to a short-lived signed URL on its storage
# (mms.twiliocdn.com once HTTP authentication is enforced on media, as it now is for every account),
# fetched without them. https://www.twilio.com/docs/messaging/api/media-resource
# The credentials go only to the API: "api.twilio.com" or a regional "api.<edge>.<region>.twilio.com",
# never to the rest of twilio.com (some of its sites are run by others) nor to the storage.
_API_HOST = re.compile(r"api(\.[a-z0-9-]+){0,2}\.twilio\.com")
# Where the API may redirect to (no credentials): Twilio's own domains.
_STORAGE_HOST = re.compile(r"([a-z0-9-]+\.)+(twilio|twiliocdn)\.com")
# A host as the HTTP client will look it up: plain ASCII labels, no trailing dot, no punycode.
_PLAIN_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
MAX_MEDIA_REDIRECTS = 3


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int


def _origin(url: str) -> tuple[_Origin, requests.PreparedRequest] | None:
    """Where the HTTP client itself would connect for ``url`` (requests prepares it, urllib3
    parses what it prepared), with the prepared request; None for anything out of the ordinary:
    spaces or control characters, a backslash, non-ASCII, user information (user@host), an
    internationalised or percent-encoded host, a scheme other than http(s)."""
    if not isinstance(url, str) or not url or not url.isascii() or "\\" in url:
        return None
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        prepared = requests.Request("GET", url).prepare()
        parsed = parse_url(prepared.url)
    except (requests.RequestException, ValueError):  # urllib3's LocationParseError is a ValueError
        return None
    if parsed.scheme not in ("http", "https") or parsed.auth is not None or not parsed.host:
        return None
    host = parsed.host
    if not _PLAIN_HOST.fullmatch(host) or any(label.startswith("xn--") for label in host.split(".")):
        return None
    # The text itself must say the same: its authority is exactly that host (and port), with no
    # user information or percent-encoding either parser might read differently.
    authority = re.split(r"[/?#]", url.partition("://")[2], maxsplit=1)[0]
    written_host, colon, written_port = authority.partition(":")
    if written_host.lower() != host or (colon and written_port not in ("", str(parsed.port))):
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return _Origin(parsed.scheme, host, port), prepared


def _configured_api() -> _Origin | None:
    """settings.TWILIO_API_BASE (the tests' fake Twilio on loopback), exactly: scheme, host, port."""
    found = _origin(settings.TWILIO_API_BASE) if settings.TWILIO_API_BASE else None
    return found[0] if found else None


def _is_twilio(origin: _Origin, host: re.Pattern) -> bool:
    return origin == _configured_api() or (
        origin.scheme == "https" and origin.port == 443 and host.fullmatch(origin.host) is not None
    )


def media_request(url: str) -> requests.PreparedRequest | None:
    """The request for a media URL from Twilio's webhook, with the account's credentials; None when
    the URL is not plainly Twilio's API (the credentials must never go anywhere else)."""
    found = _origin(url)
    if found is None or not _is_twilio(found[0], _API_HOST):
        return None
    prepared = found[1]
    prepared.prepare_auth((settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN))
    return prepared


def redirect_request(url: str) -> requests.PreparedRequest | None:
    """The request for where Twilio's API redirected to: its storage, fetched without credentials
    (the URL is signed); None for anything but Twilio's own https hosts (or the configured API)."""
    found = _origin(url)
    if found is None or not _is_twilio(found[0], _STORAGE_HOST):
        return None
    return found[1]


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
    """Fetch one media item from Twilio.

    1. the media URL, only if it is Twilio's API, with the account's credentials (HTTP basic auth);
    2. a redirect (Twilio's answer: its storage) is followed by hand, at most MAX_MEDIA_REDIRECTS
       times, each only to Twilio's own https hosts and never with the credentials;
    3. at most one byte more than the evidence limit is read.
    Raises ValueError for a URL or a redirect that is refused (no request is made for it)."""
    request = media_request(item.get("url", ""))
    if request is None:
        raise ValueError("not a Twilio media URL")
    with requests.Session() as session:
        for _hop in range(MAX_MEDIA_REDIRECTS + 1):
            # The environment's proxy and CA bundle, as requests.get would use them (never .netrc:
            # the request carries its own authorisation, or none).
            environment = session.merge_environment_settings(request.url, {}, True, None, None)
            response = session.send(
                request,
                allow_redirects=False,
                timeout=settings.TWILIO_HTTP_TIMEOUT,
                **{**environment, "stream": True},
            )
            if not response.is_redirect:
                break
            location = response.headers.get("Location", "")
            response.close()
            request = redirect_request(urljoin(request.url, location))
            if request is None:
                raise ValueError("a redirect away from Twilio")
        else:
            raise ValueError("too many redirects")
        with response:
            response.raise_for_status()
            # One byte over the limit is enough for validate_evidence to refuse it; never read more.
            content = response.raw.read(settings.SIGAP_EVIDENCE_MAX_BYTES + 1, decode_content=True)
            declared = item.get("content_type") or response.headers.get("Content-Type", "")
    content_type = declared.split(";")[0]
    extension = MEDIA_EXTENSIONS.get(content_type.strip().lower(), "bin")
    return SimpleUploadedFile(f"lampiran-{index + 1}.{extension}", content, content_type=content_type)
