"""Timers: the machine's automatic transitions and overdue flags, set-based.

The automatic transitions are the machine's own declaration (``TransitionSpec.timer``) and run
through the engine's one path for them, ``workflow.engine.perform_due`` (``run_timers`` runs
them all): same audit rows, same hook as ``perform``. Flagging a late row is no transition; it
is here.

Each function costs a few queries per batch however many rows match, is idempotent (a row
already moved or flagged is not matched again), and is safe to run from two machines at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .engine import machine_for


def flag_overdue(
    model,
    *,
    states,
    now=None,
    due_field: str = "due_at",
    flag_field: str = "overdue_flagged_at",
    on_flagged: Callable[[list], None] | None = None,
    batch_size: int = 2000,
) -> int:
    """Mark rows past their deadline, once: one UPDATE however many there are.

    ``on_flagged(ids)``: the domain's side effects for the rows this call flagged (in batches of
    ``batch_size``), inside the same transaction. The flag value (this sweep's ``now``) tells
    our rows from those a rival sweep flagged at the same moment; the ``IS NULL`` condition makes
    a second run, or a second machine, flag nothing again.
    """
    machine = machine_for(model)
    now = now or timezone.now()
    manager = model._default_manager
    late = {f"{machine.state_field}__in": list(states), f"{due_field}__lt": now}
    with transaction.atomic():
        flagged = manager.filter(**late, **{f"{flag_field}__isnull": True}).update(**{flag_field: now})
        if on_flagged and flagged:
            # Same (state, due) conditions: the lookup stays on the state-and-deadline index.
            ids = list(
                manager.filter(**late, **{flag_field: now}).order_by("pk").values_list("pk", flat=True)
            )
            for start in range(0, len(ids), batch_size):
                on_flagged(ids[start : start + batch_size])
    return flagged
