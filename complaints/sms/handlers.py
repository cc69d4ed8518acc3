"""SMS and WhatsApp for complainants, registered with notifications' inbound router.

- CEK <kode> <PIN> / STATUS <code> <PIN>: the status (code and status only: phones are shared).
- A reply from a number whose complaint awaits information: the text goes into the case at once
  and the case goes back to its stage (provide_info); the media are fetched from Twilio after the
  reply, by a task (media_fetch, complaints.tasks.fetch_media), and attached as evidence.
- LAPOR: a guided intake conversation (complaints/sms/conversations.py).

Every answer here is the TwiML reply to the complainant's own message, given without waiting for
Twilio; only an attachment that could not be taken is reported later, through the outbox.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import requests
import urllib3.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import pgettext_lazy
from urllib3.util import parse_url

from complaints.codes import ALPHABET, CODE_LENGTH, display_code, normalise_code
from complaints.intake.forms import validate_evidence
from complaints.intake.services import atomic_with_evidence, evidence_record
from complaints.models import CaseMessage, Complaint, Identity, PendingMedia, State
from complaints.public.services import NewPinsExhausted, complainant_act, pin_recover_by_text
from complaints.public.tracking import RecoveryLocked, TrackingLocked, complaint_for_tracking
from complaints.sanitize import clean_text
from complaints.sms import conversations
from notifications import outbox
from notifications.inbound import (
    Inbound,
    conversation_for,
    forget_sender,
    register_handler,
    register_language_resolver,
)
from notifications.personal import blind_index
from workflow.engine import TransitionError

logger = logging.getLogger(__name__)

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
    "not_waiting": pgettext_lazy(
        "sms", "Sigap {code}: pengaduan ini tidak lagi menunggu kelengkapan. Lihat {url}/lacak/"
    ),
    "download_failed": pgettext_lazy("sms", "unduhan gagal"),
    "received_processing": pgettext_lazy(
        "sms",
        "Sigap {code}: pesan Anda sudah kami terima dan diteruskan ke petugas. Lampiran sedang diproses.",
    ),
    "media_processing": pgettext_lazy(
        "sms", "Sigap {code}: lampiran Anda sedang diproses, lalu diteruskan ke petugas."
    ),
    "only_first": pgettext_lazy("sms", "Hanya {max} lampiran pertama yang diproses."),
    # Sent later, through the outbox, when an attachment could not be taken.
    "media_failed": pgettext_lazy(
        "sms", "Sigap {code}: 1 lampiran tidak dapat diambil ({reason}). Petugas sudah diberi tahu."
    ),
    "media_failed_resend": pgettext_lazy(
        "sms",
        "Sigap {code}: lampiran tidak dapat diambil ({reason}). Kirim ulang PDF/JPEG/PNG/MP4/DOCX maks. 10 MB atau tulis pesan.",
    ),
}

# Notes the system leaves on the case (for officers, in the language the case files are kept in).
NOTES = {
    "failed": pgettext_lazy("case note", "1 lampiran dari {channel} tidak dapat diambil: {reason}"),
    "left_out": pgettext_lazy(
        "case note", "{count} lampiran dari {channel} tidak diproses: paling banyak {max} berkas per pesan."
    ),
}
CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp"}


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


# --- PIN <kode> / LUPA <kode>: a new PIN (docs/domain.md#pin-recovery) -----------------------------
# Registered before the reply to an information request, which would take any text from a number
# whose case awaits information. The new PIN goes back only as the reply to the number the case
# was filed with (the stored reply is encrypted and blanked after SIGAP_INBOUND_REPLY_HOURS, as
# LAPOR's); the old PIN stops working at once.
NEW_PIN_WORDS = {"PIN", "LUPA", "FORGOT"}
NEW_PIN_TEXTS = {
    "sent": pgettext_lazy(
        "sms", "Sigap {code}: PIN baru Anda {pin}. PIN lama tidak berlaku lagi. Cek: CEK {code} {pin}"
    ),
    "no_match": pgettext_lazy(
        "sms",
        "Kode lacak tidak cocok dengan nomor ini. Kirim PIN <kode> dari nomor yang dipakai saat melapor.",
    ),
    "exhausted": pgettext_lazy(
        "sms", "Sigap {code}: sudah 3 PIN baru dikirim hari ini. Coba lagi besok atau datangi kantor layanan."
    ),
    "locked": pgettext_lazy("sms", "Terlalu banyak permintaan PIN baru. Coba lagi dalam satu jam."),
}


@register_handler
def new_pin(inbound: Inbound) -> str | None:
    """PIN <kode>, LUPA <kode>, LUPA PIN <kode> (FORGOT <code>): a new PIN for a case filed from this
    very number, as the reply. Any other number, and an unknown code, hear the same "no match"."""
    if inbound.keyword not in NEW_PIN_WORDS:
        return None
    words = inbound.words[1:]
    if words and words[0].upper() == "PIN":
        words = words[1:]
    code = normalise_code("".join(words))
    if words and (len(code) != CODE_LENGTH or set(code) - set(ALPHABET)):
        return None  # "Pin saya hilang…" is a message for the officer, not this command
    english = inbound.english or inbound.keyword == "FORGOT"

    def say(key: str, english: bool, **values) -> str:
        with translation.override("en" if english else "id"):
            return str(NEW_PIN_TEXTS[key]).format(**values)

    try:
        found = pin_recover_by_text(code=code, phone=inbound.phone, channel=inbound.channel)
    except RecoveryLocked:
        return say("locked", english)
    except NewPinsExhausted as exc:
        english = english or exc.complaint.language == "en"
        return say("exhausted", english, code=display_code(exc.complaint.tracking_code))
    if found is None:
        return say("no_match", english)
    complaint, pin = found
    english = english or complaint.language == "en"
    return say("sent", english, code=display_code(complaint.tracking_code), pin=pin)


@register_handler
def reply_to_information_request(inbound: Inbound) -> str | None:
    """1. find the case of this number that awaits information (asks for the code if several);
    2. perform provide_info at once as the complainant, via sms/whatsapp, with the text;
    3. record the media (at most SIGAP_EVIDENCE_MAX_FILES) as PendingMedia rows in the same
       transaction, fetched from Twilio after the commit by complaints.tasks.fetch_media
       (media_fetch below): the reply never waits for Twilio. A reply of media alone is the
       step of the first item attached.
    The reply says the text arrived and that the attachments are being processed; an item that
    cannot be attached is reported later, on the case and to the complainant (_media_give_up)."""
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
    limit = settings.SIGAP_EVIDENCE_MAX_FILES
    media = inbound.media[:limit]
    message = clean_text(body)[:5000]
    if not message and not media:
        return text("nothing_usable", english, code=code, reason="-")
    if message:
        try:
            complainant_act(
                complaint=complaint,
                name="provide_info",
                via=inbound.channel,
                message=message,
                # The case was read above without a lock: if an officer moved it meanwhile, refuse.
                expected_state=State.AWAITING_INFO,
            )
        except TransitionError:
            return text("not_waiting", english, code=code)
    if not media:
        return text("received_info", english, code=code)
    media_queue(complaint, inbound, media, perform_step=not message)
    reply = text("received_processing" if message else "media_processing", english, code=code)
    if len(inbound.media) > limit:
        _note(
            complaint,
            inbound.channel,
            NOTES["left_out"],
            count=len(inbound.media) - limit,
            max=limit,
        )
        reply = f"{reply} {text('only_first', english, max=limit)}"
    return reply


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


def _download(url: str, content_type: str, index: int) -> SimpleUploadedFile:
    """Fetch one media item from Twilio.

    1. the media URL, only if it is Twilio's API, with the account's credentials (HTTP basic auth);
    2. a redirect (Twilio's answer: its storage) is followed by hand, at most MAX_MEDIA_REDIRECTS
       times, each only to Twilio's own https hosts and never with the credentials;
    3. at most one byte more than the evidence limit is read.
    Raises MediaUnavailable: transient for a network error, a timeout, a 5xx or 429 from Twilio
    (worth another attempt); permanent for a URL or a redirect that is refused (no request is
    made for it) and any other answer."""
    request = media_request(url)
    if request is None:
        raise MediaUnavailable("not a Twilio media URL", transient=False)
    try:
        with requests.Session() as session:
            for _hop in range(MAX_MEDIA_REDIRECTS + 1):
                # The environment's proxy and CA bundle, as requests.get would use them (never
                # .netrc: the request carries its own authorisation, or none).
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
                    raise MediaUnavailable("a redirect away from Twilio", transient=False)
            else:
                raise MediaUnavailable("too many redirects", transient=False)
            with response:
                if response.status_code >= 400:
                    status = response.status_code
                    raise MediaUnavailable(f"HTTP {status}", transient=status >= 500 or status in (408, 429))
                # One byte over the limit is enough for validate_evidence to refuse it; never read more.
                content = response.raw.read(settings.SIGAP_EVIDENCE_MAX_BYTES + 1, decode_content=True)
                declared = content_type or response.headers.get("Content-Type", "")
    except (requests.ConnectionError, requests.Timeout, urllib3.exceptions.HTTPError, OSError) as exc:
        # Refused, reset or timed out, also while reading the body (urllib3's own errors there).
        raise MediaUnavailable(f"{type(exc).__name__}: {exc}", transient=True) from exc
    except (requests.RequestException, ValueError) as exc:
        raise MediaUnavailable(f"{type(exc).__name__}: {exc}", transient=False) from exc
    declared = declared.split(";")[0]
    extension = MEDIA_EXTENSIONS.get(declared.strip().lower(), "bin")
    return SimpleUploadedFile(f"lampiran-{index + 1}.{extension}", content, content_type=declared)


# --- media, after the reply ------------------------------------------------------------------------
# Each item is fetched by its own task, at most MEDIA_MAX_ATTEMPTS times over about half an hour
# (media_backoff). A worker claims its row before fetching (a conditional UPDATE: one at a time)
# and the row is deleted in the transaction that attaches the file or reports the failure, so a
# task delivered twice, retried, or handed out again by the sweep never attaches an item twice.
MEDIA_MAX_ATTEMPTS = 5
# A fetch takes a few TWILIO_HTTP_TIMEOUTs at most: a claim this old belongs to a worker that died.
MEDIA_CLAIM = datetime.timedelta(minutes=5)
# A task handed to the broker this long ago that no worker has claimed was lost (Redis keeps
# nothing on disk); the sweep hands the row out again.
MEDIA_LOST_AFTER = datetime.timedelta(minutes=5)


class MediaUnavailable(Exception):
    def __init__(self, detail: str, *, transient: bool):
        super().__init__(detail)
        self.transient = transient


def media_backoff(attempts: int) -> datetime.timedelta:
    """2, 4, 8, 16 minutes: the fifth and last attempt comes half an hour after the first."""
    return datetime.timedelta(minutes=2 * 2 ** max(attempts - 1, 0))


def media_queue(complaint: Complaint, inbound: Inbound, media: list[dict], *, perform_step: bool) -> None:
    """Record the message's media for a worker, in the caller's transaction; hand them out after
    the commit."""
    now = timezone.now()
    rows = PendingMedia.objects.bulk_create(
        PendingMedia(
            complaint=complaint,
            inbound_sid=inbound.sid,
            index=index,
            url=item.get("url", "")[:2000],
            content_type=item.get("content_type", "")[:100],
            channel=inbound.channel,
            perform_step=perform_step,
            next_attempt_at=now,
            handed_at=now,  # handed out when the webhook's transaction commits
        )
        for index, item in enumerate(media)
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: media_hand_out(ids))


def media_hand_out(ids: list[int], *, eta: datetime.datetime | None = None) -> None:
    """Give each row's task to the broker. Never fails the caller: with the broker unreachable the
    row is marked as having no task out, and the minutely sweep (media_due) hands it out later."""
    from complaints.jobs.tasks import fetch_media  # the task module imports this one

    for pk in ids:
        try:
            fetch_media.apply_async((pk,), eta=eta)
        except Exception:  # whatever the broker's client raises
            logger.warning(
                "media %s: the broker did not take its task; the sweep will hand it out", pk, exc_info=True
            )
            PendingMedia.objects.filter(pk=pk, claimed_until__isnull=True).update(handed_at=None)


def media_due(*, now=None, limit: int = 1000) -> list[int]:
    """The rows to hand out again, each marked as handed out now: due, claimed by no worker (or by
    one that died), and with no task out (the broker was down) or one that was lost."""
    now = now or timezone.now()
    waiting = (
        Q(next_attempt_at__lte=now)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        & (Q(handed_at__isnull=True) | Q(handed_at__lt=now - MEDIA_LOST_AFTER))
    )
    ids = list(
        PendingMedia.objects.filter(waiting)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    # Conditional on the same test: a rival sweep that took some of the rows meanwhile keeps them.
    PendingMedia.objects.filter(waiting, pk__in=ids).update(handed_at=now)
    return list(PendingMedia.objects.filter(pk__in=ids, handed_at=now).values_list("pk", flat=True))


@dataclass(frozen=True)
class MediaOutcome:
    result: str  # not claimed | attached | already attached | retry | failed | refused
    retry_at: datetime.datetime | None = None


def media_fetch(pending_id: int) -> MediaOutcome:
    """Fetch one item and attach it to its case, or schedule another attempt, or report it.

    1. claim the row (a conditional UPDATE: due, and no other worker's claim is running);
    2. fetch it from Twilio (_download), outside any transaction;
    3. check it like web evidence (validate_evidence);
    4. attach it: the file is stored and its Evidence row written in one transaction with the
       row's deletion (intake's atomic_with_evidence: no orphan file); for a reply of media alone,
       the first item attached is also the complainant's provide_info step;
    5. or, after a transient failure, the row waits media_backoff(attempts) for another attempt;
       after the last attempt, a permanent failure or a refusal, the case gets a note and the
       complainant an SMS/WhatsApp saying which attachment could not be taken and why."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    claimed = PendingMedia.objects.filter(free, pk=pending_id, next_attempt_at__lte=now).update(
        attempts=F("attempts") + 1, claimed_until=now + MEDIA_CLAIM, handed_at=None
    )
    if claimed != 1:
        return MediaOutcome("not claimed")
    row = PendingMedia.objects.get(pk=pending_id)
    if row.attempts > MEDIA_MAX_ATTEMPTS:  # the workers of the last attempts died while fetching
        _media_give_up(row, lambda language: _reason("download_failed", language), row.last_error)
        return MediaOutcome("failed")
    try:
        upload = _download(row.url, row.content_type, row.index)
    except MediaUnavailable as exc:
        if exc.transient and row.attempts < MEDIA_MAX_ATTEMPTS:
            retry_at = timezone.now() + media_backoff(row.attempts)
            # This attempt's row only: a worker that stalled past its claim must not undo another's.
            PendingMedia.objects.filter(pk=row.pk, attempts=row.attempts).update(
                claimed_until=None, next_attempt_at=retry_at, handed_at=retry_at, last_error=str(exc)[:300]
            )
            return MediaOutcome("retry", retry_at)
        _media_give_up(row, lambda language: _reason("download_failed", language), str(exc))
        return MediaOutcome("failed")
    if _refusals(upload, settings.LANGUAGE_CODE):
        _media_give_up(row, lambda language: "; ".join(_refusals(upload, language)), "refused")
        return MediaOutcome("refused")
    try:
        _media_attach(row, upload)
    except _AlreadyAttached:
        return MediaOutcome("already attached")
    return MediaOutcome("attached")


