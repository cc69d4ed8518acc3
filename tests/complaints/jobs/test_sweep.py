"""The timer sweep: automatic transitions and overdue flags, set-based and idempotent."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints.jobs.sweep import complaints_sweep
from complaints.models import Complaint, State
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


def test_a_newly_overdue_case_is_announced_once_on_its_units_live_queue(
    administrator, django_capture_on_commit_callbacks
):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from complaints.realtime.events import unit_group

    late = complaint_in(State.REFERRED, admin=administrator)
    Complaint.objects.filter(pk=late.pk).update(due_at=PAST)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(unit_group(late.unit_id), channel)

    with django_capture_on_commit_callbacks(execute=True):
        complaints_sweep()
    event = async_to_sync(layer.receive)(channel)["payload"]
    assert (event["event"], event["id"], event["state"]) == ("overdue", late.pk, "referred")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert complaints_sweep().flagged == 0
    assert callbacks == []  # nothing announced twice
    async_to_sync(layer.group_discard)(unit_group(late.unit_id), channel)


def test_a_case_that_moves_on_loses_its_overdue_flag(administrator, intake_officer):
    from tests.complaints.lifecycle import step
    from workflow.engine import Actor

    late = complaint_in(State.VERIFYING, admin=administrator)
    Complaint.objects.filter(pk=late.pk).update(due_at=PAST)
    complaints_sweep()
    late.refresh_from_db()
    assert late.overdue_flagged_at is not None
    step(late, "verify_formal", Actor.officer(intake_officer))
    assert late.overdue_flagged_at is None and late.due_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_move_each_case_exactly_once(postgres):
    """Two machines run the beat task at the same moment: on PostgreSQL's SKIP LOCKED they share
    the work; no case is moved twice and no audit row is written twice."""
    import threading

    from django.db import connection

    many = 400
    template = ComplaintFactory.build()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Complaint._meta.concrete_fields
        if f.attname not in ("id", "tracking_code")
    }
    Complaint.objects.bulk_create(
        [
            Complaint(**{**fields, "state": state, "due_at": PAST, "tracking_code": f"PAR{i:05d}"})
            for i, state in enumerate([State.AWAITING_INFO, State.RESOLVED] * (many // 2))
        ]
    )
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(complaints_sweep(batch_size=50))
        except Exception as exc:  # noqa: BLE001 - asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.expired for r in results) == many // 2
    assert sum(r.closed for r in results) == many // 2
    assert Complaint.objects.filter(state__in=[State.AWAITING_INFO, State.RESOLVED]).count() == 0
    per_case = TransitionLog.objects.values_list("object_id", flat=True)
    assert len(per_case) == many and len(set(per_case)) == many


def test_the_beat_task_runs_the_sweep_every_few_minutes(administrator, settings):
    from complaints.jobs.tasks import sweep_deadlines

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == sweep_deadlines.name)
    assert entry["schedule"] <= 15 * 60
    resolved = complaint_in(State.RESOLVED, admin=administrator)
    Complaint.objects.filter(pk=resolved.pk).update(due_at=PAST)
    sweep_deadlines.apply()
    assert Complaint.objects.get(pk=resolved.pk).state == State.CLOSED
