"""/ws/queue/ over the network: Daphne, the Redis channel layer, PostgreSQL, a real websocket client.

The event is raised in this test process after a committed change and travels through Redis to
the server process, which relays it to the officer's socket, and to nobody else's.
"""

import json

import pytest
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from complaints.models import Role, State
from tests.asgi_server import asgi_server
from tests.factories import ComplaintFactory, UserFactory, unit
from workflow.engine import Actor, perform

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(postgres, redis_url, settings, tmp_path):
    # This process sends through the same Redis the server listens on.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    with asgi_server(redis_url=redis_url, log_path=tmp_path / "daphne.log") as base_url:
        yield base_url


def _socket(base_url: str, user=None):
    headers = {}
    if user is not None:
        client = Client()
        client.force_login(user)
        headers["Cookie"] = f"sessionid={client.cookies['sessionid'].value}"
    ws_url = base_url.replace("http://", "ws://") + "/ws/queue/"
    return connect(ws_url, origin=base_url, additional_headers=headers, open_timeout=10)


def _next(ws, timeout: float = 10) -> dict:
    return json.loads(ws.recv(timeout=timeout))


def test_a_transition_reaches_its_units_officers_and_nobody_else(server, intake_officer, outsider):
    case = ComplaintFactory(state=State.SUBMITTED)  # at the DKI Jakarta intake desk
    colleague = UserFactory(username="indra", role=Role.INTAKE_OFFICER, unit=unit("intake", "31"))
    west_java_desk = UserFactory(username="jabar", role=Role.INTAKE_OFFICER, unit=unit("intake", "32"))
    with (
        _socket(server, intake_officer) as intan,
        _socket(server, outsider) as oscar,
        _socket(server, west_java_desk) as jabar,
    ):
        for ws in (intan, oscar, jabar):
            assert _next(ws) == {"type": "ready"}
        # A colleague starts verifying the case, here in the test process: the workflow engine
        # commits, then the event goes through Redis to the server and out to Intan's socket.
        perform(case, "start_verification", actor=Actor.officer(colleague), via="web")
        event = _next(intan)
        assert (event["type"], event["id"], event["tracking_code"], event["event"]) == (
            "complaint",
            case.pk,
            case.tracking_code,
            "start_verification",
        )
        assert (event["state"], event["state_label"], event["actor"]) == (
            "verifying",
            "Verifikasi formal",
            colleague.get_full_name() or "indra",
        )
        for other in (oscar, jabar):
            with pytest.raises(TimeoutError):
                other.recv(timeout=0.5)


def test_an_anonymous_socket_is_closed_with_4401_over_the_network(server):
    with _socket(server) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 4401


def test_a_socket_from_another_origin_is_refused(server, ombudsman_officer):
    client = Client()
    client.force_login(ombudsman_officer)
    with pytest.raises(Exception) as refused:  # noqa: B017 - the handshake fails with HTTP 403
        connect(
            server.replace("http://", "ws://") + "/ws/queue/",
            origin="https://evil.example",
            additional_headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
            open_timeout=10,
        )
    assert "403" in str(refused.value)
