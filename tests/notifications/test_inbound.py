"""The inbound webhook itself: signatures, TwiML, the generic keywords, once per MessageSid,
conversations kept in the database."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from notifications import inbound
from notifications.models import Contact, Conversation, InboundMessage, OptOut
from notifications.personal import blind_index
from tests.notifications.inbound_phone import PHONE, Phone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]


@pytest.mark.parametrize("signature", ["", "d3Jvbmc="], ids=["missing", "wrong"])
def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(phone, signature):
    response = phone.send("BERHENTI", signature=signature)
    assert response.status_code == 403
    assert not OptOut.objects.exists() and not InboundMessage.objects.exists()
    assert not Contact.objects.exists()


def test_a_signature_over_other_parameters_is_refused(phone, client):
    params = phone.params("MULAI")
    signature = phone.sign(params)
    params["Body"] = "BERHENTI"  # changed on the way
    response = client.post("/webhooks/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    assert not OptOut.objects.exists()


def test_a_signature_made_with_another_token_is_refused(client):
    assert Phone(client, "another-token").send("BERHENTI").status_code == 403
    assert not OptOut.objects.exists()


def test_a_signed_request_without_a_message_sid_is_refused(phone, client):
    params = phone.params("BERHENTI")
    del params["MessageSid"]
    response = client.post("/webhooks/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=phone.sign(params))
    assert response.status_code == 400 and not OptOut.objects.exists()


def test_a_signed_message_is_answered_with_twiml(phone):
    response = phone.send("BANTUAN")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.decode().startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')


@pytest.mark.parametrize(
    ("stop", "start", "stopped", "again", "started"),
    [
        (
            "BERHENTI",
            "MULAI",
            "tidak akan menerima pesan Sigap",
            "sudah berhenti berlangganan",
            "diaktifkan kembali",
        ),
        (
            "  berhenti ",
            "Mulai",
            "tidak akan menerima pesan Sigap",
            "sudah berhenti berlangganan",
            "diaktifkan kembali",
        ),
        ("stop", "Start", "no more Sigap messages", "already stopped", "on again"),
        ("STOP", "START", "no more Sigap messages", "already stopped", "on again"),
    ],
)
def test_stop_and_start_in_either_language_and_any_case(phone, stop, start, stopped, again, started):
    assert stopped in phone.reply(stop)
    assert OptOut.objects.filter(phone_index=blind_index(PHONE), channel="sms").exists()
    # A second one is told the number already stopped, in the same language (not silence).
    assert again in phone.reply(stop)
    assert OptOut.objects.count() == 1
    assert started in phone.reply(start)
    assert not OptOut.objects.exists()


@pytest.mark.parametrize(
    ("language", "word", "expected"),
    [
        ("id", "STOP", "tidak akan menerima pesan Sigap"),
        ("en", "BERHENTI", "no more Sigap messages"),
        ("id", "HELP", "CEK <kode> <PIN>"),
        ("en", "BANTUAN", "STATUS <code> <PIN>"),
    ],
)
def test_a_known_language_wins_over_the_keywords(phone, language, word, expected):
    """An Indonesian who texts STOP (a word Indonesians use too) is answered in Indonesian."""

    def language_of_this_phone(number):
        return language if number == PHONE else None

    inbound.register_language_resolver(language_of_this_phone)
    try:
        assert expected in phone.reply(word)
    finally:
        inbound._language_resolvers.remove(language_of_this_phone)


def test_help_lists_every_keyword_in_two_segments_at_most(phone):
    from notifications.texts import segments

    indonesian, english = phone.reply("BANTUAN"), phone.reply("HELP")
    for word in ("LAPOR", "CEK", "JAWAB", "KEBERATAN", "CABUT", "PIN", "BATAL", "BERHENTI", "MULAI"):
        assert word in indonesian, word
    for word in ("REPORT", "STATUS", "ANSWER", "OBJECT", "WITHDRAW", "FORGOT", "CANCEL", "STOP", "START"):
        assert word in english, word
    assert segments(indonesian) <= 2 and segments(english) <= 2


def test_stop_opts_out_only_the_channel_it_came_on(phone, whatsapp):
    whatsapp.reply("BERHENTI")
    assert list(OptOut.objects.values_list("phone", "channel")) == [(PHONE, "whatsapp")]
    phone.reply("BERHENTI")
    assert OptOut.objects.count() == 2
    whatsapp.reply("MULAI")
    assert list(OptOut.objects.values_list("channel", flat=True)) == ["sms"]


def test_a_keyword_inside_a_sentence_is_not_a_command(phone):
    assert "tidak dikenali" in phone.reply("tolong jangan stop layanan air kami")
    assert not OptOut.objects.exists()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("bantuan", "CEK <kode> <PIN>"),
        ("Bantuan", "LAPOR"),
        ("HELP", "STATUS <code> <PIN>"),
        ("help", "STOP"),
    ],
)
def test_help_lists_the_keywords(phone, word, expected):
    assert expected in phone.reply(word)


def test_an_unknown_message_points_to_help(phone):
    assert phone.reply("halo") == "Maaf, pesan tidak dikenali. Ketik BANTUAN untuk daftar perintah."


def test_the_same_webhook_twice_is_handled_once(phone):
    sid = "SM" + "7" * 32
    first = phone.reply("BERHENTI", sid=sid)
    # Twilio retried: the same answer again, not "already stopped" silence, and one record.
    assert phone.reply("BERHENTI", sid=sid) == first != ""
    assert InboundMessage.objects.filter(sid=sid).count() == 1


def test_the_message_is_recorded_with_its_channel_and_media(whatsapp, fake_twilio):
    url = fake_twilio.add_media("ME9", b"x", "image/jpeg")
    whatsapp.reply("foto", media=[(url, "image/jpeg")], sid="SM" + "1" * 32)
    record = InboundMessage.objects.get()
    assert (record.sid, record.phone, record.channel, record.body) == (
        "SM" + "1" * 32,
        PHONE,
        "whatsapp",
        "foto",
    )
    assert record.media == [{"url": url, "content_type": "image/jpeg"}]
    # The WhatsApp 24-hour window opens with the person's message.
    assert Contact.objects.get(
        phone_index=blind_index(PHONE), channel="whatsapp"
    ).last_inbound_at > timezone.now() - datetime.timedelta(minutes=1)


def test_parse_reads_channel_number_and_media_from_twilio_parameters():
    request = RequestFactory().post(
        "/",
        {
            "MessageSid": "SM1",
            "From": "whatsapp:+62 812-3456-7890",
            "To": "whatsapp:+14155238886",
            "Body": "  halo ",
            "NumMedia": "2",
            "MediaUrl0": "https://api.twilio.com/m/0",
            "MediaContentType0": "image/png",
            "MediaUrl1": "https://api.twilio.com/m/1",
            "MediaContentType1": "application/pdf",
        },
    )
    parsed = inbound.parse_twilio(request.POST)
    assert (parsed.sid, parsed.phone, parsed.to, parsed.channel, parsed.body) == (
        "SM1",
        PHONE,
        "+14155238886",
        "whatsapp",
        "halo",
    )
    assert [m["content_type"] for m in parsed.media] == ["image/png", "application/pdf"]
    assert inbound.parse_twilio(RequestFactory().post("/", {"From": "+6281234567890"}).POST).channel == "sms"


def test_a_registered_language_makes_the_keywords_answer_in_english(phone):
    def english_for_this_phone(number):
        return "en" if number == PHONE else None

    inbound.register_language_resolver(english_for_this_phone)
    try:
        assert "no more Sigap messages" in phone.reply("BERHENTI")
    finally:
        inbound._language_resolvers.remove(english_for_this_phone)


def test_a_conversation_lives_in_the_database_and_ends_after_a_silent_day():
    started = inbound.conversation_start(PHONE, "sms", handler="demo", step="one", data={"a": 1})
    # Another process (a restart) finds it where it was.
    found = inbound.conversation_for(PHONE, "sms")
    assert (found.pk, found.handler, found.step, found.data, found.expired) == (
        started.pk,
        "demo",
        "one",
        {"a": 1},
        False,
    )
    inbound.conversation_save(found, step="two", data={"a": 2})
    assert Conversation.objects.get().step == "two"
    assert inbound.conversation_for(PHONE, "whatsapp") is None  # one per channel

    Conversation.objects.update(updated_at=timezone.now() - datetime.timedelta(hours=24, minutes=1))
    ended = inbound.conversation_for(PHONE, "sms")
    assert ended.expired and not Conversation.objects.exists()
    assert inbound.conversation_for(PHONE, "sms") is None


def test_conversations_long_past_their_timeout_are_purged_by_a_periodic_job_not_by_messages(phone):
    inbound.conversation_start("+628111111111", "sms", handler="demo", step="one")
    inbound.conversation_start("+628222222222", "sms", handler="demo", step="one")
    Conversation.objects.filter(phone_index=blind_index("+628111111111")).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    phone.reply("BANTUAN")  # answering a message sweeps nothing (the domain's retention job does)
    assert Conversation.objects.count() == 2
    assert inbound.conversations_purge_expired() == 1
    assert list(Conversation.objects.values_list("phone", flat=True)) == ["+628222222222"]


@pytest.fixture
def forgetting_handler():
    """A domain handler that asks for its sender to be forgotten (as an anonymous report does), and
    fails on request after asking."""

    def forget(message):
        if message.keyword != "LUPAKAN":
            return None
        inbound.forget_sender(message)
        if "GAGAL" in message.words:
            raise RuntimeError("the handler failed after asking")
        return "Nomor Anda sudah dilupakan."

    inbound.register_handler(forget)
    yield forget
    inbound._handlers.remove(forget)


def test_a_forgotten_sender_leaves_no_number_and_retries_still_get_their_answer(
    phone, whatsapp, fake_twilio, forgetting_handler
):
    other = Phone(phone.client, phone.token, number="+6281311112222")
    other.reply("BANTUAN")
    url = fake_twilio.add_media("ME9", b"x", "image/jpeg")
    whatsapp.reply("foto", media=[(url, "image/jpeg")])
    phone.reply("BERHENTI")
    inbound.conversation_start(PHONE, "whatsapp", handler="demo", step="one")
    sid = "SM" + "4" * 32
    assert phone.reply("LUPAKAN saya", sid=sid) == "Nomor Anda sudah dilupakan."

    mine = InboundMessage.objects.exclude(phone_index=blind_index("+6281311112222"))
    assert mine.count() == 3
    assert set(mine.values_list("phone", "body")) == {("", "")}
    assert all(media == [] for media in mine.values_list("media", flat=True))
    # The answers stay (blanked later with every other: inbound_replies_forget), so a retried
    # webhook is recognised and answered as the first time.
    assert phone.reply("LUPAKAN saya", sid=sid) == "Nomor Anda sudah dilupakan."
    assert InboundMessage.objects.filter(sid=sid).count() == 1
    assert not Contact.objects.filter(phone_index=blind_index(PHONE)).exists()
    # Others are untouched; the person's opt-out and their conversation elsewhere stay.
    assert InboundMessage.objects.get(phone_index=blind_index("+6281311112222")).body == "BANTUAN"
    assert Contact.objects.filter(phone_index=blind_index("+6281311112222")).exists()
    assert OptOut.objects.filter(phone_index=blind_index(PHONE), channel="sms").exists()
    assert Conversation.objects.filter(phone_index=blind_index(PHONE), channel="whatsapp").exists()


def test_a_sender_is_forgotten_only_with_the_handlers_work(phone, forgetting_handler):
    """Same transaction: a handler that fails after asking leaves everything as it was."""
    phone.reply("BANTUAN")
    message = inbound.parse_twilio(phone.params("LUPAKAN GAGAL"))
    with pytest.raises(RuntimeError):
        inbound.handle(message)
    assert list(InboundMessage.objects.values_list("phone", "body")) == [(PHONE, "BANTUAN")]
    assert Contact.objects.filter(phone_index=blind_index(PHONE)).exists()
