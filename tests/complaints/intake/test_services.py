"""complaint_submit, the one entry point every channel files through."""

import pytest
from django.utils import translation

from complaints.intake.services import IntakeInvalid, complaint_submit
from complaints.models import Complaint, Identity
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "NIK must be 16 digits."), ("id", "NIK harus 16 angka.")]
)
def test_errors_come_in_the_complainants_language_whatever_is_active(language, expected):
    # An SMS webhook runs in the site's default language; the complainant chose theirs.
    with translation.override("id" if language == "en" else "en"), pytest.raises(IntakeInvalid) as refused:
        complaint_submit(channel="sms", data=valid(nik="123"), language=language)
    assert refused.value.errors["nik"] == [expected]
    assert (Complaint.objects.count(), Identity.objects.count()) == (0, 0)


def test_a_valid_complaint_is_filed_with_its_language_and_a_pin():
    complaint, pin = complaint_submit(channel="api", data=valid(), language="en-us")
    assert complaint.language == "en" and len(pin) == 6
    assert complaint.identity.phone == "+6281234567890"


def test_a_complaint_goes_to_its_provinces_intake_desk_or_else_the_national_desk():
    from complaints.models import HandlingUnit

    jakarta, _ = complaint_submit(channel="web", data=valid(province="31", regency="31.71"))
    assert jakarta.unit.code == "penerimaan-31"
    # Where a province has no working intake desk, the national desk receives the complaint.
    desk = HandlingUnit.objects.get(code="penerimaan-32")
    desk.is_active = False
    desk.save()  # as the admin does
    west_java, _ = complaint_submit(channel="web", data=valid(province="32", regency=""))
    assert west_java.unit.code == "penerimaan-nasional"


@pytest.mark.django_db(transaction=True)
def test_intake_answers_and_keeps_its_evidence_when_the_broker_is_unreachable(caplog):
    """The broker (Redis) is down when the 'received' SMS is handed to it, after the complaint
    and its evidence committed: the complainant still gets their code and PIN, the files stay,
    and the message waits in the outbox, unmarked, for the re-queue to hand it out."""
    from config.celery import app
    from notifications import tasks
    from notifications.models import Message, Status
    from tests.complaints.intake_data import PDF, upload

    def use_broker(url):
        # Celery keeps a producer pool for the broker it first published to (another test's).
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    use_broker("redis://127.0.0.1:9/0")  # nothing listens there
    app.conf.broker_transport_options = {"max_retries": 0}
    tasks._broker_down_until = 0.0
    try:
        with caplog.at_level("WARNING", logger="notifications.tasks"):
            complaint, pin = complaint_submit(
                channel="web", data=valid(notify_channel="sms"), files=[upload("surat.pdf", PDF)]
            )
    finally:
        app.conf.task_always_eager = eager
        use_broker(broker)
        app.conf.broker_transport_options = {}
        tasks._broker_down_until = 0.0
    assert complaint.tracking_code and len(pin) == 6
    assert "broker unreachable" in caplog.text
    message = Message.objects.get()
    assert (message.status, message.dispatched_at) == (Status.QUEUED, None)
    evidence = Complaint.objects.get().evidence.get()
    assert evidence.file.storage.exists(evidence.file.name)
    assert evidence.file.read() == PDF
