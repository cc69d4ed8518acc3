"""Updates by email for a complainant who asked for them (docs/domain.md#email-updates): each step
they should know of, the officer's words included; never the PIN."""

import pytest

from complaints.intake.services import IntakeInvalid, complaint_submit
from notifications.models import Message
from notifications.tasks import deliver
from tests.complaints.intake_data import valid
from tests.complaints.lifecycle import step
from workflow.engine import Actor

pytestmark = pytest.mark.django_db


def test_a_complainant_who_asked_for_email_hears_each_step_by_email_and_never_the_pin(
    intake_officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint, pin = complaint_submit(
            channel="web", data=valid(notify_channel="email", phone="", email="warga@example.id")
        )
    officer = Actor.officer(intake_officer)
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", officer)
        step(
            complaint, "request_info", officer, message="Mohon kirim salinan surat penolakan dari kelurahan."
        )
    for message in Message.objects.filter(status="queued"):
        deliver(message.pk)
    assert [m.to for m in mailoutbox] == [["warga@example.id"]] * len(mailoutbox) and len(mailoutbox) == 2
    received, request = mailoutbox
    assert complaint.tracking_code_display in received.subject + received.body
    assert pin not in received.subject + received.body  # the PIN was shown on screen, never emailed
    assert "salinan surat penolakan" in request.body  # the officer's words themselves
    assert not Message.objects.exclude(channel="email").exists()


def test_email_updates_need_an_email_address_not_a_phone():
    with pytest.raises(IntakeInvalid) as refused:
        complaint_submit(channel="web", data=valid(notify_channel="email", email=""))
    assert "email" in refused.value.errors
