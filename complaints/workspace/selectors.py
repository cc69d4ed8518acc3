"""Reads for the officer workspace."""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import reference
from complaints.codes import normalise_code
from complaints.identity import NOT_REVEALS, can_see_identity, handles
from complaints.models import (
    Agency,
    Category,
    Complaint,
    DataRequest,
    HandlingUnit,
    IdentityReveal,
    Province,
    Role,
    State,
    User,
)
from complaints.permissions import complaints_referred_by, complaints_visible_to
from complaints.redaction import mask_identifiers
from complaints.workspace.documents import document_kind_label, split_evidence
from complaints.workspace.filters import QueueFilter
from workflow import engine
from workflow.models import ActorKind

PAGE_SIZE = 50


@dataclass
class QueuePage:
    rows: list  # Complaint instances, or dicts of QUEUE_VALUES for the API (complaint_queue_values_for)
    next_cursor: str | None
    filters: QueueFilter | None  # None: no filter was asked for (_queue_rows)

    @property
    def errors(self) -> dict:
        """The filters the page could not read, by parameter."""
        return self.filters.errors if self.filters is not None else {}


def _encode(urgent: bool, due: datetime.datetime | None, pk: int) -> str:
    due_text = due.isoformat() if due else None
    return base64.urlsafe_b64encode(json.dumps([int(urgent), due_text, pk]).encode()).decode()


def decode_cursor(cursor: str):
    """The (urgent, due_at, id) a page's cursor names, or None for one this server did not write.

    A cursor of the pages before urgent cases came first, (due_at, id), is read as a place among
    the urgent cases: whoever follows it sees every case after it (some perhaps twice), never fewer."""
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(position, list):
            raise ValueError(cursor)
        if len(position) == 2:
            urgent, (due, pk) = True, position
        else:
            urgent, due, pk = position
        if isinstance(urgent, float) or urgent not in (0, 1):  # JSON's 0/1 (or false/true) only
            raise ValueError(cursor)
        return bool(urgent), (datetime.datetime.fromisoformat(due) if due else None), int(pk)
    # RecursionError: "[[[[…" nested deeper than the parser goes; OverflowError: int(1e999).
    except (ValueError, TypeError, RecursionError, OverflowError):
        return None


# The queue's order: urgent cases first (docs/domain.md#urgency), then the soonest deadline (so
# overdue cases lead), those without one last. The index complaint_unit_urgent_due serves it.
QUEUE_ORDER = (F("urgent").desc(), F("due_at").asc(nulls_last=True), "id")


def queue_queryset(officer) -> QuerySet[Complaint]:
    """An officer's cases, urgent ones first, then soonest deadline first (so overdue cases lead),
    those without one last."""
    _unit_from_reference(officer)
    return (
        complaints_visible_to(officer)
        .select_related("category", "agency", "unit", "assignee", "province")
        .order_by(*QUEUE_ORDER)
    )


def _unit_from_reference(officer) -> None:
    """The officer's unit (which complaints_visible_to and the page's menu read) from the process'
    reference copy (complaints.reference) rather than a query a request. Read, never changed.
    ``officer`` may be the request's lazy user: User.unit, not type(officer).unit."""
    if officer.unit_id is not None and not User.unit.is_cached(officer):
        unit = reference.table("unit").get(str(officer.unit_id))
        if unit is not None:  # a unit added since this process read its copy: the usual query
            officer.unit = unit


# What a queue row shows, on the page and in the API list: not the description, the PIN hash or
# the outcome texts, which made each row several times wider than what is read of it. No join: a
# row's category, agency, province and unit come from the process' reference copies
# (reference.rows). The two joins were half of the query's time on 1M rows (0.35 ms of planning
# in 0.6 ms), and the province and the unit a query each; the officers are one query beside.
QUEUE_COLUMNS = (
    "tracking_code", "state", "kind", "channel", "confidentiality", "created_at", "due_at",
    "category", "agency", "agency_name", "province", "regency_id", "unit", "assignee", "received_by",
    "agency_due_at", "urgent",
)  # fmt: skip


