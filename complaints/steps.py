"""What each step of the complaint machine asks the officer or the complainant, and its checks.

Each ``*_fields`` function returns the form fields a transition needs for this complaint (the
engine builds one form from them for the web page and the API alike); each ``clean_*`` checks
the cleaned values against the complaint and returns errors by field (empty when all is well).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.codes import normalise_code
from complaints.models import (
    RESOLVE_OUTCOMES,
    Category,
    Complaint,
    DocumentKind,
    Evidence,
    Finding,
    HandlingUnit,
    Kind,
    RejectionReason,
    State,
    UnitKind,
)
from complaints.permissions import complaints_visible_to

HANDLING_KINDS = (UnitKind.OMBUDSMAN, UnitKind.KANWIL_HAM)


# No answer is chosen beforehand: each requirement must be decided (docs/domain.md#verification).
MET_CHOICES = [("", _("— pilih —")), ("1", _("Terpenuhi")), ("0", _("Tidak terpenuhi"))]
YES_NO = [("", _("— pilih —")), ("1", _("Ya")), ("0", _("Tidak"))]


def _met(label, *, required=True):
    return forms.TypedChoiceField(
        label=label, choices=MET_CHOICES, coerce=lambda v: v == "1", required=required, empty_value=None
    )


def _yes_no(label):
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "1", empty_value=None)


def _summary(label=None, *, required=True):
    return forms.CharField(
        label=label or _("Ringkasan untuk pelapor"),
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _agency_days(complaint, stage: str):
    from complaints.machine import agency_rule

    rule = agency_rule(complaint, stage)
    unit = _("hari kerja") if rule is None or rule.working_days else _("hari kalender")
    return forms.IntegerField(
        label=_("Batas waktu instansi (%(unit)s)") % {"unit": unit},
        min_value=1,
        max_value=180,
        initial=rule.days if rule else 14,
        help_text=rule.source if rule else "",
    )


def _needs_document(complaint, kind: str, field: str = "note") -> dict:
    """The step needs a document of this kind among the case's documents (attached first)."""
    if Evidence.objects.filter(complaint=complaint, document_kind=kind).exists():
        return {}
    label = dict(DocumentKind.CHOICES)[kind]
    return {
        field: [
            str(_("Lampirkan dahulu dokumen \u201c%(kind)s\u201d di bagian Dokumen kasus.") % {"kind": label})
        ]
    }


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


REQUIREMENTS = ("req_identity", "req_chronology", "req_agency_first", "req_within_two_years")


def verify_formal_fields(complaint):
    return {
        "req_identity": _met(_("Identitas pelapor jelas (UU 37/2008 ps. 24 ayat 1 huruf a)")),
        "req_chronology": _met(_("Uraian kronologi jelas (ps. 24 ayat 1 huruf b)")),
        "req_agency_first": _met(_("Pelapor sudah mengadu ke instansi terlapor (ps. 24 ayat 1 huruf c)")),
        "req_within_two_years": _met(_("Peristiwa belum lewat 2 tahun (ps. 24 ayat 3)")),
    }


def clean_verify_formal(complaint, cleaned, actor):
    """Every requirement decided, and met: a report missing one is never passed on as it is."""
    unmet = str(
        _("Tidak terpenuhi: minta kelengkapan kepada pelapor, atau tolak pengaduan dengan alasannya.")
    )
    return {name: [unmet] for name in REQUIREMENTS if cleaned.get(name) is False}


def refer_fields(complaint):
    default = HandlingUnit.objects.destination_for(kind=complaint.kind, province_id=complaint.province_id)
    return {
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
    }


def clean_refer(complaint, cleaned, actor):
    if complaint.is_anonymous:
        return {
            "destination": [
                str(_("Pengaduan anonim tidak dirujuk sebagai laporan: proses atas prakarsa sendiri."))
            ]
        }
    if not all(getattr(complaint, name) for name in REQUIREMENTS):
        return {
            "destination": [str(_("Syarat formal belum semuanya terpenuhi: selesaikan verifikasi formal."))]
        }
    return _clean_destination(complaint, cleaned)


def clean_own_motion(complaint, cleaned, actor):
    if not complaint.is_anonymous:
        return {"destination": [str(_("Hanya informasi anonim yang diproses atas prakarsa sendiri."))]}
    return _clean_destination(complaint, cleaned)


def _clean_destination(complaint, cleaned):
    kind = cleaned.get("kind") or complaint.kind
    if kind not in (Kind.MALADMINISTRATION, Kind.HAM):
        return {"kind": [str(_("Tentukan jenisnya: maladministrasi atau pelanggaran HAM."))]}
    cleaned["kind"] = kind
    category = cleaned.get("category")
    if category is not None and category.kind != kind:
        return {"category": [str(_("Kategori tidak sesuai dengan jenis pengaduan."))]}
    destination = cleaned.get("destination") or HandlingUnit.objects.destination_for(
        kind=kind, province_id=complaint.province_id
    )
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
    return {}


