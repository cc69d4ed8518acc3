"""The timer sweep: automatic transitions and overdue flags, set-based and idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.models import Complaint, State
from complaints.sweep import complaints_sweep
from tests.complaints.lifecycle import complaint_in
from tests.factories import ComplaintFactory
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
PAST = timezone.now() - datetime.timedelta(days=1)
FUTURE = timezone.now() + datetime.timedelta(days=1)


def test_it_withdraws_expired_info_requests_closes_after_the_window_and_flags_overdue(administrator):
    waiting = complaint_in(State.AWAITING_INFO, admin=administrator)
    resolved = complaint_in(State.RESOLVED, admin=administrator)
    late = complaint_in(State.VERIFYING, admin=administrator)
    on_time = complaint_in(State.VERIFYING, admin=administrator)
    Complaint.objects.filter(pk__in=[waiting.pk, resolved.pk, late.pk]).update(due_at=PAST)
    Complaint.objects.filter(pk=on_time.pk).update(due_at=FUTURE)

    result = complaints_sweep()

    assert (result.expired, result.closed, result.flagged) == (1, 1, 1)
    states = dict(Complaint.objects.values_list("pk", "state"))
    assert states[waiting.pk] == State.WITHDRAWN
    assert states[resolved.pk] == State.CLOSED
    assert Complaint.objects.get(pk=late.pk).overdue_flagged_at is not None
    assert Complaint.objects.get(pk=on_time.pk).overdue_flagged_at is None
    audit = TransitionLog.objects.filter(actor_kind="system").values_list("object_id", "transition", "via")
    assert sorted(audit) == sorted([(waiting.pk, "expire_info", "system"), (resolved.pk, "close", "system")])


def test_running_it_twice_changes_nothing_the_second_time(administrator):
    waiting = complaint_in(State.AWAITING_INFO, admin=administrator)
    Complaint.objects.filter(pk=waiting.pk).update(due_at=PAST)
    complaints_sweep()
    logs = TransitionLog.objects.count()
    again = complaints_sweep()
    assert (again.expired, again.closed, again.flagged) == (0, 0, 0)
    assert TransitionLog.objects.count() == logs


def test_it_handles_thousands_of_cases_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    many = 3000
    template = ComplaintFactory.build()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Complaint._meta.concrete_fields
        if f.attname not in ("id", "tracking_code")
    }
    Complaint.objects.bulk_create(
        [
            Complaint(**{**fields, "state": state, "due_at": PAST, "tracking_code": f"BULK{i:05d}"})
            for i, state in enumerate([State.AWAITING_INFO, State.RESOLVED, State.EXAMINATION] * (many // 3))
        ]
    )
    # Two batches of each automatic transition plus the flag: a few queries per batch of 600 rows
    # (SQLite splits a large INSERT into several), not a query per case.
    with django_assert_max_num_queries(60):
        result = complaints_sweep(batch_size=600)
    assert (result.expired, result.closed, result.flagged) == (1000, 1000, 1000)
    assert Complaint.objects.filter(state=State.WITHDRAWN).count() == 1000
    assert TransitionLog.objects.filter(transition="close").count() == 1000


def test_the_management_command_runs_the_sweep(administrator, capsys):
    waiting = complaint_in(State.AWAITING_INFO, admin=administrator)
    Complaint.objects.filter(pk=waiting.pk).update(due_at=PAST)
    call_command("sweep_deadlines")
    assert "expired: 1" in capsys.readouterr().out
    assert Complaint.objects.get(pk=waiting.pk).state == State.WITHDRAWN
