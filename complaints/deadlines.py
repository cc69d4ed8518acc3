"""The complaint's clocks, on workflow's working-day calendar and deadline rules.

Rules are looked up per state and per kind (maladministrasi / ham; an undecided kind uses the
rule for every kind). The clock pauses while the case awaits the complainant's information.
"""

from django.utils import timezone

from workflow import deadlines

MACHINE = "complaint"


def _rule(complaint, state: str):
    return deadlines.rule_for(MACHINE, state, complaint.kind)


def due_for(complaint, state: str, *, start=None):
    return deadlines.due_at(_rule(complaint, state), start or timezone.now())


def pause(complaint, *, now=None):
    """What is left on the current stage's clock (kept while awaiting information)."""
    return deadlines.remaining(_rule(complaint, complaint.state), now or timezone.now(), complaint.due_at)


def resume(complaint, state: str, *, now=None):
    """The due date when the paused stage ``state`` resumes."""
    now = now or timezone.now()
    if complaint.paused_remaining is None:
        return due_for(complaint, state, start=now)
    return deadlines.resume(_rule(complaint, state), now, complaint.paused_remaining)


def deadline_status(complaint) -> tuple:
    """(due_at, is_overdue) for pages and the API."""
    return complaint.due_at, complaint.is_overdue
