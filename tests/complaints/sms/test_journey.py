"""A complainant's whole journey by SMS or WhatsApp alone (docs/domain.md#sms-and-whatsapp), against
the signed webhook and the fake Twilio server: file, read what the officer asks, answer it, read
the outcome, object, read the final outcome; withdraw; check with the deadline and what comes
next. Officers' steps are the real transitions (tests/complaints/lifecycle.py)."""

import re

import pytest
from django.utils import timezone

from complaints import messaging
from complaints.codes import display_code
from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, Evidence, State
from complaints.public.tracking import MAX_FAILURES_PER_PAIR
from complaints.sms import handlers
from complaints.workspace.services import thread_post
from notifications import outbox, texts
from notifications.models import InboundMessage, Message
from notifications.personal import blind_index
from tests.complaints.intake_data import JPEG, PDF, valid
from tests.complaints.lifecycle import step
from tests.complaints.sms.test_lapor import NATIONAL, places_holding
from tests.notifications.inbound_phone import PHONE, PUBLIC_URL, Phone
from workflow.engine import Actor, history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]

STORY = "Kartu BPJS saya ditolak di puskesmas tiga kali tanpa alasan yang jelas."
# The questions of the LAPOR conversation, by a phrase each one has, and the answer to give.
QUESTIONS = {
    "Jenis pengaduan": "kind",
    "Instansi apa": "agency",
    "kabupaten/kota atau provinsi": "region",
    "Ceritakan apa yang terjadi": "description",
    "Mendesak?": "urgent",
    "Sudah mengadu": "first",
    "Identitas Anda": "confidentiality",
    "Nama lengkap": "name",
    "YA untuk setuju": "confirm",
}


def lapor(texter, *, confidentiality: str, name: str = "") -> tuple[str, str]:
    """File by the LAPOR conversation, answering whichever question comes; (code, PIN)."""
    answers = {
        "kind": "1",
        "agency": "BPJS Kesehatan",
        "region": "jaksel",
        "description": STORY,
        "urgent": "TIDAK",
        "first": "1",
        "confidentiality": confidentiality,
        "name": name,
        "confirm": "YA",
    }
    reply = texter.reply("LAPOR")
    for _ in range(len(QUESTIONS) + 1):
        found = re.search(r"Kode lacak (\w{4}-\w{4}), PIN (\d{6})", reply)
        if found:
            return found.group(1), found.group(2)
        asked = [key for phrase, key in QUESTIONS.items() if phrase in reply]
        assert asked, reply
        reply = texter.reply(answers[asked[-1]])
    raise AssertionError(reply)


def sent_to(fake_twilio, number: str = PHONE) -> list[str]:
    """What went to the complainant through Twilio's REST API (not the TwiML replies)."""
    return [r.form.get("Body", "") for r in fake_twilio.sent if r.form.get("To", "").endswith(number)]


def due(complaint) -> str:
    return timezone.localtime(complaint.due_at).strftime("%d-%m-%Y")


