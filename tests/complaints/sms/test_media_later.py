"""The webhook answers at once; the media of a texted reply are fetched afterwards, by a task.

Twilio gives up on a webhook after 15 seconds, so the reply to a complainant's SMS or WhatsApp
never waits for their attachments: the text goes into the case in the webhook's transaction, and
each media item is a PendingMedia row that a Celery task fetches after the commit, retries when
Twilio or the network fails (2, 4, 8, 16 minutes apart, five attempts), attaches once, or reports
on the case and to the complainant. A minutely sweep hands out again the rows whose task never
reached the broker (it was down) or was lost there.

Real parts: the fake Twilio over HTTP on loopback (its media answer 503, hang or come slowly when
told: ``media_failures``), PostgreSQL, and for two tests Redis and a Celery worker process. Time
passing is the rows' own clock moved back, as the workers would see it later.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F

from complaints.codes import display_code
from complaints.intake.services import complaint_submit
from complaints.jobs.tasks import erase_expired_personal_data, fetch_media, requeue_media
from complaints.models import CaseMessage, Complaint, Evidence, PendingMedia, State
from complaints.sms.handlers import media_fetch
from notifications import inbound
from notifications.models import Conversation
from notifications.personal import blind_index
from tests.asgi_server import database_url_for_subprocess
from tests.complaints.intake_data import JPEG, PDF, PNG, valid
from tests.complaints.lifecycle import step
from tests.notifications.inbound_phone import PHONE
from tests.processes import ROOT, running
from workflow.engine import Actor, history

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio_webhook")]

PROCESSING = "Lampiran sedang diproses"


def awaiting_info(administrator, **data) -> Complaint:
    """A complaint filed with the test phone's number, waiting for the complainant's information."""
    language = data.pop("language", "id")
    complaint, _ = complaint_submit(channel="web", data=valid(**data), language=language)
    officer = Actor.officer(administrator)
    for name in ("start_verification", "request_info"):
        step(complaint, name, officer)
    return complaint


def media_gets(fake_twilio) -> list[str]:
    return [r.path for r in fake_twilio.requests if r.method == "GET"]


def notices(fake_twilio) -> list[str]:
    """What was texted to the complainant through Twilio's REST API (not the TwiML replies)."""
    return [r.form["Body"] for r in fake_twilio.sent if r.form.get("To", "").endswith(PHONE)]


def notes(complaint) -> list[str]:
    return list(complaint.messages.filter(kind=CaseMessage.Kind.INTERNAL).values_list("body", flat=True))


def minutes_pass(minutes: float) -> None:
    """Every waiting item's clock, as the workers will see it ``minutes`` later."""
    delta = datetime.timedelta(minutes=minutes)
    PendingMedia.objects.update(
        next_attempt_at=F("next_attempt_at") - delta,
        handed_at=F("handed_at") - delta,
        claimed_until=F("claimed_until") - delta,
        created_at=F("created_at") - delta,
    )


@pytest.fixture
def later(django_capture_on_commit_callbacks):
    """Run work the way a worker does after the webhook (and what its commits then hand out)."""

    def run(work):
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    return run


