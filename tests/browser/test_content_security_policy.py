"""The Content-Security-Policy in Chromium: the pages work under it and nothing on them is refused.

Chromium reports every refusal (an inline script or style, a handler, a connection to a source the
policy does not name) on the console as "Refused to … because it violates the following Content
Security Policy directive"; a page listens for the console and for the document's
securitypolicyviolation event. Daphne serves Sigap (the live queue needs websockets) with
DEBUG off, as in production, against the test database (PostgreSQL).
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from complaints.models import State
from tests.asgi_server import asgi_server
from tests.factories import ComplaintFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The start of the policy config/security.py sends (the rest is checked in tests/test_security.py).
POLICY_START = "default-src 'self'; script-src 'self'"


@pytest.fixture
def server(postgres, tmp_path):
    with asgi_server(redis_url=None, log_path=tmp_path / "daphne.log") as base_url:
        yield base_url


def _context(browser, base_url: str, user=None):
    context = browser.new_context(base_url=base_url, locale="id-ID")
    if user is not None:  # the session cookie Django's login would have set
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
        )
    return context


class Watched:
    """A page whose console messages and CSP violation events are kept."""

    def __init__(self, context):
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.violated: list[str] = []
        # Before any script of the page (DevTools injects it; the policy does not apply to it).
        self.page.add_init_script(
            """window.__violations = [];
            document.addEventListener("securitypolicyviolation",
                (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));"""
        )

    def goto(self, path: str):
        self._collect()
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith(POLICY_START), path
        return response

    def _collect(self) -> None:
        if self.page.url != "about:blank":
            events = self.page.evaluate("() => window.__violations.splice(0)")  # taken once
            self.violated += [f"{self.page.url}: {event}" for event in events]

    def violations(self) -> list[str]:
        self._collect()
        refused = [line for line in self.console if "Content Security Policy" in line]
        found, self.violated = refused + self.violated, []
        self.console = [line for line in self.console if line not in refused]
        return found


def test_the_form_and_the_live_queue_work_under_the_policy(server, chromium, intake_officer):
    case = ComplaintFactory(state=State.SUBMITTED)  # at the DKI Jakarta intake desk

    citizen = Watched(_context(chromium, server))
    citizen.goto("/lapor/")
    expect(citizen.page.get_by_role("button", name="Kirim pengaduan")).to_be_visible()
    # The stylesheet applied (a blocked one would leave the header unstyled).
    assert citizen.page.evaluate("getComputedStyle(document.querySelector('header.top')).display") == "flex"
    citizen.goto("/lacak/")
    assert citizen.violations() == [], citizen.console

    intan = Watched(_context(chromium, server, intake_officer))
    intan.goto("/petugas/")
    # queue-live.js ran (script-src 'self') and its websocket opened (connect-src ws:).
    expect(intan.page.locator("html")).to_have_attribute("data-live", "on", timeout=10_000)
    expect(intan.page.locator(f'tr[data-complaint-id="{case.pk}"]')).to_be_visible()
    intan.goto(f"/petugas/kasus/{case.pk}/")
    expect(intan.page.locator("html")).to_have_attribute("data-live", "on", timeout=10_000)
    intan.goto("/petugas/dasbor/")
    # The bars are drawn from dashboard.css's width classes.
    widths = intan.page.evaluate(
        "[...document.querySelectorAll('#by-state .bar')].map((bar) => bar.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 0
    assert intan.violations() == [], intan.console


def test_the_api_docs_and_the_admin_render_under_the_policy(server, chromium, administrator):
    admin = Watched(_context(chromium, server, administrator))
    admin.goto("/api/docs/")
    # Swagger UI (drf-spectacular-sidecar's files, served from our static files) fetched the schema.
    expect(admin.page.locator(".swagger-ui .info .title")).to_contain_text("Sigap API", timeout=15_000)
    expect(admin.page.locator(".opblock").first).to_be_visible()
    docs = admin.violations()

    for path in ("/admin/", "/admin/complaints/complaint/", "/admin/complaints/user/add/"):
        admin.goto(path)
        expect(admin.page.locator("#content")).to_be_visible()
    # The admin's own scripts ran: the user form's password fields are set up by them.
    expect(admin.page.locator("#id_username")).to_be_visible()
    assert docs == [], admin.console
    assert admin.violations() == [], admin.console