# --- the whole journey ------------------------------------------------------------------------------
def test_an_anonymous_reporter_goes_the_whole_way_by_sms_with_the_code_and_pin(
    phone, fake_twilio, administrator, django_capture_on_commit_callbacks
):
    officer = Actor.officer(administrator)
    code, pin = lapor(phone, confidentiality="3")
    complaint = Complaint.objects.get()
    assert complaint.is_anonymous and complaint.regency.name == "Kota Administrasi Jakarta Selatan"

    # The desk asks for something: an anonymous reporter gets no message, and reads it with CEK.
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", officer)
        step(complaint, "request_info", officer, message="Sebutkan tanggal kejadian dan nama puskesmasnya.")
    assert not Message.objects.exists() and fake_twilio.sent == []
    check = phone.reply(f"CEK {code} {pin}")
    assert f"status Menunggu kelengkapan, tenggat {due(complaint)}." in check
    assert f"JAWAB {code} <PIN> <isi>" in check
    assert "Yang diminta petugas: Sebutkan tanggal kejadian dan nama puskesmasnya." in check

    # The answer, with the code and PIN: the case goes back to the desk.
    answer = phone.reply(f"JAWAB {code} {pin} Tanggal 3 Maret, Puskesmas Tebet.")
    assert answer == f"Sigap {code}: informasi Anda sudah kami terima dan diteruskan ke petugas."
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    said = complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT)
    assert (said.body, said.channel) == ("Tanggal 3 Maret, Puskesmas Tebet.", "sms")
    assert history(complaint).last().via == "sms"

    # Taken up on the institution's own motion, examined, resolved: CEK gives the outcome.
    for name in ("take_up_own_motion", "accept_referral", "resolve"):
        step(complaint, name, officer)
    check = phone.reply(f"cek {code.lower()} {pin}")
    assert f"status Selesai, tenggat {due(complaint)}." in check
    assert f"Tidak setuju? Kirim KEBERATAN {code} <PIN> <alasan> sebelum tenggat." in check
    assert "Hasil: Diselesaikan instansi setelah klarifikasi. Instansi memperbaiki layanan." in check

    # The objection, inside its window: examined again.
    objected = phone.reply(f"KEBERATAN {code} {pin} Layanan di puskesmas itu belum berubah.")
    complaint.refresh_from_db()
    assert complaint.state == State.EXAMINATION
    assert (
        objected
        == f"Sigap {code}: keberatan Anda diterima; pengaduan diperiksa kembali, tenggat {due(complaint)}."
    )
    assert history(complaint).last().transition == "object"

    # The final outcome.
    step(complaint, "resolve", officer, public_summary="Kepala puskesmas ditegur; kartu BPJS dilayani.")
    final = phone.reply(f"CEK {code} {pin}")
    assert "status Selesai" in final and "Kepala puskesmas ditegur; kartu BPJS dilayani." in final
    assert texts.segments(final) <= messaging.WORDS_MAX_SEGMENTS

    # Nothing ties the number to the case, and no PIN was kept with the messages.
    assert places_holding(NATIONAL) == set()
    assert not InboundMessage.objects.filter(body__contains=pin).exists()
    assert not Message.objects.exists() and fake_twilio.sent == []


def test_a_complainant_goes_the_whole_way_by_whatsapp_with_media_from_their_phone(
    whatsapp, fake_twilio, administrator, texted, django_capture_on_commit_callbacks
):
    officer = Actor.officer(administrator)
    code, pin = lapor(whatsapp, confidentiality="2", name="Siti Aminah")
    complaint = Complaint.objects.get()
    assert (complaint.notify_channel, complaint.confidentiality) == ("whatsapp", "rahasia")

    # The request arrives with the officer's words (inside WhatsApp's 24-hour window: free text).
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", officer)
        step(complaint, "request_info", officer, message="Kirim foto kartu BPJS dan surat dari puskesmas.")
    [request] = sent_to(fake_twilio)
    assert request.startswith(f"Sigap {code}: Menunggu kelengkapan. Petugas meminta: Kirim foto kartu BPJS")
    assert f"sebelum {due(complaint)}" in request

    # A plain reply with a photo, from the phone the case was filed with: no code or PIN needed.
    photo = fake_twilio.add_media("MEJ1", JPEG, "image/jpeg")
    answer = texted(whatsapp, "Ini kartu saya.", media=[(photo, "image/jpeg")])
    assert "Lampiran sedang diproses" in answer
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert Evidence.objects.get(complaint=complaint).channel == "whatsapp"

    # Referred, examined; an officer writes: the words arrive, and CEK shows them until answered.
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("verify_formal", "refer", "accept_referral"):
            step(complaint, name, officer)
        thread_post(
            officer=administrator,
            complaint=complaint,
            body="Apakah Anda bersedia dihubungi lewat telepon?",
            internal=False,
        )
    assert sent_to(fake_twilio)[-1] == (
        f"Sigap {code}: pesan dari petugas: Apakah Anda bersedia dihubungi lewat telepon? "
        f"Info: {PUBLIC_URL}/lacak/"
    )
    assert "Pesan petugas: Apakah Anda bersedia dihubungi lewat telepon?" in whatsapp.reply("CEK")

    # Resolved: the outcome by CEK; the objection from the phone, with a document.
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "resolve", officer)
    assert "pemeriksaan selesai" in sent_to(fake_twilio)[-1]
    assert "Instansi memperbaiki layanan." in whatsapp.reply(f"CEK {code}")
    before = len(fake_twilio.sent)
    letter = fake_twilio.add_media("MEJ2", PDF, "application/pdf")
    objected = texted(whatsapp, "KEBERATAN Kartu saya masih ditolak.", media=[(letter, "application/pdf")])
    complaint.refresh_from_db()
    assert complaint.state == State.EXAMINATION
    assert objected.startswith(f"Sigap {code}: keberatan Anda diterima")
    # Confirmed by the reply: the step's own message to the same phone is not sent twice.
    assert len(fake_twilio.sent) == before and not Message.objects.filter(template_key="objection").exists()
    assert Evidence.objects.filter(complaint=complaint).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "resolve", officer, public_summary="Puskesmas melayani kartu BPJS Anda sejak 1 Mei.")
    assert "pemeriksaan selesai" in sent_to(fake_twilio)[-1]
    assert "Puskesmas melayani kartu BPJS Anda sejak 1 Mei." in whatsapp.reply("CEK")
    # The identity never went out in a message.
    assert not any("Siti" in body or "Aminah" in body for body in sent_to(fake_twilio))


