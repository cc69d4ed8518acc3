"""The receipt (tanda terima) of a complaint and its public check at /tanda-terima/<number>/.

What a complainant holds on paper: the number, when, by which channel and at which desk the
complaint was received, the deadline of the next step and its legal source, the tracking code, a
QR code to /lacak/, where the PIN is (never the PIN). What anyone holding that paper can learn
online: that it is genuine, with the date, channel, desk and status, and nothing else.
"""

import re

import pytest
import segno
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from complaints.intake.services import complaint_submit
from complaints.models import Complaint, HandlingUnit
from complaints.public import receipts
from tests.complaints.intake_data import valid
from tests.factories import ComplaintFactory
from workflow import deadlines

pytestmark = pytest.mark.django_db


def track(client, complaint, pin):
    response = client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin}, follow=True)
    assert "Status:" in response.content.decode()
    return response


def has_pin(page: str, pin: str) -> bool:
    return re.search(rf"(?<!\d){pin}(?!\d)", page) is not None


def local(moment, fmt: str) -> str:
    from django.utils.dateformat import format as date_format

    return date_format(timezone.localtime(moment), fmt)


@pytest.fixture
def filed():
    return complaint_submit(channel="web", data=valid())


# --- right after filing on the web --------------------------------------------------------------
def test_after_filing_the_receipt_shows_what_was_received_and_where_the_pin_went_but_not_the_pin(client):
    client.post("/lapor/", valid(notify_channel="sms"))
    complaint = Complaint.objects.get()
    confirmation = client.get("/lapor/terkirim/").content.decode()
    assert 'id="receipt-link"' in confirmation and "Cetak tanda terima" in confirmation
    assert "juga kami kirim lewat SMS" in confirmation

    response = client.get("/lacak/tanda-terima/")
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    number = receipts.receipt_number(complaint)
    assert re.fullmatch(
        rf"TT-{timezone.localtime(complaint.created_at).year}-{complaint.pk:07d}-[2-9A-Z]{{6}}", number
    )
    assert f'id="receipt-number" class="receipt-number">{number}<' in page
    assert local(complaint.created_at, "j F Y, H:i") + " WIB" in page
    assert '<dd id="receipt-channel">Web</dd>' in page
    assert "Meja Penerimaan Pengaduan Daerah Khusus Ibukota Jakarta" in page
    assert complaint.tracking_code_display in page
    # The deadline of the next step (start of verification) and the rule it runs on, as in force.
    rule = deadlines.rule_for("complaint", "submitted", complaint.kind)
    assert rule.working_days and local(complaint.due_at, "j F Y") in page
    assert f"{rule.days} hari kerja" in page and f"Dasar: {escape(rule.source)}" in page
    # Where the PIN is: on the screen once, and by SMS. Never on the paper.
    assert "PIN ditampilkan sekali di layar" in page and "PIN juga dikirim lewat SMS" in page
    assert "PIN tidak pernah dicetak" in page
    # The QR code is the tracking page's address, nothing more (no code, no PIN).
    url = f"{settings.SIGAP_PUBLIC_URL}/lacak/"
    assert url in page
    drawn = re.search(r'<svg role="img"[^>]*class="qr".*?</svg>', page, re.S).group(0)
    expected = segno.make(url, error="m").svg_inline(border=4, omitsize=True, svgclass="qr")
    assert re.search(r' d="([^"]+)"', drawn).group(1) == re.search(r' d="([^"]+)"', expected).group(1)
    assert f"{settings.SIGAP_PUBLIC_URL}/tanda-terima/{number}/" in page


def test_the_pin_shown_after_filing_is_not_on_the_receipt(client):
    client.post("/lapor/", valid(notify_channel="none"))
    pin = re.search(r'id="tracking-pin">(\d{6})<', client.get("/lapor/terkirim/").content.decode()).group(1)
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert not has_pin(page, pin)
    assert "PIN ditampilkan sekali di layar" in page and "lewat SMS" not in page


def test_the_receipt_is_only_for_the_browser_that_filed_or_tracked_the_complaint(client, filed):
    assert Client().get("/lacak/tanda-terima/")["Location"] == "/lacak/"
    # The filing browser's window closes after 30 minutes.
    client.post("/lapor/", valid())
    client.get("/lapor/terkirim/")
    session = client.session
    session["sigap_receipt"]["at"] -= 31 * 60
    session.save()
    assert client.get("/lacak/tanda-terima/")["Location"] == "/lacak/"
    # "Selesai" on the tracking page ends the receipt's window too.
    client.post("/lapor/", valid())
    client.get("/lapor/terkirim/")
    assert client.get("/lacak/tanda-terima/").status_code == 200
    client.post("/lacak/keluar/")
    assert client.get("/lacak/tanda-terima/")["Location"] == "/lacak/"


