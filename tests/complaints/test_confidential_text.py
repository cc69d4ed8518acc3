"""A confidential or anonymous complainant's identifiers: encrypted at rest, masked in their text,
readable only through the logged reveal (docs/domain.md#confidentiality)."""

import json

import pytest
from django.db import connection
from rest_framework.test import APIClient

from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, Identity, IdentityReveal
from complaints.public.services import complainant_act
from tests.complaints.intake_data import PDF, upload, valid
from tests.complaints.lifecycle import step
from tests.complaints.officer_cases import as_user
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

TYPED = (
    "Saya Budi Santoso, NIP 19800101 200501 1 001, HP 0812-3456-7890, budi.s@kemenkes.go.id, "
    "dipersulit di loket. NIK saya 3171234567890123."
)
IDENTIFIERS = ("Budi", "Santoso", "19800101", "0812-3456-7890", "budi.s@kemenkes.go.id", "3171234567890123")


def file_asn(**overrides):
    data = valid(
        **{
            "reporter_type": "asn",
            "confidentiality": "rahasia",
            "nip": "198001012005011001",
            "own_agency_name": "Dinas Kesehatan DKI Jakarta",
            "description": TYPED,
            "desired_outcome": "Hubungi saya di 081234567890.",
            "location": "Kantor Budi Santoso",
            **overrides,
        }
    )
    if data["confidentiality"] == "anonim":
        data["notify_channel"] = "none"  # anonymous: followed with the code and PIN, no updates by SMS
    complaint, _pin = complaint_submit(channel="web", data=data)
    return Complaint.objects.get(pk=complaint.pk)


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table names
        return repr(cursor.fetchall())


def test_identity_is_stored_encrypted_and_read_back_as_typed():
    complaint = file_asn()
    stored = raw_rows("complaints_identity")
    for plain in ("Budi Santoso", "3171234567890123", "+6281234567890", "budi@example.id", "Jl. Merdeka"):
        assert plain not in stored
    identity = Identity.objects.get(complaint=complaint)
    assert (identity.name, identity.phone, identity.nik) == (
        "Budi Santoso",
        "+6281234567890",
        "3171234567890123",
    )


def test_a_phone_number_is_found_by_its_blind_index_only():
    complaint = file_asn()
    from notifications.personal import blind_index

    assert Complaint.objects.filter(identity__phone_index=blind_index("+6281234567890")).get() == complaint
    assert not Complaint.objects.filter(identity__phone_index=blind_index("+6281234567891")).exists()
    assert "+6281234567890" not in raw_rows("complaints_identity")


@pytest.mark.parametrize("confidentiality", ["rahasia", "anonim"])
def test_identifiers_typed_into_a_confidential_or_anonymous_complaint_are_stored_masked(confidentiality):
    complaint = file_asn(confidentiality=confidentiality)
    # An anonymous report keeps no identity, but the name typed into the form (then left out) is
    # masked in its text as a confidential one's is.
    identifiers = IDENTIFIERS
    for field in ("description", "desired_outcome"):
        for identifier in identifiers:
            assert identifier not in getattr(complaint, field), (field, identifier)
    assert "[dirahasiakan]" in complaint.description and "dipersulit di loket" in complaint.description
    for identifier in identifiers:
        assert identifier not in raw_rows("complaints_complaint")
    # What was typed is kept, encrypted.
    assert json.loads(complaint.sealed_text)["description"] == TYPED


def test_an_anonymous_report_without_a_name_typed_masks_its_numbers_only():
    complaint = file_asn(confidentiality="anonim", name="")
    for identifier in IDENTIFIERS[2:]:
        assert identifier not in complaint.description
    assert not Identity.objects.filter(complaint=complaint).exists()


def test_an_open_complaint_keeps_its_text_as_typed():
    complaint = file_asn(confidentiality="terbuka")
    assert complaint.description == TYPED and complaint.sealed_text == ""


@pytest.mark.parametrize("confidentiality", ["rahasia", "anonim"])
def test_an_evidence_file_name_with_a_name_in_it_is_masked(confidentiality):
    complaint, _pin = complaint_submit(
        channel="web",
        data=valid(confidentiality=confidentiality, notify_channel="none", name="Budi Santoso"),
        files=[upload("KTP Budi Santoso.pdf", PDF, "application/pdf")],
    )
    assert "Budi" not in complaint.evidence.get().original_name


def test_the_complainants_own_message_is_masked_in_the_thread_and_the_audit_trail(administrator):
    complaint = file_asn()
    step(complaint, "start_verification", Actor.officer(administrator))
    step(complaint, "request_info", Actor.officer(administrator), message="Mohon kirim surat keterangan.")
    complainant_act(
        complaint=complaint, name="provide_info", via="web", message="Ini Budi, HP 0812-3456-7890."
    )
    mine = CaseMessage.objects.get(complaint=complaint, kind=CaseMessage.Kind.FROM_COMPLAINANT)
    assert "Budi" not in mine.body and "0812" not in mine.body
    assert mine.sealed_body == "Ini Budi, HP 0812-3456-7890."
    from workflow.engine import history

    log = [entry for entry in history(complaint) if entry.transition == "provide_info"][0]
    assert "Budi" not in json.dumps(log.fields)


def test_no_officer_surface_shows_the_typed_identifiers_before_a_reveal(intake_officer):
    complaint = file_asn()
    page = as_user(intake_officer).get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(intake_officer)
    detail = api.get(f"/api/v1/complaints/{complaint.pk}/").content.decode()
    queue = as_user(intake_officer).get("/petugas/?q=loket").content.decode()
    export = b"".join(as_user(intake_officer).get("/petugas/ekspor.csv").streaming_content).decode()
    for surface, text in {"page": page, "api": detail, "queue": queue, "csv": export}.items():
        for identifier in IDENTIFIERS:
            assert identifier not in text, (surface, identifier)
    assert not IdentityReveal.objects.exists()


def test_a_reveal_shows_what_was_typed_and_is_logged(intake_officer):
    complaint = file_asn()
    client = as_user(intake_officer)
    client.post(f"/petugas/kasus/{complaint.pk}/identitas/", {"reason": "Perlu klarifikasi langsung."})
    page = client.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert "Teks asli pelapor" in page and "NIK saya 3171234567890123" in page
    reveal = IdentityReveal.objects.get(complaint=complaint)
    assert (reveal.officer, reveal.reason) == (intake_officer, "Perlu klarifikasi langsung.")


def test_an_anonymous_reports_original_text_is_shown_to_no_one(intake_officer):
    complaint = file_asn(confidentiality="anonim")
    client = as_user(intake_officer)
    assert client.post(f"/petugas/kasus/{complaint.pk}/identitas/", {"reason": "x"}).status_code in (302, 403)
    assert "3171234567890123" not in client.get(f"/petugas/kasus/{complaint.pk}/").content.decode()


def test_an_export_stopped_half_way_has_logged_the_reads_of_what_it_sent(intake_officer):
    from complaints.workspace.exports import complaint_export_lines

    opened = [
        complaint_submit(channel="web", data=valid(description=f"Layanan ke-{n} ditunda berbulan-bulan."))[0]
        for n in range(3)
    ]
    lines = complaint_export_lines(officer=intake_officer, complaints=Complaint.objects.all())
    next(lines)  # the header
    sent = next(lines)  # one complaint with its complainant's name
    lines.close()  # the officer's browser went away
    assert "Budi Santoso" in sent
    logged = set(IdentityReveal.objects.filter(officer=intake_officer).values_list("complaint_id", flat=True))
    assert logged == {c.pk for c in opened}  # the whole chunk was logged before its first line left
