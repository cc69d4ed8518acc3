"""Urgent cases raise an alert on the live queue, in Chromium (docs/domain.md#urgency): a citizen
files an urgent complaint, and the desk officer whose queue is open is alerted at once, without a
reload; a colleague marks a case urgent, and the alert says so. Served as in test_live_queue.py."""

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint, Role, State
from tests.browser.test_live_queue import _logged_in_context, server  # noqa: F401 - the fixture
from tests.factories import ComplaintFactory, UserFactory, unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_queue(chromium, base_url, officer):
    page = _logged_in_context(chromium, base_url, officer).new_page()
    page.goto("/petugas/")
    expect(page.locator("html")).to_have_attribute("data-live", "on", timeout=10_000)
    page.evaluate("window.__sameDocument = true")
    return page


def test_an_urgent_complaint_filed_at_lapor_raises_an_alert_on_the_desks_open_queue(
    server,  # noqa: F811
    chromium,
    intake_officer,
):
    intan = _open_queue(chromium, server, intake_officer)
    expect(intan.get_by_role("alert")).to_have_count(0)

    citizen = chromium.new_context(base_url=server, locale="id-ID")
    form = citizen.new_page()
    form.goto("/lapor/")
    form.check("input[name=reporter_type][value=warga]")
    form.check("input[name=confidentiality][value=anonim]")
    form.check("input[name=kind][value=ham]")
    form.select_option("select[name=agency]", label="Kepolisian Negara Republik Indonesia")
    form.select_option("select[name=province]", "31")
    form.fill("textarea[name=description]", "Kakak saya ditahan di polsek sejak kemarin tanpa surat apa pun.")
    form.get_by_label("Ya, mendesak").check()
    form.check("input[name=complained_to_agency_first][value='0']")
    form.check("input[name=consent_pdp]")
    form.get_by_role("button", name="Kirim pengaduan").click()
    form.wait_for_load_state()
    filed = Complaint.objects.order_by("-id").first()
    assert filed is not None and filed.urgent and filed.urgency_source == "complainant"

    # The alert is announced at once (role="alert"), names the case and links to it; the row is on
    # top, marked urgent; the page never reloaded.
    alert = intan.get_by_role("alert")
    expect(alert).to_contain_text(f"Kasus mendesak baru: {filed.tracking_code_display}", timeout=10_000)
    expect(alert.get_by_role("link", name="buka kasus")).to_have_attribute(
        "href", f"/petugas/kasus/{filed.pk}/"
    )
    expect(intan.locator(f'tr[data-complaint-id="{filed.pk}"]')).to_contain_text("mendesak")
    assert intan.evaluate("window.__sameDocument === true")
    citizen.close()


def test_a_case_a_colleague_marks_urgent_raises_an_alert_and_an_ordinary_change_does_not(
    server,  # noqa: F811
    chromium,
    intake_officer,
):
    colleague = UserFactory(username="indra", role=Role.INTAKE_OFFICER, unit=unit("intake", "31"))
    case = ComplaintFactory(state=State.SUBMITTED)
    other = ComplaintFactory(state=State.SUBMITTED)
    intan = _open_queue(chromium, server, intake_officer)

    indra = _logged_in_context(chromium, server, colleague).new_page()
    # An ordinary change (a claim) of an ordinary case: no alert.
    indra.goto(f"/petugas/kasus/{other.pk}/")
    indra.get_by_role("button", name="Ambil kasus ini").click()
    indra.wait_for_load_state()
    expect(intan.locator(f'tr[data-complaint-id="{other.pk}"]')).to_have_class("live-changed", timeout=10_000)
    expect(intan.get_by_role("alert")).to_have_count(0)

    # Indra marks the other case urgent on its page, with a reason.
    indra.goto(f"/petugas/kasus/{case.pk}/")
    panel = indra.locator("#mendesak")
    panel.get_by_label("Mendesak", exact=True).check()
    panel.get_by_label("Alasan (wajib bila mengubah; tercatat di jejak audit)").fill(
        "Pelapor menelepon: ibunya ditolak di IGD."
    )
    panel.get_by_role("button", name="Simpan keputusan").click()
    indra.wait_for_load_state()
    expect(indra.locator("#mendesak")).to_contain_text("diputuskan petugas")

    expect(intan.get_by_role("alert")).to_contain_text(
        f"Kasus kini ditandai mendesak: {case.tracking_code_display}", timeout=10_000
    )
    assert intan.evaluate("window.__sameDocument === true")
