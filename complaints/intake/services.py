"""Filing a complaint, from every channel: validation, the complaint and its identity, evidence."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.connection import ConnectionProxy

from complaints import codes, machine, messaging, reference, urgency
from complaints.intake import filing
from complaints.intake.forms import WITHHELD_IDENTITY, ComplaintIntakeForm, validate_evidence
from complaints.models import Channel, Complaint, Confidentiality, Evidence, Identity
from complaints.redaction import mask_identifiers, seal
from complaints.sanitize import clean_text
from notifications.personal import blind_index, decrypt, encrypt
from workflow.engine import Actor


class IntakeInvalid(ValidationError):
    """The complaint was not accepted; ``errors``: field → messages in the active language."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- one complaint, once (docs/domain.md#one-complaint-once) --------------------------------------
# A filing that may arrive twice (a double click, Back and send again, an API client retrying after
# a timeout) carries a key: the web form's one-time token or the API's Idempotency-Key header. The
# complaint keeps a keyed hash of it (Complaint.idempotency_key, unique when set), never the key; a
# second filing with the key gets the first complaint. Its PIN exists only as a hash, so the first
# answer's PIN is kept encrypted in the "guard" cache for a while (REPLAY_FOR), for the second
# answer to repeat; after that a replay names the complaint without its PIN.
REPLAY_FOR = {"api": 24 * 3600}  # seconds, by channel
REPLAY_FOR_OTHERS = 15 * 60  # the web form: a double click or Back comes within minutes
replays = ConnectionProxy(caches, "guard")
logger = logging.getLogger(__name__)


class AlreadyFiled(Exception):
    """A complaint was filed with this idempotency key before: ``complaint``, and ``pin`` while the
    first answer may still be repeated ("" after that)."""

    def __init__(self, complaint: Complaint, pin: str = ""):
        super().__init__(complaint.tracking_code)
        self.complaint, self.pin = complaint, pin


def idempotency_key_for(scope: str, key: str) -> str:
    """What Complaint.idempotency_key stores for a client's key: a keyed hash (blind_index) of
    ``scope:key`` (scope "web" or "api", so the two never meet), never the key itself; "" for none."""
    return blind_index(f"{scope}:{key}") if key else ""


def complaint_filed_with(idempotency_key: str) -> tuple[Complaint, str] | None:
    """The complaint filed with this (hashed) key and its PIN while the answer may be repeated
    ("" after that); None when no complaint has the key."""
    if not idempotency_key:
        return None
    complaint = Complaint.objects.filter(idempotency_key=idempotency_key).first()
    if complaint is None:
        return None
    return complaint, _replay_pin(idempotency_key, complaint)


def replay_forget(idempotency_key: str) -> None:
    """The first answer has been shown (the web's confirmation page): a replay no longer repeats
    the PIN. Best effort."""
    if not idempotency_key:
        return
    try:
        replays.delete(_replay_cache_key(idempotency_key))
    except Exception:  # noqa: BLE001 - the cache is down: the entry expires by itself
        logger.warning("intake: could not forget a replayable answer", exc_info=True)


def _replay_cache_key(idempotency_key: str) -> str:
    return f"intake:replay:{idempotency_key}"


def _replay_keep(idempotency_key: str, complaint: Complaint, pin: str, *, channel: str) -> None:
    """Keep the first answer's PIN, encrypted, for a replay. Set before the commit, so a request
    that waited for this one's key finds it. Best effort: with the cache down, filing goes on and
    a replay names the complaint without its PIN."""
    try:
        replays.set(
            _replay_cache_key(idempotency_key),
            encrypt(json.dumps({"id": complaint.pk, "pin": pin})),
            REPLAY_FOR.get(channel, REPLAY_FOR_OTHERS),
        )
    except Exception:  # noqa: BLE001 - whatever the cache's client raises
        logger.warning("intake: could not keep the answer for a replay", exc_info=True)


