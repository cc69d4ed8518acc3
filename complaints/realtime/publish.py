"""Group messages into the channel layer from synchronous code (a request, a task), best effort.

The production layer is channels_redis' pub/sub layer (config/settings.py): a group is a Redis
pub/sub channel, and a ``group_send`` is one PUBLISH of the message as the layer serialises it.
Going through the layer from a request thread means ``async_to_sync``: an event loop in another
thread and, in that loop, a connection of the layer's own, for every event. That hop cost about
4 ms of CPU per complaint filed (docs/decisions/0006-realtime-publish.md). Here the same PUBLISHes
go out on a synchronous Redis connection kept by the process: every group of a batch, and every
event of it, in one round trip.

Any other layer (the in-memory one of the embedded defaults) goes through its own ``group_send``.
"""

from __future__ import annotations

import logging
import threading
import time

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _consistent_hash, decode_hosts

logger = logging.getLogger(__name__)

# A Redis that does not answer costs a request at most this long, and then is left alone for
# PAUSE seconds (events are best effort: the queue is right again on its next load).
TIMEOUT = 1.0
PAUSE = 15.0


class _Publisher:
    """The layer's naming and serialisation, and one synchronous Redis client per shard."""

    def __init__(self, layer: RedisPubSubChannelLayer):
        self.layer = layer
        config = dict(layer._kwargs)  # the layer's CONFIG: hosts, prefix
        hosts = decode_hosts(config.pop("hosts", None))
        # Built for its group naming only: it opens no connection until used, and never is here.
        self.naming = RedisPubSubLoopLayer(hosts=hosts, channel_layer=layer, **config)
        self.clients = [_client(host) for host in hosts]
        self.down_until = 0.0

    def send(self, batch: list[tuple[list[str], dict]]) -> None:
        pipes = {}
        for groups, message in batch:
            data = self.layer.serialize(message)
            for group in groups:
                channel = self.naming._get_group_channel_name(group)
                shard = _consistent_hash(channel, len(self.clients))
                if shard not in pipes:
                    pipes[shard] = self.clients[shard].pipeline(transaction=False)
                pipes[shard].publish(channel, data)
        for pipe in pipes.values():
            pipe.execute()


def _client(host: dict) -> redis.Redis:
    options = {key: value for key, value in host.items() if key != "address"}
    options.setdefault("socket_connect_timeout", TIMEOUT)
    options.setdefault("socket_timeout", TIMEOUT)
    if "address" in host:
        return redis.Redis.from_url(host["address"], **options)
    return redis.Redis(**options)


_publisher: _Publisher | None = None
_lock = threading.Lock()


def _publisher_for(layer) -> _Publisher | None:
    """The publisher of the process' layer (a new one when settings gave it a new layer)."""
    global _publisher
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    with _lock:
        if _publisher is None or _publisher.layer is not layer:
            _publisher = _Publisher(layer)
        return _publisher


def send_to_groups(batch: list[tuple[list[str], dict]]) -> None:
    """Send each message of ``batch`` to each of its groups. Never raises: a layer that fails is
    logged (``realtime: could not send``) and the events are dropped."""
    layer = get_channel_layer()
    if layer is None or not batch:
        return
    publisher = _publisher_for(layer)
    if publisher is None:
        async_to_sync(_send_through_layer)(layer, batch)
        return
    if time.monotonic() < publisher.down_until:
        return
    try:
        publisher.send(batch)
    except Exception:  # noqa: BLE001 - redis' ConnectionError, TimeoutError, …
        publisher.down_until = time.monotonic() + PAUSE
        logger.warning(
            "realtime: could not send %s (%d event(s)); none is tried for %d s",
            _names(batch),
            len(batch),
            PAUSE,
            exc_info=True,
        )


def _names(batch) -> str:
    return ", ".join(sorted({str(message.get("payload", {}).get("event")) for _groups, message in batch}))


async def _send_through_layer(layer, batch: list[tuple[list[str], dict]]) -> None:
    for groups, message in batch:
        for group in groups:
            try:
                await layer.group_send(group, message)
            except Exception:  # noqa: BLE001 - best effort, as above
                logger.warning(
                    "realtime: could not send %s to %s", _names([(groups, message)]), group, exc_info=True
                )
