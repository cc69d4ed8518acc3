"""The scorecard's figures for every scope at once, for one period: counted, suppressed, ranked.

A snapshot holds, for the country, each province, each regency and each listed agency, the
counts that may be shown (docs/domain.md#public-scorecard): counted by complaints/figures.py (the
same queries as the officers' dashboard), small counts and their complements held back by
complaints/scorecard/suppression.py over all scopes together (so that no page, and no two pages
side by side, give a hidden count back), and each agency's place among its peers. It is built in
a fixed number of queries (reference data, five GROUP BY queries per kind of scope, the national
medians' sample) and kept in the cache by complaints/scorecard/cache.py.

Scopes: "n" (the country), "p:<province>", "r:<regency>", "a:<agency id>"; the pseudo-scopes
"x:p:<province>" (complaints in the province with no regency given) and "x:a" (complaints whose
agency is not on the list) are never shown.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from complaints import figures
from complaints.models import (
    Agency,
    Category,
    Complaint,
    FollowUp,
    Kind,
    Province,
    Regency,
    State,
    VulnerableGroup,
)
from complaints.scorecard.suppression import THRESHOLD, Relation, Table, shown_values, suppress

MAX_MONTHS = 36
EARLIEST = date(2000, 1, 1)
NATIONAL = "n"
NO_AGENCY = "x:a"
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class PeriodInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """Whole calendar months, ``first`` to ``last`` (both the first day of their month)."""

    first: date
    last: date

    @classmethod
    def default(cls, now: datetime | None = None) -> Period:
        """The last 12 months, the current one included."""
        months = figures.months_back(now or timezone.now(), 12)
        return cls(months[0].date(), months[-1].date())

    @classmethod
    def parse(cls, first: str | None, last: str | None, *, now: datetime | None = None) -> Period:
        """From ``YYYY-MM`` strings; either may be missing (then the default's). PeriodInvalid when
        a month is unreadable, the first after the last, the last in the future, the first before
        2000, or the span longer than MAX_MONTHS."""
        default = cls.default(now)
        try:
            start = cls._month(first) if first else None
            end = cls._month(last) if last else None
        except ValueError as exc:
            raise PeriodInvalid(str(exc)) from exc
        if start is None and end is None:
            return default
        end = end or default.last
        start = start or max(_add(end, -11), EARLIEST)
        if start > end:
            raise PeriodInvalid("from after to")
        if end > default.last:
            raise PeriodInvalid("in the future")
        if start < EARLIEST:
            raise PeriodInvalid("before 2000")
        if _span(start, end) > MAX_MONTHS:
            raise PeriodInvalid("too long")
        return cls(start, end)

    @staticmethod
    def _month(text: str) -> date:
        match = _MONTH.fullmatch(text.strip())
        if not match:
            raise ValueError("not YYYY-MM")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError("no such month")
        return date(year, month, 1)

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime(self.first.year, self.first.month, 1))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        following = _add(self.last, 1)
        return timezone.make_aware(datetime(following.year, following.month, 1))

    @property
    def months(self) -> list[str]:
        return [f"{_add(self.first, n):%Y-%m}" for n in range(_span(self.first, self.last))]


def _add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _span(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


# --- the cells -----------------------------------------------------------------------------------
FOLLOW_UPS = (FollowUp.ON_TIME, FollowUp.LATE, FollowUp.IGNORED)


def within_scope_relations(months: list[str], category_keys: dict[str, list[str]]) -> list[tuple]:
    """(total, members) of the sums every scope's figures obey (keys only)."""
    relations = [
        ("received", [f"kind:{kind}" for kind in Kind.values]),
        ("received", [f"status:{bucket}" for bucket in figures.STATUS_BUCKETS]),
        ("received", [f"month:{month}" for month in months]),
        ("clarification:asked", ["clarification:on_time", "clarification:late"]),
        ("finding:total", ["finding:found", "finding:not_found"]),
        ("ham:total", ["ham:indicated", "ham:not_indicated"]),
        ("corrective:total", [f"corrective:{r}" for r in FOLLOW_UPS]),
        ("recommendation:total", [f"recommendation:{r}" for r in FOLLOW_UPS]),
        ("followup:asked", ["clarification:asked", "corrective:total", "recommendation:total"]),
        ("followup:on_time", ["clarification:on_time", "corrective:on_time", "recommendation:on_time"]),
    ]
    relations += [(f"kind:{kind}", keys) for kind, keys in category_keys.items()]
    return relations


def _month_label(moment: datetime) -> str:
    year, month = figures.month_key(moment)
    return f"{year:04d}-{month:02d}"


def _handling_keys(row: dict) -> list[str]:
    keys = [f"status:{figures.status_bucket(row['state'])}"]
    if row["state"] == State.WITHDRAWN:
        return keys  # counted as received, never in what the agency did or what was found
    asked = on_time = 0
    if row["clarification_on_time"] is not None:
        answered = "on_time" if row["clarification_on_time"] else "late"
        keys += ["clarification:asked", f"clarification:{answered}"]
        asked += 1
        on_time += answered == "on_time"
    if row["finding"]:
        keys += ["finding:total", f"finding:{row['finding']}"]
    if row["ham_finding"]:
        keys += ["ham:total", f"ham:{row['ham_finding']}"]
    for field_name, prefix in (
        ("corrective_action_result", "corrective"),
        ("recommendation_result", "recommendation"),
    ):
        if row[field_name]:
            keys += [f"{prefix}:total", f"{prefix}:{row[field_name]}"]
            asked += 1
            on_time += row[field_name] == FollowUp.ON_TIME
    keys += ["followup:asked"] * asked + ["followup:on_time"] * on_time
    return keys


def count_cells(families: dict[str, list[dict]], scopes_of) -> dict[str, dict[str, int]]:
    """scope → key → count, from figures.scorecard_counts' rows; ``scopes_of(row)`` names the
    scopes a row counts in."""
    values: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(row, keys):
        for scope in scopes_of(row):
            cells = values[scope]
            for key in keys:
                cells[key] += row["n"]

    for row in families["kinds"]:
        keys = ["received", f"kind:{row['kind']}", f"category:{row['kind']}:{row['category_id'] or 'none'}"]
        if row.get("urgent"):
            keys.append("urgent:received")  # urgent (mendesak) complaints, docs/domain.md#urgency
        add(row, keys)
    for row in families["handling"]:
        add(row, _handling_keys(row))
    for row in families["received"]:
        add(row, [f"month:{_month_label(row['month'])}"])
    for row in families["resolved"]:
        add(row, [f"resolved:{_month_label(row['month'])}"])
    for row in families["vulnerable"]:
        add(row, [f"vulnerable:{row['vulnerable_groups__code']}"])
    return {scope: dict(cells) for scope, cells in values.items()}


# --- the snapshot --------------------------------------------------------------------------------
@dataclass
class Snapshot:
    period: Period
    computed_at: datetime
    cells: dict[str, dict[str, int]]  # scope → the counts that may be shown
    withheld: dict[str, frozenset[str]]  # scope → the keys hidden as complements (the rest: "< 5")
    provinces: dict[str, str]  # code → name
    regencies: dict[str, tuple[str, str]]  # code → (name, province code)
    agencies: dict[int, tuple[str, str, str | None, str | None]]  # id → (name, level, province, regency)
    categories: dict[str, list[tuple[int, str, str]]]  # kind → [(id, name_id, name_en)] in order
    vulnerable_groups: list[tuple[str, str, str]]  # (code, name_id, name_en) in order
    ranks: dict[int, dict] = field(default_factory=dict)  # agency id → its places among its peers
    medians: dict[str, list[dict]] = field(default_factory=dict)  # scope → stage medians (precomputed)
    generation: str = ""
    ttl: int = 0  # how long the cache keeps it (complaints/scorecard/cache.py)

    def shown(self, scope: str) -> dict[str, int]:
        return self.cells.get(scope, {})

    def complements(self, scope: str) -> frozenset[str]:
        return self.withheld.get(scope, frozenset())


def _reference():
    db = settings.SIGAP_REPORTING_DATABASE
    provinces = dict(Province.objects.using(db).order_by("name").values_list("code", "name"))
    regencies = {
        code: (name, province)
        for code, name, province in Regency.objects.using(db)
        .order_by("name")
        .values_list("code", "name", "province_id")
    }
    agencies = {
        pk: (name, level, province, regency)
        for pk, name, level, province, regency in Agency.objects.using(db)
        .order_by("name", "id")
        .values_list("id", "name", "level", "province_id", "regency_id")
    }
    categories: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in Kind.values}
    for pk, kind, name_id, name_en in (
        Category.objects.using(db)
        .order_by("kind", "order", "name_id")
        .values_list("id", "kind", "name_id", "name_en")
    ):
        categories.setdefault(kind, []).append((pk, name_id, name_en))
    groups = list(
        VulnerableGroup.objects.using(db)
        .order_by("order", "name_id")
        .values_list("code", "name_id", "name_en")
    )
    return provinces, regencies, agencies, categories, groups


