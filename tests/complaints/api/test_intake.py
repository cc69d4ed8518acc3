"""The API: filing (JSON and multipart), tracking, complainant steps, schema and offline docs."""

import re

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint, Evidence, State
from tests.complaints.intake_data import PDF, upload, valid

pytestmark = pytest.mark.django_db


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


def stored_files() -> list[str]:
    import os

    from django.conf import settings

    root = settings.STORAGES["default"]["OPTIONS"]["location"]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "0812"}, "phone", "Nomor telepon tidak valid"),
        ({"nik": "31712345678901234"}, "nik", "NIK harus 16 angka"),
        (
            {"reporter_type": "asn", "nip": "19800101", "own_agency_name": "Dinas"},
            "nip",
            "NIP harus 18 angka",
        ),
        ({"description": None}, "description", "harus diisi"),
        ({"consent_pdp": False}, "consent_pdp", "harus diisi"),
        ({"kind": None}, "kind", "harus diisi"),
        ({"incident_date": "2999-12-31"}, "incident_date", "masa depan"),
        ({"kind": "ham", "category": "penundaan-berlarut"}, "category", "bukan untuk jenis"),
    ],
    ids=["phone", "nik", "nip", "no-description", "no-consent", "no-kind", "future-date", "wrong-category"],
)
def test_each_kind_of_bad_json_answers_400_and_stores_nothing(overrides, field, message):
    from complaints.models import Category, Identity

    if overrides.get("category"):
        overrides["category"] = Category.objects.get(code=overrides["category"]).pk
    body = {**json_body(), **overrides}
    body = {key: value for key, value in body.items() if value is not None}
    response = APIClient().post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400, response.content
    assert message.lower() in " ".join(response.json()["errors"][field]).lower()
    assert (Complaint.objects.count(), Identity.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([upload("besar.pdf", PDF + b"0" * (10 * 1024 * 1024))], "lebih dari 10 MB"),
        ([upload(f"b{i}.pdf", PDF) for i in range(6)], "Paling banyak 5"),
        ([upload("foto.png", b"bukan gambar" * 8)], "bukan PDF"),
        ([upload("skrip.pdf", b"#!/bin/sh\nrm -rf /\n")], "bukan PDF"),
    ],
    ids=["oversize", "six-files", "text-named-png", "script-named-pdf"],
)
def test_bad_evidence_through_the_api_stores_no_complaint_and_no_file(files, message):
    from complaints.models import Identity

    response = APIClient().post("/api/v1/complaints/", {**valid(), "evidence": files}, format="multipart")
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["errors"]["evidence"])
    assert (Complaint.objects.count(), Identity.objects.count(), Evidence.objects.count()) == (0, 0, 0)
    assert stored_files() == []


def test_bad_input_is_explained_in_english_when_the_client_asks_for_it():
    response = APIClient().post(
        "/api/v1/complaints/", json_body(nik="123"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["nik"]
    assert "16" in message and message != "NIK harus 16 angka."


def test_the_officers_list_runs_soonest_deadline_first_in_keyset_pages(
    intake_officer, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    codes = [file_complaint()["tracking_code"] for _ in range(5)]
    now = timezone.now()
    # Deadlines out of filing order; one case without a deadline goes last.
    for code, days in zip(codes, [4, 1, None, 3, 2], strict=True):
        due = now + datetime.timedelta(days=days) if days is not None else None
        Complaint.objects.filter(tracking_code=code).update(due_at=due)
    api = APIClient()
    api.force_authenticate(intake_officer)
    seen, url = [], "/api/v1/complaints/?page_size=2"
    while url:
        with django_assert_max_num_queries(4):
            page = api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["tracking_code"].replace("-", "") for row in page["results"]]
        url = page["next"]
    assert seen == [codes[1], codes[4], codes[3], codes[0], codes[2]]


def test_the_api_list_takes_the_queue_filters(intake_officer):
    from rest_framework.test import APIClient

    from tests.factories import ComplaintFactory

    ham = ComplaintFactory(kind="ham", category=None)
    ComplaintFactory()
    api = APIClient()
    api.force_authenticate(intake_officer)
    rows = api.get("/api/v1/complaints/", {"kind": "ham"}).json()["results"]
    assert [row["id"] for row in rows] == [ham.pk]


def test_a_wrong_pin_is_explained_in_the_clients_language():
    filed = file_complaint()
    body = {"tracking_code": filed["tracking_code"], "pin": "abc"}
    english = APIClient().post("/api/v1/track/", body, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    indonesian = APIClient().post("/api/v1/track/", body, HTTP_ACCEPT_LANGUAGE="id").json()["detail"]
    assert english.startswith("The tracking code or PIN does not match")
    assert indonesian.startswith("Kode lacak atau PIN tidak cocok")


def test_one_client_filing_in_bulk_is_slowed_down_and_others_are_not(monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    # DRF reads the rates once at import; set the "intake" scope's rate where the throttle looks.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "intake", "2/hour")
    flooder = APIClient(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        file_complaint(flooder)
    refused = flooder.post("/api/v1/complaints/", json_body(), format="json")
    assert refused.status_code == 429
    assert Complaint.objects.count() == 2
    file_complaint(APIClient(REMOTE_ADDR="203.0.113.8"))
    assert Complaint.objects.count() == 3


def test_the_schema_documents_every_field_the_intake_form_takes(client):
    from complaints.intake.forms import ComplaintIntakeForm

    schemas = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["components"]["schemas"]
    form_fields = set(ComplaintIntakeForm.base_fields)
    assert set(schemas["IntakeRequest"]["properties"]) == form_fields - {"evidence"}
    assert set(schemas["IntakeMultipartRequest"]["properties"]) == form_fields
    assert schemas["IntakeMultipartRequest"]["properties"]["evidence"]["items"]["format"] == "binary"
    assert {"kind", "province", "description", "consent_pdp"} <= set(schemas["IntakeRequest"]["required"])


def test_a_client_files_with_the_identifiers_from_the_reference_data(django_assert_max_num_queries):
    api = APIClient()
    with django_assert_max_num_queries(6):
        reference = api.get("/api/v1/reference/")
    assert reference.status_code == 200
    data = reference.json()
    assert len(data["provinces"]) == 38 and len(data["regencies"]) > 500
    right = next(c for c in data["categories"] if c["code"] == "hak-anak")
    group = next(g for g in data["vulnerable_groups"] if g["code"] == "anak")
    regency = next(r for r in data["regencies"] if r["province"] == "31")
    agency = data["agencies"][0]
    body = json_body(
        kind="ham",
        category=right["id"],
        vulnerable_groups=[group["id"]],
        regency=regency["code"],
        agency=agency["id"],
        agency_name="",
    )
    assert api.post("/api/v1/complaints/", body, format="json").status_code == 201
    complaint = Complaint.objects.get()
    assert (complaint.category.code, complaint.regency_id, complaint.agency_id) == (
        "hak-anak",
        regency["code"],
        agency["id"],
    )
    assert list(complaint.vulnerable_groups.values_list("code", flat=True)) == ["anak"]


@pytest.mark.parametrize("body", ["[1, 2]", '"lapor"', "null", "{not json"])
def test_a_body_that_is_not_a_json_object_answers_400(body):
    response = APIClient().generic("POST", "/api/v1/complaints/", body, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()
    assert Complaint.objects.count() == 0


def test_a_list_where_one_value_belongs_is_refused_not_stored_as_text():
    response = APIClient().post("/api/v1/complaints/", json_body(name=["Budi", "Santoso"]), format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["name"]
    assert Complaint.objects.count() == 0
