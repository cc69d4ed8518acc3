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
def test_two_officers_refer_and_reject_the_same_case_at_once_and_exactly_one_wins(
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
        threading.Thread(target=act, args=("refer", REQUIREMENTS_MET)),
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
    assert final.state == {"refer": State.REFERRED, "reject": State.REJECTED}[winner]
    # Nothing half-applied: the loser left no audit row and no field of its own.
    logs = TransitionLog.objects.filter(object_id=complaint.pk, source=State.VERIFYING)
    assert list(logs.values_list("transition", flat=True)) == [winner]
    if winner == "refer":
        assert final.rejection_reason == ""
    else:
        assert final.req_chronology is None
