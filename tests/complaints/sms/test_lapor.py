"""LAPOR: filing a complaint over SMS/WhatsApp one question at a time, through the web's intake."""

import datetime
import json
import re

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from complaints.models import Complaint, Identity
from complaints.public.tracking import complaint_for_tracking
from complaints.sms import conversations
from notifications.inbound import inbound_replies_forget
from notifications.models import Conversation, InboundMessage, Message
from notifications.personal import blind_index
from tests.notifications.inbound_phone import PHONE, PUBLIC_URL, Phone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]


def code_and_pin(answer: str) -> tuple[str, str]:
    found = re.search(r"Kode lacak (\w{4}-\w{4}), PIN (\d{6})", answer)
    assert found, answer
    return found.group(1), found.group(2)


def test_a_whole_lapor_conversation_files_a_complaint(phone, fake_twilio, django_capture_on_commit_callbacks):
    assert "Jenis pengaduan" in phone.reply("lapor")
    assert phone.reply("7").startswith("Maaf, jawaban tidak dikenali. Sigap LAPOR. Jenis pengaduan?")
    assert "Instansi apa" in phone.reply(" 1 ")
    assert "kabupaten/kota" in phone.reply("bpjs kesehatan")
    # A name shared by a kabupaten and a kota: asked again, with both named.
    assert "Ada beberapa wilayah: Kabupaten Bandung, Kota Bandung" in phone.reply("Bandung")
    assert "Wilayah tidak ditemukan" in phone.reply("Atlantis")
    assert "Ceritakan" in phone.reply("kota bandung")
    assert "paling sedikit 20" in phone.reply("pendek")
    assert "Mendesak?" in phone.reply("Kartu BPJS saya ditolak di puskesmas <script>x</script>tiga kali.")
    assert "Sudah mengadu" in phone.reply("tidak")
    assert "Identitas Anda" in phone.reply("1")
    assert "Nama lengkap" in phone.reply("2")
    confirm = phone.reply("Siti <b>Aminah</b>")
    # The purpose notice and what will be sent, before the YA that is the consent.
    assert "Ringkasan: maladministrasi; BPJS Kesehatan; Kota Bandung; identitas rahasia." in confirm
    assert "UU 27/2022" in confirm and "YA" in confirm
    assert "tidak dikenali" in phone.reply("mungkin")
    with django_capture_on_commit_callbacks(execute=True):
        done = phone.reply("Ya")
    code, pin = code_and_pin(done)

    complaint = Complaint.objects.get()
    assert complaint_for_tracking(code=code, pin=pin, client_key="test") == complaint
    assert (complaint.channel, complaint.kind, complaint.confidentiality, complaint.language) == (
        "sms",
        "maladministrasi",
        "rahasia",
        "id",
    )
    assert complaint.regency.name == "Kota Bandung" and complaint.province.name == "Jawa Barat"
    assert complaint.agency.name == "BPJS Kesehatan" and complaint.agency_name == ""
    # Sanitised like the web form's input.
    assert complaint.description == "Kartu BPJS saya ditolak di puskesmas tiga kali."
    assert complaint.identity.name == "Siti Aminah"
    assert complaint.identity.phone == PHONE and complaint.notify_channel == "sms"
    assert complaint.complained_to_agency_first is True
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (False, False, "")
    assert complaint.consent_pdp_at is not None
    assert not Conversation.objects.exists()
    # The code and PIN went back as the reply only: no second copy through Twilio.
    assert fake_twilio.sent == [] and not Message.objects.exists()
    # The complainant can check the status with what they received.
    assert "status Diterima" in phone.reply(f"CEK {code} {pin}")


