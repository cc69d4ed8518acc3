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
    Category,
    Complaint,
    HandlingUnit,
    Kind,
    Outcome,
    RejectionReason,
    State,
    UnitKind,
)
from complaints.permissions import complaints_visible_to

HANDLING_KINDS = (UnitKind.OMBUDSMAN, UnitKind.KANWIL_HAM)


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
    default = HandlingUnit.objects.destination_for(kind=complaint.kind, province_id=complaint.province_id)
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
        # An anonymous report has no identity to check: the requirement does not apply
        # (docs/domain.md#verification), so the officer is not asked and clean_refer records it
        # as met. "Not applicable" stays readable: the case itself says it is anonymous.
        del fields["req_identity"]
    return fields


def clean_refer(complaint, cleaned, actor):
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
    return {
        "outcome": forms.ChoiceField(label=_("Hasil"), choices=Outcome.choices),
        "public_summary": forms.CharField(
            label=_("Ringkasan hasil untuk pelapor"),
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        ),
    }
