"""The officers' websocket: who may connect, and who hears which case's events."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from complaints.machine import complaint_received
from complaints.models import Complaint, Confidentiality, HandlingUnit, Role, State, UnitKind
from complaints.realtime.events import broadcast_complaint_event_on_commit
from config.asgi import application
from tests.factories import ComplaintFactory, UserFactory, unit

pytestmark = pytest.mark.django_db(transaction=True)


def _headers(user=None, *, origin: bytes = b"http://testserver") -> list[tuple[bytes, bytes]]:
    """Handshake headers; a logged-in user's session cookie is made here, outside the event loop."""
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


def _socket(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/queue/", headers=headers)


def test_an_anonymous_visitor_is_closed_with_4401():
    async def scenario():
        comm = _socket(_headers())
        connected, _ = await comm.connect()
        assert connected
        assert await comm.receive_output() == {"type": "websocket.close", "code": 4401}
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_user_without_role_or_unit_is_closed_with_4403():
    headers = _headers(UserFactory(username="tamu", role="", unit=None))

    async def scenario():
        comm = _socket(headers)
        await comm.connect()
        assert await comm.receive_output() == {"type": "websocket.close", "code": 4403}
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_foreign_origin_is_refused(ombudsman_officer):
    headers = _headers(ombudsman_officer, origin=b"https://evil.example")

    async def scenario():
        connected, _ = await _socket(headers).connect()
        assert not connected

    async_to_sync(scenario)()


def test_an_officer_with_a_unit_is_accepted(ombudsman_officer):
    headers = _headers(ombudsman_officer)

    async def scenario():
        comm = _socket(headers)
        connected, _ = await comm.connect()
        assert connected
        assert await comm.receive_json_from() == {"type": "ready"}
        await comm.disconnect()

    async_to_sync(scenario)()


# --- events --------------------------------------------------------------------------------------
def _announce(capture, complaint, **kwargs) -> None:
    """A committed change: the on-commit broadcast runs as it would after a real transaction."""
    with capture(execute=True):
        broadcast_complaint_event_on_commit(complaint, **kwargs)


async def _connect(headers) -> WebsocketCommunicator:
    comm = _socket(headers)
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_json_from() == {"type": "ready"}
    return comm


def test_an_officer_hears_of_their_units_case_and_another_unit_hears_nothing(
    ombudsman_officer, outsider, django_capture_on_commit_callbacks
):
    mine = ComplaintFactory(unit=unit("ombudsman", "31"), state=State.EXAMINATION)
    a, b = _headers(ombudsman_officer), _headers(outsider)

    async def scenario():
        oki, oscar = await _connect(a), await _connect(b)
        await database_sync_to_async(_announce)(
            django_capture_on_commit_callbacks, mine, event="request_info", actor=ombudsman_officer
        )
        event = await oki.receive_json_from()
        assert event["type"] == "complaint"
        assert event["id"] == mine.pk
        assert event["tracking_code"] == mine.tracking_code
        assert event["state"] == "examination"
        assert event["state_label"] == "Pemeriksaan"
        assert event["event"] == "request_info"
        assert await oscar.receive_nothing(timeout=0.2)
        await oki.disconnect()
        await oscar.disconnect()

    async_to_sync(scenario)()


def test_an_event_carries_no_identity_and_no_description(
    ombudsman_officer, django_capture_on_commit_callbacks
):
    secret = ComplaintFactory(
        unit=unit("ombudsman", "31"),
        state=State.EXAMINATION,
        confidentiality=Confidentiality.CONFIDENTIAL,
        identity__name="Siti Rahasia",
        description="Kronologi yang tidak boleh bocor",
    )
    headers = _headers(ombudsman_officer)

    async def scenario():
        comm = await _connect(headers)
        await database_sync_to_async(_announce)(django_capture_on_commit_callbacks, secret, event="resolve")
        raw = await comm.receive_from()
        assert "Siti Rahasia" not in raw
        assert "3171234567890123" not in raw  # the factory's NIK
        assert "+6281234567890" not in raw
        assert "tidak boleh bocor" not in raw
        assert set(json.loads(raw)) == {
            "type", "eid", "event", "id", "tracking_code", "tracking_code_display", "state", "state_label", "unit_id",
            "previous_unit_id", "due_at", "urgent", "changed_at", "actor",
        }  # fmt: skip
        await comm.disconnect()

    async_to_sync(scenario)()


def test_intake_events_reach_the_provincial_and_the_national_desk_only(
    intake_officer, ombudsman_officer, django_capture_on_commit_callbacks
):
    national = UserFactory(username="nasional", role=Role.INTAKE_OFFICER, unit=HandlingUnit.objects.get(
        kind=UnitKind.INTAKE, province=None
    ))  # fmt: skip
    west_java_desk = UserFactory(username="jabar", role=Role.INTAKE_OFFICER, unit=unit("intake", "32"))
    new = ComplaintFactory()  # at the DKI Jakarta intake desk
    headers = [_headers(u) for u in (intake_officer, national, west_java_desk, ombudsman_officer)]

    async def scenario():
        jakarta, nation, jabar, oki = [await _connect(h) for h in headers]
        await database_sync_to_async(_announce)(django_capture_on_commit_callbacks, new, event="submitted")
        assert (await jakarta.receive_json_from())["id"] == new.pk
        assert (await nation.receive_json_from())["id"] == new.pk
        assert await jabar.receive_nothing(timeout=0.2)
        assert await oki.receive_nothing(timeout=0.1)
        for comm in (jakarta, nation, jabar, oki):
            await comm.disconnect()

    async_to_sync(scenario)()


def test_a_referral_reaches_both_the_desk_it_left_and_the_unit_it_joined(
    intake_officer, ombudsman_officer, django_capture_on_commit_callbacks
):
    desk = unit("intake", "31")
    referred = ComplaintFactory(unit=unit("ombudsman", "31"), state=State.REFERRED)
    headers = [_headers(intake_officer), _headers(ombudsman_officer)]

    async def scenario():
        intan, oki = [await _connect(h) for h in headers]
        await database_sync_to_async(_announce)(
            django_capture_on_commit_callbacks, referred, event="refer", previous_unit_id=desk.pk
        )
        left = await intan.receive_json_from()
        assert (left["id"], left["previous_unit_id"], left["state"]) == (referred.pk, desk.pk, "referred")
        assert (await oki.receive_json_from())["id"] == referred.pk
        # Each socket gets it once, although it sits in several of the event's groups.
        assert await intan.receive_nothing(timeout=0.2)
        await intan.disconnect()
        await oki.disconnect()

    async_to_sync(scenario)()


def test_a_rolled_back_change_is_never_announced(ombudsman_officer, django_capture_on_commit_callbacks):
    case = ComplaintFactory(unit=unit("ombudsman", "31"), state=State.EXAMINATION)
    headers = _headers(ombudsman_officer)

    def change_then_fail():
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                broadcast_complaint_event_on_commit(case, event="resolve")
                raise RuntimeError("the step failed")
        assert callbacks == []

    async def scenario():
        comm = await _connect(headers)
        await database_sync_to_async(change_then_fail)()
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_broken_channel_layer_does_not_fail_the_committed_step(
    settings, caplog, django_capture_on_commit_callbacks
):
    # Nothing listens on port 1: every send fails. The step has committed; it must not raise.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    case = ComplaintFactory()
    _announce(django_capture_on_commit_callbacks, case, event="start_verification")
    assert "could not send start_verification" in caplog.text


# --- following a case page -----------------------------------------------------------------------
def test_an_officer_may_follow_a_case_of_their_unit_but_not_another_units(
    ombudsman_officer, outsider, django_capture_on_commit_callbacks
):
    mine = ComplaintFactory(unit=unit("ombudsman", "31"), state=State.EXAMINATION)
    theirs = ComplaintFactory(unit=unit("ombudsman", "32"), state=State.EXAMINATION)
    headers = _headers(ombudsman_officer)

    async def scenario():
        comm = await _connect(headers)
        await comm.send_json_to({"watch": theirs.pk})
        assert await comm.receive_json_from() == {"type": "error", "error": "not_found", "id": theirs.pk}
        await comm.send_json_to({"watch": 987654321})
        assert (await comm.receive_json_from())["error"] == "not_found"
        await comm.send_json_to({"watch": "x; drop"})
        assert await comm.receive_json_from() == {"type": "error", "error": "bad_request"}
        await comm.send_json_to({"watch": mine.pk})
        assert await comm.receive_json_from() == {"type": "watching", "id": mine.pk}

        # Another unit's case changes: a watcher who was refused hears nothing of it.
        await database_sync_to_async(_announce)(django_capture_on_commit_callbacks, theirs, event="resolve")
        assert await comm.receive_nothing(timeout=0.2)
        # Its own case changes: once, with who changed it for the banner.
        await database_sync_to_async(_announce)(
            django_capture_on_commit_callbacks, mine, event="resolve", actor=outsider
        )
        event = await comm.receive_json_from()
        assert (event["id"], event["actor"]) == (mine.pk, outsider.get_full_name() or "oscar")
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_case_page_stops_hearing_of_a_case_once_it_left_the_officers_unit(
    intake_officer, ombudsman_officer, django_capture_on_commit_callbacks
):
    at_desk = ComplaintFactory(state=State.VERIFYING)
    desk = unit("intake", "31")
    headers = _headers(intake_officer)

    def move(**changes):
        Complaint.objects.filter(pk=at_desk.pk).update(**changes)
        return Complaint.objects.get(pk=at_desk.pk)

    async def scenario():
        comm = await _connect(headers)
        await comm.send_json_to({"watch": at_desk.pk})
        assert await comm.receive_json_from() == {"type": "watching", "id": at_desk.pk}

        def referred():
            case = move(unit=unit("ombudsman", "31"), state="referred")
            _announce(django_capture_on_commit_callbacks, case, event="refer", previous_unit_id=desk.pk)

        def accepted():
            case = move(state="examination")
            _announce(
                django_capture_on_commit_callbacks, case, event="accept_referral", actor=ombudsman_officer
            )

        # The desk hears that its case left (the referral names the desk as the previous unit)…
        await database_sync_to_async(referred)()
        assert (await comm.receive_json_from())["state"] == "referred"
        # …but not what the Ombudsman office does with it afterwards, page open or not.
        await database_sync_to_async(accepted)()
        assert await comm.receive_nothing(timeout=0.2)
        await comm.disconnect()

    async_to_sync(scenario)()


def test_the_administrator_hears_every_units_events(administrator, django_capture_on_commit_callbacks):
    case = ComplaintFactory(unit=unit("kanwil_ham", "32"), state=State.EXAMINATION)
    headers = _headers(administrator)

    async def scenario():
        comm = await _connect(headers)
        await database_sync_to_async(_announce)(django_capture_on_commit_callbacks, case, event="resolve")
        assert (await comm.receive_json_from())["id"] == case.pk
        await comm.disconnect()

    async_to_sync(scenario)()


def test_a_filed_complaint_is_announced_to_its_intake_desk(
    intake_officer, django_capture_on_commit_callbacks
):
    headers = _headers(intake_officer)
    new = ComplaintFactory()

    async def scenario():
        comm = await _connect(headers)
        await database_sync_to_async(complaint_received)(new)
        event = await comm.receive_json_from()
        assert (event["id"], event["event"], event["state"]) == (new.pk, "submit", "submitted")
        await comm.disconnect()

    async_to_sync(scenario)()
