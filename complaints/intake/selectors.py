"""Reads for filing a complaint: the form's reference lists and the API's identifiers."""

from __future__ import annotations

from complaints.intake.widgets import grouped_options
from complaints.models import Agency, Category, Kind, Province, Regency, VulnerableGroup


def intake_form_context(form) -> dict:
    """The form, with the choices grouped the way a person looks for them (no per-field queries).
    The two long lists (regencies and agencies) come as ready <optgroup> HTML."""
    provinces = list(Province.objects.order_by("name"))
    regencies: dict[str, list] = {}
    for code, name, province in Regency.objects.order_by("name").values_list("code", "name", "province_id"):
        regencies.setdefault(province, []).append((code, name))
    agencies = list(
        Agency.objects.filter(is_active=True).order_by("level", "name").values_list("pk", "name", "level")
    )
    agency_groups = [
        (label, [(pk, name) for pk, name, of_level in agencies if of_level == level])
        for level, label in Agency.Level.choices
    ]
    categories = list(Category.objects.filter(is_active=True))
    return {
        "form": form,
        "provinces": provinces,
        "regency_options": grouped_options(
            [(p.name, regencies.get(p.code, [])) for p in provinces], selected=form["regency"].value()
        ),
        "agency_options": grouped_options(agency_groups, selected=form["agency"].value()),
        "own_agency_options": grouped_options(agency_groups, selected=form["own_agency"].value()),
        "categories": {
            kind: [c for c in categories if c.kind == kind] for kind in ("maladministrasi", "ham")
        },
    }


def intake_reference_data() -> dict:
    """The identifiers an API client sends when filing: one query per table, nothing per row."""
    return {
        "kinds": [{"value": value, "label": str(label)} for value, label in Kind.choices],
        "categories": [
            {"id": c.pk, "code": c.code, "kind": c.kind, "name_id": c.name_id, "name_en": c.name_en}
            for c in Category.objects.filter(is_active=True).order_by("kind", "order", "name_id")
        ],
        "vulnerable_groups": [
            {"id": g.pk, "code": g.code, "name_id": g.name_id, "name_en": g.name_en}
            for g in VulnerableGroup.objects.order_by("order", "name_id")
        ],
        "provinces": [{"code": p.code, "name": p.name} for p in Province.objects.order_by("name")],
        "regencies": [
            {"code": r.code, "province": r.province_id, "name": r.name}
            for r in Regency.objects.order_by("code").only("code", "name", "province_id")
        ],
        "agencies": [
            {"id": a.pk, "name": a.name, "level": a.level}
            for a in Agency.objects.filter(is_active=True)
            .only("id", "name", "level")
            .order_by("level", "name")
        ],
    }
