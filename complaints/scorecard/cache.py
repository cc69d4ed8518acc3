"""The scorecard's snapshots in Django's cache (Redis in production, local memory otherwise).

Celery beat runs ``complaints.tasks.refresh_scorecard`` (complaints/jobs/tasks.py) every
REFRESH_SECONDS: it builds the default period's snapshot (complaints/scorecard/snapshot.py) and
stores it. A page reads the cache and builds the snapshot itself only on a miss (another period,
or the beat not running), one build at a time (snapshot_for).

The beat's snapshot is kept for TTL, so that it outlives a few missed refreshes; one built for a
request, for REFRESH_SECONDS, so that it is never older than the beat's would be. Each snapshot
is stored whole under its own generation, and a small pointer names the period's
current generation: every page reads one consistent snapshot, never half of one refresh and half
of the next. Each process also keeps the last few snapshots it read in memory, so a page costs
one small cache read (the pointer) while the generation stays the same. Medians of a scope other
than the country are computed on its first visit and kept beside the snapshot.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from datetime import datetime
from threading import Lock

from django.core.cache import cache

from complaints.scorecard import snapshot as snapshots
from complaints.scorecard.snapshot import Period, Snapshot

logger = logging.getLogger(__name__)

PREFIX = "scorecard:v1"
REFRESH_SECONDS = 900  # the beat's interval (config/settings.py CELERY_BEAT_SCHEDULE)
TTL = 3 * 3600  # the beat's snapshot outlives a few missed refreshes
ON_DEMAND_TTL = REFRESH_SECONDS  # one built for a request is as fresh as the beat's
LOCK_SECONDS = 120  # a build that died leaves its lock at most this long
WAIT_SECONDS = 20  # how long a request waits for another's build
BUILD_LOCK = f"{PREFIX}:building"
KEEP_IN_MEMORY = 4

_memory: OrderedDict[tuple[str, str], Snapshot] = OrderedDict()
_memory_lock = Lock()


def _pointer_key(period: Period) -> str:
    return f"{PREFIX}:{period.key}"


def _snapshot_key(period: Period, generation: str) -> str:
    return f"{PREFIX}:{period.key}:{generation}"


def _remember(item: Snapshot) -> None:
    with _memory_lock:
        _memory[(item.period.key, item.generation)] = item
        _memory.move_to_end((item.period.key, item.generation))
        while len(_memory) > KEEP_IN_MEMORY:
            _memory.popitem(last=False)


def _cached(period: Period) -> Snapshot | None:
    generation = cache.get(_pointer_key(period))
    if not generation:
        return None
    with _memory_lock:
        item = _memory.get((period.key, generation))
    if item is not None:
        return item
    item = cache.get(_snapshot_key(period, generation))
    if item is not None:
        _remember(item)
    return item


def store(item: Snapshot, *, ttl: int = TTL) -> Snapshot:
    """Keep a built snapshot as its period's current one, for ``ttl`` seconds."""
    item.generation = uuid.uuid4().hex[:16]
    item.ttl = ttl
    cache.set(_snapshot_key(item.period, item.generation), item, ttl)
    cache.set(_pointer_key(item.period), item.generation, ttl)
    _remember(item)
    return item


def refresh(period: Period | None = None, *, now: datetime | None = None) -> Snapshot:
    """Build and store the snapshot of ``period`` (the default one: the last 12 months)."""
    period = period or Period.default(now)
    started = time.monotonic()
    item = store(snapshots.build(period, now=now))
    logger.info("scorecard %s: %s scopes in %.1f s", period.key, len(item.cells), time.monotonic() - started)
    return item


class Busy(Exception):
    """Another period's snapshot is being built and this one's could not wait its turn."""


def snapshot_for(period: Period) -> Snapshot:
    """The period's snapshot: from the cache, or built now.

    Requests build one snapshot at a time in the whole deployment (a lock in the cache): a period
    asked for twice at once is built once, and asking for many periods cannot set the database
    counting all of them at the same time. A request that cannot get its turn within WAIT_SECONDS
    raises Busy (the pages answer 503 with Retry-After)."""
    item = _cached(period)
    if item is not None:
        return item
    deadline = time.monotonic() + WAIT_SECONDS
    while not cache.add(BUILD_LOCK, period.key, LOCK_SECONDS):
        time.sleep(0.2)
        item = _cached(period)
        if item is not None:
            return item
        if time.monotonic() > deadline:
            raise Busy(period.key)
    try:
        item = _cached(period)  # built by the request we waited for
        if item is not None:
            return item
        return store(snapshots.build(period), ttl=ON_DEMAND_TTL)
    finally:
        cache.delete(BUILD_LOCK)


def medians_for(item: Snapshot, scope: str) -> list[dict]:
    """The stage medians of one scope of the snapshot: precomputed (the country), cached, or
    computed now from the same sample as the dashboard's."""
    if scope in item.medians:
        return item.medians[scope]
    key = f"{_snapshot_key(item.period, item.generation)}:medians:{scope}"
    rows = cache.get(key)
    if rows is None:
        rows = snapshots.stage_medians(snapshots.scope_complaints(item.period, scope, item.regencies))
        cache.set(key, rows, item.ttl or TTL)
    return rows