def test_an_anonymous_report_over_whatsapp_asks_no_name(whatsapp):
    for answer in ("LAPOR", "2", "Lembaga Pemasyarakatan Kelas I Cipinang", "DKI Jakarta"):
        whatsapp.reply(answer)
    whatsapp.reply("Tahanan di blok C dipukuli petugas setiap malam.")
    whatsapp.reply("YA")
    whatsapp.reply("2")
    confirm = whatsapp.reply("3")
    assert "Nama lengkap" not in confirm and "Ringkasan: pelanggaran HAM" in confirm and "anonim" in confirm
    assert "anonim; mendesak." in confirm
    code_and_pin(whatsapp.reply("YA"))
    complaint = Complaint.objects.get()
    assert (complaint.channel, complaint.kind, complaint.confidentiality) == ("whatsapp", "ham", "anonim")
    assert complaint.agency is None and complaint.agency_name == "Lembaga Pemasyarakatan Kelas I Cipinang"
    assert complaint.province.name == "Daerah Khusus Ibukota Jakarta" and complaint.regency is None
    assert complaint.complained_to_agency_first is False
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        True,
        "complainant",
    )
    # Anonymous: the number is not kept with the complaint.
    assert not hasattr(complaint, "identity") or complaint.identity is None


def test_the_conversation_continues_from_the_database_after_a_restart(phone):
    """A new process has nothing in memory: the row a previous process left is enough."""
    Conversation.objects.create(
        phone=PHONE,
        channel="sms",
        handler=conversations.HANDLER,
        step="confidentiality",
        updated_at=timezone.now() - datetime.timedelta(hours=23),
        data={
            "lang": "id",
            "kind": "maladministrasi",
            "agency": "",
            "agency_name": "Dinas Kependudukan Kota Medan",
            "agency_label": "Dinas Kependudukan Kota Medan",
            "province": "12",
            "regency": "12.71",
            "region_label": "Kota Medan",
            "description": "Akta kelahiran anak saya tidak selesai selama enam bulan.",
            "first": "1",
        },
    )
    assert "Nama lengkap" in phone.reply("1")
    assert "Dinas Kependudukan Kota Medan; Kota Medan; identitas terbuka" in phone.reply("Rudi Hartono")
    code_and_pin(phone.reply("YA"))
    complaint = Complaint.objects.get()
    assert complaint.regency.name == "Kota Medan" and complaint.identity.name == "Rudi Hartono"


def test_each_answer_is_saved_before_the_reply(phone):
    phone.reply("LAPOR")
    phone.reply("1")
    phone.reply("Kelurahan Menteng")
    saved = Conversation.objects.get(phone_index=blind_index(PHONE), channel="sms")
    assert saved.step == "region"
    assert (saved.data["kind"], saved.data["agency_name"]) == ("maladministrasi", "Kelurahan Menteng")


@pytest.mark.parametrize("word", ["BATAL", "batal", "Cancel"])
def test_batal_cancels_at_any_step(phone, word):
    phone.reply("LAPOR")
    phone.reply("1")
    assert phone.reply(word) == "Pengaduan dibatalkan. Kirim LAPOR untuk mulai lagi."
    assert not Conversation.objects.exists() and not Complaint.objects.exists()
    assert "tidak dikenali" in phone.reply("Kelurahan Menteng")


def test_a_silent_day_ends_the_conversation(phone):
    phone.reply("LAPOR")
    phone.reply("1")
    Conversation.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=24, minutes=5))
    assert "sudah berakhir karena tidak ada jawaban selama 24 jam" in phone.reply("Kelurahan Menteng")
    assert not Conversation.objects.exists()
    assert "tidak dikenali" in phone.reply("Kota Bandung")
    # LAPOR starts afresh.
    assert "Jenis pengaduan" in phone.reply("LAPOR")
    assert Conversation.objects.get().step == "kind"


