"""What a complainant does to their own case: the steps the machine gives them, with evidence."""

from __future__ import annotations

from complaints.intake.services import atomic_with_evidence
from complaints.machine import COMPLAINANT_STEPS
from complaints.models import Complaint, Evidence
from workflow import engine
from workflow.engine import Actor

# The steps a complainant may take from the tracking page, the API and SMS/WhatsApp.
COMPLAINANT_ACTIONS = COMPLAINANT_STEPS


def complainant_act(
    *,
    complaint: Complaint,
    name: str,
    via: str,
    message: str = "",
    files=(),
    expected_state: str | None = None,
):
    """A complainant's step (provide_info, object, withdraw) with any evidence that comes with it.

    The evidence rows and the step commit together or not at all (intake's atomic_with_evidence).
    """
    with atomic_with_evidence(files) as stored:
        log = engine.perform(
            complaint,
            name,
            actor=Actor.complainant(),
            via=via,
            expected_state=expected_state,
            message=message,
        )
        Evidence.objects.bulk_create(
            [Evidence(complaint=complaint, channel=via, **fields) for fields in stored]
        )
    return log
