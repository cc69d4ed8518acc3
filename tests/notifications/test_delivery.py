"""Outbound delivery against a fake Twilio server over real HTTP."""

import datetime

import pytest
from django.utils import timezone

from notifications import contacts, outbox
from notifications.models import Message, Status
from notifications.tasks import deliver, requeue_stuck

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"
LOST_AFTER = datetime.timedelta(minutes=15)


def queue(channel="sms", **kwargs):
    return outbox.enqueue(
        channel=channel,
        recipient=PHONE,
        language="id",
        template_key="test",
        body="Sigap ABCD-EFGH: pengaduan ditutup.",
        reference="complaint:1",
        **kwargs,
    )


def make_due(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_an_sms_is_sent_through_the_messages_api_and_its_sid_recorded(fake_twilio):
    message = queue()
    assert deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.status == Status.SENT and message.twilio_sid.startswith("SM")
    request = fake_twilio.sent[0]
    assert request.auth == (fake_twilio.account_sid, fake_twilio.auth_token)
    assert (request.form["To"], request.form["From"]) == (PHONE, "+15005550006")
    assert request.form["Body"] == "Sigap ABCD-EFGH: pengaduan ditutup."
    assert request.form["StatusCallback"].endswith("/webhooks/twilio/status/")


def test_a_committed_enqueue_is_delivered_by_the_task(fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(fake_twilio.sent) == 1


def test_whatsapp_is_addressed_as_whatsapp_and_uses_the_template_outside_the_window(fake_twilio):
    outside = queue("whatsapp", content_sid="HX" + "1" * 32, variables={"1": "ABCD-EFGH", "2": "Ditutup"})
    deliver(outside.pk)
    form = fake_twilio.sent[-1].form
    assert form["To"] == f"whatsapp:{PHONE}" and form["From"] == "whatsapp:+14155238886"
    assert form["ContentSid"] == "HX" + "1" * 32 and "Body" not in form

    contacts.touch_inbound(PHONE, "whatsapp")
    inside = queue("whatsapp", content_sid="HX" + "1" * 32)
    deliver(inside.pk)
    form = fake_twilio.sent[-1].form
    assert form["Body"].startswith("Sigap") and "ContentSid" not in form


def test_a_500_is_retried_with_backoff_and_then_delivered(fake_twilio):
    fake_twilio.fail_next(("status", 500))
    message = queue()
    assert deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.attempts == 1
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    assert "500" in message.last_error
    # Not due yet: a redelivered task does nothing.
    assert deliver(message.pk) == "not claimed"
    make_due(message)
    assert deliver(message.pk) == "sent"
    assert len(fake_twilio.sent) == 2


def test_a_timeout_is_retried(fake_twilio, settings):
    settings.TWILIO_HTTP_TIMEOUT = 1
    fake_twilio.fail_next(("hang", 2))
    message = queue()
    assert deliver(message.pk) == "retry"
    make_due(message)
    assert deliver(message.pk) == "sent"


def make_old(message, days=2):
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))


def test_a_429_waits_as_long_as_twilio_asks(fake_twilio):
    fake_twilio.fail_next(("status", 429, {"Retry-After": "600"}))
    message = queue()
    assert deliver(message.pk) == "retry"
    message.refresh_from_db()
    # Twilio's ten minutes, not the first backoff's 30 seconds.
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=590)
    make_due(message)
    assert deliver(message.pk) == "sent"


def test_an_outage_delays_messages_without_losing_them_and_retries_end_after_a_day(fake_twilio, settings):
    settings.SIGAP_MESSAGE_MAX_ATTEMPTS = 2
    fake_twilio.fail_next(*[("status", 503)] * 5)
    message = queue()
    for _ in range(4):  # more failures than attempts allowed: Twilio's fault, not the message's
        assert deliver(message.pk) == "retry"
        make_due(message)
    make_old(message)
    assert deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error.startswith("gave up")


def test_an_invalid_number_fails_at_once_with_the_reason(fake_twilio):
    fake_twilio.fail_next(("error", 400, 21211))
    message = queue()
    assert deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "21211")
    assert "21211" in message.last_error
    assert len(fake_twilio.sent) == 1


def test_an_opted_out_number_gets_nothing_and_the_reason_is_kept(fake_twilio):
    contacts.opt_out(PHONE, "sms")
    message = queue()
    assert (message.status, message.last_error) == (Status.FAILED, "opted out")
    assert deliver(message.pk) == "not claimed"
    assert fake_twilio.sent == []
    # Opted out on SMS only: WhatsApp still reaches them.
    assert queue("whatsapp").status == Status.QUEUED