def test_lapor_again_after_a_timeout_starts_a_new_conversation(phone):
    phone.reply("LAPOR")
    phone.reply("2")
    Conversation.objects.update(updated_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    assert "Jenis pengaduan" in phone.reply("LAPOR")
    assert Conversation.objects.get().data == {"lang": "id"}


def test_a_complainant_with_an_english_case_is_asked_in_english(phone, fake_twilio):
    from complaints.intake.services import complaint_submit
    from tests.complaints.intake_data import valid

    complaint_submit(channel="web", data=valid(), language="en")
    assert "What kind?" in phone.reply("LAPOR")
    assert "Which agency" in phone.reply("1")


def test_the_same_phone_has_separate_conversations_per_channel(phone, whatsapp):
    phone.reply("LAPOR")
    whatsapp.reply("LAPOR")
    whatsapp.reply("2")
    assert dict(Conversation.objects.values_list("channel", "step")) == {"sms": "kind", "whatsapp": "agency"}


@pytest.mark.parametrize(
    ("answer", "province", "regency"),
    [
        ("Kota Bandung", "32", "32.73"),
        ("kab. bogor", "32", "32.01"),
        ("KAB BOGOR", "32", "32.01"),
        ("Sleman", "34", "34.04"),
        ("Aceh", "11", ""),
        ("jawa barat", "32", ""),
        ("NTB", "52", ""),
        ("Jakarta", "31", ""),
        ("Jakarta Selatan", "31", "31.74"),
    ],
)
def test_regions_are_matched_most_specific_first(answer, province, regency):
    assert conversations._match_region(answer) == (province, regency, None)


@pytest.mark.parametrize(
    ("answer", "candidates"),
    [
        ("Bogor", ["Kabupaten Bogor", "Kota Bogor"]),
        ("Atlantis", []),
        ("", []),
        ("a", []),
    ],
)
def test_ambiguous_or_unknown_regions_are_asked_again(answer, candidates):
    assert conversations._match_region(answer) == (None, None, candidates)


@pytest.mark.django_db(transaction=True)
def test_a_server_restart_in_the_middle_of_lapor_loses_nothing(postgres, fake_twilio, tmp_path):
    """Half the conversation with one server process, the rest with a new one."""
    import urllib.parse
    import urllib.request

    from tests.asgi_server import asgi_server

    phone = Phone(None, fake_twilio.auth_token, number="+6285799990000")
    # Twilio signs against the https public URL; the test server itself is plain http on loopback.
    env = {**fake_twilio.environment(), "SIGAP_PUBLIC_URL": PUBLIC_URL, "SIGAP_HTTPS": "false"}

    def say(base_url: str, body: str) -> str:
        params = phone.params(body)
        request = urllib.request.Request(  # noqa: S310 - loopback test server
            base_url + "/webhooks/twilio/inbound/",
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": phone.sign(params)},
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            assert response.headers["Content-Type"].startswith("text/xml")
            return response.read().decode()

    with asgi_server(redis_url=None, log_path=tmp_path / "first.log", extra_env=env) as first:
        assert "Jenis pengaduan" in say(first, "LAPOR")
        assert "Instansi" in say(first, "1")
        assert "kabupaten/kota" in say(first, "Kelurahan Menteng")
    with asgi_server(redis_url=None, log_path=tmp_path / "second.log", extra_env=env) as second:
        assert "Ceritakan" in say(second, "Jakarta Pusat")
        assert "Mendesak?" in say(second, "Pembuatan KTP saya ditunda empat bulan tanpa alasan.")
        assert "Sudah mengadu" in say(second, "TIDAK")
        assert "Identitas Anda" in say(second, "1")
        assert "Nama lengkap" in say(second, "1")
        assert "YA" in say(second, "Budi Santoso")
        code_and_pin(say(second, "YA"))
    complaint = Complaint.objects.get()
    assert complaint.agency_name == "Kelurahan Menteng" and complaint.regency.name.endswith("Jakarta Pusat")
    assert complaint.identity.phone == "+6285799990000"


# --- an anonymous report leaves nothing that links it to the number --------------------------------
NATIONAL = PHONE.removeprefix("+62")  # 81234567890: inside +6281234567890, 6281234567890, 081234567890
ANONYMOUS_REPORT = [
    "LAPOR",
    "2",
    "Lembaga Pemasyarakatan Kelas I Cipinang",
    "DKI Jakarta",
    "Tahanan di blok C dipukuli petugas setiap malam.",
    "YA",
    "2",
    "3",
]


def text_columns():
    """Every CharField, TextField and JSONField of every model (encrypted columns read decrypted)."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for column in model._meta.concrete_fields:
            if isinstance(column, (models.CharField, models.TextField, models.JSONField)):
                yield model, column


def places_holding(*needles: str) -> set[str]:
    """model.field of every value in the database that holds one of the needles, written as it is
    or with its separators left out (0812-3456-7890)."""
    found = set()
    for model, column in text_columns():
        for value in model._base_manager.values_list(column.attname, flat=True):
            if value in (None, "", [], {}):
                continue
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            digits = re.sub(r"\D", "", text)
            if any(needle in text or (needle.isdigit() and needle in digits) for needle in needles):
                found.add(f"{model._meta.label}.{column.name}")
    return found


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_an_anonymous_report_leaves_nothing_that_links_it_to_the_number(
    client, twilio_webhook, settings, django_capture_on_commit_callbacks, channel
):
    texter = Phone(client, twilio_webhook.auth_token, channel=channel)
    for answer in ANONYMOUS_REPORT:
        texter.reply(answer)
    # While the conversation lasts, the number is kept with it (and the search finds it).
    assert places_holding(NATIONAL) == {
        "notifications.InboundMessage.phone",
        "notifications.Conversation.phone",
        "notifications.Contact.phone",
    }
    final = "SM" + "f" * 32
    with django_capture_on_commit_callbacks(execute=True):
        done = texter.reply("YA", sid=final)
    code, pin = code_and_pin(done)
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and complaint.channel == channel
    # Anonymous: no identity, no updates, so nothing needs the number.
    assert complaint.notify_channel == "none" and not Identity.objects.exists()
    assert places_holding(PHONE, "0" + NATIONAL, NATIONAL) == set()
    assert not Message.objects.exists() and not Conversation.objects.exists()
    # Every message of the conversation is still recorded by its MessageSid, without the number or
    # what it said: a webhook Twilio retries gets the first answer again and files nothing twice.
    assert InboundMessage.objects.count() == len(ANONYMOUS_REPORT) + 1
    assert set(InboundMessage.objects.values_list("phone", "body")) == {("", "")}
    assert texter.reply("YA", sid=final) == done
    assert Complaint.objects.count() == 1
    assert places_holding(NATIONAL) == set()
    # The stored answer holds the PIN only until SIGAP_INBOUND_REPLY_HOURS (the hourly retention job).
    assert places_holding(f"PIN {pin}") == {"notifications.InboundMessage.reply"}
    later = timezone.now() + datetime.timedelta(hours=settings.SIGAP_INBOUND_REPLY_HOURS, minutes=1)
    inbound_replies_forget(older_than=datetime.timedelta(hours=settings.SIGAP_INBOUND_REPLY_HOURS), now=later)
    assert places_holding(pin, code) == set()
    # The complainant still has what they need.
    assert complaint_for_tracking(code=code, pin=pin, client_key="test") == complaint


def test_earlier_messages_of_the_number_are_unlinked_too(phone, whatsapp):
    """An abandoned first attempt (on either channel) would carry the same story beside the number."""
    phone.reply("BANTUAN")
    for answer in ANONYMOUS_REPORT[:5]:
        whatsapp.reply(answer)
    whatsapp.reply("BATAL")
    for answer in ANONYMOUS_REPORT:
        phone.reply(answer)
    code_and_pin(phone.reply("YA"))
    assert places_holding(NATIONAL) == set()
    assert not InboundMessage.objects.filter(body__contains="dipukuli").exists()


def test_checking_an_anonymous_report_by_sms_leaves_no_link_either(phone):
    for answer in ANONYMOUS_REPORT:
        phone.reply(answer)
    code, pin = code_and_pin(phone.reply("YA"))
    assert "status Diterima" in phone.reply(f"CEK {code} {pin}")
    assert places_holding(NATIONAL) == set()
    # A retried CEK gets its answer again.
    assert sum("status Diterima" in m.reply for m in InboundMessage.objects.all()) == 1


def test_a_report_that_is_not_anonymous_keeps_the_number_for_its_updates(phone):
    for answer in [*ANONYMOUS_REPORT[:-1], "2", "Siti Aminah"]:
        phone.reply(answer)
    code_and_pin(phone.reply("YA"))
    complaint = Complaint.objects.get()
    assert complaint.notify_channel == "sms" and complaint.identity.phone == PHONE
    # Where complaints/messaging.py reads the recipient (Identity.phone), and the transport log.
    assert {"complaints.Identity.phone", "notifications.InboundMessage.phone"} <= places_holding(NATIONAL)
