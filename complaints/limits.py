"""The client's address, the one key every per-client limit counts by.

The API's throttles and the web form's limits (SlidingCount, below), django-ratelimit (the receipt
check, RATELIMIT_IP_META_KEY),
django-axes (sign-in lock-out, AXES_CLIENT_IP_CALLABLE) and the PIN-guessing limit
(complaints/public/tracking.py) all count the same address, chosen by DRF's rule
(rest_framework.throttling.BaseThrottle.get_ident) with REST_FRAMEWORK["NUM_PROXIES"]
(SIGAP_NUM_PROXIES):

- 0, or no X-Forwarded-For header: REMOTE_ADDR, the peer of the connection (behind nginx with
  uvicorn's --proxy-headers that is already the client's own address);
- n > 0: the address n hops from the right of X-Forwarded-For, the one the outermost of our own
  n proxies appended; anything a client wrote further left is ignored, so it cannot choose its key.

One addition to DRF's rule: a value that is not an IP address (a proxy count larger than the real
one lets a client's own text through) is not trusted as a key of its own; all such requests share
UNKNOWN, so inventing values cannot escape a limit, and django-ratelimit and axes always get an
address they can parse.
"""

from __future__ import annotations

import ipaddress
import time

from rest_framework.settings import api_settings

from complaints.permissions import is_officer
from config.cache import hit

UNKNOWN = "0.0.0.0"  # noqa: S104 - a cache key for "no usable address", never bound to


def client_address(request) -> str:
    forwarded = request.headers.get("x-forwarded-for")
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = api_settings.NUM_PROXIES
    if proxies is None:  # DRF: the whole header, when the proxy count is not set (Sigap always sets it)
        chosen = "".join(forwarded.split()) if forwarded else remote
    elif proxies == 0 or forwarded is None:
        chosen = remote
    else:
        hops = forwarded.split(",")
        chosen = hops[-min(proxies, len(hops))].strip()
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        return UNKNOWN


def filing_client(request) -> str:
    """Whom a complaint-filing limit counts: a signed-in officer by account (a desk filing for the
    people in front of it is not held to one address's count), anyone else by address."""
    return f"officer:{request.user.pk}" if is_officer(request.user) else client_address(request)


class SlidingCount:
    """How much a client did in the last ``seconds`` (filed a complaint, sent a refused form),
    kept as two numbers whatever the rate: counts in fixed windows of ``seconds``, read as a
    sliding window (this window's count plus the last one's, weighted by how much of it the
    sliding window still covers). ``record`` adds one with an atomic increment, so requests at the
    same moment are all counted. Used by the API's throttles (complaints.api.views.CountedThrottle)
    and the web form's limits (complaints.public.views)."""

    def __init__(self, key: str, seconds: int, now: float | None = None):
        self.key, self.seconds = key, seconds
        self.now = time.time() if now is None else now
        index, into = divmod(self.now, seconds)
        self.index = int(index)
        self.weight = 1 - into / seconds  # of the last window, still inside the sliding one
        self.keys = (f"{key}:{self.index}", f"{key}:{self.index - 1}")

    @property
    def window_ends(self) -> float:
        return (self.index + 1) * self.seconds

    def value(self, counts: dict) -> float:
        return counts.get(self.keys[0], 0) + counts.get(self.keys[1], 0) * self.weight

    def record(self, cache) -> None:
        hit(cache, f"{self.key}:{int(time.time() // self.seconds)}", 2 * self.seconds)


def sliding_counts(cache, counts: list[SlidingCount]) -> list[float]:
    """Each count's value, read in one round trip. A cache that does not answer reads as empty
    (config.cache.ResilientRedisCache): a limit then refuses nothing."""
    read = cache.get_many([key for count in counts for key in count.keys])
    return [count.value(read) for count in counts]
