"""Who may see which complaints. The officer-workspace issue completes the role matrix."""

from django.db.models import Q, QuerySet

from .models import Complaint, Role, UnitKind


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
