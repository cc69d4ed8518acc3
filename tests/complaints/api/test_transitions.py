"""POST /api/v1/complaints/{id}/transitions/{name}/: 200, 400, 403, 404, 409."""

import json

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint, State
from tests.complaints.lifecycle import REQUIREMENTS_MET, complaint_in
from workflow import engine

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(complaint, name):
    return f"/api/v1/complaints/{complaint.pk}/transitions/{name}/"


def test_an_officer_performs_a_step_and_sees_what_may_come_next(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    body = {**{k: v == "1" for k, v in REQUIREMENTS_MET.items()}, "note": "Lengkap."}
    response = api_as(intake_officer).post(url(complaint, "verify_formal"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "material_verification"
    assert "refer" in {t["name"] for t in response.json()["available_transitions"]}
    response = api_as(intake_officer).post(url(complaint, "refer"), {"note": "Lengkap."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "referred"
    assert Complaint.objects.get(pk=complaint.pk).state == State.REFERRED
    # The intake desk can do nothing more with a referred case.
    assert response.json()["available_transitions"] == []


def test_missing_fields_answer_400_with_the_field_errors(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    response = api_as(intake_officer).post(url(complaint, "reject"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"rejection_reason"}
    # A reason that sends the complainant elsewhere needs the body to go to.
    response = api_as(intake_officer).post(
        url(complaint, "reject"), {"rejection_reason": "bukan_kewenangan"}, format="json"
    )
    assert set(response.json()["errors"]) == {"suggested_body"}
    assert Complaint.objects.get(pk=complaint.pk).state == State.VERIFYING


def test_keys_named_like_the_engines_own_arguments_are_ignored(intake_officer, administrator):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    body = {"actor": "system", "via": "sms", "name": "withdraw", "obj": 1, "source": "closed"}
    response = api_as(intake_officer).post(url(complaint, "start_verification"), body, format="json")
    assert response.status_code == 200, response.content
    assert Complaint.objects.get(pk=complaint.pk).state == State.VERIFYING
    log = list(engine.history(complaint))[-1]
    assert (log.transition, log.via, log.actor) == ("start_verification", "api", intake_officer)


@pytest.mark.parametrize("body", [[], ["note"], "note", 3, None])
def test_a_body_that_is_not_a_json_object_answers_400_and_changes_nothing(
    intake_officer, administrator, body
):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    response = api_as(intake_officer).post(
        url(complaint, "start_verification"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED


def test_an_account_with_a_role_but_no_unit_is_refused_as_on_the_pages(administrator):
    from django.test import Client

    from tests.factories import UserFactory

    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    adrift = UserFactory(username="tanpa-unit", role="intake_officer", unit=None)
    assert api_as(adrift).post(url(complaint, "start_verification"), {}, format="json").status_code == 403
    assert api_as(adrift).get("/api/v1/complaints/").status_code == 403
    page = Client()
    page.force_login(adrift)
    assert page.get("/petugas/").status_code == 403
    assert page.get("/petugas/dasbor/").status_code == 403


def test_a_step_of_another_role_answers_403(ombudsman_officer, administrator):
    complaint = complaint_in(State.REFERRED, admin=administrator)
    response = api_as(ombudsman_officer).post(url(complaint, "close"), {}, format="json")
    assert response.status_code == 403


def test_another_units_case_answers_404_not_403(outsider, administrator):
    complaint = complaint_in(State.REFERRED, admin=administrator)
    response = api_as(outsider).post(url(complaint, "accept_referral"), {}, format="json")
    assert response.status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).state == State.REFERRED


def test_anonymous_callers_are_refused(administrator):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    response = APIClient().post(url(complaint, "start_verification"), {}, format="json")
    assert response.status_code in (401, 403)
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED


def test_a_step_not_allowed_now_or_on_a_stale_page_answers_409(intake_officer, administrator):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    client = api_as(intake_officer)
    assert client.post(url(complaint, "refer"), {}, format="json").status_code == 409
    assert client.post(url(complaint, "start_verification"), {}, format="json").status_code == 200
    stale = client.post(url(complaint, "mark_duplicate"), {"expected_state": "submitted"}, format="json")
    assert stale.status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).state == State.VERIFYING


def test_an_unknown_step_answers_404(intake_officer, administrator):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    assert api_as(intake_officer).post(url(complaint, "teleport"), {}, format="json").status_code == 404


def test_the_case_lists_what_this_officer_may_do_with_the_fields_each_needs(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    detail = api_as(intake_officer).get(f"/api/v1/complaints/{complaint.pk}/").json()
    steps = {t["name"]: t for t in detail["available_transitions"]}
    assert set(steps) == {"request_info", "verify_formal", "reject", "mark_duplicate"}
    formal = {f["name"]: f for f in steps["verify_formal"]["fields"]}
    assert formal["req_chronology"]["required"] is True
    # No answer chosen beforehand: met or not met, each to be decided.
    assert {c["value"] for c in formal["req_chronology"]["choices"]} - {""} == {"1", "0"}
    assert formal["req_chronology"].get("initial") in (None, "")
    reasons = {
        c["value"] for c in {f["name"]: f for f in steps["reject"]["fields"]}["rejection_reason"]["choices"]
    }
    assert "bukan_kewenangan" in reasons
    # The destination unit sees nothing to do until the case is referred to it.
    assert api_as(administrator).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 200


def test_the_loser_of_a_race_learns_the_state_the_winner_left(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    client = api_as(intake_officer)
    body = {**{k: v == "1" for k, v in REQUIREMENTS_MET.items()}, "expected_state": "verifying"}
    assert client.post(url(complaint, "verify_formal"), body, format="json").status_code == 200
    late = client.post(
        url(complaint, "reject"),
        {"rejection_reason": "lainnya", "suggested_body": "Komnas HAM", "expected_state": "verifying"},
        format="json",
    )
    # The winner moved it on: the loser is told the state it is in now, and nothing changed.
    assert late.status_code == 409
    assert late.json()["state"] == "material_verification"


def test_a_stale_request_answers_409_with_the_current_state(ombudsman_officer, administrator):
    complaint = complaint_in(State.REFERRED, admin=administrator)
    client = api_as(ombudsman_officer)
    assert client.post(url(complaint, "accept_referral"), {}, format="json").status_code == 200
    again = client.post(
        url(complaint, "return_referral"), {"note": "x", "expected_state": "referred"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["state"] == "examination"
