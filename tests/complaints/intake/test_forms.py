"""Filing a complaint through /lapor/: valid input, and every kind of bad input storing nothing."""

import os
import re

import pytest
from django.conf import settings

from complaints.models import Complaint, Evidence, Identity
from tests.complaints.intake_data import JPEG, PDF, PNG, docx_bytes, upload, valid

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def assert_nothing_stored():
    assert Complaint.objects.count() == 0
    assert Identity.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_a_citizen_files_a_complaint_and_sees_the_code_and_pin_once(client):
    response = client.post(
        "/lapor/",
        {
            **valid(),
            "evidence": [upload("ktp.pdf", PDF), upload("foto.png", PNG), upload("surat.docx", docx_bytes())],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/lapor/terkirim/"
    complaint = Complaint.objects.get()
    assert complaint.channel == "web" and complaint.state == "submitted"
    assert complaint.unit.code == "penerimaan-31"
    assert complaint.identity.phone == "+6281234567890"
    assert sorted(complaint.evidence.values_list("content_type", flat=True)) == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]
    assert len(stored_files()) == 3
    shown = client.get("/lapor/terkirim/")
    page = shown.content.decode()
    assert f"{complaint.tracking_code[:4]}-{complaint.tracking_code[4:]}" in page
    # Phones are shared: the browser's Back button or a proxy must not keep the PIN.
    assert "no-store" in shown["Cache-Control"]
    # Shown once: a reload does not show the PIN again.
    assert client.get("/lapor/terkirim/").status_code == 302


def test_anonymous_complaints_keep_no_identity(client):
    client.post("/lapor/", valid(confidentiality="anonim", name="Rahasia Sekali", phone="0812-3456-7890"))
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and not Identity.objects.exists()
    assert complaint.notify_channel == "none"


def test_an_asn_reporter_is_confidential_unless_they_choose_otherwise(client):
    client.post(
        "/lapor/",
        valid(
            reporter_type="asn",
            confidentiality="",
            nip="198001012005011002",
            own_agency_name="Dinas Kesehatan",
        ),
    )
    complaint = Complaint.objects.get()
    assert complaint.confidentiality == "rahasia"
    assert complaint.identity.nip == "198001012005011002"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Nomor telepon tidak valid"),
        ({"phone": "+1 202 555 0101"}, "phone", "Nomor telepon tidak valid"),
        ({"nik": "12345"}, "nik", "NIK harus 16 angka"),
        ({"reporter_type": "asn", "nip": "1980", "own_agency_name": "Dinas"}, "nip", "NIP harus 18 angka"),
        ({"description": ""}, "description", "harus diisi"),
        ({"name": ""}, "name", "Tulis nama Anda"),
        ({"phone": "", "email": ""}, "phone", "nomor telepon atau email"),
        ({"consent_pdp": None}, "consent_pdp", "harus diisi"),
        ({"province": ""}, "province", "harus diisi"),
        ({"incident_date": "2999-01-01"}, "incident_date", "masa depan"),
        ({"regency": "32.01"}, "regency", "tidak berada di provinsi"),
        ({"agency_name": ""}, "agency", "instansi"),
        ({"reporter_type": "asn", "own_agency_name": ""}, "own_agency", "instansi tempat Anda bekerja"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_stored(client, overrides, field, message):
    response = client.post("/lapor/", valid(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    html = response.content.decode()
    assert 'id="error-summary"' in html and f'href="#id_{field}"' in html
    assert_nothing_stored()


def test_the_phone_is_stored_in_e164_whatever_way_it_was_written(client):
    for written in ("0812 3456 7890", "62-812-3456-7890", "+62 812-3456-7890"):
        client.post("/lapor/", valid(phone=written))
    assert set(Identity.objects.values_list("phone", flat=True)) == {"+6281234567890"}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("besar.pdf", PDF + b"0" * (10 * 1024 * 1024))], "lebih dari 10 MB"),
        ([upload(f"b{i}.pdf", PDF) for i in range(6)], "Paling banyak 5"),
        ([upload("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100)], "bukan PDF"),
        ([upload("foto.pdf", JPEG)], "bukan PDF"),
        ([upload("arsip.docx", b"PK\x03\x04" + b"\x00" * 50)], "bukan PDF"),
    ],
    ids=["oversize", "six-files", "exe-named-pdf", "jpeg-named-pdf", "zip-named-docx"],
)
def test_bad_evidence_is_refused_and_leaves_no_file(client, files, message):
    response = client.post("/lapor/", {**valid(), "evidence": files})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["evidence"])
    assert_nothing_stored()


def test_a_file_name_that_tries_a_path_never_leaves_the_evidence_folder(client):
    # Django's multipart parser already cuts the path off the name; what is stored is a random
    # name inside the evidence folder, with the original base name kept for display.
    client.post("/lapor/", {**valid(), "evidence": [upload("../../etc/passwd.pdf", PDF)]})
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf"
    root = os.path.realpath(settings.STORAGES["default"]["OPTIONS"]["location"])
    (path,) = stored_files()
    assert os.path.realpath(path).startswith(root + os.sep) and "passwd" not in path


def test_a_name_with_path_parts_is_refused_where_it_arrives_unsanitised():
    # SMS/WhatsApp media and direct service calls do not pass through Django's parser.
    from django.core.exceptions import ValidationError

    from complaints.intake.forms import validate_evidence

    class Named:
        name, size = "../../etc/passwd.pdf", len(PDF)

    with pytest.raises(ValidationError, match="tidak diperbolehkan"):
        validate_evidence([Named()])


def test_a_failure_after_the_files_were_written_removes_them(client, monkeypatch):
    from complaints import messaging

    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(messaging, "enqueue_received", broken)
    with pytest.raises(RuntimeError):
        client.post("/lapor/", {**valid(), "evidence": [upload("ktp.pdf", PDF)]})
    assert_nothing_stored()


def test_script_in_any_text_field_is_stored_as_plain_text(client):
    client.post(
        "/lapor/",
        valid(
            name="<b>Budi</b>",
            description='<script>alert(1)</script>KTP saya <img src=x onerror="alert(1)">tertunda empat bulan lamanya.',
            desired_outcome='<a href="javascript:alert(1)">segera</a> dicetak',
        ),
    )
    complaint = Complaint.objects.get()
    assert complaint.description == "KTP saya tertunda empat bulan lamanya."
    assert complaint.desired_outcome == "segera dicetak"
    assert complaint.identity.name == "Budi"


def test_the_form_is_in_english_after_the_language_switch(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/lapor/"})
    response = client.get("/lapor/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("field", ["phone", "agency", "consent_pdp"])
def test_a_screen_reader_hears_the_error_with_its_field(client, field):
    bad = {"phone": {"phone": "12345"}, "agency": {"agency_name": ""}, "consent_pdp": {"consent_pdp": None}}
    html = client.post("/lapor/", valid(**bad[field])).content.decode()
    control = re.search(rf'<(?:input|select)[^>]*\bid="id_{field}"[^>]*>', html)
    assert control, html
    assert 'aria-invalid="true"' in control.group(0)
    assert f'aria-describedby="id_{field}-error"' in control.group(0)
    assert f'<ul class="errorlist" id="id_{field}-error">' in html


def test_fields_without_errors_are_not_marked_invalid(client):
    html = client.post("/lapor/", valid(phone="12345")).content.decode()
    assert html.count('aria-invalid="true"') == 1


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("ktp.pdf", PDF, "application/pdf"),
        ("foto.JPG", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        ("layar.png", PNG, "image/png"),
        ("rekaman.mp4", MP4, "video/mp4"),
        ("surat.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_each_allowed_evidence_type_is_recognised_from_its_bytes(name, content, mime):
    from complaints.intake.forms import validate_evidence

    (checked,) = validate_evidence([upload(name, content if content is not None else docx_bytes())])
    assert checked.sigap_content_type == mime


@pytest.mark.parametrize("name", ["a\x00.pdf", "..\\..\\boot.pdf", "/etc/passwd.pdf", ".htaccess.pdf"])
def test_names_that_try_a_path_or_hide_are_refused(name):
    from django.core.exceptions import ValidationError

    from complaints.intake.forms import validate_evidence

    class Named:
        size = len(PDF)

    Named.name = name
    with pytest.raises(ValidationError, match="tidak diperbolehkan"):
        validate_evidence([Named()])


def test_each_line_of_the_error_summary_leads_to_its_field(client):
    # Missing choices, a bad phone and no consent: every link must land on a control that exists.
    bad = valid(reporter_type=None, kind=None, complained_to_agency_first=None, phone="12345")
    bad.pop("consent_pdp")
    html = client.post("/lapor/", bad).content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert {
        "id_reporter_type",
        "id_kind",
        "id_complained_to_agency_first",
        "id_phone",
        "id_consent_pdp",
    } <= set(targets)
    for target in targets:
        assert re.search(rf'<(?:input|select|textarea|div)[^>]*\bid="{target}"', html), target
    assert re.search(r'<div class="error-summary"[^>]*\bautofocus>', html)


def test_an_evidence_name_with_markup_is_kept_as_plain_text(client):
    client.post(
        "/lapor/", {**valid(), "evidence": [upload('foto <img src=x onerror="alert(1)">ktp.pdf', PDF)]}
    )
    assert Evidence.objects.get().original_name == "foto ktp.pdf"


def test_one_address_filing_in_bulk_is_refused_with_a_clear_message(client, settings):
    settings.SIGAP_WEB_INTAKE_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/lapor/", valid()).status_code == 302
    refused = client.post("/lapor/", valid())
    assert refused.status_code == 200
    assert "Terlalu banyak pengaduan dari alamat ini" in refused.content.decode()
    assert Complaint.objects.count() == 2
