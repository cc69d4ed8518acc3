"""Two officers act on the same case at once: exactly one wins, on PostgreSQL's row locks."""

import threading

import pytest
from django.db import connection

from complaints.models import Complaint, State
from tests.complaints.lifecycle import REQUIREMENTS_MET, complaint_in
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog


@pytest.mark.django_db(transaction=True)
def test_two_officers_verify_and_reject_the_same_case_at_once_and_exactly_one_wins(
    postgres, intake_officer, administrator
):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def act(name, fields):
        try:
            case = Complaint.objects.get(pk=complaint.pk)  # each thread: its own connection
            barrier.wait(timeout=10)
            engine.perform(case, name, actor=Actor.officer(intake_officer), via="api", **fields)
            results[name] = "won"
        except Exception as exc:  # noqa: BLE001 - the assertion below names it
            results[name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("verify_formal", REQUIREMENTS_MET)),
        threading.Thread(
            target=act, args=("reject", {"rejection_reason": "lainnya", "suggested_body": "Komnas HAM"})
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(r).__name__ if r != "won" else "won" for r in results.values()) == [
        "TransitionConflict",
        "won",
    ]
    winner = next(name for name, r in results.items() if r == "won")
    final = Complaint.objects.get(pk=complaint.pk)
    assert final.state == {"verify_formal": State.MATERIAL_VERIFICATION, "reject": State.REJECTED}[winner]
    # Nothing half-applied: the loser left no audit row and no field of its own.
    logs = TransitionLog.objects.filter(object_id=complaint.pk, source=State.VERIFYING)
    assert list(logs.values_list("transition", flat=True)) == [winner]
    if winner == "verify_formal":
        assert final.rejection_reason == ""
    else:
        assert final.req_chronology is None


def _race(complaint, attempts):
    """Run each (officer, transition, fields) in its own thread and connection, all at once."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def act(index, user, name, fields):
        try:
            case = Complaint.objects.get(pk=complaint.pk)
            barrier.wait(timeout=10)
            engine.perform(case, name, actor=Actor.officer(user), via="web", **fields)
            results[index] = "won"
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(i, *attempt)) for i, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_a_losing_request_for_information_leaves_no_message_behind(postgres, intake_officer, administrator):
    from complaints.models import CaseMessage
    from notifications.models import Message

    complaint = complaint_in(State.VERIFYING, admin=administrator)
    results = _race(
        complaint,
        [
            (intake_officer, "request_info", {"message": "Mohon kirim KTP."}),
            (administrator, "reject", {"rejection_reason": "lainnya", "suggested_body": "Komnas HAM"}),
        ],
    )
    assert sorted("won" if r == "won" else type(r).__name__ for r in results) == ["TransitionConflict", "won"]
    final = Complaint.objects.get(pk=complaint.pk)
    asked = results[0] == "won"
    assert final.state == (State.AWAITING_INFO if asked else State.REJECTED)
    # The thread message and the SMS exist exactly when their step won.
    assert CaseMessage.objects.filter(complaint=complaint).exists() is asked
    keys = set(
        Message.objects.filter(reference=f"complaint:{complaint.pk}").values_list("template_key", flat=True)
    )
    assert keys == ({"request_info"} if asked else {"reject"})


@pytest.mark.django_db(transaction=True)
def test_two_officers_starting_verification_at_once_leave_one_audit_row(
    postgres, intake_officer, administrator
):
    complaint = complaint_in(State.SUBMITTED, admin=administrator)
    results = _race(
        complaint, [(intake_officer, "start_verification", {}), (administrator, "start_verification", {})]
    )
    assert sorted("won" if r == "won" else type(r).__name__ for r in results) == ["TransitionConflict", "won"]
    assert TransitionLog.objects.filter(object_id=complaint.pk, transition="start_verification").count() == 1
    winner = (intake_officer, administrator)[results.index("won")]
    assert Complaint.objects.get(pk=complaint.pk).assignee == winner
