"""Sigap holds no state in its processes: two ASGI servers, a Celery worker and Celery beat share
one PostgreSQL and one Redis, and everything still reaches everyone.

The servers run the README's production command (uvicorn), each on its own loopback port.

- A transition performed through server A's API reaches an officer's websocket on server B.
- The message that step enqueues on A is delivered by the worker to (fake) Twilio.
- Beat, running beside them, schedules the periodic sweeps on the same broker.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from knox.models import AuthToken
from websockets.sync.client import connect

from complaints.models import State
from notifications.models import Message, Status
from tests.asgi_server import ROOT, database_url_for_subprocess
from tests.complaints.lifecycle import complaint_in
from tests.processes import free_port, running, serving

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def app_server(env: dict, log_path: Path):
    """uvicorn as in the README's deployment section, on a free loopback port; yields its URL."""
    port = free_port()
    uvicorn = [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with serving(uvicorn, port=port, env=env, log_path=log_path) as base_url:
        yield base_url


def celery_process(args, env, log_path):
    return running([sys.executable, "-m", "celery", "-A", "config", *args], env=env, log_path=log_path)


def test_two_servers_a_worker_and_beat_share_everything_through_postgresql_and_redis(
    postgres, redis_url, fake_twilio, administrator, ombudsman_officer, tmp_path
):
    shared = {**fake_twilio.environment(), "REDIS_URL": redis_url}
    env = {
        **os.environ,
        **shared,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_subprocess(),
        "DATABASE_POOL_SIZE": "4",  # every process with its pool, as docs/deploy/env.example has it
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    complaint = complaint_in(State.REFERRED, admin=administrator)  # at Ombudsman RI DKI Jakarta
    Message.objects.all().delete()
    sent_before = len(fake_twilio.sent)  # the referral's message, sent in this process
    _token, key = AuthToken.objects.create(ombudsman_officer)
    browser_session = Client()
    browser_session.force_login(ombudsman_officer)

    with (
        app_server(env, tmp_path / "a.log") as server_a,
        app_server(env, tmp_path / "b.log") as server_b,
        celery_process(["worker", "--pool=solo", "-l", "warning"], env, tmp_path / "worker.log"),
        celery_process(
            ["beat", "-l", "info", "-s", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log"
        ) as beat,
    ):
        ws_url = server_b.replace("http://", "ws://") + "/ws/queue/"
        cookie = f"sessionid={browser_session.cookies['sessionid'].value}"
        with connect(
            ws_url, origin=server_b, additional_headers={"Cookie": cookie}, open_timeout=10
        ) as socket_on_b:
            assert json.loads(socket_on_b.recv(timeout=10)) == {"type": "ready"}
            request = urllib.request.Request(  # noqa: S310 - loopback test server
                f"{server_a}/api/v1/complaints/{complaint.pk}/transitions/accept_referral/",
                data=b"{}",
                method="POST",
                headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                assert json.loads(response.read())["state"] == "examination"
            event = json.loads(socket_on_b.recv(timeout=15))
            assert (event["id"], event["event"], event["state"]) == (
                complaint.pk,
                "accept_referral",
                "examination",
            )

        # A step the complainant hears about, through server A: its message goes out by the worker.
        request = urllib.request.Request(  # noqa: S310
            f"{server_a}/api/v1/complaints/{complaint.pk}/transitions/resolve/",
            data=json.dumps(
                {"outcome": "diselesaikan_instansi", "public_summary": "Instansi memperbaiki layanan."}
            ).encode(),
            method="POST",
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            assert json.loads(response.read())["state"] == "resolved"
        deadline = time.monotonic() + 30
        while (
            time.monotonic() < deadline
            and not Message.objects.filter(status=Status.SENT, template_key="resolve").exists()
        ):
            time.sleep(0.2)
        message = Message.objects.get(template_key="resolve")
        assert message.status == Status.SENT and message.twilio_sid.startswith("SM")
        # The examination's start and its outcome, each once, to the complainant's phone.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(fake_twilio.sent) - sent_before < 2:
            time.sleep(0.2)
        assert [r.form["To"] for r in fake_twilio.sent[sent_before:]] == [complaint.identity.phone] * 2
        assert beat.poll() is None  # beat kept running beside them