def received(period: Period):
    """The complaints a period's scorecard counts (figures.received_between), from the reporting database."""
    return figures.received_between(figures.reporting(Complaint.objects.all()), period.start, period.end)


def scope_complaints(period: Period, scope: str, regencies: dict[str, tuple[str, str]] | None = None):
    base = received(period)
    if scope == NATIONAL:
        return base
    kind, _sep, code = scope.partition(":")
    if kind == "p":
        return base.filter(province_id=code)
    if kind == "r":
        province = (regencies or {}).get(code, ("", None))[1]
        return (
            base.filter(regency_id=code, province_id=province) if province else base.filter(regency_id=code)
        )
    if kind == "a":
        return base.filter(agency_id=int(code))
    raise ValueError(scope)


URGENT_MEDIANS = "n:urgent"  # the national stage medians of urgent complaints


def stage_medians(complaints) -> list[dict]:
    """The dashboard's stage medians (figures.stage_medians over its sample), a median over fewer
    than THRESHOLD cases held back with its count."""
    rows = []
    for row in figures.stage_medians(figures.sample_history(complaints)):
        shown = row.cases >= THRESHOLD
        rows.append(
            {
                "source": row.source,
                "target": row.target,
                "median_days": row.median_days if shown else None,
                "cases": row.cases if shown else None,
            }
        )
    return rows


