"""What the browser is told (HSTS, secure cookies, the Content-Security-Policy), how long a
signed-in session lasts, and a start-up that never makes up a secret by itself (config/security.py,
config/keys.py, config/settings.py). In Chromium: tests/browser/test_content_security_policy.py."""

import json
import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.test import Client

from complaints.intake.services import complaint_submit
from complaints.models import Role, State
from config.security import SEEN_AT, SIGNED_IN_AT
from tests.complaints.intake_data import valid
from tests.factories import ComplaintFactory, UserFactory, unit

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365 * 24 * 3600
KEYS_ENV = {
    "SECRET_KEY": "a-secret-key-for-this-test-only-0123456789abcdef",
    "SIGAP_DATA_KEYS": Fernet.generate_key().decode(),
    "SIGAP_INDEX_KEY": "an-index-key-for-this-test-only-0123456789abcdef",
}
SECURITY_SETTINGS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)


def start_up(
    tmp_path: Path, env: dict, code: str = "import django; django.setup()"
) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter with nothing of this process's environment but PATH, and an
    empty SIGAP_VAR_DIR of its own unless `env` names one."""
    clean = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SIGAP_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_under(tmp_path: Path, env: dict) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    started = start_up(tmp_path, {"DEBUG": "false", **KEYS_ENV, **env}, code)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def https_settings(tmp_path_factory) -> dict:
    """The security settings config/settings.py gives a deployment served over https."""
    return settings_under(
        tmp_path_factory.mktemp("https"), {"SIGAP_PUBLIC_URL": "https://sigap.example.go.id"}
    )


@pytest.fixture
def over_https(settings, https_settings):
    for name, value in https_settings.items():
        setattr(settings, name, value)
    return settings


# --- the settings ---------------------------------------------------------------------------------
def test_served_over_https_the_browser_is_told_to_stay_on_https(https_settings):
    assert https_settings["SECURE_HSTS_SECONDS"] == YEAR
    assert https_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert https_settings["SECURE_SSL_REDIRECT"] is True
    assert https_settings["SESSION_COOKIE_SECURE"] is True and https_settings["CSRF_COOKIE_SECURE"] is True
    assert (
        https_settings["SESSION_COOKIE_HTTPONLY"],
        https_settings["SESSION_COOKIE_SAMESITE"],
        https_settings["SECURE_CONTENT_TYPE_NOSNIFF"],
        https_settings["SECURE_REFERRER_POLICY"],
        https_settings["X_FRAME_OPTIONS"],
    ) == (True, "Lax", True, "same-origin", "DENY")


def test_sigap_https_turns_it_on_and_off_whatever_the_public_url(tmp_path):
    on = settings_under(tmp_path, {"SIGAP_HTTPS": "true"})  # SIGAP_PUBLIC_URL stays http://127.0.0.1:8000
    assert (on["SECURE_HSTS_SECONDS"], on["SECURE_SSL_REDIRECT"], on["SESSION_COOKIE_SECURE"]) == (
        YEAR,
        True,
        True,
    )
    off = settings_under(
        tmp_path, {"SIGAP_HTTPS": "false", "SIGAP_PUBLIC_URL": "https://sigap.example.go.id"}
    )
    assert (off["SECURE_HSTS_SECONDS"], off["SECURE_SSL_REDIRECT"], off["SESSION_COOKIE_SECURE"]) == (
        0,
        False,
        False,
    )


def test_the_embedded_defaults_stay_on_plain_http(tmp_path):
    plain = settings_under(tmp_path, {})
    assert plain["SECURE_HSTS_SECONDS"] == 0 and plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SESSION_COOKIE_SECURE"] is False and plain["CSRF_COOKIE_SECURE"] is False
    assert plain["SESSION_COOKIE_HTTPONLY"] is True and plain["X_FRAME_OPTIONS"] == "DENY"


# --- the headers ----------------------------------------------------------------------------------
def assert_strict_headers(response, *, hsts: bool) -> None:
    assert response["Content-Security-Policy"] == STRICT_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if hsts:
        assert response["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains"
    else:
        assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_over_https_a_public_page_an_officer_page_and_the_api_send_every_header(over_https, intake_officer):
    citizen = Client()
    assert_strict_headers(citizen.get("/lapor/", secure=True), hsts=True)
    officer = Client()
    officer.force_login(intake_officer)
    queue = officer.get("/petugas/", secure=True)
    assert queue.status_code == 200
    assert_strict_headers(queue, hsts=True)
    api = officer.get("/api/v1/complaints/", secure=True)
    assert api.status_code == 200
    assert_strict_headers(api, hsts=True)


@pytest.mark.django_db
def test_over_https_plain_http_is_redirected_except_the_health_check(over_https):
    client = Client()
    response = client.get("/lapor/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/lapor/"
    health = client.get("/healthz")
    assert health.status_code == 200 and "Strict-Transport-Security" not in health


@pytest.mark.django_db
def test_over_https_the_cookies_are_secure_http_only_and_same_site(over_https, intake_officer):
    client = Client()
    page = client.get("/petugas/masuk/", secure=True)
    assert page.cookies["csrftoken"]["secure"] is True
    signed_in = client.post(
        "/petugas/masuk/",
        {"username": "intan", "password": "rahasia-sekali-123"},
        secure=True,
    )
    assert signed_in.status_code == 302
    cookie = signed_in.cookies["sessionid"]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")


@pytest.mark.django_db
def test_over_plain_http_there_is_no_hsts_but_every_other_header(client, intake_officer):
    assert_strict_headers(client.get("/"), hsts=False)
    assert_strict_headers(client.get("/lapor/", secure=True), hsts=False)  # HSTS only when Sigap is on https
    client.force_login(intake_officer)
    assert_strict_headers(client.get("/petugas/"), hsts=False)
    assert_strict_headers(client.get("/api/v1/complaints/"), hsts=False)


@pytest.mark.django_db
def test_the_api_docs_page_gets_a_nonce_for_its_one_inline_script_and_nothing_looser(client, intake_officer):
    client.force_login(intake_officer)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    nonce = header.split("'nonce-")[1].split("'")[0]
    assert header == STRICT_CSP.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'")
    found = Markup(response.content.decode())
    assert [script.get("nonce") for script in found.scripts if "src" not in script] == [nonce]
    assert not found.styles and not found.style_attributes
    assert "unsafe" not in header
    # A fresh nonce every time.
    assert client.get("/api/docs/")["Content-Security-Policy"] != header


# --- no inline script or style in any page -------------------------------------------------------
class Markup(HTMLParser):
    """What a strict policy would block: inline <script>, <style>, style="", on*="", javascript:."""

    def __init__(self, html: str):
        super().__init__()
        self.scripts: list[dict] = []
        self.styles = 0
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        if tag == "script":
            self.scripts.append(named)
        if tag == "style":
            self.styles += 1
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")


def assert_nothing_inline(html: str, where: str) -> Markup:
    found = Markup(html)
    assert all(script.get("src") for script in found.scripts), f"{where}: an inline <script>"
    assert not found.styles, f"{where}: a <style> block"
    assert not found.style_attributes, f"{where}: {found.style_attributes}"
    assert not found.handlers, f"{where}: {found.handlers}"
    assert not found.javascript_urls, f"{where}: {found.javascript_urls}"
    return found


@pytest.mark.django_db
def test_no_page_has_an_inline_script_or_style(client, intake_officer, supervisor):
    complaint, pin = complaint_submit(channel="web", data=valid())
    case = ComplaintFactory(state=State.SUBMITTED)  # at the DKI Jakarta intake desk, Intan's
    ComplaintFactory(state=State.VERIFYING)

    pages = {}
    for path in ("/", "/lapor/", "/lacak/", "/petugas/masuk/"):
        pages[path] = client.get(path)
    client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    pages["/lacak/kasus/"] = client.get("/lacak/kasus/")

    officer = Client()
    officer.force_login(intake_officer)
    for path in ("/petugas/", f"/petugas/kasus/{case.pk}/", "/petugas/dasbor/", "/petugas/token-api/"):
        pages[path] = officer.get(path)
    head = Client()
    head.force_login(supervisor)
    pages["/petugas/log-identitas/"] = head.get("/petugas/log-identitas/")

    for path, response in pages.items():
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == STRICT_CSP, path
        assert_nothing_inline(response.content.decode(), path)
    # The live queue and the case page still load their one script, from our static files.
    for path in ("/petugas/", f"/petugas/kasus/{case.pk}/"):
        scripts = Markup(pages[path].content.decode()).scripts
        assert [script["src"] for script in scripts] == ["/static/js/queue-live.js"], path
    # The dashboard's bars are drawn by classes of dashboard.css, not by style attributes.
    assert 'class="bar w-100"' in pages["/petugas/dasbor/"].content.decode()


def test_every_bar_width_has_its_class_in_the_dashboard_css():
    css = (ROOT / "static/css/dashboard.css").read_text()
    for percent in range(101):
        assert f".dashboard .w-{percent} {{ width: {percent}%; }}" in css


@pytest.mark.django_db
def test_the_admin_pages_load_scripts_from_files_only(client, administrator):
    case = ComplaintFactory(state=State.SUBMITTED)
    client.force_login(administrator)
    for path in (
        "/admin/",
        "/admin/complaints/complaint/",
        f"/admin/complaints/complaint/{case.pk}/change/",
        "/admin/complaints/user/add/",
        "/admin/workflow/holiday/add/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == STRICT_CSP, path
        found = Markup(response.content.decode())
        assert all(script.get("src") for script in found.scripts), path
        assert not found.handlers, path


# --- signed-in sessions expire ---------------------------------------------------------------------
def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/petugas/").status_code == 200
    return client


def move_clock(client: Client, *, signed_in_ago: float, seen_ago: float) -> None:
    """As if the sign-in and the latest request were that many seconds ago."""
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


@pytest.mark.django_db
def test_a_sign_in_starts_both_clocks(intake_officer):
    before = time.time()
    client = Client()
    response = client.post("/petugas/masuk/", {"username": "intan", "password": "rahasia-sekali-123"})
    assert response.status_code == 302
    session = client.session
    assert before <= session[SIGNED_IN_AT] == session[SEEN_AT] <= time.time()


@pytest.mark.django_db
def test_an_officer_idle_for_thirty_minutes_is_signed_out(intake_officer):
    client = signed_in(intake_officer)
    session_key = client.session.session_key
    move_clock(client, signed_in_ago=31 * 60, seen_ago=31 * 60)
    response = client.get("/petugas/", headers={"Accept": "text/html"})
    assert response.status_code == 302 and response["Location"].startswith("/petugas/masuk/")
    assert not Session.objects.filter(session_key=session_key).exists()
    # The sign-in page says why.
    page = client.get(response["Location"])
    assert "Sesi Anda telah berakhir" in page.content.decode()
    assert client.get("/petugas/").status_code == 302  # and it stays signed out


@pytest.mark.django_db
def test_a_request_within_the_idle_time_keeps_the_session_and_moves_its_clock(intake_officer):
    client = signed_in(intake_officer)
    move_clock(client, signed_in_ago=11 * 3600, seen_ago=29 * 60)
    assert client.get("/petugas/").status_code == 200
    assert time.time() - client.session[SEEN_AT] < 5
    assert client.session[SIGNED_IN_AT] < time.time() - 11 * 3600 + 5  # the sign-in time never moves


@pytest.mark.django_db
def test_an_officer_is_signed_out_twelve_hours_after_signing_in_however_active(intake_officer):
    client = signed_in(intake_officer)
    move_clock(client, signed_in_ago=12 * 3600 + 60, seen_ago=10)
    response = client.get("/petugas/")
    assert response.status_code == 302 and response["Location"].startswith("/petugas/masuk/")
    assert client.get("/api/v1/complaints/").status_code in {401, 403}  # the API's session auth too


@pytest.mark.django_db
def test_the_limits_are_settings(settings, intake_officer):
    settings.SIGAP_SESSION_IDLE_MINUTES = 5
    settings.SIGAP_SESSION_MAX_HOURS = 1
    client = signed_in(intake_officer)
    move_clock(client, signed_in_ago=60, seen_ago=6 * 60)
    assert client.get("/petugas/").status_code == 302
    client = signed_in(intake_officer)
    move_clock(client, signed_in_ago=3600 + 60, seen_ago=60)
    assert client.get("/petugas/").status_code == 302


@pytest.mark.django_db
def test_a_signed_in_session_from_before_the_clocks_gets_them_at_its_next_request(intake_officer):
    client = signed_in(intake_officer)
    session = client.session
    del session[SIGNED_IN_AT], session[SEEN_AT]
    session.save()
    assert client.get("/petugas/").status_code == 200
    assert time.time() - client.session[SIGNED_IN_AT] < 5


@pytest.mark.django_db
def test_the_complainants_tracking_session_keeps_its_own_thirty_minutes(client):
    from complaints.public.views import TRACKED_SESSION_KEY

    complaint, pin = complaint_submit(channel="web", data=valid())
    client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    session = client.session
    session[TRACKED_SESSION_KEY] = {"id": complaint.pk, "at": time.time() - 29 * 60}
    session.save()
    assert client.get("/lacak/kasus/").status_code == 200
    assert SIGNED_IN_AT not in client.session  # not signed in: no officer clocks


@pytest.mark.django_db
def test_the_async_reading_of_a_session_knows_the_limits_too(intake_officer):
    from config.security import SessionStore

    client = signed_in(intake_officer)
    key = client.session.session_key
    assert async_to_sync(SessionStore(key).aload)()["_auth_user_id"] == str(intake_officer.pk)
    move_clock(client, signed_in_ago=31 * 60, seen_ago=31 * 60)
    store = SessionStore(key)
    assert async_to_sync(store.aload)() == {} and store.expired
    assert not Session.objects.filter(session_key=key).exists()


def _a_session_and_a_new_one_drawing_its_key_first(monkeypatch, *, then: str):
    """A saved session, and a new one whose next key drawn is the saved one's (a clash of 32
    random characters), then ``then``."""
    from config import security
    from config.security import SessionStore

    held = SessionStore()
    held["who"] = "the first visitor"
    held.create()
    drawn = iter([held.session_key, then])
    monkeypatch.setattr(security, "get_random_string", lambda length, chars: next(drawn))
    new = SessionStore()
    new["who"] = "the second visitor"
    return held, new


@pytest.mark.django_db
@pytest.mark.parametrize("reading", ["sync", "async"])
def test_a_new_session_never_takes_a_key_in_use_and_does_not_look_it_up_first(reading, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.security import SessionStore

    held, new = _a_session_and_a_new_one_drawing_its_key_first(monkeypatch, then="k" * 32)
    with CaptureQueriesContext(connection) as queries:
        new.create() if reading == "sync" else async_to_sync(new.acreate)()
    assert new.session_key == "k" * 32
    assert SessionStore(held.session_key).load() == {"who": "the first visitor"}
    assert SessionStore("k" * 32).load() == {"who": "the second visitor"}
    # The clash is found by the insert itself (and drawn again), not by a look-up before each one.
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_session_is_written_by_its_one_statement(monkeypatch):
    # As the session middleware writes it after a view: no transaction open around it.
    from django.contrib.sessions.backends.base import UpdateError
    from django.db import connection

    from config.security import SessionStore

    held, new = _a_session_and_a_new_one_drawing_its_key_first(monkeypatch, then="m" * 32)
    new.create()  # the clash is refused by the insert, and another key drawn
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert SessionStore(held.session_key).load() == {"who": "the first visitor"}
    new["who"] = "the second visitor, later"
    new.save()
    assert SessionStore("m" * 32).load() == {"who": "the second visitor, later"}
    Session.objects.filter(session_key="m" * 32).delete()  # ended meanwhile (signed out elsewhere)
    new["who"] = "too late"
    with pytest.raises(UpdateError):
        new.save()
    assert not Session.objects.filter(session_key="m" * 32).exists()


def _first_message(session_key: str) -> dict:
    """What /ws/queue/ sends first to a socket opened with this session (the stack config/asgi.py
    routes websockets through, Channels' AuthMiddlewareStack)."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from complaints.realtime.routing import websocket_urlpatterns

    async def run():
        communicator = WebsocketCommunicator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
            "/ws/queue/",
            headers=[(b"cookie", f"sessionid={session_key}".encode())],
        )
        await communicator.connect(timeout=10)
        message = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return message

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_opens_no_websocket(intake_officer):
    client = signed_in(intake_officer)
    key = client.session.session_key
    assert json.loads(_first_message(key)["text"]) == {"type": "ready"}
    move_clock(client, signed_in_ago=40 * 60, seen_ago=31 * 60)
    assert _first_message(key) == {"type": "websocket.close", "code": 4401}
    other = signed_in(UserFactory(username="indra", role=Role.INTAKE_OFFICER, unit=unit("intake", "31")))
    move_clock(other, signed_in_ago=13 * 3600, seen_ago=60)
    assert _first_message(other.session.session_key) == {"type": "websocket.close", "code": 4401}


