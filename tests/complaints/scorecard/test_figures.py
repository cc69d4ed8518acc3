"""The scorecard's figures against the database: what is counted, where, and what is held back."""

from datetime import datetime

import pytest
from django.utils import timezone

from complaints.models import (
    Agency,
    Category,
    Finding,
    FollowUp,
    Kind,
    Outcome,
    State,
    VulnerableGroup,
)
from complaints.scorecard.snapshot import Period
from complaints.workspace.dashboard import dashboard_for
from tests.complaints.lifecycle import complaint_in, step
from tests.complaints.scorecard.helpers import card, cases, figure, figures
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

HIDDEN = "disembunyikan"


def test_it_counts_complaints_by_kind_category_and_where_they_stand_now():
    delay = Category.objects.get(code="penundaan-berlarut")
    discrimination = Category.objects.get(code="diskriminasi")
    child = Category.objects.get(code="hak-anak")
    cases(6, state=State.EXAMINATION)
    cases(5, state=State.CLOSED, category=discrimination)
    cases(5, state=State.REJECTED, kind=Kind.HAM, category=child)

    shown = figures(card())
    assert shown["received"] == "16"
    assert (shown["kind:maladministrasi"], shown["kind:ham"], shown["kind:tidak_tahu"]) == ("11", "5", "< 5")
    assert shown[f"category:maladministrasi:{delay.pk}"] == "6"
    assert shown[f"category:maladministrasi:{discrimination.pk}"] == "5"
    assert shown[f"category:ham:{child.pk}"] == "5"
    assert [shown[f"status:{b}"] for b in ("in_process", "finished", "rejected", "withdrawn")] == [
        "6",
        "5",
        "5",
        "< 5",
    ]
    assert figure(card(), "kind:maladministrasi").share == round(100 * 11 / 16, 1)


def test_it_gives_the_share_of_complaints_naming_each_vulnerable_group():
    children, elderly = VulnerableGroup.objects.get(code="anak"), VulnerableGroup.objects.get(code="lansia")
    cases(6, vulnerable=[children])
    cases(2, vulnerable=[children, elderly])
    cases(2)
    scorecard = card()
    assert figure(scorecard, "vulnerable:anak").count == 8
    assert figure(scorecard, "vulnerable:anak").share == 80.0
    assert (figure(scorecard, "vulnerable:lansia").display, figure(scorecard, "vulnerable:lansia").share) == (
        "< 5",
        None,
    )
    # Every group of the reference data is listed, in its order.
    keys = [f.key for f in next(s for s in scorecard.sections if s.key == "vulnerable").groups[0].figures]
    assert keys == [f"vulnerable:{code}" for code in VulnerableGroup.objects.values_list("code", flat=True)]


def test_it_counts_what_the_agency_did_and_what_was_found():
    cases(5, state=State.EXAMINATION, clarification_on_time=True)
    cases(5, state=State.EXAMINATION, clarification_on_time=False)
    cases(
        5,
        state=State.RESOLVED,
        finding=Finding.FOUND,
        corrective_action_result=FollowUp.ON_TIME,
        outcome=Outcome.CORRECTED,
    )
    cases(6, state=State.RESOLVED, finding=Finding.NOT_FOUND, outcome=Outcome.MALADMIN_NOT_PROVEN)
    cases(
        5,
        state=State.CLOSED,
        finding=Finding.FOUND,
        corrective_action_result=FollowUp.IGNORED,
        recommendation="Bupati menegur kepala dinas.",
        recommendation_result=FollowUp.ON_TIME,
        outcome=Outcome.RECOMMENDATION_CARRIED_OUT,
    )
    ham = {"kind": Kind.HAM, "category": None}
    cases(5, state=State.RESOLVED, outcome=Outcome.HAM_INDICATED, **ham)  # as an earlier Sigap recorded
    cases(5, state=State.RECOMMENDATION, recommendation="Perbaiki layanan bagi anak.", **ham)  # the Kanwil's
    cases(5, state=State.RESOLVED, outcome=Outcome.HAM_NOT_INDICATED, **ham)

    scorecard = card()
    shown = figures(scorecard)
    assert (shown["clarification:asked"], shown["clarification:on_time"], shown["clarification:late"]) == (
        "10",
        "5",
        "5",
    )
    assert scorecard.clarification_rate == 50.0
    assert (shown["finding:total"], shown["finding:found"], shown["finding:not_found"]) == ("16", "10", "6")
    assert (shown["ham:total"], shown["ham:indicated"], shown["ham:not_indicated"]) == ("15", "10", "5")
    assert [shown[f"corrective:{r}"] for r in ("total", "on_time", "late", "ignored")] == [
        "10",
        "5",
        "< 5",
        "5",
    ]
    assert [shown[f"recommendation:{r}"] for r in ("total", "on_time", "late", "ignored")] == [
        "5",
        "5",
        "< 5",
        "< 5",
    ]
    # Clarifications answered, corrective actions and recommendations carried out on time: 15 of 25.
    assert scorecard.compliance_rate == 60.0


