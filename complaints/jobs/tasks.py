import logging

from celery import shared_task

from complaints.jobs.retention import personal_data_erase_expired
from complaints.jobs.sweep import complaints_sweep
from complaints.scorecard import cache as scorecard_cache
from complaints.sms.handlers import media_due, media_fetch, media_hand_out

logger = logging.getLogger(__name__)


@shared_task(name="complaints.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> None:
    result = complaints_sweep()
    logger.info(
        "deadline sweep: %s expired, %s closed, %s flagged overdue, %s agencies late",
        result.expired,
        result.closed,
        result.flagged,
        result.agencies_late,
    )


@shared_task(name="complaints.tasks.erase_expired_personal_data", ignore_result=True)
def erase_expired_personal_data() -> None:
    result = personal_data_erase_expired()
    logger.info(
        "retention: personal data removed from %s cases (%s evidence files); %s stored replies blanked, "
        "%s inbound messages deleted, %s abandoned conversations deleted",
        result.complaints,
        result.evidence_files,
        result.inbound_replies,
        result.inbound_messages,
        result.conversations,
    )


@shared_task(bind=True, name="complaints.tasks.fetch_media", ignore_result=True, acks_late=True)
def fetch_media(self, pending_id: int) -> None:
    """One media item of a texted reply: fetched from Twilio and attached to its case
    (complaints/sms/handlers.py, media_fetch). A network error or a 5xx from Twilio is retried
    with backoff (2, 4, 8, 16 minutes; five attempts in all), counted on the row, not by Celery,
    so that a task handed out again by the sweep continues the same count."""
    outcome = media_fetch(pending_id)
    if outcome.retry_at is not None and not self.request.is_eager:
        # Without a broker (eager mode) the retry waits for the sweep instead of holding the caller.
        media_hand_out([pending_id], eta=outcome.retry_at)
    elif outcome.result != "not claimed":
        logger.info("media %s: %s", pending_id, outcome.result)


@shared_task(name="complaints.tasks.requeue_media", ignore_result=True)
def requeue_media() -> int:
    """Every minute: hand out again the media whose task was lost or never handed out (the broker
    was down when the reply committed), and the retries whose task is gone."""
    ids = media_due()
    media_hand_out(ids)
    if ids:
        logger.info("media: %s items handed to workers", len(ids))
    return len(ids)


@shared_task(name="complaints.tasks.refresh_scorecard", ignore_result=True)
def refresh_scorecard() -> None:
    """Every 15 minutes: the public scorecard's figures for the last 12 months, counted and
    suppressed again and kept in the cache, so that /kinerja/ reads them instead of counting
    (complaints/scorecard/cache.py)."""
    snapshot = scorecard_cache.refresh()
    logger.info("scorecard: %s refreshed (%s scopes)", snapshot.period.key, len(snapshot.cells))
