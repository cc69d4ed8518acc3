"""Reads for filing a complaint: the form's reference lists and the API's identifiers."""

from __future__ import annotations

from django.utils.translation import get_language

from complaints import reference
from complaints.intake.widgets import grouped_options
from complaints.models import Agency, Category, Kind, Province, Regency, VulnerableGroup


def intake_form_context(form) -> dict:
    """The form, with the choices grouped the way a person looks for them, from the reference
    tables the process keeps (complaints.reference: no query). The two long lists (regencies and
    agencies, over a thousand options) come as ready <optgroup> HTML, built once per language
    while nothing is selected in them (a new form)."""
    provinces = list(reference.table("province").values())
    categories = list(reference.table("category").values())
    return {
        "form": form,
        "provinces": provinces,
        "regency_options": _options_html("regency", _regency_groups, form["regency"].value()),
        "agency_options": _options_html("agency", _agency_groups, form["agency"].value()),
        "own_agency_options": _options_html("agency", _agency_groups, form["own_agency"].value()),
        "categories": {
            kind: [c for c in categories if c.kind == kind] for kind in ("maladministrasi", "ham")
        },
    }


def _regency_groups() -> list:
    regencies: dict[str, list] = {}
    for regency in reference.table("regency").values():  # by name
        regencies.setdefault(regency.province_id, []).append((regency.code, regency.name))
    return [(p.name, regencies.get(p.code, [])) for p in reference.table("province").values()]


def _agency_groups() -> list:
    agencies = list(reference.table("agency").values())  # by name
    return [
        (label, [(a.pk, a.name) for a in agencies if a.level == level])
        for level, label in Agency.Level.choices
    ]


def _options_html(name: str, groups, selected) -> str:
    if selected not in (None, ""):
        return grouped_options(groups(), selected=selected)
    return reference.kept(("options", name, get_language()), lambda: grouped_options(groups(), selected=None))


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
