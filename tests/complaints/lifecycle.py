"""Put a complaint in any state by performing the real transitions."""

from complaints.models import State
from tests.factories import ComplaintFactory
from workflow import engine
from workflow.engine import Actor

REQUIREMENTS_MET = {
    "req_identity": "1",
    "req_chronology": "1",
    "req_agency_first": "1",
    "req_within_two_years": "1",
}

PATHS = {
    State.SUBMITTED: [],
    State.VERIFYING: ["start_verification"],
    State.AWAITING_INFO: ["start_verification", "request_info"],
    State.REFERRED: ["start_verification", "refer"],
    State.EXAMINATION: ["start_verification", "refer", "accept_referral"],
    State.RESOLVED: ["start_verification", "refer", "accept_referral", "resolve"],
    State.CLOSED: ["start_verification", "refer", "accept_referral", "resolve", "close"],
    State.REJECTED: ["start_verification", "reject"],
    State.WITHDRAWN: ["withdraw"],
    State.DUPLICATE: ["mark_duplicate"],
}

FIELDS = {
    "request_info": {"message": "Mohon lengkapi fotokopi KTP."},
    "provide_info": {"message": "Berikut KTP saya."},
    "refer": REQUIREMENTS_MET,
    "reject": {"rejection_reason": "bukan_kewenangan", "suggested_body": "Komisi Informasi"},
    "resolve": {"outcome": "maladministrasi_terbukti", "public_summary": "Instansi memperbaiki layanan."},
    "object": {"message": "Saya tidak setuju."},
    "return_referral": {},
}


def step(complaint, name, actor, via="web", **extra):
    fields = {**FIELDS.get(name, {}), **extra}
    if name == "mark_duplicate" and "duplicate_of" not in fields:
        fields["duplicate_of"] = ComplaintFactory().tracking_code
    note = "Dikembalikan: bukan wilayah kami." if name == "return_referral" else ""
    return engine.perform(complaint, name, actor=actor, via=via, note=note, **fields)


def complaint_in(state, *, admin, **factory_kwargs):
    complaint = ComplaintFactory(**factory_kwargs)
    officer = Actor.officer(admin)
    for name in PATHS[state]:
        actor = Actor.complainant() if name == "withdraw" else officer
        step(complaint, name, actor)
    assert complaint.state == state
    return complaint
