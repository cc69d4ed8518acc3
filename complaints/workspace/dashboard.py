"""Figures for the officers' dashboard (/petugas/dasbor/): one unit, or the whole country.

Every figure is a GROUP BY over the complaints the user may see (complaints_visible_to), so the
dashboard costs a fixed number of queries however many complaints there are. Medians are taken
in Python over a bounded sample (the most recent MEDIAN_SAMPLE complaints) so the same code runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.machine import MACHINE
from complaints.models import OVERDUE_STATES, Complaint, HandlingUnit, Kind, Role, State
from complaints.permissions import complaints_visible_to
from workflow import deadlines
from workflow.models import TransitionLog

TOP = 10
MEDIAN_SAMPLE = 5000
MONTHS = 12
# (from, to) pairs of the median-days table, each measured from the first time the case entered
# `from` (filing, for "submitted") to the first time it entered `to`.
STAGES = (
    (State.SUBMITTED, State.VERIFYING),
    (State.VERIFYING, State.REFERRED),
    (State.REFERRED, State.EXAMINATION),
    (State.EXAMINATION, State.RESOLVED),
)


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
class StageRow:
    label: str
    median_days: float | None
    cases: int


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


def _grouped(complaints: QuerySet[Complaint], expression) -> list[tuple]:
    return list(
        complaints.order_by()
        .annotate(key=expression)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _months(complaints: QuerySet[Complaint], *, now: datetime) -> list[MonthRow]:
    """Received and resolved per calendar month (Jakarta time), the last MONTHS months, oldest first."""
    start = _month_start(now)
    for _step in range(MONTHS - 1):
        start = _month_start(start - timedelta(days=1))
    received = dict(
        complaints.filter(created_at__gte=start)
        .order_by()
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    resolved = dict(
        complaints.filter(resolved_at__gte=start)
        .order_by()
        .annotate(month=TruncMonth("resolved_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )

    def key(moment):
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return (local.year, local.month)

    received = {key(m): n for m, n in received.items()}
    resolved = {key(m): n for m, n in resolved.items()}
    rows, month = [], start
    for _step in range(MONTHS):
        rows.append(
            MonthRow(month=month, received=received.get(key(month), 0), resolved=resolved.get(key(month), 0))
        )
        month = _month_start(month + timedelta(days=32))
    peak = max([row.received for row in rows] + [row.resolved for row in rows] + [0])
    for row in rows:
        row.received_percent = round(100 * row.received / peak, 1) if peak else 0.0
        row.resolved_percent = round(100 * row.resolved / peak, 1) if peak else 0.0
    return rows


def _sample_history(complaints: QuerySet[Complaint]) -> dict[int, dict]:
    """The most recent MEDIAN_SAMPLE complaints with their transitions, oldest step first.

    Two queries whatever the sample size: the complaints, then their audit rows.
    """
    sample = {
        pk: {"kind": kind, "created_at": created, "steps": []}
        for pk, kind, created in complaints.order_by("-created_at", "-id").values_list(
            "id", "kind", "created_at"
        )[:MEDIAN_SAMPLE]
    }
    if sample:
        steps = (
            TransitionLog.objects.using(settings.SIGAP_REPORTING_DATABASE)
            .filter(content_type=ContentType.objects.get_for_model(Complaint), object_id__in=list(sample))
            .order_by("object_id", "created_at", "id")
            .values_list("object_id", "source", "target", "created_at")
        )
        for pk, source, target, at in steps:
            sample[pk]["steps"].append((source, target, at))
    return sample


def _stage_medians(sample: dict[int, dict]) -> list[StageRow]:
    """Median days from first entering one stage to first entering the next."""
    rows = []
    for source, target in STAGES:
        days = []
        for case in sample.values():
            entered = {State.SUBMITTED: case["created_at"]}
            for _from, to, at in case["steps"]:
                entered.setdefault(to, at)
            if source in entered and target in entered and entered[target] >= entered[source]:
                days.append((entered[target] - entered[source]).total_seconds() / 86400)
        rows.append(
            StageRow(
                label=f"{State(source).label} → {State(target).label}",
                median_days=round(statistics.median(days), 1) if days else None,
                cases=len(days),
            )
        )
    return rows


def _resolved_on_time(sample: dict[int, dict]) -> tuple[int, int]:
    """(resolved within the examination deadline, resolved with a deadline) over the sample.

    The complaint row no longer holds the examination deadline once resolved (the objection
    window's clock replaces it), so it is rebuilt from the audit log: the examination rule from
    first entering examination, extended by the time spent awaiting the complainant's
    information (the clock pauses then), compared with the first resolution.
    """
    rules: dict[str, object] = {}
    on_time = total = 0
    for case in sample.values():
        started = paused_at = None
        paused = timedelta(0)
        for source, target, at in case["steps"]:
            if target == State.EXAMINATION and started is None:
                started = at
            elif source == State.EXAMINATION and target == State.AWAITING_INFO and started is not None:
                paused_at = at
            elif source == State.AWAITING_INFO and paused_at is not None:
                paused += at - paused_at
                paused_at = None
            elif target == State.RESOLVED and started is not None:
                kind = case["kind"]
                if kind not in rules:
                    rules[kind] = deadlines.rule_for(MACHINE, State.EXAMINATION, kind)
                due = deadlines.due_at(rules[kind], started)
                if due is not None:
                    total += 1
                    on_time += at <= due + paused
                break
    return on_time, total


def dashboard_for(user, *, unit_id: int | None = None, now: datetime | None = None) -> Dashboard:
    """Everything /petugas/dasbor/ shows, for the complaints this user may see."""
    now = now or timezone.now()
    complaints, scope_label = dashboard_scope_for(user, unit_id=unit_id)
    by_state = _grouped(complaints, F("state"))
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
        units=list(HandlingUnit.objects.filter(is_active=True).order_by("kind", "name")) if is_admin else [],
        unit_id=unit_id if is_admin else None,
    )
