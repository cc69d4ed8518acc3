"""A complainant answers an information request by SMS or WhatsApp: the text and the media go
into the case and the case goes back to where it was (provide_info). The text at once; the media
after the webhook has answered, by the task its commit hands them to (``texted`` runs that work,
eager in the tests, as the request would after its commit)."""

import pytest
from django.test import override_settings

from complaints.codes import display_code
from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, Evidence, PendingMedia, State
from notifications.models import Message
from tests.complaints.intake_data import JPEG, PDF, valid
from tests.complaints.lifecycle import step
from tests.notifications.inbound_phone import PHONE, URL, Phone
from workflow.engine import Actor, history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]


def awaiting_info(administrator, *, via_examination=False, **data) -> Complaint:
    complaint, _ = complaint_submit(channel="web", data=valid(**data))
    officer = Actor.officer(administrator)
    path = (
        ["start_verification", "verify_formal", "refer", "accept_referral"]
        if via_examination
        else ["start_verification"]
    )
    for name in [*path, "request_info"]:
        step(complaint, name, officer)
    assert complaint.state == State.AWAITING_INFO
    return complaint


def media_gets(fake_twilio):
    return [r for r in fake_twilio.requests if r.method == "GET"]


def notices(fake_twilio) -> list[str]:
    """What was texted to the complainant through Twilio's REST API (not the TwiML replies)."""
    return [r.form["Body"] for r in fake_twilio.sent if r.form.get("To", "").endswith(PHONE)]


def notes(complaint) -> list[str]:
    return list(complaint.messages.filter(kind=CaseMessage.Kind.INTERNAL).values_list("body", flat=True))


@pytest.mark.parametrize("via_examination", [False, True], ids=["from-verifying", "from-examination"])
def test_a_reply_with_media_goes_into_the_case_and_the_case_goes_back(
    phone, fake_twilio, administrator, texted, via_examination
):
    complaint = awaiting_info(administrator, via_examination=via_examination)
    media_url = fake_twilio.add_media("ME1", PDF, "application/pdf")
    answer = texted(
        phone, "Ini <b>KTP</b> saya<script>alert(1)</script>", media=[(media_url, "application/pdf")]
    )
    code = display_code(complaint.tracking_code)
    assert answer == (
        f"Sigap {code}: pesan Anda sudah kami terima dan diteruskan ke petugas. Lampiran sedang diproses."
    )
    complaint.refresh_from_db()
    assert complaint.state == (State.EXAMINATION if via_examination else State.VERIFYING)
    message = complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT)
    assert (message.body, message.channel) == ("Ini KTP saya", "sms")
    evidence = Evidence.objects.get(complaint=complaint)
    assert (evidence.channel, evidence.content_type, evidence.size) == ("sms", "application/pdf", len(PDF))
    assert evidence.file.read() == PDF
    audit = history(complaint).last()
    assert (audit.transition, audit.actor_kind, audit.via, audit.actor) == (
        "provide_info",
        "complainant",
        "sms",
        None,
    )
    # Fetched over real HTTP with the account's credentials; nothing was sent through Twilio's
    # REST API: the answer is the TwiML reply.
    assert [(r.path, r.auth) for r in media_gets(fake_twilio)] == [
        ("/media/ME1", (fake_twilio.account_sid, fake_twilio.auth_token))
    ]
    assert fake_twilio.sent == [] and notes(complaint) == []
    assert not PendingMedia.objects.exists()


def test_a_whatsapp_reply_of_media_alone_is_the_step_once_the_media_arrived(
    whatsapp, fake_twilio, administrator, texted
):
    complaint = awaiting_info(administrator, notify_channel="whatsapp")
    url = fake_twilio.add_media("ME2", JPEG, "image/jpeg")
    assert "lampiran Anda sedang diproses" in texted(whatsapp, "", media=[(url, "image/jpeg")])
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert Evidence.objects.get(complaint=complaint).channel == "whatsapp"
    message = complaint.messages.get(kind="from_complainant")
    assert (message.body, message.channel) == ("(lampiran)", "whatsapp")
    assert history(complaint).last().via == "whatsapp"


