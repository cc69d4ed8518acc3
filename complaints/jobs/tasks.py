import logging

from celery import shared_task

from complaints.jobs.retention import personal_data_erase_expired
from complaints.jobs.sweep import complaints_sweep

logger = logging.getLogger(__name__)


@shared_task(name="complaints.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> None:
    result = complaints_sweep()
    logger.info(
        "deadline sweep: %s expired, %s closed, %s flagged overdue",
        result.expired,
        result.closed,
        result.flagged,
    )


@shared_task(name="complaints.tasks.erase_expired_personal_data", ignore_result=True)
def erase_expired_personal_data() -> None:
    result = personal_data_erase_expired()
    logger.info(
        "retention: personal data removed from %s cases (%s evidence files); %s stored replies blanked, "
        "%s inbound messages deleted",
        result.complaints,
        result.evidence_files,
        result.inbound_replies,
        result.inbound_messages,
    )
