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
    client.post(
        "/lapor/",
        valid(confidentiality="anonim", name="Rahasia Sekali", phone="0812-3456-7890", notify_channel="none"),
    )
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
        ([upload("catatan.png", b"bukan gambar, hanya teks" * 4)], "bukan PDF"),
        ([upload("foto.exe", PNG)], "bukan PDF"),
        ([upload("foto", PNG)], "bukan PDF"),
        ([upload("arsip.docx", b"PK\x03\x04" + b"\x00" * 50)], "bukan PDF"),
    ],
    ids=[
        "oversize",
        "six-files",
        "exe-named-pdf",
        "text-named-png",
        "png-named-exe",
        "no-extension",
        "zip-named-docx",
    ],
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
    from complaints import machine

    def broken(*args, **kwargs):
        raise RuntimeError("realtime down")

    # Fails after the complaint's rows and the file's row were written, before the commit.
    monkeypatch.setattr(machine, "complaint_received", broken)
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


# --- the bytes decide the type; the name only has to name an allowed one -----------------------------
@pytest.mark.parametrize(
    ("name", "content", "mime", "stored_as"),
    [
        ("foto.jpg", PNG, "image/png", "foto.png"),  # a phone's screenshot, renamed by a chat app
        ("layar.PNG", JPEG, "image/jpeg", "layar.jpg"),
        ("scan.pdf", JPEG, "image/jpeg", "scan.jpg"),
    ],
)
def test_a_file_whose_name_names_another_allowed_type_is_filed_as_what_it_is(
    client, name, content, mime, stored_as
):
    response = client.post("/lapor/", {**valid(), "evidence": [upload(name, content)]})
    assert response.status_code == 302, response.context["form"].errors
    evidence = Evidence.objects.get()
    assert (evidence.content_type, evidence.original_name) == (mime, stored_as)
    (path,) = stored_files()
    assert path.endswith("." + stored_as.rsplit(".", 1)[1]) and evidence.file.name.endswith(path[-4:])


# --- updates by SMS or WhatsApp need a mobile number ------------------------------------------------
@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_a_landline_is_refused_for_texted_updates_with_the_reason(client, channel):
    response = client.post("/lapor/", valid(phone="(021) 555-1234", notify_channel=channel))
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["phone"])
    assert "bukan nomor ponsel" in message and "Tidak perlu" in message
    assert_nothing_stored()


def test_a_landline_is_kept_when_no_texted_updates_are_asked_for(client):
    assert client.post("/lapor/", valid(phone="021-555-1234", notify_channel="none")).status_code == 302
    assert Identity.objects.get().phone == "+62215551234"