def _replay_pin(idempotency_key: str, complaint: Complaint) -> str:
    try:
        token = replays.get(_replay_cache_key(idempotency_key))
    except Exception:  # noqa: BLE001 - whatever the cache's client raises
        logger.warning("intake: could not read a replayable answer", exc_info=True)
        return ""
    try:
        kept = json.loads(decrypt(token)) if token else {}
    except (ValueError, TypeError):
        return ""
    return kept.get("pin", "") if kept.get("id") == complaint.pk else ""


SQLITE_BUSY_ATTEMPTS = 5


def _retried_when_sqlite_is_busy(create):
    """SQLite, the embedded database, lets one writer in at a time. Two filings at once (a double
    click) can meet where SQLite settles it by refusing one at once ("database is locked": its
    reader cannot become a writer without a deadlock), which was a 500. That filing runs again from
    the start after a short pause: it then finds the first one's key (AlreadyFiled) or files.
    Only when the call owns its transaction (not inside a caller's, as an SMS webhook's); PostgreSQL
    waits on its locks and never needs it."""

    @functools.wraps(create)
    def run(**kwargs):
        for attempt in range(SQLITE_BUSY_ATTEMPTS):
            try:
                return create(**kwargs)
            except OperationalError as exc:
                connection = transaction.get_connection()
                if (
                    connection.vendor != "sqlite"
                    or "locked" not in str(exc)
                    or connection.in_atomic_block
                    or attempt == SQLITE_BUSY_ATTEMPTS - 1
                ):
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def complaint_submit(
    *,
    channel: str,
    data: dict,
    files=(),
    language: str = "id",
    idempotency_key: str = "",
    key_checked: bool = False,
) -> tuple[Complaint, str]:
    """Validate and file a complaint from any channel; return it and its PIN (shown once).

    Raises IntakeInvalid and stores nothing when the input is not acceptable; AlreadyFiled when
    ``idempotency_key`` names a complaint filed before (complaint_create).
    """
    # Messages in the complainant's language, whatever the request around this call activated
    # (an SMS webhook from Twilio carries no Accept-Language).
    with translation.override("en" if (language or "").startswith("en") else "id"):
        form = ComplaintIntakeForm(data=data, channel=channel)
        if not form.is_valid():
            raise IntakeInvalid({field: [str(e) for e in errs] for field, errs in form.errors.items()})
        try:
            evidence = validate_evidence(files)
        except ValidationError as exc:
            raise IntakeInvalid({"evidence": [str(m) for m in exc.messages]})
    return complaint_create(
        channel=channel,
        cleaned=form.cleaned_data,
        evidence=evidence,
        language=language,
        idempotency_key=idempotency_key,
        key_checked=key_checked,
    )


