"""What a complainant does to their own case: the steps the machine gives them, with evidence."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.intake.services import atomic_with_evidence, evidence_record
from complaints.machine import COMPLAINANT_STEPS
from complaints.models import CaseMessage, Complaint, Confidentiality, DataRequest, Identity
from complaints.redaction import seal
from complaints.sanitize import clean_text
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
    A confidential or anonymous complainant's message goes into the thread and the audit trail
    with the identifiers in it masked; their own words are kept encrypted (redaction.seal).
    """
    original = ""
    if message and complaint.confidentiality != Confidentiality.OPEN:
        masked, sealed = seal({"message": message}, Identity.objects.filter(complaint=complaint).first())
        if sealed:
            original, message = message, masked["message"]
    with atomic_with_evidence(files) as stored:
        log = engine.perform(
            complaint,
            name,
            actor=Actor.complainant(),
            via=via,
            expected_state=expected_state,
            message=message,
        )
        if original:
            # The thread message the machine's hook wrote for this step, in this transaction.
            written = complaint.messages.filter(kind=CaseMessage.Kind.FROM_COMPLAINANT).latest("id")
            CaseMessage.objects.filter(pk=written.pk).update(sealed_body=original)
        evidence_record(complaint, channel=via, stored=stored)
    return log


# --- requests about one's personal data (UU 27/2022 PDP, docs/domain.md#personal-data) ------------
DATA_REQUEST_MAX_LENGTH = 5000
# Open requests one case may hold at once: enough for any real need, not enough to flood a queue.
DATA_REQUEST_MAX_OPEN = 5


@transaction.atomic
def data_request_create(*, complaint: Complaint, kind: str, text: str) -> DataRequest:
    """A correction, restriction or erasure request from the complainant of this case, due 3×24
    hours from now on the queue of the unit that sees the case. The text is kept encrypted and
    goes nowhere else: not into the thread, not into the audit trail, not into any message.

    ValidationError (by field, in the active language) for an unknown kind, an empty or too long
    text, or too many requests still open; nothing is created then."""
    errors: dict[str, list[str]] = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = [_("Pilih jenis permintaan: perbaikan, pembatasan pemrosesan, atau penghapusan.")]
    text = clean_text(text).strip()
    if not text:
        errors["text"] = [_("Tuliskan permintaan Anda: data mana dan apa yang Anda minta.")]
    elif len(text) > DATA_REQUEST_MAX_LENGTH:
        errors["text"] = [
            _("Permintaan terlalu panjang (paling banyak %(limit)d karakter).")
            % {"limit": DATA_REQUEST_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    # The case's row is the lock: two requests sent at once count each other.
    Complaint.objects.select_for_update().filter(pk=complaint.pk).exists()
    if complaint.data_requests.filter(state=DataRequest.Status.OPEN).count() >= DATA_REQUEST_MAX_OPEN:
        raise ValidationError(
            {
                "__all__": [
                    _(
                        "Anda sudah memiliki %(limit)d permintaan yang belum dijawab. "
                        "Tunggu jawabannya sebelum mengajukan yang baru."
                    )
                    % {"limit": DATA_REQUEST_MAX_OPEN}
                ]
            }
        )
    return DataRequest.objects.create(complaint=complaint, kind=kind, text=text)
