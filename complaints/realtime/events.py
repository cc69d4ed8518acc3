"""Realtime events to officers' queues and case pages (Channels), sent after commit, best effort.

Groups (names of the channel layer):
- ``unit-<id>``: the officers of one handling unit or intake desk;
- ``intake-province-<code>``: provincial intake desks also see intake-stage cases of their
  province that sit at another desk (mirrors complaints_visible_to);
- ``intake-all``: the national intake desk (no province) sees every intake-stage case;
- ``all-units``: administrators, who see every case;
- ``case-<id>``: whoever has that case's page open (joined on request, after a visibility check).

An event carries only what a queue row needs: never identity, never the description. A
client that sits in several of these groups gets an event more than once; each carries an
``eid`` so the consumer drops repeats.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from complaints import reference
from complaints.models import HandlingUnit, Role, State, UnitKind
from complaints.realtime.publish import send_to_groups

GROUP_INTAKE_ALL = "intake-all"
GROUP_ALL_UNITS = "all-units"
# Handler name on the consumer: "complaint.event" → QueueConsumer.complaint_event.
MESSAGE_TYPE = "complaint.event"


def unit_group(unit_id: int) -> str:
    return f"unit-{unit_id}"


def case_group(complaint_id: int) -> str:
    return f"case-{complaint_id}"


def intake_province_group(province_code: str) -> str:
    # Channel-layer group names allow only ASCII letters, digits, hyphens, underscores and periods.
    return f"intake-province-{province_code}"


def officer_groups(user) -> list[str]:
    """The groups a connected user may join; empty when they may not connect at all.

    Runs database queries (the user's unit): call it through database_sync_to_async.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    if user.role == Role.ADMINISTRATOR:
        return [GROUP_ALL_UNITS]
    if not user.role or user.unit_id is None:
        return []
    unit = user.unit
    groups = [unit_group(unit.pk)]
    if unit.kind == UnitKind.INTAKE:
        groups.append(
            GROUP_INTAKE_ALL if unit.province_id is None else intake_province_group(unit.province_id)
        )
    return groups


def _unit_groups(*, unit_id: int, unit_kind: str, province_id: str) -> list[str]:
    groups = [unit_group(unit_id)]
    if unit_kind == UnitKind.INTAKE:
        groups += [GROUP_INTAKE_ALL, intake_province_group(province_id)]
    return groups


def _actor_label(actor) -> str:
    """Who changed the case, for the case page's banner: an officer's name, never a complainant's."""
    if actor is None:
        return ""
    if getattr(actor, "is_authenticated", False):
        return actor.get_full_name() or actor.get_username()
    return ""


def complaint_event_payload(
    complaint, *, event: str, actor=None, previous_unit_id: int | None = None
) -> dict:
    """The small, identity-free description of a change that goes over the websocket."""
    state = complaint.state
    return {
        "eid": uuid.uuid4().hex,
        "event": event,
        "id": complaint.pk,
        "tracking_code": complaint.tracking_code,
        "tracking_code_display": complaint.tracking_code_display,
        "state": state,
        "state_label": str(State(state).label) if state in State.values else state,
        "unit_id": complaint.unit_id,
        "previous_unit_id": previous_unit_id,
        "due_at": complaint.due_at.isoformat() if complaint.due_at else None,
        # Urgent cases raise an alert on the unit's live queue (docs/domain.md#urgency).
        "urgent": bool(getattr(complaint, "urgent", False)),
        "changed_at": timezone.now().isoformat(),
        "actor": _actor_label(actor),
    }


def _event_groups(complaint, unit_kinds: dict, previous_unit_id: int | None) -> list[str]:
    """Every group that should hear about this complaint, the unit it left included."""
    groups = [GROUP_ALL_UNITS, case_group(complaint.pk)]
    for unit_id in (complaint.unit_id, previous_unit_id):
        if unit_id is not None and unit_id in unit_kinds:
            groups += _unit_groups(
                unit_id=unit_id, unit_kind=unit_kinds[unit_id], province_id=complaint.province_id
            )
    return list(dict.fromkeys(groups))


def _send_all(batch: list[tuple[list[str], dict]]) -> None:
    """Every (groups, payload) of a batch at once (complaints.realtime.publish: one round trip to
    Redis; the timer sweep sends thousands together), whatever happens to the surrounding
    transaction. It runs after the change committed: a lost event only means an officer's queue
    refreshes on the next reload, so a broken channel layer is logged, never raised."""
    # The groups travel with the message: a consumer that hears it only through a case page it
    # follows re-checks that it may still see the case (it may have moved to another unit).
    send_to_groups(
        [(groups, {"type": MESSAGE_TYPE, "payload": payload, "groups": groups}) for groups, payload in batch]
    )


def broadcast_complaint_event_on_commit(
    complaint, *, event: str, actor=None, previous_unit_id: int | None = None
) -> None:
    """Tell the officers of the complaint's unit (and anyone on its case page) that it changed.

    The payload and groups are taken now (the values this transaction commits); they are sent
    only after commit, so a rolled-back change is never announced. ``previous_unit_id``: the
    unit a referral moved the case away from, so its queue drops the row.
    """
    broadcast_complaint_events_on_commit(
        [complaint], event=event, actor=actor, previous_unit_ids={complaint.pk: previous_unit_id}
    )


def broadcast_complaint_events_on_commit(
    complaints, *, event: str, actor=None, previous_unit_ids: dict[int, int | None] | None = None
) -> None:
    """The same for many complaints that changed together (a step, a batch of the timer sweep).
    The kinds of their units (and of the units the cases left, ``previous_unit_ids``) come from
    the process' reference copy (complaints.reference): no query."""
    complaints = list(complaints)
    previous_unit_ids = previous_unit_ids or {}
    wanted = {c.unit_id for c in complaints} | set(previous_unit_ids.values())
    unit_kinds = {pk: unit.kind for pk, unit in reference.rows("unit", HandlingUnit, wanted).items()}
    batch = []
    for complaint in complaints:
        previous = previous_unit_ids.get(complaint.pk)
        payload = complaint_event_payload(complaint, event=event, actor=actor, previous_unit_id=previous)
        batch.append((_event_groups(complaint, unit_kinds, previous), payload))

    transaction.on_commit(lambda: _send_all(batch))
