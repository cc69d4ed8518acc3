"""Who may see which complaints, and who may take each step of the complaint machine.

The roles and what each may do are in docs/domain.md#who-uses-sigap; complaints.machine names
these predicates as the ``allowed`` of each transition.
"""

from django.db.models import Q, QuerySet

from complaints.models import Complaint, Role, State, UnitKind
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
    if complaint.state == State.EXAMINATION:
        return at_handling_unit(complaint, actor)
    return at_intake_desk(complaint, actor)


def may_close(complaint: Complaint, actor: Actor) -> bool:
    if actor.is_system or is_admin(actor):
        return True
    user = _officer(actor)
    return bool(user and user.role == Role.SUPERVISOR and user.unit_id == complaint.unit_id)


def complainant(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_complainant


def system(complaint: Complaint, actor: Actor) -> bool:
    return actor.is_system