class _AlreadyAttached(Exception):
    pass


def _refusals(upload: SimpleUploadedFile, language: str) -> list[str]:
    """Why the evidence check refuses the file, in ``language``; [] when it is accepted."""
    with translation.override(language):
        try:
            validate_evidence([upload])
        except ValidationError as exc:
            return [str(message) for message in exc.messages]
    return []


def _reason(key: str, language: str) -> str:
    with translation.override(language):
        return str(TEXTS[key])


def _media_attach(row: PendingMedia, upload: SimpleUploadedFile) -> None:
    with atomic_with_evidence([upload]) as stored:
        # The case first, then the rows: the order every writer here takes its locks in.
        complaint = Complaint.objects.select_for_update().get(pk=row.complaint_id)
        current = PendingMedia.objects.select_for_update().filter(pk=row.pk).first()
        if current is None:  # attached (or reported) by a worker that claimed it after a stall
            raise _AlreadyAttached  # and the file just stored is removed again
        if current.perform_step:
            try:
                complainant_act(
                    complaint=complaint,
                    name="provide_info",
                    via=current.channel,
                    message="(lampiran)",
                    expected_state=State.AWAITING_INFO,
                )
            except TransitionError:
                pass  # an officer moved the case meanwhile: the file is still the case's
            PendingMedia.objects.filter(complaint=complaint, inbound_sid=current.inbound_sid).update(
                perform_step=False
            )
        evidence_record(complaint, channel=current.channel, stored=stored)
        current.delete()


