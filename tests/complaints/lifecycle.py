"""Put a complaint in any state by performing the real transitions."""

import hashlib

from django.core.files.base import ContentFile

from complaints.models import Channel, DocumentKind, Evidence, Kind, State
from tests.factories import ComplaintFactory
from workflow import engine
from workflow.engine import Actor

REQUIREMENTS_MET = {
    "req_identity": "1",
    "req_chronology": "1",
    "req_agency_first": "1",
    "req_within_two_years": "1",
}

REFERRED = ["start_verification", "verify_formal", "refer"]
EXAMINING = [*REFERRED, "accept_referral"]
PATHS = {
    State.SUBMITTED: [],
    State.VERIFYING: ["start_verification"],
    State.MATERIAL_VERIFICATION: ["start_verification", "verify_formal"],
    State.AWAITING_INFO: ["start_verification", "request_info"],
    State.REFERRED: REFERRED,
    State.EXAMINATION: EXAMINING,
    State.CLARIFICATION: [*EXAMINING, "request_clarification"],
    State.INVESTIGATION: [*EXAMINING, "start_investigation"],
    State.MEDIATION: [*EXAMINING, "start_mediation"],
    State.CORRECTIVE_ACTION: [*EXAMINING, "issue_lahp"],
    State.RECOMMENDATION: [*EXAMINING, "issue_lahp", "issue_recommendation"],
    State.RESOLVED: [*EXAMINING, "resolve"],
    State.CLOSED: [*EXAMINING, "resolve", "window_passes", "close"],
    State.REJECTED: ["start_verification", "reject"],
    State.WITHDRAWN: ["withdraw"],
    State.DUPLICATE: ["mark_duplicate"],
}

FIELDS = {
    "request_info": {"message": "Mohon lengkapi fotokopi KTP."},
    "provide_info": {"message": "Berikut KTP saya."},
    "verify_formal": REQUIREMENTS_MET,
    "reject": {"rejection_reason": "bukan_kewenangan", "suggested_body": "Komisi Informasi"},
    "resolve": {"outcome": "diselesaikan_instansi", "public_summary": "Instansi memperbaiki layanan."},
    "object": {"message": "Saya tidak setuju."},
    "return_referral": {},
    "request_clarification": {"agency_days": "14"},
    "record_clarification": {"answered": "1"},
    "start_mediation": {"parties_agree": "on"},
    "end_mediation": {"agreed": "1", "public_summary": "Instansi dan pelapor sepakat."},
    "issue_lahp": {
        "finding": "found",
        "corrective_action": "Terbitkan KTP pelapor dan perbaiki antrean.",
        "agency_days": "30",
        "public_summary": "Maladministrasi ditemukan: penundaan berlarut.",
    },
    "corrective_action_done": {"public_summary": "KTP pelapor diterbitkan."},
    "issue_recommendation": {"recommendation": "Bupati menegur kepala dinas.", "agency_days": "60"},
    "recommendation_done": {"carried_out": "1", "public_summary": "Rekomendasi dilaksanakan."},
}
# The document a step needs among the case's documents (complaints/steps.py), attached first.
DOCUMENTS = {
    "request_clarification": DocumentKind.CLARIFICATION_LETTER,
    "record_clarification": DocumentKind.AGENCY_ANSWER,
    "issue_lahp": DocumentKind.REPORT,
    "issue_recommendation": DocumentKind.RECOMMENDATION,
}
NOTES = {
    "return_referral": "Dikembalikan: bukan wilayah kami.",
    "start_investigation": "Periksa dokumen antrean di dinas.",
}


def attach_document(complaint, kind, *, by=None):
    """A document an officer attached to the case (as the case page's upload stores it)."""
    content = f"%PDF-1.4 {kind} {complaint.pk}".encode()
    evidence = Evidence(
        complaint=complaint,
        original_name=f"{kind}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        channel=Channel.WEB,
        uploaded_by=by,
        document_kind=kind,
        title=kind,
    )
    evidence.file.save(f"{kind}.pdf", ContentFile(content), save=False)
    evidence.save()
    return evidence


def step(complaint, name, actor, via="web", **extra):
    fields = {**FIELDS.get(name, {}), **extra}
    if name == "mark_duplicate" and "duplicate_of" not in fields:
        fields["duplicate_of"] = ComplaintFactory().tracking_code
    if (
        name in DOCUMENTS
        and not Evidence.objects.filter(complaint=complaint, document_kind=DOCUMENTS[name]).exists()
    ):
        attach_document(complaint, DOCUMENTS[name])
    note = NOTES.get(name, "")
    return engine.perform(complaint, name, actor=actor, via=via, note=note, **fields)


def complaint_in(state, *, admin, **factory_kwargs):
    if state in (State.INVESTIGATION, State.CORRECTIVE_ACTION) and "kind" not in factory_kwargs:
        factory_kwargs["kind"] = Kind.MALADMINISTRATION  # the Ombudsman's own stages
    complaint = ComplaintFactory(**factory_kwargs)
    officer = Actor.officer(admin)
    path = list(PATHS[state])
    if complaint.is_anonymous and "refer" in path:
        # Anonymous information is taken up on own motion, never verified and referred as a report.
        path = [n for n in path if n != "verify_formal"]
        path[path.index("refer")] = "take_up_own_motion"
    for name in path:
        if name == "window_passes":
            window_passes(complaint)
            continue
        actor = Actor.complainant() if name == "withdraw" else officer
        step(complaint, name, actor)
    assert complaint.state == state
    return complaint


def window_passes(complaint):
    """The objection window of a resolved case is over (as the clock would have it tomorrow)."""
    import datetime

    from django.utils import timezone

    from complaints.models import Complaint

    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    complaint.refresh_from_db()
