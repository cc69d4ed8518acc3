"""The complaint timers, run by the Celery beat task and by ``manage.py sweep_deadlines``.

1. The machine's timer transitions (``timer=`` in complaints/machine.py), through the engine's
   one path for them (workflow.engine.run_timers → perform_due): the same model method, audit
   row and ``after_transitions`` hook as an officer's step, a batch at a time:
   - expire_info: the complainant did not complete the file in time → withdrawn;
   - close: the objection window after an outcome has passed → closed.
2. Overdue: cases past their stage's deadline are flagged (once) for their unit's supervisor,
   and announced on the unit's live queue.
3. The reported agency late: a case waiting for the agency (its answer to a clarification, its
   corrective action, its carrying out of a recommendation) past the agency's deadline is flagged
   (once, agency_overdue_flagged_at) and announced as "agency_overdue"; the case stays where it
   is, for the officer to record what the agency did or did not do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from complaints.machine import machine
from complaints.models import AGENCY_STATES, OVERDUE_STATES, Complaint
from complaints.realtime import events as realtime
from workflow import engine, sweep


@dataclass
class SweepResult:
    expired: int
    closed: int
    flagged: int
    agencies_late: int = 0


# A sweep after an outage may find a backlog of hundreds of thousands of late cases: announcing
# each would flood every officer's socket and hold the sweep for minutes. Past this many in one
# run, the rest are flagged silently (the queue's "Lewat tenggat" filter and the dashboard show them).
MAX_OVERDUE_EVENTS_PER_SWEEP = 500


def _overdue_announcer(event: str = "overdue"):
    announced = 0

    def announce(ids) -> None:
        # The unit's live queue (its supervisor's included) hears about each newly overdue case once.
        nonlocal announced
        room = MAX_OVERDUE_EVENTS_PER_SWEEP - announced
        if room <= 0:
            return
        ids = list(ids)[:room]
        announced += len(ids)
        realtime.broadcast_complaint_events_on_commit(
            Complaint.objects.filter(pk__in=ids).select_related("unit"), event=event
        )

    return announce


def complaints_sweep(*, now=None, batch_size: int = 2000) -> SweepResult:
    now = now or timezone.now()
    moved = engine.run_timers(machine, now=now, batch_size=batch_size)
    flagged = sweep.flag_overdue(
        Complaint, states=OVERDUE_STATES, now=now, on_flagged=_overdue_announcer(), batch_size=batch_size
    )
    agencies_late = sweep.flag_overdue(
        Complaint,
        states=AGENCY_STATES,
        now=now,
        due_field="agency_due_at",
        flag_field="agency_overdue_flagged_at",
        on_flagged=_overdue_announcer("agency_overdue"),
        batch_size=batch_size,
    )
    return SweepResult(
        expired=moved["expire_info"], closed=moved["close"], flagged=flagged, agencies_late=agencies_late
    )
