"""One path for every state change: a case the timer sweep moves ends exactly as a case moved by
``engine.perform`` as the system (docs/architecture.md#timers).

Two identical cases; one is moved by ``perform``, the other by the sweep once its deadline has
passed. Compared: the state and every field of the complaint, the audit row, the outbox
messages, the thread and the realtime event. What must differ (the case's own number, code and
times) is named in each comparison.
"""

import asyncio
import datetime

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from complaints.jobs.sweep import complaints_sweep
from complaints.models import CaseMessage, Complaint, State
from complaints.realtime.events import case_group
from notifications.models import Message
from tests.complaints.lifecycle import complaint_in
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

PAST = timezone.now() - datetime.timedelta(days=1)
# Stamped by the step itself: each case's own moment, checked against the moment it moved.
CLOCK_FIELDS = ("state_changed_at", "updated_at")


def _fields(complaint) -> dict:
    complaint.refresh_from_db()
    return {
        f.attname: getattr(complaint, f.attname) for f in Complaint._meta.concrete_fields if f.attname != "id"
    }


def _listen(complaint) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(case_group(complaint.pk), channel)
    return channel


def _heard(channel) -> list[dict]:
    layer = get_channel_layer()

    async def drain():
        heard = []
        while True:
            try:
                heard.append(await asyncio.wait_for(layer.receive(channel), timeout=0.2))
            except TimeoutError:
                return heard

    return async_to_sync(drain)()


def _after(complaint, *, log_id: int, message_id: int, thread_id: int) -> dict:
    """What the step left behind for one case, with what belongs to the case itself taken out."""
    code = complaint.tracking_code_display
    logs = TransitionLog.objects.filter(object_id=complaint.pk, id__gt=log_id)
    messages = Message.objects.filter(reference=f"complaint:{complaint.pk}", id__gt=message_id)
    thread = CaseMessage.objects.filter(complaint=complaint, id__gt=thread_id)
    return {
        "logs": [
            (
                log.transition,
                log.source,
                log.target,
                log.actor_id,
                log.actor_kind,
                log.via,
                log.fields,
                log.note,
            )
            for log in logs
        ],
        "log_times": [log.created_at for log in logs],
        "messages": [
            (
                m.template_key,
                m.channel,
                m.recipient,
                m.language,
                m.body.replace(code, "<code>"),
                m.content_sid,
                {k: v.replace(code, "<code>") for k, v in m.content_variables.items()},
                m.status,
                m.sensitive,
            )
            for m in messages
        ],
        "thread": [(m.kind, m.body, m.channel, m.author_id) for m in thread],
    }


def _event(message: dict, complaint) -> dict:
    payload = dict(message["payload"])
    for key in ("eid", "changed_at"):  # a fresh id and the moment each was sent
        assert payload.pop(key)
    assert (payload.pop("id"), payload.pop("tracking_code")) == (complaint.pk, complaint.tracking_code)
    assert payload.pop("tracking_code_display") == complaint.tracking_code_display
    groups = [g.replace(case_group(complaint.pk), "case-<id>") for g in message["groups"]]
    return {"type": message["type"], "payload": payload, "groups": groups}


@pytest.mark.parametrize(
    ("transition", "state", "channel", "language"),
    [
        ("expire_info", State.AWAITING_INFO, "sms", "id"),
        ("expire_info", State.AWAITING_INFO, "whatsapp", "en"),
        ("close", State.RESOLVED, "sms", "en"),
        ("close", State.RESOLVED, "whatsapp", "id"),
    ],
)
def test_the_sweep_moves_a_case_exactly_as_perform_does(
    transition, state, channel, language, administrator, django_capture_on_commit_callbacks
):
    by_hand, by_clock = (
        complaint_in(state, admin=administrator, notify_channel=channel, language=language) for _ in range(2)
    )
    # The same deadline, passed, and the same stale overdue flag on both.
    Complaint.objects.filter(pk__in=[by_hand.pk, by_clock.pk]).update(
        due_at=PAST, overdue_flagged_at=PAST - datetime.timedelta(hours=1)
    )
    before = {c.pk: _fields(c) for c in (by_hand, by_clock)}
    marks = {
        "log_id": TransitionLog.objects.order_by("-id").values_list("id", flat=True).first(),
        "message_id": Message.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "thread_id": CaseMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }
    hand_ear, clock_ear = _listen(by_hand), _listen(by_clock)

    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        engine.perform(by_hand, transition, actor=Actor.system(), via="system")
    hand_window = (started, timezone.now())
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        result = complaints_sweep()
    clock_window = (started, timezone.now())
    assert (result.expired, result.closed) == ((1, 0) if transition == "expire_info" else (0, 1))

    # The complaint: every field the step touched, touched alike.
    after = {c.pk: _fields(c) for c in (by_hand, by_clock)}
    hand, clock = after[by_hand.pk], after[by_clock.pk]
    assert (
        hand["state"] == clock["state"] == (State.WITHDRAWN if transition == "expire_info" else State.CLOSED)
    )
    touched = set()
    for name in hand:
        if name in CLOCK_FIELDS:
            continue
        hand_moved = hand[name] != before[by_hand.pk][name]
        clock_moved = clock[name] != before[by_clock.pk][name]
        assert hand_moved == clock_moved, name
        if hand_moved:
            touched.add(name)
            assert hand[name] == clock[name], name
    assert touched >= {"state", "due_at", "overdue_flagged_at"}
    if transition == "expire_info":
        assert {"resume_state", "paused_remaining"} <= touched  # the paused clock is dropped
    for name in CLOCK_FIELDS:
        assert hand_window[0] <= hand[name] <= hand_window[1], name
        assert clock_window[0] <= clock[name] <= clock_window[1], name

    # The audit row, the outbox messages, the thread.
    left_by_hand = _after(by_hand, **marks)
    left_by_clock = _after(by_clock, **marks)
    assert left_by_hand["logs"] == left_by_clock["logs"]
    assert left_by_hand["logs"] == [(transition, state, hand["state"], None, "system", "system", {}, "")]
    assert left_by_clock["log_times"] == [clock["state_changed_at"]]  # one moment: the sweep's now
    assert left_by_hand["messages"] == left_by_clock["messages"]
    assert len(left_by_hand["messages"]) == 1
    assert left_by_hand["thread"] == left_by_clock["thread"]

    # The realtime event to the case's page (and the unit's queue, the same groups).
    heard_by_hand, heard_by_clock = _heard(hand_ear), _heard(clock_ear)
    assert len(heard_by_hand) == len(heard_by_clock) == 1
    assert _event(heard_by_hand[0], by_hand) == _event(heard_by_clock[0], by_clock)
    assert heard_by_clock[0]["payload"]["event"] == transition


def test_a_case_moved_by_perform_is_not_met_again_by_the_sweep(administrator):
    waiting = complaint_in(State.AWAITING_INFO, admin=administrator)
    Complaint.objects.filter(pk=waiting.pk).update(due_at=PAST)
    engine.perform(waiting, "expire_info", actor=Actor.system(), via="system")
    assert complaints_sweep().expired == 0
    assert TransitionLog.objects.filter(object_id=waiting.pk, transition="expire_info").count() == 1
