"""Inbound SMS/WhatsApp over the signed webhook: keywords, status, replies, the LAPOR conversation."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from twilio.request_validator import RequestValidator

from complaints.models import Complaint, Evidence, State
from complaints.services import complaint_submit
from notifications.models import Conversation, InboundMessage, Message, OptOut
from tests.complaints.intake_data import PDF, valid
from tests.complaints.lifecycle import step
from workflow.engine import Actor

pytestmark = pytest.mark.django_db
URL = "/webhooks/twilio/inbound/"
PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def _settings(settings, fake_twilio):
    settings.SIGAP_PUBLIC_URL = "https://sigap.example.go.id"
    cache.clear()


class Phone:
    """A complainant's phone talking to Sigap through Twilio's signed webhook."""

    def __init__(self, client, token, number=PHONE, channel="sms"):
        self.client, self.token, self.number, self.channel = client, token, number, channel
        self.count = 0

    def send(self, body, *, media=(), sid=None, signature=None):
        self.count += 1
        sender = f"whatsapp:{self.number}" if self.channel == "whatsapp" else self.number
        params = {
            "MessageSid": sid or f"SM{self.count:032d}",
            "From": sender,
            "To": "+15005550006",
            "Body": body,
            "NumMedia": str(len(media)),
        }
        for i, (url, content_type) in enumerate(media):
            params[f"MediaUrl{i}"], params[f"MediaContentType{i}"] = url, content_type
        if signature is None:
            signature = RequestValidator(self.token).compute_signature(
                f"https://sigap.example.go.id{URL}", params
            )
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        return self.client.post(URL, params, **headers)

    def reply(self, body, **kwargs) -> str:
        response = self.send(body, **kwargs)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
        found = re.search(r"<Message>(.*)</Message>", response.content.decode(), re.S)
        return found.group(1) if found else ""


@pytest.fixture
def phone(client, fake_twilio):
    return Phone(client, fake_twilio.auth_token)


@pytest.mark.parametrize("signature", ["", "d3Jvbmc="], ids=["missing", "wrong"])
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(phone, signature):
    assert phone.send("BERHENTI", signature=signature).status_code == 403
    assert not OptOut.objects.exists() and not InboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("stop", "start", "confirmation"),
    [("BERHENTI", "MULAI", "tidak akan menerima"), ("stop", "Start", "no more Sigap messages")],
)
def test_stop_and_start_in_either_language_and_any_case(phone, stop, start, confirmation):
    assert confirmation in phone.reply(stop)
    assert OptOut.objects.filter(phone=PHONE, channel="sms").exists()
    # Confirmed once: a second STOP gets no reply.
    assert phone.reply(stop) == ""
    assert phone.reply(start) in (
        "Pesan Sigap diaktifkan kembali untuk nomor ini.",
        "Sigap messages are on again for this number.",
    )
    assert not OptOut.objects.exists()


def test_stop_is_honoured_on_the_next_workflow_step(phone, administrator):
    complaint, _ = complaint_submit(channel="web", data=valid())
    phone.reply("BERHENTI")
    step(complaint, "start_verification", Actor.officer(administrator))
    step(complaint, "reject", Actor.officer(administrator))
    message = Message.objects.get(template_key="reject")
    assert (message.status, message.last_error) == ("failed", "opted out")


@pytest.mark.parametrize(
    ("word", "expected"), [("bantuan", "CEK <kode> <PIN>"), ("HELP", "STATUS <code> <PIN>")]
)
def test_help_lists_the_keywords(phone, word, expected):
    assert expected.replace("<", "&lt;").replace(">", "&gt;") in phone.reply(word)


def test_cek_answers_with_code_and_status_only(phone):
    complaint, pin = complaint_submit(channel="web", data=valid())
    answer = phone.reply(f"cek {complaint.tracking_code[:4]}-{complaint.tracking_code[4:]} {pin}")
    assert "status Diterima" in answer and complaint.tracking_code[:4] in answer
    assert complaint.identity.name not in answer
    assert "tidak cocok" in phone.reply(
        f"CEK {complaint.tracking_code} 000000" if pin != "000000" else "CEK X 1"
    )
    assert "status Received" in phone.reply(f"STATUS {complaint.tracking_code} {pin}")


def test_a_reply_to_an_information_request_goes_into_the_case_with_its_media(
    phone, fake_twilio, administrator
):
    complaint, _ = complaint_submit(channel="web", data=valid())
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "request_info", officer)
    media_url = fake_twilio.add_media("ME1", PDF, "application/pdf")
    answer = phone.reply("Ini <b>KTP</b> saya", media=[(media_url, "application/pdf")])
    assert "sudah kami terima" in answer
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert complaint.messages.get(kind="from_complainant").body == "Ini KTP saya"
    evidence = Evidence.objects.get(complaint=complaint)
    assert (evidence.channel, evidence.content_type) == ("sms", "application/pdf")
    assert evidence.file.read() == PDF
    log = complaint.__class__.objects.get(pk=complaint.pk)
    from workflow.engine import history

    assert history(log).last().via == "sms"
    # The media was fetched with the account's credentials, over real HTTP.
    assert [r.auth for r in fake_twilio.requests if r.method == "GET"] == [
        (fake_twilio.account_sid, fake_twilio.auth_token)
    ]


def test_the_same_webhook_twice_is_handled_once(phone, administrator):
    complaint, _ = complaint_submit(channel="web", data=valid())
    step(complaint, "start_verification", Actor.officer(administrator))
    step(complaint, "request_info", Actor.officer(administrator))
    first = phone.reply("Data tambahan", sid="SM" + "9" * 32)
    again = phone.reply("Data tambahan", sid="SM" + "9" * 32)
    assert first == again
    assert complaint.messages.filter(kind="from_complainant").count() == 1


def test_a_whole_lapor_conversation_files_a_complaint(phone):
    assert "Jenis pengaduan" in phone.reply("LAPOR")
    assert "tidak dikenali" in phone.reply("7")  # a bad answer is asked again
    assert "Instansi" in phone.reply("1")
    assert "kabupaten/kota" in phone.reply("BPJS Kesehatan")
    assert "Ada beberapa wilayah" in phone.reply("Bandung")
    assert "Ceritakan" in phone.reply("Kota Bandung")
    assert "paling sedikit 20" in phone.reply("pendek")
    # A restart: nothing in memory, the conversation comes back from the database.
    assert Conversation.objects.get(phone=PHONE).step == "description"
    assert "Sudah mengadu" in phone.reply("Kartu BPJS saya ditolak di puskesmas <script>x</script>tiga kali.")
    assert "Identitas Anda" in phone.reply("2")
    assert "Nama lengkap" in phone.reply("2")
    assert "UU 27/2022" in phone.reply("Siti Aminah")
    done = phone.reply("ya")
    code = re.search(r"Kode lacak (\w{4}-\w{4}), PIN (\d{6})", done)
    assert code, done
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.kind, complaint.confidentiality) == (
        "sms",
        "maladministrasi",
        "rahasia",
    )
    assert complaint.regency.name == "Kota Bandung" and complaint.agency.name == "BPJS Kesehatan"
    assert complaint.description == "Kartu BPJS saya ditolak di puskesmas tiga kali."
    assert complaint.identity.phone == PHONE and complaint.notify_channel == "sms"
    assert not Conversation.objects.exists()


def test_batal_cancels_and_a_silent_day_ends_the_conversation(phone):
    phone.reply("LAPOR")
    assert "dibatalkan" in phone.reply("batal")
    phone.reply("LAPOR")
    Conversation.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=25))
    assert "tidak dikenali" in phone.reply("1")  # no conversation any more
    assert not Complaint.objects.exists()