@_retried_when_sqlite_is_busy
def complaint_create(
    *,
    channel: str,
    cleaned: dict,
    evidence=(),
    language: str = "id",
    received_by=None,
    unit=None,
    idempotency_key: str = "",
    key_checked: bool = False,
) -> tuple[Complaint, str]:
    """File a complaint from a valid intake form's cleaned data.

    ``received_by``: the desk officer filing it on the complainant's behalf (docs/domain.md#desk-intake),
    recorded on the complaint with ``cleaned["consent_method"]`` and as the actor of its first audit
    row (via the web workspace); ``unit``: the desk that files it, instead of the province's.

    1. store the evidence files under random names;
    2. in one transaction: the complaint (at its province's intake desk), its identity (kept apart),
       evidence rows, the first audit row and deadline, the 'received' message;
    3. if anything fails before the commit, remove the files again: no half-saved complaint, no
       orphan file.

    ``idempotency_key`` (idempotency_key_for: a web form's token, an API client's Idempotency-Key):
    when a complaint with that key exists, or another request files one with it at this moment,
    nothing is filed and AlreadyFiled names the first (docs/domain.md#one-complaint-once).
    """
    # key_checked: the caller has just looked, or leaves it to the key's unique index (below), which
    # answers a complaint filed with the key before as one filed a moment earlier: a query less.
    if idempotency_key and not key_checked:
        first = complaint_filed_with(idempotency_key)
        if first is not None:
            raise AlreadyFiled(*first)
    # Desk intake: who received the complaint, how consent was given, and the desk that files it.
    desk = (
        {"received_by": received_by, "consent_method": cleaned.get("consent_method", ""), "unit": unit}
        if received_by is not None
        else {}
    )
    # The tracking code is random. The rare code drawn twice (the unique index refuses it) files
    # the whole complaint again with another: a retry of the transaction, not a savepoint around
    # the insert of every complaint (two statements each).
    groups = cleaned.get("vulnerable_groups")
    # The rows alone are one statement on PostgreSQL, which needs no transaction of its own.
    alone = not (evidence or groups or idempotency_key) and filing.in_one_statement()
    for _attempt in range(CODE_ATTEMPTS):
        rows, pin, masking = _build(
            channel=channel,
            cleaned=cleaned,
            language=language,
            idempotency_key=idempotency_key,
            tracking_code=codes.new_tracking_code(),
            desk=desk,
            received_by=received_by,
        )
        complaint = rows.complaint
        try:
            with nullcontext([]) if alone else atomic_with_evidence(evidence) as stored:
                filing.write(rows)
                if groups:
                    complaint.vulnerable_groups.set(groups)
                if idempotency_key:
                    _replay_keep(idempotency_key, complaint, pin, channel=channel)
                evidence_record(complaint, channel=channel, stored=stored, identity=masking)
                machine.complaint_received(complaint)
            return complaint, pin
        except IntegrityError:
            # The key's unique index: another request filed with this key and has committed (on
            # PostgreSQL the insert waited for it). This filing files nothing.
            first = complaint_filed_with(idempotency_key) if idempotency_key else None
            if first is not None:
                raise AlreadyFiled(*first)
            if not Complaint.objects.filter(tracking_code=complaint.tracking_code).exists():
                raise  # not the code: a real error
    raise RuntimeError("could not draw a free tracking code")  # pragma: no cover - 31^8 codes


CODE_ATTEMPTS = 10


@contextmanager
def atomic_with_evidence(uploads) -> Iterator[list[dict]]:
    """Store the uploads' files, then open the transaction that records them; yield their fields.

    The one place evidence files are stored and cleaned up, for every channel and step: if the
    block fails before its transaction commits, the files are removed again (no orphan file); once
    it has committed they belong to their rows and stay, even if an after-commit hook fails.
    """
    saved: list[str] = []
    try:
        stored = [_store_evidence(upload, saved) for upload in uploads]
        with transaction.atomic():
            # Registered first, so it runs before any other after-commit hook of this transaction.
            transaction.on_commit(saved.clear)
            yield stored
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise


_STORED_IDENTITY = object()  # evidence_record's default: the complaint's identity, as stored


def evidence_record(
    complaint: Complaint, *, channel: str, stored: list[dict], identity=_STORED_IDENTITY
) -> list[Evidence]:
    """The Evidence rows of files atomic_with_evidence stored. A confidential or anonymous
    complainant's file names ("KTP Budi Santoso.jpg") are kept with their identifiers masked, by
    ``identity`` (at filing: the one just built, or an anonymous complainant's typed-in one)."""
    if not stored:
        return []
    if complaint.confidentiality != Confidentiality.OPEN:
        if identity is _STORED_IDENTITY:
            identity = Identity.objects.filter(complaint=complaint).first()
        stored = [
            {**fields, "original_name": mask_identifiers(fields["original_name"], identity)}
            for fields in stored
        ]
    return Evidence.objects.bulk_create(
        [Evidence(complaint=complaint, channel=channel, **fields) for fields in stored]
    )


def _store_evidence(upload, saved: list[str]) -> dict:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = upload.name.rsplit(".", 1)[-1].lower()
    now = timezone.now()
    name = default_storage.save(f"evidence/{now:%Y/%m}/{secrets.token_hex(16)}.{extension}", upload)
    saved.append(name)
    return {
        "file": name,
        # Kept for display only, as plain text like every other complainant-supplied string.
        "original_name": clean_text(os.path.basename(upload.name))[:200] or f"bukti.{extension}",
        "content_type": getattr(upload, "sigap_content_type", "application/octet-stream"),
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }


