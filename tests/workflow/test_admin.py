"""Administrators edit the calendar and the deadline rules; deadlines follow at once."""

import datetime

import pytest
from django.utils import timezone

from workflow import deadlines
from workflow.models import DeadlineRule, Holiday

pytestmark = pytest.mark.django_db

THURSDAY = timezone.make_aware(datetime.datetime(2026, 11, 5, 10))


def due_day(days=1):
    return timezone.localtime(deadlines.add_working_days(THURSDAY, days)).date()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    deadlines.forget_extra_holidays()
    yield client
    deadlines.forget_extra_holidays()


def test_a_cuti_bersama_day_added_and_removed_in_the_admin_moves_deadlines_at_once(admin_client):
    assert due_day() == datetime.date(2026, 11, 6)
    response = admin_client.post(
        "/admin/workflow/holiday/add/", {"date": "2026-11-06", "name": "Cuti bersama (contoh)"}
    )
    assert response.status_code == 302
    assert due_day() == datetime.date(2026, 11, 9)  # Friday off: the next working day is Monday

    holiday = Holiday.objects.get()
    response = admin_client.post(
        "/admin/workflow/holiday/",
        {"action": "delete_selected", "_selected_action": [holiday.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not Holiday.objects.exists()
    assert due_day() == datetime.date(2026, 11, 6)


def test_a_rule_for_a_state_the_machine_does_not_have_is_refused(admin_client):
    body = {"machine": "complaint", "state": "verifikasi", "scope": "ham", "days": "7", "working_days": "on"}
    response = admin_client.post("/admin/workflow/deadlinerule/add/", body)
    assert response.status_code == 200
    assert "Status tidak dikenal" in response.content.decode()
    assert not DeadlineRule.objects.filter(scope="ham", state="verifikasi").exists()

    response = admin_client.post("/admin/workflow/deadlinerule/add/", {**body, "state": "referred"})
    assert response.status_code == 302
    assert deadlines.rule_for("complaint", "referred", "ham").days == 7
    # The agency's own deadlines are clocks of the machine too (a rule per route).
    response = admin_client.post(
        "/admin/workflow/deadlinerule/add/",
        {**body, "state": "agency_corrective_action", "scope": "maladministrasi"},
    )
    assert response.status_code == 302


def test_the_audit_trail_cannot_be_edited_in_the_admin(admin_client, administrator, intake_officer):
    from tests.complaints.lifecycle import complaint_in
    from workflow.models import TransitionLog

    complaint_in("verifying", admin=administrator)
    log = TransitionLog.objects.get()
    assert admin_client.get("/admin/workflow/transitionlog/").status_code == 200
    assert (
        admin_client.post(f"/admin/workflow/transitionlog/{log.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert TransitionLog.objects.filter(pk=log.pk).exists()
