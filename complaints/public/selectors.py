"""Reads for the complainant's pages: what each state means for them, and everything Sigap holds
about them (/lacak/data-saya/)."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints import codes, messaging
from complaints.identity import EXPORT_REASON, READ_REASON, identity_fields
from complaints.models import (
    OPEN_STATES,
    CaseMessage,
    Channel,
    Complaint,
    Confidentiality,
    DataRequest,
    DeskChannel,
    DocumentKind,
    Identity,
    IdentityReveal,
    Kind,
    NotifyChannel,
    ReporterType,
    State,
    choice_label,
)
from complaints.public.tracking import public_timeline
from complaints.redaction import unseal
from notifications.models import Channel as MessageChannel
from notifications.models import Status as MessageStatus
from notifications.outbox import messages_for

STATE_EXPLANATIONS = {
    State.SUBMITTED: _(
        "Pengaduan Anda sudah kami terima. Petugas akan mulai memeriksa kelengkapannya paling lambat 3 hari kerja."
    ),
    State.VERIFYING: _(
        "Petugas sedang memeriksa kelengkapan dan pokok pengaduan Anda. Bila ada yang kurang, kami akan menghubungi Anda."
    ),
    State.AWAITING_INFO: _(
        "Kami menunggu informasi tambahan dari Anda. Kirim lewat halaman ini atau balas SMS/WhatsApp kami sebelum tenggat; "
        "bila tidak, pengaduan dianggap dicabut."
    ),
    State.REFERRED: _(
        "Pengaduan Anda sudah dirujuk ke unit yang berwenang, yang akan menerimanya dan mulai memeriksa."
    ),
    State.EXAMINATION: _(
        "Pengaduan Anda sedang diperiksa. Petugas dapat meminta keterangan dari Anda atau dari instansi terlapor."
    ),
    State.MATERIAL_VERIFICATION: _(
        "Syarat formal pengaduan Anda terpenuhi. Petugas sedang menilai pokok pengaduan dan lembaga yang berwenang."
    ),
    State.CLARIFICATION: _(
        "Instansi terlapor diminta memberi klarifikasi dan wajib menjawab sebelum tenggat yang tertera."
    ),
    State.INVESTIGATION: _("Ombudsman sedang memeriksa dokumen dan keadaan di lapangan."),
    State.MEDIATION: _(
        "Pengaduan Anda sedang diupayakan selesai melalui mediasi antara Anda dan instansi terlapor."
    ),
    State.CORRECTIVE_ACTION: _(
        "Maladministrasi ditemukan. Instansi terlapor wajib melakukan tindakan korektif sebelum tenggat; kami memantaunya."
    ),
    State.RECOMMENDATION: _(
        "Rekomendasi diterbitkan kepada instansi terlapor, yang wajib melaksanakannya sebelum tenggat; kami memantaunya."
    ),
    State.RESOLVED: _(
        "Pemeriksaan selesai. Baca hasilnya di bawah. Bila tidak setuju, Anda dapat mengajukan keberatan sebelum tenggat."
    ),
    State.CLOSED: _("Pengaduan ini sudah ditutup. Terima kasih telah melapor."),
    State.REJECTED: _(
        "Pengaduan ini tidak dapat kami tindak lanjuti. Alasannya dan lembaga yang dapat Anda hubungi ada di bawah."
    ),
    State.WITHDRAWN: _("Pengaduan ini sudah dicabut dan tidak diproses lagi."),
    State.DUPLICATE: _(
        "Pengaduan ini digabungkan dengan pengaduan lain tentang hal yang sama; perkembangannya mengikuti pengaduan itu."
    ),
}


def state_explanation(complaint: Complaint) -> str:
    return str(STATE_EXPLANATIONS.get(complaint.state, ""))


def merged_case_for(complaint: Complaint) -> dict | None:
    """For a complaint merged into another: how that case stands, so its complainant can follow
    it. Only what says where the matter stands (its state, the plain steps of its timeline, its
    outcome's name): never the other complainant's identity, words, messages or the summary
    written for them. None for a complaint that was not merged."""
    if complaint.state != State.DUPLICATE or complaint.duplicate_of_id is None:
        return None
    target = Complaint.objects.only("pk", "state", "kind", "outcome", "due_at", "duplicate_of").get(
        pk=complaint.duplicate_of_id
    )
    seen = {complaint.pk}
    while target.state == State.DUPLICATE and target.duplicate_of_id and target.pk not in seen:
        seen.add(target.pk)  # merged again since: follow to the case that goes on
        target = Complaint.objects.only("pk", "state", "kind", "outcome", "due_at", "duplicate_of").get(
            pk=target.duplicate_of_id
        )
    return {
        "status": target.state,
        "status_label": str(target.get_state_display()),
        "explanation": state_explanation(target),
        "outcome_label": str(target.get_outcome_display()) if target.outcome else "",
        "timeline": public_timeline(target),
    }


# --- "Data saya": everything Sigap holds about the complainant (UU 27/2022 PDP) -------------------
# docs/domain.md#personal-data. The same dictionary feeds the page /lacak/data-saya/ and its JSON
# copy. It is built from an allow-list: internal notes, officers' names and accounts, the audit
# trail's notes and fields, and other complaints (a merged case's twin) are never read here.
PIN_PATTERN = re.compile(r"(?<!\d)\d{6}(?!\d)")
PIN_MASK = "••••••"


def _choice(choices, value) -> dict:
    return {"code": value, "label": str(choice_label(choices, value)) if value else ""}


def _original_text(complaint: Complaint) -> dict:
    """What the complainant typed: a confidential or anonymous complaint keeps it encrypted in
    sealed_text (its stored fields have identifiers masked); an open one is stored as typed."""
    return unseal(complaint.sealed_text)


def _without_pin(complaint: Complaint, text: str) -> str:
    """The PIN hidden in a message body (the "received" message carries it): a copy kept on a
    shared phone must not open the case again. Only the digits that are the PIN are hidden."""
    return PIN_PATTERN.sub(
        lambda found: PIN_MASK if codes.pin_matches(complaint, found.group()) else found.group(), text or ""
    )


# The access log's stored reasons for reads that are not a reveal, said for the complainant.
REVEAL_READ = _("Dibaca petugas (pengaduan terbuka)")
REVEAL_EXPORT = _("Diekspor petugas ke berkas CSV")


def _reveal_reason(reason: str) -> str:
    return str({READ_REASON: REVEAL_READ, EXPORT_REASON: REVEAL_EXPORT}.get(reason, reason))


def retention_for(complaint: Complaint) -> dict:
    """When the complainant's personal data is removed (docs/domain.md#retention)."""
    days = settings.SIGAP_RETENTION_DAYS
    ended = complaint.state not in OPEN_STATES
    ended_at = complaint.state_changed_at if ended else None
    return {
        "retention_days": days,
        "case_ended": ended,
        "ended_at": ended_at,
        "erase_after": ended_at + datetime.timedelta(days=days) if ended_at else None,
        "erased_at": complaint.personal_data_erased_at,
    }


def data_requests_of(complaint: Complaint) -> list[dict]:
    """The complainant's own requests about their data and the answers (never who answered)."""
    return [
        {
            "id": request.pk,
            "kind": _choice(DataRequest.Kind, request.kind),
            "text": request.text,
            "created_at": request.created_at,
            "due_at": request.due_at,
            "state": _choice(DataRequest.Status, request.state),
            "outcome": _choice(DataRequest.Outcome, request.outcome),
            "answer": request.answer,
            "answered_at": request.answered_at,
        }
        for request in complaint.data_requests.order_by("created_at", "id")
    ]


def personal_data_for(complaint: Complaint, *, language: str | None = None) -> dict:
    """Everything Sigap holds about the complainant of this case, in the complainant's terms."""
    language = language or get_language() or "id"
    complaint = (
        Complaint.objects.select_related("category", "agency", "province", "regency")
        .prefetch_related("vulnerable_groups")
        .get(pk=complaint.pk)
    )
    original = _original_text(complaint)
    identity = (
        Identity.objects.filter(complaint=complaint).select_related("own_agency").first()
        if not complaint.is_anonymous
        else None
    )
    messages = (
        complaint.messages.filter(
            kind__in=(CaseMessage.Kind.FROM_COMPLAINANT, CaseMessage.Kind.TO_COMPLAINANT)
        )
        .only("kind", "body", "sealed_body", "channel", "created_at")
        .order_by("created_at", "id")
    )
    reveals = IdentityReveal.objects.filter(complaint=complaint).select_related("officer__unit")
    return {
        "generated_at": timezone.now(),
        "tracking_code": codes.display_code(complaint.tracking_code),
        "complaint": {
            "state": _choice(State, complaint.state),
            "kind": _choice(Kind, complaint.kind),
            "category": complaint.category.label(language) if complaint.category_id else "",
            "agency": complaint.agency.name if complaint.agency_id else complaint.agency_name,
            "province": complaint.province.name,
            "regency": complaint.regency.name if complaint.regency_id else "",
            "location": original.get("location", complaint.location),
            "incident_date": complaint.incident_date,
            "filed_at": complaint.created_at,
            "description": original.get("description", complaint.description),
            "desired_outcome": original.get("desired_outcome", complaint.desired_outcome),
            "complained_to_agency_first": complaint.complained_to_agency_first,
            "vulnerable_groups": [group.label(language) for group in complaint.vulnerable_groups.all()],
            "confidentiality": _choice(Confidentiality, complaint.confidentiality),
            "reporter_type": _choice(ReporterType, complaint.reporter_type),
            "channel": _choice(Channel, complaint.channel),
            "notify_channel": _choice(NotifyChannel, complaint.notify_channel),
            "language": complaint.language,
            "consent_pdp_at": complaint.consent_pdp_at,
        },
        "identity": identity_fields(identity) if identity is not None else None,
        "messages": [
            {
                "at": message.created_at,
                "from_you": message.kind == CaseMessage.Kind.FROM_COMPLAINANT,
                "channel": _choice(Channel, message.channel),
                # Their own words, as typed, where the thread keeps them masked.
                "text": message.sealed_body or message.body,
            }
            for message in messages
        ],
        "evidence": [
            {
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
                "received_at": item.created_at,
                "channel": _choice(
                    DeskChannel if item.channel in DeskChannel.values else Channel, item.channel
                ),
            }
            # What the complainant gave: their evidence, and the letters a desk received from them;
            # not the officers' own documents about the case (a clarification letter, the LAHP).
            for item in complaint.evidence.filter(
                Q(uploaded_by__isnull=True) | Q(document_kind=DocumentKind.RECEIVED_LETTER)
            ).only("original_name", "content_type", "size", "created_at", "channel")
        ],
        "timeline": [
            {"at": step["at"], "text": step["text"]} for step in public_timeline(complaint, language)
        ],
        "notifications": [
            {
                "at": message.created_at,
                "channel": _choice(MessageChannel, message.channel),
                "status": _choice(MessageStatus, message.status),
                "text": _without_pin(complaint, message.body),
            }
            for message in messages_for(messaging.message_reference(complaint.pk))
            .only("channel", "status", "body", "created_at")
            .order_by("created_at", "id")
        ],
        # Who read the identity: the officer's unit and reason, never the officer.
        "identity_reads": [
            {
                "at": reveal.created_at,
                "unit": reveal.officer.unit.name if reveal.officer.unit_id else str(_("Administrator")),
                "reason": _reveal_reason(reveal.reason),
            }
            for reveal in reveals
        ],
        "data_requests": data_requests_of(complaint),
        "retention": retention_for(complaint),
    }
