"""Urgent cases first (docs/domain.md#urgency): the queue's and the API list's order, keyset pages
across the urgent/ordinary boundary, ?urgent=, the API's fields, and the index that serves it."""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from complaints.models import Complaint
from complaints.workspace.selectors import complaint_queue_for, complaint_queue_values_for, decode_cursor
from tests.complaints.officer_cases import as_user
from tests.factories import ComplaintFactory, unit

pytestmark = pytest.mark.django_db
LIST = "/api/v1/complaints/"


def api_for(user) -> APIClient:
    _token, key = AuthToken.objects.create(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def page_rows(user, params=None) -> list[int]:
    response = as_user(user).get("/petugas/", params or {})
    assert response.status_code == 200
    return [c.pk for c in response.context["page"].rows]


@pytest.fixture
def mixed(db):
    """Urgent and ordinary cases, overdue, due and without a deadline, created out of order."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    made = {
        "ordinary_soon": ComplaintFactory(due_at=now + day),
        "urgent_later": ComplaintFactory(urgent=True, due_at=now + 3 * day),
        "ordinary_none": ComplaintFactory(due_at=None),
        "ordinary_overdue": ComplaintFactory(due_at=now - 2 * day),
        "urgent_none": ComplaintFactory(urgent=True, due_at=None),
        "urgent_overdue": ComplaintFactory(urgent=True, due_at=now - day),
        "urgent_soon": ComplaintFactory(urgent=True, due_at=now + day / 2),
    }
    order = [
        "urgent_overdue",
        "urgent_soon",
        "urgent_later",
        "urgent_none",
        "ordinary_overdue",
        "ordinary_soon",
        "ordinary_none",
    ]
    return [made[name].pk for name in order]


def test_urgent_cases_come_first_then_the_soonest_deadline_overdue_leading(intake_officer, mixed):
    assert page_rows(intake_officer) == mixed
    rows = api_for(intake_officer).get(LIST).json()["results"]
    assert [row["id"] for row in rows] == mixed
    assert [row["urgent"] for row in rows] == [True] * 4 + [False] * 3


def test_an_urgent_row_says_so_in_words(intake_officer, mixed):
    html = as_user(intake_officer).get("/petugas/").content.decode()
    row = html.split(f'data-complaint-id="{mixed[0]}"')[1].split("</tr>")[0]
    assert "mendesak" in row
    ordinary = html.split(f'data-complaint-id="{mixed[-1]}"')[1].split("</tr>")[0]
    assert "mendesak" not in ordinary


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_keyset_pages_cross_the_boundary_without_a_gap_or_a_repeat(intake_officer, mixed, size):
    seen, cursor = [], ""
    for _page in range(20):
        page = complaint_queue_for(intake_officer, params={}, cursor=cursor, page_size=size)
        seen += [c.pk for c in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == mixed


def test_the_api_follows_next_across_the_boundary(intake_officer, mixed):
    api = api_for(intake_officer)
    seen, url, params = [], LIST, {"page_size": 3}
    while url:
        body = api.get(url, params).json()
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], None
    assert seen == mixed


def test_the_cursor_names_urgent_due_and_id_and_an_older_cursor_is_still_read(intake_officer, mixed):
    first = complaint_queue_for(intake_officer, params={}, page_size=2)
    urgent, due, pk = decode_cursor(first.next_cursor)
    assert (urgent, pk) == (True, mixed[1]) and due is not None
    # A cursor written before urgent cases came first: (due_at, id). Read as a place among the
    # urgent cases: nothing after it is skipped.
    last = Complaint.objects.get(pk=mixed[1])
    legacy = base64.urlsafe_b64encode(json.dumps([last.due_at.isoformat(), last.pk]).encode()).decode()
    assert decode_cursor(legacy) == (True, last.due_at, last.pk)
    rest = complaint_queue_for(intake_officer, params={}, cursor=legacy, page_size=50)
    assert [c.pk for c in rest.rows] == mixed[2:]
    assert api_for(intake_officer).get(LIST, {"cursor": legacy}).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"[2, null, 1]",
        b'["1", null, 1]',
        b"[1.0, null, 1]",
        b"[null, null, 1]",
        b"[1, null, 1, 2]",
        b"[true]",
    ],
)
def test_a_cursor_with_a_wrong_urgent_part_is_refused(intake_officer, raw):
    cursor = base64.urlsafe_b64encode(raw).decode()
    assert decode_cursor(cursor) is None
    assert api_for(intake_officer).get(LIST, {"cursor": cursor}).status_code == 400
    assert as_user(intake_officer).get("/petugas/", {"cursor": cursor}).status_code == 200


def test_the_urgent_filter_on_the_page_the_api_and_the_export(intake_officer, mixed):
    assert page_rows(intake_officer, {"urgent": "true"}) == mixed[:4]
    assert page_rows(intake_officer, {"urgent": "false"}) == mixed[4:]
    assert page_rows(intake_officer, {"urgent": "unknown"}) == mixed
    api = api_for(intake_officer)
    assert [row["id"] for row in api.get(LIST, {"urgent": "true"}).json()["results"]] == mixed[:4]
    assert [row["id"] for row in api.get(LIST, {"urgent": "false"}).json()["results"]] == mixed[4:]
    page = as_user(intake_officer).get("/petugas/").content.decode()
    assert 'name="urgent"' in page and "Mendesak" in page
    export = b"".join(
        as_user(intake_officer).get("/petugas/ekspor.csv", {"urgent": "true"}).streaming_content
    )
    assert export.decode().count("\n") == 1 + 4


def test_the_api_says_why_a_case_is_urgent_in_the_clients_language(intake_officer):
    case = ComplaintFactory(
        urgent=True,
        urgency_claimed=False,
        urgency_source="suggested",
        urgency_reasons=[
            {
                "code": "words:detention",
                "label_id": "Kronologi menyebut penahanan",
                "label_en": "Mentions detention",
            },
            "not a reason",  # anything unreadable is left out, never a 500
        ],
    )
    api = api_for(intake_officer)
    indonesian = api.get(f"{LIST}{case.pk}/", HTTP_ACCEPT_LANGUAGE="id").json()
    assert (indonesian["urgent"], indonesian["urgency_claimed"], indonesian["urgency_source"]) == (
        True,
        False,
        "suggested",
    )
    assert indonesian["urgency_reasons"] == [
        {"code": "words:detention", "label": "Kronologi menyebut penahanan"}
    ]
    assert indonesian["urgency_note"] == "" and indonesian["urgency_reviewed_at"] is None
    english = api.get(f"{LIST}{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["urgency_reasons"] == [{"code": "words:detention", "label": "Mentions detention"}]


def test_the_list_stays_at_a_fixed_number_of_queries(intake_officer, django_assert_max_num_queries):
    for i in range(30):
        ComplaintFactory(urgent=bool(i % 3 == 0))
    api = api_for(intake_officer)
    api.get(LIST)  # warm the token's and the reference caches
    # knox's two (the token with its user, the officer's other tokens) and the page's cases: the
    # unit, categories and agencies they name come from the reference copies.
    with django_assert_max_num_queries(3):
        assert len(api.get(LIST).json()["results"]) == 30


def test_on_postgresql_the_queue_is_read_in_index_order_without_sorting_the_units_rows(
    postgres, ombudsman_officer
):
    """The handling unit's queue (what the bench measures at 1M rows): urgent first, then by
    deadline, straight from complaint_unit_urgent_due; no Sort over the unit's rows."""
    office = unit("ombudsman", "31")
    template = ComplaintFactory.build(unit=office)
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Complaint._meta.concrete_fields
        if f.attname not in ("id", "tracking_code")
    }
    now = timezone.now()
    Complaint.objects.bulk_create(
        [
            Complaint(
                **{
                    **fields,
                    "tracking_code": f"IDX{i:05d}",
                    "urgent": i % 50 == 0,
                    "due_at": now + datetime.timedelta(minutes=i * 37 % 9000) if i % 10 else None,
                    # Most cases at other units, as in a real database.
                    "unit_id": office.pk if i % 4 == 0 else unit("intake", "31").pk,
                }
            )
            for i in range(8000)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    plans = []
    for params, cursor_from in (({}, None), ({"state": "submitted"}, None), ({}, "second page")):
        cursor_value = ""
        if cursor_from:
            cursor_value = complaint_queue_for(ombudsman_officer, params={}, page_size=50).next_cursor
        # The page's own query, and the API's, as they were sent.
        for read in (complaint_queue_for, complaint_queue_values_for):
            with CaptureQueriesContext(connection) as captured:
                page = read(ombudsman_officer, params=params, cursor=cursor_value, page_size=50)
            assert page.rows
            (sql,) = [
                q["sql"] for q in captured.captured_queries if 'FROM "complaints_complaint"' in q["sql"]
            ]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    for plan in plans:
        assert "complaint_unit_urgent_due" in plan, plan
        assert "Sort" not in plan, plan
    # And the rows come in that order: urgent, then by deadline (none last), then by id.
    rows = complaint_queue_for(ombudsman_officer, params={}, page_size=200).rows
    keys = [(not c.urgent, c.due_at is None, c.due_at or now, c.pk) for c in rows]
    assert keys == sorted(keys)