def test_the_sweep_requeues_a_message_left_sending_by_a_dead_worker(fake_twilio):
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, updated_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert requeue_stuck() == 1  # eager here: the task runs at once
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(fake_twilio.sent) == 1


def test_the_console_sender_marks_messages_sent_without_twilio(settings, caplog):
    settings.SIGAP_MESSAGE_SENDER = "console"
    message = queue()
    with caplog.at_level("INFO", logger="sigap.messages"):
        assert deliver(message.pk) == "sent"
    assert "pengaduan ditutup" in caplog.text
    message.refresh_from_db()
    assert message.twilio_sid.startswith("CONSOLE")


def test_a_number_unsubscribed_at_twilio_fails_and_is_remembered_as_opted_out(fake_twilio):
    fake_twilio.fail_next(("error", 400, 21610))
    message = queue()
    assert deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.error_code == "21610" and "STOP" in message.reason
    assert contacts.is_opted_out(PHONE, "sms")
    # The next step is not even tried.
    assert queue().status == Status.FAILED and len(fake_twilio.sent) == 1


def test_rejected_credentials_are_retried_not_blamed_on_the_message(fake_twilio):
    fake_twilio.auth_token_expected = "rotated"
    message = queue()
    assert deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "401" in message.last_error
    assert message.reason.startswith("Akan dicoba lagi")


def test_a_messaging_service_is_named_when_configured(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "5" * 32
    deliver(queue().pk)
    assert fake_twilio.sent[0].form["MessagingServiceSid"] == "MG" + "5" * 32


def test_giving_up_is_explained_to_officers(fake_twilio, settings):
    settings.SIGAP_MESSAGE_MAX_ATTEMPTS = 1
    fake_twilio.fail_next(("status", 503))
    message = queue()
    make_old(message)
    assert deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.reason.startswith("Gagal setelah 1 percobaan") and "503" in message.reason


def test_the_sweep_leaves_a_fresh_task_alone_and_hands_out_a_lost_one(fake_twilio):
    from notifications.outbox import requeue_due
    from notifications.tasks import STUCK_AFTER

    queue()  # a fresh one: its task is (as far as the sweep knows) still waiting in the broker
    lost = queue()
    Message.objects.filter(pk=lost.pk).update(dispatched_at=timezone.now() - datetime.timedelta(minutes=16))
    assert requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6) == [lost.pk]


def test_a_message_that_kills_its_worker_every_time_ends_failed(fake_twilio, settings):
    settings.SIGAP_MESSAGE_MAX_ATTEMPTS = 3
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=3, updated_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert requeue_stuck() == 0
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.reason.startswith("Gagal setelah 3 percobaan")
    assert fake_twilio.sent == []


def test_an_email_goes_through_djangos_mail_not_twilio(fake_twilio, mailoutbox):
    message = outbox.enqueue(
        channel="email",
        recipient="warga@example.id",
        language="id",
        template_key="test",
        body="Sigap ABCD-EFGH\nPengaduan ditutup.",
    )
    assert deliver(message.pk) == "sent"
    assert [(m.subject, m.to) for m in mailoutbox] == [("Sigap ABCD-EFGH", ["warga@example.id"])]
    assert fake_twilio.sent == []


def test_the_management_command_hands_out_due_messages_where_no_beat_runs(fake_twilio):
    from django.core.management import call_command

    message = queue()
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    call_command("send_queued_messages")
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_retry_due_after_the_person_opted_out_is_not_sent(fake_twilio):
    fake_twilio.fail_next(("status", 500))
    message = queue()
    assert deliver(message.pk) == "retry"
    contacts.opt_out(PHONE, "sms")  # BERHENTI arrives before the retry is due
    make_due(message)
    assert deliver(message.pk) == "opted out"
    message.refresh_from_db()
    assert (message.status, message.reason != "") == (Status.FAILED, True)
    assert len(fake_twilio.sent) == 1  # the failed first try only


