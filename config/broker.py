"""Celery's Redis transport, with one Redis client per channel instead of one per publish.

kombu's Redis channel builds a new ``redis.Redis`` for every message it publishes
(``Channel.conn_or_acquire``), and each one fills a table of about 170 response callbacks on the
way: in a profile of filing a complaint that was 124 µs of the 330 µs its message's task cost to
publish (issue 17). A client is only a handle on the channel's connection pool and is safe to
share between threads, so the channel keeps one for as long as its pool lives. Nothing else about
publishing or consuming changes.

Used for ``redis://`` brokers (config/settings.py: CELERY_BROKER_TRANSPORT); another scheme keeps
kombu's own transport.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _sync_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self._sync_client
        # A channel whose pools were closed and made again gets a client on the new pool.
        if client is None or client.connection_pool is not pool:
            client = self._sync_client = super()._create_client()
        return client


class Transport(kombu_redis.Transport):
    Channel = Channel
