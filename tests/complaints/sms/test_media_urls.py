"""The media of a texted reply is fetched with the Twilio account's credentials: they go to Twilio's
API and nowhere else, whatever the URL looks like and wherever a redirect points.

Real HTTP servers on loopback stand in for Twilio's API and its media storage; the HTTP client's
own connections are watched (urllib3's create_connection, below requests) to prove that a refused
URL costs no request at all. The media are fetched after the webhook answered, by the task its
commit hands them to (eager here); a refused item is reported to the complainant through the
outbox (the console sender here, so that it opens no connection either).
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.connection

from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, Evidence, PendingMedia, State
from complaints.sms.handlers import media_request, redirect_request
from notifications.models import Message
from tests.complaints.intake_data import PDF, valid
from tests.complaints.lifecycle import step
from workflow.engine import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook", "console_sender")]
PROCESSING = "Lampiran sedang diproses"


@pytest.fixture
def console_sender(settings, twilio_webhook):
    settings.SIGAP_MESSAGE_SENDER = "console"


def not_attached(reason: str = "unduhan gagal") -> bool:
    """The item was reported, not attached: a note on the case and a text to the complainant,
    both naming the reason, and nothing left waiting."""
    note = CaseMessage.objects.get(kind=CaseMessage.Kind.INTERNAL)
    notice = Message.objects.get(template_key="sms_media_failed")
    return (
        reason in note.body
        and reason in notice.body
        and not Evidence.objects.exists()
        and not PendingMedia.objects.exists()
    )


def awaiting_info(administrator) -> Complaint:
    """A complaint filed with the test phone's number, waiting for the complainant's information."""
    complaint, _ = complaint_submit(channel="web", data=valid())
    for name in ("start_verification", "request_info"):
        step(complaint, name, Actor.officer(administrator))
    return complaint


@dataclass
class Seen:
    path: str
    authorization: str | None


@dataclass
class LocalServer:
    """An HTTP server on 127.0.0.1 answering from ``routes`` (path → (status, headers, body)) and
    recording every request with its Authorization header."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> LocalServer:
        local = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                local.seen.append(Seen(self.path, self.headers.get("Authorization")))
                status, headers, body = local.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def twilio_api(settings, twilio_webhook):
    """Twilio's API as Sigap is configured to reach it (TWILIO_API_BASE, like the fake's)."""
    server = LocalServer().start()
    settings.TWILIO_API_BASE = server.base_url
    yield server
    server.stop()


@pytest.fixture
def elsewhere():
    """Another server on loopback: not Twilio, not configured anywhere."""
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def connections(monkeypatch):
    """Every connection the HTTP client opens, refused before it leaves the process."""
    opened: list[tuple[str, int]] = []

    def refuse(address, *args, **kwargs):
        opened.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return opened


def basic(twilio_webhook) -> str:
    pair = f"{twilio_webhook.account_sid}:{twilio_webhook.auth_token}".encode()
    return "Basic " + base64.b64encode(pair).decode()


TRICKY = [
    # requests reads the host up to the backslash (evil.example); Python's urlsplit after the "@".
    "https://evil.example\\@api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    "https://evil.example\\.twilio.com/media",
    "https://api.twilio.com@evil.example/",
    "https://api.twilio.com:443@evil.example/",
    "https://user:password@api.twilio.com/media",
    "https://api.twilio.com.evil.example/",
    "https://api.twilio.com./media",
    "http://api.twilio.com/media",
    "ftp://api.twilio.com/media",
    "//api.twilio.com/media",
    # Look-alikes: a capital I for the l, a Cyrillic а, and that Cyrillic а already in punycode.
    "https://api.twiIio.com/media",
    "https://\u0430pi.twilio.com/media",
    "https://xn--pi-6kc.twilio.com/media",
    "https://api.twilio.com:8443/media",
    "https://evil.example#@api.twilio.com",
    # Percent-encoding inside the authority.
    "https://evil.example%5C@api.twilio.com/media",
    "https://evil.example%2F.twilio.com/media",
    "https://api%2Etwilio.com/media",
    "https://api.twilio.com%2F@evil.example/media",
    # Spaces and control characters around or inside.
    " https://api.twilio.com/media",
    "https://api.twilio.com/media ",
    "https://api.twilio.com/media\n",
    "https://api.twilio.com\t.evil.example/media",
    "https://api.twilio.com/me dia",
    # Twilio's domain, but not its API: such hosts may be run by others (support.twilio.com is a
    # help centre), and Twilio's storage takes signed URLs, never the account's credentials.
    "https://support.twilio.com/media",
    "https://mms.twiliocdn.com/media",
    "",
]


@pytest.mark.parametrize("url", TRICKY)
def test_a_url_that_is_not_plainly_twilios_api_is_refused_without_a_request(
    phone, administrator, connections, texted, url
):
    complaint = awaiting_info(administrator)
    answer = texted(phone, "lihat lampiran", media=[(url, "application/pdf")])
    assert PROCESSING in answer
    assert connections == []
    assert not_attached()
    # The text still reached the case.
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{other}/media/ME1",
        "https://127.0.0.1:{api}/media/ME1",
        "http://localhost:{api}/media/ME1",
        "http://127.0.0.1:{other}\\@127.0.0.1:{api}/media/ME1",
        "http://127.0.0.1:{api}\\@127.0.0.1:{other}/media/ME1",
        "http://x@127.0.0.1:{api}/media/ME1",
    ],
)
def test_only_the_configured_api_itself_is_trusted(
    phone, administrator, twilio_api, elsewhere, connections, texted, template
):
    """TWILIO_API_BASE (here the loopback server) is trusted as scheme, host and port exactly."""
    awaiting_info(administrator)
    url = template.format(api=twilio_api.port, other=elsewhere.port)
    assert PROCESSING in texted(phone, "lampiran", media=[(url, "application/pdf")])
    assert connections == [] and twilio_api.seen == [] and elsewhere.seen == []
    assert not_attached()


