"""Which unit handles a complaint: the province's intake desk, then the destination of referral."""

from complaints.models import HandlingUnit, Kind, UnitKind

DESTINATION_KIND = {Kind.MALADMINISTRATION: UnitKind.OMBUDSMAN, Kind.HAM: UnitKind.KANWIL_HAM}


def intake_desk_for(province_id: str | None) -> HandlingUnit:
    """The province's intake desk, or the national desk where the province has none."""
    desks = {
        unit.province_id: unit
        for unit in HandlingUnit.objects.filter(
            kind=UnitKind.INTAKE, is_active=True, province_id__in=[province_id]
        )
        | HandlingUnit.objects.filter(kind=UnitKind.INTAKE, is_active=True, province__isnull=True)
    }
    return desks.get(province_id) or desks[None]


def destination_for(*, kind: str, province_id: str | None) -> HandlingUnit | None:
    """The default referral destination: the Ombudsman RI office (maladministration) or the
    Kanwil Kementerian HAM (HAM) of the complaint's province. None when the kind is undecided."""
    unit_kind = DESTINATION_KIND.get(kind)
    if unit_kind is None:
        return None
    return HandlingUnit.objects.filter(kind=unit_kind, province_id=province_id, is_active=True).first()
