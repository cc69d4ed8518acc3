"""CEK <kode> <PIN> / STATUS <code> <PIN> over SMS and WhatsApp: the code, the status, its deadline
and what happens next; never the complainant's identity."""

import pytest
from django.utils import timezone

from complaints.codes import display_code
from complaints.intake.services import complaint_submit
from complaints.public.tracking import MAX_FAILURES_PER_CLIENT
from notifications.models import InboundMessage
from tests.complaints.intake_data import valid
from tests.complaints.lifecycle import step
from tests.notifications.inbound_phone import PUBLIC_URL, Phone
from workflow.engine import Actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]


@pytest.fixture
def filed():
    return complaint_submit(channel="web", data=valid())


def wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def due(complaint) -> str:
    return timezone.localtime(complaint.due_at).strftime("%d-%m-%Y")


@pytest.mark.parametrize("command", ["CEK", "cek", "Cek"])
def test_cek_answers_with_the_code_and_status_in_indonesian(phone, filed, command):
    complaint, pin = filed
    code = display_code(complaint.tracking_code)
    answer = phone.reply(f"{command} {code} {pin}")
    assert answer == (
        f"Sigap {code}: status Diterima, tenggat {due(complaint)}. Berikutnya: petugas mulai memverifikasi "
        f"pengaduan Anda. Rincian: {PUBLIC_URL}/lacak/"
    )


@pytest.mark.parametrize("command", ["STATUS", "status", "CHECK"])
def test_status_answers_in_english(phone, filed, command):
    complaint, pin = filed
    answer = phone.reply(f"{command} {complaint.tracking_code.lower()} {pin}")
    assert answer == (
        f"Sigap {display_code(complaint.tracking_code)}: status Received, due {due(complaint)}. Next: an "
        f"officer starts verifying your complaint. Details: {PUBLIC_URL}/lacak/"
    )


def test_the_answer_follows_the_case_and_never_names_the_complainant(phone, filed, administrator):
    complaint, pin = filed
    step(complaint, "start_verification", Actor.officer(administrator))
    answer = phone.reply(f"CEK {complaint.tracking_code} {pin}")
    assert "status Verifikasi" in answer
    for private in ("Budi", "Menteng", "KTP", "3171234567890123"):
        assert private not in answer


def test_a_complaint_filed_in_english_is_answered_in_english_even_with_cek(phone):
    complaint, pin = complaint_submit(channel="web", data=valid(phone="0812 9999 8888"), language="en")
    assert "status Received" in phone.reply(f"CEK {complaint.tracking_code} {pin}")


@pytest.mark.parametrize("message", ["CEK", "CEK ABCD1234", "CEK ZZZZ-ZZZZ 123456"])
def test_a_wrong_or_incomplete_check_explains_the_format(phone, filed, message):
    # From another number: CEK without a PIN answers only the phone a case was filed with.
    stranger = Phone(phone.client, phone.token, number="+6285700001111")
    assert stranger.reply(message) == "Kode lacak atau PIN tidak cocok. Format: CEK <kode> <PIN>"


def test_a_wrong_pin_says_so_without_the_status(phone, filed):
    complaint, pin = filed
    answer = phone.reply(f"STATUS {complaint.tracking_code} {wrong(pin)}")
    assert answer == "Tracking code or PIN does not match. Format: STATUS <code> <PIN>"


def test_guessing_from_one_phone_is_stopped_even_with_the_right_pin_after(phone, filed):
    complaint, pin = filed
    others = [complaint_submit(channel="web", data=valid())[0] for _ in range(5)]
    # Wrong PINs spread over several codes (fewer than the per-code limit on each): the phone
    # number is the client whose guesses are counted.
    guesser = Phone(phone.client, phone.token, number="+6281311112222")
    for attempt in range(MAX_FAILURES_PER_CLIENT):
        target = others[attempt % len(others)]
        guesser.reply(f"CEK {target.tracking_code} {attempt:06d}")
    assert "Terlalu banyak percobaan" in guesser.reply(f"CEK {complaint.tracking_code} {pin}")
    # The phone the cases were filed with is not held back by this one's guesses.
    assert "status Diterima" in phone.reply(f"CEK {complaint.tracking_code} {pin}")


def test_the_owners_phone_keeps_a_way_in_while_the_code_waits_for_everyone_else(phone, filed, client):
    complaint, pin = filed
    for attempt in range(6):
        Phone(phone.client, phone.token, number=f"+62813111122{attempt:02d}").reply(
            f"CEK {complaint.tracking_code} {(int(pin) + 1 + attempt) % 10**6:06d}"
        )
    assert (
        "Terlalu banyak percobaan"
        in client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin}).content.decode()
    )
    assert "Terlalu banyak percobaan" in Phone(phone.client, phone.token, number="+6281399990000").reply(
        f"CEK {complaint.tracking_code} {pin}"
    )
    assert "status Diterima" in phone.reply(f"CEK {complaint.tracking_code} {pin}")
    # Its own wrong PINs still count: five, and it waits too.
    for attempt in range(5):
        phone.reply(f"CEK {complaint.tracking_code} {(int(pin) + 1 + attempt) % 10**6:06d}")
    assert "Terlalu banyak percobaan" in phone.reply(f"CEK {complaint.tracking_code} {pin}")


def test_the_pin_is_not_kept_in_the_record_of_inbound_messages(phone, filed):
    complaint, pin = filed
    phone.reply(f"CEK {complaint.tracking_code} {pin}")
    record = InboundMessage.objects.get()
    assert pin not in record.body and record.body == f"CEK {complaint.tracking_code} ******"
