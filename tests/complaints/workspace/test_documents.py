"""Documents officers attach to a case (docs/domain.md#documents): who may, how they are stored,
listed, downloaded and recorded in the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from complaints.models import Confidentiality, Evidence
from complaints.workspace.services import case_document_add
from tests.complaints.intake_data import PDF, upload
from tests.complaints.officer_cases import as_user, at_intake_desk, referred_to_ombudsman
from workflow import engine

pytestmark = pytest.mark.django_db


def attach(user, case, *, kind="surat_klarifikasi", title="Surat klarifikasi No. 12/2026", file=None):
    return as_user(user).post(
        f"/petugas/kasus/{case.pk}/dokumen/",
        {
            "document-kind": kind,
            "document-title": title,
            "document-file": file or upload("klarifikasi.pdf", PDF),
        },
    )


def documents(case):
    return list(Evidence.objects.filter(complaint=case, uploaded_by__isnull=False))


def events(case):
    return [(row.transition, row.actor.username, row.fields) for row in engine.audit_trail(case)
            if row.transition == "document_added"]  # fmt: skip


@pytest.fixture
def referred(administrator):
    return referred_to_ombudsman(administrator)


def test_the_handling_unit_attaches_a_document_listed_apart_from_the_evidence(referred, ombudsman_officer):
    ombudsman_officer.first_name, ombudsman_officer.last_name = "Oki", "Pratama"
    ombudsman_officer.save()
    response = attach(ombudsman_officer, referred)
    assert response.status_code == 302 and response["Location"].endswith(f"/kasus/{referred.pk}/#dokumen")
    (document,) = documents(referred)
    assert (document.uploaded_by, document.document_kind, document.title, document.channel) == (
        ombudsman_officer,
        "surat_klarifikasi",
        "Surat klarifikasi No. 12/2026",
        "web",
    )
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    # The audit trail says who attached what kind and title, never the file.
    assert events(referred) == [
        ("document_added", "oki", {"kind": "surat_klarifikasi", "title": "Surat klarifikasi No. 12/2026"})
    ]
    html = as_user(ombudsman_officer).get(f"/petugas/kasus/{referred.pk}/").content.decode()
    evidence_panel = html.split("<h2>Bukti</h2>")[1].split("</section>")[0]
    documents_panel = html.split('id="dokumen"')[1].split("</section>")[0]
    assert "surat.pdf" in evidence_panel and "Surat klarifikasi No. 12/2026" not in evidence_panel
    assert "Surat klarifikasi No. 12/2026" in documents_panel
    assert "Surat permintaan klarifikasi" in documents_panel and "Oki Pratama" in documents_panel
    assert f"/petugas/kasus/{referred.pk}/bukti/{document.pk}/" in documents_panel
    trail = html.split("Jejak audit")[1]
    assert (
        "Dokumen dilampirkan</strong>: Surat permintaan klarifikasi: Surat klarifikasi No. 12/2026" in trail
    )
    # Downloaded through the evidence view, permission-checked.
    download = as_user(ombudsman_officer).get(f"/petugas/kasus/{referred.pk}/bukti/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_intake_desk_attaches_while_the_case_is_at_the_desk(administrator, intake_officer):
    case = at_intake_desk(administrator)
    assert attach(intake_officer, case, kind="surat_masuk", title="Surat pengaduan").status_code == 302
    assert [d.document_kind for d in documents(case)] == ["surat_masuk"]


@pytest.mark.parametrize("persona", ["outsider", "kanwil_officer", "intake_officer"])
def test_another_units_officer_cannot_attach_or_download(request, referred, ombudsman_officer, persona):
    """Oscar (Jawa Barat), Kartika (the Kanwil) and the desk that referred the case: 404."""
    officer = request.getfixturevalue(persona)
    assert attach(officer, referred).status_code == 404
    attach(ombudsman_officer, referred)
    (document,) = documents(referred)
    assert as_user(officer).get(f"/petugas/kasus/{referred.pk}/bukti/{document.pk}/").status_code == 404
    assert len(events(referred)) == 1


def test_the_service_refuses_an_officer_who_may_not_act_on_the_case(referred, kanwil_officer, outsider):
    for officer in (kanwil_officer, outsider):
        with pytest.raises(PermissionDenied):
            case_document_add(officer, referred, upload("a.pdf", PDF), "lainnya", "Catatan")
    assert documents(referred) == [] and events(referred) == []


def test_a_signed_out_visitor_is_sent_to_sign_in(referred):
    response = Client().post(f"/petugas/kasus/{referred.pk}/dokumen/", {"document-kind": "lainnya"})
    assert response.status_code == 302 and "/petugas/masuk/" in response["Location"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"file": upload("palsu.pdf", b"MZ\x90\x00 not a pdf")}, "file"),
        ({"kind": "rahasia_negara"}, "kind"),
        ({"title": "   "}, "title"),
    ],
)
def test_a_file_kind_or_title_it_cannot_take_is_refused_and_nothing_is_kept(
    referred, ombudsman_officer, fields, field
):
    response = attach(ombudsman_officer, referred, **fields)
    assert response.status_code == 400
    assert response.context["document_form"].errors[field]
    assert documents(referred) == [] and events(referred) == []


def test_the_upload_form_needs_its_csrf_token(referred, ombudsman_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ombudsman_officer)
    response = client.post(
        f"/petugas/kasus/{referred.pk}/dokumen/",
        {"document-kind": "lainnya", "document-title": "x", "document-file": upload("a.pdf", PDF)},
    )
    assert response.status_code == 403 and documents(referred) == []


def test_a_confidential_complainants_name_never_reaches_a_title_or_the_audit_trail(
    administrator, ombudsman_officer
):
    case = referred_to_ombudsman(
        administrator,
        confidentiality=Confidentiality.CONFIDENTIAL,
        identity__name="Budi Santoso",
        identity__nik="3171234567890123",
    )
    attach(ombudsman_officer, case, title="Surat dari Budi Santoso, NIK 3171234567890123")
    (document,) = documents(case)
    assert "Budi" not in document.title and "3171234567890123" not in document.title
    ((_name, _who, fields),) = events(case)
    assert "Budi" not in fields["title"] and "3171234567890123" not in fields["title"]


def test_the_service_is_reusable_by_a_step_and_answers_the_row(referred, ombudsman_officer):
    row = case_document_add(ombudsman_officer, referred, upload("lahp.pdf", PDF), "laporan", "LAHP")
    assert row.pk and row.document_kind == "laporan" and row.uploaded_by == ombudsman_officer
    assert events(referred)[0][2] == {"kind": "laporan", "title": "LAHP"}
