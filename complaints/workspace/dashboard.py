"""Figures for the officers' dashboard (/petugas/dasbor/): one unit, or the whole country.

Every figure is a GROUP BY over the complaints the user may see (complaints_visible_to), so the
dashboard costs a fixed number of queries however many complaints there are. Medians are taken
in Python over a bounded sample (the most recent MEDIAN_SAMPLE complaints) so the same code runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import figures
from complaints.figures import MEDIAN_SAMPLE, STAGES, StageRow  # noqa: F401 - this module's names before
from complaints.models import OPEN_STATES, OVERDUE_STATES, Complaint, HandlingUnit, Kind, Role, State
from complaints.permissions import complaints_visible_to
from workflow.models import ActorKind

TOP = 10
MONTHS = 12


@dataclass
class Bar:
    label: str
    count: int
    percent: float = 0.0  # of the largest bar in its chart: the bar's drawn width


@dataclass
class MonthRow:
    month: datetime
    received: int
    resolved: int
    received_percent: float = 0.0
    resolved_percent: float = 0.0


@dataclass
class UrgencyRow:
    """Median days from filing to a milestone, urgent cases beside the others
    (docs/domain.md#workload)."""

    label: str
    urgent_median: float | None
    urgent_cases: int
    other_median: float | None
    other_cases: int


@dataclass
class Dashboard:
    scope_label: str
    total: int
    by_state: list[Bar]
    by_kind: list[Bar]
    by_category: list[Bar]
    by_province: list[Bar]
    by_agency: list[Bar]
    months: list[MonthRow]
    stages: list[StageRow]
    resolved_total: int
    resolved_on_time: int
    overdue_by_unit: list[Bar]
    # Urgent cases (Complaint.urgent): how many, how many still open, and how fast they were handled.
    urgent_total: int = 0
    urgent_open: int = 0
    urgency_speed: list[UrgencyRow] = field(default_factory=list)
    units: list[HandlingUnit] = field(default_factory=list)  # the ?unit= choices (administrators)
    unit_id: int | None = None

    @property
    def on_time_percent(self) -> float | None:
        if not self.resolved_total:
            return None
        return round(100 * self.resolved_on_time / self.resolved_total, 1)


def dashboard_scope_for(user, *, unit_id: int | None = None) -> tuple[QuerySet[Complaint], str]:
    """The complaints this dashboard counts and a label for them.

    Officers and supervisors: what their unit sees (the same rule as the queue; ?unit= is
    ignored). Administrators: the whole country, or one unit with ?unit=.
    """
    # Counting a whole unit, or the country, may read a replica a moment behind (settings).
    complaints = complaints_visible_to(user).using(settings.SIGAP_REPORTING_DATABASE)
    if user.role == Role.ADMINISTRATOR:
        if unit_id is not None:
            unit = HandlingUnit.objects.filter(pk=unit_id).first()
            if unit is not None:
                return complaints.filter(unit=unit), unit.name
        return complaints, _("Seluruh Indonesia")
    return complaints, user.unit.name if user.unit_id else ""


def _bars(rows, *, labels: dict | None = None, top: int | None = None) -> list[Bar]:
    rows = sorted(rows, key=lambda row: (-row[1], str(row[0])))
    other = 0
    if top is not None and len(rows) > top:
        other = sum(count for _label, count in rows[top:])
        rows = rows[:top]
    bars = [Bar(label=str(labels.get(key, key) if labels else key), count=count) for key, count in rows]
    if other:
        bars.append(Bar(label=_("Lainnya"), count=other))
    peak = max((bar.count for bar in bars), default=0)
    for bar in bars:
        bar.percent = round(100 * bar.count / peak, 1) if peak else 0.0
    return bars


def _months(complaints: QuerySet[Complaint], *, now: datetime) -> list[MonthRow]:
    """Received and resolved per calendar month (Jakarta time), the last MONTHS months, oldest first."""
    months = figures.months_back(now, MONTHS)
    received = figures.monthly(complaints, "created_at", start=months[0])
    resolved = figures.monthly(complaints, "resolved_at", start=months[0])
    rows = [
        MonthRow(
            month=month,
            received=received.get(figures.month_key(month), 0),
            resolved=resolved.get(figures.month_key(month), 0),
        )
        for month in months
    ]
    peak = max([row.received for row in rows] + [row.resolved for row in rows] + [0])
    for row in rows:
        row.received_percent = round(100 * row.received / peak, 1) if peak else 0.0
        row.resolved_percent = round(100 * row.resolved / peak, 1) if peak else 0.0
    return rows


# The queries shared with the public scorecard (complaints/figures.py: one source for both).
_grouped = figures.grouped
_sample_history = figures.sample_history
_stage_medians = figures.stage_medians
_resolved_on_time = figures.resolved_on_time


def _median(days: list[float]) -> float | None:
    return round(statistics.median(days), 1) if days else None


def _urgency_speed(sample: dict[int, dict]) -> list[UrgencyRow]:
    """Median days from filing to the first step an officer took (verification started, or any
    other), and from filing to the referral, for urgent and other cases apart: the same sample
    and audit rows as the stage medians, events (claims, assignments) left out."""
    milestones = (
        (_("langkah pertama petugas"), lambda target, actor: actor == ActorKind.OFFICER),
        (_("dirujuk ke unit penanganan"), lambda target, actor: target == State.REFERRED),
    )
    rows = []
    for label, reached in milestones:
        days: dict[bool, list[float]] = {True: [], False: []}
        for case in sample.values():
            for (_from, target, at), actor in zip(case["steps"], case["actors"], strict=True):
                if target and reached(target, actor):
                    if at >= case["created_at"]:
                        days[bool(case["urgent"])].append((at - case["created_at"]).total_seconds() / 86400)
                    break
        rows.append(
            UrgencyRow(
                label=str(label),
                urgent_median=_median(days[True]),
                urgent_cases=len(days[True]),
                other_median=_median(days[False]),
                other_cases=len(days[False]),
            )
        )
    return rows


def dashboard_for(user, *, unit_id: int | None = None, now: datetime | None = None) -> Dashboard:
    """Everything /petugas/dasbor/ shows, for the complaints this user may see."""
    now = now or timezone.now()
    complaints, scope_label = dashboard_scope_for(user, unit_id=unit_id)
    # One GROUP BY state for the states' bars, the urgent ones counted beside.
    by_state_urgency = list(
        complaints.order_by()
        .values("state")
        .annotate(n=Count("id"), urgent=Count("id", filter=Q(urgent=True)))
        .values_list("state", "n", "urgent")
    )
    by_state = [(state, n) for state, n, _urgent in by_state_urgency]
    sample = _sample_history(complaints)
    resolved_on_time, resolved_total = _resolved_on_time(sample)
    overdue = (
        complaints.filter(state__in=OVERDUE_STATES, due_at__lt=now)
        .order_by()
        .values("unit__name")
        .annotate(n=Count("id"))
        .values_list("unit__name", "n")
    )
    is_admin = user.role == Role.ADMINISTRATOR
    return Dashboard(
        scope_label=scope_label,
        total=sum(count for _state, count in by_state),
        by_state=_bars(by_state, labels=dict(State.choices)),
        by_kind=_bars(_grouped(complaints, F("kind")), labels=dict(Kind.choices)),
        by_category=_bars(
            _grouped(complaints, F("category__name_id")),
            labels={None: _("Belum dikategorikan")},
        ),
        by_province=_bars(_grouped(complaints, F("province__name")), top=TOP),
        by_agency=_bars(
            _grouped(complaints, Coalesce("agency__name", NullIf("agency_name", Value("")))),
            labels={None: _("Tidak disebut")},
            top=TOP,
        ),
        months=_months(complaints, now=now),
        stages=_stage_medians(sample),
        resolved_total=resolved_total,
        resolved_on_time=resolved_on_time,
        overdue_by_unit=_bars(list(overdue), top=15),
        urgent_total=sum(urgent for _state, _n, urgent in by_state_urgency),
        urgent_open=sum(urgent for state, _n, urgent in by_state_urgency if state in OPEN_STATES),
        urgency_speed=_urgency_speed(sample),
        units=list(HandlingUnit.objects.filter(is_active=True).order_by("kind", "name")) if is_admin else [],
        unit_id=unit_id if is_admin else None,
    )