def _queue_rows(officer, *, params, cursor: str) -> tuple[QueueFilter | None, QuerySet]:
    """The queue's filters, and its rows after ``cursor`` (one this server did not write: from the
    first row), in QUEUE_ORDER. Without a filter asked for, no FilterSet (None): building it (its
    form, and deep copies of its filters and fields) took longer than the query, to list the same
    rows; the page shows a kept copy of its form then (views.queue_filter_fields)."""
    if QueueFilter.base_filters.keys() & params.keys():
        filters = queue_filter_for(officer, params=params)
        queryset = filters.qs
    else:
        filters, queryset = None, queue_queryset(officer)
    queryset = queryset.select_related(None)
    position = decode_cursor(cursor) if cursor else None
    if position:
        queryset = queryset.filter(_after(*position))
    return filters, queryset


def _cut(rows: list, page_size: int, position) -> tuple[list, str | None]:
    """A page from the rows read one past it, and the cursor after its last row (None: no next
    page). ``position(row)``: the row's (urgent, due_at, id)."""
    if len(rows) <= page_size:
        return rows, None
    return rows[:page_size], _encode(*position(rows[page_size - 1]))


def complaint_queue_for(officer, *, params, cursor: str = "", page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue: keyset pagination on (urgent, due_at, id), no COUNT of the whole table.

    The rows are what the page shows of them; their category, agency and province are the
    process' reference rows (read them, never change them), the officers one query beside."""
    filters, queryset = _queue_rows(officer, params=params, cursor=cursor)
    rows, next_cursor = _cut(
        list(queryset.only(*QUEUE_COLUMNS)[: page_size + 1]),
        page_size,
        lambda row: (row.urgent, row.due_at, row.pk),
    )
    categories = reference.rows("category_all", Category, {row.category_id for row in rows})
    agencies = reference.rows("agency_all", Agency, {row.agency_id for row in rows})
    provinces = reference.rows("province", Province, {row.province_id for row in rows})
    # The officers a page names (who holds each case, who received it at a desk): one query for
    # both, and none when nobody is named (prefetch_related built two querysets even then).
    named = {row.assignee_id for row in rows} | {row.received_by_id for row in rows}
    named.discard(None)
    officers = User.objects.in_bulk(named) if named else {}
    for row in rows:  # a relation left empty (its id None) reads as None without a query
        if row.category_id is not None:
            row.category = categories[row.category_id]
        if row.agency_id is not None:
            row.agency = agencies[row.agency_id]
        row.province = provinces[row.province_id]
        if row.assignee_id is not None:
            row.assignee = officers.get(row.assignee_id)
        if row.received_by_id is not None:
            row.received_by = officers.get(row.received_by_id)
    return QueuePage(rows=rows, next_cursor=next_cursor, filters=filters)


# What a row of the API's list reads (complaints.api.serializers.QueueRowsSerializer), as values:
# building a Complaint instance for each row took longer than the query.
QUEUE_VALUES = (
    "id", "tracking_code", "state", "kind", "category_id", "agency_id", "agency_name", "province_id",
    "regency_id", "unit_id", "channel", "confidentiality", "assignee_id", "created_at", "due_at",
    "urgent",
)  # fmt: skip


def complaint_queue_values_for(officer, *, params, cursor: str = "", page_size: int = PAGE_SIZE) -> QueuePage:
    """The page complaint_queue_for reads (the same filters, order and cursor) for the API's list:
    each row a dict of QUEUE_VALUES and its ``category``, ``agency`` (None without one) and
    ``unit``, the process' reference rows. Read them, never change them."""
    filters, queryset = _queue_rows(officer, params=params, cursor=cursor)
    rows, next_cursor = _cut(
        list(queryset.values(*QUEUE_VALUES)[: page_size + 1]),
        page_size,
        lambda row: (row["urgent"], row["due_at"], row["id"]),
    )
    categories = reference.rows("category_all", Category, {row["category_id"] for row in rows})
    agencies = reference.rows("agency_all", Agency, {row["agency_id"] for row in rows})
    units = reference.rows("unit", HandlingUnit, {row["unit_id"] for row in rows})
    for row in rows:
        row["category"] = categories.get(row["category_id"])
        row["agency"] = agencies.get(row["agency_id"])
        row["unit"] = units[row["unit_id"]]
    return QueuePage(rows=rows, next_cursor=next_cursor, filters=filters)


def _after(urgent: bool, due, pk: int) -> Q:
    """The rows after (urgent, due, pk) in QUEUE_ORDER: the rest of its group (urgent or not) by
    (due_at, id), the cases without a deadline last; after the urgent ones, every other case."""
    if due is None:
        rest = Q(due_at__isnull=True, id__gt=pk)
    else:
        rest = Q(due_at__gt=due) | Q(due_at=due, id__gt=pk) | Q(due_at__isnull=True)
    condition = Q(urgent=urgent) & rest
    return condition | Q(urgent=False) if urgent else condition


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
            "category", "agency", "unit", "assignee", "province", "regency", "duplicate_of", "received_by"
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
    """An event's line in words: to whom a case was assigned, and from whom; which document was
    attached (its kind and title)."""
    if log.transition == "document_added":
        fields = log.fields or {}
        kind = document_kind_label(fields.get("kind", ""))
        return f"{kind}: {fields['title']}" if fields.get("title") else kind
    if log.transition == "urgency_reviewed":
        return _urgency_detail(log.fields or {})
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


def _urgency_detail(fields: dict) -> str:
    """An urgency review in words: "mendesak (sebelumnya tidak mendesak, disarankan Sigap)"."""
    from complaints.urgency import source_label

    def said(urgent) -> str:
        return str(_("mendesak") if urgent else _("tidak mendesak"))

    before = said(fields.get("previous"))
    source = source_label(fields.get("source") or "")
    if fields.get("urgent") == fields.get("previous"):
        detail = _("%(decision)s, dikonfirmasi") % {"decision": said(fields.get("urgent"))}
    else:
        detail = _("%(decision)s (sebelumnya %(previous)s)") % {
            "decision": said(fields.get("urgent")),
            "previous": f"{before}, {source}" if source else before,
        }
    return str(detail)


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
    from complaints.machine import agency_rule, stage_rule
    from complaints.models import AGENCY_STATES
    from workflow import deadlines as workflow_deadlines

    now = timezone.now()
    # While the case waits for the reported agency, the clock is the agency's (its own rule).
    agency = complaint.state in AGENCY_STATES
    if agency:
        rule = agency_rule(complaint, complaint.state)
    else:
        rule = stage_rule(complaint, complaint.state)  # an urgent case's shorter rule, where it has one
    clock = {
        "due_at": complaint.due_at,
        "overdue": complaint.is_overdue,
        "rule": rule,
        "days": None,
        "agency": agency,
    }
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


# --- the cases a desk referred: found by code, read-only (docs/domain.md#desk-intake) -------------
def referred_matches_for(officer, q: str) -> list[Complaint]:
    """The case the officer's intake desk referred whose tracking code ``q`` is (written any way),
    when the desk no longer sees it: the queue lists it apart, to open read-only. Never found by
    name, phone, NIK or words: the desk no longer handles it."""
    code = normalise_code(q or "")
    if not code or len(code) > Complaint._meta.get_field("tracking_code").max_length:
        return []
    return list(
        complaints_referred_by(officer)
        .filter(tracking_code=code)
        .exclude(pk__in=complaints_visible_to(officer).filter(tracking_code=code).values("pk"))
        .select_related("unit", "province")
    )


def complaint_for_case_page(officer, pk: int) -> tuple[Complaint, bool]:
    """The case and whether this officer reads it only: a case they may see (False), or one their
    intake desk referred and no longer sees (True). Anyone else: 404, as for any other unit's case."""
    try:
        return complaint_detail_for(officer, pk), False
    except Http404:
        pass
    complaint = get_object_or_404(
        complaints_referred_by(officer).select_related(
            "category", "agency", "unit", "assignee", "province", "regency", "duplicate_of", "received_by"
        ),
        pk=pk,
    )
    return complaint, True


def case_files(complaint: Complaint) -> tuple[list, list]:
    """The case's evidence (the complainant's) and documents (the officers': who, kind, title,
    date), in one query."""
    return split_evidence(complaint.evidence.select_related("uploaded_by").order_by("created_at", "id"))


# --- likely duplicates, before verification (docs/domain.md#one-complaint-once) -------------------
DUPLICATE_WINDOW = datetime.timedelta(days=30)
DUPLICATES_SHOWN = 10
# Words of a description that say something: at least this long, at most this many of them.
_WORD_MIN, _WORDS_MAX = 4, 40
# Two descriptions are alike when this share of the shorter one's words is in the other.
TEXT_OVERLAP = 0.5


def _words(text: str) -> set[str]:
    import re

    return {
        word
        for word in re.findall(r"\w+", (text or "").casefold())
        if len(word) >= _WORD_MIN and not word.isdigit() and word != "dirahasiakan"
    }


def _same_agency(complaint: Complaint) -> Q | None:
    """The same reported agency: the same entry of the list, or the same name however it was given
    (picked from the list in one complaint, typed in the other)."""
    condition = Q()
    if complaint.agency_id:
        condition |= Q(agency_id=complaint.agency_id) | Q(agency_name__iexact=complaint.agency.name)
    name = (complaint.agency_name or "").strip()
    if name:
        condition |= Q(agency_name__iexact=name) | Q(agency__name__iexact=name)
    return condition or None


def _same_complainant(officer, complaint: Complaint, candidates: QuerySet[Complaint]) -> dict[int, set[str]]:
    """Cases among ``candidates`` filed by the same person, with what matched ("phone", "nik",
    "name"), by the keyed indexes of Identity. Only where this officer may read both identities
    (complaints.identity, as the queue's search by identity does): an open complaint's, or a
    confidential one's within their logged reveal. Matching is no way around a reveal: "the same
    person as case X" would tell who filed a confidential complaint."""
    from complaints.identity import REVEAL_LASTS
    from complaints.models import Confidentiality, Identity

    identity = Identity.objects.filter(complaint=complaint).first()
    if identity is None or not can_see_identity(officer, complaint):
        return {}
    ours = {"phone": identity.phone_index, "nik": identity.nik_index, "name": identity.name_index}
    condition = Q()
    for signal, value in ours.items():
        if value:
            condition |= Q(**{f"{signal}_index": value})
    if not condition:
        return {}
    revealed = (
        IdentityReveal.objects.filter(officer=officer, created_at__gte=timezone.now() - REVEAL_LASTS)
        .exclude(reason__in=NOT_REVEALS)
        .values("complaint_id")
    )
    readable = candidates.filter(Q(confidentiality=Confidentiality.OPEN) | Q(pk__in=revealed)).values("pk")
    found: dict[int, set[str]] = {}
    rows = Identity.objects.filter(condition, complaint_id__in=readable).values(
        "complaint_id", "phone_index", "nik_index", "name_index"
    )
    for row in rows:
        for signal, value in ours.items():
            if value and row[f"{signal}_index"] == value:
                found.setdefault(row["complaint_id"], set()).add(signal)
    return found


def _alike(complaint: Complaint, candidates: QuerySet[Complaint]) -> set[int]:
    """Cases among ``candidates`` whose description shares TEXT_OVERLAP of the shorter one's words
    with this one's, found through the description's full-text index (PostgreSQL only)."""
    from django.contrib.postgres.search import SearchQuery, SearchVectorExact

    from complaints.models import SEARCH_CONFIG, description_vector

    words = _words(complaint.description)
    if not words:
        return set()
    # The longest words say the most; \w+ words need no quoting in a raw tsquery.
    chosen = sorted(words, key=lambda word: (-len(word), word))[:_WORDS_MAX]
    query = SearchQuery(" | ".join(chosen), config=SEARCH_CONFIG, search_type="raw")
    alike = set()
    sharing = candidates.filter(SearchVectorExact(description_vector(), query))
    for pk, text in sharing.values_list("pk", "description")[:200]:
        theirs = _words(text)
        if theirs and len(words & theirs) / min(len(words), len(theirs)) >= TEXT_OVERLAP:
            alike.add(pk)
    return alike


def likely_duplicates_for(officer, complaint: Complaint, *, limit: int = DUPLICATES_SHOWN) -> list[Complaint]:
    """Other cases this officer may see (complaints_visible_to), filed in the 30 days before this
    one or since, that may be the same complaint: shown on the case page while it is at intake
    (submitted, verifying), before it is verified. A case is listed when
    - the same person filed it: the same phone number or NIK, or the same name and the same
      agency, where the officer may read both identities (_same_complainant); or
    - it is about the same agency and its description is alike (_alike, on PostgreSQL's full-text
      index; the embedded SQLite has none, so there only the person counts).
    Each row has ``duplicate_reasons``; most reasons first, then newest. The page shows code, date,
    agency, state and reasons: never an identity."""
    from django.db import connection

    if complaint.state not in (State.SUBMITTED, State.VERIFYING):
        return []
    candidates = (
        complaints_visible_to(officer)
        .exclude(pk=complaint.pk)
        .filter(created_at__gte=complaint.created_at - DUPLICATE_WINDOW)
    )
    same_agency = _same_agency(complaint)
    agency_ids = (
        set(candidates.filter(same_agency).values_list("pk", flat=True)[:500]) if same_agency else set()
    )
    people = _same_complainant(officer, complaint, candidates)
    alike = (
        _alike(complaint, candidates.filter(pk__in=agency_ids))
        if agency_ids and connection.vendor == "postgresql"
        else set()
    )
    labels = {"phone": _("nomor telepon sama"), "nik": _("NIK sama"), "name": _("nama sama")}
    reasons: dict[int, list[str]] = {}
    for pk, signals in people.items():
        if signals == {"name"} and pk not in agency_ids:
            continue  # a name alone is common: only with the same agency
        reasons[pk] = [str(labels[signal]) for signal in ("phone", "nik", "name") if signal in signals]
    for pk in alike:
        reasons.setdefault(pk, []).append(str(_("uraian mirip")))
    for pk, why in reasons.items():
        if pk in agency_ids:
            why.append(str(_("instansi sama")))
    if not reasons:
        return []
    rows = list(
        Complaint.objects.filter(pk__in=reasons)
        .select_related("agency")
        .only("tracking_code", "state", "created_at", "agency__name", "agency_name")
    )
    for row in rows:
        row.duplicate_reasons = reasons[row.pk]
    rows.sort(key=lambda row: (-len(row.duplicate_reasons), -row.created_at.timestamp(), -row.pk))
    return rows[:limit]


# --- a unit's workload, the assignment's suggestion, an officer's own cases ------------------------
# docs/domain.md#workload. The roles a unit's load lists by name (the others who hold its cases, a
# supervisor for one, are listed too), and the role suggested for a case, by the kind of unit: a
# desk's intake officers, an Ombudsman office's or a Kanwil's case officers.
LOAD_ROLES = (Role.INTAKE_OFFICER, Role.CASE_OFFICER)
DESK = "intake"  # UnitKind.INTAKE
HANDLER_ROLE = {DESK: Role.INTAKE_OFFICER, "ombudsman": Role.CASE_OFFICER, "kanwil_ham": Role.CASE_OFFICER}
# The load table's stage columns: a desk's stages, or a handling unit's (the Kanwil's route has no
# investigation or corrective action). A stage outside these is shown when the unit holds a case in it.
DESK_STAGES = (State.SUBMITTED, State.VERIFYING, State.MATERIAL_VERIFICATION, State.AWAITING_INFO)
OMBUDSMAN_ONLY_STAGES = (State.INVESTIGATION, State.CORRECTIVE_ACTION)


class OfficerLoad:
    """One row of a unit's load: an officer's open cases (None: the cases nobody holds). Past the
    officer's deadline (OVERDUE_STATES, due_at < now) and past the reported agency's
    (AGENCY_STATES, agency_due_at < now) are counted apart; ``oldest`` is the case in an officer's
    stage (OVERDUE_STATES) whose last step (state_changed_at) is the oldest."""

    def __init__(self, officer=None):
        self.officer = officer
        self.by_state: dict[str, int] = {}
        self.urgent = self.overdue = self.agency_late = 0
        self.oldest: Complaint | None = None
        self.cells: list[int] = []  # by_state in the table's column order

    @property
    def open(self) -> int:
        return sum(self.by_state.values())

    @property
    def is_unit_officer(self) -> bool:
        """False for someone holding the unit's cases who is not (or no longer) its active officer."""
        return self.officer is None or getattr(self.officer, "_unit_officer", True)


@dataclass
class UnitLoad:
    unit: object
    states: list  # [(state, label)]: the stage columns
    officers: list  # [OfficerLoad], the most open cases first, then by name
    unassigned: OfficerLoad
    total: OfficerLoad

    def open_by_officer(self) -> dict[int, int]:
        return {row.officer.pk: row.open for row in self.officers}


def _officer_sort_name(user) -> str:
    return (user.get_full_name() or user.get_username()).casefold()


def officer_loads(unit, *, now) -> UnitLoad:
    """The open cases of ``unit`` by who holds them: per officer (the unit's active intake and case
    officers, each listed even with nothing, and anyone else holding one of its cases) and for
    the cases nobody holds, by stage (OPEN_STATES), with the urgent ones, the overdue ones and the
    agency-late ones, and the oldest untouched case (the oldest last step, state_changed_at, among
    the stages whose clock the officer runs). Three queries whatever the size of the unit: the
    counts (GROUP BY assignee, state), the oldest case per officer (a window), the officers."""
    from django.db.models import Count, Window
    from django.db.models.functions import RowNumber

    from complaints.models import AGENCY_STATES, OPEN_STATES, OVERDUE_STATES

    open_cases = Complaint.objects.filter(unit=unit, state__in=OPEN_STATES)
    grouped = (
        open_cases.order_by()
        .values("assignee", "state")
        .annotate(
            n=Count("id"),
            urgent=Count("id", filter=Q(urgent=True)),
            overdue=Count("id", filter=Q(state__in=OVERDUE_STATES, due_at__lt=now)),
            agency_late=Count("id", filter=Q(state__in=AGENCY_STATES, agency_due_at__lt=now)),
        )
    )
    rows: dict[int | None, OfficerLoad] = {}
    total = OfficerLoad()
    for group in grouped:
        row = rows.setdefault(group["assignee"], OfficerLoad())
        for each in (row, total):
            each.by_state[group["state"]] = each.by_state.get(group["state"], 0) + group["n"]
            each.urgent += group["urgent"]
            each.overdue += group["overdue"]
            each.agency_late += group["agency_late"]
    oldest = (
        Complaint.objects.filter(unit=unit, state__in=OVERDUE_STATES)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("assignee")],
                order_by=[F("state_changed_at").asc(), F("id").asc()],
            )
        )
        .filter(rank=1)
        .only("tracking_code", "state", "state_changed_at", "assignee", "urgent", "due_at")
    )
    for case in oldest:
        rows.setdefault(case.assignee_id, OfficerLoad()).oldest = case
    holders = {pk for pk in rows if pk is not None}
    officers = User.objects.filter(
        Q(unit=unit, is_active=True, role__in=LOAD_ROLES) | Q(pk__in=holders)
    ).select_related(None)
    listed = []
    for officer in officers:
        officer._unit_officer = officer.is_active and officer.unit_id == unit.pk and bool(officer.role)
        row = rows.get(officer.pk) or OfficerLoad()
        row.officer = officer
        listed.append(row)
    listed.sort(key=lambda row: (-row.open, _officer_sort_name(row.officer)))
    unassigned = rows.get(None) or OfficerLoad()
    if unit.kind == DESK:
        route = DESK_STAGES
    else:
        route = [s for s in OPEN_STATES if s not in DESK_STAGES[:3]]
        if unit.kind != "ombudsman":
            route = [s for s in route if s not in OMBUDSMAN_ONLY_STAGES]
    states = [(s, State(s).label) for s in OPEN_STATES if s in route or total.by_state.get(s)]
    for row in [*listed, unassigned, total]:
        row.cells = [row.by_state.get(state, 0) for state, _label in states]
    return UnitLoad(unit=unit, states=states, officers=listed, unassigned=unassigned, total=total)


