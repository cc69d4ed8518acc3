"""Tracking codes, PINs and the guarded lookup by code + PIN."""

import hashlib
import hmac
import re
import time

import pytest

from complaints import codes
from complaints.intake.services import complaint_submit
from complaints.models import Complaint, Identity
from complaints.public.tracking import (
    FREE_FAILURES_PER_CODE,
    MAX_FAILURES_PER_CLIENT,
    MAX_FAILURES_PER_PAIR,
    WINDOW,
    PinGuesses,
    TrackingLocked,
    code_wait,
    complaint_for_tracking,
    public_timeline,
)
from tests.complaints.intake_data import valid
from tests.notifications.inbound_phone import Phone
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    return complaint_submit(channel="web", data=valid())


def wrong(pin: str) -> str:
    return "000000" if pin != "000000" else "111111"


def test_codes_are_eight_characters_that_cannot_be_misread():
    drawn = {codes.new_tracking_code() for _ in range(500)}
    assert len(drawn) == 500
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", code) for code in drawn)
    assert not set("".join(drawn)) & set("01OIL")
    assert codes.display_code("ABCD2345") == "ABCD-2345"


def test_the_pin_is_stored_as_a_keyed_hmac_only(filed, settings):
    complaint, pin = filed
    assert re.fullmatch(r"\d{6}", pin)
    expected = hmac.new(settings.SIGAP_PIN_KEY.encode(), pin.encode(), hashlib.sha256).hexdigest()
    assert complaint.pin_hash == expected and pin not in complaint.pin_hash
    settings.SIGAP_PIN_KEY = "another-key"
    assert not codes.pin_matches(complaint, pin)


def test_a_code_collision_draws_again(filed, monkeypatch):
    taken, _ = filed
    draws = iter([taken.tracking_code, "ZZZZ2222"])
    monkeypatch.setattr(codes, "new_tracking_code", lambda: next(draws))
    complaint, _ = complaint_submit(channel="web", data=valid())
    assert complaint.tracking_code == "ZZZZ2222" and Complaint.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_code_collision_files_the_whole_complaint_again_when_it_owns_its_transaction(monkeypatch):
    # Filing opens the transaction itself here (no test transaction around it): the refused
    # insert rolls all of it back, and the complaint is filed again with another code, whole.
    taken, _ = complaint_submit(channel="web", data=valid())
    draws = iter([taken.tracking_code, "ZZZZ3333"])
    monkeypatch.setattr(codes, "new_tracking_code", lambda: next(draws))
    complaint, _ = complaint_submit(channel="api", data=valid())
    assert complaint.tracking_code == "ZZZZ3333" and Complaint.objects.count() == 2
    assert Identity.objects.filter(complaint=complaint).count() == 1
    assert TransitionLog.objects.filter(object_id=complaint.pk, transition="submit").count() == 1


def test_the_code_is_accepted_as_read_aloud_or_written_down(filed):
    complaint, pin = filed
    code = complaint.tracking_code
    for written in (code, f"{code[:4]}-{code[4:]}".lower(), f" {code[:4]} {code[4:]} "):
        assert complaint_for_tracking(code=written, pin=pin, client_key="1.2.3.4") == complaint


def test_a_wrong_pin_and_an_unknown_code_look_the_same(filed):
    complaint, pin = filed
    assert complaint_for_tracking(code=complaint.tracking_code, pin=wrong(pin), client_key="a") is None
    assert complaint_for_tracking(code="ZZZZ-ZZZZ", pin=pin, client_key="a") is None
    assert complaint_for_tracking(code="", pin="", client_key="a") is None


def guess_from_many_addresses(complaint, pin, count: int, *, first: int = 0):
    for attempt in range(first, first + count):
        assert (
            complaint_for_tracking(
                code=complaint.tracking_code, pin=wrong(pin), client_key=f"10.0.{attempt}.1"
            )
            is None
        )


def test_guesses_spread_over_many_addresses_wait_longer_and_longer(filed, monkeypatch):
    complaint, pin = filed
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    guess_from_many_addresses(complaint, pin, FREE_FAILURES_PER_CODE)
    # Every client now waits a minute after the last wrong guess, the owner with the right PIN too.
    with pytest.raises(TrackingLocked) as waiting:
        complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="10.9.9.9")
    assert waiting.value.wait == 60 and "1 menit" in waiting.value.message
    waits = []
    for attempt in range(6):
        now += code_wait(FREE_FAILURES_PER_CODE + attempt) + 1
        guess_from_many_addresses(complaint, pin, 1, first=100 + attempt)
        with pytest.raises(TrackingLocked) as waiting:
            complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="10.9.9.9")
        waits.append(waiting.value.wait)
    assert waits == [120, 240, 480, 960, 1920, 3600]  # doubling, then an hour at most
    # Once the wait is over, the owner's right PIN is heard.
    now += 3601
    assert complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="10.9.9.9") == complaint