def wait_for(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def celery_broker(url: str, **transport_options):
    """Tasks are published to the broker at ``url`` instead of running in the caller (eager)."""
    from config.celery import app

    def use(broker: str, options: dict) -> None:
        # Celery keeps a producer pool for the broker it first published to.
        app.conf.broker_url = broker
        app.conf.broker_transport_options = options
        app._pool = None
        app.amqp._producer_pool = None

    eager, broker, options = (
        app.conf.task_always_eager,
        app.conf.broker_url,
        app.conf.broker_transport_options,
    )
    app.conf.task_always_eager = False
    use(url, {**options, **transport_options})
    try:
        yield app
    finally:
        app.conf.task_always_eager = eager
        use(broker, options)


def timed_reply(sender, body: str, **kwargs) -> tuple[str, float]:
    started = time.monotonic()
    answer = sender.reply(body, **kwargs)
    return answer, time.monotonic() - started


# --- the webhook does not wait ------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_webhook_answers_before_the_media_is_fetched(
    postgres, redis_url, phone, fake_twilio, media_failures, administrator, tmp_path
):
    """A real worker on the Redis broker fetches the media, which Twilio serves slowly (3 s): the
    complainant's reply is answered, with its text already in the case, well before."""
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME1", PDF, "application/pdf")
    media_failures.append(("slow", 3))
    env = {
        **os.environ,
        **fake_twilio.environment(),
        "DATABASE_URL": database_url_for_subprocess(),
        "REDIS_URL": redis_url,
        "SIGAP_MEDIA_ROOT": str(tmp_path / "evidence"),
        "PYTHONUNBUFFERED": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=env, capture_output=True, timeout=30, check=False)
    worker = [*celery, "worker", "--pool=solo", "--without-mingle", "--without-gossip", "-l", "warning"]
    with running(worker, env=env, log_path=tmp_path / "worker.log"), celery_broker(redis_url):
        answer, elapsed = timed_reply(phone, "Ini KTP saya", media=[(url, "application/pdf")])
        assert elapsed < 1, f"the webhook took {elapsed:.1f} s"
        assert answer == (
            f"Sigap {display_code(complaint.tracking_code)}: pesan Anda sudah kami terima dan diteruskan "
            "ke petugas. Lampiran sedang diproses."
        )
        # The text is in the case already; the file is not, yet.
        complaint.refresh_from_db()
        assert complaint.state == State.VERIFYING
        assert complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT).body == "Ini KTP saya"
        assert not Evidence.objects.exists()
        wait_for(Evidence.objects.exists, seconds=60, what="the worker to attach the media")
    evidence = Evidence.objects.get(complaint=complaint)
    assert (evidence.channel, evidence.content_type, evidence.size) == ("sms", "application/pdf", len(PDF))
    assert (tmp_path / "evidence" / evidence.file.name).read_bytes() == PDF
    assert not PendingMedia.objects.exists()
    assert media_gets(fake_twilio) == ["/media/ME1"]
    # No failure to report (the texts sent were the filing's and the information request's).
    assert notes(complaint) == [] and not any("lampiran" in notice for notice in notices(fake_twilio))


