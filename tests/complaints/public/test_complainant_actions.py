"""The complainant's own steps without an account: provide_info, object, withdraw.

On /lacak/ (after code + PIN) and through POST /api/v1/track/actions/{name}/.
"""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, State
from tests.complaints.intake_data import valid
from tests.complaints.lifecycle import step
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    return complaint_submit(channel="web", data=valid())


def move(complaint, *names, officer):
    for name in names:
        step(complaint, name, Actor.officer(officer))


def track(client, complaint, pin):
    response = client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin}, follow=True)
    assert response.status_code == 200
    return response


def api_action(name, complaint, pin, **body):
    return APIClient().post(
        f"/api/v1/track/actions/{name}/",
        {"tracking_code": complaint.tracking_code, "pin": pin, **body},
        format="json",
    )


def last_log(complaint):
    return TransitionLog.objects.filter(object_id=complaint.pk).latest("id")


# --- on /lacak/ ----------------------------------------------------------------------------------
def test_the_complainant_objects_to_an_outcome_within_the_window_from_the_page(
    client, filed, administrator, django_capture_on_commit_callbacks
):
    complaint, pin = filed
    move(
        complaint,
        "start_verification",
        "verify_formal",
        "refer",
        "accept_referral",
        "resolve",
        officer=administrator,
    )
    page = track(client, complaint, pin).content.decode()
    assert "/lacak/aksi/object/" in page  # the form is offered while the window is open

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/lacak/aksi/object/",
            {"message": "Saya <script>alert(1)</script>tidak setuju.", "expected_state": "resolved"},
            follow=True,
        )

    assert "Terima kasih" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.EXAMINATION
    assert complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT).body == "Saya tidak setuju."
    log = last_log(complaint)
    assert (log.transition, log.actor_kind, log.actor, log.via) == ("object", "complainant", None, "web")


def test_an_objection_after_the_window_is_refused_on_the_page_and_changes_nothing(
    client, filed, administrator
):
    complaint, pin = filed
    move(
        complaint,
        "start_verification",
        "verify_formal",
        "refer",
        "accept_referral",
        "resolve",
        officer=administrator,
    )
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    page = track(client, complaint, pin).content.decode()
    assert "/lacak/aksi/object/" not in page  # no form once the window has closed

    response = client.post("/lacak/aksi/object/", {"message": "Terlambat."}, follow=True)

    assert "tidak dapat dilakukan" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVED
    assert not CaseMessage.objects.filter(complaint=complaint).exists()


def test_the_complainant_withdraws_from_the_page(client, filed, administrator):
    complaint, pin = filed
    move(complaint, "start_verification", officer=administrator)
    track(client, complaint, pin)
    response = client.post(
        "/lacak/aksi/withdraw/", {"message": "", "expected_state": "verifying"}, follow=True
    )
    assert "Terima kasih" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.state == State.WITHDRAWN
    assert complaint.due_at is None  # no clock runs on a withdrawn case


def test_a_step_from_a_stale_page_is_refused_with_a_message(client, filed, administrator):
    complaint, pin = filed
    track(client, complaint, pin)  # the page shows "Diterima"
    move(complaint, "start_verification", "request_info", officer=administrator)
    response = client.post(
        "/lacak/aksi/withdraw/", {"message": "", "expected_state": "submitted"}, follow=True
    )
    assert "baru saja diubah" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).state == State.AWAITING_INFO


def test_missing_information_needs_a_message_on_the_page(client, filed, administrator):
    complaint, pin = filed
    move(complaint, "start_verification", "request_info", officer=administrator)
    track(client, complaint, pin)
    response = client.post("/lacak/aksi/provide_info/", {"message": "  "})
    assert response.status_code == 400
    assert Complaint.objects.get(pk=complaint.pk).state == State.AWAITING_INFO


# --- through the API -----------------------------------------------------------------------------
def test_the_complainant_provides_information_through_the_api_and_the_clock_resumes(
    filed, administrator, django_capture_on_commit_callbacks
):
    complaint, pin = filed
    move(complaint, "start_verification", "request_info", officer=administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_action(
            "provide_info", complaint, pin, message='Foto KTP <img src=x onerror="alert(1)">terlampir.'
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verifying"
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert complaint.due_at is not None and complaint.paused_remaining is None
    assert complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT).body == "Foto KTP terlampir."
    assert last_log(complaint).via == "api"


def test_the_api_answers_409_for_a_step_not_allowed_now(filed, administrator):
    complaint, pin = filed
    move(
        complaint,
        "start_verification",
        "verify_formal",
        "refer",
        "accept_referral",
        "resolve",
        officer=administrator,
    )
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert api_action("object", complaint, pin, message="Terlambat.").status_code == 409
    assert api_action("provide_info", complaint, pin, message="Tidak diminta.").status_code == 409
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVED


def test_the_api_answers_400_when_an_objection_has_no_reason(filed, administrator):
    complaint, pin = filed
    move(
        complaint,
        "start_verification",
        "verify_formal",
        "refer",
        "accept_referral",
        "resolve",
        officer=administrator,
    )
    response = api_action("object", complaint, pin, message="")
    assert response.status_code == 400
    assert "message" in response.json()["errors"]
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVED


def test_a_wrong_pin_or_an_officers_step_changes_nothing(filed):
    complaint, pin = filed
    wrong = "000000" if pin != "000000" else "111111"
    assert api_action("withdraw", complaint, wrong).status_code == 404
    # Only the complainant's own steps exist here: closing is for the system or a supervisor.
    assert api_action("close", complaint, pin).status_code == 404
    assert api_action("start_verification", complaint, pin).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED
    assert not TransitionLog.objects.exclude(transition="submit").exists()