# --- answering, objecting, withdrawing --------------------------------------------------------------
@pytest.fixture
def filed():
    """A complaint filed on the web from PHONE, with SMS updates."""
    return complaint_submit(channel="web", data=valid())


def test_a_request_is_answered_with_the_code_and_pin_from_another_phone(
    client, fake_twilio, filed, administrator
):
    complaint, pin = filed
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "request_info", officer)
    borrowed = Phone(client, fake_twilio.auth_token, number="+6285711112222")
    code = display_code(complaint.tracking_code)
    answer = borrowed.reply(f"ANSWER {code} {pin} Here is my ID card number.")
    assert answer == f"Sigap {code}: we received your information and passed it to the officer."
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    # The PIN is not kept with the message; the rest is.
    record = InboundMessage.objects.get(phone_index=blind_index("+6285711112222"))
    assert record.body == f"ANSWER {code} ****** Here is my ID card number."


def test_jawab_from_the_filing_phone_needs_no_pin(phone, filed, administrator):
    complaint, _pin = filed
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "request_info", officer)
    assert "sudah kami terima" in phone.reply("JAWAB Nomor loketnya 4.")
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert complaint.messages.get(kind="from_complainant").body == "Nomor loketnya 4."
    # Nothing waits any more: said so.
    assert "tidak lagi menunggu kelengkapan" in phone.reply("JAWAB lagi")


def test_wrong_pins_on_commands_count_against_the_guessing_limit(client, fake_twilio, filed, administrator):
    complaint, pin = filed
    step(complaint, "start_verification", Actor.officer(administrator))
    guesser = Phone(client, fake_twilio.auth_token, number="+6285722223333")
    code = display_code(complaint.tracking_code)
    wrong = [f"{(int(pin) + n) % 10**6:06d}" for n in range(1, MAX_FAILURES_PER_PAIR + 1)]
    for guess in wrong:
        assert guesser.reply(f"CABUT {code} {guess}") == (
            "Kode lacak atau PIN tidak cocok. Format: CABUT <kode> <PIN> [alasan]"
        )
    assert "Terlalu banyak percobaan" in guesser.reply(f"CABUT {code} {pin}")
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING


