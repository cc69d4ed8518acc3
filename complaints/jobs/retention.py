"""The end of personal data's retention (UU 27/2022 PDP): personal data is removed when its
retention period ends (docs/domain.md#retention).

A case that ended (closed, rejected, withdrawn or merged) more than SIGAP_RETENTION_DAYS ago loses:
1. the complainant's identity (name, NIK, phone, email, address, NIP, own agency): the row is deleted;
2. the identifiers the complainant typed into the description, the desired outcome, the location,
   their own messages on the case's thread and the audit trail's copy of those messages, masked as
   in a confidential case's referral letter (complaints/redaction.py); and the encrypted
   originals a confidential or anonymous case kept of them, and the texts of its data-subject
   requests and their answers;
3. the evidence: rows deleted and files removed from storage once the batch has committed;
4. the outbox messages' recipients and texts (the rows stay for the delivery figures).
Beside the cases, on every run: stored replies to texted messages are blanked after
SIGAP_INBOUND_REPLY_HOURS, the record of inbound messages goes after the retention period, and SMS
conversations left half-written (a LAPOR never finished) go a day after they timed out.
What stays, and why: the rest of the case (kind, category, agency, region, dates, outcome and the
masked text) for statistics and as the record of what the state did with a complaint; the audit
trail and the identity access log, which hold officers' actions and reasons, not the complainant's
data. The case then says when its personal data was removed (personal_data_erased_at).

"Ended" is measured from state_changed_at: an ended case never changes state again, so it is the
moment it ended. Batched and set-based; on PostgreSQL each batch locks its rows with SKIP LOCKED,
so two runs at once share the work; personal_data_erased_at makes a second run find nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone, translation

from complaints import messaging
from complaints.machine import COMPLAINANT_STEPS
from complaints.models import CaseMessage, Complaint, DataRequest, Evidence, Identity, NotifyChannel, State
from complaints.redaction import redact_identity
from notifications.inbound import conversations_purge_expired, inbound_messages_purge, inbound_replies_forget
from notifications.outbox import messages_forget
from workflow.models import TransitionLog

logger = logging.getLogger(__name__)

ENDED = (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.DUPLICATE)
# What the complainant typed about the case.
TYPED_FIELDS = ("description", "desired_outcome", "location")


@dataclass
class RetentionResult:
    complaints: int
    evidence_files: int
    inbound_replies: int
    inbound_messages: int
    conversations: int = 0


def personal_data_erase_expired(*, now=None, batch_size: int = 500) -> RetentionResult:
    now = now or timezone.now()
    retention = datetime.timedelta(days=settings.SIGAP_RETENTION_DAYS)
    complaints = files = 0
    while True:
        erased, removed = _erase_batch(cutoff=now - retention, now=now, batch_size=batch_size)
        complaints += erased
        files += removed
        if erased < batch_size:
            break
    return RetentionResult(
        complaints=complaints,
        evidence_files=files,
        inbound_replies=inbound_replies_forget(
            older_than=datetime.timedelta(hours=settings.SIGAP_INBOUND_REPLY_HOURS), now=now
        ),
        inbound_messages=inbound_messages_purge(older_than=retention, now=now),
        conversations=conversations_purge_expired(now=now),
    )


def _erase_batch(*, cutoff, now, batch_size: int) -> tuple[int, int]:
    with transaction.atomic():
        due = Complaint.objects.filter(
            state__in=ENDED, state_changed_at__lt=cutoff, personal_data_erased_at__isnull=True
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        cases = list(
            due.only(
                "pk", "description", "desired_outcome", "location", "agency_name", "agency__name"
            ).select_related("agency")[:batch_size]
        )
        if not cases:
            return 0, 0
        ids = [case.pk for case in cases]
        identities = {
            identity.complaint_id: identity
            for identity in Identity.objects.filter(complaint_id__in=ids).select_related("own_agency")
        }
        # The mask is stored text: in the language the case files are kept in.
        with translation.override(settings.LANGUAGE_CODE):
            for case in cases:
                for field in TYPED_FIELDS:
                    setattr(case, field, _masked(getattr(case, field), identities.get(case.pk), case))
                case.sealed_text = ""
            own_words = list(
                CaseMessage.objects.filter(complaint_id__in=ids, kind=CaseMessage.Kind.FROM_COMPLAINANT)
            )
            by_case = {case.pk: case for case in cases}
            for message in own_words:
                message.body = _masked(
                    message.body, identities.get(message.complaint_id), by_case[message.complaint_id]
                )
                message.sealed_body = ""
            # The audit trail keeps a copy of what the complainant wrote with each of their steps.
            steps = list(
                TransitionLog.objects.filter(
                    content_type=ContentType.objects.get_for_model(Complaint),
                    object_id__in=ids,
                    transition__in=COMPLAINANT_STEPS,
                ).exclude(fields={})
            )
            for log in steps:
                if log.fields.get("message"):
                    log.fields = {
                        **log.fields,
                        "message": _masked(
                            log.fields["message"], identities.get(log.object_id), by_case[log.object_id]
                        ),
                    }
        Complaint.objects.bulk_update(cases, [*TYPED_FIELDS, "sealed_text"])
        CaseMessage.objects.bulk_update(own_words, ["body", "sealed_body"])
        TransitionLog.objects.bulk_update(steps, ["fields"])
        Complaint.objects.filter(pk__in=ids).update(
            personal_data_erased_at=now, notify_channel=NotifyChannel.NONE
        )
        Identity.objects.filter(complaint_id__in=ids).delete()
        # A data-subject request may quote the very data it is about.
        DataRequest.objects.filter(complaint_id__in=ids).update(text="", answer="")
        evidence = Evidence.objects.filter(complaint_id__in=ids)
        names = [name for name in evidence.values_list("file", flat=True) if name]
        evidence.delete()
        messages_forget([messaging.message_reference(pk) for pk in ids])
        # After the commit: a rolled-back batch must not leave evidence rows whose files are gone.
        transaction.on_commit(lambda: _remove_files(names))
    return len(ids), len(names)


def _masked(text: str, identity: Identity | None, case: Complaint) -> str:
    return redact_identity(text, identity, keep=case.agency.name if case.agency_id else case.agency_name)


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone: the row that pointed at it is gone too
            logger.warning("retention: could not remove evidence file %s", name)
