"""A confidential ASN complaint, every role on every officer surface, before and after a reveal.

Before a reveal no surface shows the complainant's identity or the identifiers they typed; after
the handling officer's reveal, only that officer's case page, API detail and export show them, and
the referral letter, the dashboard, the live events and the administrator never do
(docs/domain.md#confidentiality)."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from complaints.intake.services import complaint_submit
from complaints.models import Complaint
from complaints.realtime.events import complaint_event_payload
from tests.complaints.intake_data import valid
from tests.complaints.lifecycle import REQUIREMENTS_MET
from workflow import engine
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

NAME, NIK, NIP, PHONE, EMAIL = (
    "Budi Santoso",
    "3171234567890123",
    "198001012005011001",
    "0812-3456-7890",
    "budi@example.id",
)
TYPED = f"Saya {NAME}, NIP {NIP}, HP {PHONE}, email {EMAIL}: atasan saya meminta imbalan di loket."
SECRETS = (NAME, "Santoso", NIK, NIP, "+6281234567890", PHONE, "81234567890", EMAIL)


@pytest.fixture
def confidential(administrator):
    """Filed on the web by an ASN, confidential, then referred to Ombudsman RI DKI Jakarta."""
    complaint, _pin = complaint_submit(
        channel="web",
        data=valid(
            reporter_type="asn",
            confidentiality="rahasia",
            nip=NIP,
            own_agency_name="Dinas Kesehatan DKI Jakarta",
            description=TYPED,
        ),
    )
    admin = Actor.officer(administrator)
    engine.perform(complaint, "start_verification", actor=admin, via="web")
    engine.perform(complaint, "verify_formal", actor=admin, via="web", **REQUIREMENTS_MET)
    engine.perform(complaint, "refer", actor=admin, via="web")
    return Complaint.objects.get(pk=complaint.pk)


def surfaces(user, complaint) -> dict[str, str]:
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    pk = complaint.pk
    seen = {
        "case page": page.get(f"/petugas/kasus/{pk}/"),
        "queue": page.get("/petugas/?q=loket"),
        "dashboard": page.get("/petugas/dasbor/"),
        "export": page.get("/petugas/ekspor.csv"),
        "referral letter": page.get(f"/petugas/kasus/{pk}/surat-rujukan/"),
        "api list": api.get("/api/v1/complaints/"),
        "api detail": api.get(f"/api/v1/complaints/{pk}/"),
        "admin case": page.get(f"/admin/complaints/complaint/{pk}/change/"),
        "admin outbox": page.get("/admin/notifications/message/"),
    }
    texts = {}
    for surface, response in seen.items():
        body = b"".join(response.streaming_content) if response.streaming else response.content
        texts[surface] = body.decode()
    texts["live event"] = json.dumps(complaint_event_payload(complaint, event="refer", actor=user))
    return texts


def test_searching_the_queue_by_a_confidential_complainants_name_finds_nothing(
    confidential, ombudsman_officer
):
    page = Client()
    page.force_login(ombudsman_officer)
    assert confidential.tracking_code_display in page.get("/petugas/?q=loket").content.decode()
    assert confidential.tracking_code_display not in page.get("/petugas/?q=Santoso").content.decode()


def leaks(texts: dict[str, str]) -> dict[str, list[str]]:
    found = {surface: [s for s in SECRETS if s in text] for surface, text in texts.items()}
    return {surface: secrets for surface, secrets in found.items() if secrets}


@pytest.mark.parametrize(
    "role", ["intake_officer", "ombudsman_officer", "supervisor", "outsider", "administrator"]
)
def test_before_a_reveal_no_role_sees_the_identity_anywhere(role, confidential, request):
    user = request.getfixturevalue(role)
    assert leaks(surfaces(user, confidential)) == {}


def test_after_the_handling_officers_reveal_only_their_own_case_page_api_and_export_show_it(
    confidential, ombudsman_officer, supervisor, intake_officer, outsider, administrator
):
    revealing = Client()
    revealing.force_login(ombudsman_officer)
    assert revealing.post(
        f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": "Klarifikasi dengan pelapor."}
    ).status_code in (200, 302)
    mine = leaks(surfaces(ombudsman_officer, confidential))
    assert set(mine) == {"case page", "api detail", "export"}
    assert NAME in surfaces(ombudsman_officer, confidential)["case page"]
    for other in (supervisor, intake_officer, outsider, administrator):
        assert leaks(surfaces(other, confidential)) == {}, other.username
