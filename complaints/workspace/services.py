"""Officers' writes that are not workflow steps: assignment, the thread, internal notes, answers to
complainants' requests about their personal data, documents attached to a case, desk intake.

A claim or an assignment changes no state, but it is recorded in the case's audit trail
(workflow.engine.record_event: who, when, which case, to whom and from whom), in the same
transaction; the officers see it on the case page, the complainant never does."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import messaging
from complaints.identity import handles
from complaints.intake.forms import validate_evidence
from complaints.intake.services import atomic_with_evidence, complaint_create, evidence_record
from complaints.models import (
    OPEN_STATES,
    OVERDUE_STATES,
    CaseMessage,
    Complaint,
    Confidentiality,
    DataRequest,
    DeskChannel,
    Evidence,
    HandlingUnit,
    Identity,
    Role,
    UnitKind,
    User,
)
from complaints.permissions import complaints_visible_to, files_at_desk, may_attach_document
from complaints.realtime import events as realtime
from complaints.redaction import mask_identifiers
from complaints.sanitize import clean_text
from complaints.urgency import SOURCE_OFFICER
from complaints.workspace.documents import DESK_DOCUMENT_KIND, DOCUMENT_KINDS, TITLE_MAX_LENGTH
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


@dataclass(frozen=True)
class AssignOutcome:
    """What an assignment did: ``changed`` cases got ``assignee`` (None: were released), ``unchanged``
    ones already had that officer (or none)."""

    assignee: User | None
    changed: int
    unchanged: int


def complaints_assign(
    *, supervisor, complaint_ids: list[int], assignee: User | None, via: str = "web"
) -> int:
    """A supervisor assigns (or unassigns) cases of their unit; returns how many were asked for
    (complaints_assign_outcome says how many changed)."""
    outcome = complaints_assign_outcome(
        supervisor=supervisor, complaint_ids=complaint_ids, assignee=assignee, via=via
    )
    return outcome.changed + outcome.unchanged


@transaction.atomic
def complaints_assign_outcome(
    *, supervisor, complaint_ids: list[int], assignee: User | None, via: str = "web"
) -> AssignOutcome:
    """A supervisor assigns (or, with None, releases) cases of their unit.

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
    return AssignOutcome(assignee=assignee, changed=len(changed), unchanged=len(cases) - len(changed))


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
        # On the audit trail: who wrote to the complainant and when (the words are in the thread).
        engine.record_event(complaint, "message_sent", actor=Actor.officer(officer), via="web")
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


# --- documents officers attach (docs/domain.md#documents) -----------------------------------------
def _document_title(complaint: Complaint, title: str) -> str:
    """The title as it is stored and recorded in the audit trail: plain text, and for a confidential
    or anonymous complaint with the complainant's identifiers masked (an officer may have typed
    "Surat dari Budi Santoso"; the list and the audit trail never name such a complainant)."""
    title = clean_text(title or "").strip()[:TITLE_MAX_LENGTH]
    if title and complaint.confidentiality != Confidentiality.OPEN:
        title = mask_identifiers(title, Identity.objects.filter(complaint=complaint).first())
    return title


def documents_record(
    *,
    officer,
    complaint: Complaint,
    stored: list[dict],
    kind: str,
    title: str = "",
    channel: str = "web",
    via: str = "web",
) -> list[Evidence]:
    """The rows of documents an officer attached, and a ``document_added`` event for each in the
    audit trail (kind and title, never the file). Call it inside ``atomic_with_evidence(uploads)``
    with the fields it yielded (``stored``): a step that comes with a document (a clarification
    letter with ``request_clarification``) stores its file the same way, in the step's transaction.
    The caller checked who may attach (may_attach_document) and validated the files."""
    if kind not in dict(DOCUMENT_KINDS):
        raise ValidationError({"kind": [_("Pilih jenis dokumen dari daftar.")]})
    title = _document_title(complaint, title)
    rows = evidence_record(
        complaint,
        channel=channel,
        stored=[
            {**fields, "uploaded_by": officer, "document_kind": kind, "title": title} for fields in stored
        ],
    )
    engine.record_events(
        [(complaint, {"kind": kind, "title": title}) for _row in rows],
        "document_added",
        actor=Actor.officer(officer),
        via=via,
    )
    return rows


