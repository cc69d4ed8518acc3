"""Reads for the officer workspace."""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.identity import NOT_REVEALS, can_see_identity, handles
from complaints.models import Complaint, DataRequest, IdentityReveal, Role, State
from complaints.permissions import complaints_visible_to
from complaints.redaction import mask_identifiers
from complaints.workspace.filters import QueueFilter
from workflow import engine
from workflow.models import ActorKind

PAGE_SIZE = 50


@dataclass
class QueuePage:
    rows: list[Complaint]
    next_cursor: str | None
    filters: QueueFilter


def _encode(complaint: Complaint) -> str:
    due = complaint.due_at.isoformat() if complaint.due_at else None
    return base64.urlsafe_b64encode(json.dumps([due, complaint.pk]).encode()).decode()


def decode_cursor(cursor: str):
    """The (due_at, id) a page's cursor names, or None for one this server did not write."""
    try:
        due, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return (datetime.datetime.fromisoformat(due) if due else None), int(pk)
    # RecursionError: "[[[[…" nested deeper than the parser goes; OverflowError: int(1e999).
    except (ValueError, TypeError, RecursionError, OverflowError):
        return None


def queue_queryset(officer) -> QuerySet[Complaint]:
    """An officer's cases, soonest deadline first (so overdue cases lead), those without one last."""
    return (
        complaints_visible_to(officer)
        .select_related("category", "agency", "unit", "assignee", "province")
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


# What a queue row shows, on the page and in the API list: not the description, the PIN hash or
# the outcome texts, which made each row several times wider than what is read of it. Two joins,
# the rest fetched beside: PostgreSQL's planning time doubles with each join (six tables took
# 3 ms to plan and 0.5 ms to run on 1M rows); the province, unit and officer of a page are a
# handful of rows.
QUEUE_COLUMNS = (
    "tracking_code", "state", "kind", "channel", "confidentiality", "created_at", "due_at",
    "category__name_id", "category__name_en", "agency__name", "agency_name", "province", "regency_id",
    "unit", "assignee",
)  # fmt: skip


def complaint_queue_for(officer, *, params, cursor: str = "", page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: keyset pagination on (due_at, id), no COUNT of the whole table."""
    filters = queue_filter_for(officer, params=params)
    queryset = (
        filters.qs.select_related(None)
        .select_related("category", "agency")
        .prefetch_related("province", "unit", "assignee")
        .only(*QUEUE_COLUMNS)
    )
    position = decode_cursor(cursor) if cursor else None
    if position:
        due, pk = position
        if due is None:
            queryset = queryset.filter(due_at__isnull=True, id__gt=pk)
        else:
            queryset = queryset.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=pk) | Q(due_at__isnull=True))
    rows = list(queryset[: page_size + 1])
    next_cursor = _encode(rows[page_size - 1]) if len(rows) > page_size else None
    return QueuePage(rows=rows[:page_size], next_cursor=next_cursor, filters=filters)


class _RequestLike:
    """django-filter reads request.user for the "me" assignee filter."""

    def __init__(self, user):
        self.user = user


def queue_filter_for(officer, *, params) -> QueueFilter:
    """The queue's filters over what this officer may see: one query for the page, the API and
    the CSV export alike."""
    return QueueFilter(params, queryset=queue_queryset(officer), request=_RequestLike(officer))


def queue_for_export(officer, *, params) -> QuerySet[Complaint]:
    """The officer's queue as the CSV export sees it: the queue's own query and filters, so the
    export always matches what the officer sees on /petugas/ (every page of it)."""
    return queue_filter_for(officer, params=params).qs


def complaint_detail_for(officer, pk: int) -> Complaint:
    """A case the officer may see, or 404 (another unit's case is not found, not forbidden)."""
    return get_object_or_404(
        complaints_visible_to(officer).select_related(
            "category", "agency", "unit", "assignee", "province", "regency", "duplicate_of"
        ),
        pk=pk,
    )


def complaint_visible_to(officer, pk: int) -> bool:
    return complaints_visible_to(officer).filter(pk=pk).exists()


LOG_PAGE_SIZE = 100


def identity_access_log_for(officer, *, before: int | None = None) -> tuple[list, int | None]:
    """The identity access log a supervisor oversees (newest first, keyset on id): reads and
    reveals by the unit's officers and on the unit's cases; everything for an administrator.
    Returns the rows and the id to pass as `before` for the next page (None on the last)."""
    log = IdentityReveal.objects.select_related("officer", "complaint", "officer__unit").order_by("-id")
    if officer.role == Role.SUPERVISOR and officer.unit_id:
        log = log.filter(Q(officer__unit_id=officer.unit_id) | Q(complaint__unit_id=officer.unit_id))
    elif officer.role != Role.ADMINISTRATOR:
        return [], None
    if before:
        log = log.filter(id__lt=before)
    rows = list(log[: LOG_PAGE_SIZE + 1])
    more = len(rows) > LOG_PAGE_SIZE
    rows = rows[:LOG_PAGE_SIZE]
    return rows, (rows[-1].pk if more else None)


# --- the case page's audit trail --------------------------------------------------------------------
@dataclass
class TrailEntry:
    """A line of the audit trail kept outside the engine's log: an identity reveal (IdentityReveal,
    the access log's own row). It answers what the page asks of an audit row."""

    created_at: datetime.datetime
    transition: str
    label: str
    actor: object
    actor_kind: str = ActorKind.OFFICER
    note: str = ""
    detail: str = ""
    is_event: bool = True

    def get_actor_kind_display(self) -> str:
        return str(ActorKind(self.actor_kind).label)

    def get_via_display(self) -> str:
        return ""


def _event_detail(log) -> str:
    """An event's line in words: to whom a case was assigned, and from whom."""
    if log.transition != "assign":
        return ""
    assignee = (log.fields or {}).get("assignee") or {}
    previous = (log.fields or {}).get("previous") or {}
    if assignee and previous:
        return _("kepada %(assignee)s (sebelumnya %(previous)s)") % {
            "assignee": assignee.get("name", ""),
            "previous": previous.get("name", ""),
        }
    if assignee:
        return _("kepada %(assignee)s") % {"assignee": assignee.get("name", "")}
    return _("dilepas dari %(previous)s") % {"previous": previous.get("name", "")}


def case_timeline(complaint: Complaint) -> list:
    """The audit trail the case page shows officers, oldest first: every step (with the step's and
    the states' names as people read them), the events recorded beside them (claims and
    assignments: who, to whom), and each identity reveal (who and when: never the identity, nor
    the reason, which the supervisor's access log shows). Reads of an open identity and CSV
    exports stay in the access log only. Two queries. The public timeline is another reader
    (complaints.public.tracking.public_timeline) and shows none of the events or reveals."""
    machine = engine.machine_for(complaint)
    states = dict(State.choices)
    rows: list = list(engine.audit_trail(complaint))
    for log in rows:
        log.label = machine.label(log.transition)
        log.is_event = not log.target
        log.detail = _event_detail(log) if log.is_event else ""
        log.source_label = states.get(log.source, log.source)
        log.target_label = states.get(log.target, log.target)
    reveals = (
        IdentityReveal.objects.filter(complaint=complaint)
        .exclude(reason__in=NOT_REVEALS)
        .select_related("officer")
        .order_by("created_at", "id")
    )
    rows += [
        TrailEntry(
            created_at=reveal.created_at,
            transition="reveal",
            label=_("Identitas pelapor dibuka"),
            actor=reveal.officer,
        )
        for reveal in reveals
    ]
    return sorted(rows, key=lambda row: row.created_at)  # stable: a step first at equal times


def case_clock(complaint: Complaint) -> dict:
    """The stage clock as the case page says it: the rule it runs on (and its source), the
    working or calendar days left or overdue, and whether it is paused for the complainant."""
    from complaints.machine import MACHINE
    from workflow import deadlines as workflow_deadlines

    now = timezone.now()
    rule = workflow_deadlines.rule_for(MACHINE, complaint.state, complaint.kind)
    clock = {"due_at": complaint.due_at, "overdue": complaint.is_overdue, "rule": rule, "days": None}
    if complaint.state == State.AWAITING_INFO and complaint.paused_remaining is not None:
        clock["paused_days"] = complaint.paused_remaining.days
    if rule is None or complaint.due_at is None:
        return clock
    earlier, later = sorted([now, complaint.due_at])
    if rule.working_days:
        clock["days"] = workflow_deadlines.working_days_between(earlier, later)
    else:
        clock["days"] = (timezone.localdate(later) - timezone.localdate(earlier)).days
    return clock


# --- requests about personal data (UU 27/2022 PDP, docs/domain.md#personal-data) ------------------
DATA_REQUESTS_ON_QUEUE = 50


def open_data_requests_for(officer, *, limit: int = DATA_REQUESTS_ON_QUEUE) -> list[DataRequest]:
    """The open requests of the cases this officer sees, soonest deadline first (overdue ones
    lead). Never the text: the queue says a request exists, its kind and its deadline."""
    return list(
        DataRequest.objects.filter(
            state=DataRequest.Status.OPEN, complaint__in=complaints_visible_to(officer).values("pk")
        )
        .select_related("complaint")
        .only("kind", "created_at", "due_at", "state", "complaint__tracking_code")
        .order_by("due_at", "id")[:limit]
    )


def data_request_text_visible(officer, complaint: Complaint) -> bool:
    """Who reads what a complainant asked: the rule of the identity (complaints.identity). An open
    case's handlers do; a confidential case's only after their logged reveal (can_see_identity). An
    anonymous case has no identity to reveal: its handlers read the request with typed identifiers
    masked (data_requests_for_case)."""
    if not handles(officer, complaint):
        return False
    if complaint.is_confidential:
        return can_see_identity(officer, complaint)
    return True


def data_requests_for_case(officer, complaint: Complaint) -> list[DataRequest]:
    """The case's requests, oldest first, each with ``shown_text``: the request as this officer may
    read it ("" when hidden until the reveal), and ``may_answer``."""
    rows = list(complaint.data_requests.select_related("answered_by").order_by("created_at", "id"))
    if not rows:
        return rows  # the common case: one query, no permission checks
    readable = data_request_text_visible(officer, complaint)  # implies that the officer handles it
    for row in rows:
        if not readable:
            row.shown_text = ""
        elif complaint.is_anonymous:
            row.shown_text = mask_identifiers(row.text)
        else:
            row.shown_text = row.text
        row.may_answer = readable and row.state == DataRequest.Status.OPEN
    return rows
