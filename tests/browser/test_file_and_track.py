"""A citizen on a phone files a complaint at /lapor/ and reads its status at /lacak/, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_files_a_complaint_on_a_phone_and_tracks_it(live_server, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/lapor/")
    expect(page.get_by_role("heading", name="Buat pengaduan")).to_be_visible()

    # Send it empty first: the error summary links to the fields, and nothing is stored.
    page.get_by_role("button", name="Kirim pengaduan").click()
    expect(page.get_by_role("heading", name="Ada yang perlu diperbaiki")).to_be_visible()
    assert Complaint.objects.count() == 0

    page.get_by_role("radio", name="Warga", exact=True).check()
    page.get_by_role("radio", name=re.compile("^Rahasia")).check()
    page.get_by_label("Nama lengkap", exact=True).fill("Siti Aminah")
    page.get_by_label("Nomor telepon / WhatsApp", exact=True).fill("0812 3456 7890")
    page.get_by_role("radio", name=re.compile("^Maladministrasi")).check()
    page.get_by_label("Instansi yang dilaporkan *", exact=True).select_option(label="BPJS Kesehatan")
    page.get_by_label("Provinsi *", exact=True).select_option(label="Jawa Barat")
    page.get_by_label("Kabupaten/kota", exact=True).select_option(label="Kota Bandung")
    page.get_by_label("Apa yang terjadi? (kronologi) *", exact=True).fill(
        "Puskesmas menolak kartu BPJS ibu saya tiga kali tanpa alasan yang jelas."
    )
    page.get_by_role("radiogroup", name="Apakah Anda sudah mengadu ke instansi itu lebih dulu?").get_by_label(
        "Ya"
    ).check()
    page.get_by_label("Saya setuju data saya diproses").check()
    page.get_by_role("button", name="Kirim pengaduan").click()

    expect(page.get_by_role("heading", name="Pengaduan Anda sudah kami terima")).to_be_visible()
    code = page.locator("#tracking-code").inner_text()
    pin = page.locator("#tracking-pin").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code) and re.fullmatch(r"\d{6}", pin)
    complaint = Complaint.objects.get()
    assert (complaint.confidentiality, complaint.regency.name) == ("rahasia", "Kota Bandung")

    page.get_by_role("link", name="Lacak pengaduan").click()
    page.get_by_label("Kode lacak").fill(code.lower().replace("-", " "))
    page.get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Lihat status").click()
    expect(page.locator("#status")).to_have_text("Status: Diterima")
    expect(page.locator("#timeline")).to_contain_text("Pengaduan diterima.")

    # The same page in English after the language switch.
    page.get_by_role("button", name="English").click()
    expect(page.locator("#status")).to_have_text("Status: Received")
    context.close()
