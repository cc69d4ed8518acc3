"""What the complainant hears at each step: short, in their language, code and status only."""

import pytest
from django.utils import timezone

from complaints import messaging
from complaints.messaging import TEXTS
from complaints.models import HandlingUnit, State
from notifications import contacts, outbox, texts
from notifications.admin import MessageTemplateForm
from notifications.models import Message, MessageTemplate, Status
from tests.complaints.lifecycle import complaint_in, step, window_passes
from tests.factories import ComplaintFactory
from workflow.engine import Actor

pytestmark = pytest.mark.django_db
LONG_URL = "https://pengaduan.ombudsman.go.id/sigap"  # 39 characters
LONGEST_UNIT = "Ombudsman RI Perwakilan Daerah Khusus Ibukota Jakarta"


def texts_for(complaint):
    return list(
        Message.objects.filter(reference=f"complaint:{complaint.pk}").values_list(
            "template_key", "body", "channel"
        )
    )


def display(complaint):
    return f"{complaint.tracking_code[:4]}-{complaint.tracking_code[4:]}"


def test_each_step_the_complainant_should_hear_about_writes_one_message(administrator, ombudsman_officer):
    complaint = complaint_in(State.SUBMITTED, admin=administrator, notify_channel="whatsapp")
    officer = Actor.officer(administrator)
    for name in ("start_verification", "request_info"):
        step(complaint, name, officer)
    step(complaint, "provide_info", Actor.complainant())
    for name in ("verify_formal", "refer", "accept_referral", "resolve"):
        step(complaint, name, officer)
    window_passes(complaint)
    step(complaint, "close", officer)
    keys = [key for key, _, _ in texts_for(complaint)]
    assert keys == ["request_info", "refer", "accept_referral", "resolve", "close"]
    assert {channel for _, _, channel in texts_for(complaint)} == {"whatsapp"}