def _media_give_up(row: PendingMedia, reason: Callable[[str], str], detail: str) -> None:
    """The item will not be attached: a note on the case (in the case files' language) and a text
    to the complainant (in theirs) on the channel they replied by, in one transaction with the
    row's deletion. While the case still awaits information (a reply of media alone, nothing
    attached), the complainant is asked to send it again."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=row.complaint_id)
        deleted, _ = PendingMedia.objects.filter(pk=row.pk, attempts=row.attempts).delete()
        if not deleted:  # another worker's claim took it over
            return
        logger.warning(
            "media %s of complaint %s not attached after %s attempts: %s",
            row.pk,
            row.complaint_id,
            row.attempts,
            detail[:300],
        )
        _note(complaint, row.channel, NOTES["failed"], reason=reason(settings.LANGUAGE_CODE))
        identity = Identity.objects.filter(complaint=complaint).first()
        if identity is None or not identity.phone:
            return
        english = complaint.language == "en"
        key = "media_failed_resend" if complaint.state == State.AWAITING_INFO else "media_failed"
        code = display_code(complaint.tracking_code)
        outbox.enqueue(
            channel=row.channel,
            recipient=identity.phone,
            language="en" if english else "id",
            template_key=f"sms_{key}",
            body=text(key, english, code=code, reason=reason("en" if english else "id")[:60].rstrip(" .")),
            reference=f"complaint:{complaint.pk}",
        )


def _note(complaint: Complaint, channel: str, note, **values) -> CaseMessage:
    """A note on the case from the system (no author), in the language the case files are kept in."""
    with translation.override(settings.LANGUAGE_CODE):
        body = str(note).format(channel=CHANNEL_NAMES.get(channel, channel), **values)
    return CaseMessage.objects.create(
        complaint=complaint, kind=CaseMessage.Kind.INTERNAL, author=None, body=body, channel=channel
    )