def test_a_refused_attachment_is_named_and_the_text_still_arrives(phone, fake_twilio, administrator, texted):
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME3", b"MZ\x90\x00 not a document", "application/pdf")
    answer = texted(phone, "Nomor KTP saya 3171234567890123", media=[(url, "application/pdf")])
    assert "sudah kami terima" in answer
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING and not Evidence.objects.exists()
    # The officer sees why on the case; the complainant hears it (the case no longer waits for them).
    code = display_code(complaint.tracking_code)
    assert notes(complaint) == [
        "1 lampiran dari SMS tidak dapat diambil: Berkas lampiran-1.pdf bukan PDF, JPEG, PNG, MP4 atau DOCX."
    ]
    assert notices(fake_twilio) == [
        f"Sigap {code}: 1 lampiran tidak dapat diambil (Berkas lampiran-1.pdf bukan PDF, JPEG, PNG, MP4 atau "
        "DOCX). Petugas sudah diberi tahu."
    ]


def test_only_a_refused_attachment_leaves_the_case_waiting(phone, fake_twilio, administrator, texted):
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME4", b"\x00" * 64, "image/png")
    assert "lampiran Anda sedang diproses" in texted(phone, "", media=[(url, "image/png")])
    complaint.refresh_from_db()
    assert complaint.state == State.AWAITING_INFO
    assert not complaint.messages.filter(kind="from_complainant").exists()
    # Asked to send it again: the case still waits for them.
    [notice] = notices(fake_twilio)
    assert "bukan PDF, JPEG, PNG, MP4 atau DOCX" in notice and "Kirim ulang" in notice
    assert len(notes(complaint)) == 1


@override_settings(SIGAP_EVIDENCE_MAX_BYTES=1024)
def test_a_too_large_attachment_is_refused(phone, fake_twilio, administrator, texted):
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME5", PDF + b"0" * 2048, "application/pdf")
    assert "sudah kami terima" in texted(phone, "berikut berkasnya", media=[(url, "application/pdf")])
    assert not Evidence.objects.exists()
    assert "lebih dari" in notes(complaint)[0]
    assert ["lebih dari" in notice for notice in notices(fake_twilio)] == [True]


@override_settings(SIGAP_EVIDENCE_MAX_FILES=1)
def test_media_beyond_the_evidence_limit_are_left_out_and_said_so(phone, fake_twilio, administrator, texted):
    complaint = awaiting_info(administrator)
    first = fake_twilio.add_media("ME7", PDF, "application/pdf")
    second = fake_twilio.add_media("ME8", JPEG, "image/jpeg")
    answer = texted(phone, "dua berkas", media=[(first, "application/pdf"), (second, "image/jpeg")])
    assert answer.endswith("Lampiran sedang diproses. Hanya 1 lampiran pertama yang diproses.")
    assert list(Evidence.objects.values_list("content_type", flat=True)) == ["application/pdf"]
    assert [r.path for r in media_gets(fake_twilio)] == ["/media/ME7"]
    assert notes(complaint) == ["1 lampiran dari SMS tidak diproses: paling banyak 1 berkas per pesan."]


def test_media_outside_twilio_is_never_fetched_with_the_credentials(
    phone, fake_twilio, administrator, texted
):
    complaint = awaiting_info(administrator)
    texted(phone, "lihat lampiran", media=[("http://10.0.0.1/secret", "application/pdf")])
    assert media_gets(fake_twilio) == [] and not Evidence.objects.exists()
    assert notes(complaint) == ["1 lampiran dari SMS tidak dapat diambil: unduhan gagal"]
    assert ["(unduhan gagal)" in notice for notice in notices(fake_twilio)] == [True]