# (state before, step, actor, text key, the status word in Indonesian, in English)
STEPS = [
    (
        State.VERIFYING,
        "request_info",
        "officer",
        "request_info",
        "Menunggu kelengkapan",
        "Awaiting information",
    ),
    (State.MATERIAL_VERIFICATION, "refer", "officer", "refer", "dirujuk", "referred"),
    (State.REFERRED, "accept_referral", "officer", "accept_referral", "pemeriksaan", "examination"),
    (
        State.EXAMINATION,
        "request_clarification",
        "officer",
        "request_clarification",
        "klarifikasi",
        "clarification",
    ),
    (State.EXAMINATION, "start_mediation", "officer", "start_mediation", "mediasi", "mediation"),
    (
        State.EXAMINATION,
        "issue_lahp",
        "officer",
        "corrective_action",
        "tindakan korektif",
        "corrective action",
    ),
    (
        State.CORRECTIVE_ACTION,
        "issue_recommendation",
        "officer",
        "recommendation",
        "rekomendasi",
        "recommendation",
    ),
    (State.CORRECTIVE_ACTION, "corrective_action_done", "officer", "resolve", "selesai", "resolved"),
    (State.RESOLVED, "object", "complainant", "objection", "pemeriksaan", "examination"),
    (State.EXAMINATION, "resolve", "officer", "resolve", "selesai", "resolved"),
    (State.RESOLVED, "close", "officer", "close", "ditutup", "closed"),
    (State.VERIFYING, "reject", "officer", "reject", "ditolak", "rejected"),
    (State.VERIFYING, "withdraw", "complainant", "withdrawn", "dicabut", "withdrawn"),
    (State.AWAITING_INFO, "expire_info", "system", "expired", "dicabut", "withdrawn"),
    (State.VERIFYING, "mark_duplicate", "officer", "duplicate", "digabung", "merged"),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("before,name,who,key,word_id,word_en", STEPS, ids=[s[1] for s in STEPS])
def test_each_text_carries_code_and_status_in_one_segment_and_nothing_about_the_case(
    administrator, settings, language, before, name, who, key, word_id, word_en
):
    """The information request alone carries the officer's words (what they ask for), in a few
    segments: test_the_information_request_carries_the_officers_words."""
    settings.SIGAP_PUBLIC_URL = LONG_URL
    complaint = complaint_in(before, admin=administrator, language=language)
    if name == "close":
        window_passes(complaint)
    Message.objects.all().delete()
    actor = {
        "officer": Actor.officer(administrator),
        "complainant": Actor.complainant(),
        "system": Actor.system(),
    }[who]
    step(complaint, name, actor)

    [(sent_key, body, channel)] = texts_for(complaint)
    assert (sent_key, channel) == (key, "sms")
    assert display(complaint) in body
    assert (word_en if language == "en" else word_id).lower() in body.lower()
    if key == "request_info":
        assert "Mohon lengkapi fotokopi KTP." in body
        assert texts.segments(body) <= messaging.WORDS_MAX_SEGMENTS, (len(body), body)
    else:
        assert texts.segments(body) == 1, (len(body), body)
    identity = complaint.identity
    case_details = [
        identity.name,
        identity.nik,
        identity.phone,
        identity.phone.replace("+62", "0"),
        identity.address,
        identity.email,
        complaint.description[:20],
        "BPJS",  # the reported agency
        *([] if key == "request_info" else ["KTP"]),  # what the officer asked for
        "Komisi Informasi",  # the rejection's suggested body
        "memperbaiki layanan",  # the outcome's summary
    ]
    for detail in case_details:
        assert detail not in body


def test_the_information_request_names_the_deadline(administrator):
    complaint = complaint_in(State.AWAITING_INFO, admin=administrator)
    body = Message.objects.get(template_key="request_info").body
    assert timezone.localtime(complaint.due_at).strftime("%d-%m-%Y") in body
    assert "/lacak/" in body


def test_the_first_message_carries_the_code_and_the_pin():
    complaint = ComplaintFactory()
    message = outbox.enqueue_message(messaging.received_message(complaint, pin="482913"))
    assert display(complaint) in message.body and "482913" in message.body
    assert message.status == Status.QUEUED and message.recipient == "+6281234567890"


def test_no_consent_or_no_phone_means_no_message(administrator):
    silent = complaint_in(State.VERIFYING, admin=administrator, notify_channel="none")
    step(silent, "reject", Actor.officer(administrator))
    anonymous = ComplaintFactory(confidentiality="anonim", identity=None)
    step(anonymous, "start_verification", Actor.officer(administrator))
    step(anonymous, "reject", Actor.officer(administrator))
    no_phone = ComplaintFactory(identity__phone="")
    assert messaging.received_message(no_phone, pin="123456") is None
    assert Message.objects.count() == 0


def test_an_english_speaking_complainant_gets_english():
    complaint = ComplaintFactory(language="en")
    message = outbox.enqueue_message(messaging.received_message(complaint, pin="123456"))
    assert message.body.startswith("Sigap: complaint received") and "123456" in message.body
    assert message.language == "en"


def test_an_officers_message_carries_its_words_with_identifiers_masked(administrator):
    """The complainant reads it by SMS alone; the phone may be shared, so no identifier goes."""
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    message = messaging.enqueue_thread_message(
        complaint, body="Apakah NIK 3171234567890123 benar milik Anda?"
    )
    assert display(complaint) in message.body and "/lacak/" in message.body
    assert "Apakah NIK [dirahasiakan] benar milik Anda?" in message.body
    assert "3171234567890123" not in message.body


def test_a_unit_name_outside_gsm7_is_written_plainly_so_the_text_stays_one_segment(administrator, settings):
    settings.SIGAP_PUBLIC_URL = LONG_URL
    unit = HandlingUnit.objects.get(kind="ombudsman", province_id="31")
    unit.name = LONGEST_UNIT.replace(" ", "\u00a0", 1) + "\u2013Pusat\u0101"
    unit.save()  # as the admin does
    complaint_in(State.REFERRED, admin=administrator)
    body = Message.objects.get(template_key="refer").body
    assert "Ombudsman" in body and "Pusata" in body
    assert texts.segments(body) == 1, body


@pytest.mark.parametrize("key", sorted(TEXTS))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_shipped_text_fits_one_sms_segment(key, language):
    status = {"id": "Menunggu kelengkapan", "en": "Awaiting information"}[language]
    # Without an officer's words ({message}), which may take a text to a few segments.
    body = TEXTS[key][language].format(
        code="ABCD-EFGH",
        url=LONG_URL,
        date="31-12-2026",
        pin="123456",
        unit=LONGEST_UNIT,
        status=status,
        message="",
    )
    assert len(body) <= 160 and texts.segments(body) == 1, body


def test_whatsapp_messages_carry_the_status_template_in_the_complainants_language(administrator, settings):
    settings.TWILIO_WHATSAPP_STATUS_TEMPLATE_SID = "HX" + "a" * 32
    complaint = complaint_in(State.VERIFYING, admin=administrator, notify_channel="whatsapp", language="en")
    step(complaint, "reject", Actor.officer(administrator))
    message = Message.objects.get(template_key="reject")
    assert message.content_sid == "HX" + "a" * 32
    assert message.content_variables == {"1": display(complaint), "2": "Rejected"}


# --- administrators' wordings ---------------------------------------------------------------------
def test_an_administrators_wording_replaces_the_default_on_its_channel(administrator):
    MessageTemplate.objects.create(
        key="close", language="id", body="Sigap {code}: kasus {status}. Terima kasih!"
    )
    MessageTemplate.objects.create(
        key="close",
        language="id",
        channel="whatsapp",
        body="Sigap {code}: selesai ditutup (WA).",
        content_sid="HX" + "b" * 32,
    )
    sms = complaint_in(State.RESOLVED, admin=administrator)
    whatsapp = complaint_in(State.RESOLVED, admin=administrator, notify_channel="whatsapp")
    for case in (sms, whatsapp):
        window_passes(case)
        step(case, "close", Actor.officer(administrator))
    assert Message.objects.get(reference=f"complaint:{sms.pk}", template_key="close").body == (
        f"Sigap {display(sms)}: kasus Ditutup. Terima kasih!"
    )
    wa = Message.objects.get(reference=f"complaint:{whatsapp.pk}", template_key="close")
    assert (
        wa.body == f"Sigap {display(whatsapp)}: selesai ditutup (WA)." and wa.content_sid == "HX" + "b" * 32
    )


def test_a_broken_wording_falls_back_to_the_default_instead_of_failing_the_step(administrator):
    # The admin form refuses this; a row written another way must still not break the workflow.
    MessageTemplate.objects.create(key="reject", language="id", body="Sigap {code}: {nama} ditolak {")
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    step(complaint, "reject", Actor.officer(administrator))
    assert complaint.state == State.REJECTED
    body = Message.objects.get(template_key="reject").body
    assert body.startswith(f"Sigap {display(complaint)}: pengaduan ditolak")


def test_the_admin_form_refuses_unknown_placeholders_and_bad_content_sids():
    form = MessageTemplateForm(
        data={
            "key": "reject",
            "language": "id",
            "channel": "",
            "body": "Halo {nama}, {code}",
            "content_sid": "123",
        }
    )
    assert not form.is_valid()
    assert "{nama}" in str(form.errors["body"]) and "{code}" in str(form.errors["body"])
    assert "content_sid" in form.errors
    good = MessageTemplateForm(
        data={
            "key": "reject",
            "language": "en",
            "channel": "sms",
            "body": "Sigap {code}: {status}.",
            "content_sid": "",
        }
    )
    assert good.is_valid(), good.errors


def test_an_opted_out_complainant_hears_nothing_on_the_next_step_and_officers_see_why(
    administrator, fake_twilio, django_capture_on_commit_callbacks
):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    contacts.opt_out(complaint.identity.phone, "sms")
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "reject", Actor.officer(administrator))
    message = Message.objects.get(template_key="reject")
    assert message.status == Status.FAILED and "BERHENTI" in message.reason
    assert fake_twilio.sent == []


def test_the_case_page_tells_officers_why_a_message_did_not_arrive(administrator, fake_twilio):
    from notifications.tasks import deliver
    from tests.complaints.officer_cases import as_user

    complaint = complaint_in(State.VERIFYING, admin=administrator)
    messaging.enqueue_thread_message(complaint, body="Mohon cek.")
    fake_twilio.fail_next(("error", 400, 21211))
    deliver(Message.objects.get(template_key="thread").pk)
    html = as_user(administrator).get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert "Nomor telepon tidak valid. (21211)" in html


def test_administrators_see_the_shipped_texts_and_save_a_wording_in_the_admin(administrator, client):
    client.force_login(administrator)
    page = client.get("/admin/notifications/messagetemplate/add/")
    assert page.status_code == 200
    assert "pengaduan ditutup. Terima kasih." in page.content.decode()  # the shipped default, shown
    response = client.post(
        "/admin/notifications/messagetemplate/add/",
        {
            "key": "close",
            "language": "id",
            "channel": "",
            "body": "Sigap {code}: {status}.",
            "content_sid": "",
        },
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.get(key="close").body == "Sigap {code}: {status}."
    listing = client.get("/admin/notifications/message/")
    assert listing.status_code == 200
