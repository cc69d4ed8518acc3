"""Officers' writes that are not workflow steps: assignment, the thread, internal notes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import messaging
from complaints.models import CaseMessage, Complaint, Role, User
from complaints.permissions import complaints_visible_to
from complaints.realtime import events as realtime
from complaints.sanitize import clean_text

WORKING_ROLES = (Role.INTAKE_OFFICER, Role.CASE_OFFICER, Role.SUPERVISOR)


def _may_work(officer, complaint: Complaint) -> bool:
    if officer.role == Role.ADMINISTRATOR:
        return True
    return officer.role in WORKING_ROLES and complaints_visible_to(officer).filter(pk=complaint.pk).exists()


def assignable_officers(complaint: Complaint):
    return User.objects.filter(unit_id=complaint.unit_id, is_active=True, role__in=WORKING_ROLES).order_by(
        "first_name", "username"
    )


@transaction.atomic
def complaint_claim(*, officer, complaint: Complaint) -> Complaint:
    """Take an unassigned case of one's own unit."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if officer.unit_id != locked.unit_id or officer.role not in WORKING_ROLES:
        raise PermissionDenied
    if locked.assignee_id not in (None, officer.pk):
        raise ValidationError(_("Kasus ini sudah ditangani petugas lain."))
    Complaint.objects.filter(pk=locked.pk).update(assignee=officer)
    locked.assignee = officer
    realtime.broadcast_complaint_event_on_commit(locked, event="assigned", actor=officer)
    return locked


@transaction.atomic
def complaints_assign(*, supervisor, complaint_ids: list[int], assignee: User | None) -> int:
    """A supervisor assigns (or unassigns) cases of their unit; returns how many changed.

    All or nothing: Complaint.DoesNotExist if any id is not a case of the unit, ValidationError
    if the assignee is not an active officer of every case's unit."""
    if supervisor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise PermissionDenied
    cases = list(complaints_visible_to(supervisor).filter(pk__in=complaint_ids).select_for_update())
    if supervisor.role == Role.SUPERVISOR:
        cases = [c for c in cases if c.unit_id == supervisor.unit_id]
    if len(cases) != len(set(complaint_ids)):
        # Another unit's case (or none at all): the caller answers 404, as for any guessed id.
        raise Complaint.DoesNotExist
    for case in cases:
        if assignee is not None and (
            assignee.unit_id != case.unit_id or assignee.role not in WORKING_ROLES or not assignee.is_active
        ):
            raise ValidationError(_("Petugas itu bukan anggota unit yang menangani kasus ini."))
    Complaint.objects.filter(pk__in=[c.pk for c in cases]).update(assignee=assignee)
    for case in cases:
        case.assignee = assignee
        realtime.broadcast_complaint_event_on_commit(case, event="assigned", actor=supervisor)
    return len(cases)


@transaction.atomic
def thread_post(*, officer, complaint: Complaint, body: str, internal: bool) -> CaseMessage:
    """A message to the complainant (they hear of it on their channel and read it at /lacak/),
    or an internal note the complainant never sees."""
    if not _may_work(officer, complaint):
        raise PermissionDenied
    body = clean_text(body)
    if not body:
        raise ValidationError(_("Pesan tidak boleh kosong."))
    message = CaseMessage.objects.create(
        complaint=complaint,
        kind=CaseMessage.Kind.INTERNAL if internal else CaseMessage.Kind.TO_COMPLAINANT,
        author=officer,
        body=body,
        channel="web",
    )
    if not internal:
        messaging.enqueue_thread_message(complaint, body=body)
    realtime.broadcast_complaint_event_on_commit(
        complaint, event="note" if internal else "message", actor=officer
    )
    return message


@transaction.atomic
def api_token_renew(*, user: User) -> str:
    """A new API token for this officer (any old one stops working); returns its key."""
    from rest_framework.authtoken.models import Token

    if not user.role:
        raise PermissionDenied
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def api_token_revoke(*, user: User) -> bool:
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)
