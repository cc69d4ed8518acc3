"""One complaint, once (docs/domain.md#one-complaint-once): the web form's one-time token and the
API's Idempotency-Key return the first complaint however often, and however simultaneously, the
same filing arrives; the limits count complaints filed, not attempts."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from rest_framework.test import APIClient

from complaints import codes
from complaints.codes import display_code
from complaints.intake.forms import new_submission_token, submission_nonce
from complaints.intake.services import idempotency_key_for
from complaints.models import Complaint, Evidence, Identity
from tests.complaints.intake_data import PDF, upload, valid
from tests.complaints.officer_cases import as_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"


def json_body(**overrides) -> dict:
    body = valid(**overrides)
    body["consent_pdp"] = True
    body["complained_to_agency_first"] = True
    return body


def post(api: APIClient, key: str | None, body: dict | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(URL, body or json_body(), format="json", **headers)


def form_token(client: Client) -> str:
    page = client.get("/lapor/").content.decode()
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


# --- the API ---------------------------------------------------------------------------------------
def test_a_retried_request_returns_the_first_complaint_and_its_pin():
    key = str(uuid.uuid4())
    api = APIClient()
    first = post(api, key)
    assert first.status_code == 201, first.content
    again = post(api, key)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    complaint = Complaint.objects.get()
    assert codes.pin_matches(complaint, first.json()["pin"])
    # Only a keyed hash of the key is stored.
    assert (
        complaint.idempotency_key == idempotency_key_for("api", key) and key not in complaint.idempotency_key
    )


def test_the_body_of_a_retry_is_not_read_and_files_nothing():
    key = str(uuid.uuid4())
    first = post(APIClient(), key).json()
    retried = post(APIClient(), key, json_body(description="x"))  # invalid on its own
    assert retried.status_code == 200 and retried.json()["tracking_code"] == first["tracking_code"]
    assert Complaint.objects.count() == 1


def test_after_a_day_the_replay_names_the_complaint_without_its_pin():
    key = str(uuid.uuid4())
    first = post(APIClient(), key).json()
    caches["guard"].clear()  # what 24 hours do to the kept answer
    again = post(APIClient(), key)
    assert again.status_code == 200
    assert again.json()["pin"] is None and again.json()["tracking_code"] == first["tracking_code"]


def test_different_keys_file_different_complaints_and_web_keys_never_meet_api_keys():
    key = str(uuid.uuid4())
    assert post(APIClient(), key).status_code == 201
    assert post(APIClient(), str(uuid.uuid4())).status_code == 201
    assert idempotency_key_for("web", key) != idempotency_key_for("api", key)
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("key", ["", "short", "x" * 201, "kunci dengan spasi 1234", "ñ" * 20])
def test_a_key_that_is_no_key_is_refused_before_anything_is_filed(key):
    response = post(APIClient(), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Complaint.objects.exists()


def test_the_schema_documents_the_header_and_the_replay(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/complaints/"]["post"]
    [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["in"] == "header" and not header.get("required", False)
    assert {"200", "201"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_with_one_key_file_exactly_one_complaint(postgres):
    key = str(uuid.uuid4())
    count = 6
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def send(index: int) -> None:
        try:
            api = APIClient(REMOTE_ADDR=f"203.0.113.{index + 1}")
            barrier.wait(timeout=10)
            response = post(api, key)
            results[index] = (response.status_code, response.json())
        except Exception as exc:  # noqa: BLE001 - asserted below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(status for status, _body in results) == [200] * (count - 1) + [201]
    assert len({body["tracking_code"] for _status, body in results}) == 1
    assert len({body["pin"] for _status, body in results}) == 1  # the first answer, repeated
    assert Complaint.objects.count() == 1 and Identity.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_multipart_posts_with_one_key_leave_one_set_of_files(postgres, settings):
    key = str(uuid.uuid4())
    barrier = threading.Barrier(3)
    statuses: list = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            data = {**valid(), "evidence": [upload("ktp.pdf", PDF)]}
            response = APIClient().post(URL, data, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 200, 201]
    assert Complaint.objects.count() == 1 and Evidence.objects.count() == 1
    from pathlib import Path

    stored = [p for p in Path(settings.STORAGES["default"]["OPTIONS"]["location"]).rglob("*") if p.is_file()]
    assert len(stored) == 1  # the losers' files were removed with their transactions


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_without_a_key_each_file_and_none_fails(postgres):
    barrier = threading.Barrier(2)
    statuses: list = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(post(APIClient(), None).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201, 201] and Complaint.objects.count() == 2


# --- the web form --------------------------------------------------------------------------------
def test_the_form_sent_twice_before_its_answer_was_shown_shows_the_first_code_and_pin():
    client = Client()
    token = form_token(client)
    first = client.post("/lapor/", {**valid(), "submission_token": token})
    second = client.post("/lapor/", {**valid(), "submission_token": token})  # the double click
    assert first.status_code == second.status_code == 302
    assert second["Location"] == "/lapor/terkirim/"
    page = client.get("/lapor/terkirim/").content.decode()
    complaint = Complaint.objects.get()
    assert display_code(complaint.tracking_code) in page
    [pin] = re.findall(r'id="tracking-pin">(\d{6})<', page)
    assert codes.pin_matches(complaint, pin)
    assert complaint.idempotency_key == idempotency_key_for("web", submission_nonce(token))


def test_back_and_send_again_after_the_confirmation_shows_the_code_without_the_pin():
    client = Client()
    token = form_token(client)
    client.post("/lapor/", {**valid(), "submission_token": token})
    confirmation = client.get("/lapor/terkirim/").content.decode()
    [pin] = re.findall(r'id="tracking-pin">(\d{6})<', confirmation)
    again = client.post("/lapor/", {**valid(), "submission_token": token}, follow=True)
    page = again.content.decode()
    complaint = Complaint.objects.get()
    code = display_code(complaint.tracking_code)
    assert again.redirect_chain[-1][0] == f"/lacak/?kode={code}"
    assert f"sudah kami terima dengan kode lacak {code}" in page and pin not in page


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_file_one_complaint_and_no_error(postgres):
    token = new_submission_token()
    barrier = threading.Barrier(2)
    statuses: list = []

    def send() -> None:
        try:
            client = Client()
            barrier.wait(timeout=10)
            statuses.append(client.post("/lapor/", {**valid(), "submission_token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302, 302] and Complaint.objects.count() == 1


def test_a_made_up_or_altered_token_is_no_token(client):
    token = form_token(client)
    for forged in ("abc", token[:-2] + ("AA" if not token.endswith("AA") else "BB")):
        assert client.post("/lapor/", {**valid(), "submission_token": forged}).status_code == 302
    assert Complaint.objects.count() == 2
    assert not Complaint.objects.exclude(idempotency_key="").exists()


def test_each_rendering_of_the_form_has_its_own_token(client):
    assert form_token(client) != form_token(client)


# --- the limits count complaints filed --------------------------------------------------------------
REFUSED = "Terlalu banyak pengaduan dari alamat ini. Coba lagi dalam satu jam."


@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=2)
def test_refused_forms_do_not_use_up_an_addresss_complaints():
    desk_pc = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        assert desk_pc.post("/lapor/", valid(description="pendek")).status_code == 200
    for _ in range(2):
        assert desk_pc.post("/lapor/", valid()).status_code == 302
    refused = desk_pc.post("/lapor/", valid())
    assert refused.status_code == 200 and REFUSED in refused.content.decode()
    assert Complaint.objects.count() == 2


@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=30, SIGAP_WEB_INTAKE_INVALID_PER_HOUR=3)
def test_refused_forms_have_a_bound_of_their_own():
    hammer = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(3):
        assert REFUSED not in hammer.post("/lapor/", valid(description="pendek")).content.decode()
    assert REFUSED in hammer.post("/lapor/", valid()).content.decode()
    assert not Complaint.objects.exists()


@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=1, SIGAP_WEB_INTAKE_OFFICER_PER_HOUR=3)
def test_a_signed_in_officer_at_a_shared_address_has_a_limit_of_their_own(intake_officer):
    desk = as_user(intake_officer)
    desk.defaults["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(3):
        assert desk.post("/lapor/", valid()).status_code == 302
    assert REFUSED in desk.post("/lapor/", valid()).content.decode()
    # The citizen at the same address still has their own complaint to file.
    assert Client(REMOTE_ADDR="203.0.113.9").post("/lapor/", valid()).status_code == 302
    assert Complaint.objects.count() == 4


@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=1)
def test_the_same_form_sent_again_is_answered_even_past_the_limit():
    client = Client(REMOTE_ADDR="203.0.113.10")
    token = form_token(client)
    assert client.post("/lapor/", {**valid(), "submission_token": token}).status_code == 302
    assert client.post("/lapor/", {**valid(), "submission_token": token})["Location"] == "/lapor/terkirim/"
    assert REFUSED in client.post("/lapor/", valid()).content.decode()


@pytest.fixture
def api_rates(monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once at import; set them where the throttles look.
    def set_rates(**rates):
        for scope, rate in rates.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return set_rates


def test_the_api_counts_complaints_filed_not_refused_requests(api_rates):
    api_rates(intake="2/hour")
    client = APIClient(REMOTE_ADDR="203.0.113.11")
    for _ in range(5):
        assert post(client, None, json_body(description="pendek")).status_code == 400
    key = str(uuid.uuid4())
    assert post(client, key).status_code == 201
    assert post(client, None).status_code == 201
    refused = post(client, None)
    assert refused.status_code == 429 and "Retry-After" in refused
    # A retry files nothing, so it is answered past the limit.
    assert post(client, key).status_code == 200
    assert Complaint.objects.count() == 2


def test_the_api_bounds_refused_requests_apart(api_rates):
    api_rates(intake="30/hour", intake_invalid="3/hour")
    client = APIClient(REMOTE_ADDR="203.0.113.12")
    for _ in range(3):
        assert post(client, None, json_body(description="pendek")).status_code == 400
    assert post(client, None).status_code == 429


def test_an_officers_token_files_at_the_desks_own_rate(api_rates, intake_officer):
    api_rates(intake="1/hour", intake_desk="3/hour")
    desk = APIClient(REMOTE_ADDR="203.0.113.13")
    desk.force_authenticate(intake_officer)
    for _ in range(3):
        assert post(desk, None).status_code == 201
    assert post(desk, None).status_code == 429
    assert post(APIClient(REMOTE_ADDR="203.0.113.13"), None).status_code == 201
