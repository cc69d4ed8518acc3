"""Fixtures for texted replies whose media are fetched after the webhook has answered."""

from __future__ import annotations

import time

import pytest

from tests.twilio_fake import Recorded


@pytest.fixture
def media_failures(fake_twilio):
    """The fake Twilio's media downloads fail as told, one entry per request, before it serves
    media again: ("status", 503) answers that status, ("hang", s) holds the request s seconds
    (past the client's timeout) and then answers 503, ("slow", s) serves the media after s
    seconds. The list may be extended at any time."""
    failures: list[tuple] = []
    serving = fake_twilio.server.RequestHandlerClass

    class Failing(serving):
        def do_GET(self):  # noqa: N802
            with fake_twilio.lock:
                failure = failures.pop(0) if failures else None
            if failure is None:
                return super().do_GET()
            kind = failure[0]
            fake_twilio.requests.append(Recorded("GET", self.path, {}, self._auth()))
            if kind == "slow":
                time.sleep(failure[1])
                return self._serve()
            if kind == "hang":
                time.sleep(failure[1])
                return self._json(503, {"code": 20503, "message": "late", "status": 503})
            return self._json(failure[1], {"code": 20500, "message": "Server error", "status": failure[1]})

        def _serve(self):
            """The media, as the fake serves them (without recording the request again)."""
            if self._auth() != (fake_twilio.account_sid, fake_twilio.auth_token):
                return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            name = self.path.removeprefix("/media/")
            if name not in fake_twilio.media:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            content, content_type = fake_twilio.media[name]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    fake_twilio.server.RequestHandlerClass = Failing
    return failures


@pytest.fixture
def texted(django_capture_on_commit_callbacks):
    """Send a message and run what follows its commit (the media tasks, eager in the tests, and
    the messages they queue), as the webhook's own request would once its transaction commits.
    Returns the TwiML reply's text."""

    def send(sender, body: str, **kwargs) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return sender.reply(body, **kwargs)

    return send