def assign_choices(officers, unit, *, now, complaint: Complaint | None = None) -> list:
    """The officers an assignment offers (the queue's, or services.assignable_officers of a case),
    fewest open cases of ``unit`` first (officer_loads), each with ``open_load`` and ``suggested``:
    True for one of them, the least loaded of those who handle such a case (an active officer of
    the unit in its HANDLER_ROLE, and for a handling unit a case of its route). A suggestion,
    never a choice: the form still preselects nobody."""
    from complaints.models import DESTINATION_KIND

    choices = list(officers)
    for officer in choices:
        officer.open_load, officer.suggested = None, False
    if unit is None or not choices:
        return choices
    loads = officer_loads(unit, now=now).open_by_officer()
    for officer in choices:
        officer.open_load = loads.get(officer.pk, 0)
    choices.sort(key=lambda officer: (officer.open_load, _officer_sort_name(officer)))
    route = DESTINATION_KIND.get(complaint.kind) if complaint is not None else None
    if unit.kind != DESK and route is not None and route != unit.kind:
        return choices  # a case of the other route: nobody here handles it
    for officer in choices:
        if officer.is_active and officer.unit_id == unit.pk and officer.role == HANDLER_ROLE.get(unit.kind):
            officer.suggested = True
            break
    return choices


MY_CASES_MAX = 300
ASSIGNED_COLUMNS = (
    "tracking_code", "state", "kind", "urgent", "due_at", "agency_due_at", "created_at",
    "agency__name", "agency_name", "unit__name",
)  # fmt: skip


