"""The queue at /petugas/: order, filters, search, keyset pages, query counts, bulk assignment."""

import datetime

import pytest
from django.utils import timezone

from complaints.models import Agency, Category, Complaint, VulnerableGroup
from tests.complaints.officer_cases import as_user, referred_to_ombudsman
from tests.factories import ComplaintFactory, UserFactory, unit
from workflow import engine
from workflow.engine import Actor

pytestmark = pytest.mark.django_db


def rows(user, params=None) -> list[int]:
    response = as_user(user).get("/petugas/", params or {})
    assert response.status_code == 200
    return [c.pk for c in response.context["page"].rows]


def test_the_queue_puts_overdue_first_then_the_soonest_and_no_deadline_last(intake_officer):
    now = timezone.now()
    later = ComplaintFactory(due_at=now + datetime.timedelta(days=5))
    none = ComplaintFactory(due_at=None)
    overdue = ComplaintFactory(due_at=now - datetime.timedelta(days=2))
    soon = ComplaintFactory(due_at=now + datetime.timedelta(days=1))
    assert rows(intake_officer) == [overdue.pk, soon.pk, later.pk, none.pk]


def test_overdue_is_said_in_words_not_only_in_colour(intake_officer):
    late = ComplaintFactory(due_at=timezone.now() - datetime.timedelta(days=1))
    html = as_user(intake_officer).get("/petugas/").content.decode()
    row = html.split(f'data-complaint-id="{late.pk}"')[1].split("</tr>")[0]
    assert "lewat tenggat" in row


@pytest.fixture
def variety(intake_officer, administrator):
    """One case per filter value, each assigned to Intan so only the filter tells them apart."""
    mine = {"assignee": intake_officer}
    jakarta_pusat = ComplaintFactory(regency_id="31.71", **mine)
    groups = VulnerableGroup.objects.all()[:1]
    cases = {
        "plain": jakarta_pusat,
        "ham": ComplaintFactory(kind="ham", category=None, **mine),
        "sms": ComplaintFactory(channel="sms", **mine),
        "late": ComplaintFactory(due_at=timezone.now() - datetime.timedelta(days=1), **mine),
        "unassigned": ComplaintFactory(),
        "text": ComplaintFactory(description="Pungutan liar untuk sertifikat tanah di kantor desa.", **mine),
        "category": ComplaintFactory(category=Category.objects.get(code="permintaan-imbalan"), **mine),
        "regency": ComplaintFactory(regency_id="31.74", **mine),
        "agency": ComplaintFactory(agency=Agency.objects.exclude(name="BPJS Kesehatan").first(), **mine),
        "vulnerable": ComplaintFactory(**mine),
        "other_officer": ComplaintFactory(assignee=UserFactory(username="ika", unit=unit("intake", "31"))),
    }
    cases["vulnerable"].vulnerable_groups.set(groups)
    verifying = ComplaintFactory(**mine)
    engine.perform(verifying, "start_verification", actor=Actor.officer(administrator), via="web")
    cases["verifying"] = verifying
    return cases, groups[0]


@pytest.mark.parametrize(
    ("params", "matches"),
    [
        ({"kind": "ham"}, ["ham"]),
        ({"channel": "sms"}, ["sms"]),
        ({"state": "verifying"}, ["verifying"]),
        ({"overdue": "true"}, ["late"]),
        ({"assignee": "unassigned"}, ["unassigned"]),
        ({"q": "sertifikat tanah"}, ["text"]),
        ({"regency": "31.74"}, ["regency"]),
        ({"vulnerable_group": "GROUP"}, ["vulnerable"]),
        ({"category": "CATEGORY"}, ["category"]),
        ({"agency": "AGENCY"}, ["agency"]),
    ],
)
def test_each_filter_narrows_the_queue(intake_officer, variety, params, matches):
    cases, group = variety
    params = dict(params)
    substitutes = {
        "GROUP": group.pk,
        "CATEGORY": cases["category"].category_id,
        "AGENCY": cases["agency"].agency_id,
    }
    params = {key: substitutes.get(value, value) for key, value in params.items()}
    assert rows(intake_officer, params) == [cases[m].pk for m in matches]


def test_the_assignee_filter_knows_me_and_anyone(intake_officer, variety):
    cases, _group = variety
    mine = rows(intake_officer, {"assignee": "me"})
    assert cases["plain"].pk in mine
    assert cases["unassigned"].pk not in mine and cases["other_officer"].pk not in mine
    assert len(rows(intake_officer, {"assignee": "anyone"})) == len(rows(intake_officer))


def test_the_province_filter_and_filters_combine(administrator, intake_officer):
    jakarta = ComplaintFactory(kind="ham", category=None)
    ComplaintFactory(kind="ham", category=None, province_id="32", regency_id=None, unit=unit("intake", "32"))
    ComplaintFactory()
    assert rows(administrator, {"province": "31", "kind": "ham"}) == [jakarta.pk]


def test_the_queue_finds_a_case_by_its_tracking_code_written_any_way(intake_officer):
    wanted, _other = ComplaintFactory(tracking_code="ABCD2345"), ComplaintFactory()
    for written in ("abcd-2345", " ABCD 2345 ", "abcd2345"):
        assert rows(intake_officer, {"q": written}) == [wanted.pk], written


