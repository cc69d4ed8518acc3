"""Filing a complaint, from every channel: validation, the complaint and its identity, evidence."""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from complaints import codes, machine, messaging
from complaints.intake.forms import ComplaintIntakeForm, validate_evidence
from complaints.models import Complaint, Confidentiality, Evidence, HandlingUnit, Identity
from complaints.redaction import mask_identifiers, seal
from complaints.sanitize import clean_text


class IntakeInvalid(ValidationError):
    """The complaint was not accepted; ``errors``: field → messages in the active language."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def complaint_submit(*, channel: str, data: dict, files=(), language: str = "id") -> tuple[Complaint, str]:
    """Validate and file a complaint from any channel; return it and its PIN (shown once).

    Raises IntakeInvalid and stores nothing when the input is not acceptable.
    """
    # Messages in the complainant's language, whatever the request around this call activated
    # (an SMS webhook from Twilio carries no Accept-Language).
    with translation.override("en" if (language or "").startswith("en") else "id"):
        form = ComplaintIntakeForm(data=data)
        if not form.is_valid():
            raise IntakeInvalid({field: [str(e) for e in errs] for field, errs in form.errors.items()})
        try:
            evidence = validate_evidence(files)
        except ValidationError as exc:
            raise IntakeInvalid({"evidence": [str(m) for m in exc.messages]})
    return complaint_create(channel=channel, cleaned=form.cleaned_data, evidence=evidence, language=language)


def complaint_create(
    *, channel: str, cleaned: dict, evidence=(), language: str = "id"
) -> tuple[Complaint, str]:
    """File a complaint from a valid intake form's cleaned data.

    1. store the evidence files under random names;
    2. in one transaction: the complaint (at its province's intake desk), its identity (kept apart),
       evidence rows, the first audit row and deadline, the 'received' message;
    3. if anything fails before the commit, remove the files again: no half-saved complaint, no
       orphan file.
    """
    with atomic_with_evidence(evidence) as stored:
        complaint, pin = _create(channel=channel, cleaned=cleaned, language=language)
        evidence_record(complaint, channel=channel, stored=stored)
        machine.complaint_received(complaint, via=channel)
        # By SMS/WhatsApp the code and PIN go back as the reply to the complainant's message.
        if channel not in ("sms", "whatsapp"):
            messaging.enqueue_received(complaint, pin=pin)
    return complaint, pin


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


def evidence_record(complaint: Complaint, *, channel: str, stored: list[dict]) -> list[Evidence]:
    """The Evidence rows of files atomic_with_evidence stored. A confidential or anonymous
    complainant's file names ("KTP Budi Santoso.jpg") are kept with their identifiers masked."""
    if not stored:
        return []
    if complaint.confidentiality != Confidentiality.OPEN:
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


def _create(*, channel: str, cleaned: dict, language: str) -> tuple[Complaint, str]:
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
        unit=HandlingUnit.objects.intake_desk_for(province.pk),
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
    if cleaned["confidentiality"] != Confidentiality.OPEN:
        # What a confidential or anonymous complainant typed is stored with its identifiers
        # masked; the original only encrypted, read through the logged reveal (redaction.seal).
        masked, fields["sealed_text"] = seal(
            {key: fields[key] for key in ("description", "desired_outcome", "location")}, identity
        )
        fields.update(masked)
    # The code is random; on the rare collision draw again.
    for _attempt in range(10):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(tracking_code=codes.new_tracking_code(), **fields)
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - 31^8 codes
        raise RuntimeError("could not draw a free tracking code")
    if cleaned.get("vulnerable_groups"):
        complaint.vulnerable_groups.set(cleaned["vulnerable_groups"])
    if identity is not None:
        identity.complaint = complaint
        identity.save(force_insert=True)
    return complaint, pin