def test_a_redirect_to_another_server_is_not_followed(
    phone, administrator, twilio_webhook, twilio_api, elsewhere, texted
):
    """The configured API answers with a redirect to a server that is neither Twilio nor configured:
    it gets no request, so certainly never the Authorization header."""
    complaint = awaiting_info(administrator)
    elsewhere.routes["/storage/ME1"] = (200, {"Content-Type": "application/pdf"}, PDF)
    twilio_api.routes["/media/ME1"] = (302, {"Location": f"{elsewhere.base_url}/storage/ME1"}, b"")
    texted(phone, "lihat lampiran", media=[(f"{twilio_api.base_url}/media/ME1", "application/pdf")])
    assert twilio_api.seen == [Seen("/media/ME1", basic(twilio_webhook))]
    assert all(seen.authorization is None for seen in elsewhere.seen)
    assert elsewhere.seen == []
    assert not Evidence.objects.filter(complaint=complaint).exists()
    assert not_attached()


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{other}/storage/ME1",
        "http://127.0.0.1:{other}\\@127.0.0.1:{api}/storage/ME1",
        "http://127.0.0.1:{api}\\@127.0.0.1:{other}/storage/ME1",
        "http://x@127.0.0.1:{api}/storage/ME1",
        "https://evil.example\\@api.twilio.com/storage/ME1",
        "https://s3.evil.example/media.twiliocdn.com/ME1",
        "ftp://127.0.0.1:{api}/storage/ME1",
    ],
)
def test_no_redirect_leaves_twilio(
    phone, administrator, twilio_webhook, twilio_api, elsewhere, texted, location
):
    awaiting_info(administrator)
    elsewhere.routes["/storage/ME1"] = (200, {"Content-Type": "application/pdf"}, PDF)
    twilio_api.routes["/storage/ME1"] = (200, {"Content-Type": "application/pdf"}, PDF)
    target = location.format(other=elsewhere.port, api=twilio_api.port)
    twilio_api.routes["/media/ME1"] = (302, {"Location": target}, b"")
    texted(phone, "lihat lampiran", media=[(f"{twilio_api.base_url}/media/ME1", "application/pdf")])
    assert elsewhere.seen == []
    assert [seen.path for seen in twilio_api.seen] == ["/media/ME1"]
    assert not_attached()


def test_the_redirect_to_storage_is_fetched_without_the_credentials(
    phone, administrator, twilio_webhook, twilio_api, texted
):
    """As Twilio does: the media URL (with the credentials) answers with a redirect to a signed
    storage URL, fetched without them. Storage that sees an Authorization header refuses, as S3
    does for a pre-signed URL."""
    complaint = awaiting_info(administrator)
    twilio_api.routes["/media/ME2"] = (307, {"Location": "/storage/ME2?signature=abc"}, b"")
    twilio_api.routes["/storage/ME2?signature=abc"] = (200, {"Content-Type": "application/pdf"}, PDF)
    answer = texted(phone, "berkas saya", media=[(f"{twilio_api.base_url}/media/ME2", "application/pdf")])
    assert "sudah kami terima" in answer
    assert twilio_api.seen == [
        Seen("/media/ME2", basic(twilio_webhook)),
        Seen("/storage/ME2?signature=abc", None),
    ]
    assert Evidence.objects.get(complaint=complaint).file.read() == PDF


def test_redirects_are_followed_a_few_times_only(phone, administrator, twilio_webhook, twilio_api, texted):
    awaiting_info(administrator)
    for hop in range(10):
        twilio_api.routes[f"/media/ME3/{hop}"] = (302, {"Location": f"/media/ME3/{hop + 1}"}, b"")
    texted(phone, "berkas", media=[(f"{twilio_api.base_url}/media/ME3/0", "application/pdf")])
    assert not_attached()
    assert 2 <= len(twilio_api.seen) <= 5
    # Only the first request carried the credentials.
    assert [seen.authorization for seen in twilio_api.seen] == [basic(twilio_webhook)] + [None] * (
        len(twilio_api.seen) - 1
    )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "https://API.Twilio.com:443/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
    ],
)
def test_twilios_api_gets_the_credentials(url):
    request = media_request(url)
    assert request is not None and request.headers["Authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    ("url", "followed"),
    [
        ("https://mms.twiliocdn.com/AC1/0123abcd?Expires=1700000000&Signature=a%2Fb~c", True),
        ("https://media.twiliocdn.com/AC1/ME1", True),
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", True),
        ("http://mms.twiliocdn.com/AC1/ME1", False),
        ("https://mms.twiliocdn.com:8443/AC1/ME1", False),
        ("https://twiliocdn.com.evil.example/AC1/ME1", False),
        ("https://s3-external-1.amazonaws.com/media.twiliocdn.com/AC1/ME1", False),
    ],
)
def test_a_redirect_goes_only_to_twilios_storage_and_never_with_the_credentials(url, followed):
    request = redirect_request(url)
    assert (request is not None) == followed
    if request is not None:
        assert "Authorization" not in request.headers