def build(period: Period, *, now: datetime | None = None) -> Snapshot:
    """Count, suppress and rank every scope's figures for ``period``."""
    provinces, regencies, agencies, categories, groups = _reference()
    base = received(period)
    region_rows = figures.scorecard_counts(
        base, by=("province_id", "regency_id"), start=period.start, end=period.end
    )
    agency_rows = figures.scorecard_counts(base, by=("agency_id",), start=period.start, end=period.end)

    def region_scopes(row):
        province, regency = row["province_id"], row["regency_id"]
        local = (
            f"r:{regency}"
            if regency and regencies.get(regency, ("", None))[1] == province
            else f"x:p:{province}"
        )
        return (NATIONAL, f"p:{province}", local)

    def agency_scopes(row):
        return (f"a:{row['agency_id']}",) if row["agency_id"] in agencies else (NO_AGENCY,)

    values = count_cells(region_rows, region_scopes)
    values.update(count_cells(agency_rows, agency_scopes))

    # The categories each kind's total splits into: the kind's own, any other seen with it, none.
    national = values.get(NATIONAL, {})
    category_keys = {
        kind: [f"category:{kind}:{pk}" for pk, _id, _en in categories.get(kind, [])]
        + [f"category:{kind}:none"]
        for kind in Kind.values
    }
    for key in national:
        if key.startswith("category:"):
            kind = key.split(":")[1]
            if key not in category_keys.setdefault(kind, []):
                category_keys[kind].append(key)

    relations: list[Relation] = []
    for scope in values:
        for total, members in within_scope_relations(period.months, category_keys):
            relations.append(Relation((scope, total), [(scope, key) for key in members]))
    # Across scopes, only those that hold complaints: a scope with none holds only zeros, which
    # need no complement and give none (suppression.py).
    regencies_of: dict[str, list[str]] = defaultdict(list)
    for code, (_name, province) in regencies.items():
        regencies_of[province].append(code)
    province_scopes = [f"p:{p}" for p in provinces if f"p:{p}" in values]
    regency_scopes = {
        scope: [f"r:{r}" for r in regencies_of[scope[2:]] if f"r:{r}" in values] + [f"x:{scope}"]
        for scope in province_scopes
    }
    agency_members = [f"a:{a}" for a in agencies if f"a:{a}" in values] + [NO_AGENCY]
    for key in national:
        relations.append(Relation((NATIONAL, key), [(scope, key) for scope in province_scopes]))
        for province, members in regency_scopes.items():
            relations.append(Relation((province, key), [(scope, key) for scope in members]))
        relations.append(Relation((NATIONAL, key), [(scope, key) for scope in agency_members]))

    table = Table(values=values, relations=relations, free=lambda scope: scope.startswith("x:"))
    hidden = suppress(table)
    complements: dict[str, set[str]] = defaultdict(set)
    for scope, key in hidden:
        if not scope.startswith("x:"):
            complements[scope].add(key)
    shown_scopes = [scope for scope in values if not scope.startswith("x:")]
    snapshot = Snapshot(
        period=period,
        computed_at=now or timezone.now(),
        cells=shown_values(table, hidden, shown_scopes),
        withheld={scope: frozenset(keys) for scope, keys in complements.items()},
        provinces=provinces,
        regencies=regencies,
        agencies=agencies,
        categories=categories,
        vulnerable_groups=groups,
    )
    snapshot.ranks = ranks(snapshot)
    snapshot.medians[NATIONAL] = stage_medians(base)
    # How fast urgent cases were handled, beside all cases: the same stages over urgent ones only.
    snapshot.medians[URGENT_MEDIANS] = stage_medians(base.filter(urgent=True))
    return snapshot