def case_document_add(
    officer, complaint: Complaint, upload, kind: str, title: str, *, via: str = "web"
) -> Evidence:
    """An officer attaches one document to a case (the case page's form, or a later step's).

    PermissionDenied unless the officer may act on the case (complaints.permissions.
    may_attach_document: as for its steps); ValidationError for a kind not in the list, an empty
    title or a file evidence would refuse (type read from its bytes, size, name). The file is stored
    as evidence is (atomic_with_evidence: no orphan file if anything fails) and downloaded through
    the same permission-checked view."""
    if not may_attach_document(complaint, Actor.officer(officer)):
        raise PermissionDenied
    errors = {}
    if kind not in dict(DOCUMENT_KINDS):
        errors["kind"] = [_("Pilih jenis dokumen dari daftar.")]
    if not clean_text(title or "").strip():
        errors["title"] = [_("Tulis judul dokumen.")]
    try:
        validate_evidence([upload])
    except ValidationError as exc:
        errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with atomic_with_evidence([upload]) as stored:
        (row,) = documents_record(
            officer=officer, complaint=complaint, stored=stored, kind=kind, title=title, via=via
        )
    realtime.broadcast_complaint_event_on_commit(complaint, event="document", actor=officer)
    return row


# --- the desk: filing on a complainant's behalf (docs/domain.md#desk-intake) ------------------------
def desk_unit_for(officer, province_id: str) -> HandlingUnit | None:
    """The desk a complaint filed by this officer belongs to: the officer's own desk when it serves
    the complaint's province (a national desk serves every province); otherwise None, and the
    complaint goes to its province's desk as any other (HandlingUnit.objects.intake_desk_for)."""
    unit = officer.unit
    if unit is None or unit.kind != UnitKind.INTAKE or not unit.is_active:
        return None
    return unit if unit.province_id in (None, province_id) else None


def desk_complaint_file(
    *, officer, cleaned: dict, documents=(), language: str = "id", idempotency_key: str = ""
) -> tuple[Complaint, str]:
    """An intake officer files a complaint received in person, by letter, by phone or by email
    (``cleaned``: a valid DeskIntakeForm's data). The public intake path files it
    (complaint_create): the channel, the receiving officer and how consent was given are recorded,
    the officer is the actor of its first audit row, and the documents received are attached as
    the officer's ("surat masuk"), each with its audit event, in the same transaction. Returns the
    complaint and its PIN, shown once to the officer to hand over. ``idempotency_key``: the desk
    form's one-time token (complaint_create raises AlreadyFiled for a form sent again)."""
    if not files_at_desk(officer):
        raise PermissionDenied
    channel = cleaned["channel"]
    if channel not in DeskChannel.values:
        raise ValidationError({"channel": [_("Pilih cara pengaduan diterima.")]})
    with atomic_with_evidence(documents) as stored:
        complaint, pin = complaint_create(
            channel=channel,
            cleaned=cleaned,
            language=language,
            received_by=officer,
            unit=desk_unit_for(officer, cleaned["province"].pk),
            idempotency_key=idempotency_key,
        )
        documents_record(
            officer=officer, complaint=complaint, stored=stored, kind=DESK_DOCUMENT_KIND, channel=channel
        )
    return complaint, pin


# --- a new PIN at the desk (docs/domain.md#pin-recovery) ------------------------------------------
PIN_NOTE_MAX_LENGTH = 300


def may_reissue_pin(officer, complaint: Complaint) -> bool:
    """An officer who handles the case: an intake officer or supervisor of a desk that sees it, or a
    case officer or supervisor of the unit it was referred to. Never an administrator, who handles
    no case and never sees an identity to check a person against."""
    from complaints.identity import HANDLING_ROLES
    from complaints.permissions import at_handling_unit, at_intake_desk

    if not officer.is_authenticated or officer.role not in HANDLING_ROLES:
        return False
    # Each predicate checks the unit sees the case (at_intake_desk's answer is kept on the case, so
    # the case page that listed its steps asks the database nothing more).
    actor = Actor.officer(officer)
    return at_intake_desk(complaint, actor) or at_handling_unit(complaint, actor)


def pin_reissue_at_desk(*, officer, complaint: Complaint, note: str, via: str = "web") -> str:
    """A new PIN for a complainant in front of an officer who checked who they are; returned to be
    shown once to the officer, who hands it over in a sealed slip. The old PIN stops working at once
    (complaints.public.services.pin_replace). The audit trail records "pin_reissued": who, when,
    and the note saying how identity was checked (identifiers typed into it masked); never the PIN.

    PermissionDenied for an officer who may not (may_reissue_pin); ValidationError for a missing
    or too long note, a confidential identity the officer has not revealed (it is what the person
    is checked against), or a case whose personal data were erased (nothing left to check). An
    anonymous case has no identity: the officer notes how the person showed the complaint is theirs."""
    from complaints.identity import can_see_identity
    from complaints.models import Identity
    from complaints.public.services import pin_replace
    from complaints.redaction import mask_identifiers

    if not may_reissue_pin(officer, complaint):
        raise PermissionDenied
    note = clean_text(note or "").strip()
    if not note:
        raise ValidationError(
            _("Tuliskan bagaimana identitas pelapor diperiksa, misalnya: KTP diperiksa langsung.")
        )
    if len(note) > PIN_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Catatan terlalu panjang (paling banyak %(limit)d karakter).") % {"limit": PIN_NOTE_MAX_LENGTH}
        )
    identity = Identity.objects.filter(complaint=complaint).first()
    if not complaint.is_anonymous:
        if identity is None:
            raise ValidationError(
                _("Data pribadi pelapor sudah dihapus: identitasnya tidak dapat dicocokkan.")
            )
        if not can_see_identity(officer, complaint):
            raise ValidationError(
                _("Buka identitas pelapor dulu untuk mencocokkannya dengan orang di depan Anda.")
            )
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        return pin_replace(
            locked,
            actor=Actor.officer(officer),
            via=via,
            fields={"sent_to": "desk"},
            note=mask_identifiers(note, identity),
        )