def test_with_the_broker_down_the_reply_is_answered_and_the_media_fetched_later(
    phone, fake_twilio, administrator, later, caplog, django_capture_on_commit_callbacks
):
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME2", JPEG, "image/jpeg")
    with (
        caplog.at_level(logging.WARNING, logger="complaints.sms.handlers"),
        celery_broker("redis://127.0.0.1:9/0", max_retries=0),  # nothing listens there
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer, elapsed = timed_reply(phone, "Foto loket", media=[(url, "image/jpeg")])
    assert PROCESSING in answer and elapsed < 1
    assert "the broker did not take its task" in caplog.text
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    # Nothing is lost: the item waits in the database, with no task out.
    row = PendingMedia.objects.get()
    assert (row.complaint_id, row.index, row.url, row.attempts, row.handed_at) == (
        complaint.pk,
        0,
        url,
        0,
        None,
    )
    assert media_gets(fake_twilio) == []

    # The broker is back; the sweep's next run (every minute) hands the item out.
    assert later(requeue_media) == 1
    assert Evidence.objects.get(complaint=complaint).file.read() == JPEG
    assert not PendingMedia.objects.exists() and later(requeue_media) == 0


def test_a_task_lost_in_the_broker_is_handed_out_again(
    redis_url, phone, fake_twilio, administrator, texted, later
):
    """Redis keeps nothing on disk: a restart forgets the tasks it held. The sweep waits a few
    minutes (the task may be waiting behind others) and then hands the item out again."""
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME3", PDF, "application/pdf")
    with celery_broker(redis_url) as app:
        assert PROCESSING in texted(phone, "Dokumen", media=[(url, "application/pdf")])
        app.control.purge()  # the broker restarted
    assert PendingMedia.objects.get().handed_at is not None
    minutes_pass(1)
    assert later(requeue_media) == 0
    minutes_pass(5)
    assert later(requeue_media) == 1
    assert Evidence.objects.get(complaint=complaint).file.read() == PDF
    assert media_gets(fake_twilio) == ["/media/ME3"]


# --- retries ------------------------------------------------------------------------------------
def test_a_failing_fetch_is_retried_then_attached_once(
    phone, fake_twilio, media_failures, administrator, texted, later, settings
):
    """Twilio answers 503, then holds the request past the client's timeout, then serves it."""
    settings.TWILIO_HTTP_TIMEOUT = 1
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME4", PDF, "application/pdf")
    media_failures.extend([("status", 503), ("hang", 3)])
    assert PROCESSING in texted(phone, "Surat dari kelurahan", media=[(url, "application/pdf")])
    row = PendingMedia.objects.get()
    assert (row.attempts, row.last_error) == (1, "HTTP 503")
    assert not Evidence.objects.exists()

    # Not before its time (2 minutes), whoever asks.
    minutes_pass(1)
    later(lambda: fetch_media.delay(row.pk))
    assert later(requeue_media) == 0
    assert len(media_gets(fake_twilio)) == 1

    minutes_pass(1)  # the broker delivers the retry at its time
    later(lambda: fetch_media.delay(row.pk))
    row.refresh_from_db()
    assert row.attempts == 2 and row.last_error.startswith("ReadTimeout")
    minutes_pass(4)
    later(lambda: fetch_media.delay(row.pk))

    evidence = Evidence.objects.get(complaint=complaint)
    assert evidence.file.read() == PDF
    assert media_gets(fake_twilio) == ["/media/ME4"] * 3
    # Done: a task delivered again, or the sweep, finds nothing left to do.
    assert media_fetch(row.pk).result == "not claimed"
    minutes_pass(10)
    assert later(requeue_media) == 0
    assert Evidence.objects.count() == 1 and len(media_gets(fake_twilio)) == 3
    # Nobody was told of a failure; the text reached the case at once.
    assert notes(complaint) == [] and notices(fake_twilio) == []
    assert complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT).body == "Surat dari kelurahan"


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_fetch_that_fails_for_good_tells_the_complainant_and_leaves_a_note(
    phone, fake_twilio, media_failures, administrator, texted, later, language
):
    complaint = awaiting_info(administrator, language=language)
    url = fake_twilio.add_media("ME5", PDF, "application/pdf")
    media_failures.extend([("status", 503)] * 5)
    texted(phone, "Bukti pembayaran", media=[(url, "application/pdf")])
    row = PendingMedia.objects.get()
    for wait in (2, 4, 8, 16):  # half an hour
        assert notices(fake_twilio) == [] and notes(complaint) == []
        minutes_pass(wait)
        later(lambda: fetch_media.delay(row.pk))
    assert len(media_gets(fake_twilio)) == 5
    assert not PendingMedia.objects.exists() and not Evidence.objects.exists()
    code = display_code(complaint.tracking_code)
    assert notes(complaint) == ["1 lampiran dari SMS tidak dapat diambil: unduhan gagal"]
    assert notices(fake_twilio) == [
        f"Sigap {code}: 1 lampiran tidak dapat diambil (unduhan gagal). Petugas sudah diberi tahu."
        if language == "id"
        else f"Sigap {code}: 1 attachment could not be retrieved (download failed). The officer has been told."
    ]
    # The text was never lost.
    complaint.refresh_from_db()
    assert complaint.state == State.VERIFYING
    assert complaint.messages.get(kind=CaseMessage.Kind.FROM_COMPLAINANT).body == "Bukti pembayaran"
    # No more attempts.
    minutes_pass(60)
    assert later(requeue_media) == 0 and len(media_gets(fake_twilio)) == 5


def test_media_that_twilio_no_longer_has_is_reported_at_once(phone, fake_twilio, administrator, texted):
    """A 404 will not change with time: no retry."""
    complaint = awaiting_info(administrator)
    missing = f"{fake_twilio.base_url}/media/ME404"
    present = fake_twilio.add_media("ME6", PNG, "image/png")
    texted(phone, "Dua foto", media=[(missing, "image/png"), (present, "image/png")])
    assert media_gets(fake_twilio) == ["/media/ME404", "/media/ME6"]
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["lampiran-2.png"]
    assert notes(complaint) == ["1 lampiran dari SMS tidak dapat diambil: unduhan gagal"]
    assert len(notices(fake_twilio)) == 1 and not PendingMedia.objects.exists()