@dataclass
class AssignedCases:
    officer: object
    rows: list
    more: bool  # more than MY_CASES_MAX were found: the rest are on the queue

    @property
    def today(self) -> int:
        return sum(row.needs_today for row in self.rows)


def clock_owner(state: str) -> str:
    """Whose deadline a case's due_at is: the reported agency's (AGENCY_STATES), the complainant's
    (awaiting their information; the objection window of an outcome) or the officer's."""
    from complaints.models import AGENCY_STATES

    if state in AGENCY_STATES:
        return "agency"
    if state == State.AWAITING_INFO:
        return "complainant"
    if state == State.RESOLVED:
        return "objection"
    return "officer"


def assigned_cases_for(viewer, officer, *, now) -> AssignedCases:
    """The open cases ``officer`` holds, among those ``viewer`` may see ("Kasus saya" when they are
    the same): what needs doing today first (a deadline of the officer's or of the reported agency,
    due before tomorrow or already past), then the urgent ones, then by deadline. Each row says
    whether it ``needs_today``, whose deadline it is (``clock``: clock_owner) and whether that
    deadline has passed (``overdue_now``). One query."""
    from django.db.models import Case, IntegerField, Value, When

    from complaints.models import AGENCY_STATES, OPEN_STATES, OVERDUE_STATES

    tomorrow = datetime.datetime.combine(
        timezone.localdate(now) + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    today = Q(state__in=[*OVERDUE_STATES, *AGENCY_STATES], due_at__lt=tomorrow)
    cases = (
        complaints_visible_to(viewer)
        .filter(assignee=officer, state__in=OPEN_STATES)
        .annotate(later=Case(When(today, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .select_related("agency", "unit")
        .only(*ASSIGNED_COLUMNS)
        .order_by("later", "-urgent", F("due_at").asc(nulls_last=True), "id")
    )
    rows = list(cases[: MY_CASES_MAX + 1])
    for row in rows:
        row.needs_today = row.later == 0
        row.clock = clock_owner(row.state)
        row.overdue_now = row.due_at is not None and row.due_at < now
    return AssignedCases(officer=officer, rows=rows[:MY_CASES_MAX], more=len(rows) > MY_CASES_MAX)