def test_the_queue_pages_by_cursor_in_a_fixed_number_of_queries(
    intake_officer, django_assert_max_num_queries
):
    now = timezone.now()
    groups = list(VulnerableGroup.objects.all()[:2])
    for i in range(130):
        complaint = ComplaintFactory(
            due_at=now + datetime.timedelta(hours=i) if i < 120 else None,
            assignee=intake_officer if i % 3 else None,
        )
        if i % 4 == 0:
            complaint.vulnerable_groups.set(groups)
    client = as_user(intake_officer)
    client.get("/petugas/")  # the process reads its reference copies once (complaints.reference)
    # The session, the officer, the page's cases, the officers they name and the open data
    # requests: nothing a row, and the filters' lists from the reference copies.
    with django_assert_max_num_queries(5):
        first = client.get("/petugas/")
    page = first.context["page"]
    assert len(page.rows) == 50 and page.next_cursor
    with django_assert_max_num_queries(5):
        second = client.get("/petugas/", {"cursor": page.next_cursor, "vulnerable_group": ""}).context["page"]
    third = client.get("/petugas/", {"cursor": second.next_cursor}).context["page"]
    seen = [c.pk for c in page.rows + second.rows + third.rows]
    assert len(seen) == len(set(seen)) == 130 and third.next_cursor is None
    # The cases without a deadline come last, after every dated one.
    assert [c.due_at for c in third.rows[-10:]] == [None] * 10


def _filter_form(response) -> str:
    html = response.content.decode()
    return html[html.index('<form method="get" class="filters"') :].split("</form>")[0]


def test_the_kept_filter_form_is_the_form_a_filtered_page_renders(ombudsman_officer, administrator):
    """Nothing filtered, the page shows the filter form it keeps (views.queue_filter_fields): the form
    a filtered page renders with nothing chosen, for a provincial unit (no province filter) and for
    an administrator (every province), in both languages."""
    ComplaintFactory()
    for user in (ombudsman_officer, administrator):
        client = as_user(user)
        for language in ("id", "en"):
            kept = client.get("/petugas/", HTTP_ACCEPT_LANGUAGE=language)
            rendered = client.get("/petugas/", {"q": ""}, HTTP_ACCEPT_LANGUAGE=language)
            assert kept.context["filters"] is None and rendered.context["filters"] is not None
            assert _filter_form(kept) == _filter_form(rendered)
            assert ('name="province"' in _filter_form(kept)) == (user == administrator)


def test_a_new_category_or_agency_is_in_the_kept_filter_form_at_once(ombudsman_officer):
    """The kept form goes with the reference tables it lists (complaints.reference); an inactive
    category or agency is offered too: old cases still carry it."""
    client = as_user(ombudsman_officer)
    assert "Pungutan parkir" not in client.get("/petugas/").content.decode()
    category = Category.objects.create(
        kind="maladministrasi",
        code="pungutan-parkir",
        name_id="Pungutan parkir",
        name_en="Parking levy",
        is_active=False,
    )
    agency = Agency.objects.create(name="Badan Uji Coba Nasional", level="pusat", is_active=False)
    html = client.get("/petugas/").content.decode()
    assert f'<option value="{category.pk}">Pungutan parkir</option>' in html
    assert f'<option value="{agency.pk}">Badan Uji Coba Nasional</option>' in html


def test_a_broken_cursor_starts_from_the_first_page(intake_officer):
    ComplaintFactory()
    assert as_user(intake_officer).get("/petugas/", {"cursor": "bukan-kursor"}).status_code == 200


def test_only_supervisors_see_the_bulk_assignment_checkboxes(administrator, supervisor, ombudsman_officer):
    case = referred_to_ombudsman(administrator)
    box = f'name="complaint" value="{case.pk}"'
    assert box in as_user(supervisor).get("/petugas/").content.decode()
    assert box not in as_user(ombudsman_officer).get("/petugas/").content.decode()


def test_a_supervisor_assigns_several_cases_from_the_queue(administrator, supervisor, ombudsman_officer):
    cases = [referred_to_ombudsman(administrator) for _ in range(3)]
    response = as_user(supervisor).post(
        "/petugas/tugaskan/",
        {"complaint": [c.pk for c in cases[:2]], "assignee": ombudsman_officer.pk, "next": "/petugas/"},
        follow=True,
    )
    assert "2 kasus ditugaskan" in response.content.decode()
    assigned = dict(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "assignee"))
    assert assigned == {
        cases[0].pk: ombudsman_officer.pk,
        cases[1].pk: ombudsman_officer.pk,
        cases[2].pk: None,
    }
    # And unassigns them again with the explicit choice (an empty one changes nothing: test_bulk_assign).
    as_user(supervisor).post("/petugas/tugaskan/", {"complaint": [cases[0].pk], "assignee": "lepas"})
    assert Complaint.objects.get(pk=cases[0].pk).assignee is None


def test_a_filter_value_it_cannot_read_is_pointed_out(intake_officer):
    response = as_user(intake_officer).get("/petugas/", {"state": "terbang"})
    assert response.status_code == 200
    assert 'class="has-error"' in response.content.decode()


def test_on_postgresql_the_search_is_full_text_on_an_index(postgres, administrator):
    from django.db import connection

    from complaints.workspace.selectors import complaint_queue_for

    wanted = ComplaintFactory(description="Pungutan liar saat mengurus sertifikat tanah di desa.")
    ComplaintFactory(description="Sertifikasi guru tertunda.")  # a different word, not a match
    page = complaint_queue_for(administrator, params={"q": "sertifikat pungutan"})
    assert [c.pk for c in page.rows] == [wanted.pk]
    queryset = page.filters.qs.order_by().values("id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a near-empty table the planner prefers any scan; take the cheap ones away so the
        # plan shows whether the search condition can use its index at all. (A full scan of an
        # unrelated btree index is a plain index scan, so those go too; GIN is read by bitmap.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "complaint_description_fts" in plan, plan
