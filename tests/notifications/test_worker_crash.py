"""A Celery worker killed in the middle of a send loses no message.

Real parts: a Celery worker process on the Redis broker, PostgreSQL shared with it, and the fake
Twilio server over HTTP, which holds the first send long enough for the worker to be SIGKILLed.
"""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.utils import timezone

from notifications.models import Message, Status
from tests.asgi_server import ROOT, database_url_for_subprocess
from tests.processes import running

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def celery(args, env, **kwargs):
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "config", *args], cwd=ROOT, env=env, **kwargs
    )


def test_a_worker_killed_mid_send_loses_no_message(postgres, redis_url, fake_twilio, tmp_path):
    env = {
        **os.environ,
        **fake_twilio.environment(),
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": redis_url,
        "TWILIO_HTTP_TIMEOUT": "60",
        "PYTHONUNBUFFERED": "1",
    }
    celery(["purge", "-f"], env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait(timeout=30)
    message, *behind = [
        Message.objects.create(
            channel="sms",
            recipient="+6281234567890",
            template_key="test",
            body=f"Sigap ABCD-EFG{n}: ditutup.",
        )
        for n in range(3)
    ]
    fake_twilio.fail_next(("hang", 20))
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--without-mingle"]
    worker += ["--without-gossip", "-l", "warning"]
    with running(worker, env=env, log_path=tmp_path / "first-worker.log") as first:
        # One message in flight, two more waiting in the broker behind it.
        for queued in (message, *behind):
            celery(
                ["call", "notifications.tasks.send_message", f"--args=[{queued.pk}]"],
                env,
                stdout=subprocess.DEVNULL,
            ).wait(timeout=30)
        # The worker has claimed the message and Twilio is holding the request: kill it now.
        wait_for(lambda: len(fake_twilio.sent) == 1, seconds=60, what="the first send to reach Twilio")
        assert Message.objects.get(pk=message.pk).status == Status.SENDING
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

    # Nothing is lost: the row is still there, stuck in "sending". After the stuck period the
    # periodic sweep hands it to a new worker, which delivers it.
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=10))
    with running(worker, env=env, log_path=tmp_path / "second-worker.log"):
        celery(["call", "notifications.tasks.requeue_stuck"], env, stdout=subprocess.DEVNULL).wait(timeout=30)
        wait_for(
            lambda: Message.objects.filter(status=Status.SENT).count() == 3,
            seconds=60,
            what="every message to be sent",
        )
    delivered = Message.objects.get(pk=message.pk)
    assert delivered.twilio_sid.startswith("SM") and delivered.attempts == 2
    # Twilio saw the killed attempt and the successful one; the two behind it went once each,
    # and the outbox holds each message once, sent, with its own SID.
    bodies = [request.form["Body"] for request in fake_twilio.sent]
    assert sorted(bodies) == sorted([message.body, message.body, *(m.body for m in behind)])
    assert Message.objects.count() == 3
    assert len(set(Message.objects.values_list("twilio_sid", flat=True))) == 3
    assert all(m.attempts == 1 for m in Message.objects.filter(pk__in=[m.pk for m in behind]))