# --- places among peers --------------------------------------------------------------------------
def compliance(shown: dict[str, int]) -> float | None:
    """The share of the agency's answers and follow-ups done on time (clarifications answered,
    corrective actions and recommendations carried out), when both counts may be shown."""
    asked, on_time = shown.get("followup:asked"), shown.get("followup:on_time")
    if asked is None or on_time is None:
        return None
    return round(100 * on_time / asked, 1)


def peers_key(agency: tuple) -> tuple[str, str | None]:
    """Agencies of the same level in the same province (the central ones: the whole country)."""
    _name, level, province, _regency = agency
    return (level, province)


def ranks(snapshot: Snapshot) -> dict[int, dict]:
    """Each agency's place among its peers by complaints received (most first) and by compliance
    (highest first); only agencies whose figure may be shown are ranked (competition ranking:
    equal figures share a place)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, agency in snapshot.agencies.items():
        groups[peers_key(agency)].append(pk)
    places: dict[int, dict] = {}
    for members in groups.values():
        received = {pk: snapshot.shown(f"a:{pk}").get("received") for pk in members}
        rates = {pk: compliance(snapshot.shown(f"a:{pk}")) for pk in members}
        received_ranked = sorted(v for v in received.values() if v is not None)
        rates_ranked = sorted(v for v in rates.values() if v is not None)
        for pk in members:
            places[pk] = {
                "peers": len(members),
                "received": _place(received[pk], received_ranked),
                "received_of": len(received_ranked),
                "compliance": _place(rates[pk], rates_ranked),
                "compliance_of": len(rates_ranked),
                "compliance_rate": rates[pk],
            }
    return places


def _place(value, ranked: list) -> int | None:
    """1 + how many are higher (``ranked`` in ascending order)."""
    if value is None:
        return None
    return 1 + len(ranked) - bisect.bisect_right(ranked, value)