def test_withdrawn_complaints_count_as_received_but_not_in_outcomes_and_merged_ones_not_at_all():
    children = VulnerableGroup.objects.get(code="anak")
    withdrawn = cases(
        6,
        state=State.WITHDRAWN,
        clarification_on_time=True,
        finding=Finding.FOUND,
        corrective_action_result=FollowUp.LATE,
        vulnerable=[children],
    )
    cases(5, state=State.EXAMINATION, clarification_on_time=True)
    cases(
        7, state=State.DUPLICATE, duplicate_of=withdrawn[0], clarification_on_time=True, vulnerable=[children]
    )

    shown = figures(card())
    assert shown["received"] == "11"  # the 7 merged ones are counted as the one they joined
    assert (shown["status:withdrawn"], shown["status:in_process"]) == ("6", "5")
    assert shown["vulnerable:anak"] == "6"
    assert shown["clarification:asked"] == "5"  # the withdrawn ones' answers are not outcomes
    assert shown["finding:found"] == shown["corrective:late"] == "< 5"


def test_it_counts_by_month_of_filing_within_the_period_and_any_period_can_be_asked_for():
    period = Period.default()
    local = timezone.get_current_timezone()
    three_months_ago = period.months[-4]
    year, month = (int(part) for part in three_months_ago.split("-"))
    cases(5, created_at=datetime(year, month, 15, 10, tzinfo=local))
    cases(6)
    old = datetime(period.first.year - 1, period.first.month, 15, tzinfo=local)
    cases(7, created_at=old, state=State.RESOLVED, resolved_at=old)

    scorecard = card(period=period)
    shown = figures(scorecard)
    assert len(scorecard.months) == 12
    assert shown["received"] == "11"  # the 7 older than twelve months are not in the period
    assert shown[f"month:{three_months_ago}"] == "5"
    old_period = Period.parse(f"{old:%Y-%m}", f"{old:%Y-%m}")
    old_card = card(period=old_period)
    assert figures(old_card)["received"] == "7"
    assert figures(old_card)[f"resolved:{old:%Y-%m}"] == "7"
    assert [row.month for row in old_card.months] == [old.date().replace(day=1)]


def test_a_count_below_five_and_the_figure_that_would_give_it_back_are_held_back_on_every_page():
    delay = Category.objects.get(code="penundaan-berlarut")
    discrimination = Category.objects.get(code="diskriminasi")
    bpjs = Agency.objects.get(name="BPJS Kesehatan")
    cases(6)
    cases(3, category=discrimination)
    for scope in ("n", "p:31", "r:31.71", f"a:{bpjs.pk}"):
        shown = figures(card(scope))
        # 9 maladministration complaints, 3 of them about discrimination: shown, the 3 would be
        # 9 minus the others. So the delays are held back with them.
        assert shown["kind:maladministrasi"] == "9", scope
        assert shown[f"category:maladministrasi:{discrimination.pk}"] == "< 5", scope
        assert shown[f"category:maladministrasi:{delay.pk}"] == HIDDEN, scope
        assert figure(card(scope), f"category:maladministrasi:{delay.pk}").reason == "complement"


def test_a_region_held_back_as_a_complement_on_the_national_page_is_held_back_on_its_own_page():
    cases(20)  # DKI Jakarta
    cases(3, province_id="32", regency_id=None)  # Jawa Barat
    national = card()
    rows = {child.code: child.received.display for child in national.children}
    assert national.received.display == "23"
    assert rows["32"] == "< 5"
    assert rows["31"] == HIDDEN  # else 23 - 20 would give Jawa Barat's 3
    jakarta = card("p:31")
    assert jakarta.received.display == HIDDEN
    # Jakarta's 20 are all maladministration: the kinds' sum would give them back, so they go too.
    assert figures(jakarta)["kind:maladministrasi"] == HIDDEN


