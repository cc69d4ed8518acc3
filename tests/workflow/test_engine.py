"""The engine itself: audit rows, refusals, the django-fsm distribution, the diagram."""

from importlib import metadata

import pytest
from django.core.management import call_command

from complaints.models import CaseMessage, Complaint, State
from tests.factories import ComplaintFactory
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_the_maintained_django_fsm_2_provides_django_fsm_and_the_inactive_package_is_absent():
    import django_fsm

    assert metadata.distribution("django-fsm-2").read_text("RECORD").count("django_fsm/__init__.py") == 1
    assert django_fsm.FSMField
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.distribution("django-fsm")


def test_the_state_cannot_be_assigned_outside_a_transition():
    complaint = ComplaintFactory()
    with pytest.raises(AttributeError):
        complaint.state = State.CLOSED


def test_a_transition_writes_one_audit_row_with_actor_channel_note_and_fields(
    intake_officer, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory()
    with django_capture_on_commit_callbacks(execute=True):
        engine.perform(complaint, "start_verification", actor=Actor.officer(intake_officer), via="web")
        log = engine.perform(
            complaint,
            "request_info",
            actor=Actor.officer(intake_officer),
            via="api",
            note="KTP belum terbaca",
            message="Mohon kirim foto KTP yang jelas.",
        )
    assert (log.source, log.target, log.transition) == ("verifying", "awaiting_info", "request_info")
    assert (log.actor, log.actor_kind, log.via, log.note) == (
        intake_officer,
        "officer",
        "api",
        "KTP belum terbaca",
    )
    assert log.fields == {"message": "Mohon kirim foto KTP yang jelas."}
    assert Complaint.objects.get(pk=complaint.pk).state == State.AWAITING_INFO
    # The officer's request reaches the complainant's thread (shown at /lacak/).
    assert CaseMessage.objects.get(complaint=complaint).kind == CaseMessage.Kind.TO_COMPLAINANT


def test_a_refused_transition_changes_nothing_and_writes_no_audit_row(intake_officer):
    complaint = ComplaintFactory()
    with pytest.raises(engine.TransitionConflict):
        engine.perform(complaint, "refer", actor=Actor.officer(intake_officer), via="web")
    with pytest.raises(engine.TransitionForbidden):
        engine.perform(complaint, "withdraw", actor=Actor.officer(intake_officer), via="web")
    assert Complaint.objects.get(pk=complaint.pk).state == State.SUBMITTED
    assert not TransitionLog.objects.exists()


def test_missing_fields_are_reported_per_field_and_nothing_changes(intake_officer):
    complaint = ComplaintFactory()
    engine.perform(complaint, "start_verification", actor=Actor.officer(intake_officer), via="web")
    with pytest.raises(engine.TransitionInvalid) as refused:
        engine.perform(complaint, "reject", actor=Actor.officer(intake_officer), via="web")
    assert set(refused.value.errors) == {"rejection_reason"}
    assert Complaint.objects.get(pk=complaint.pk).state == State.VERIFYING


def test_a_stale_expected_state_is_a_conflict(intake_officer):
    complaint = ComplaintFactory()
    engine.perform(complaint, "start_verification", actor=Actor.officer(intake_officer), via="web")
    with pytest.raises(engine.TransitionConflict):
        engine.perform(
            complaint,
            "mark_duplicate",
            actor=Actor.officer(intake_officer),
            via="web",
            expected_state="submitted",
        )


def test_the_diagram_command_prints_every_transition_from_the_code(capsys):
    call_command("workflow_diagram")
    out = capsys.readouterr().out
    assert out.startswith("stateDiagram-v2")
    assert "[*] --> submitted" in out
    assert "material_verification --> referred : refer" in out
    assert "corrective_action --> recommendation : issue_recommendation" in out
    assert "mediation --> resolved : end_mediation" in out
    assert "awaiting_info --> examination : provide_info" in out
    assert "resolved --> examination : object" in out
    assert "closed --> [*]" in out