def test_an_english_complainant_is_answered_in_english(phone, fake_twilio, administrator):
    complaint, _ = complaint_submit(channel="web", data=valid(), language="en")
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "request_info", officer)
    assert "we received your information" in phone.reply("Here is my ID")


def test_with_several_cases_waiting_the_tracking_code_chooses_one(phone, administrator):
    first = awaiting_info(administrator)
    second = awaiting_info(administrator)
    answer = phone.reply("ini datanya")
    assert "Awali pesan dengan kode lacaknya" in answer
    assert Complaint.objects.filter(state=State.AWAITING_INFO).count() == 2

    answer = phone.reply(f"{display_code(first.tracking_code).lower()} ini datanya")
    assert display_code(first.tracking_code) in answer
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.VERIFYING, State.AWAITING_INFO)
    assert first.messages.get(kind="from_complainant").body == "ini datanya"


def test_a_number_without_a_waiting_case_is_not_attached_anywhere(phone, administrator):
    complaint, _ = complaint_submit(channel="web", data=valid())
    step(complaint, "start_verification", Actor.officer(administrator))
    assert "tidak dikenali" in phone.reply("ini datanya")
    assert not CaseMessage.objects.filter(kind="from_complainant").exists()


def test_another_number_cannot_answer_for_the_complainant(client, fake_twilio, administrator):
    complaint = awaiting_info(administrator)
    stranger = Phone(client, fake_twilio.auth_token, number="+6285700001111")
    assert "tidak dikenali" in stranger.reply("ini datanya")
    complaint.refresh_from_db()
    assert complaint.state == State.AWAITING_INFO


def test_the_same_webhook_twice_is_handled_once(phone, fake_twilio, administrator, texted):
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME6", PDF, "application/pdf")
    sid = "MM" + "9" * 32
    first = texted(phone, "Data tambahan", media=[(url, "application/pdf")], sid=sid)
    again = texted(phone, "Data tambahan", media=[(url, "application/pdf")], sid=sid)
    assert first == again and "sudah kami terima" in first
    assert complaint.messages.filter(kind="from_complainant").count() == 1
    assert Evidence.objects.count() == 1 and len(media_gets(fake_twilio)) == 1
    assert history(complaint).filter(transition="provide_info").count() == 1


def test_stop_is_honoured_on_the_next_workflow_step(
    phone, fake_twilio, administrator, django_capture_on_commit_callbacks
):
    complaint, _ = complaint_submit(channel="web", data=valid())
    assert complaint.identity.phone == PHONE
    phone.reply("BERHENTI")
    officer = Actor.officer(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", officer)
        step(complaint, "request_info", officer)
    message = Message.objects.get(template_key="request_info")
    # Written, so officers see why the complainant heard nothing, but failed and never sent.
    assert (message.status, message.last_error) == ("failed", "opted out")
    assert fake_twilio.sent == []

    phone.reply("MULAI")
    with django_capture_on_commit_callbacks(execute=True):
        phone.reply("Berikut datanya")
        complaint.refresh_from_db()
        step(complaint, "reject", officer)
    assert Message.objects.get(template_key="reject").status != "failed"
    assert [r.form["To"] for r in fake_twilio.sent] == [PHONE]


@pytest.mark.django_db(transaction=True)
def test_the_same_webhook_twice_at_the_same_moment_is_handled_once(postgres, fake_twilio, administrator):
    import threading

    from django.db import connection
    from django.test import Client

    complaint = awaiting_info(administrator)
    sender = Phone(Client(), fake_twilio.auth_token)
    params = sender.params("Data tambahan", sid="SM" + "5" * 32)
    signature = sender.sign(params)
    barrier = threading.Barrier(2)
    answers = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            response = Client().post(URL, params, HTTP_X_TWILIO_SIGNATURE=signature)
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 2 and answers[0] == answers[1] and answers[0][0] == 200
    assert b"sudah kami terima" in answers[0][1]
    assert complaint.messages.filter(kind="from_complainant").count() == 1
    assert history(complaint).filter(transition="provide_info").count() == 1
