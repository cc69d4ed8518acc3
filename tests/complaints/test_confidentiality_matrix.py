"""A confidential ASN complaint, every role on every officer surface, before and after a reveal.

Before a reveal no surface shows the complainant's identity or the identifiers they typed; after
the handling officer's reveal, only that officer's case page, API detail and export show them, and
the referral letter, the dashboard, the live events and the administrator never do
(docs/domain.md#confidentiality)."""

import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from complaints.intake.services import complaint_submit
from complaints.models import Complaint
from complaints.public.receipts import receipt_number
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
    complaint = Complaint.objects.get(pk=complaint.pk)
    complaint.pin = _pin  # a secret too: shown once to the complainant, never on any surface
    return complaint


@pytest.fixture
def anonymous(administrator):
    """Anonymous information typed with identifiers, taken up on the Ombudsman's own motion."""
    complaint, pin = complaint_submit(
        channel="web",
        data=valid(confidentiality="anonim", notify_channel="none", phone="", description=TYPED),
    )
    admin = Actor.officer(administrator)
    engine.perform(complaint, "start_verification", actor=admin, via="web")
    engine.perform(complaint, "take_up_own_motion", actor=admin, via="web")
    complaint = Complaint.objects.get(pk=complaint.pk)
    complaint.pin = pin
    return complaint


def surfaces(user, complaint) -> dict[str, str]:
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    pk = complaint.pk
    seen = {
        "case page": page.get(f"/petugas/kasus/{pk}/"),
        "queue": page.get("/petugas/?q=loket"),
        # Nothing filtered: no FilterSet, the kept filter form (complaints.reference.kept).
        "queue unfiltered": page.get("/petugas/"),
        "dashboard": page.get("/petugas/dasbor/"),
        "export": page.get("/petugas/ekspor.csv"),
        "referral letter": page.get(f"/petugas/kasus/{pk}/surat-rujukan/"),
        "api list": api.get("/api/v1/complaints/"),
        "api detail": api.get(f"/api/v1/complaints/{pk}/"),
        "admin case": page.get(f"/admin/complaints/complaint/{pk}/change/"),
        "admin outbox": page.get("/admin/notifications/message/"),
        # The surfaces added with the desk, triage and the scorecard.
        "desk receipt": page.get(f"/petugas/kasus/{pk}/tanda-terima/"),
        "queue searched by name": page.get(f"/petugas/?q={NAME}"),
        "queue searched by NIK": page.get(f"/petugas/?q={NIK}"),
        "queue searched by phone": page.get(f"/petugas/?q={PHONE}"),
        "workload": page.get("/petugas/beban/"),
        "my cases": page.get("/petugas/kasus-saya/"),
        "public receipt check": Client().get(f"/tanda-terima/{receipt_number(complaint)}/"),
        "public scorecard": Client().get("/kinerja/"),
        "public scorecard api": Client().get("/api/v1/kinerja/"),
    }
    texts = {}
    for surface, response in seen.items():
        body = b"".join(response.streaming_content) if response.streaming else response.content
        texts[surface] = body.decode()
        if surface.startswith("queue searched"):
            # The page shows back what the officer typed (the box, its links); the rows it found
            # must show nothing of the complainant.
            rows = re.search(r"<tbody.*?</tbody>", texts[surface], re.S)
            texts[surface] = rows.group(0) if rows else ""
    texts["live event"] = json.dumps(complaint_event_payload(complaint, event="refer", actor=user))
    return texts


def test_searching_the_queue_by_a_confidential_complainants_name_finds_nothing(
    confidential, ombudsman_officer
):
    page = Client()
    page.force_login(ombudsman_officer)
    assert confidential.tracking_code_display in page.get("/petugas/?q=loket").content.decode()
    assert confidential.tracking_code_display not in page.get("/petugas/?q=Santoso").content.decode()


def leaks(texts: dict[str, str], pin: str = "", *, anonymous: bool = False) -> dict[str, list[str]]:
    # An anonymous report gives no name to look for in its text: its numbers and addresses are
    # masked, a typed name is not (docs/domain.md#confidentiality; test_confidential_text.py).
    secrets = SECRETS[2:] if anonymous else SECRETS
    secrets = (*secrets, pin) if pin else secrets
    found = {surface: [s for s in secrets if s in text] for surface, text in texts.items()}
    return {surface: secrets for surface, secrets in found.items() if secrets}


@pytest.mark.parametrize("case", ["confidential", "anonymous"])
@pytest.mark.parametrize(
    "role", ["intake_officer", "ombudsman_officer", "supervisor", "outsider", "administrator"]
)
def test_before_a_reveal_no_role_sees_the_identity_anywhere(role, case, request):
    user = request.getfixturevalue(role)
    complaint = request.getfixturevalue(case)
    assert leaks(surfaces(user, complaint), complaint.pin, anonymous=case == "anonymous") == {}


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("confidentiality", ["rahasia", "anonim"])
def test_just_filed_through_the_api_in_one_statement_no_role_sees_the_identity(
    postgres, confidentiality, request
):
    # Filed by the public API with no transaction around it (complaints/intake/filing.py: the
    # complaint, identity, audit row and 'received' message in one statement), still at the desk.
    data = valid(
        reporter_type="asn",
        confidentiality=confidentiality,
        nip=NIP,
        own_agency_name="Dinas Kesehatan DKI Jakarta",
        description=TYPED,
    )
    if confidentiality == "anonim":
        data.update(notify_channel="none", phone="")
    answer = APIClient().post("/api/v1/complaints/", data, format="json")
    assert answer.status_code == 201, answer.content
    complaint = Complaint.objects.get(tracking_code=answer.json()["tracking_code"].replace("-", ""))
    for role in ("intake_officer", "ombudsman_officer", "supervisor", "outsider", "administrator"):
        user = request.getfixturevalue(role)
        found = leaks(surfaces(user, complaint), answer.json()["pin"], anonymous=confidentiality == "anonim")
        assert found == {}, role
