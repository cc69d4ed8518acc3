"""complaints.limits.client_address: the one client address every limit counts, by DRF's rule."""

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle

from complaints.intake.services import complaint_submit
from complaints.limits import UNKNOWN, client_address
from tests.complaints.intake_data import valid

CASES = [
    # (NUM_PROXIES, REMOTE_ADDR, X-Forwarded-For, the client's address)
    (0, "203.0.113.7", None, "203.0.113.7"),
    (0, "10.0.0.10", "198.51.100.1, 203.0.113.7", "10.0.0.10"),  # no proxy trusted: the header is ignored
    (1, "10.0.0.10", None, "10.0.0.10"),
    (1, "10.0.0.10", "203.0.113.7", "203.0.113.7"),
    (1, "10.0.0.10", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's own claim is ignored
    (2, "10.0.0.10", "198.51.100.1, 203.0.113.7, 10.0.0.11", "203.0.113.7"),
    (2, "10.0.0.10", "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the leftmost
    (1, "10.0.0.10", "2001:db8::7", "2001:db8::7"),
]


def request_for(remote: str, forwarded: str | None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), CASES)
def test_the_address_is_the_one_drf_throttles_count(settings, proxies, remote, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    request = request_for(remote, forwarded)
    assert client_address(request) == expected == BaseThrottle().get_ident(request)


def test_a_value_that_is_no_address_is_one_shared_key(settings):
    # A proxy count larger than the real one lets the client's own text through: it is not
    # trusted as a key of its own, so inventing values cannot escape a limit.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
    assert client_address(request_for("10.0.0.10", "anything, 203.0.113.7")) == UNKNOWN
    assert client_address(request_for("10.0.0.10", "something-else, 203.0.113.7")) == UNKNOWN
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client_address(request_for("", None)) == UNKNOWN


@pytest.mark.django_db
def test_behind_a_proxy_the_api_counts_pin_guesses_by_the_forwarded_address(settings, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    from complaints.public.tracking import MAX_FAILURES_PER_CLIENT

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # DRF's own "track" throttle (20/hour) would answer 429 first; this test is about the PIN lock.
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "track", "1000/hour")

    complaint, pin = complaint_submit(channel="web", data=valid())
    others = [complaint_submit(channel="web", data=valid())[0] for _ in range(5)]

    def via_proxy(address: str, claimed: str = "192.0.2.1") -> APIClient:
        return APIClient(REMOTE_ADDR="10.0.0.10", HTTP_X_FORWARDED_FOR=f"{claimed}, {address}")

    for attempt in range(MAX_FAILURES_PER_CLIENT):
        target = others[attempt % len(others)]
        via_proxy("203.0.113.7", claimed=f"192.0.2.{attempt}").post(
            "/api/v1/track/", {"tracking_code": target.tracking_code, "pin": f"{attempt:06d}"}
        )
    right = {"tracking_code": complaint.tracking_code, "pin": pin}
    locked = via_proxy("203.0.113.7").post("/api/v1/track/", right)
    assert locked.status_code == 429 and locked.json()["detail"].startswith("Terlalu banyak percobaan")
    assert via_proxy("203.0.113.8").post("/api/v1/track/", right).status_code == 200