# --- urgency: an officer confirms or changes it (docs/domain.md#urgency) ---------------------------
URGENCY_NOTE_MAX_LENGTH = 300
# A case's own stages, whose clock a change of urgency restarts under the new rule from the stage's
# start. Not the complainant's (awaiting_info, the objection window) nor the reported agency's.
URGENCY_CLOCK_STATES = OVERDUE_STATES


def may_review_urgency(officer, complaint: Complaint) -> bool:
    """Who confirms or changes whether a case is urgent: the officers who may act on it, as for its
    steps: an intake officer or supervisor of a desk that sees it, a case officer or supervisor of
    the unit it was referred to (an administrator passes every officer check). Only while it is open."""
    from complaints.permissions import at_handling_unit, at_intake_desk

    if not getattr(officer, "is_authenticated", False) or complaint.state not in OPEN_STATES:
        return False
    actor = Actor.officer(officer)
    return at_intake_desk(complaint, actor) or at_handling_unit(complaint, actor)


@transaction.atomic
def urgency_review(officer, complaint: Complaint, urgent: bool, note: str, *, via: str = "web") -> Complaint:
    """An officer confirms (``urgent`` as it is) or changes whether the case is urgent. The reason
    (``note``) is required for a change; for a confidential or anonymous complaint the identifiers
    typed into it are masked. The case's urgency then comes from the officer (urgency_source
    "officer", who and when); a change restarts the current stage's clock under the new rule from
    the stage's start (state_changed_at): an urgent case's shorter rule, or the usual one. The audit
    trail records "urgency_reviewed" with the decision, the one before it and who had made that.

    PermissionDenied for an officer who may not (may_review_urgency); ValidationError for a change
    without a reason or a reason that is too long."""
    from complaints.machine import due_for

    if not may_review_urgency(officer, complaint):
        raise PermissionDenied
    urgent = bool(urgent)
    note = clean_text(note or "").strip()
    if len(note) > URGENCY_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Alasan terlalu panjang (paling banyak %(limit)d karakter).")
            % {"limit": URGENCY_NOTE_MAX_LENGTH}
        )
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    previous, previous_source = locked.urgent, locked.urgency_source
    if urgent != previous and not note:
        raise ValidationError(_("Tuliskan alasan mengubah status mendesak kasus ini."))
    if note and locked.confidentiality != Confidentiality.OPEN:
        note = mask_identifiers(note, Identity.objects.filter(complaint=locked).first())
    now = timezone.now()
    locked.urgent = urgent
    locked.urgency_source = SOURCE_OFFICER
    locked.urgency_note = note
    locked.urgency_reviewed_at = now
    locked.urgency_reviewed_by = officer
    changed = ["urgent", "urgency_source", "urgency_note", "urgency_reviewed_at", "urgency_reviewed_by"]
    if urgent != previous and locked.state in URGENCY_CLOCK_STATES and locked.due_at is not None:
        locked.due_at = due_for(locked, locked.state, start=locked.state_changed_at)
        changed.append("due_at")
        if locked.due_at is not None and locked.due_at >= now:
            locked.overdue_flagged_at = None  # not late any more: flagged again if it becomes so
            changed.append("overdue_flagged_at")
    Complaint.objects.filter(pk=locked.pk).update(**{name: getattr(locked, name) for name in changed})
    engine.record_event(
        locked,
        "urgency_reviewed",
        actor=Actor.officer(officer),
        via=via,
        fields={"urgent": urgent, "previous": previous, "source": previous_source},
        note=note,
    )
    # The unit's live queue: "urgency_raised" (an alert) when the case has just become urgent.
    raised = urgent and not previous
    realtime.broadcast_complaint_event_on_commit(
        locked, event="urgency_raised" if raised else "urgency_reviewed", actor=officer
    )
    for name in changed:
        setattr(complaint, name, getattr(locked, name))
    return locked
