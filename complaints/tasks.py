import logging

from celery import shared_task

from .sweep import complaints_sweep

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
