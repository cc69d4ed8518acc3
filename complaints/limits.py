"""The client's address, the one key every per-client limit counts by.

DRF's throttles (the API), django-ratelimit (the web form /lapor/, RATELIMIT_IP_META_KEY),
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

from rest_framework.settings import api_settings

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
