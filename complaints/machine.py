"""The complaint state machine, declared for the workflow engine.

The transitions themselves (sources, targets, the fields they assign) are django-fsm methods on
complaints.models.Complaint. Here: who may perform each, the fields it needs, its labels in both
languages, the sentence the complainant reads on the public timeline, and the side effects of
every step (thread message, outbox rows, realtime event) in one hook.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow import engine
from workflow.engine import Actor, Machine, TransitionSpec

from . import messaging, realtime
from .models import (
    CaseMessage,
    Category,
    Complaint,
    HandlingUnit,
    Kind,
    Outcome,
    RejectionReason,
    Role,
    State,
    UnitKind,
)
from .units import destination_for, intake_desk_for

MACHINE = "complaint"
HANDLING_KINDS = (UnitKind.OMBUDSMAN, UnitKind.KANWIL_HAM)


# --- who may ---------------------------------------------------------------------------------------
def _officer(actor: Actor):
    return actor.user if actor.is_officer and actor.user.is_active else None


def is_admin(actor: Actor) -> bool:
    user = _officer(actor)
    return bool(user and user.role == Role.ADMINISTRATOR)


def at_intake_desk(complaint: Complaint, actor: Actor) -> bool:
    """An intake officer or supervisor of a desk that sees this case (or an administrator)."""
    from .permissions import complaints_visible_to

    user = _officer(actor)
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    if user.role not in (Role.INTAKE_OFFICER, Role.SUPERVISOR) or user.unit is None:
        return False
    if user.unit.kind != UnitKind.INTAKE:
        return False
    # One query per (case, officer), not one per transition: available_transitions asks this for
    # every intake step of the same instance. Keyed by the unit too: visibility follows the unit
    # (a referral moves the case away), so a memo copied onto the caller's object by perform
    # cannot answer for a case that moved.
    seen = complaint.__dict__.setdefault("_visible_to", {})
    key = (user.pk, complaint.unit_id)
    if key not in seen:
        seen[key] = complaints_visible_to(user).filter(pk=complaint.pk).exists()
    return seen[key]


def at_handling_unit(complaint: Complaint, actor: Actor) -> bool:
    """A case officer or supervisor of the unit the case was referred to (or an administrator)."""
    user = _officer(actor)
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return (
        user.role in (Role.CASE_OFFICER, Role.SUPERVISOR)
        and user.unit_id is not None
        and user.unit_id == complaint.unit_id
    )


def may_request_info(complaint: Complaint, actor: Actor) -> bool:
    if complaint.state == State.EXAMINATION:
        return at_handling_unit(complaint, actor)
    return at_intake_desk(complaint, actor)


def may_close(complaint: Complaint, actor: Actor) -> bool:
    if actor.is_system or is_admin(actor):
        return True
    user = _officer(actor)
    return bool(user and user.role == Role.SUPERVISOR and user.unit_id == complaint.unit_id)


def complainant(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_complainant


def system(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_system


# --- fields ----------------------------------------------------------------------------------------
MET_CHOICES = [("1", _("Terpenuhi")), ("0", _("Tidak terpenuhi"))]


def _met(label, *, required=True):
    return forms.TypedChoiceField(
        label=label, choices=MET_CHOICES, coerce=lambda v: v == "1", required=required, empty_value=None
    )


def _message(label, *, required=True):
    return forms.CharField(
        label=label, required=required, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


def request_info_fields(complaint):
    return {"message": _message(_("Kelengkapan yang diminta dari pelapor"))}


def complainant_message_fields(complaint):
    return {"message": _message(_("Pesan Anda"))}


def objection_fields(complaint):
    return {"message": _message(_("Alasan keberatan"))}


def withdraw_fields(complaint):
    return {"message": _message(_("Alasan pencabutan (boleh dikosongkan)"), required=False)}


def refer_fields(complaint):
    default = destination_for(kind=complaint.kind, province_id=complaint.province_id)
    fields = {
        "kind": forms.ChoiceField(
            label=_("Jenis pengaduan"),
            choices=[
                (Kind.MALADMINISTRATION.value, Kind.MALADMINISTRATION.label),
                (Kind.HAM.value, Kind.HAM.label),
            ],
            initial=complaint.kind if complaint.kind != Kind.UNKNOWN else None,
            required=complaint.kind == Kind.UNKNOWN,
        ),
        "category": forms.ModelChoiceField(
            label=_("Kategori"), queryset=Category.objects.filter(is_active=True), required=False
        ),
        "destination": forms.ModelChoiceField(
            label=_("Unit tujuan (kosongkan untuk unit bawaan menurut jenis dan provinsi)"),
            queryset=HandlingUnit.objects.filter(kind__in=HANDLING_KINDS, is_active=True).select_related(
                "province"
            ),
            initial=default.pk if default else None,
            required=False,
        ),
        "req_identity": _met(_("Identitas pelapor jelas")),
        "req_chronology": _met(_("Uraian kronologi jelas")),
        "req_agency_first": _met(_("Pelapor sudah mengadu ke instansi terlapor")),
        "req_within_two_years": _met(_("Peristiwa belum lewat 2 tahun")),
    }
    if complaint.is_anonymous:
        # An anonymous report has no identity to check: the requirement does not apply (DESIGN.md:
        # "identity, unless anonymous"), so the officer is not asked and clean_refer records it
        # as met. "Not applicable" stays readable: the case itself says it is anonymous.
        del fields["req_identity"]
    return fields


def clean_refer(complaint, cleaned):
    kind = cleaned.get("kind") or complaint.kind
    if kind not in (Kind.MALADMINISTRATION, Kind.HAM):
        return {"kind": [str(_("Tentukan jenisnya: maladministrasi atau pelanggaran HAM."))]}
    cleaned["kind"] = kind
    category = cleaned.get("category")
    if category is not None and category.kind != kind:
        return {"category": [str(_("Kategori tidak sesuai dengan jenis pengaduan."))]}
    destination = cleaned.get("destination") or destination_for(kind=kind, province_id=complaint.province_id)
    if destination is None:
        return {"destination": [str(_("Tidak ada unit tujuan untuk provinsi ini; pilih unit tujuan."))]}
    expected = UnitKind.OMBUDSMAN if kind == Kind.MALADMINISTRATION else UnitKind.KANWIL_HAM
    if destination.kind != expected:
        return {
            "destination": [
                str(_("Maladministrasi dirujuk ke Ombudsman RI, pelanggaran HAM ke Kanwil Kementerian HAM."))
            ]
        }
    cleaned["destination"] = destination
    if complaint.is_anonymous:
        cleaned["req_identity"] = True  # not applicable, see refer_fields
    return {}


def reject_fields(complaint):
    return {
        "rejection_reason": forms.ChoiceField(label=_("Alasan penolakan"), choices=RejectionReason.choices),
        "suggested_body": forms.CharField(label=_("Lembaga yang berwenang (disarankan)"), max_length=200),
    }


def duplicate_fields(complaint):
    return {"duplicate_of": forms.CharField(label=_("Kode lacak pengaduan yang digabungkan"), max_length=20)}


def clean_duplicate(complaint, cleaned):
    code = "".join(ch for ch in cleaned["duplicate_of"].upper() if ch.isalnum())
    target = Complaint.objects.filter(tracking_code=code).exclude(pk=complaint.pk).first()
    if target is None:
        return {"duplicate_of": [str(_("Pengaduan dengan kode itu tidak ditemukan."))]}
    if target.state == State.DUPLICATE:
        return {
            "duplicate_of": [str(_("Pengaduan itu sendiri sudah digabungkan; pilih pengaduan induknya."))]
        }
    cleaned["duplicate_of"] = target
    return {}


def resolve_fields(complaint):
    return {
        "outcome": forms.ChoiceField(label=_("Hasil"), choices=Outcome.choices),
        "public_summary": forms.CharField(
            label=_("Ringkasan hasil untuk pelapor"),
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
    }


# --- the machine -----------------------------------------------------------------------------------
def T(name, label_id, label_en, allowed, public_id="", public_en="", **kw) -> TransitionSpec:  # noqa: N802
    return TransitionSpec(
        name=name,
        label_id=label_id,
        label_en=label_en,
        allowed=allowed,
        public_id=public_id,
        public_en=public_en,
        **kw,
    )


TRANSITIONS = [
    T(
        "start_verification",
        "Mulai verifikasi",
        "Start verification",
        at_intake_desk,
        "Pengaduan Anda mulai diverifikasi.",
        "Your complaint is being verified.",
    ),
    T(
        "request_info",
        "Minta kelengkapan",
        "Request information",
        may_request_info,
        "Petugas meminta informasi tambahan dari Anda.",
        "The officer asked you for more information.",
        fields=request_info_fields,
    ),
    T(
        "provide_info",
        "Kirim kelengkapan",
        "Provide information",
        complainant,
        "Anda mengirim informasi tambahan.",
        "You sent more information.",
        fields=complainant_message_fields,
    ),
    T(
        "expire_info",
        "Batas kelengkapan lewat",
        "Information deadline passed",
        system,
        "Batas waktu melengkapi terlewati; pengaduan dianggap dicabut.",
        "The deadline for more information passed; the complaint is treated as withdrawn.",
    ),
    T(
        "refer",
        "Rujuk",
        "Refer",
        at_intake_desk,
        "Pengaduan Anda dirujuk ke unit yang berwenang.",
        "Your complaint was referred to the competent unit.",
        fields=refer_fields,
        clean=clean_refer,
    ),
    T(
        "reject",
        "Tolak",
        "Reject",
        at_intake_desk,
        "Pengaduan Anda tidak dapat ditindaklanjuti.",
        "Your complaint cannot be taken further.",
        fields=reject_fields,
    ),
    T(
        "mark_duplicate",
        "Gabungkan (duplikat)",
        "Merge (duplicate)",
        at_intake_desk,
        "Pengaduan Anda digabungkan dengan pengaduan lain yang sama.",
        "Your complaint was merged with another one about the same matter.",
        fields=duplicate_fields,
        clean=clean_duplicate,
    ),
    T(
        "accept_referral",
        "Terima rujukan",
        "Accept referral",
        at_handling_unit,
        "Pengaduan Anda mulai diperiksa.",
        "Your complaint is under examination.",
    ),
    T(
        "return_referral",
        "Kembalikan rujukan",
        "Return referral",
        at_handling_unit,
        "Pengaduan Anda dikembalikan untuk diverifikasi ulang.",
        "Your complaint went back for verification.",
        note_required=True,
    ),
    T(
        "resolve",
        "Selesaikan",
        "Resolve",
        at_handling_unit,
        "Pemeriksaan selesai; lihat hasilnya.",
        "The examination is finished; see the outcome.",
        fields=resolve_fields,
    ),
    T(
        "object",
        "Ajukan keberatan",
        "Object to the outcome",
        complainant,
        "Anda mengajukan keberatan atas hasil; pengaduan diperiksa kembali.",
        "You objected to the outcome; the complaint is examined again.",
        fields=objection_fields,
    ),
    T(
        "close",
        "Tutup",
        "Close",
        may_close,
        "Pengaduan ditutup.",
        "The complaint is closed.",
    ),
    T(
        "withdraw",
        "Cabut pengaduan",
        "Withdraw the complaint",
        complainant,
        "Anda mencabut pengaduan.",
        "You withdrew the complaint.",
        fields=withdraw_fields,
    ),
]

# What the complainant typed goes into the case's thread; what an officer asks goes there too.
COMPLAINANT_MESSAGES = {"provide_info", "object", "withdraw"}


def after_transition(complaint: Complaint, log, *, actor: Actor, via: str, source: str) -> None:
    """Side effects of every step, inside its transaction (realtime only after commit)."""
    message = (log.fields or {}).get("message") or ""
    if message and log.transition in COMPLAINANT_MESSAGES:
        CaseMessage.objects.create(
            complaint=complaint, kind=CaseMessage.Kind.FROM_COMPLAINANT, body=message, channel=_channel(via)
        )
    elif message and log.transition == "request_info":
        CaseMessage.objects.create(
            complaint=complaint,
            kind=CaseMessage.Kind.TO_COMPLAINANT,
            author=actor.user if actor.is_officer else None,
            body=message,
            channel=_channel(via),
        )
    messaging.enqueue_for_transition(complaint, log)
    realtime.broadcast_complaint_event_on_commit(
        complaint,
        event=log.transition,
        actor=actor.user if actor.is_officer else None,
        previous_unit_id=getattr(complaint, "_previous_unit_id", None),
    )


def _channel(via: str) -> str:
    return via if via in ("web", "api", "sms", "whatsapp") else "web"


machine = engine.register(
    Machine(model=Complaint, transitions=TRANSITIONS, after_transition=after_transition, states=State.choices)
)


def complaint_received(complaint: Complaint, *, via: str) -> None:
    """Start the clock of a newly filed complaint and write its first audit row (intake)."""
    from .deadlines import due_for

    now = timezone.now()
    complaint.due_at = due_for(complaint, State.SUBMITTED, start=now)
    complaint.state_changed_at = now
    Complaint.objects.filter(pk=complaint.pk).update(due_at=complaint.due_at, state_changed_at=now)
    engine.record_creation(complaint, via=via)
    # The intake desk's queue shows the new case live (after commit, best effort).
    realtime.broadcast_complaint_event_on_commit(complaint, event="submit")


def public_label(transition: str, language: str | None = None) -> str:
    if transition == "submit":
        return str(_("Pengaduan diterima."))
    try:
        return machine.spec(transition).public_label(language)
    except engine.UnknownTransition:
        return ""


def deadline_status(complaint: Complaint) -> tuple:
    return complaint.due_at, complaint.is_overdue


def intake_desk(complaint: Complaint) -> HandlingUnit:
    return intake_desk_for(complaint.province_id)
