"""A Redis cache that answers as if empty while Redis is unreachable.

Used for the default cache, which holds only counts that may be lost (the intake form's and the
API's throttles): a complaint must not fail because Redis is restarting
(docs/architecture.md#when-a-part-fails). Reads give their default, writes are dropped, ``add``
says it added (a throttle counts the request as its first), and one warning is logged every
half minute. Counts that must not be lost (PIN guesses, sign-in lock-outs) use the plain
"guard" cache, which fails closed.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
WARN_EVERY = 30.0
_last_warning = 0.0


def _warn(operation: str) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY:
        _last_warning = now
        logger.warning("cache: Redis unreachable (%s); carrying on without the cache", operation)


def _fallback(value):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE:
                _warn(method.__name__)
                return value(args, kwargs) if callable(value) else value

        return wrapper

    return decorate


def _default(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a new redis.Redis for every operation (about 60 µs of CPU each, most
    of it the table of reply callbacks). One per connection pool serves them all: a redis.Redis is
    thread-safe, and its pool notices a fork and opens its own connections in the child."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FastRedisCache(RedisCache):
    """Django's Redis cache with one client per connection pool (the "guard" cache)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool


class ResilientRedisCache(FastRedisCache):
    get = _fallback(_default)(RedisCache.get)
    get_many = _fallback({})(RedisCache.get_many)
    has_key = _fallback(False)(RedisCache.has_key)
    add = _fallback(True)(RedisCache.add)
    set = _fallback(None)(RedisCache.set)
    set_many = _fallback([])(RedisCache.set_many)
    touch = _fallback(False)(RedisCache.touch)
    delete = _fallback(False)(RedisCache.delete)
    delete_many = _fallback(None)(RedisCache.delete_many)
    incr = _fallback(lambda args, kwargs: kwargs.get("delta", args[1] if len(args) > 1 else 1))(
        RedisCache.incr
    )
    clear = _fallback(False)(RedisCache.clear)


def hit(cache, key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (from 0; it expires ``timeout`` seconds after its first
    hit) and return its count. On Redis one atomic round trip (INCR and EXPIRE NX in a pipeline):
    requests at the same moment are all counted. Django stores an int as itself, so ``get`` and
    ``get_many`` read the counter back. With Redis unreachable the default cache counts nothing."""
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, RedisCacheClient):
        key = cache.make_and_validate_key(key)
        try:
            pipe = backend.get_client(key, write=True).pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, timeout, nx=True)
            return int(pipe.execute()[0])
        except UNREACHABLE:
            if not isinstance(cache, ResilientRedisCache):
                raise
            _warn("hit")
            return 0
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout)
        return 1
