"""axe-core on every public page, in Chromium: no serious or critical violation.

The pages a complainant sees (home, the form and its error summary, the page after filing, the
tracking pages, their personal data, the receipt in both widths and its public check, 404, the
public scorecard of the country, a province and an agency) are
opened as a person reaches them, in Bahasa Indonesia and in English, and axe-core (the engine
Deque ships in axe-playwright-python) is run on each. A serious or critical violation fails the
test with axe's own report: what rule, which element, how to fix it.
"""

import re

import pytest
from playwright.sync_api import expect

from complaints.intake.services import complaint_submit
from complaints.models import Agency
from tests.complaints.intake_data import valid
from tests.conftest import missing_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing_service("needs axe-playwright-python (pip install axe-playwright-python)")
    return Axe()


def blocking_violations(axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{page.url} — {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {node['html'][:200]}" for node in v["nodes"])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def file_on_the_form(page) -> None:
    page.get_by_role("radio", name="Warga", exact=True).check()
    page.get_by_role("radio", name=re.compile("^Rahasia")).check()
    page.get_by_label("Nama lengkap", exact=True).fill("Siti Aminah")
    page.get_by_label("Nomor telepon / WhatsApp", exact=True).fill("0812 3456 7890")
    page.get_by_role("radio", name=re.compile("^Maladministrasi")).check()
    page.get_by_label("Instansi yang dilaporkan *", exact=True).select_option(label="BPJS Kesehatan")
    page.get_by_label("Provinsi *", exact=True).select_option(label="Jawa Barat")
    page.get_by_label("Apa yang terjadi? (kronologi) *", exact=True).fill(
        "Puskesmas menolak kartu BPJS ibu saya tiga kali tanpa alasan yang jelas."
    )
    page.get_by_role("radiogroup", name="Apakah Anda sudah mengadu ke instansi itu lebih dulu?").get_by_label(
        "Ya"
    ).check()
    page.get_by_label("Saya setuju data saya diproses").check()
    page.get_by_role("button", name="Kirim pengaduan").click()


@pytest.fixture
def filed(live_server):
    # Filed before Chromium starts: Playwright runs an event loop in this thread, and filing
    # broadcasts to the live queue through async_to_sync, which refuses to run inside one.
    return complaint_submit(channel="web", data=valid())


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_public_page_has_no_serious_or_critical_violation(filed, live_server, chromium, axe, language):
    complaint, pin = filed
    agency_id = Agency.objects.get(name="BPJS Kesehatan").pk
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = context.new_page()
    found: list[str] = []

    def check(path: str | None = None, *, status: int = 200) -> None:
        if path is not None:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == status, path
        found.extend(blocking_violations(axe, page))

    check("/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        check()
    check("/lapor/")
    # The form sent empty: the error summary and the fields marked invalid.
    page.locator("form[action='/lapor/'] button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check()
    if language == "id":
        file_on_the_form(page)
        expect(page.locator("#tracking-code")).to_be_visible()
        check()  # /lapor/terkirim/
        page.locator("#receipt-link").click()
        check()  # the receipt just after filing

    check("/lacak/")
    page.locator("#id_code").fill(complaint.tracking_code)
    page.locator("#id_pin").fill(pin)
    page.locator("form[action='/lacak/'] button[type=submit]").click()
    expect(page.locator("#status")).to_be_visible()
    check()  # /lacak/kasus/
    check("/lacak/data-saya/")
    check("/lacak/tanda-terima/")
    check("/lacak/tanda-terima/?lebar=80mm")
    number = page.locator("#receipt-number").inner_text()
    check("/tanda-terima/")
    check(f"/tanda-terima/{number}/")
    check("/tanda-terima/TT-2026-0000001-AAAAAA/", status=404)
    check("/halaman-yang-tidak-ada/", status=404)
    # The public scorecard: the country, a province and an agency (charts, tables, the period form).
    check("/kinerja/")
    check("/kinerja/?provinsi=32")
    check(f"/kinerja/instansi/{agency_id}/")
    context.close()
    assert not found, "\n".join(found)
