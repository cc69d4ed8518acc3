"""Who may see which complaints, and who may take each step of the complaint machine.

The roles and what each may do are in docs/domain.md#who-uses-sigap; complaints.machine names
these predicates as the ``allowed`` of each transition.
"""

from django.db.models import Q, QuerySet

from complaints.models import Complaint, Kind, Role, State, UnitKind
from workflow.engine import Actor


def is_officer(user) -> bool:
    """An active account with an officer role and a unit (an administrator needs no unit)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role
        and (user.role == Role.ADMINISTRATOR or user.unit_id is not None)
    )


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """The complaints this user's unit handles; none for anyone without a role and unit.

    An intake desk sees complaints still at an intake desk (a national desk: all of them, a
    provincial desk: its province's); a handling unit sees the complaints referred to it.
    """
    complaints = Complaint.objects.all()
    if not user.is_authenticated or not user.is_active:
        return complaints.none()
    if user.role == Role.ADMINISTRATOR:
        return complaints
    unit = user.unit
    if unit is None or not user.role:
        return complaints.none()
    if unit.kind == UnitKind.INTAKE:
        if unit.province_id is None:
            return complaints.filter(unit__kind=UnitKind.INTAKE)
        return complaints.filter(Q(unit=unit) | Q(unit__kind=UnitKind.INTAKE, province_id=unit.province_id))
    return complaints.filter(unit=unit)


# --- who may take a step ------------------------------------------------------------------------
def _officer(actor: Actor):
    return actor.user if actor.is_officer and actor.user.is_active else None


def is_admin(actor: Actor) -> bool:
    user = _officer(actor)
    return bool(user and user.role == Role.ADMINISTRATOR)


def at_intake_desk(complaint: Complaint, actor: Actor) -> bool:
    """An intake officer or supervisor of a desk that sees this case (or an administrator)."""
    user = _officer(actor)
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    if user.role not in (Role.INTAKE_OFFICER, Role.SUPERVISOR) or user.unit is None:
        return False
    if user.unit.kind != UnitKind.INTAKE:
        return False
    # One query per (case, officer), not one per transition: available_transitions asks this for
    # every intake step of the same instance. Keyed by the unit too: visibility follows the unit
    # (a referral moves the case away), so a memo copied onto the caller's object by perform
    # cannot answer for a case that moved.
    seen = complaint.__dict__.setdefault("_visible_to", {})
    key = (user.pk, complaint.unit_id)
    if key not in seen:
        seen[key] = complaints_visible_to(user).filter(pk=complaint.pk).exists()
    return seen[key]


def at_handling_unit(complaint: Complaint, actor: Actor) -> bool:
    """A case officer or supervisor of the unit the case was referred to (or an administrator)."""
    user = _officer(actor)
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return (
        user.role in (Role.CASE_OFFICER, Role.SUPERVISOR)
        and user.unit_id is not None
        and user.unit_id == complaint.unit_id
    )


def may_request_info(complaint: Complaint, actor: Actor) -> bool:
    if complaint.state in (State.EXAMINATION, State.INVESTIGATION):
        return at_handling_unit(complaint, actor)
    return at_intake_desk(complaint, actor)


def identified_at_intake_desk(complaint: Complaint, actor: Actor) -> bool:
    """The steps of a report under UU 37/2008 ps. 24: the complainant is identified."""
    return not complaint.is_anonymous and at_intake_desk(complaint, actor)


def anonymous_at_intake_desk(complaint: Complaint, actor: Actor) -> bool:
    """Anonymous information: taken up on the institution's own initiative, not referred as a report."""
    return complaint.is_anonymous and at_intake_desk(complaint, actor)


def on_ombudsman_route(complaint: Complaint, actor: Actor) -> bool:
    """The Ombudsman's own stages (investigation, LAHP, corrective action): maladministration."""
    return complaint.kind == Kind.MALADMINISTRATION and at_handling_unit(complaint, actor)


def may_issue_recommendation(complaint: Complaint, actor: Actor) -> bool:
    """The Ombudsman recommends when a corrective action was not carried out; the Kanwil HAM
    recommends from its analysis, clarification or facilitation."""
    if complaint.kind == Kind.MALADMINISTRATION:
        allowed = complaint.state == State.CORRECTIVE_ACTION
    else:
        allowed = complaint.state != State.CORRECTIVE_ACTION
    return allowed and at_handling_unit(complaint, actor)


def may_close(complaint: Complaint, actor: Actor) -> bool:
    if actor.is_system or is_admin(actor):
        return True
    user = _officer(actor)
    return bool(user and user.role == Role.SUPERVISOR and user.unit_id == complaint.unit_id)


def complainant(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_complainant


def system(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_system


# --- the desk, officers' documents, the cases a desk referred -----------------------------------
# docs/domain.md#desk-intake and docs/domain.md#documents.
def files_at_desk(user) -> bool:
    """Who files a complaint on a complainant's behalf (/petugas/lapor/): an intake officer or a
    supervisor of an intake desk, or an administrator."""
    if not is_officer(user):
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return user.role in (Role.INTAKE_OFFICER, Role.SUPERVISOR) and user.unit.kind == UnitKind.INTAKE


def may_attach_document(complaint: Complaint, actor: Actor) -> bool:
    """Who attaches a document to a case (a letter received, a clarification letter, a report): the
    officers who may act on it, as for its steps. The intake desk while the case is at a desk, the
    case officers and supervisor of the unit it was referred to, an administrator."""
    return at_intake_desk(complaint, actor) or at_handling_unit(complaint, actor)


# The steps that take a case away from the intake desk to a handling unit.
REFERRAL_STEPS = ("refer", "take_up_own_motion")


def complaints_referred_by(user) -> QuerySet[Complaint]:
    """The cases an officer of this user's intake desk referred (their audit trail holds a referral
    step taken by an officer of the desk). The desk finds them by their tracking code and reads them
    read-only (no step, no message, no identity): they are not part of complaints_visible_to, which
    says who handles a case. None for anyone not at an intake desk (an administrator sees every case
    anyway). Narrow it by code or id first: each row is checked on its own audit trail's index."""
    if not is_officer(user) or user.role == Role.ADMINISTRATOR or user.unit.kind != UnitKind.INTAKE:
        return Complaint.objects.none()
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Exists, OuterRef

    from workflow.models import TransitionLog

    referred = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=OuterRef("pk"),
        transition__in=REFERRAL_STEPS,
        actor__unit_id=user.unit_id,
    )
    return Complaint.objects.filter(Exists(referred))