def test_an_objection_outside_its_window_or_without_a_reason_is_refused(phone, filed, administrator):
    complaint, pin = filed
    officer = Actor.officer(administrator)
    code = display_code(complaint.tracking_code)
    step(complaint, "start_verification", officer)
    assert "keberatan tidak dapat diajukan (status Verifikasi formal)" in phone.reply(
        f"KEBERATAN {code} {pin} tidak setuju"
    )
    for name in ("verify_formal", "refer", "accept_referral", "resolve"):
        step(complaint, name, officer)
    assert phone.reply(f"KEBERATAN {code} {pin}") == (
        f"Sigap {code}: tuliskan alasannya, misalnya: KEBERATAN {code} <PIN> <alasan>"
    )
    complaint.refresh_from_db()
    assert complaint.state == State.RESOLVED


def test_withdrawing_from_the_phone_asks_for_the_code_as_confirmation(
    phone, filed, fake_twilio, django_capture_on_commit_callbacks
):
    complaint, _pin = filed
    code = display_code(complaint.tracking_code)
    assert phone.reply("CABUT") == (
        f"Sigap {code}: untuk mencabut pengaduan ini, kirim CABUT {code} [alasan]. Pengaduan yang dicabut "
        "tidak diproses lagi."
    )
    complaint.refresh_from_db()
    assert complaint.state == State.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        done = phone.reply(f"cabut {code.lower()} sudah diselesaikan instansi")
    assert done == f"Sigap {code}: pengaduan Anda sudah dicabut dan tidak diproses lagi."
    complaint.refresh_from_db()
    assert complaint.state == State.WITHDRAWN
    assert complaint.messages.get(kind="from_complainant").body == "sudah diselesaikan instansi"
    # The reply was the confirmation: no second text to the same phone.
    assert not Message.objects.filter(template_key="withdrawn").exists() and fake_twilio.sent == []
    assert phone.reply(f"CABUT {code}") == (
        f"Sigap {code}: pengaduan tidak dapat dicabut lagi (status Dicabut)."
    )


def test_an_anonymous_reporter_withdraws_with_the_code_and_pin(phone):
    code, pin = lapor(phone, confidentiality="3")
    assert phone.reply(f"WITHDRAW {code} {pin}") == (
        f"Sigap {code}: your complaint is withdrawn and will not be processed further."
    )
    assert Complaint.objects.get().state == State.WITHDRAWN
    assert places_holding(NATIONAL) == set()


def test_batal_without_a_conversation_points_to_cabut(phone):
    assert phone.reply("BATAL") == (
        "Tidak ada LAPOR yang sedang berjalan. Untuk mencabut pengaduan: CABUT <kode> <PIN>."
    )


# --- CEK: the deadline and what happens next --------------------------------------------------------
def test_cek_from_the_filing_phone_needs_no_pin_and_names_the_case_when_there_are_several(phone, filed):
    complaint, _pin = filed
    code = display_code(complaint.tracking_code)
    assert phone.reply("CEK").startswith(f"Sigap {code}: status Diterima, tenggat {due(complaint)}.")
    other, _ = complaint_submit(channel="web", data=valid())
    several = phone.reply("CEK")
    assert several.startswith("Nomor ini punya beberapa pengaduan:") and code in several
    assert display_code(other.tracking_code) in several
    assert phone.reply(f"CEK {display_code(other.tracking_code)}").startswith(
        f"Sigap {display_code(other.tracking_code)}: status Diterima"
    )


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("english", [False, True])
def test_the_status_and_next_step_fit_two_segments(settings, state, english):
    settings.SIGAP_PUBLIC_URL = "https://pengaduan.ombudsman.go.id/sigap"
    from django.utils import translation

    with translation.override("en" if english else "id"):
        status = str(State(state).label)
        following = str(handlers.NEXT_STEPS[state]).format(code="ABCD-EFGH")
    for key in ("status", "status_ended"):
        head = handlers.text(key, english, code="ABCD-EFGH", status=status, date="31-12-2026", next=following)
        assert texts.segments(head) <= 2, head