# --- start-up never makes up a secret ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("missing", "given"),
    [
        ("SECRET_KEY", {}),
        ("SIGAP_DATA_KEYS", {"SECRET_KEY": KEYS_ENV["SECRET_KEY"]}),
        ("SIGAP_INDEX_KEY", {k: v for k, v in KEYS_ENV.items() if k != "SIGAP_INDEX_KEY"}),
    ],
)
def test_with_debug_off_start_up_refuses_a_missing_key(tmp_path, missing, given):
    started = start_up(tmp_path, {"DEBUG": "false", **given})
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert f"{missing} is not set" in started.stderr and "python -m config.keys" in started.stderr
    assert not any((tmp_path / "var" / name).exists() for name in ("secret_key", "data_keys", "index_key"))


def test_with_debug_off_the_keys_written_by_make_install_are_read(tmp_path):
    written = subprocess.run(  # noqa: S603 - what `make install` runs
        [sys.executable, "-m", "config.keys"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SIGAP_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert written.stdout.count("wrote ") == 3
    files = {name: tmp_path / "var" / name for name in ("secret_key", "data_keys", "index_key")}
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in files.values())
    Fernet(files["data_keys"].read_text().strip())  # a Fernet key
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY); print(s.SIGAP_DATA_KEYS[0]); print(s.SIGAP_INDEX_KEY)"
    )
    started = start_up(tmp_path, {"DEBUG": "false"}, code)
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == [files[name].read_text().strip() for name in files]
    # Run again, it keeps every key it finds.
    before = {name: path.read_text() for name, path in files.items()}
    again = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "config.keys"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SIGAP_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote" not in again.stdout
    assert {name: path.read_text() for name, path in files.items()} == before


def test_the_environment_wins_over_the_files(tmp_path):
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "config.keys"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "SIGAP_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        check=True,
    )
    started = start_up(
        tmp_path,
        {"DEBUG": "false", **KEYS_ENV},
        "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == KEYS_ENV["SECRET_KEY"]


def test_with_debug_on_a_missing_key_is_made_for_the_developer(tmp_path):
    started = start_up(tmp_path, {"DEBUG": "true"})
    assert started.returncode == 0, started.stderr
    for name in ("secret_key", "data_keys", "index_key"):
        path = tmp_path / "var" / name
        assert path.read_text().strip() and path.stat().st_mode & 0o777 == 0o600
