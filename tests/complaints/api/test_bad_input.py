"""No input gives a 500: one focused test per defect that tests/test_api_fuzz.py found or was
written for. Bad input is a 400 that says what is wrong, in the client's language (Bahasa
Indonesia first), and every answer is one the published schema (/api/schema/) describes."""

import base64
import json

import pytest
import schemathesis
from knox.models import AuthToken
from rest_framework.test import APIClient
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaints.models import Category, Complaint, Confidentiality, IdentityReveal, Kind
from tests.complaints.intake_data import valid
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
LIST = "/api/v1/complaints/"


def json_body(**overrides) -> dict:
    return valid(**{"consent_pdp": True, "complained_to_agency_first": True, **overrides})


def token_for(user) -> str:
    _token, key = AuthToken.objects.create(user)
    return f"Token {key}"


def api_for(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=token_for(user))
    return api


def cursor_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.fixture
def published():
    """The published schema, its operations called in-process against the Django application.
    As Django's own test client does, a request does not close the test's database connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# --- the queue's page: cursor and page size ----------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [b"[" * 5000, b"[1e999, 1]", b'["2026-01-01T00:00:00+07:00", 1e999]', b"{}", b"not json"],
    ids=["nested-past-the-parsers-depth", "infinite-date", "infinite-id", "object", "not-json"],
)
def test_an_unreadable_cursor_is_a_400_not_a_500(intake_officer, client, raw):
    ComplaintFactory()
    response = api_for(intake_officer).get(LIST, {"cursor": cursor_of(raw)})
    assert response.status_code == 400
    assert response.json()["errors"]["cursor"] == [
        "Kursor halaman ini tidak terbaca. Ikuti tautan `next` dari halaman sebelumnya."
    ]
    # The /petugas/ queue reads the same cursor: the first page, never a traceback.
    client.force_login(intake_officer)
    assert client.get("/petugas/", {"cursor": cursor_of(raw)}).status_code == 200


def test_a_cursor_the_list_wrote_is_still_followed(intake_officer):
    ComplaintFactory.create_batch(3)
    api = api_for(intake_officer)
    first = api.get(LIST, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    assert len(api.get(first["next"]).json()["results"]) == 1


@pytest.mark.parametrize(
    "size", ["0", "-1", "201", "banyak", "2.5", "٣", "²", "9" * 5000], ids=lambda s: s[:8]
)
def test_a_page_size_outside_1_to_200_is_a_400_in_the_clients_language(intake_officer, size):
    ComplaintFactory()
    api = api_for(intake_officer)
    indonesian = api.get(LIST, {"page_size": size}, HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.status_code == 400
    assert indonesian.json() == {
        "errors": {"page_size": ["Ukuran halaman harus bilangan bulat dari 1 sampai 200."]}
    }
    english = api.get(LIST, {"page_size": size}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"]["page_size"] == ["The page size must be a whole number from 1 to 200."]


@pytest.mark.parametrize("size", ["1", "200", ""])
def test_a_page_size_from_1_to_200_or_none_is_taken(intake_officer, size):
    ComplaintFactory.create_batch(2)
    response = api_for(intake_officer).get(LIST, {"page_size": size})
    assert response.status_code == 200 and len(response.json()["results"]) == (1 if size == "1" else 2)


def test_the_queue_page_is_published_as_one_object_and_answered_as_published(published, intake_officer):
    """It was published as a list of pages, so no answer of the list ever conformed."""
    ComplaintFactory.create_batch(2)
    operation = published[LIST]["GET"]
    answer = operation.definition.raw["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/ComplaintQueuePage"}
    case = operation.Case(query={"page_size": 1})
    response = case.call_and_validate(headers={"Authorization": token_for(intake_officer)}, checks=CHECKS)
    assert response.status_code == 200 and response.json()["next"]
    refused = operation.Case(query={"page_size": 0})
    assert (
        refused.call_and_validate(
            headers={"Authorization": token_for(intake_officer)}, checks=CHECKS
        ).status_code
        == 400
    )


# --- a case's detail --------------------------------------------------------------------------
def test_a_case_without_category_or_incident_date_is_answered_as_published(published, intake_officer):
    """The detail published `category` and `incident_date` as always a string; a human-rights
    report has no category and the incident date is optional."""
    case_ = ComplaintFactory(kind=Kind.HAM, category=None, incident_date=None)
    headers = {"Authorization": token_for(intake_officer)}
    detail = published["/api/v1/complaints/{id}/"]["GET"].Case(path_parameters={"id": case_.pk})
    body = detail.call_and_validate(headers=headers, checks=CHECKS).json()
    assert (body["category"], body["incident_date"]) == (None, None)
    assert published[LIST]["GET"].Case().call_and_validate(headers=headers, checks=CHECKS).status_code == 200


def test_a_step_is_answered_as_published(published, intake_officer):
    case_ = ComplaintFactory()
    step = published["/api/v1/complaints/{id}/transitions/{name}/"]["POST"].Case(
        path_parameters={"id": case_.pk, "name": "start_verification"}, body={}, media_type="application/json"
    )
    response = step.call_and_validate(headers={"Authorization": token_for(intake_officer)}, checks=CHECKS)
    assert response.json()["state"] == "verifying"


@pytest.mark.parametrize(
    ("path", "method"),
    [
        (LIST, "GET"),
        ("/api/v1/complaints/{id}/", "GET"),
        ("/api/v1/complaints/{id}/identity/", "POST"),
        ("/api/v1/complaints/{id}/transitions/{name}/", "POST"),
    ],
)
def test_the_officers_operations_publish_the_401_they_answer_without_a_token(published, path, method):
    case_ = ComplaintFactory()
    parameters = {"id": case_.pk, "name": "start_verification"}
    names = [p for p in ("id", "name") if "{" + p + "}" in path]
    call = published[path][method].Case(path_parameters={n: parameters[n] for n in names})
    response = call.call_and_validate(checks=CHECKS)
    assert response.status_code == 401


def test_every_refusal_an_operation_can_answer_is_published(published):
    """401/403 where a credential is read, 404 where the path names something, 400 and 415 for a
    body, 429 with Retry-After where a throttle applies, 503 everywhere."""
    for result in published.get_all_operations():
        operation = result.ok()
        responses = operation.definition.raw["responses"]
        codes = set(responses)
        assert "503" in codes, operation.label
        if "{" in operation.path:
            assert "404" in codes, operation.label
        if operation.method.upper() == "POST":
            assert {"400", "415"} <= codes, operation.label
        # The public operations read no credential: tracking, reference data, the scorecard.
        if not operation.path.startswith(("/api/v1/track/", "/api/v1/reference/", "/api/v1/kinerja/")):
            assert {"401", "403"} <= codes, operation.label
        if operation.path.startswith("/api/v1/track/") or operation.label == "POST /api/v1/complaints/":
            assert "Retry-After" in responses["429"]["headers"], operation.label


# --- intake -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("incident_date", False, "Isian ini harus berupa teks, bukan true/false."),
        ("name", True, "Isian ini harus berupa teks, bukan true/false."),
        ("incident_date", 20240101, "Masukkan tanggal yang valid."),
    ],
)
def test_true_false_or_a_number_where_intake_reads_text_is_a_400_not_a_500(field, value, message):
    response = APIClient().post(LIST, json_body(**{field: value}), format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert Complaint.objects.count() == 0


def test_true_false_where_intake_reads_text_is_explained_in_english():
    response = APIClient().post(LIST, json_body(name=True), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["name"] == ["This field takes text, not true/false."]


def test_a_number_where_intake_reads_text_is_read_as_its_digits():
    category = Category.objects.get(code="penundaan-berlarut")
    response = APIClient().post(LIST, json_body(nik=3171234567890123, category=category.pk), format="json")
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().category == category


# --- the identity reveal ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Konfirmasi\x00nomor", "Karakter null tidak diizinkan."),
        ("x" * 301, "Isi bidang ini tidak boleh melebihi 300 karakter."),
        (" ", "Tuliskan alasan membuka identitas."),
    ],
    ids=["nul-character", "too-long", "blank"],
)
def test_a_reveal_reason_that_cannot_be_stored_is_a_400_not_a_500(intake_officer, reason, message):
    secret = ComplaintFactory(confidentiality=Confidentiality.CONFIDENTIAL)
    response = api_for(intake_officer).post(
        f"/api/v1/complaints/{secret.pk}/identity/",
        {"reason": reason},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"reason": [message]}}
    assert not IdentityReveal.objects.exists()


def test_a_reveal_whose_body_is_not_an_object_is_a_400(intake_officer):
    secret = ComplaintFactory(confidentiality=Confidentiality.CONFIDENTIAL)
    response = api_for(intake_officer).generic(
        "POST",
        f"/api/v1/complaints/{secret.pk}/identity/",
        json.dumps(["alasan"]),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["detail"]


# --- tracking ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/track/", "/api/v1/track/actions/withdraw/"])
def test_tracking_without_code_or_pin_is_a_400_with_the_errors_by_field(path, published):
    response = APIClient().post(path, {}, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"tracking_code": ["Bidang ini harus diisi."], "pin": ["Bidang ini harus diisi."]}
    }
    operation = published[path.replace("withdraw", "{name}")]["POST"]
    parameters = {"name": "withdraw"} if "{name}" in operation.path else {}
    case_ = operation.Case(path_parameters=parameters, body={}, media_type="application/json")
    assert case_.call_and_validate(checks=CHECKS).status_code == 400


# --- the officer's pages: numbers in a query string or a form ------------------------------------
@pytest.mark.parametrize("before", ["²", "٣", "9" * 5000])
def test_the_identity_logs_page_number_in_other_digits_is_not_a_500(client, supervisor, before):
    client.force_login(supervisor)
    assert client.get("/petugas/log-identitas/", {"sebelum": before}).status_code == 200


@pytest.mark.parametrize("number", ["²", "٣", "9" * 5000])
def test_case_and_officer_numbers_in_other_digits_are_not_a_500(client, supervisor, number):
    case_ = ComplaintFactory()
    client.force_login(supervisor)
    response = client.post("/petugas/tugaskan/", {"complaint": [number]})
    assert response.status_code == 302  # nothing to assign: back to the queue
    response = client.post("/petugas/tugaskan/", {"complaint": [case_.pk], "assignee": number})
    assert response.status_code == 404
    assert Complaint.objects.get(pk=case_.pk).assignee is None
