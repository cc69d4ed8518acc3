"""LAPOR asks whether it is urgent (docs/domain.md#urgency): one short question after the account,
YA/TIDAK (YES/NO in English), one SMS segment; what Sigap suggests from the account counts too."""

import re

import pytest
from django.utils import translation

from complaints.models import Complaint
from complaints.sms import conversations
from notifications import texts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]


def code_and_pin(answer: str) -> tuple[str, str]:
    found = re.search(r"(?:Kode lacak|Tracking code) (\w{4}-\w{4}), PIN (\d{6})", answer)
    assert found, answer
    return found.group(1), found.group(2)


def up_to_the_account(phone, account: str) -> str:
    for answer in ("LAPOR", "1", "Kelurahan Menteng", "Jakarta Pusat"):
        phone.reply(answer)
    return phone.reply(account)


def file_after(phone, answer: str, *, name: str = "Siti Aminah") -> str:
    """Answer the urgent question, then the rest as an open complaint; the confirmation's text."""
    assert "Sudah mengadu" in phone.reply(answer)
    assert "Identitas Anda" in phone.reply("1")
    assert "Nama lengkap" in phone.reply("1")
    confirm = phone.reply(name)
    code_and_pin(phone.reply("YA"))
    return confirm


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_question_fits_one_sms_segment(language):
    question = conversations.say("urgent", language)
    assert texts.segments(question) == 1 and len(question) <= 160, (len(question), question)
    with translation.override(language):
        assert ("YA atau TIDAK" if language == "id" else "YES or NO") in question


def test_it_is_asked_right_after_the_account_and_ya_makes_the_case_urgent(phone):
    question = up_to_the_account(phone, "Petugas kelurahan menolak mengurus surat keterangan saya.")
    assert question.startswith("Mendesak? Ada bahaya bagi nyawa")
    confirm = file_after(phone, "ya")
    assert "identitas terbuka; mendesak." in confirm  # the summary the YA agrees to says so
    complaint = Complaint.objects.get()
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        True,
        "complainant",
    )


def test_tidak_with_an_account_that_suggests_it_is_urgent_as_suggested(phone):
    up_to_the_account(phone, "Adik saya ditahan di polsek dan dipukuli, tidak diberi makan.")
    confirm = file_after(phone, "TIDAK")
    assert "mendesak" not in confirm
    complaint = Complaint.objects.get()
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        False,
        "suggested",
    )
    assert [r["code"] for r in complaint.urgency_reasons] == [
        "words:violence",
        "words:detention",
        "words:deprivation",
    ]


def test_tidak_tahu_files_it_as_not_said(phone):
    up_to_the_account(phone, "Petugas kelurahan menolak mengurus surat keterangan saya.")
    file_after(phone, "tidak  tahu")
    complaint = Complaint.objects.get()
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (False, None, "")


def test_an_answer_it_does_not_know_is_asked_again(phone):
    up_to_the_account(phone, "Petugas kelurahan menolak mengurus surat keterangan saya.")
    again = phone.reply("mungkin")
    assert again.startswith("Maaf, jawaban tidak dikenali. Mendesak?")
    assert "Sudah mengadu" in phone.reply("Y")


def test_in_english_yes_and_no(phone, fake_twilio):
    from complaints.intake.services import complaint_submit
    from tests.complaints.intake_data import valid

    complaint_submit(channel="web", data=valid(), language="en")
    for answer in ("LAPOR", "1", "Kelurahan Menteng", "Jakarta Pusat"):
        phone.reply(answer)
    question = phone.reply("The village office refuses to process my certificate.")
    assert question.startswith("Urgent? Is someone's life") and question.endswith("Reply YES or NO.")
    phone.reply("YES")
    phone.reply("1")
    phone.reply("1")
    confirm = phone.reply("Siti Aminah")
    assert "; urgent." in confirm
    code_and_pin(phone.reply("YES"))
    assert Complaint.objects.order_by("-id").first().urgency_claimed is True
