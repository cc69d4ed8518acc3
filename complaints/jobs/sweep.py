"""The complaint timers, run by the Celery beat task and by ``manage.py sweep_deadlines``.

1. expire_info: the complainant did not complete the file in time → withdrawn.
2. close: the objection window after an outcome has passed → closed.
3. Overdue: cases past their stage's deadline are flagged (once) for their unit's supervisor,
   and announced on the unit's live queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from complaints import messaging
from complaints.models import OVERDUE_STATES, Complaint, State
from complaints.realtime import events as realtime
from workflow import sweep


@dataclass
class SweepResult:
    expired: int
    closed: int
    flagged: int


def _side_effects(ids, logs) -> None:
    complaints = {c.pk: c for c in Complaint.objects.filter(pk__in=ids).select_related("identity", "unit")}
    messaging.enqueue_for_transitions([(complaints[log.object_id], log) for log in logs])
    realtime.broadcast_complaint_events_on_commit(
        [complaints[log.object_id] for log in logs], event=logs[0].transition
    )


# A sweep after an outage may find a backlog of hundreds of thousands of late cases: announcing
# each would flood every officer's socket and hold the sweep for minutes. Past this many in one
# run, the rest are flagged silently (the queue's "Lewat tenggat" filter and the dashboard show them).
MAX_OVERDUE_EVENTS_PER_SWEEP = 500


def _overdue_announcer():
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
            Complaint.objects.filter(pk__in=ids).select_related("unit"), event="overdue"
        )

    return announce


def complaints_sweep(*, now=None, batch_size: int = 2000) -> SweepResult:
    now = now or timezone.now()
    stop_clock = {"due_at": None, "overdue_flagged_at": None}
    expired = sweep.sweep_transition(
        Complaint,
        transition="expire_info",
        source=State.AWAITING_INFO,
        target=State.WITHDRAWN,
        now=now,
        updates={**stop_clock, "resume_state": "", "paused_remaining": None},
        batch_size=batch_size,
        on_batch=_side_effects,
    )
    closed = sweep.sweep_transition(
        Complaint,
        transition="close",
        source=State.RESOLVED,
        target=State.CLOSED,
        now=now,
        updates=stop_clock,
        batch_size=batch_size,
        on_batch=_side_effects,
    )
    flagged = sweep.flag_overdue(
        Complaint, states=OVERDUE_STATES, now=now, on_flagged=_overdue_announcer(), batch_size=batch_size
    )
    return SweepResult(expired=expired, closed=closed, flagged=flagged)