def reject_fields(complaint):
    return {
        "rejection_reason": forms.ChoiceField(label=_("Alasan penolakan"), choices=RejectionReason.choices),
        "suggested_body": forms.CharField(
            label=_("Lembaga yang berwenang (wajib bila bukan kewenangan kami atau bukan pelayanan publik)"),
            max_length=200,
            required=False,
        ),
    }


# The reasons that send the complainant elsewhere, and so must say where.
NEEDS_COMPETENT_BODY = (RejectionReason.NOT_COMPETENT, RejectionReason.NOT_PUBLIC_SERVICE)


def clean_reject(complaint, cleaned, actor):
    if cleaned.get("rejection_reason") in NEEDS_COMPETENT_BODY and not cleaned.get("suggested_body"):
        return {
            "suggested_body": [str(_("Sebutkan lembaga yang berwenang, agar pelapor tahu ke mana mengadu."))]
        }
    return {}


def duplicate_fields(complaint):
    return {"duplicate_of": forms.CharField(label=_("Kode lacak pengaduan yang digabungkan"), max_length=20)}


def clean_duplicate(complaint, cleaned, actor):
    # Only a case this officer may see: another unit's code gets the answer an unknown code gets,
    # so the field does not tell which tracking codes exist.
    visible = complaints_visible_to(actor.user) if actor.is_officer else Complaint.objects.none()
    code = normalise_code(cleaned["duplicate_of"])
    target = visible.filter(tracking_code=code).exclude(pk=complaint.pk).first()
    if target is None:
        return {"duplicate_of": [str(_("Pengaduan dengan kode itu tidak ditemukan."))]}
    if target.state == State.DUPLICATE:
        return {
            "duplicate_of": [str(_("Pengaduan itu sendiri sudah digabungkan; pilih pengaduan induknya."))]
        }
    cleaned["duplicate_of"] = target
    return {}


def resolve_fields(complaint):
    """Only the outcomes of the case's route that no other step records (docs/domain.md)."""
    outcomes = RESOLVE_OUTCOMES.get(complaint.kind, RESOLVE_OUTCOMES["maladministrasi"])
    return {
        "outcome": forms.ChoiceField(label=_("Hasil"), choices=[(o.value, o.label) for o in outcomes]),
        "public_summary": _summary(_("Ringkasan hasil untuk pelapor")),
    }


# --- the examination's stages ------------------------------------------------------------------------
def request_clarification_fields(complaint):
    return {"agency_days": _agency_days(complaint, State.CLARIFICATION)}


def clean_request_clarification(complaint, cleaned, actor):
    return _needs_document(complaint, DocumentKind.CLARIFICATION_LETTER)


def record_clarification_fields(complaint):
    return {"answered": _yes_no(_("Instansi menjawab permintaan klarifikasi"))}


def clean_record_clarification(complaint, cleaned, actor):
    if cleaned.get("answered"):
        return _needs_document(complaint, DocumentKind.AGENCY_ANSWER, "answered")
    return {}


def start_mediation_fields(complaint):
    return {
        "parties_agree": forms.BooleanField(
            label=_("Pelapor dan instansi terlapor sama-sama setuju untuk dimediasi"), required=True
        )
    }


def clean_start_mediation(complaint, cleaned, actor):
    cleaned.pop("parties_agree", None)  # the form's required check is the record; the method takes none
    return {}


def end_mediation_fields(complaint):
    return {
        "agreed": _yes_no(_("Tercapai kesepakatan")),
        "public_summary": _summary(
            _("Ringkasan kesepakatan untuk pelapor (wajib bila sepakat)"), required=False
        ),
    }


def clean_end_mediation(complaint, cleaned, actor):
    if cleaned.get("agreed") and not cleaned.get("public_summary"):
        return {"public_summary": [str(_("Tuliskan kesepakatannya untuk pelapor."))]}
    return {}


def issue_lahp_fields(complaint):
    return {
        "finding": forms.ChoiceField(
            label=_("Temuan LAHP"), choices=[("", _("— pilih —")), *Finding.choices]
        ),
        "corrective_action": forms.CharField(
            label=_("Tindakan korektif yang wajib dilakukan instansi (bila ditemukan maladministrasi)"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
        "agency_days": _agency_days(complaint, State.CORRECTIVE_ACTION),
        "public_summary": _summary(),
    }


def clean_issue_lahp(complaint, cleaned, actor):
    if cleaned.get("finding") == Finding.FOUND and not cleaned.get("corrective_action"):
        return {"corrective_action": [str(_("Tuliskan tindakan korektif yang harus dilakukan instansi."))]}
    return _needs_document(complaint, DocumentKind.REPORT)


def corrective_action_done_fields(complaint):
    return {"public_summary": _summary()}


def issue_recommendation_fields(complaint):
    return {
        "recommendation": forms.CharField(
            label=_("Isi rekomendasi kepada instansi"),
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
        "agency_days": _agency_days(complaint, State.RECOMMENDATION),
        "public_summary": _summary(required=False),
    }


def clean_issue_recommendation(complaint, cleaned, actor):
    return _needs_document(complaint, DocumentKind.RECOMMENDATION)


def recommendation_done_fields(complaint):
    return {"carried_out": _yes_no(_("Rekomendasi dilaksanakan instansi")), "public_summary": _summary()}
