"""A complainant's phone talking to Sigap through Twilio's signed inbound webhook."""

from __future__ import annotations

import html
import re

import pytest
from twilio.request_validator import RequestValidator

URL = "/webhooks/twilio/inbound/"
PUBLIC_URL = "https://sigap.example.go.id"
PHONE = "+6281234567890"


class Phone:
    """Sends what Twilio would POST for one incoming SMS/WhatsApp, signed with the account's token
    (RequestValidator.compute_signature over the public URL and the parameters)."""

    def __init__(self, client, token: str, number: str = PHONE, channel: str = "sms"):
        self.client, self.token, self.number, self.channel = client, token, number, channel
        self.count = 0

    def params(self, body: str, *, media=(), sid: str | None = None) -> dict:
        self.count += 1
        prefix = "whatsapp:" if self.channel == "whatsapp" else ""
        params = {
            "MessageSid": sid or f"SM{self.channel[:2]}{self.number[-6:]}{self.count:024d}",
            "AccountSid": "AC" + "0" * 32,
            "From": prefix + self.number,
            "To": prefix + "+15005550006",
            "Body": body,
            "NumMedia": str(len(media)),
        }
        for i, (url, content_type) in enumerate(media):
            params[f"MediaUrl{i}"], params[f"MediaContentType{i}"] = url, content_type
        return params

    def sign(self, params: dict) -> str:
        return RequestValidator(self.token).compute_signature(PUBLIC_URL + URL, params)

    def send(self, body: str, *, media=(), sid: str | None = None, signature: str | None = None):
        params = self.params(body, media=media, sid=sid)
        if signature is None:
            signature = self.sign(params)
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        return self.client.post(URL, params, **headers)

    def reply(self, body: str, **kwargs) -> str:
        """The text of the TwiML reply ("" when Sigap answers nothing)."""
        response = self.send(body, **kwargs)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/xml")
        content = response.content.decode()
        assert content.startswith("<?xml") and "<Response" in content
        found = re.search(r"<Message>(.*)</Message>", content, re.S)
        return html.unescape(found.group(1)) if found else ""


# Fixtures for every test that talks to the webhook (re-exported by tests/conftest.py).
@pytest.fixture
def twilio_webhook(settings, fake_twilio):
    """Twilio signs against the public URL."""
    settings.SIGAP_PUBLIC_URL = PUBLIC_URL
    return fake_twilio


@pytest.fixture
def phone(client, twilio_webhook):
    return Phone(client, twilio_webhook.auth_token)


@pytest.fixture
def whatsapp(client, twilio_webhook):
    return Phone(client, twilio_webhook.auth_token, channel="whatsapp")
