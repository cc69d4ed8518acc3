"""Timers: set-based automatic transitions and overdue flags.

Each function costs a few queries per batch however many cases match, is idempotent (a case
already moved is not matched again), and is safe to run from two machines at once: on
PostgreSQL each batch locks its rows with SKIP LOCKED, so two sweeps share the work instead of
colliding; everywhere the UPDATE is conditional on the old state, and audit rows are written only
for the rows this sweep really changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from .engine import machine_for
from .models import ActorKind, TransitionLog, Via


def sweep_transition(
    model,
    *,
    transition: str,
    source: str,
    target: str,
    now=None,
    due_field: str = "due_at",
    updates: dict | None = None,
    batch_size: int = 2000,
    on_batch: Callable[[list, list[TransitionLog]], None] | None = None,
) -> int:
    """Move every ``source`` row whose ``due_field`` has passed to ``target``, as the system.

    ``updates``: the other fields the transition sets (what its model method would assign).
    ``on_batch(ids, logs)``: the domain's side effects, inside each batch's transaction.
    """
    machine = machine_for(model)
    state = machine.state_field
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    manager = model._default_manager
    total = 0
    while True:
        with transaction.atomic():
            due = manager.filter(**{state: source, f"{due_field}__lt": now}).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            ids = list(due.values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            # The marker (state_changed_at = this sweep's now) tells our rows from a rival's.
            manager.filter(pk__in=ids, **{state: source}).update(
                **{state: target, "state_changed_at": now}, **(updates or {})
            )
            changed = list(
                manager.filter(pk__in=ids, **{state: target, "state_changed_at": now}).values_list(
                    "pk", flat=True
                )
            )
            logs = TransitionLog.objects.bulk_create(
                [
                    TransitionLog(
                        content_type=content_type,
                        object_id=pk,
                        transition=transition,
                        source=source,
                        target=target,
                        actor_kind=ActorKind.SYSTEM,
                        via=Via.SYSTEM,
                        created_at=now,
                    )
                    for pk in changed
                ]
            )
            if on_batch and changed:
                on_batch(changed, logs)
        total += len(changed)
        if len(ids) < batch_size:
            break
    return total


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