def test_a_day_of_guessing_one_code_from_everywhere_reaches_few_guesses(filed, monkeypatch):
    complaint, pin = filed
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    heard = 0
    for attempt in range(24 * 60):  # one try a minute from a new address, for a day
        try:
            complaint_for_tracking(
                code=complaint.tracking_code, pin=wrong(pin), client_key=f"10.{attempt}.0.1"
            )
            heard += 1
        except TrackingLocked:
            pass
        now += 60
    assert heard <= 35


def test_one_client_guessing_many_codes_is_locked_but_others_are_not(filed):
    complaint, pin = filed
    for attempt in range(MAX_FAILURES_PER_CLIENT):
        complaint_for_tracking(code=f"AAAA{attempt:04d}", pin="123456", client_key="guesser")
    with pytest.raises(TrackingLocked) as locked:
        complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="guesser")
    assert "satu jam" in str(locked.value.message)
    assert complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="owner") == complaint


def test_a_few_typos_do_not_lock_the_owner_out(filed):
    complaint, pin = filed
    for _ in range(MAX_FAILURES_PER_PAIR - 1):
        complaint_for_tracking(code=complaint.tracking_code, pin=wrong(pin), client_key="owner")
    assert complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="owner") == complaint


def test_the_lock_ends_an_hour_after_the_first_wrong_guess(filed, monkeypatch):
    complaint, pin = filed
    for _ in range(MAX_FAILURES_PER_PAIR):
        complaint_for_tracking(code=complaint.tracking_code, pin=wrong(pin), client_key="owner")
    started = time.time()
    with pytest.raises(TrackingLocked):
        complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="owner")
    monkeypatch.setattr(time, "time", lambda: started + WINDOW + 1)
    assert complaint_for_tracking(code=complaint.tracking_code, pin=pin, client_key="owner") == complaint


def test_pin_guesses_are_checked_before_the_lookup_and_counted_after_a_miss():
    guesses = PinGuesses("ABCD2345", "10.0.0.1")
    for _ in range(MAX_FAILURES_PER_PAIR - 1):
        guesses.failed()
    guesses.check()  # four misses: the owner may still try
    guesses.failed()
    with pytest.raises(TrackingLocked):
        guesses.check()
    # The code now waits for every client; the client may still look up another code.
    with pytest.raises(TrackingLocked):
        PinGuesses("ABCD2345", "10.0.0.2").check()
    PinGuesses("WXYZ6789", "10.0.0.1").check()


def test_the_web_page_the_api_and_sms_share_one_count_per_code(filed, client, phone):
    from rest_framework.test import APIClient

    complaint, pin = filed
    code = complaint.tracking_code
    for _ in range(2):
        client.post("/lacak/", {"code": code, "pin": wrong(pin)})
        APIClient().post("/api/v1/track/", {"tracking_code": code, "pin": wrong(pin)})
    stranger = Phone(phone.client, phone.token, number="+6281311112222")
    stranger.reply(f"CEK {code} {wrong(pin)}")
    # Five wrong guesses over three channels: the code waits on each of them.
    assert "Terlalu banyak percobaan" in client.post("/lacak/", {"code": code, "pin": pin}).content.decode()
    assert APIClient().post("/api/v1/track/", {"tracking_code": code, "pin": pin}).status_code == 429
    assert "Terlalu banyak percobaan" in stranger.reply(f"CEK {code} {pin}")
    # The phone the complaint was filed with keeps its way in.
    assert "status Diterima" in phone.reply(f"CEK {code} {pin}")


def test_the_public_timeline_has_labels_and_dates_only(filed, intake_officer):
    complaint, _ = filed
    engine.perform(
        complaint, "start_verification", actor=Actor.officer(intake_officer), via="web", note="catatan-dalam"
    )
    engine.perform(
        complaint, "request_info", actor=Actor.officer(intake_officer), via="web", message="Kirim foto KTP."
    )
    steps = public_timeline(complaint)
    assert [step["state"] for step in steps] == ["submitted", "verifying", "awaiting_info"]
    assert all(set(step) == {"at", "text", "state"} for step in steps)
    text = " ".join(step["text"] for step in steps)
    assert "catatan-dalam" not in text and "intan" not in text.lower()


def test_a_tracked_case_is_remembered_for_thirty_minutes_only(client, filed):
    from complaints.public.views import TRACKED_SESSION_KEY, tracked_complaint

    complaint, pin = filed
    client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    assert client.get("/lacak/kasus/").status_code == 200
    session = client.session
    session[TRACKED_SESSION_KEY] = {"id": complaint.pk, "at": time.time() - 31 * 60}
    session.save()
    response = client.get("/lacak/kasus/")
    assert response.status_code == 302 and response["Location"] == "/lacak/"
    assert tracked_complaint(response.wsgi_request) is None
