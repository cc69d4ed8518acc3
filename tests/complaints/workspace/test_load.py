"""A supervisor sees the load (docs/domain.md#workload): /petugas/beban/ against the database, who
may see which unit, what it costs; the assignment's suggestion of the least-loaded officer (never
preselected); "Kasus saya", what is due today first; the dashboard's urgent figures."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import OPEN_STATES, Complaint, Kind, Role, State
from complaints.workspace.dashboard import dashboard_for
from complaints.workspace.selectors import assign_choices, assigned_cases_for, officer_loads
from complaints.workspace.services import assignable_officers
from tests.complaints.officer_cases import as_user
from tests.factories import ComplaintFactory, UserFactory, unit
from workflow.models import TransitionLog

JAKARTA = ZoneInfo("Asia/Jakarta")
DAY = timedelta(days=1)
URL = "/petugas/beban/"
SUGGESTED = "disarankan (beban paling sedikit)"


def case(officer, state, *, now, due=None, agency_due=None, urgent=False, touched=None, where=None):
    """An open (or ended) case of Ombudsman DKI Jakarta in ``state``, held by ``officer``; ``due``,
    ``agency_due`` and ``touched`` (its last step) in days from ``now``."""
    return ComplaintFactory(
        unit=where or unit("ombudsman", "31"),
        state=state,
        assignee=officer,
        urgent=urgent,
        due_at=None if due is None else now + due * DAY,
        agency_due_at=None if agency_due is None else now + agency_due * DAY,
        state_changed_at=now + (touched if touched is not None else -1) * DAY,
    )


@pytest.fixture
def team(db, ombudsman_officer, supervisor):
    """Ombudsman DKI Jakarta: Oki, Budi and Citra examine, Sari heads it."""
    budi = UserFactory(
        username="budi", first_name="Budi", role=Role.CASE_OFFICER, unit=unit("ombudsman", "31")
    )
    citra = UserFactory(
        username="citra", first_name="Citra", role=Role.CASE_OFFICER, unit=unit("ombudsman", "31")
    )
    ombudsman_officer.first_name = "Oki"
    ombudsman_officer.save()
    supervisor.first_name = "Sari"
    supervisor.save()
    return {"oki": ombudsman_officer, "budi": budi, "citra": citra, "sari": supervisor}


@pytest.fixture
def load_cases(team, outsider):
    """Urgent, overdue, agency-late and untouched cases mixed, some held by nobody."""
    now = timezone.now()
    oki, budi, sari = team["oki"], team["budi"], team["sari"]
    cases = {
        # Oki: 4 open. An urgent overdue examination untouched for 10 days (his oldest), an agency
        # late on its clarification, an investigation, a resolved case in its objection window.
        "oki_exam": case(oki, State.EXAMINATION, now=now, due=-2, urgent=True, touched=-10),
        "oki_clar": case(oki, State.CLARIFICATION, now=now, due=-1, agency_due=-1, touched=-30),
        "oki_inv": case(oki, State.INVESTIGATION, now=now, due=5, touched=-3),
        "oki_resolved": case(oki, State.RESOLVED, now=now, due=10, touched=-40),
        "oki_closed": case(oki, State.CLOSED, now=now, touched=-50),  # ended: not load
        # Budi: 2 open. An urgent examination untouched for 20 days; a case awaiting the
        # complainant past its date (the complainant's clock: not overdue).
        "budi_exam": case(budi, State.EXAMINATION, now=now, due=3, urgent=True, touched=-20),
        "budi_wait": case(budi, State.AWAITING_INFO, now=now, due=-1, touched=-25),
        # Sari, the supervisor, holds a mediation.
        "sari_med": case(sari, State.MEDIATION, now=now, due=7, touched=-2),
        # Nobody: two referrals, one urgent and overdue.
        "free_urgent": case(None, State.REFERRED, now=now, due=-1, urgent=True, touched=-6),
        "free": case(None, State.REFERRED, now=now, due=4, touched=-1),
        # Other units: never counted.
        "west_java": case(
            outsider, State.EXAMINATION, now=now, due=-5, urgent=True, where=unit("ombudsman", "32")
        ),
        "kanwil": case(None, State.EXAMINATION, now=now, due=-5, where=unit("kanwil_ham", "31")),
    }
    return cases


# --- the numbers -----------------------------------------------------------------------------------
def test_the_load_counts_each_officers_open_cases_by_stage_urgent_overdue_and_agency_late(team, load_cases):
    load = officer_loads(unit("ombudsman", "31"), now=timezone.now())
    rows = {row.officer.username: row for row in load.officers}
    # Every active case officer of the unit is listed, Citra with nothing; the supervisor because
    # she holds a case; the most loaded first.
    assert [row.officer.username for row in load.officers] == ["oki", "budi", "sari", "citra"]
    oki, budi = rows["oki"], rows["budi"]
    assert oki.by_state == {"examination": 1, "clarification": 1, "investigation": 1, "resolved": 1}
    assert (oki.open, oki.urgent, oki.overdue, oki.agency_late) == (4, 1, 1, 1)
    assert oki.oldest.pk == load_cases["oki_exam"].pk  # the clarification and the outcome wait on others
    assert budi.by_state == {"examination": 1, "awaiting_info": 1}
    assert (budi.open, budi.urgent, budi.overdue, budi.agency_late) == (2, 1, 0, 0)
    assert budi.oldest.pk == load_cases["budi_exam"].pk
    assert (rows["sari"].open, rows["citra"].open, rows["citra"].oldest) == (1, 0, None)
    free = load.unassigned
    assert free.officer is None
    assert (free.by_state, free.urgent, free.overdue) == ({"referred": 2}, 1, 1)
    assert free.oldest.pk == load_cases["free_urgent"].pk
    assert (load.total.open, load.total.urgent, load.total.overdue, load.total.agency_late) == (9, 3, 2, 1)


def test_the_load_agrees_with_the_database_row_by_row(team, load_cases):
    now = timezone.now()
    ombudsman = unit("ombudsman", "31")
    load = officer_loads(ombudsman, now=now)
    for row in [*load.officers, load.unassigned]:
        held = Complaint.objects.filter(unit=ombudsman, assignee=row.officer, state__in=OPEN_STATES)
        assert row.open == held.count()
        assert row.urgent == held.filter(urgent=True).count()
        for state, count in row.by_state.items():
            assert held.filter(state=state).count() == count
        # The stage columns hold the same numbers, in the table's order.
        assert row.cells == [row.by_state.get(state, 0) for state, _label in load.states]
    # A handling unit's columns: its stages, from the referral to the objection window.
    assert [state for state, _label in load.states][:3] == ["awaiting_info", "referred", "examination"]
    assert "submitted" not in dict(load.states)


def test_the_page_shows_the_figures_in_an_accessible_table_with_links(team, load_cases):
    html = as_user(team["sari"]).get(URL).content.decode()
    table = html.split('<table class="queue" id="load">')[1].split("</table>")[0]
    assert "<caption>" in table and '<th scope="col">' in table and '<th scope="row">' in table
    oki_row = table.split(f'id="officer-{team["oki"].pk}"')[1].split("</tr>")[0]
    assert f'href="/petugas/beban/{team["oki"].pk}/"' in oki_row  # his open cases
    assert f'href="/petugas/kasus/{load_cases["oki_exam"].pk}/"' in oki_row  # his oldest untouched
    assert "<strong>4</strong>" in oki_row
    free_row = table.split('id="unassigned"')[1].split("</tr>")[0]
    assert 'href="/petugas/?assignee=unassigned"' in free_row
    assert "<strong>2</strong>" in free_row
    assert "<script" not in html.split("<main")[1]  # no JavaScript needed
    assert 'href="/petugas/beban/"' in html  # the officers' menu links here


def test_the_load_page_costs_the_same_few_queries_however_many_officers_and_cases(
    team, load_cases, django_assert_max_num_queries
):
    client = as_user(team["sari"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    now = timezone.now()
    for n in range(6):
        officer = UserFactory(username=f"tambahan{n}", role=Role.CASE_OFFICER, unit=unit("ombudsman", "31"))
        for state in (State.EXAMINATION, State.MEDIATION, State.CLARIFICATION):
            case(officer, state, now=now, due=-n, agency_due=-1, urgent=n % 2 == 0, touched=-n)
    assert queries() == few
    with django_assert_max_num_queries(8):
        client.get(URL)


# --- who sees which unit ---------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["ombudsman_officer", "intake_officer", "kanwil_officer"])
def test_an_officer_who_is_not_a_supervisor_is_refused(request, load_cases, persona):
    officer = request.getfixturevalue(persona)
    assert as_user(officer).get(URL).status_code == 403
    assert 'href="/petugas/beban/"' not in as_user(officer).get("/petugas/").content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert (response.status_code, response["Location"]) == (302, "/petugas/masuk/?next=/petugas/beban/")


def test_a_supervisor_of_another_unit_sees_only_their_own_even_by_asking(team, load_cases, outsider):
    west_java = UserFactory(username="wulan", role=Role.SUPERVISOR, unit=unit("ombudsman", "32"))
    html = as_user(west_java).get(URL, {"unit": unit("ombudsman", "31").pk}).content.decode()
    assert unit("ombudsman", "32").name in html
    assert unit("ombudsman", "31").name not in html
    assert f'id="officer-{outsider.pk}"' in html and f'id="officer-{team["oki"].pk}"' not in html
    # Nor Jakarta's officers' own pages.
    assert as_user(west_java).get(f"/petugas/beban/{team['oki'].pk}/").status_code == 404


def test_the_administrator_chooses_the_unit(administrator, team, load_cases):
    client = as_user(administrator)
    html = client.get(URL).content.decode()
    assert 'name="unit"' in html and 'id="load"' not in html
    html = client.get(URL, {"unit": unit("ombudsman", "31").pk}).content.decode()
    assert f'value="{unit("ombudsman", "31").pk}" selected' in html
    assert f'id="officer-{team["oki"].pk}"' in html
    html = client.get(URL, {"unit": "not-a-number"}).content.decode()
    assert 'id="load"' not in html
    assert client.get(f"/petugas/beban/{team['oki'].pk}/").status_code == 200


def test_an_officers_page_is_for_them_their_supervisor_and_the_administrator(team, load_cases):
    path = f"/petugas/beban/{team['budi'].pk}/"
    assert as_user(team["sari"]).get(path).status_code == 200
    assert as_user(team["budi"]).get(path).status_code == 200
    assert as_user(team["oki"]).get(path).status_code == 403  # a colleague
    html = as_user(team["sari"]).get(path).content.decode()
    assert "Kasus Budi" in html
    assert load_cases["budi_exam"].tracking_code_display in html
    assert load_cases["oki_exam"].tracking_code_display not in html


# --- the assignment's suggestion -------------------------------------------------------------------
def _options(html: str, select_id: str) -> list[str]:
    select = html.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r"<option[^>]*>[^<]*</option>", select)


def test_the_case_page_orders_officers_by_load_and_suggests_the_least_loaded_never_preselected(
    team, load_cases
):
    referral = load_cases["free"]
    html = as_user(team["sari"]).get(f"/petugas/kasus/{referral.pk}/").content.decode()
    options = _options(html, "id_case_assignee")
    assert options[0] == '<option value="" selected disabled>— pilih —</option>'
    officers = options[1:-1]
    assert [re.search(r'value="(\d+)"', o).group(1) for o in officers] == [
        str(team[name].pk) for name in ("citra", "sari", "budi", "oki")
    ]
    assert officers[0] == f'<option value="{team["citra"].pk}">Citra (0 kasus terbuka) — {SUGGESTED}</option>'
    assert "Oki (4 kasus terbuka)</option>" in officers[-1]
    assert sum(SUGGESTED in o for o in options) == 1
    assert sum(" selected" in o for o in options) == 1  # only the placeholder


def test_a_supervisor_with_fewer_cases_is_listed_first_but_a_case_officer_is_suggested(team, load_cases):
    now = timezone.now()
    case(team["citra"], State.EXAMINATION, now=now, due=3)
    case(team["citra"], State.EXAMINATION, now=now, due=3)  # Citra 2, Sari 1, Budi 2, Oki 4
    choices = assign_choices(assignable_officers(load_cases["free"]), unit("ombudsman", "31"), now=now)
    assert [(o.username, o.open_load, o.suggested) for o in choices] == [
        ("sari", 1, False),
        ("budi", 2, True),  # Budi and Citra tie: by name
        ("citra", 2, False),
        ("oki", 4, False),
    ]


def test_the_current_officer_stays_shown_and_the_suggestion_is_only_a_mark(team, load_cases):
    held = load_cases["oki_inv"]
    html = as_user(team["sari"]).get(f"/petugas/kasus/{held.pk}/").content.decode()
    options = _options(html, "id_case_assignee")
    selected = [o for o in options if " selected" in o]
    assert selected == [f'<option value="{team["oki"].pk}" selected>Oki (4 kasus terbuka)</option>']
    assert SUGGESTED in next(o for o in options if f'value="{team["citra"].pk}"' in o)


def test_the_queues_bulk_assign_is_ordered_by_load_with_the_suggestion_and_nothing_preselected(
    team, load_cases
):
    html = as_user(team["sari"]).get("/petugas/").content.decode()
    options = _options(html, "id_bulk_assignee")
    assert options[0] == '<option value="" selected disabled>— pilih —</option>'
    assert options[-1] == '<option value="lepas">Lepaskan (tanpa petugas)</option>'
    assert f'value="{team["citra"].pk}">Citra (0 kasus terbuka) — {SUGGESTED}' in options[1]
    assert sum(SUGGESTED in o for o in options) == 1
    assert sum(" selected" in o for o in options) == 1


def test_a_case_of_the_other_route_gets_no_suggestion(team, load_cases):
    ham = ComplaintFactory(unit=unit("ombudsman", "31"), kind=Kind.HAM, state=State.REFERRED)
    choices = assign_choices(assignable_officers(ham), ham.unit, now=timezone.now(), complaint=ham)
    assert choices and not any(o.suggested for o in choices)


def test_at_a_desk_the_least_loaded_intake_officer_is_suggested(intake_officer, db):
    desk = unit("intake", "31")
    boss = UserFactory(username="dewi", first_name="Dewi", role=Role.SUPERVISOR, unit=desk)
    other = UserFactory(username="eko", first_name="Eko", role=Role.INTAKE_OFFICER, unit=desk)
    now = timezone.now()
    case(intake_officer, State.VERIFYING, now=now, due=2, where=desk)
    choices = assign_choices(assignable_officers(ComplaintFactory()), desk, now=now)
    assert [(o.pk, o.suggested) for o in choices] == [
        (boss.pk, False),
        (other.pk, True),
        (intake_officer.pk, False),
    ]
    load = officer_loads(desk, now=now)
    assert [state for state, _label in load.states] == [
        "submitted", "verifying", "material_verification", "awaiting_info",
    ]  # fmt: skip


# --- "Kasus saya" -----------------------------------------------------------------------------------
def test_my_cases_put_what_is_due_today_first_then_urgent_then_by_deadline(team):
    now = datetime(2026, 6, 15, 12, 0, tzinfo=JAKARTA)
    oki = team["oki"]
    made = {
        "later": case(oki, State.EXAMINATION, now=now, due=5),
        "today": case(oki, State.EXAMINATION, now=now, due=0.125),  # 15:00 today
        "urgent_later": case(oki, State.EXAMINATION, now=now, due=10, urgent=True),
        "agency_late": case(oki, State.CLARIFICATION, now=now, due=-1, agency_due=-1),
        "complainant_late": case(oki, State.AWAITING_INFO, now=now, due=-1),  # the complainant's clock
        "overdue": case(oki, State.EXAMINATION, now=now, due=-3),
        "urgent_overdue": case(oki, State.EXAMINATION, now=now, due=-1, urgent=True),
        "tomorrow": case(oki, State.INVESTIGATION, now=now, due=0.6),  # 02:24 tomorrow
    }
    case(oki, State.CLOSED, now=now)  # ended
    case(team["budi"], State.EXAMINATION, now=now, due=-9)  # someone else's
    mine = assigned_cases_for(oki, oki, now=now)
    order = {c.pk: name for name, c in made.items()}
    assert [order[row.pk] for row in mine.rows] == [
        "urgent_overdue", "overdue", "agency_late", "today",
        "urgent_later", "complainant_late", "tomorrow", "later",
    ]  # fmt: skip
    assert mine.today == 4
    clocks = {order[row.pk]: row.clock for row in mine.rows}
    assert (clocks["agency_late"], clocks["complainant_late"], clocks["today"]) == (
        "agency",
        "complainant",
        "officer",
    )


def test_the_my_cases_page_shows_stage_deadline_and_whose_deadline(team, load_cases):
    html = as_user(team["oki"]).get("/petugas/kasus-saya/").content.decode()
    assert "<h1>Kasus saya</h1>" in html
    table = html.split('id="my-cases"')[1].split("</table>")[0]
    codes = re.findall(r'href="/petugas/kasus/(\d+)/"', table)
    assert codes[:2] == [str(load_cases["oki_exam"].pk), str(load_cases["oki_clar"].pk)]  # due: first
    assert len(codes) == 4  # open ones only
    clarification = table.split(load_cases["oki_clar"].tracking_code_display)[1].split("</tr>")[0]
    assert "Klarifikasi ke instansi" in clarification and "instansi terlapor" in clarification
    assert "instansi terlambat" in clarification
    assert load_cases["budi_exam"].tracking_code_display not in table
    assert 'href="/petugas/kasus-saya/"' in html  # in the officers' menu


def test_my_cases_in_english(team, load_cases):
    from django.conf import settings

    client = as_user(team["oki"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/petugas/kasus-saya/").content.decode()
    assert "My cases" in html and "reported agency" in html
    client = as_user(team["sari"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(URL).content.decode()
    assert "Workload" in html and "Oldest untouched" in html
    html = client.get(f"/petugas/kasus/{load_cases['free'].pk}/").content.decode()
    assert "suggested (fewest cases)" in html and "0 open cases" in html


# --- the dashboard's urgent figures ----------------------------------------------------------------
def _log(complaint, *, source, target, at, actor_kind="officer"):
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=complaint.pk,
        transition=target or "claim",
        source=source,
        target=target,
        actor_kind=actor_kind,
        via="web",
        created_at=at,
    )


def test_the_dashboard_counts_urgent_cases_and_how_fast_they_were_handled(ombudsman_officer, db):
    ombudsman = unit("ombudsman", "31")
    start = datetime(2026, 5, 1, 9, 0, tzinfo=JAKARTA)

    def filed(*, urgent, state, first_step, referred):
        complaint = ComplaintFactory(unit=ombudsman, state=state, urgent=urgent, created_at=start)
        # A claim (an event) and the complainant's own step do not count as the first officer step.
        _log(complaint, source="", target="", at=start + 0.1 * DAY)
        _log(complaint, source="submitted", target="verifying", at=start + first_step * DAY)
        _log(complaint, source="verifying", target="material_verification", at=start + first_step * DAY)
        _log(complaint, source="material_verification", target="referred", at=start + referred * DAY)
        return complaint

    filed(urgent=True, state=State.EXAMINATION, first_step=0.5, referred=1)
    filed(urgent=True, state=State.CLOSED, first_step=1.5, referred=3)
    filed(urgent=False, state=State.EXAMINATION, first_step=2, referred=6)
    filed(urgent=False, state=State.REFERRED, first_step=4, referred=10)
    filed(urgent=False, state=State.RESOLVED, first_step=6, referred=14)
    ComplaintFactory(unit=unit("ombudsman", "32"), province_id="32", regency_id=None, urgent=True)  # not ours
    figures = dashboard_for(ombudsman_officer, now=start + 30 * DAY)
    assert (figures.total, figures.urgent_total, figures.urgent_open) == (5, 2, 1)
    first, referral = figures.urgency_speed  # to the first officer step, to the referral
    assert (first.urgent_median, first.urgent_cases, first.other_median, first.other_cases) == (
        1.0,
        2,
        4.0,
        3,
    )
    assert (referral.urgent_median, referral.other_median) == (2.0, 10.0)
    html = as_user(ombudsman_officer).get("/petugas/dasbor/").content.decode()
    assert '<p class="card-value" id="urgent-total">2</p>' in html
    assert "1 masih terbuka" in html
    table = html.split('<table id="urgency-speed">')[1].split("</table>")[0]
    assert re.search(
        r'<th scope="row">langkah pertama petugas</th>\s*<td class="num">1.0</td>\s*<td class="num">2</td>'
        r'\s*<td class="num">4.0</td>\s*<td class="num">3</td>',
        table,
    )


def test_a_complainants_step_is_not_the_first_officer_step(ombudsman_officer, db):
    start = datetime(2026, 5, 1, 9, 0, tzinfo=JAKARTA)
    complaint = ComplaintFactory(
        unit=unit("ombudsman", "31"), state=State.EXAMINATION, urgent=True, created_at=start
    )
    _log(complaint, source="submitted", target="withdrawn", at=start + DAY, actor_kind="complainant")
    _log(complaint, source="submitted", target="verifying", at=start + 2 * DAY, actor_kind="system")
    _log(complaint, source="verifying", target="material_verification", at=start + 5 * DAY)
    first = dashboard_for(ombudsman_officer, now=start + 9 * DAY).urgency_speed[0]
    assert (first.urgent_median, first.urgent_cases, first.other_cases) == (5.0, 1, 0)
