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
4. Urgent cases near their deadline (docs/domain.md#urgency): an open urgent case whose deadline
   enters its last URGENT_DUE_SOON_LEAD during this run's window is announced as
   "urgent_due_soon" on its unit's live queue (an alert). No marker: the window moves with the
   sweep, so a case is announced by the one or two runs whose window it falls in.
"""

from __future__ import annotations

import datetime
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
    urgent_due_soon: int = 0


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


# Deadlines end at 23:59:59 (Asia/Jakarta, workflow/deadlines.py): 16 hours before is just before
# 08:00 on the deadline's last day, when the unit is at work. The window is twice the beat's five
# minutes, so a late or skipped run misses nothing (a case may be announced twice; the page shows
# each alert once).
URGENT_DUE_SOON_LEAD = datetime.timedelta(hours=16)
URGENT_DUE_SOON_WINDOW = datetime.timedelta(minutes=10)


def urgent_due_soon(
    *, now=None, lead=URGENT_DUE_SOON_LEAD, window=URGENT_DUE_SOON_WINDOW, limit=MAX_OVERDUE_EVENTS_PER_SWEEP
) -> int:
    """Announce "urgent_due_soon" for the open urgent cases, in an officer's stage, whose deadline
    falls in (now + lead - window, now + lead]: the ones entering their last ``lead`` now. Returns
    how many were announced (at most ``limit``). Writes nothing."""
    now = now or timezone.now()
    due = (
        Complaint.objects.filter(
            state__in=OVERDUE_STATES,
            urgent=True,
            due_at__gt=now + lead - window,
            due_at__lte=now + lead,
        )
        .select_related("unit")
        .order_by("due_at", "id")[:limit]
    )
    cases = list(due)
    if cases:
        realtime.broadcast_complaint_events_on_commit(cases, event="urgent_due_soon")
    return len(cases)


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
        expired=moved["expire_info"],
        closed=moved["close"],
        flagged=flagged,
        agencies_late=agencies_late,
        urgent_due_soon=urgent_due_soon(now=now),
    )