def test_the_80mm_receipt_is_the_same_receipt_laid_out_for_a_receipt_printer(client, filed):
    complaint, pin = filed
    track(client, complaint, pin)
    a4 = client.get("/lacak/tanda-terima/").content.decode()
    narrow = client.get("/lacak/tanda-terima/?lebar=80mm").content.decode()
    assert 'class="receipt-page receipt-a4"' in a4 and 'class="receipt-page receipt-80mm"' in narrow
    assert receipts.receipt_number(complaint) in narrow and "css/receipt.css" in narrow
    assert "<script" not in narrow


# --- later, from the tracking page ---------------------------------------------------------------
def test_from_the_tracking_page_print_receipt_never_has_the_pin(client, filed):
    complaint, pin = filed
    case = track(client, complaint, pin).content.decode()
    assert 'href="/lacak/tanda-terima/"' in case and "Cetak tanda terima" in case
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert receipts.receipt_number(complaint) in page and complaint.tracking_code_display in page
    assert not has_pin(page, pin)


def test_a_texted_complaints_receipt_says_the_pin_came_in_the_reply(client):
    complaint, pin = complaint_submit(channel="sms", data=valid(notify_channel="sms", phone="0812-3456-7890"))
    track(client, complaint, pin)
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert '<dd id="receipt-channel">SMS</dd>' in page
    assert "PIN ada di balasan SMS atas laporan Anda." in page and "PIN juga dikirim" not in page
    assert not has_pin(page, pin)


def test_at_the_desk_the_pin_is_handed_in_a_sealed_slip():
    complaint = ComplaintFactory(channel="in_person", notify_channel="none")
    assert "amplop tertutup" in receipts.pin_note(complaint)
    texted = ComplaintFactory(channel="in_person", notify_channel="whatsapp")
    assert "PIN juga dikirim lewat WhatsApp" in receipts.pin_note(texted)


def test_a_referred_complaints_receipt_still_names_the_desk_that_received_it(client, filed):
    complaint, pin = filed
    Complaint.objects.filter(pk=complaint.pk).update(unit=HandlingUnit.objects.get(code="ombudsman-31"))
    track(client, complaint, pin)
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert (
        "Meja Penerimaan Pengaduan Daerah Khusus Ibukota Jakarta" in page
        and "Ombudsman RI Perwakilan" not in page
    )


def test_an_ended_complaints_receipt_says_there_is_no_next_step(client, filed):
    complaint, pin = filed
    Complaint.objects.filter(pk=complaint.pk).update(state="withdrawn", due_at=None)
    track(client, complaint, pin)
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert "sudah selesai diproses" in page and "Dicabut" in page


def test_the_receipt_in_english(client, filed):
    complaint, pin = filed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    track(client, complaint, pin)
    page = client.get("/lacak/tanda-terima/").content.decode()
    assert "Complaint receipt" in page and "Receipt number" in page and "Receiving unit" in page
    days = deadlines.rule_for("complaint", "submitted", complaint.kind).days
    assert f"{days} working days" in page and "The PIN is never printed on this receipt" in page


# --- the number -----------------------------------------------------------------------------------
def test_receipt_numbers_are_not_guessable_from_the_id_alone():
    first, second = ComplaintFactory(), ComplaintFactory()
    a, b = receipts.receipt_number(first), receipts.receipt_number(second)
    assert a.split("-")[:2] == b.split("-")[:2] and a[-6:] != b[-6:]
    assert receipts.verify(a) == first and receipts.verify(b) == second