def test_a_long_request_is_cut_to_four_segments_with_where_to_read_the_rest(
    phone, filed, administrator, django_capture_on_commit_callbacks
):
    complaint, pin = filed
    officer = Actor.officer(administrator)
    long_request = " ".join(["Mohon kirim salinan dokumen pendukung nomor", "satu"] * 60)
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", officer)
        step(complaint, "request_info", officer, message=long_request)
    sms = Message.objects.get(template_key="request_info").body
    assert texts.segments(sms) <= messaging.WORDS_MAX_SEGMENTS
    assert f"... baca lengkap di {PUBLIC_URL}/lacak/ Balas pesan ini" in sms
    check = phone.reply(f"CEK {complaint.tracking_code} {pin}")
    assert texts.segments(check) <= messaging.WORDS_MAX_SEGMENTS
    assert check.endswith(f"... Rincian: {PUBLIC_URL}/lacak/")


def test_cek_says_why_a_complaint_was_rejected_and_where_to_turn(phone, filed, administrator):
    complaint, pin = filed
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "reject", officer)
    answer = phone.reply(f"CEK {complaint.tracking_code} {pin}")
    assert "status Ditolak. Pengaduan tidak dapat ditindaklanjuti." in answer
    assert "Alasan: " in answer and "Lembaga yang dapat Anda hubungi: Komisi Informasi." in answer
    assert "tenggat" not in answer


def test_a_command_with_a_code_is_answered_in_the_middle_of_lapor(phone, filed):
    complaint, pin = filed
    phone.reply("LAPOR")
    phone.reply("1")
    assert "status Diterima" in phone.reply(f"CEK {complaint.tracking_code} {pin}")
    # The conversation waited where it was.
    assert "kabupaten/kota" in phone.reply("Kelurahan Menteng")


# --- keywords: STOP and BERHENTI, BANTUAN, LAPOR again ---------------------------------------------
@pytest.mark.parametrize(
    ("word", "first", "again"),
    [
        ("BERHENTI", "Anda tidak akan menerima pesan Sigap lagi", "Nomor ini sudah berhenti berlangganan"),
        ("STOP", "You will receive no more Sigap messages", "This number has already stopped"),
    ],
)
def test_stop_twice_is_answered_twice_in_the_keywords_language(phone, word, first, again):
    assert phone.reply(word).startswith(first)
    assert phone.reply(word).startswith(again)


def test_stop_from_a_number_with_an_indonesian_case_is_answered_in_indonesian(phone, filed):
    assert phone.reply("STOP").startswith("Anda tidak akan menerima pesan Sigap lagi")
    assert phone.reply("stop").startswith("Nomor ini sudah berhenti berlangganan")
    assert phone.reply("START") == "Pesan Sigap diaktifkan kembali untuk nomor ini."


def test_bantuan_lists_every_command(phone):
    answer = phone.reply("BANTUAN")
    for command in (
        "LAPOR",
        "CEK <kode> <PIN>",
        "JAWAB",
        "KEBERATAN",
        "CABUT",
        "PIN <kode>",
        "BERHENTI",
        "MULAI",
    ):
        assert command in answer
    assert texts.segments(answer) <= 2


def test_lapor_again_in_the_middle_starts_afresh_and_batal_ends_it(phone):
    from notifications.models import Conversation

    phone.reply("LAPOR")
    phone.reply("1")
    phone.reply("Kelurahan Menteng")
    restarted = phone.reply("lapor")
    assert restarted.startswith("Memulai laporan baru. Sigap LAPOR. Jenis pengaduan?")
    conversation = Conversation.objects.get()
    assert (conversation.step, conversation.data) == ("kind", {"lang": "id"})
    assert "Instansi apa" in phone.reply("1")
    assert phone.reply("BATAL") == "Pengaduan dibatalkan. Kirim LAPOR untuk mulai lagi."
    assert not Conversation.objects.exists()


def test_report_in_english_starts_an_english_conversation(phone):
    assert "What kind?" in phone.reply("REPORT")
    assert phone.reply("report").startswith("Starting a new report.")


