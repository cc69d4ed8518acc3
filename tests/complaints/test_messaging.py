"""What the complainant hears at each step: short, in their language, code and status only."""

import pytest

from complaints.messaging import TEXTS
from complaints.models import State
from notifications.models import Message, Status
from tests.complaints.lifecycle import complaint_in, step
from tests.factories import ComplaintFactory
from workflow.engine import Actor

pytestmark = pytest.mark.django_db


def texts_for(complaint):
    return list(
        Message.objects.filter(reference=f"complaint:{complaint.pk}").values_list(
            "template_key", "body", "channel"
        )
    )


def test_each_step_the_complainant_should_hear_about_writes_one_message(administrator, ombudsman_officer):
    complaint = complaint_in(State.SUBMITTED, admin=administrator, notify_channel="whatsapp")
    officer = Actor.officer(administrator)
    for name in ("start_verification", "request_info"):
        step(complaint, name, officer)
    step(complaint, "provide_info", Actor.complainant())
    for name in ("refer", "accept_referral", "resolve", "close"):
        step(complaint, name, officer)
    keys = [key for key, _, _ in texts_for(complaint)]
    assert keys == ["request_info", "refer", "resolve", "close"]
    assert {channel for _, _, channel in texts_for(complaint)} == {"whatsapp"}


def test_texts_carry_the_code_and_no_identity_or_case_details(administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    step(complaint, "request_info", Actor.officer(administrator))
    step(complaint, "withdraw", Actor.complainant())
    identity = complaint.identity
    for _, body, _ in texts_for(complaint):
        assert (
            f"{complaint.tracking_code[:4]}-{complaint.tracking_code[4:]}" in body
            or complaint.tracking_code in body
        )
        for secret in (
            identity.name,
            identity.nik,
            identity.phone,
            identity.address,
            complaint.description[:20],
        ):
            assert secret not in body


def test_no_consent_or_no_phone_means_no_message(administrator):
    silent = complaint_in(State.VERIFYING, admin=administrator, notify_channel="none")
    step(silent, "reject", Actor.officer(administrator))
    anonymous = ComplaintFactory(confidentiality="anonim", identity=None)
    step(anonymous, "start_verification", Actor.officer(administrator))
    step(anonymous, "reject", Actor.officer(administrator))
    assert Message.objects.count() == 0


def test_an_english_speaking_complainant_gets_english():
    complaint = ComplaintFactory(language="en")
    from complaints.messaging import enqueue_received

    message = enqueue_received(complaint, pin="123456")
    assert message.body.startswith("Sigap: complaint received") and "123456" in message.body
    assert message.status == Status.QUEUED


@pytest.mark.parametrize("key", sorted(TEXTS))
@pytest.mark.parametrize("language", ["id", "en"])
def test_every_text_fits_one_sms_segment(key, language, settings):
    settings.SIGAP_PUBLIC_URL = "https://sigap.ombudsman.go.id"
    body = TEXTS[key][language].format(
        sig="Sigap",
        code="ABCD-EFGH",
        url=settings.SIGAP_PUBLIC_URL,
        date="31-12-2026",
        pin="123456",
        unit="Ombudsman RI Perwakilan Nusa Tenggara Barat",
    )
    assert len(body) <= 160, body
    assert body.isascii()