@pytest.mark.django_db(transaction=True)
def test_a_stalled_worker_never_overwrites_what_the_worker_that_resent_its_message_recorded(fake_twilio):
    import threading
    import time

    from django.db import connection

    from notifications.outbox import requeue_due
    from notifications.tasks import STUCK_AFTER

    # Written without handing it to a worker (outside a test transaction that would send it at once).
    message = Message.objects.create(
        channel="sms", recipient=PHONE, template_key="test", body="Sigap: ditutup."
    )
    # Worker A's request hangs and then fails; worker B's, sent meanwhile, is slow but accepted.
    fake_twilio.fail_next(("hang", 1.0), ("slow", 2.5))
    outcomes = {}

    def worker(name):
        try:
            outcomes[name] = deliver(message.pk)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    a = threading.Thread(target=worker, args=("a",))
    a.start()
    deadline = time.monotonic() + 5
    while Message.objects.get(pk=message.pk).status != Status.SENDING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert Message.objects.get(pk=message.pk).status == Status.SENDING, outcomes
    while not fake_twilio.sent and time.monotonic() < deadline:  # A's request is at Twilio, hanging
        time.sleep(0.02)
    # A looks dead to the sweep, which hands the message out again: B claims it and sends.
    Message.objects.filter(pk=message.pk).update(updated_at=timezone.now() - STUCK_AFTER * 2)
    assert requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6) == [message.pk]
    b = threading.Thread(target=worker, args=("b",))
    b.start()
    a.join(10)
    b.join(10)
    message.refresh_from_db()
    # A's late failure did not put B's message back in the queue, and B's SID is the one kept.
    assert outcomes == {"a": "retry", "b": "sent"}
    assert message.status == Status.SENT and message.twilio_sid.startswith("SM")
    assert message.attempts == 2 and len(fake_twilio.sent) == 2


def test_the_broker_holds_at_most_one_task_per_due_message(fake_twilio):
    """Every minute the re-queue runs; under a backlog it must not hand the same rows out again."""
    from notifications.outbox import requeue_due
    from notifications.tasks import STUCK_AFTER

    messages = [queue() for _ in range(3)]
    now = timezone.now()
    # Their first task could not be handed out (the broker was down at commit): no mark.
    Message.objects.update(dispatched_at=None)
    handed = requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6, now=now)
    assert sorted(handed) == sorted(m.pk for m in messages)
    # A minute later, no worker has taken them yet (a backlog): nothing is handed out twice.
    for minutes in range(1, 15):
        later = now + datetime.timedelta(minutes=minutes)
        assert requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6, now=later) == []
    # Redis restarted (it keeps nothing on disk): the tasks it held are gone, handed out again once.
    restart = now + datetime.timedelta(minutes=3)
    later = now + datetime.timedelta(minutes=4)
    again = requeue_due(
        stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6, now=later, broker_started_at=restart
    )
    assert sorted(again) == sorted(handed)
    assert (
        requeue_due(
            stuck_after=STUCK_AFTER,
            lost_after=LOST_AFTER,
            max_attempts=6,
            now=later + datetime.timedelta(minutes=1),
            broker_started_at=restart,
        )
        == []
    )


def test_a_retry_is_handed_out_when_due_and_not_before(fake_twilio):
    from notifications.outbox import requeue_due
    from notifications.tasks import STUCK_AFTER

    fake_twilio.fail_next(("status", 500))
    message = queue()
    assert deliver(message.pk) == "retry"  # the worker took its task: no task is out
    message.refresh_from_db()
    assert message.dispatched_at is None
    early = message.next_attempt_at - datetime.timedelta(seconds=1)
    assert requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6, now=early) == []
    due = message.next_attempt_at + datetime.timedelta(seconds=1)
    assert requeue_due(stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=6, now=due) == [
        message.pk
    ]


@pytest.mark.django_db(transaction=True)
def test_a_status_callback_that_arrives_before_the_sid_is_saved_is_applied_after(fake_twilio, settings):
    """Twilio answers the worker slowly; its 'delivered' callback reaches Sigap first."""
    import threading

    from django.db import connection
    from django.test import Client
    from twilio.request_validator import RequestValidator

    from notifications.models import EarlyStatus

    settings.SIGAP_PUBLIC_URL = "https://sigap.example.go.id"
    message = Message.objects.create(
        channel="sms", recipient=PHONE, template_key="test", body="Sigap: ditutup."
    )
    sid = "SM" + "e" * 32
    fake_twilio.next_sids.append(sid)
    fake_twilio.fail_next(("slow", 1.5))
    outcome = {}

    def worker():
        try:
            outcome["worker"] = deliver(message.pk)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    url = "/webhooks/twilio/status/"
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    signature = RequestValidator(fake_twilio.auth_token).compute_signature(
        f"https://sigap.example.go.id{url}", params
    )
    response = Client().post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 204
    assert EarlyStatus.objects.filter(sid=sid).exists()  # the worker is still waiting for Twilio
    thread.join(10)
    message.refresh_from_db()
    assert outcome == {"worker": "sent"}
    assert message.status == Status.DELIVERED and message.delivered_at is not None
    assert not EarlyStatus.objects.exists()