def test_agencies_are_ranked_among_agencies_of_their_level_in_their_province():
    cities = list(Agency.objects.filter(level=Agency.Level.REGENCY, province_id="31").order_by("name"))
    first, second, third, small = cities[:4]
    cases(9, agency=first, clarification_on_time=True)
    cases(5, agency=second, clarification_on_time=True)
    cases(5, agency=second, clarification_on_time=False)
    cases(7, agency=third)
    cases(3, agency=small)
    cases(6, agency=None, agency_name="Puskesmas Kecamatan")  # counted in the region, on no agency's page
    bandung = Agency.objects.filter(level=Agency.Level.REGENCY, province_id="32").first()
    cases(8, agency=bandung)

    place = card(f"a:{first.pk}").place
    assert "Daerah Khusus Ibukota Jakarta" in place.peers_label
    assert place.peers == len(cities)
    assert (place.received, place.received_of) == (2, 3)  # 10, 9, 7; the agency with 3 is not ranked
    assert (place.compliance, place.compliance_of, place.compliance_rate) == (1, 2, 100.0)
    second_place = card(f"a:{second.pk}").place
    assert (second_place.received, second_place.compliance, second_place.compliance_rate) == (1, 2, 50.0)
    assert card(f"a:{third.pk}").place.compliance is None  # it was never asked for anything
    small_card = card(f"a:{small.pk}")
    assert small_card.received.display == "< 5" and small_card.place.received is None
    # An agency of another province is not among the peers (the 8 are not ranked above with them).
    assert (card(f"a:{bandung.pk}").place.received, card(f"a:{bandung.pk}").place.received_of) == (1, 1)


def test_real_cases_through_both_routes_and_the_dashboards_stage_medians(administrator):
    officer = Actor.officer(administrator)
    for _ in range(5):
        case = complaint_in(State.EXAMINATION, admin=administrator)
        for name in ("request_clarification", "record_clarification", "issue_lahp", "corrective_action_done"):
            step(case, name, officer)
    for _ in range(5):
        case = complaint_in(State.EXAMINATION, admin=administrator, kind="ham", category=None)
        step(case, "issue_recommendation", officer, agency_days="30")
        step(case, "recommendation_done", officer)

    scorecard = card()
    shown = figures(scorecard)
    assert shown["received"] == "10"
    assert shown["status:finished"] == "10"
    assert (shown["clarification:on_time"], shown["finding:found"], shown["corrective:on_time"]) == (
        "5",
        "5",
        "5",
    )
    assert (shown["recommendation:on_time"], shown["ham:indicated"]) == ("5", "5")
    assert scorecard.compliance_rate == 100.0
    # The same medians, from the same audit rows, as the officers' dashboard.
    dashboard = dashboard_for(administrator)
    assert [(s.median_days, s.cases) for s in scorecard.stages] == [
        (s.median_days, s.cases) for s in dashboard.stages
    ]
    assert [s.cases for s in scorecard.stages] == [10, 10, 10, 10]


def test_stage_medians_over_fewer_than_five_cases_are_held_back(administrator):
    for _ in range(3):
        complaint_in(State.RESOLVED, admin=administrator)
    stages = card().stages
    assert all(s.median_days is None and s.cases is None for s in stages)


def test_a_stage_medians_count_is_not_shown_where_the_scopes_own_count_is_held_back():
    from complaints.scorecard.selectors import _stages

    rows = [{"source": "submitted", "target": "verifying", "median_days": 2.0, "cases": 7}]
    shown, withheld = _stages(rows, received_shown=True)[0], _stages(rows, received_shown=False)[0]
    assert (shown.median_days, shown.cases_display) == (2.0, "7")
    assert (withheld.median_days, withheld.cases, withheld.cases_display) == (2.0, None, "disembunyikan")


def test_it_counts_urgent_complaints_and_how_fast_their_stages_went(administrator, client):
    from complaints.models import State
    from tests.complaints.lifecycle import complaint_in
    from tests.complaints.scorecard.helpers import card, cases

    cases(7, urgent=True)
    cases(3, urgent=False)
    urgent_referred = [complaint_in(State.REFERRED, admin=administrator, urgent=True) for _ in range(5)]
    national = card()
    assert national.urgent.display == "12"  # 7 + the 5 referred ones
    stages = {row.label: row for row in national.urgent_stages}
    assert stages["Diterima → Verifikasi formal"].cases == len(urgent_referred)
    assert stages["Diterima → Verifikasi formal"].median_days is not None
    page = client.get("/kinerja/").content.decode()
    assert 'id="urgent">12<' in page and 'id="urgent-stages"' in page
    data = client.get("/api/v1/kinerja/").json()
    assert data["urgent"]["count"] == 12 and data["urgent_stage_medians"]


def test_fewer_than_five_urgent_complaints_show_as_fewer_than_five():
    from tests.complaints.scorecard.helpers import card, cases

    cases(3, urgent=True)
    cases(6)
    assert card().urgent.display == "< 5"
