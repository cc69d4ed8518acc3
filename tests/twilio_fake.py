"""A local fake of Twilio's Messages API, over real HTTP on 127.0.0.1.

It answers like Twilio (201 with a message resource, error JSON with a code), checks basic auth,
records every request, serves media files, and can be told to fail the next requests: answer
500 or 429, refuse with a Twilio error code, or hang past the client's timeout.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token-0123456789abcdef"
    # The token the server accepts; set another to answer 401 as Twilio does for a wrong one.
    auth_token_expected: str | None = None
    requests: list[Recorded] = field(default_factory=list)
    failures: list[tuple] = field(
        default_factory=list
    )  # ("status", 500) / ("error", 400, 21211) / ("hang", s) / ("slow", s)
    # An outage: until outage_until (time.monotonic()), every send fails with the next of these
    # failures in turn (same forms as above).
    outage_failures: list[tuple] = field(default_factory=list)
    outage_until: float = 0.0
    outage_count: int = 0
    # The SIDs the next accepted messages get (then random ones), for a callback sent before.
    next_sids: list[str] = field(default_factory=list)
    # The SIDs of the messages it accepted (201), in order: a copy sent twice is here twice.
    accepted: list[str] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    server: ThreadingHTTPServer | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *failures: tuple) -> None:
        with self.lock:
            self.failures.extend(failures)

    def outage(self, seconds: float, *failures: tuple) -> None:
        """Fail every send for ``seconds``, cycling through ``failures``."""
        with self.lock:
            self.outage_failures = list(failures)
            self.outage_count = 0
            self.outage_until = time.monotonic() + seconds

    def add_media(self, name: str, content: bytes, content_type: str) -> str:
        self.media[name] = (content, content_type)
        return f"{self.base_url}/media/{name}"

    @property
    def sent(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _auth(self):
                header = self.headers.get("Authorization", "")
                if not header.startswith("Basic "):
                    return None
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                return user, password

            def _json(self, status: int, payload: dict, headers: dict | None = None):
                body = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    pass

            def do_GET(self):  # noqa: N802
                auth = self._auth()
                fake.requests.append(Recorded("GET", self.path, {}, auth))
                name = self.path.removeprefix("/media/")
                if auth != (fake.account_sid, fake.auth_token):
                    return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                if name not in fake.media:
                    return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                content, content_type = fake.media[name]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self._auth()
                fake.requests.append(Recorded("POST", self.path, form, auth))
                if auth != (fake.account_sid, fake.auth_token_expected or fake.auth_token):
                    return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                expected = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if self.path != expected:
                    return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                with fake.lock:
                    failure = fake.failures.pop(0) if fake.failures else None
                    if failure is None and fake.outage_failures and time.monotonic() < fake.outage_until:
                        failure = fake.outage_failures[fake.outage_count % len(fake.outage_failures)]
                        fake.outage_count += 1
                if failure:
                    kind = failure[0]
                    if kind == "hang":
                        time.sleep(failure[1])
                        return self._json(503, {"code": 20503, "message": "late", "status": 503})
                    if kind == "slow":  # accepted, after a while
                        time.sleep(failure[1])
                    if kind == "status":  # ("status", 429, {"Retry-After": "60"}): with headers
                        return self._json(
                            failure[1],
                            {"code": 20500, "message": "Server error", "status": failure[1]},
                            failure[2] if len(failure) > 2 else None,
                        )
                    if kind == "error":
                        return self._json(
                            failure[1],
                            {
                                "code": failure[2],
                                "message": f"Error {failure[2]}",
                                "more_info": f"https://www.twilio.com/docs/errors/{failure[2]}",
                                "status": failure[1],
                            },
                        )
                with fake.lock:
                    sid = fake.next_sids.pop(0) if fake.next_sids else "SM" + uuid.uuid4().hex
                    fake.accepted.append(sid)
                return self._json(
                    201,
                    {
                        "sid": sid,
                        "account_sid": fake.account_sid,
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "error_code": None,
                        "error_message": None,
                        "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def environment(self) -> dict[str, str]:
        """The settings, as environment variables, for processes the tests start."""
        return {
            "SIGAP_MESSAGE_SENDER": "twilio",
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_SMS_FROM": "+15005550006",
            "TWILIO_WHATSAPP_FROM": "+14155238886",
            "TWILIO_API_BASE": self.base_url,
        }
