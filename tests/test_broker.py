"""Celery's broker as production runs it: Redis through config.broker's transport (one client per
channel), and Celery's settings read from Django's (config.celery.DjangoCelerySettings)."""

from __future__ import annotations

import json

import pytest
import redis
from celery import Celery
from django.conf import settings

QUEUE = "sigap-test-broker"


@pytest.fixture
def broker(redis_url):
    app = Celery("sigap-test-broker", broker=redis_url)
    app.conf.broker_transport = "config.broker:Transport"
    app.conf.task_default_queue = QUEUE
    server = redis.Redis.from_url(redis_url)
    server.delete(QUEUE)
    yield app, server
    server.delete(QUEUE)
    app.close()


def _queued(server) -> list:
    """The tasks waiting in the queue, oldest first: (task name, arguments)."""
    waiting = []
    for raw in reversed(server.lrange(QUEUE, 0, -1)):
        message = json.loads(raw)
        waiting.append((message["headers"]["task"], message["headers"]["argsrepr"]))
    return waiting


def test_every_task_published_reaches_the_queue_once(broker):
    app, server = broker
    for message_id in (7, 8, 9):
        app.send_task("notifications.tasks.send_message", args=(message_id,))
    assert _queued(server) == [("notifications.tasks.send_message", f"({n},)") for n in (7, 8, 9)]


def test_a_channel_publishes_through_one_client_and_a_new_one_after_its_pool_is_made_again(broker):
    app, server = broker
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
        channel._disconnect_pools()  # what kombu does when the connection to Redis is lost
        with channel.conn_or_acquire() as after:
            assert after is not first and after.connection_pool is channel.pool
        with app.producer_or_acquire() as producer:
            producer.publish({"after": "reconnect"}, routing_key=QUEUE)
    assert server.llen(QUEUE) == 1


def test_celery_reads_djangos_celery_settings_under_its_own_names():
    from config.celery import app

    # What Celery acts on, as config/settings.py sets it (the app's own conf, not a copy of it).
    assert app.conf.task_acks_late is settings.CELERY_TASK_ACKS_LATE is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_publish_retry_policy == settings.CELERY_TASK_PUBLISH_RETRY_POLICY
    assert set(app.conf.beat_schedule) == set(settings.CELERY_BEAT_SCHEDULE)
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.parametrize(
    ("redis_url", "transport"),
    [
        ("redis://127.0.0.1:6379/0", "Transport config.broker"),  # Sigap's: one client per channel
        ("rediss://redis.example.id:6380/0", "Transport kombu.transport.redis"),  # TLS: kombu's own
        ("", "Transport kombu.transport.memory"),  # the embedded defaults: no broker
    ],
)
def test_a_redis_broker_is_reached_through_sigaps_transport_and_any_other_through_kombus(
    redis_url, transport
):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup()\n"
        "from config.celery import app\n"
        "cls = type(app.connection_for_write().transport)  # made, not connected\n"
        "print(cls.__name__, cls.__module__)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": redis_url}
    done = subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == transport


def test_a_task_published_for_less_is_the_message_delay_publishes(broker):
    # notifications.tasks.publish_task: Celery's task message through a kept kombu channel.
    from notifications.tasks import publish_task

    app, server = broker
    ran = []

    @app.task(name="notifications.tasks.send_message", ignore_result=True)
    def send(message_id):
        ran.append(message_id)

    publish_task(send, (7,))
    send.delay(8)
    ours, theirs = (json.loads(raw) for raw in reversed(server.lrange(QUEUE, 0, -1)))

    def shape(message):  # every key at every level, and the values that are not per message
        per_message = {"id", "root_id", "correlation_id", "delivery_tag", "argsrepr", "body"}
        return {
            key: shape(value) if isinstance(value, dict) else (key if key in per_message else value)
            for key, value in message.items()
        }

    assert shape(ours) == shape(theirs)
    assert (
        ours["headers"]["argsrepr"] == "(7,)" and ours["properties"]["delivery_info"]["routing_key"] == QUEUE
    )
    with app.connection_for_read() as connection:
        first = connection.default_channel.basic_get(QUEUE, no_ack=True)
        second = connection.default_channel.basic_get(QUEUE, no_ack=True)
    assert first.decode()[:2] == [[7], {}] and second.decode()[:2] == [[8], {}]
    assert first.decode()[2] == second.decode()[2]  # callbacks, errbacks, chain, chord
    assert (
        first.headers["task"] == "notifications.tasks.send_message"
        and first.headers["id"] != second.headers["id"]
    )

    app.conf.task_always_eager = True  # no broker (the embedded defaults): the task runs at once
    publish_task(send, (9,))
    assert ran == [9] and server.llen(QUEUE) == 0
