"""SMS and WhatsApp for complainants, registered with notifications' inbound router.

Everything the tracking page offers, by text alone (docs/domain.md#sms-and-whatsapp), with the
tracking code and PIN from any phone, or without the PIN from the phone the case was filed with:
- CEK <kode> <PIN> / STATUS, CHECK <code> <PIN>: the status, its deadline and what happens next,
  and what the complainant should read: what the officer asks for, an officer's message not yet
  answered, the outcome or the reason for a rejection (no identity: phones are shared).
- JAWAB / ANSWER <kode> <PIN> <isi>, or a plain reply from a number whose complaint awaits
  information: the text goes into the case at once and the case goes back to its stage
  (provide_info); the media are fetched from Twilio after the reply, by a task (media_fetch,
  complaints.tasks.fetch_media), and attached as evidence.
- KEBERATAN / OBJECT <kode> <PIN> <alasan>: an objection to the outcome, inside its window.
- CABUT / WITHDRAW <kode> <PIN> [alasan]: the complaint is withdrawn (from the filing phone the
  code is the confirmation: "CABUT" alone asks for it).
- LAPOR / REPORT: a guided intake conversation (complaints/sms/conversations.py); LAPOR again
  starts it afresh, BATAL / CANCEL ends it.
- PIN / LUPA / FORGOT <kode>: a new PIN to the filing phone.
An anonymous reporter's number is forgotten once it is answered (forget_sender): they act with the
code and PIN. A PIN is never kept in the record of inbound messages (``stored_body``).

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

from complaints import messaging
from complaints.codes import ALPHABET, CODE_LENGTH, display_code, normalise_code
from complaints.intake.forms import validate_evidence
from complaints.intake.services import atomic_with_evidence, evidence_record
from complaints.models import (
    OPEN_STATES,
    WITHDRAWABLE_STATES,
    CaseMessage,
    Complaint,
    Identity,
    PendingMedia,
    State,
)
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
from notifications.texts import plain
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
    # CEK: two segments at most before what the complainant should read (STATUS_DETAILS).
    "status": pgettext_lazy(
        "sms", "Sigap {code}: status {status}, tenggat {date}. {next} Rincian: {url}/lacak/"
    ),
    "status_ended": pgettext_lazy("sms", "Sigap {code}: status {status}. {next} Rincian: {url}/lacak/"),
    "which_case_check": pgettext_lazy(
        "sms", "Nomor ini punya beberapa pengaduan: {codes}. Kirim CEK <kode> untuk salah satunya."
    ),
    "no_match": pgettext_lazy("sms", "Kode lacak atau PIN tidak cocok. Format: CEK <kode> <PIN>"),
    "no_match_for": pgettext_lazy("sms", "Kode lacak atau PIN tidak cocok. Format: {format}"),
    "which_case_for": pgettext_lazy(
        "sms", "Nomor ini punya beberapa pengaduan. Sebutkan kode lacaknya, misalnya: {example}"
    ),
    "empty": pgettext_lazy("sms", "Sigap {code}: pesan Anda kosong. Tulis informasi yang diminta."),
    "reason_needed": pgettext_lazy("sms", "Sigap {code}: tuliskan alasannya, misalnya: {example}"),
    "object_done": pgettext_lazy(
        "sms", "Sigap {code}: keberatan Anda diterima; pengaduan diperiksa kembali, tenggat {date}."
    ),
    "object_refused": pgettext_lazy(
        "sms",
        "Sigap {code}: keberatan tidak dapat diajukan (status {status}). Keberatan hanya sampai tenggatnya, setelah pengaduan selesai.",
    ),
    "withdraw_done": pgettext_lazy(
        "sms", "Sigap {code}: pengaduan Anda sudah dicabut dan tidak diproses lagi."
    ),
    "withdraw_refused": pgettext_lazy(
        "sms", "Sigap {code}: pengaduan tidak dapat dicabut lagi (status {status})."
    ),
    "withdraw_confirm": pgettext_lazy(
        "sms",
        "Sigap {code}: untuk mencabut pengaduan ini, kirim CABUT {code} [alasan]. Pengaduan yang dicabut tidak diproses lagi.",
    ),
    "nothing_to_cancel": pgettext_lazy(
        "sms", "Tidak ada LAPOR yang sedang berjalan. Untuk mencabut pengaduan: CABUT <kode> <PIN>."
    ),
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

# How each command is written, for the answer to one written wrongly.
FORMATS = {
    "provide_info": pgettext_lazy("sms", "JAWAB <kode> <PIN> <isi>"),
    "object": pgettext_lazy("sms", "KEBERATAN <kode> <PIN> <alasan>"),
    "withdraw": pgettext_lazy("sms", "CABUT <kode> <PIN> [alasan]"),
}
# What happens next, one sentence per state, for CEK (the tracking page's explanation,
# complaints/public/selectors.py STATE_EXPLANATIONS, shortened for a text).
NEXT_STEPS = {
    State.SUBMITTED: pgettext_lazy("sms", "Berikutnya: petugas mulai memverifikasi pengaduan Anda."),
    State.VERIFYING: pgettext_lazy(
        "sms", "Berikutnya: petugas memeriksa syarat formal; bila ada yang kurang, Anda dihubungi."
    ),
    State.MATERIAL_VERIFICATION: pgettext_lazy(
        "sms", "Berikutnya: petugas menilai pokok pengaduan lalu merujuknya ke lembaga yang berwenang."
    ),
    State.AWAITING_INFO: pgettext_lazy(
        "sms",
        "Kirim yang diminta sebelum tenggat: JAWAB {code} <PIN> <isi>. Bila tidak, pengaduan dianggap dicabut.",
    ),
    State.REFERRED: pgettext_lazy(
        "sms", "Berikutnya: unit yang berwenang menerima rujukan dan mulai memeriksa."
    ),
    State.EXAMINATION: pgettext_lazy(
        "sms", "Petugas memeriksa pengaduan Anda dan dapat meminta keterangan dari Anda atau instansi."
    ),
    State.CLARIFICATION: pgettext_lazy(
        "sms", "Instansi terlapor wajib menjawab klarifikasi sebelum tenggat."
    ),
    State.INVESTIGATION: pgettext_lazy("sms", "Ombudsman memeriksa dokumen dan keadaan di lapangan."),
    State.MEDIATION: pgettext_lazy("sms", "Pengaduan Anda diupayakan selesai lewat mediasi dengan instansi."),
    State.CORRECTIVE_ACTION: pgettext_lazy(
        "sms", "Instansi wajib melakukan tindakan korektif sebelum tenggat; kami memantaunya."
    ),
    State.RECOMMENDATION: pgettext_lazy(
        "sms", "Instansi wajib melaksanakan rekomendasi sebelum tenggat; kami memantaunya."
    ),
    State.RESOLVED: pgettext_lazy(
        "sms", "Tidak setuju? Kirim KEBERATAN {code} <PIN> <alasan> sebelum tenggat."
    ),
    State.CLOSED: pgettext_lazy("sms", "Pengaduan ditutup. Terima kasih telah melapor."),
    State.REJECTED: pgettext_lazy("sms", "Pengaduan tidak dapat ditindaklanjuti."),
    State.WITHDRAWN: pgettext_lazy("sms", "Pengaduan tidak diproses lagi."),
    State.DUPLICATE: pgettext_lazy("sms", "Perkembangannya mengikuti pengaduan lain tentang hal yang sama."),
}
# What CEK adds for the complainant to read: an officer's words, the outcome, the reason.
STATUS_DETAILS = {
    "requested": pgettext_lazy("sms", "Yang diminta petugas: {words}"),
    "officer_wrote": pgettext_lazy("sms", "Pesan petugas: {words}"),
    "outcome": pgettext_lazy("sms", "Hasil: {outcome}. {words}"),
    "reason": pgettext_lazy("sms", "Alasan: {reason}."),
    "suggested": pgettext_lazy("sms", "Lembaga yang dapat Anda hubungi: {body}."),
}


def text(key: str, english: bool, **values) -> str:
    with translation.override("en" if english else "id"):
        return str(TEXTS[key]).format(url=settings.SIGAP_PUBLIC_URL, **values)


def _say(catalogue: dict, key, english: bool, **values) -> str:
    with translation.override("en" if english else "id"):
        return str(catalogue[key]).format(**values)


# --- commands that name a case: CEK, JAWAB, KEBERATAN, CABUT --------------------------------------
_PIN = re.compile(r"\d{6}")


@dataclass(frozen=True)
class Command:
    """The words after a command's keyword: the tracking code ("" when none was written, as
    ABCD-EFGH, ABCDEFGH or ABCD EFGH), the PIN right after it ("" when none), and the rest."""

    code: str
    pin: str
    rest: list[str]
    code_words: int  # how many words the code took

    def stored(self, words: list[str]) -> str:
        """The message as it is kept: the PIN replaced by asterisks (never stored, never logged)."""
        keyword, after = words[0], words[1:]
        return " ".join([keyword, *after[: self.code_words], "******", *self.rest])

    @property
    def text(self) -> str:
        return clean_text(" ".join(self.rest))[:5000]


def _is_code(value: str) -> bool:
    return len(value) == CODE_LENGTH and not set(value) - set(ALPHABET)


def parse_command(words: list[str]) -> Command:
    for taken in (1, 2):
        if len(words) < taken:
            break
        if taken == 2 and not (len(normalise_code(words[0])) == len(normalise_code(words[1])) == 4):
            continue
        code = normalise_code("".join(words[:taken]))
        if _is_code(code):
            rest = words[taken:]
            if rest and _PIN.fullmatch(rest[0]):
                return Command(code, rest[0], rest[1:], taken)
            return Command(code, "", rest, taken)
    return Command("", "", list(words), 0)


CHECK_WORDS = {"CEK", "STATUS", "CHECK"}
ACTIONS = {
    "JAWAB": "provide_info",
    "ANSWER": "provide_info",
    "KEBERATAN": "object",
    "OBJECT": "object",
    "CABUT": "withdraw",
    "WITHDRAW": "withdraw",
}
# The English keyword of each action, for the examples in an English answer.
ACTION_WORDS = {
    "provide_info": ("JAWAB", "ANSWER"),
    "object": ("KEBERATAN", "OBJECT"),
    "withdraw": ("CABUT", "WITHDRAW"),
}
ACTION_TEXT = {"provide_info": ("<isi>", "<text>"), "object": ("<alasan>", "<reason>"), "withdraw": ("", "")}


def is_code_command(inbound: Inbound) -> bool:
    """A command that names a case by its code (CEK ABCD-EFGH …): answered even in the middle of a
    LAPOR conversation, which waits."""
    keyword = inbound.keyword
    if keyword not in CHECK_WORDS and keyword not in ACTIONS and keyword not in NEW_PIN_WORDS:
        return False
    words = inbound.words[1:]
    if keyword in NEW_PIN_WORDS and words and words[0].upper() == "PIN":
        words = words[1:]
    return bool(parse_command(words).code)


def _own_cases(phone: str, limit: int = 20) -> list[Complaint]:
    """The cases filed with this number (its identity's keyed index), newest first."""
    return list(Complaint.objects.filter(identity__phone_index=blind_index(phone)).order_by("-id")[:limit])


def _by_code_and_pin(inbound: Inbound, command: Command) -> Complaint | None:
    """The case for a code and PIN, counted against this number's guesses (TrackingLocked past
    them). An anonymous case's number is forgotten once answered: the message would link them."""
    complaint = complaint_for_tracking(
        code=command.code, pin=command.pin, client_key=f"phone:{inbound.phone}", phone=inbound.phone
    )
    if complaint is not None and complaint.is_anonymous:
        forget_sender(inbound)
    return complaint


def _status_reply(complaint: Complaint, inbound: Inbound, english: bool) -> str:
    """The status, its deadline and what happens next (two segments at most), then what the
    complainant should read, cut to the budget of an officer's words."""
    code = display_code(complaint.tracking_code)
    with translation.override("en" if english else "id"):
        status = str(complaint.get_state_display())
        following = str(NEXT_STEPS.get(complaint.state, "")).format(code=code)
    ended = complaint.state not in OPEN_STATES or complaint.due_at is None
    date = "" if ended else timezone.localtime(complaint.due_at).strftime("%d-%m-%Y")

    def build(details: str) -> str:
        # What to read follows what happens next, before the address (where the rest is).
        after = f"{following} {details}".strip()
        return text(
            "status_ended" if ended else "status", english, code=code, status=status, date=date, next=after
        )

    details = _status_details(complaint, english)
    if not details:
        return build("")
    language = "en" if english else "id"
    return messaging.fit_words(build, details, channel=inbound.channel, language=language, suffix="...")


def _status_details(complaint: Complaint, english: bool) -> str:
    language = "en" if english else "id"
    parts = []

    def words(value: str) -> str:
        return messaging.complainant_words(complaint, value, language=language)

    if complaint.state == State.AWAITING_INFO and complaint.info_requested:
        parts.append(_say(STATUS_DETAILS, "requested", english, words=words(complaint.info_requested)))
    if complaint.state in (State.RESOLVED, State.CLOSED) and (complaint.outcome or complaint.public_summary):
        with translation.override(language):
            outcome = str(complaint.get_outcome_display() or "-")
        parts.append(
            _say(STATUS_DETAILS, "outcome", english, outcome=outcome, words=words(complaint.public_summary))
        )
    if complaint.state == State.REJECTED and complaint.rejection_reason:
        with translation.override(language):
            reason = str(complaint.get_rejection_reason_display())
        parts.append(_say(STATUS_DETAILS, "reason", english, reason=reason))
        if complaint.suggested_body:
            parts.append(
                _say(STATUS_DETAILS, "suggested", english, body=_one_plain_line(complaint.suggested_body))
            )
    # An officer's message the complainant has not answered yet (the request itself is above).
    thread = complaint.messages.filter(
        kind__in=(CaseMessage.Kind.TO_COMPLAINANT, CaseMessage.Kind.FROM_COMPLAINANT)
    ).order_by("-created_at", "-id")
    latest = thread.first()
    if (
        latest is not None
        and latest.kind == CaseMessage.Kind.TO_COMPLAINANT
        and not (complaint.state == State.AWAITING_INFO and latest.body == complaint.info_requested)
    ):
        parts.append(_say(STATUS_DETAILS, "officer_wrote", english, words=words(latest.body)))
    return " ".join(p.strip() for p in parts if p.strip())


def _one_plain_line(value: str) -> str:
    return " ".join(plain(value or "").split())


@register_language_resolver
def complainant_language(phone: str) -> str | None:
    """The language of the newest complaint filed with this phone number."""
    return (
        Complaint.objects.filter(identity__phone_index=blind_index(phone))
        .order_by("-id")
        .values_list("language", flat=True)
        .first()
    )


def _starts_report(inbound: Inbound) -> bool:
    """LAPOR (anything after it), or REPORT alone (an English reply may begin with the word)."""
    return inbound.keyword == "LAPOR" or (inbound.keyword == "REPORT" and len(inbound.words) == 1)


@register_handler
def lapor_conversation(inbound: Inbound) -> str | None:
    conversation = conversation_for(inbound.phone, inbound.channel)
    if conversation is not None and conversation.handler == conversations.HANDLER:
        if conversation.expired and not _starts_report(inbound):
            return conversations.timed_out(conversation)
        if not conversation.expired:
            if inbound.keyword in conversations.START_WORDS and len(inbound.words) == 1:
                return conversations.start(inbound, restarted=True)  # LAPOR again: a fresh start
            if is_code_command(inbound):
                return None  # CEK ABCD-EFGH …: its own handler answers; the conversation waits
            return conversations.step(inbound, conversation)
    if _starts_report(inbound):
        return conversations.start(inbound)
    return None


@register_handler
def check_status(inbound: Inbound) -> str | None:
    """CEK <kode> <PIN> from any number; CEK (or CEK <kode>) from the number the case was filed
    with. The status, its deadline, what happens next and what to read (_status_reply)."""
    if inbound.keyword not in CHECK_WORDS:
        return None
    english = inbound.english
    words = inbound.words[1:]
    # The PIN is a secret: it is not kept in the record of inbound messages.
    command = parse_command(words)
    if command.pin:
        inbound.stored_body = command.stored(inbound.words)
    elif words:  # whatever was written where the PIN goes (a PIN mistyped)
        inbound.stored_body = " ".join([inbound.words[0], *words[:-1], "******"])
    if command.pin:
        try:
            # The phone number is the client whose wrong guesses are counted (no IP address here).
            complaint = _by_code_and_pin(inbound, command)
        except TrackingLocked:
            return text("locked", english)
        if complaint is None:
            return text("no_match", english)
    else:
        # No PIN: only the number the case was filed with, for its own cases.
        own = _own_cases(inbound.phone) if not command.rest else []
        if command.code:
            own = [c for c in own if c.tracking_code == command.code]
        open_ = [c for c in own if c.state in OPEN_STATES]
        if len(own) == 1 or len(open_) == 1:
            complaint = own[0] if len(own) == 1 else open_[0]
        elif own:
            codes = ", ".join(display_code(c.tracking_code) for c in (open_ or own)[:5])
            return text("which_case_check", english, codes=codes)
        else:
            return text("no_match", english)
    english = english or complaint.language == "en"
    return _status_reply(complaint, inbound, english)


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
def act_by_text(inbound: Inbound) -> str | None:
    """JAWAB / KEBERATAN / CABUT (ANSWER / OBJECT / WITHDRAW): the complainant's own steps by text,
    through complainant_act like the tracking page's, with the code and PIN from any number (an
    anonymous reporter's only way), or from the number the case was filed with without the PIN.
    The answer confirms the step; the step's usual message to that same phone is not sent twice."""
    name = ACTIONS.get(inbound.keyword)
    if name is None:
        return None
    english = inbound.english
    command = parse_command(inbound.words[1:])
    if command.pin:
        inbound.stored_body = command.stored(inbound.words)
        try:
            complaint = _by_code_and_pin(inbound, command)
        except TrackingLocked:
            return text("locked", english)
        if complaint is None:
            return _no_match(name, english)
    else:
        complaint, refusal = _own_case_for(inbound, name, command, english)
        if complaint is None:
            return refusal
    english = english or complaint.language == "en"
    code = display_code(complaint.tracking_code)
    message = command.text
    with messaging.answered_in_reply(inbound.channel, inbound.phone):
        if name == "provide_info":
            if complaint.state != State.AWAITING_INFO:
                return text("not_waiting", english, code=code)
            return _provide_info(inbound, complaint, message, english)
        if name == "object":
            return _object(
                inbound, complaint, message, english, example=_example(name, english, command, code)
            )
        return _withdraw(inbound, complaint, message, english)


def _no_match(name: str, english: bool) -> str:
    with translation.override("en" if english else "id"):
        return text("no_match_for", english, format=str(FORMATS[name]))


def _example(name: str, english: bool, command: Command, code: str) -> str:
    keyword = ACTION_WORDS[name][1 if english else 0]
    written = [keyword, code, "<PIN>" if command.pin else "", ACTION_TEXT[name][1 if english else 0]]
    return " ".join(w for w in written if w)


def _own_case_for(inbound: Inbound, name: str, command: Command, english: bool):
    """(case, None) for a command without a PIN from the number the case was filed with: the case
    its code names, else the only one the step fits; (None, the answer) otherwise."""
    own = _own_cases(inbound.phone)
    if command.code:
        chosen = [c for c in own if c.tracking_code == command.code]
        return (chosen[0], None) if chosen else (None, _no_match(name, english))
    if not own:
        return None, _no_match(name, english)
    english = english or own[0].language == "en"
    fitting = {
        "provide_info": lambda c: c.state == State.AWAITING_INFO,
        "object": lambda c: c.in_objection_window,
        "withdraw": lambda c: c.state in WITHDRAWABLE_STATES,
    }[name]
    candidates = [c for c in own if fitting(c)]
    if len(candidates) > 1:
        example = _example(name, english, command, display_code(candidates[0].tracking_code))
        return None, text("which_case_for", english, example=example)
    if name == "withdraw":
        # Withdrawing cannot be undone: the code, written out, is the complainant's confirmation.
        if candidates:
            return None, text("withdraw_confirm", english, code=display_code(candidates[0].tracking_code))
        return None, _refused("withdraw_refused", own[0], english)
    # None fits: the newest case says why (no longer waiting, outside the objection window).
    return (candidates or own)[0], None


def _refused(key: str, complaint: Complaint, english: bool) -> str:
    with translation.override("en" if english else "id"):
        status = str(complaint.get_state_display())
    return text(key, english, code=display_code(complaint.tracking_code), status=status)


def _object(inbound: Inbound, complaint: Complaint, message: str, english: bool, *, example: str) -> str:
    code = display_code(complaint.tracking_code)
    if not complaint.in_objection_window:
        return _refused("object_refused", complaint, english)
    if not message:
        return text("reason_needed", english, code=code, example=example)
    try:
        complainant_act(
            complaint=complaint,
            name="object",
            via=inbound.channel,
            message=message,
            expected_state=State.RESOLVED,
        )
    except TransitionError:
        complaint.refresh_from_db()
        return _refused("object_refused", complaint, english)
    date = timezone.localtime(complaint.due_at).strftime("%d-%m-%Y") if complaint.due_at else "-"
    reply = text("object_done", english, code=code, date=date)
    return _with_media(inbound, complaint, reply, english)


def _withdraw(inbound: Inbound, complaint: Complaint, message: str, english: bool) -> str:
    if complaint.state not in WITHDRAWABLE_STATES:
        return _refused("withdraw_refused", complaint, english)
    try:
        complainant_act(
            complaint=complaint,
            name="withdraw",
            via=inbound.channel,
            message=message,
            expected_state=complaint.state,
        )
    except TransitionError:
        complaint.refresh_from_db()
        return _refused("withdraw_refused", complaint, english)
    return text("withdraw_done", english, code=display_code(complaint.tracking_code))


def _with_media(inbound: Inbound, complaint: Complaint, reply: str, english: bool) -> str:
    """Media sent with an objection: attached as evidence after the reply (media_fetch)."""
    limit = settings.SIGAP_EVIDENCE_MAX_FILES
    media = inbound.media[:limit]
    if not media:
        return reply
    media_queue(complaint, inbound, media, perform_step=False)
    if len(inbound.media) > limit:
        _note(complaint, inbound.channel, NOTES["left_out"], count=len(inbound.media) - limit, max=limit)
        reply = f"{reply} {text('only_first', english, max=limit)}"
    return reply


@register_handler
def cancel_without_conversation(inbound: Inbound) -> str | None:
    """BATAL / CANCEL with no LAPOR in progress: perhaps the complaint itself is meant."""
    if inbound.keyword in ("BATAL", "CANCEL") and len(inbound.words) == 1:
        return text("nothing_to_cancel", inbound.english)
    return None


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
    return _provide_info(inbound, complaint, clean_text(body)[:5000], complaint.language == "en")


def _provide_info(inbound: Inbound, complaint: Complaint, message: str, english: bool) -> str:
    """The complainant's provide_info with the text at once; the media queued for media_fetch."""
    code = display_code(complaint.tracking_code)
    limit = settings.SIGAP_EVIDENCE_MAX_FILES
    media = inbound.media[:limit]
    if not message and not media:
        return text("empty", english, code=code)
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
            reference=messaging.message_reference(complaint.pk),
        )


def _note(complaint: Complaint, channel: str, note, **values) -> CaseMessage:
    """A note on the case from the system (no author), in the language the case files are kept in."""
    with translation.override(settings.LANGUAGE_CODE):
        body = str(note).format(channel=CHANNEL_NAMES.get(channel, channel), **values)
    return CaseMessage.objects.create(
        complaint=complaint, kind=CaseMessage.Kind.INTERNAL, author=None, body=body, channel=channel
    )