# --- updates by email ---------------------------------------------------------------------------------
def test_a_complainant_who_chose_email_gets_each_update_by_email_without_the_pin(
    administrator, mailoutbox, django_capture_on_commit_callbacks
):
    """notify_channel "email" (docs/domain.md#email-updates): the subject is the code and status, the
    officer's words come whole, and the PIN never goes to an inbox."""
    from tests.factories import ComplaintFactory

    complaint = ComplaintFactory(notify_channel="email")
    code = display_code(complaint.tracking_code)
    officer = Actor.officer(administrator)
    long_request = "Mohon kirim salinan surat penolakan dari puskesmas. " * 20
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_message(messaging.received_message(complaint, pin="482913"))
        step(complaint, "start_verification", officer)
        step(complaint, "request_info", officer, message=long_request)
    assert [m.to for m in mailoutbox] == [["warga@example.id"], ["warga@example.id"]]
    received, request = mailoutbox
    assert received.subject == f"Sigap {code}: Diterima"
    assert code in received.body and "482913" not in received.body
    assert request.subject == f"Sigap {code}: Menunggu kelengkapan"
    assert long_request.strip() in request.body and "baca lengkap" not in request.body
    assert f"sebelum {due(complaint)}" in request.body
    assert set(Message.objects.values_list("channel", flat=True)) == {"email"}
    assert not Message.objects.filter(sensitive=True).exists()


def test_no_email_goes_to_a_complainant_who_chose_sms(
    administrator, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import ComplaintFactory

    complaint = ComplaintFactory()  # SMS, with an email address on file
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", Actor.officer(administrator))
        step(complaint, "reject", Actor.officer(administrator))
    assert mailoutbox == [] and list(Message.objects.values_list("channel", flat=True)) == ["sms"]


# --- every step the complainant should know of sends a text ------------------------------------------
# Steps that send nothing, and why: the desk's and the unit's internal steps, the complainant's own
# provide_info (answered in the reply or on the page), own-motion information (nobody is told).
SILENT_STEPS = {
    "start_verification",
    "verify_formal",
    "return_referral",
    "record_clarification",
    "start_investigation",
    "take_up_own_motion",
    "provide_info",
}


def test_every_step_either_sends_a_text_or_is_silent_on_purpose():
    from complaints.machine import TRANSITIONS

    names = {spec.name for spec in TRANSITIONS}
    assert names - SILENT_STEPS == set(messaging.TRANSITION_TEXTS)


def test_an_anonymous_reporter_answers_by_whatsapp_with_a_photo_and_stays_unlinkable(
    whatsapp, fake_twilio, administrator, texted
):
    code, pin = lapor(whatsapp, confidentiality="3")
    complaint = Complaint.objects.get()
    officer = Actor.officer(administrator)
    step(complaint, "start_verification", officer)
    step(complaint, "request_info", officer, message="Kirim foto papan nama puskesmasnya.")
    photo = fake_twilio.add_media("MEA1", JPEG, "image/jpeg")
    answer = texted(whatsapp, f"JAWAB {code} {pin} Ini fotonya.", media=[(photo, "image/jpeg")])
    assert answer == (
        f"Sigap {code}: pesan Anda sudah kami terima dan diteruskan ke petugas. Lampiran sedang diproses."
    )
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert Evidence.objects.get(complaint=complaint).channel == "whatsapp"
    assert places_holding(NATIONAL) == set()


def test_words_are_cut_at_a_word_to_the_budget():
    words = "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh " * 30

    def build(message: str) -> str:
        return f"Sigap ABCD-EFGH: {message} Balas pesan ini."

    cut = texts.fit(build, words.strip(), suffix=" ... baca lengkap", max_segments=2)
    assert texts.segments(cut) <= 2 and cut.endswith("... baca lengkap Balas pesan ini.")
    assert cut.split(" ... ")[0].split()[-1] in words.split()
    assert (
        texts.fit(build, "pendek", suffix=" ...", max_segments=2)
        == "Sigap ABCD-EFGH: pendek Balas pesan ini."
    )
    assert len(texts.fit(build, words, suffix=" ...", max_chars=100)) <= 100
