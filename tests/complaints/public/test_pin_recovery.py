"""A new PIN (docs/domain.md#pin-recovery): asked for on the web (sent by SMS, WhatsApp or email,
never shown), by SMS/WhatsApp from the phone the case was filed with (the reply), or issued by an
officer at a desk after checking identity (shown once, audited). The old PIN stops working on every
path at once, and the web page never tells whether a code, number or email exists."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from complaints import codes
from complaints.codes import display_code
from complaints.identity import identity_reveal
from complaints.intake.services import complaint_submit
from complaints.models import Complaint
from complaints.public.tracking import NEW_PINS_PER_DAY, RECOVERY_PER_PAIR
from notifications import contacts
from notifications.models import InboundMessage, Message
from tests.complaints.intake_data import valid
from tests.complaints.officer_cases import as_user
from tests.factories import UserFactory
from tests.notifications.inbound_phone import PHONE, Phone
from workflow import engine
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

SENT = "Jika data cocok, PIN baru dikirim ke nomor/email yang terdaftar."
SENT_EN = "If the details match, a new PIN has been sent to the registered number or email."


@pytest.fixture
def filed():
    return complaint_submit(channel="web", data=valid())


def track_page(client, complaint, pin):
    """/lacak/ with code and PIN: True when the case opened."""
    response = client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    return response.status_code == 302 and response["Location"] == "/lacak/kasus/"


def track_api(complaint, pin) -> int:
    body = {"tracking_code": complaint.tracking_code, "pin": pin}
    return APIClient(REMOTE_ADDR="198.51.100.20").post("/api/v1/track/", body, format="json").status_code


def ask(client, code: str, contact: str):
    return client.post("/lacak/pin-baru/", {"code": code, "contact": contact})


def pins_in(text: str) -> list[str]:
    return re.findall(r"\b\d{6}\b", text)


def texted_to(fake_twilio, number: str = PHONE) -> list[str]:
    return [r.form["Body"] for r in fake_twilio.sent if r.form.get("To", "").endswith(number)]


def pin_events(complaint) -> list[TransitionLog]:
    return list(engine.audit_trail(complaint).filter(transition="pin_reissued"))


# --- the web ---------------------------------------------------------------------------------------
def test_the_tracking_page_offers_forgot_pin(client):
    page = client.get("/lacak/", {"kode": "ABCD-EFGH"}).content.decode()
    assert 'href="/lacak/pin-baru/?kode=ABCD-EFGH"' in page and "Lupa PIN?" in page
    form = client.get("/lacak/pin-baru/", {"kode": "ABCD-EFGH"}).content.decode()
    assert 'value="ABCD-EFGH"' in form and 'name="contact"' in form


def test_a_new_pin_goes_by_sms_never_to_the_page_and_the_old_one_stops_everywhere(
    client, filed, fake_twilio, django_capture_on_commit_callbacks, phone
):
    complaint, old_pin = filed
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, display_code(complaint.tracking_code).lower(), "0812 3456 7890")
    assert response.status_code == 302
    assert response["Location"] == f"/lacak/?kode={display_code(complaint.tracking_code).lower()}"
    page = client.get(response["Location"]).content.decode()
    assert SENT in page

    [body] = texted_to(fake_twilio)
    [new_pin] = pins_in(body)
    assert body.startswith(f"Sigap {display_code(complaint.tracking_code)}: PIN baru Anda {new_pin}.")
    assert new_pin not in page and new_pin != old_pin
    # The text carried a secret: blanked once sent.
    message = Message.objects.get(template_key="new_pin")
    assert message.sensitive and message.body == "" and message.channel == "sms"
    complaint.refresh_from_db()
    assert new_pin not in complaint.pin_hash and codes.pin_matches(complaint, new_pin)

    # The old PIN is refused on the web, by the API and by CEK; the new one works.
    assert not track_page(Client(), complaint, old_pin)
    assert track_api(complaint, old_pin) == 404
    assert "tidak cocok" in phone.reply(f"CEK {complaint.tracking_code} {old_pin}")
    assert track_page(Client(), complaint, new_pin)
    assert track_api(complaint, new_pin) == 200
    assert "status Diterima" in phone.reply(f"CEK {complaint.tracking_code} {new_pin}")

    [event] = pin_events(complaint)
    assert (event.actor_kind, event.via, event.fields) == ("complainant", "web", {"sent_to": "sms"})
    assert new_pin not in str(event.fields) + event.note
    # An event of the audit trail, not a step: nothing on the public timeline.
    tracker = Client(REMOTE_ADDR="198.51.100.21")
    assert track_page(tracker, complaint, new_pin)
    assert "PIN baru diterbitkan" not in tracker.get("/lacak/kasus/").content.decode()


def test_a_new_pin_goes_by_email_when_the_email_on_file_is_named(
    client, filed, mailoutbox, django_capture_on_commit_callbacks
):
    complaint, old_pin = filed
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, complaint.tracking_code, "  BUDI@Example.ID ")
    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["budi@example.id"] and mail.subject == "Sigap: PIN baru"
    [new_pin] = pins_in(mail.body)
    assert not Message.objects.exclude(channel="email").filter(template_key="new_pin").exists()
    assert Message.objects.get(template_key="new_pin").body == ""  # blanked once sent
    assert not track_page(Client(), complaint, old_pin) and track_page(Client(), complaint, new_pin)
    assert pin_events(complaint)[0].fields == {"sent_to": "email"}


def test_whatsapp_carries_the_pin_only_inside_its_window(client, django_capture_on_commit_callbacks):
    complaint, _pin = complaint_submit(channel="web", data=valid(notify_channel="whatsapp"))
    with django_capture_on_commit_callbacks(execute=False):
        ask(client, complaint.tracking_code, PHONE)
    contacts.touch_inbound(PHONE, "whatsapp")
    with django_capture_on_commit_callbacks(execute=False):
        ask(Client(REMOTE_ADDR="198.51.100.9"), complaint.tracking_code, PHONE)
    # Outside the 24-hour window a template cannot carry a PIN: SMS; inside it, WhatsApp.
    assert list(
        Message.objects.filter(template_key="new_pin").order_by("id").values_list("channel", "content_sid")
    ) == [("sms", ""), ("whatsapp", "")]


def test_the_answer_is_the_same_whether_or_not_anything_matched(filed, django_capture_on_commit_callbacks):
    complaint, old_pin = filed
    anonymous, anonymous_pin = complaint_submit(
        channel="web", data=valid(confidentiality="anonim", phone="", notify_channel="none")
    )
    attempts = [
        (complaint.tracking_code, PHONE, True),
        ("ZZZZ-ZZZZ", PHONE, False),  # no such code
        (complaint.tracking_code, "0812 9999 0000", False),  # another number
        (complaint.tracking_code, "orang@lain.id", False),  # another email
        (complaint.tracking_code, "bukan nomor", False),
        (anonymous.tracking_code, PHONE, False),  # anonymous: no contact on file
    ]
    answers = []
    for index, (code, contact, matches) in enumerate(attempts):
        client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")
        with django_capture_on_commit_callbacks(execute=False):
            response = ask(client, code, contact)
        assert response.status_code == 302
        assert response["Location"] == f"/lacak/?kode={code}"
        page = client.get(response["Location"]).content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        answers.append(page.replace(code, "<code>"))
        assert Message.objects.filter(template_key="new_pin").count() == 1, (code, contact, matches)
    assert SENT in answers[0]
    assert len(set(answers)) == 1
    # Only the match changed a PIN.
    anonymous.refresh_from_db()
    assert codes.pin_matches(anonymous, anonymous_pin)
    assert not pin_events(anonymous)


def test_the_page_in_english(settings):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = ask(client, "ZZZZ-ZZZZ", PHONE)
    assert SENT_EN in client.get(response["Location"]).content.decode()
    form = client.get("/lacak/pin-baru/").content.decode()
    assert "Forgot your PIN" in form


def test_an_empty_request_says_what_is_missing_and_counts_nothing(client):
    response = client.post("/lacak/pin-baru/", {"code": "", "contact": ""})
    assert response.status_code == 400
    assert "Isi kode lacak dan nomor telepon atau email" in response.content.decode()


def test_one_client_is_held_back_on_one_code_whether_it_exists_or_not(filed):
    complaint, _pin = filed
    for code in (complaint.tracking_code, "ZZZZ-ZZZZ"):
        client = Client(REMOTE_ADDR="203.0.113.50" if code == "ZZZZ-ZZZZ" else "203.0.113.51")
        for _ in range(RECOVERY_PER_PAIR):
            assert ask(client, code, "0812 0000 0000").status_code == 302
        refused = ask(client, code, PHONE)
        assert refused.status_code == 429
        assert "Terlalu banyak permintaan PIN baru" in refused.content.decode()
    assert not pin_events(complaint)


def test_a_case_gets_at_most_three_new_pins_a_day(filed, django_capture_on_commit_callbacks):
    complaint, _pin = filed
    for index in range(NEW_PINS_PER_DAY + 2):
        with django_capture_on_commit_callbacks(execute=False):
            response = ask(Client(REMOTE_ADDR=f"198.51.100.{index + 1}"), complaint.tracking_code, PHONE)
        assert response.status_code == 302  # the same answer, sent or not
    assert Message.objects.filter(template_key="new_pin").count() == NEW_PINS_PER_DAY
    assert len(pin_events(complaint)) == NEW_PINS_PER_DAY


def test_a_tracking_session_opened_with_the_old_pin_ends(filed, django_capture_on_commit_callbacks):
    complaint, old_pin = filed
    owner = Client()
    assert track_page(owner, complaint, old_pin)
    assert owner.get("/lacak/kasus/").status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        ask(Client(REMOTE_ADDR="198.51.100.77"), complaint.tracking_code, PHONE)
    ended = owner.get("/lacak/kasus/")
    assert ended.status_code == 302 and ended["Location"] == "/lacak/"


# --- SMS and WhatsApp -------------------------------------------------------------------------------
@pytest.mark.usefixtures("twilio_webhook")
@pytest.mark.parametrize("command", ["PIN {code}", "lupa {code}", "LUPA PIN {code}", "pin {dashed}"])
def test_a_text_from_the_phone_on_file_gets_a_new_pin_as_the_reply(phone, filed, command):
    complaint, old_pin = filed
    code = display_code(complaint.tracking_code)
    answer = phone.reply(
        command.format(code=complaint.tracking_code, dashed=code.lower()), sid="SM" + "7" * 32
    )
    [new_pin] = set(pins_in(answer))
    assert (
        answer
        == f"Sigap {code}: PIN baru Anda {new_pin}. PIN lama tidak berlaku lagi. Cek: CEK {code} {new_pin}"
    )
    assert "tidak cocok" in phone.reply(f"CEK {code} {old_pin}")
    assert "status Diterima" in phone.reply(f"CEK {code} {new_pin}")
    assert track_api(complaint, old_pin) == 404 and track_api(complaint, new_pin) == 200
    # The reply is kept for Twilio's retries encrypted (blanked later), never in plain text.
    record = InboundMessage.objects.get(sid="SM" + "7" * 32)
    assert record.reply == answer
    with connection.cursor() as cursor:
        cursor.execute("SELECT reply FROM notifications_inboundmessage WHERE id = %s", [record.pk])
        (stored,) = cursor.fetchone()
    assert new_pin not in stored
    [event] = pin_events(complaint)
    assert (event.actor_kind, event.via, event.fields) == ("complainant", "sms", {"sent_to": "sms"})


@pytest.mark.usefixtures("twilio_webhook")
def test_another_number_and_an_unknown_code_hear_the_same_and_change_nothing(client, twilio_webhook, filed):
    complaint, old_pin = filed
    stranger = Phone(client, twilio_webhook.auth_token, number="+6281299990000")
    mismatch = stranger.reply(f"PIN {complaint.tracking_code}")
    unknown = stranger.reply("PIN ZZZZ-ZZZZ")
    assert mismatch == unknown
    assert mismatch.startswith("Kode lacak tidak cocok dengan nomor ini.")
    complaint.refresh_from_db()
    assert codes.pin_matches(complaint, old_pin) and not pin_events(complaint)


@pytest.mark.usefixtures("twilio_webhook")
def test_a_message_that_is_not_the_command_is_left_to_the_other_handlers(phone, filed):
    complaint, old_pin = filed
    assert not phone.reply("Pin saya hilang, tolong bantu").startswith("Kode lacak tidak cocok")
    complaint.refresh_from_db()
    assert codes.pin_matches(complaint, old_pin)


@pytest.mark.usefixtures("twilio_webhook")
def test_a_case_filed_in_english_is_answered_in_english_and_the_day_has_a_limit(
    phone, django_capture_on_commit_callbacks
):
    complaint, _pin = complaint_submit(channel="web", data=valid(), language="en")
    code = display_code(complaint.tracking_code)
    # The day's new PINs count the web's and the texted ones together.
    for index in range(NEW_PINS_PER_DAY - 1):
        with django_capture_on_commit_callbacks(execute=False):
            ask(Client(REMOTE_ADDR=f"198.51.100.{index + 1}"), code, PHONE)
    assert phone.reply(f"PIN {code}").startswith(f"Sigap {code}: your new PIN is ")
    assert phone.reply(f"PIN {code}") == (
        f"Sigap {code}: 3 new PINs were sent today already. Try again tomorrow or visit a service office."
    )
    assert len(pin_events(complaint)) == NEW_PINS_PER_DAY


# --- the desk ----------------------------------------------------------------------------------------
def desk_page(officer, complaint):
    return as_user(officer).get(f"/petugas/kasus/{complaint.pk}/")


def test_an_officer_issues_a_new_pin_after_checking_identity_shown_once_and_audited(
    intake_officer, filed, caplog
):
    caplog.set_level(logging.DEBUG)
    complaint, old_pin = filed
    desk = as_user(intake_officer)
    page = desk.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert "Terbitkan PIN baru" in page and f"/petugas/kasus/{complaint.pk}/pin-baru/" in page

    refused = desk.post(f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "  "}, follow=True)
    assert "Tuliskan bagaimana identitas pelapor diperiksa" in refused.content.decode()
    assert not pin_events(complaint)

    response = desk.post(f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "KTP diperiksa langsung"})
    assert response.status_code == 302 and response["Location"] == f"/petugas/kasus/{complaint.pk}/#pin"
    # Kept encrypted in the session until the page shows it: never in plain text.
    session = Session.objects.get(session_key=desk.session.session_key)
    shown = desk.get(response["Location"])
    [new_pin] = re.findall(r'id="new-pin">(\d{6})<', shown.content.decode())
    assert new_pin not in session.session_data and new_pin not in str(session.get_decoded())
    assert "no-store" in shown["Cache-Control"]
    # Once: the next load does not show it again.
    assert 'id="new-pin"' not in desk.get(f"/petugas/kasus/{complaint.pk}/").content.decode()

    assert not track_page(Client(), complaint, old_pin) and track_page(Client(), complaint, new_pin)
    [event] = pin_events(complaint)
    assert (event.actor, event.via, event.note, event.fields) == (
        intake_officer,
        "web",
        "KTP diperiksa langsung",
        {"sent_to": "desk"},
    )
    assert "PIN baru diterbitkan" in desk.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    rows = TransitionLog.objects.filter(object_id=complaint.pk).values_list("note", "fields")
    assert all(new_pin not in f"{note} {fields}" for note, fields in rows)
    assert new_pin not in caplog.text


def test_identifiers_typed_into_the_note_are_masked_in_the_trail(intake_officer, filed):
    complaint, _pin = filed
    as_user(intake_officer).post(
        f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "KTP 3171234567890123 diperiksa"}
    )
    [event] = pin_events(complaint)
    assert "3171234567890123" not in event.note and "diperiksa" in event.note


def test_a_confidential_identity_is_revealed_before_it_is_checked(intake_officer):
    complaint, _pin = complaint_submit(channel="web", data=valid(confidentiality="rahasia"))
    desk = as_user(intake_officer)
    assert (
        "Buka identitas pelapor dulu untuk mencocokkannya."
        in desk_page(intake_officer, complaint).content.decode()
    )
    refused = desk.post(f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "KTP"}, follow=True)
    assert "Buka identitas pelapor dulu" in refused.content.decode() and not pin_events(complaint)
    identity_reveal(user=intake_officer, complaint=complaint, reason="pelapor datang minta PIN baru")
    desk.post(f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "KTP diperiksa langsung"})
    assert len(pin_events(complaint)) == 1


def test_an_anonymous_complaint_gets_a_new_pin_only_at_the_desk(intake_officer, client):
    complaint, old_pin = complaint_submit(
        channel="web", data=valid(confidentiality="anonim", phone="", notify_channel="none")
    )
    page = desk_page(intake_officer, complaint).content.decode()
    assert "Pengaduan anonim: tidak ada identitas untuk dicocokkan" in page
    assert (
        "Pengaduan anonim tidak menyimpan nomor telepon atau email"
        in client.get("/lacak/pin-baru/").content.decode()
    )
    as_user(intake_officer).post(
        f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "Menunjukkan bukti yang dilampirkan"}
    )
    complaint.refresh_from_db()
    assert not codes.pin_matches(complaint, old_pin) and len(pin_events(complaint)) == 1


def test_only_officers_handling_the_case_may_issue_a_pin(filed, outsider, administrator, ombudsman_officer):
    complaint, old_pin = filed
    url = f"/petugas/kasus/{complaint.pk}/pin-baru/"
    # Another unit does not see the case (404); an administrator handles none and sees no identity.
    assert as_user(outsider).post(url, {"note": "KTP"}).status_code == 404
    assert as_user(ombudsman_officer).post(url, {"note": "KTP"}).status_code == 404
    assert as_user(administrator).post(url, {"note": "KTP"}).status_code == 403
    assert "Terbitkan PIN baru" not in desk_page(administrator, complaint).content.decode()
    assert Client().post(url, {"note": "KTP"}).status_code == 302  # to the sign-in page
    complaint.refresh_from_db()
    assert codes.pin_matches(complaint, old_pin) and not pin_events(complaint)


def test_the_case_page_shows_the_pin_only_to_the_officer_who_issued_it(intake_officer, filed):
    complaint, _pin = filed
    colleague = UserFactory(username="indah", role=intake_officer.role, unit=intake_officer.unit)
    as_user(intake_officer).post(f"/petugas/kasus/{complaint.pk}/pin-baru/", {"note": "KTP"})
    assert 'id="new-pin"' not in desk_page(colleague, complaint).content.decode()
    assert len(pin_events(Complaint.objects.get(pk=complaint.pk))) == 1