def _urgency_at_filing(cleaned: dict) -> dict:
    """Urgent (docs/domain.md#urgency) when the complainant said so or Sigap suggests it from the
    complaint as typed (complaints.urgency: never the decision, which an officer confirms or
    changes). Set before the first deadline, which then runs on an urgent case's shorter rule."""
    claimed = cleaned.get("urgent")
    reasons = urgency.suggest(cleaned)
    urgent, source = urgency.at_filing(claimed, reasons)
    return {
        "urgent": urgent,
        "urgency_claimed": claimed,
        "urgency_source": source,
        "urgency_reasons": [reason.as_json() for reason in reasons],
    }


def _build(
    *,
    channel: str,
    cleaned: dict,
    language: str,
    idempotency_key: str,
    tracking_code: str,
    desk: dict,
    received_by,
) -> tuple[filing.Filing, str, Identity | None]:
    """The filing's rows, unsaved (the complaint, its identity, its first audit row and its
    'received' message), its PIN, and the identity its complainant's identifiers are masked by."""
    pin = codes.new_pin()
    province = cleaned["province"]
    fields = dict(
        pin_hash=codes.hash_pin(pin),
        kind=cleaned["kind"],
        category=cleaned.get("category"),
        agency=cleaned.get("agency"),
        agency_name=cleaned.get("agency_name", ""),
        province=province,
        regency=cleaned.get("regency"),
        location=cleaned.get("location", ""),
        incident_date=cleaned.get("incident_date"),
        description=cleaned["description"],
        complained_to_agency_first=cleaned.get("complained_to_agency_first"),
        desired_outcome=cleaned.get("desired_outcome", ""),
        reporter_type=cleaned["reporter_type"],
        confidentiality=cleaned["confidentiality"],
        channel=channel,
        language="en" if (language or "").startswith("en") else "id",
        notify_channel=cleaned.get("notify_channel") or "none",
        consent_pdp_at=timezone.now(),
        unit=reference.intake_desk_for(province.pk),
        idempotency_key=idempotency_key,
        **_urgency_at_filing(cleaned),
    )
    identity = None
    if cleaned["confidentiality"] != Confidentiality.ANONYMOUS:
        identity = Identity(
            name=cleaned.get("name", ""),
            nik=cleaned.get("nik", ""),
            phone=cleaned.get("phone", ""),
            email=cleaned.get("email", ""),
            address=cleaned.get("address", ""),
            nip=cleaned.get("nip", ""),
            own_agency=cleaned.get("own_agency"),
            own_agency_name=cleaned.get("own_agency_name", ""),
        )
    # An anonymous complainant's identity is not stored; what they typed of it masks all the same.
    withheld = cleaned.get(WITHHELD_IDENTITY)
    masking = Identity(**withheld) if identity is None and withheld else identity
    if cleaned["confidentiality"] != Confidentiality.OPEN:
        # What a confidential or anonymous complainant typed is stored with its identifiers
        # masked; the original only encrypted, read through the logged reveal (redaction.seal).
        masked, fields["sealed_text"] = seal(
            {key: fields[key] for key in ("description", "desired_outcome", "location")}, masking
        )
        fields.update(masked)
    fields.update({key: value for key, value in desk.items() if value is not None})
    complaint = Complaint(tracking_code=tracking_code, **fields)
    machine.start_clock(complaint)
    if identity is not None:
        identity.complaint = complaint  # and complaint.identity: the message's destination
    log = machine.received_row(
        complaint,
        via=channel if received_by is None else Channel.WEB,
        actor=None if received_by is None else Actor.officer(received_by),
    )
    # By SMS/WhatsApp the code and PIN go back as the reply to the complainant's message.
    message = None if channel in ("sms", "whatsapp") else messaging.received_message(complaint, pin=pin)
    return filing.Filing(complaint=complaint, identity=identity, log=log, message=message), pin, masking
