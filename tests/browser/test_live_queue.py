"""Live queue end to end in Chromium: one session moves a case, the other sees it without a reload.

Daphne serves Sigap (websockets need ASGI; pytest-django's live_server is WSGI-only) against the
test database, so this needs PostgreSQL (the server process cannot open the test process's
in-memory SQLite database). Events stay inside the Daphne process: the in-memory layer suffices.
"""

import pytest
from django.test import Client
from knox.models import AuthToken
from playwright.sync_api import expect

from complaints.models import Complaint, Role, State
from tests.asgi_server import asgi_server
from tests.factories import ComplaintFactory, UserFactory, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(postgres, tmp_path):
    with asgi_server(redis_url=None, log_path=tmp_path / "daphne.log") as base_url:
        yield base_url


def _logged_in_context(browser, base_url: str, user):
    """A browser session of `user`: the session cookie Django's login would have set."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, locale="id-ID")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    return context


def test_a_case_moved_by_a_colleague_changes_in_the_queue_without_a_reload(server, chromium, intake_officer):
    colleague = UserFactory(username="indra", role=Role.INTAKE_OFFICER, unit=unit("intake", "31"))
    case = ComplaintFactory(state=State.SUBMITTED)  # at the DKI Jakarta intake desk
    _token, key = AuthToken.objects.create(colleague)

    # Intan has her queue open.
    intan = _logged_in_context(chromium, server, intake_officer).new_page()
    intan.goto("/petugas/")
    expect(intan.locator("html")).to_have_attribute("data-live", "on", timeout=10_000)
    row = intan.locator(f'tr[data-complaint-id="{case.pk}"]')
    expect(row).to_contain_text(case.tracking_code_display)
    intan.evaluate("window.__sameDocument = true")

    # Indra, in another browser session, starts verifying the case.
    # (API token, no session cookie: the API's session login would ask for a CSRF token.)
    indra = chromium.new_context(base_url=server, locale="id-ID")
    response = indra.request.post(
        f"/api/v1/complaints/{case.pk}/transitions/start_verification/",
        headers={"Authorization": f"Token {key}"},
        data={"note": ""},
    )
    assert response.status == 200, response.text()

    # Intan's row changes in place, and she is told; her page never reloaded.
    expect(row.locator('[data-field="state"]')).to_contain_text("Verifikasi", timeout=10_000)
    assert intan.evaluate("window.__sameDocument === true")
    indra.close()


def test_a_complaint_filed_at_lapor_appears_in_the_desks_queue_without_a_reload(
    server, chromium, intake_officer
):
    intan = _logged_in_context(chromium, server, intake_officer).new_page()
    intan.goto("/petugas/")
    expect(intan.locator("html")).to_have_attribute("data-live", "on", timeout=10_000)
    intan.evaluate("window.__sameDocument = true")

    # A citizen, in another browser session, files an anonymous complaint about DKI Jakarta.
    citizen = chromium.new_context(base_url=server, locale="id-ID")
    form = citizen.new_page()
    form.goto("/lapor/")
    form.check("input[name=reporter_type][value=warga]")
    form.check("input[name=confidentiality][value=anonim]")
    form.check("input[name=kind][value=maladministrasi]")
    form.select_option("select[name=agency]", label="BPJS Kesehatan")
    form.select_option("select[name=province]", "31")
    form.fill(
        "textarea[name=description]", "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan."
    )
    form.check("input[name=complained_to_agency_first][value='1']")
    form.check("input[name=consent_pdp]")
    form.get_by_role("button", name="Kirim pengaduan").click()
    form.wait_for_load_state()
    filed = Complaint.objects.order_by("-id").first()
    assert filed is not None and filed.unit == unit("intake", "31")

    # It appears at the top of Intan's queue, with a polite notice; her page never reloaded.
    expect(intan.get_by_role("link", name=filed.tracking_code_display)).to_be_visible(timeout=10_000)
    expect(intan.get_by_role("status").filter(has_text="kasus baru")).to_contain_text("1 kasus baru")
    assert intan.evaluate("window.__sameDocument === true")
    citizen.close()
