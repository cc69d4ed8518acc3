"""Twilio's REST client, pointed where settings say: imported only by the process that sends."""

from __future__ import annotations

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

TWILIO_API = "https://api.twilio.com"


class RoutedHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, pointed at ``TWILIO_API_BASE`` when set (the tests' fake server)."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    last_headers: dict = {}

    def request(self, method, url, *args, **kwargs):
        if self.base and url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API) :]
        response = super().request(method, url, *args, **kwargs)
        # Kept for the caller: Twilio's exception for a 429 does not carry its Retry-After.
        self.last_headers = dict(response.headers or {})
        return response


def twilio_client() -> Client:
    http_client = RoutedHttpClient(settings.TWILIO_API_BASE, timeout=settings.TWILIO_HTTP_TIMEOUT)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


def retry_after(client: Client) -> int | None:
    """Seconds from the last response's Retry-After header (Twilio sends it with 429), if any."""
    headers = {k.lower(): v for k, v in getattr(client.http_client, "last_headers", {}).items()}
    value = headers.get("retry-after", "")
    try:
        return max(0, min(int(str(value).strip()), 3600))
    except ValueError:
        return None
