"""Desk intake at /petugas/lapor/: an intake officer files a complaint received in person, by letter,
by phone or by email on the complainant's behalf (docs/domain.md#desk-intake)."""

import re

import pytest

from complaints import codes
from complaints.models import Complaint, Confidentiality, Evidence, Role
from tests.complaints.intake_data import PDF, PNG, upload, valid
from tests.complaints.officer_cases import as_user
from tests.factories import UserFactory, unit
from workflow import engine

pytestmark = pytest.mark.django_db

CHANNELS = [
    ("in_person", "Datang langsung", "tanda tangan formulir"),
    ("letter", "Surat", "surat pelapor"),
    ("phone", "Telepon", "lisan, dicatat petugas"),
    ("email", "Email", "email pelapor"),
]


def desk_data(**overrides) -> dict:
    data = {"channel": "in_person", "consent_method": "tanda tangan formulir", "language": "id"}
    return valid(**{**data, **overrides})


@pytest.fixture
def intan(intake_officer):
    intake_officer.first_name, intake_officer.last_name = "Intan", "Permata"
    intake_officer.save()
    return intake_officer


@pytest.mark.parametrize(("channel", "label", "consent"), CHANNELS)
def test_a_desk_officer_files_a_complaint_for_each_channel(intan, channel, label, consent):
    client = as_user(intan)
    form = client.get("/petugas/lapor/").content.decode()
    assert 'enctype="multipart/form-data"' in form and "csrfmiddlewaretoken" in form
    response = client.post(
        "/petugas/lapor/",
        {
            **desk_data(channel=channel, consent_method=consent),
            "documents": [upload("surat pengaduan.pdf", PDF), upload("ktp.png", PNG)],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/petugas/lapor/terkirim/"
    complaint = Complaint.objects.get()
    # Channel, receiving officer, consent and the officer's desk.
    assert complaint.channel == channel
    assert complaint.received_by == intan
    assert complaint.consent_method == consent and complaint.consent_pdp_at is not None
    assert complaint.unit == unit("intake", "31")
    # The documents received are the officer's, kept apart from the complainant's evidence.
    documents = list(complaint.evidence.order_by("id"))
    assert [(d.original_name, d.uploaded_by, d.document_kind, d.channel) for d in documents] == [
        ("surat pengaduan.pdf", intan, "surat_masuk", channel),
        ("ktp.png", intan, "surat_masuk", channel),
    ]
    # The audit trail: the officer filed it (via the workspace), and attached each document.
    trail = list(engine.audit_trail(complaint))
    assert (trail[0].transition, trail[0].actor, trail[0].actor_kind, trail[0].via) == (
        "submit",
        intan,
        "officer",
        "web",
    )
    added = [row for row in trail if row.transition == "document_added"]
    assert [row.fields for row in added] == [{"kind": "surat_masuk", "title": ""}] * 2

    # The code and the PIN, once, with how to hand the PIN over.
    done = client.get("/petugas/lapor/terkirim/")
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    html = done.content.decode()
    assert complaint.tracking_code_display in html
    pin = re.search(r'id="pin">(\d{6})<', html).group(1)
    assert codes.pin_matches(complaint, pin)
    assert "hanya ditampilkan sekali" in html and "amplop tertutup" in html
    assert f'href="/petugas/kasus/{complaint.pk}/"' in html
    # The receipt to hand over: its number, the channel, the receiving desk, never the PIN.
    receipt_url = f"/petugas/kasus/{complaint.pk}/tanda-terima/"
    assert f'href="{receipt_url}"' in html
    receipt = client.get(receipt_url).content.decode()
    from complaints.public.receipts import receipt_number

    assert receipt_number(complaint) in receipt and label in receipt
    assert unit("intake", "31").name in receipt and complaint.tracking_code_display in receipt
    assert pin not in receipt and 'id="receipt-pin"' in receipt  # where the PIN is, never the PIN
    if channel == "in_person":
        assert "amplop tertutup" in receipt  # handed over in a sealed slip at the desk
    again = client.get("/petugas/lapor/terkirim/")
    assert again.status_code == 302 and pin not in again.content.decode()

    # The case page and the queue show the channel and who received it.
    case = client.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert f"{label} · diterima oleh Intan Permata" in case
    assert "Surat masuk / pengaduan tertulis" in case  # the documents' kind
    queue = client.get("/petugas/").content.decode()
    row = queue.split(f'data-complaint-id="{complaint.pk}"')[1].split("</tr>")[0]
    assert label in row and "diterima oleh Intan Permata" in row


def test_the_desk_form_checks_what_the_public_form_checks_and_its_own_fields(intan):
    client = as_user(intan)
    response = client.post(
        "/petugas/lapor/",
        {**desk_data(channel="", consent_method="", description="pendek"), "consent_pdp": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"channel", "consent_method", "description", "consent_pdp"} <= set(errors)
    bad_file = client.post("/petugas/lapor/", {**desk_data(), "documents": [upload("virus.pdf", b"MZ\x90")]})
    assert "documents" in bad_file.context["form"].errors
    assert not Complaint.objects.exists() and not Evidence.objects.exists()


def test_the_confirmation_of_consent_is_required(intan):
    response = as_user(intan).post("/petugas/lapor/", {**desk_data(), "consent_pdp": ""})
    assert "consent_pdp" in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_a_national_desk_files_for_any_province_a_provincial_desk_for_its_own(db):
    national = UserFactory(username="nadia", role=Role.INTAKE_OFFICER, unit=unit("intake", None))
    bandung = UserFactory(username="budi", role=Role.SUPERVISOR, unit=unit("intake", "32"))
    as_user(national).post("/petugas/lapor/", desk_data())
    as_user(bandung).post("/petugas/lapor/", desk_data())  # a Jakarta case filed in Bandung
    filed = {c.received_by.username: c.unit for c in Complaint.objects.select_related("unit", "received_by")}
    assert filed == {"nadia": unit("intake", None), "budi": unit("intake", "31")}


def test_a_confidential_complainants_documents_are_named_without_their_identity(intan):
    as_user(intan).post(
        "/petugas/lapor/",
        {**desk_data(confidentiality="rahasia"), "documents": [upload("KTP Budi Santoso.pdf", PDF)]},
    )
    complaint = Complaint.objects.get()
    assert complaint.confidentiality == Confidentiality.CONFIDENTIAL
    assert "Budi" not in complaint.evidence.get().original_name


@pytest.mark.parametrize("persona", ["ombudsman_officer", "kanwil_officer", "supervisor", "outsider"])
def test_officers_who_are_not_at_an_intake_desk_may_not_file(request, persona):
    officer = request.getfixturevalue(persona)
    client = as_user(officer)
    assert client.get("/petugas/lapor/").status_code == 403
    assert client.post("/petugas/lapor/", desk_data()).status_code == 403
    assert client.get("/petugas/lapor/terkirim/").status_code == 403
    assert 'href="/petugas/lapor/"' not in client.get("/petugas/").content.decode()
    assert not Complaint.objects.exists()


def test_signed_out_visitors_go_to_sign_in_and_administrators_may_file(administrator):
    response = as_user(None).get("/petugas/lapor/")
    assert response.status_code == 302 and "/petugas/masuk/" in response["Location"]
    client = as_user(administrator)
    assert 'href="/petugas/lapor/"' in client.get("/petugas/").content.decode()
    assert client.post("/petugas/lapor/", desk_data()).status_code == 302
    assert Complaint.objects.get().received_by == administrator


def test_the_same_desk_form_sent_twice_files_once(intan):
    client = as_user(intan)
    html = client.get("/petugas/lapor/").content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    data = {**desk_data(), "submission_token": token}
    assert client.post("/petugas/lapor/", data)["Location"] == "/petugas/lapor/terkirim/"
    assert client.post("/petugas/lapor/", data)["Location"] == "/petugas/lapor/terkirim/"  # a double click
    complaint = Complaint.objects.get()
    pin = re.search(r'id="pin">(\d{6})<', client.get("/petugas/lapor/terkirim/").content.decode()).group(1)
    assert codes.pin_matches(complaint, pin)
    # Once the PIN was shown, the same form again files nothing and shows no PIN.
    again = client.post("/petugas/lapor/", data, follow=True)
    assert again.redirect_chain[-1][0] == f"/petugas/kasus/{complaint.pk}/"
    assert "sudah tercatat" in again.content.decode() and pin not in again.content.decode()
    assert Complaint.objects.count() == 1


def test_the_desk_form_needs_its_csrf_token(intan):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(intan)
    assert client.post("/petugas/lapor/", desk_data()).status_code == 403
    assert not Complaint.objects.exists()


def test_the_desk_page_is_in_english_too(intan):
    client = as_user(intan)
    client.cookies["django_language"] = "en"
    html = client.get("/petugas/lapor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "In person" in html and "Documents received" in html