# --- the public check ----------------------------------------------------------------------------
def test_anyone_can_check_a_receipt_and_learns_only_date_channel_unit_and_status(filed):
    complaint, pin = filed
    number = receipts.receipt_number(complaint)
    response = Client().get(f"/tanda-terima/{number}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Tanda terima {number} asli" in page
    assert local(complaint.created_at, "j F Y, H:i") in page
    assert '<dd id="check-channel">Web</dd>' in page
    assert '<dd id="check-unit">Meja Penerimaan Pengaduan Daerah Khusus Ibukota Jakarta</dd>' in page
    assert '<dd id="check-status">Diterima</dd>' in page
    # Never the code, the identity or what the complaint is about.
    for secret in (
        complaint.tracking_code,
        complaint.tracking_code_display,
        "Budi Santoso",
        "budi@example.id",
        "3456",
        "3171234567890123",
        "Jl. Merdeka",
        "KTP elektronik",
        "Kelurahan Menteng",
        "KTP saya segera dicetak",
    ):
        assert secret not in page, secret
    assert not has_pin(page, pin)


def test_a_tampered_or_made_up_number_is_not_found(filed):
    complaint, _pin = filed
    number = receipts.receipt_number(complaint)
    year, pk = number.split("-")[1:3]
    other = "A" if number[-1] != "A" else "B"
    unknown_pk = 9_999_999
    for wrong in (
        number[:-1] + other,  # one character of the signature
        f"TT-{int(year) - 1}-{pk}-{number[-6:]}",  # another year
        f"TT-{year}-0{pk}-{number[-6:]}",  # the same id padded differently
        f"TT-{year}-{unknown_pk:07d}-{receipts._signature(unknown_pk)}",  # signed, but no such complaint
        f"TT-{year}-{int(pk) + 1:07d}-{number[-6:]}",  # the next id with this signature
        "TT-2026-0000001-<script>",
        "bukan-nomor",
    ):
        response = Client().get(f"/tanda-terima/{wrong}/")
        assert response.status_code == 404, wrong
        page = response.content.decode()
        assert "tidak dikeluarkan oleh Sigap" in page and "asli:" not in page
        assert "<script>" not in page


def test_a_number_typed_from_the_paper_in_any_case_or_spacing_is_found(filed):
    complaint, _pin = filed
    number = receipts.receipt_number(complaint)
    typed = number.lower().replace("-", " ")
    response = Client().get("/tanda-terima/", {"nomor": typed})
    assert response.status_code == 302 and response["Location"] == f"/tanda-terima/{number}/"
    assert Client().get("/tanda-terima/").status_code == 200
    assert Client().get("/tanda-terima/", {"nomor": "ABCD-EFGH"}).status_code == 400


def test_checking_many_receipts_from_one_address_is_slowed_down(filed):
    complaint, _pin = filed
    number = receipts.receipt_number(complaint)
    client = Client()
    for _ in range(60):
        assert client.get(f"/tanda-terima/{number[:-1]}Z/").status_code in (404, 200)
    response = client.get(f"/tanda-terima/{number}/")
    assert response.status_code == 429 and "Terlalu banyak pemeriksaan" in response.content.decode()


# --- the number to text --------------------------------------------------------------------------
def test_the_number_to_text_is_on_the_home_page_the_tracking_page_and_the_receipt(client, filed, settings):
    complaint, pin = filed
    settings.SIGAP_SMS_NUMBER = "+62 811-0000-1111"
    link = '<a href="sms:+6281100001111"><strong>0811-0000-1111</strong></a>'
    assert link in client.get("/").content.decode()
    assert link in client.get("/lacak/").content.decode()
    track(client, complaint, pin)
    assert (
        "CEK &lt;kode&gt; &lt;PIN&gt; ke <strong>0811-0000-1111</strong>"
        in client.get("/lacak/tanda-terima/").content.decode()
    )


def test_without_a_number_to_text_none_is_shown(client, settings):
    settings.SIGAP_SMS_NUMBER = ""
    assert 'id="sms-number"' not in client.get("/").content.decode()
    assert 'id="sms-number"' not in client.get("/lacak/").content.decode()


def test_a_short_code_is_shown_as_written(settings):
    settings.SIGAP_SMS_NUMBER = "1708"
    assert receipts.public_sms_number() == {"display": "1708", "href": "sms:1708"}


# --- the sign-out button -------------------------------------------------------------------------
def test_the_tracking_pages_sign_out_button_is_not_the_resolved_state_in_english(client, filed):
    complaint, pin = filed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = track(client, complaint, pin).content.decode()
    button = re.search(r'action="/lacak/keluar/">.*?<button[^>]*>([^<]+)</button>', page, re.S).group(1)
    assert button == "Done"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get("/lacak/kasus/").content.decode()
    assert re.search(r'action="/lacak/keluar/">.*?<button[^>]*>Selesai</button>', page, re.S)
