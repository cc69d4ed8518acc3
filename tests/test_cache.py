"""config/cache.py on a real Redis: one client per pool, counters that count every hit, and the
API's intake throttle counting on them."""

import threading
import uuid

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from complaints.models import Complaint
from config.cache import FastRedisCache, ResilientRedisCache, hit
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


def json_body(**overrides) -> dict:
    return {**valid(**overrides), "consent_pdp": True, "complained_to_agency_first": True}


@pytest.fixture
def redis_cache(redis_url, settings):
    """The default cache on the test Redis, as in production."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url},
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_every_operation_of_a_pool_uses_one_client(redis_cache):
    backend = redis_cache._cache
    assert backend.get_client("a") is backend.get_client("b")
    redis_cache.set("k", [1, 2])
    assert redis_cache.get("k") == [1, 2]


def test_a_counter_counts_hits_at_the_same_moment_and_expires(redis_cache, redis_url):
    threads = [
        threading.Thread(target=lambda: [hit(redis_cache, "c", 60) for _ in range(50)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("c") == 400  # none lost to a read-modify-write race
    assert redis_cache.get_many(["c"]) == {"c": 400}
    import redis

    ttl = redis.Redis.from_url(redis_url).ttl(redis_cache.make_key("c"))
    assert 0 < ttl <= 60  # set by the first hit, not pushed back by the others


def test_with_redis_unreachable_the_default_cache_counts_nothing_and_the_guard_refuses():
    resilient = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert hit(resilient, "c", 60) == 0
    guard = FastRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with pytest.raises(Exception, match="(?i)connect"):
        hit(guard, "c", 60)


def test_a_counter_in_the_embedded_cache():
    local = caches["guard"]  # LocMemCache when the tests run without REDIS_URL
    key = f"c-{uuid.uuid4()}"
    assert [hit(local, key, 60) for _ in range(3)][-1] == 3


def test_the_intake_throttle_counts_filed_complaints_on_redis(redis_cache, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "intake", "3/hour")
    client = APIClient(REMOTE_ADDR="203.0.113.31")

    def post(**body):
        return client.post("/api/v1/complaints/", json_body(**body), format="json")

    assert post(description="pendek").status_code == 400  # refused: not a complaint filed
    assert [post().status_code for _ in range(3)] == [201, 201, 201]
    refused = post()
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert Complaint.objects.count() == 3
    # Another address has its own count.
    assert (
        APIClient(REMOTE_ADDR="203.0.113.32")
        .post("/api/v1/complaints/", json_body(), format="json")
        .status_code
        == 201
    )
