"""Aggregate figures over complaints: the one source of the officers' dashboard
(complaints/workspace/dashboard.py) and of the public scorecard (complaints/scorecard/).

Every function takes a queryset of complaints, already narrowed by its caller to what it may
count (an officer's unit, a period), and returns plain numbers. Counts are GROUP BY queries, so a
figure costs the same few queries however many complaints there are; medians are taken in Python
over a bounded sample (the most recent MEDIAN_SAMPLE complaints), so the same code runs on SQLite
and PostgreSQL. Nothing here returns a complainant's identity or anything they wrote: keys are
codes, ids and dates.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from complaints.machine import MACHINE
from complaints.models import Complaint, Kind, Outcome, State
from workflow import deadlines
from workflow.models import TransitionLog

MEDIAN_SAMPLE = 5000
# (from, to) pairs of the median-days table, each measured from the first time the case entered
# `from` (filing, for "submitted") to the first time it entered `to`.
STAGES = (
    (State.SUBMITTED, State.VERIFYING),
    (State.VERIFYING, State.REFERRED),
    (State.REFERRED, State.EXAMINATION),
    (State.EXAMINATION, State.RESOLVED),
)


@dataclass
class StageRow:
    label: str
    median_days: float | None
    cases: int
    source: str = ""
    target: str = ""


# --- counting ------------------------------------------------------------------------------------
def grouped(complaints: QuerySet[Complaint], expression) -> list[tuple]:
    """(key, count) for each value of ``expression``: one GROUP BY query."""
    return list(
        complaints.order_by()
        .annotate(key=expression)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )


def counts(complaints: QuerySet[Complaint], *fields: str, **expressions) -> list[dict]:
    """One row per combination of ``fields`` (model fields or lookups) and ``expressions`` (named
    annotations), with its count as ``n``: one GROUP BY query."""
    names = [*fields, *expressions]
    query = complaints.order_by()
    if expressions:
        query = query.annotate(**expressions)
    return list(query.values(*names).annotate(n=Count("id")).values(*names, "n"))


# --- months --------------------------------------------------------------------------------------
def month_start(moment: datetime) -> datetime:
    """The first instant of the moment's calendar month, in local time (Asia/Jakarta)."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def add_months(month: datetime, n: int) -> datetime:
    """The start of the month ``n`` months after (or before, n < 0) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return month_start(month).replace(year=index // 12, month=index % 12 + 1)


def month_key(moment: datetime) -> tuple[int, int]:
    """(year, month) of a moment in local time, as TruncMonth groups it."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return (local.year, local.month)


def months_back(now: datetime, count: int) -> list[datetime]:
    """The starts of the last ``count`` calendar months up to ``now``'s, oldest first."""
    last = month_start(now)
    return [add_months(last, n) for n in range(1 - count, 1)]


def monthly(
    complaints: QuerySet[Complaint], field: str, *, start: datetime, end: datetime | None = None
) -> dict[tuple[int, int], int]:
    """Complaints per calendar month (local time) of ``field`` (created_at, resolved_at), from
    ``start`` (and before ``end``), keyed by (year, month)."""
    window = complaints.filter(**{f"{field}__gte": start})
    if end is not None:
        window = window.filter(**{f"{field}__lt": end})
    rows = counts(window, month=TruncMonth(field))
    return {month_key(row["month"]): row["n"] for row in rows}


# --- the scorecard's counts (docs/domain.md#public-scorecard) -------------------------------------
# What the public scorecard counts as a complaint received in a period: filed in it, and not merged
# into another (a merged complaint is counted once, as the one it joined). Withdrawn complaints
# count as received; scorecard_handling leaves them out of what the agency did and what was found.
def received_between(complaints: QuerySet[Complaint], start: datetime, end: datetime) -> QuerySet[Complaint]:
    return complaints.filter(created_at__gte=start, created_at__lt=end).exclude(state=State.DUPLICATE)


# Where a complaint stands now, in four buckets that add up to the complaints received.
STATUS_BUCKETS = ("in_process", "finished", "rejected", "withdrawn")
_BUCKET = {
    **dict.fromkeys(State.values, "in_process"),
    State.RESOLVED: "finished",
    State.CLOSED: "finished",
    State.REJECTED: "rejected",
    State.WITHDRAWN: "withdrawn",
}


def status_bucket(state: str) -> str:
    return _BUCKET.get(state, "in_process")


# A HAM complaint's finding: an indication of a violation (the outcome an earlier Sigap recorded,
# or the Kanwil's recommendation to the agency, which it issues when it finds one), or none.
HAM_FINDING = Case(
    When(outcome=Outcome.HAM_INDICATED, then=Value("indicated")),
    When(outcome=Outcome.HAM_NOT_INDICATED, then=Value("not_indicated")),
    When(Q(kind=Kind.HAM) & ~Q(recommendation=""), then=Value("indicated")),
    default=Value(""),
    output_field=CharField(),
)


def scorecard_counts(
    complaints: QuerySet[Complaint], *, by: tuple[str, ...], start: datetime, end: datetime
) -> dict[str, list[dict]]:
    """Every count the scorecard shows, grouped by the scope fields ``by`` (("province_id",
    "regency_id") or ("agency_id",)): five GROUP BY queries over ``complaints`` (already
    received_between start and end)."""
    return {
        "kinds": counts(complaints, *by, "kind", "category_id", "urgent"),
        "handling": counts(
            complaints,
            *by,
            "state",
            "clarification_on_time",
            "finding",
            "corrective_action_result",
            "recommendation_result",
            ham_finding=HAM_FINDING,
        ),
        "received": counts(complaints, *by, month=TruncMonth("created_at")),
        "resolved": counts(
            complaints.filter(resolved_at__gte=start, resolved_at__lt=end),
            *by,
            month=TruncMonth("resolved_at"),
        ),
        "vulnerable": counts(
            complaints.filter(vulnerable_groups__isnull=False), *by, "vulnerable_groups__code"
        ),
    }


# --- durations, from the audit log --------------------------------------------------------------
def sample_history(complaints: QuerySet[Complaint], *, size: int = MEDIAN_SAMPLE) -> dict[int, dict]:
    """The most recent ``size`` complaints with their transitions, oldest step first.

    Two queries whatever the sample size: the complaints, then their audit rows. Each step is
    (source, target, created_at); an event (a claim, an assignment) has no target. ``actors``
    holds who took each step (ActorKind), in the same order.
    """
    sample = {
        pk: {"kind": kind, "created_at": created, "urgent": urgent, "steps": [], "actors": []}
        for pk, kind, created, urgent in complaints.order_by("-created_at", "-id").values_list(
            "id", "kind", "created_at", "urgent"
        )[:size]
    }
    if sample:
        steps = (
            TransitionLog.objects.using(settings.SIGAP_REPORTING_DATABASE)
            .filter(content_type=ContentType.objects.get_for_model(Complaint), object_id__in=list(sample))
            .order_by("object_id", "created_at", "id")
            .values_list("object_id", "source", "target", "created_at", "actor_kind")
        )
        for pk, source, target, at, actor_kind in steps:
            sample[pk]["steps"].append((source, target, at))
            sample[pk]["actors"].append(actor_kind)
    return sample


def stage_medians(sample: dict[int, dict]) -> list[StageRow]:
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
                source=str(source),
                target=str(target),
            )
        )
    return rows


def resolved_on_time(sample: dict[int, dict]) -> tuple[int, int]:
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


def reporting(complaints: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The same complaints read from the reporting database (a replica a moment behind, when set)."""
    return complaints.using(settings.SIGAP_REPORTING_DATABASE)