def test_a_reply_of_media_alone_waits_for_the_media_before_the_case_moves(
    phone, fake_twilio, media_failures, administrator, texted, later
):
    """With no text, the complainant's step is the first attachment: while Twilio fails, the case
    still awaits their information; once an item arrives it goes back to its stage, once."""
    complaint = awaiting_info(administrator)
    first = fake_twilio.add_media("ME7", PDF, "application/pdf")
    second = fake_twilio.add_media("ME8", JPEG, "image/jpeg")
    media_failures.append(("status", 500))
    answer = texted(phone, "", media=[(first, "application/pdf"), (second, "image/jpeg")])
    assert "lampiran Anda sedang diproses" in answer
    complaint.refresh_from_db()
    # The second item arrived and made the step; the first waits for its retry.
    assert complaint.state == State.VERIFYING
    assert list(Evidence.objects.values_list("content_type", flat=True)) == ["image/jpeg"]
    # Its retry is due in 2 minutes. No task was published for it (eager here), as if it was
    # lost: the sweep hands it out once it is a few minutes late.
    minutes_pass(2)
    assert later(requeue_media) == 0
    minutes_pass(5)
    assert later(requeue_media) == 1
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]
    assert complaint.messages.filter(kind=CaseMessage.Kind.FROM_COMPLAINANT).count() == 1
    assert [log.transition for log in history(complaint)].count("provide_info") == 1


# --- once, whatever the workers do --------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_attach_an_item_twice(
    postgres, phone, fake_twilio, media_failures, administrator, tmp_path
):
    """A worker stalls on a slow download past its claim; another claims the item, attaches it;
    the first finishes and attaches nothing (and keeps no file)."""
    complaint = awaiting_info(administrator)
    url = fake_twilio.add_media("ME9", PDF, "application/pdf")
    with celery_broker("redis://127.0.0.1:9/0", max_retries=0):  # no task runs: the workers below do
        phone.reply("Berkas", media=[(url, "application/pdf")])
    row = PendingMedia.objects.get()
    media_failures.append(("slow", 2))
    outcomes = []

    def first_worker():
        try:
            outcomes.append(media_fetch(row.pk).result)
        finally:
            connection.close()

    stalled = threading.Thread(target=first_worker)
    stalled.start()
    wait_for(
        lambda: media_gets(fake_twilio) == ["/media/ME9"], seconds=10, what="the first download to start"
    )
    assert media_fetch(row.pk).result == "not claimed"  # its claim still holds
    minutes_pass(6)  # ... and now has run out
    assert media_fetch(row.pk).result == "attached"
    stalled.join(timeout=30)
    assert outcomes == ["already attached"]
    evidence = Evidence.objects.get(complaint=complaint)
    stored = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [PDF] and stored[0].name == os.path.basename(
        evidence.file.name
    )
    assert not PendingMedia.objects.exists()


def test_the_same_task_delivered_twice_fetches_once(phone, fake_twilio, administrator, later):
    awaiting_info(administrator)
    url = fake_twilio.add_media("ME10", PDF, "application/pdf")
    phone.reply("Berkas", media=[(url, "application/pdf")])  # its commit's work is not run here
    pk = PendingMedia.objects.get().pk
    # The broker delivers the task twice (acks late: a worker died after the work, before the ack),
    # and the sweep hands the item out too.
    later(lambda: fetch_media.delay(pk))
    later(lambda: fetch_media.delay(pk))
    minutes_pass(10)
    assert later(requeue_media) == 0
    assert Evidence.objects.count() == 1 and media_gets(fake_twilio) == ["/media/ME10"]


# --- conversations are purged by the periodic job ----------------------------------------------
def test_abandoned_conversations_are_purged_by_the_retention_job_not_by_each_message(phone):
    inbound.conversation_start("+628111111111", "sms", handler="demo", step="one")
    inbound.conversation_start("+628222222222", "sms", handler="demo", step="one")
    Conversation.objects.filter(phone_index=blind_index("+628111111111")).update(
        updated_at=F("updated_at") - datetime.timedelta(days=3)
    )
    phone.reply("BANTUAN")
    assert Conversation.objects.count() == 2
    erase_expired_personal_data.delay()
    assert list(Conversation.objects.values_list("phone", flat=True)) == ["+628222222222"]


def test_the_beat_hands_out_lost_media_every_minute():
    from config.celery import app

    app.loader.import_default_modules()
    entries = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["complaints.tasks.requeue_media"] == 60.0
    assert {"complaints.tasks.requeue_media", "complaints.tasks.fetch_media"} <= set(app.tasks)
