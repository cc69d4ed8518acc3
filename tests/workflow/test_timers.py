"""The engine's path for automatic transitions (perform_due) and for events (record_event)."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from complaints import machine as complaint_machine
from complaints.models import Complaint, State
from tests.complaints.lifecycle import complaint_in
from tests.factories import ComplaintFactory
from workflow import engine
from workflow.engine import Actor, EventSpec, Machine, Timer, TransitionSpec
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
PAST = timezone.now() - datetime.timedelta(days=1)


def _spec(name, allowed=lambda obj, actor: actor.is_system, **kw) -> TransitionSpec:
    return TransitionSpec(name=name, label_id=name, label_en=name, allowed=allowed, **kw)


def _machine(*specs, **kw) -> Machine:
    """A machine over the complaint model that is not registered: perform_due takes it as given."""
    return Machine(model=Complaint, transitions=list(specs), changed_at_field="state_changed_at", **kw)


def test_the_complaint_machine_declares_its_timers():
    assert [spec.name for spec in complaint_machine.machine.timers()] == ["expire_info", "close"]


def test_a_timer_asks_for_no_fields_and_needs_the_changed_at_stamp():
    with pytest.raises(ImproperlyConfigured):
        _machine(_spec("close", timer=Timer(), note_required=True))
    with pytest.raises(ImproperlyConfigured):
        Machine(model=Complaint, transitions=[_spec("close", timer=Timer())])
    with pytest.raises(ImproperlyConfigured):
        _machine(_spec("close"), events=[EventSpec("close", "x", "x")])  # an event is not a step


def test_only_a_timer_transition_is_performed_by_the_clock():
    with pytest.raises(ImproperlyConfigured):
        engine.perform_due(Complaint, "refer")
    # A fixed target is needed: provide_info returns to the state the clock paused.
    with pytest.raises(ImproperlyConfigured):
        engine.perform_due(_machine(_spec("provide_info", timer=Timer())), "provide_info")


def test_what_the_clock_writes_is_what_the_model_method_assigns(administrator):
    """The sweep runs the model's own method on each row, so it clears what the method clears even
    where the rows differ (one paused clock left over, one not)."""
    stale, clean = (complaint_in(State.RESOLVED, admin=administrator) for _ in range(2))
    Complaint.objects.filter(pk__in=[stale.pk, clean.pk]).update(due_at=PAST)
    Complaint.objects.filter(pk=stale.pk).update(
        resume_state=State.VERIFYING, paused_remaining=datetime.timedelta(days=2)
    )
    assert engine.perform_due(Complaint, "close") == 2
    rows = Complaint.objects.filter(pk__in=[stale.pk, clean.pk]).values_list(
        "state", "due_at", "resume_state", "paused_remaining", "overdue_flagged_at"
    )
    assert set(rows) == {(State.CLOSED, None, "", None, None)}


def test_values_that_differ_per_row_are_written_per_row(administrator):
    """A method that computes a value per case (here a fresh stage clock from each case's kind) still
    runs set-based: one UPDATE per distinct result, each row getting its own."""
    referred = [
        complaint_in(State.REFERRED, admin=administrator, kind=kind) for kind in ("maladministrasi", "ham")
    ]
    Complaint.objects.filter(pk__in=[c.pk for c in referred]).update(due_at=PAST)
    clock = _machine(_spec("accept_referral", timer=Timer()))
    now = timezone.now()
    assert engine.perform_due(clock, "accept_referral", now=now) == 2
    for case in referred:
        case.refresh_from_db()
        assert case.state == State.EXAMINATION and case.state_changed_at == now
        expected = complaint_machine.due_for(case, State.EXAMINATION, start=now)
        assert abs(case.due_at - expected) < datetime.timedelta(minutes=1)  # its own kind's rule
        assert case.assignee_id is None  # the system takes no case for itself


def test_a_due_row_the_step_refuses_is_left_and_not_met_again(administrator):
    """Who may take the step, and its conditions, are asked of each row as perform asks them; a
    refused row stays put and the next batch goes on past it (no endless loop)."""
    cases = [complaint_in(State.RESOLVED, admin=administrator) for _ in range(4)]
    Complaint.objects.filter(pk__in=[c.pk for c in cases]).update(due_at=PAST)
    odd_only = _machine(_spec("close", allowed=lambda obj, actor: obj.pk % 2 == 1, timer=Timer()))
    moved = engine.perform_due(odd_only, "close", batch_size=1)
    states = dict(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "state"))
    assert moved == sum(1 for pk in states if pk % 2 == 1)
    assert all(state == (State.CLOSED if pk % 2 else State.RESOLVED) for pk, state in states.items())


def test_perform_and_the_clock_call_the_machines_one_hook(administrator, monkeypatch):
    batches = []
    hook = complaint_machine.machine.after_transitions

    def recording(pairs, *, actor, via):
        batches.append(([(obj.pk, log.transition) for obj, log in pairs], actor.kind, via))
        hook(pairs, actor=actor, via=via)

    monkeypatch.setattr(complaint_machine.machine, "after_transitions", recording)
    resolved = [complaint_in(State.RESOLVED, admin=administrator) for _ in range(3)]
    batches.clear()
    Complaint.objects.filter(pk__in=[c.pk for c in resolved]).update(due_at=PAST)
    resolved[0].refresh_from_db()
    engine.perform(resolved[0], "close", actor=Actor.officer(administrator), via="web")
    engine.perform_due(Complaint, "close")
    assert batches == [
        ([(resolved[0].pk, "close")], "officer", "web"),
        ([(resolved[1].pk, "close"), (resolved[2].pk, "close")], "system", "system"),
    ]


# --- events --------------------------------------------------------------------------------------
def test_an_event_is_an_audit_row_that_is_no_step(intake_officer):
    complaint = ComplaintFactory()
    engine.creation_row(complaint, via="web").save()
    log = engine.record_event(
        complaint,
        "assign",
        actor=Actor.officer(intake_officer),
        via="web",
        fields={"assignee": intake_officer},
    )
    log.refresh_from_db()
    assert (log.transition, log.source, log.target, log.actor, log.actor_kind, log.via) == (
        "assign",
        "",
        "",
        intake_officer,
        "officer",
        "web",
    )
    assert log.fields == {"assignee": {"id": intake_officer.pk, "str": "intan"}}
    assert [row.transition for row in engine.audit_trail(complaint)] == ["submit", "assign"]
    assert [row.transition for row in engine.history(complaint)] == ["submit"]  # the steps only
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED


def test_an_event_the_machine_does_not_declare_is_refused(intake_officer):
    complaint = ComplaintFactory()
    with pytest.raises(engine.UnknownEvent):
        engine.record_event(complaint, "teleport", actor=Actor.officer(intake_officer), via="web")
    assert not TransitionLog.objects.exists()


def test_a_step_and_an_event_are_labelled_by_the_machine():
    machine = complaint_machine.machine
    assert machine.label("refer", "en") == "Refer"
    assert machine.label("assign", "id") == "Penugasan"
    assert machine.label("claim", "en") == "Case claimed"
    assert machine.label("a_step_since_removed") == "a_step_since_removed"