def test_the_landline_refusal_is_in_english_too(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/lapor/", valid(phone="021-555-1234", notify_channel="sms")).content.decode()
    assert "This is not a mobile number, so it cannot receive SMS or WhatsApp." in page


# --- anonymous means no phone: asking for texted updates anyway is answered, not ignored -------------
@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_anonymous_with_a_phone_and_texted_updates_is_refused_with_a_clear_reason(client, channel):
    response = client.post(
        "/lapor/", valid(confidentiality="anonim", name="", phone="0812-3456-7890", notify_channel=channel)
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["phone"])
    assert "Pengaduan anonim tidak menyimpan nomor telepon" in message and "kode lacak" in message
    assert "pilih Rahasia" in message
    assert_nothing_stored()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(
        "/lapor/", valid(confidentiality="anonim", name="", phone="0812-3456-7890", notify_channel=channel)
    ).content.decode()
    assert "An anonymous complaint keeps no phone number, so we cannot send updates" in english


def test_anonymous_without_a_phone_is_filed_whatever_the_preselected_updates(client):
    # The form offers SMS first; an anonymous complainant who gave no number is not refused for it.
    assert (
        client.post(
            "/lapor/", valid(confidentiality="anonim", name="", phone="", email="", notify_channel="sms")
        ).status_code
        == 302
    )
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and complaint.notify_channel == "none" and not Identity.objects.exists()


@pytest.mark.parametrize(
    ("channel", "refused"), [("api", True), ("web", True), ("sms", False), ("whatsapp", False), ("", False)]
)
def test_the_form_checks_a_typed_number_not_the_number_a_text_came_from(channel, refused):
    """By SMS or WhatsApp the number is the sender's own and the code and PIN go back as the
    reply; an API client or a person at the form typed it, and is told."""
    from complaints.intake.forms import ComplaintIntakeForm

    anonymous = valid(confidentiality="anonim", name="", phone="0812-3456-7890", notify_channel="sms")
    form = ComplaintIntakeForm(data=anonymous, channel=channel)
    assert form.is_valid() is not refused, form.errors
    landline = ComplaintIntakeForm(data=valid(phone="021-555-1234", notify_channel="sms"), channel=channel)
    assert landline.is_valid() is not refused, landline.errors


# --- the agency list has no empty group ---------------------------------------------------------
def test_the_agency_list_has_no_empty_group_and_shows_the_other_group_once_it_has_agencies(client):
    from complaints.models import Agency

    html = client.get("/lapor/").content.decode()
    assert not re.search(r"<optgroup[^>]*></optgroup>", html)
    assert "Lainnya (BUMN/BUMD" not in html
    Agency.objects.create(name="PDAM Tirta Kota", level=Agency.Level.OTHER)
    html = client.get("/lapor/").content.decode()
    group = re.search(r'<optgroup label="Lainnya \(BUMN/BUMD[^"]*">(.*?)</optgroup>', html)
    assert group and "PDAM Tirta Kota" in group.group(1)


# --- seed_demo says where Sigap is --------------------------------------------------------------
def test_seed_demo_prints_the_address_sigap_is_served_at(settings, monkeypatch):
    import io

    from django.core.management import call_command

    from complaints.management.commands.seed_demo import Command

    monkeypatch.setattr(Command, "_complaints", lambda self, users: None)  # the accounts are enough here
    settings.SIGAP_PUBLIC_URL = "http://127.0.0.1:8123"
    printed = io.StringIO()
    call_command("seed_demo", stdout=printed)
    assert "Sigap: http://127.0.0.1:8123/  ·  petugas: http://127.0.0.1:8123/petugas/" in printed.getvalue()
    assert ":8000" not in printed.getvalue()


def test_one_forms_errors_and_choices_do_not_reach_the_next_form():
    # Each form's fields are copies; the choice fields share their list of choices between copies.
    from complaints.intake.forms import ComplaintIntakeForm
    from complaints.models import Kind

    refused = ComplaintIntakeForm(
        data={"kind": "nonsense", "province": "99", "confidentiality": "x", "email": "no", "description": "x"}
    )
    assert not refused.is_valid()
    for name in ("kind", "province", "confidentiality", "email", "description"):
        assert refused.fields[name].widget.attrs["aria-invalid"] == "true"
    refused.fields["kind"].choices = [("ham", "HAM")]  # a form that narrows its choices assigns them
    refused.fields["name"].error_messages["required"] = "changed"
    refused.fields["name"].validators.append(lambda value: None)
    refused.fields["name"].label = "changed"
    fresh = ComplaintIntakeForm()
    for name in ("kind", "province", "confidentiality", "email", "description"):
        assert "aria-invalid" not in fresh.fields[name].widget.attrs
        assert "aria-invalid" not in str(fresh[name])
    name = fresh.fields["name"]
    assert (name.error_messages["required"], len(name.validators), name.label) == (
        ComplaintIntakeForm.base_fields["name"].error_messages["required"],
        len(ComplaintIntakeForm.base_fields["name"].validators),
        ComplaintIntakeForm.base_fields["name"].label,
    )
    assert [value for value, _label in fresh.fields["kind"].choices] == [value for value, _ in Kind.choices]
    assert 'value="maladministrasi"' in str(fresh["kind"])
    assert 'value="31"' in str(fresh["province"]) and str(fresh["province"]).count("<option") > 30


def test_each_forms_copy_of_a_field_is_what_djangos_own_copy_makes():
    # The intake forms copy their plain fields in one step (forms._FieldsCopiedFast).
    import copy

    from complaints.intake.forms import ComplaintIntakeForm, WebIntakeForm
    from complaints.workspace.forms import DeskIntakeForm

    for form_class in (ComplaintIntakeForm, WebIntakeForm, DeskIntakeForm):
        ours = copy.deepcopy(form_class.base_fields)
        assert list(ours) == list(form_class.base_fields)
        for name, original in form_class.base_fields.items():
            theirs = type(original).__deepcopy__(original, {})
            copied = ours[name]
            assert type(copied) is type(original) and copied is not original
            assert copied.widget is not original.widget and type(copied.widget) is type(original.widget)
            assert (
                copied.widget.attrs == theirs.widget.attrs
                and copied.widget.attrs is not original.widget.attrs
            )
            assert copied.error_messages == theirs.error_messages
            assert copied.error_messages is not original.error_messages
            assert copied.validators == theirs.validators and copied.validators is not original.validators
            assert set(vars(copied)) == set(vars(theirs)), (form_class, name)
