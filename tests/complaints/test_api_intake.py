"""The API: filing (JSON and multipart), tracking, complainant steps, schema and offline docs."""

import re

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from complaints.models import Complaint, Evidence, State
from tests.complaints.intake_data import PDF, upload, valid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def json_body(**overrides):
    body = valid(**overrides)
    body["consent_pdp"] = True
    body["complained_to_agency_first"] = True
    return body


def file_complaint(api=None, **overrides):
    response = (api or APIClient()).post("/api/v1/complaints/", json_body(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_complaint_filed_as_json_answers_201_with_code_and_pin():
    body = file_complaint()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", body["tracking_code"])
    assert re.fullmatch(r"\d{6}", body["pin"])
    assert (body["status"], body["status_label"]) == ("submitted", "Diterima")
    complaint = Complaint.objects.get()
    assert complaint.channel == "api" and complaint.pin_hash != body["pin"]


def test_a_complaint_filed_as_multipart_keeps_its_evidence():
    data = {**valid(), "evidence": [upload("ktp.pdf", PDF)], "vulnerable_groups": ["lansia", "anak"]}
    from complaints.models import VulnerableGroup

    data["vulnerable_groups"] = [
        str(g.pk) for g in VulnerableGroup.objects.filter(code__in=["lansia", "anak"])
    ]
    response = APIClient().post("/api/v1/complaints/", data, format="multipart")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert Evidence.objects.filter(complaint=complaint).count() == 1
    assert set(complaint.vulnerable_groups.values_list("code", flat=True)) == {"lansia", "anak"}


def test_bad_input_answers_400_with_field_errors_in_the_requested_language():
    response = APIClient().post(
        "/api/v1/complaints/", json_body(nik="123", phone="999"), format="json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"nik", "phone"}
    assert response.json()["errors"]["nik"] == ["NIK harus 16 angka."]
    assert Complaint.objects.count() == 0


def test_tracking_with_the_right_pin_shows_status_and_timeline():
    filed = file_complaint()
    response = APIClient().post(
        "/api/v1/track/", {"tracking_code": filed["tracking_code"], "pin": filed["pin"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["explanation"]
    assert [step["text"] for step in body["timeline"]] == ["Pengaduan diterima."]


def test_tracking_with_a_wrong_pin_reveals_nothing_and_guessing_is_locked_out():
    filed = file_complaint()
    api = APIClient()
    code = filed["tracking_code"]
    wrong = "000000" if filed["pin"] != "000000" else "111111"
    for _ in range(5):
        response = api.post("/api/v1/track/", {"tracking_code": code, "pin": wrong})
        assert response.status_code == 404 and "status" not in response.json()
    # The code is now locked, even with the right PIN.
    locked = api.post("/api/v1/track/", {"tracking_code": code, "pin": filed["pin"]})
    assert locked.status_code == 429


def test_a_complainant_withdraws_through_the_api_with_code_and_pin():
    filed = file_complaint()
    response = APIClient().post(
        "/api/v1/track/actions/withdraw/",
        {"tracking_code": filed["tracking_code"], "pin": filed["pin"], "message": "Sudah selesai sendiri."},
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert Complaint.objects.get().state == State.WITHDRAWN


def test_officers_list_and_read_only_their_units_cases(intake_officer, outsider):
    filed = file_complaint(confidentiality="rahasia")
    complaint = Complaint.objects.get(tracking_code=filed["tracking_code"])
    api = APIClient()
    assert api.get("/api/v1/complaints/").status_code in (401, 403)
    api.force_authenticate(intake_officer)
    listing = api.get("/api/v1/complaints/").json()
    assert [row["id"] for row in listing["results"]] == [complaint.pk]
    assert "identity" not in listing["results"][0]
    detail = api.get(f"/api/v1/complaints/{complaint.pk}/").json()
    # Confidential: hidden until an explicit, logged reveal.
    assert detail["identity"] is None
    assert {t["name"] for t in detail["available_transitions"]} == {"start_verification", "mark_duplicate"}
    api.force_authenticate(outsider)
    assert api.get("/api/v1/complaints/").json()["results"] == []
    assert api.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404


def test_the_schema_and_its_docs_page_work_offline(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/complaints/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert sources and all(s.startswith("/static/") or s.startswith("/api/") for s in sources), sources
    for asset in (s for s in sources if s.startswith("/static/")):
        assert client.get(asset).status_code == 200, asset
