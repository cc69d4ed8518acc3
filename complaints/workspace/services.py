"""Officers' writes that are not workflow steps: assignment, the thread, internal notes, answers to
complainants' requests about their personal data.

A claim or an assignment changes no state, but it is recorded in the case's audit trail
(workflow.engine.record_event: who, when, which case, to whom and from whom), in the same
transaction; the officers see it on the case page, the complainant never does."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import messaging
from complaints.identity import handles
from complaints.models import CaseMessage, Complaint, DataRequest, Role, User
from complaints.permissions import complaints_visible_to
from complaints.realtime import events as realtime
from complaints.sanitize import clean_text
from complaints.workspace.selectors import data_request_text_visible
from workflow import engine
from workflow.engine import Actor

WORKING_ROLES = (Role.INTAKE_OFFICER, Role.CASE_OFFICER, Role.SUPERVISOR)


def _may_work(officer, complaint: Complaint) -> bool:
    if officer.role == Role.ADMINISTRATOR:
        return True
    return officer.role in WORKING_ROLES and complaints_visible_to(officer).filter(pk=complaint.pk).exists()


def assignable_officers(complaint: Complaint):
    return User.objects.filter(unit_id=complaint.unit_id, is_active=True, role__in=WORKING_ROLES).order_by(
        "first_name", "username"
    )


def _officer(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.get_full_name() or user.username}


def _assignment(assignee, previous) -> dict:
    """What the audit row of a claim or an assignment says (the officers' names as they were
    then): officers only, never anything of the complainant."""
    return {"assignee": _officer(assignee), "previous": _officer(previous)}


@transaction.atomic
def complaint_claim(*, officer, complaint: Complaint, via: str = "web") -> Complaint:
    """Take an unassigned case of one's own unit (recorded in the audit trail as "claim";
    claiming a case one already holds changes and records nothing)."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if officer.unit_id != locked.unit_id or officer.role not in WORKING_ROLES:
        raise PermissionDenied
    if locked.assignee_id not in (None, officer.pk):
        raise ValidationError(_("Kasus ini sudah ditangani petugas lain."))
    if locked.assignee_id == officer.pk:
        return locked
    Complaint.objects.filter(pk=locked.pk).update(assignee=officer)
    locked.assignee = officer
    engine.record_event(
        locked, "claim", actor=Actor.officer(officer), via=via, fields=_assignment(officer, None)
    )
    realtime.broadcast_complaint_event_on_commit(locked, event="assigned", actor=officer)
    return locked


@transaction.atomic
def complaints_assign(
    *, supervisor, complaint_ids: list[int], assignee: User | None, via: str = "web"
) -> int:
    """A supervisor assigns (or unassigns) cases of their unit; returns how many were asked for.

    All or nothing: Complaint.DoesNotExist if any id is not a case of the unit, ValidationError
    if the assignee is not an active officer of every case's unit. Each case whose officer
    changes gets an "assign" row in its audit trail (who assigned whom, and who had it before)."""
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
    new_id = assignee.pk if assignee is not None else None
    changed = [case for case in cases if case.assignee_id != new_id]
    previous = User.objects.in_bulk({case.assignee_id for case in changed} - {None})
    engine.record_events(
        [(case, _assignment(assignee, previous.get(case.assignee_id))) for case in changed],
        "assign",
        actor=Actor.officer(supervisor),
        via=via,
    )
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
def api_token_create(*, user: User):
    """A new API token for this officer, alongside any they hold; returns (token, key).

    Only the key's SHA-512 digest is stored (django-rest-knox): the key exists in this return
    value and nowhere else, so the page shows it once. It expires after SIGAP_API_TOKEN_DAYS; an
    officer holds at most REST_KNOX["TOKEN_LIMIT_PER_USER"] unexpired tokens (ValidationError)."""
    # Imported here, as the token functions are the module's only users of them.
    from django.utils import timezone
    from knox.models import AuthToken
    from knox.settings import knox_settings

    from complaints.permissions import is_officer

    if not is_officer(user):
        raise PermissionDenied
    # One officer's two creations at once count each other: the account's row is the lock.
    User.objects.select_for_update().filter(pk=user.pk).exists()
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and AuthToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(
            _("Anda sudah memiliki %(limit)d token aktif. Cabut salah satu sebelum membuat yang baru.")
            % {"limit": limit}
        )
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, user: User, token_key: str | None = None) -> int:
    """Revoke one of this officer's own tokens (by the prefix the page shows), or all of them when
    no prefix is given; returns how many stopped working. Another officer's token is never found."""
    from knox.models import AuthToken

    tokens = AuthToken.objects.filter(user=user)
    if token_key is not None:
        if not token_key:
            return 0
        tokens = tokens.filter(token_key=token_key)
    deleted, _rows = tokens.delete()
    return deleted


# --- requests about personal data (UU 27/2022 PDP, docs/domain.md#personal-data) ------------------
DATA_ANSWER_MAX_LENGTH = 5000


@transaction.atomic
def data_request_answer(*, officer, data_request: DataRequest, outcome: str, answer: str) -> DataRequest:
    """An officer who handles the case answers a complainant's request: done or refused, with the
    answer the complainant reads on /lacak/data-saya/. Who and when stay on the row.

    PermissionDenied for anyone who does not handle the case; ValidationError when the officer may
    not read the request yet (a confidential case before the reveal), the outcome is unknown, the
    answer is empty, or the request was answered already."""
    complaint = data_request.complaint
    if not handles(officer, complaint):
        raise PermissionDenied
    if not data_request_text_visible(officer, complaint):
        raise ValidationError(_("Buka identitas pelapor dulu untuk membaca dan menjawab permintaan ini."))
    errors = []
    if outcome not in DataRequest.Outcome.values:
        errors.append(_("Pilih hasilnya: dilaksanakan atau ditolak."))
    answer = clean_text(answer).strip()
    if not answer:
        errors.append(_("Tuliskan jawaban untuk pelapor."))
    elif len(answer) > DATA_ANSWER_MAX_LENGTH:
        errors.append(
            _("Jawaban terlalu panjang (paling banyak %(limit)d karakter).")
            % {"limit": DATA_ANSWER_MAX_LENGTH}
        )
    if errors:
        raise ValidationError(errors)
    locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if locked.state != DataRequest.Status.OPEN:
        raise ValidationError(_("Permintaan ini sudah dijawab."))
    locked.state = DataRequest.Status.ANSWERED
    locked.outcome = outcome
    locked.answer = answer
    locked.answered_by = officer
    locked.answered_at = timezone.now()
    locked.save(update_fields=["state", "outcome", "answer", "answered_by", "answered_at"])
    return locked
