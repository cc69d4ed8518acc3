"""The dashboard's figures against a known set of cases, its cost, and who sees which unit."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Agency, Category, Complaint, Kind, Province, Role, State
from complaints.workspace.dashboard import dashboard_for
from tests.factories import ComplaintFactory, UserFactory, unit
from workflow.models import TransitionLog

JAKARTA = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=JAKARTA)
DAY = timedelta(days=1)


def _log(case: Complaint, *, source: str, target: str, at: datetime) -> None:
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=case.pk,
        transition=target,
        source=source,
        target=target,
        actor_kind="officer",
        via="web",
        created_at=at,
    )


def _journey(case: Complaint, *, start: datetime, days: list[float]) -> None:
    """Log the case's path submitted → verifying → referred → examination → resolved."""
    path = ["submitted", "verifying", "referred", "examination", "resolved"]
    for step, offset in enumerate(days):
        _log(case, source=path[step], target=path[step + 1], at=start + timedelta(days=offset))


@pytest.fixture
def cases(db):
    """Four cases at Ombudsman DKI Jakarta, one at Kanwil HAM DKI, one at Ombudsman Jawa Barat."""
    ombudsman = unit("ombudsman", "31")
    discrimination = Category.objects.get(code="diskriminasi")
    pln = Agency.objects.get(name="PT PLN (Persero)")
    start_1 = datetime(2026, 4, 10, 9, 0, tzinfo=JAKARTA)
    start_2 = datetime(2026, 3, 2, 9, 0, tzinfo=JAKARTA)
    c1 = ComplaintFactory(unit=ombudsman, state=State.EXAMINATION, created_at=start_1, due_at=NOW + 30 * DAY)
    _journey(c1, start=start_1, days=[2, 4, 5])
    c2 = ComplaintFactory(
        unit=ombudsman,
        state=State.RESOLVED,
        category=discrimination,
        created_at=start_2,
        resolved_at=datetime(2026, 4, 1, 9, 0, tzinfo=JAKARTA),
        due_at=datetime(2026, 4, 20, 9, 0, tzinfo=JAKARTA),
    )
    _journey(c2, start=start_2, days=[4, 8, 9, 30])
    c3 = ComplaintFactory(
        unit=ombudsman,
        state=State.RESOLVED,
        agency=pln,
        created_at=datetime(2026, 5, 5, tzinfo=JAKARTA),
        resolved_at=datetime(2026, 6, 10, tzinfo=JAKARTA),
        due_at=datetime(2026, 6, 1, tzinfo=JAKARTA),  # resolved after its deadline
    )
    c4 = ComplaintFactory(
        unit=ombudsman,
        state=State.EXAMINATION,
        agency=None,
        agency_name="Puskesmas Cempaka Putih",
        created_at=datetime(2026, 6, 1, tzinfo=JAKARTA),
        due_at=NOW - DAY,  # overdue
    )
    kanwil = ComplaintFactory(
        unit=unit("kanwil_ham", "31"),
        kind=Kind.HAM,
        category=Category.objects.get(code="hak-anak"),
        state=State.EXAMINATION,
        created_at=datetime(2026, 6, 2, tzinfo=JAKARTA),
        due_at=NOW - 2 * DAY,
    )
    west_java = ComplaintFactory(
        unit=unit("ombudsman", "32"),
        province_id="32",
        regency_id=None,
        state=State.EXAMINATION,
        created_at=datetime(2025, 1, 1, tzinfo=JAKARTA),  # older than 12 months
        due_at=NOW - 3 * DAY,
    )
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "kanwil": kanwil, "west_java": west_java}


def _counts(bars) -> dict[str, int]:
    return {bar.label: bar.count for bar in bars}


def test_a_units_dashboard_counts_only_its_own_cases(ombudsman_officer, cases):
    figures = dashboard_for(ombudsman_officer, now=NOW)
    assert figures.scope_label == unit("ombudsman", "31").name
    assert figures.total == 4
    assert _counts(figures.by_state) == {"Pemeriksaan": 2, "Selesai": 2}
    assert _counts(figures.by_kind) == {"Maladministrasi": 4}
    assert _counts(figures.by_category) == {"Penundaan berlarut": 3, "Diskriminasi": 1}
    assert _counts(figures.by_province) == {Province.objects.get(code="31").name: 4}
    assert _counts(figures.by_agency) == {
        "BPJS Kesehatan": 2,
        "PT PLN (Persero)": 1,
        "Puskesmas Cempaka Putih": 1,
    }
    # The largest bar is drawn full width, the others in proportion.
    assert [bar.percent for bar in figures.by_agency] == [100.0, 50.0, 50.0]
    assert _counts(figures.overdue_by_unit) == {unit("ombudsman", "31").name: 1}


def test_it_counts_received_and_resolved_per_month_over_twelve_months(ombudsman_officer, cases):
    months = dashboard_for(ombudsman_officer, now=NOW).months
    assert len(months) == 12
    assert (months[0].month.year, months[0].month.month) == (2025, 7)
    assert (months[-1].month.year, months[-1].month.month) == (2026, 6)
    by_month = {(row.month.year, row.month.month): (row.received, row.resolved) for row in months}
    assert by_month[(2026, 3)] == (1, 0)
    assert by_month[(2026, 4)] == (1, 1)
    assert by_month[(2026, 5)] == (1, 0)
    assert by_month[(2026, 6)] == (1, 1)
    assert sum(row.received for row in months) == 4


def test_it_takes_the_median_days_of_each_stage_from_the_audit_log(ombudsman_officer, cases):
    stages = {
        row.label: (row.median_days, row.cases) for row in dashboard_for(ombudsman_officer, now=NOW).stages
    }
    assert stages == {
        "Diterima → Verifikasi formal": (3.0, 2),  # 2 and 4 days
        "Verifikasi formal → Dirujuk": (3.0, 2),  # 2 and 4 (cases filed before material verification)
        "Dirujuk → Pemeriksaan": (1.0, 2),  # 1 and 1
        "Pemeriksaan → Selesai": (21.0, 1),  # 21
    }


def test_it_gives_the_share_resolved_within_the_examination_deadline(db):
    """60 calendar days of examination (Perpres 76/2013), the clock paused while awaiting info."""
    kanwil = unit("kanwil_ham", "33")
    officer = UserFactory(username="kadek", role=Role.CASE_OFFICER, unit=kanwil)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=JAKARTA)

    def resolved_case(*steps):
        case = ComplaintFactory(
            unit=kanwil, province_id="33", regency_id=None, kind=Kind.HAM, state=State.RESOLVED,
            created_at=start - 10 * DAY, resolved_at=start + 90 * DAY,
        )  # fmt: skip
        _log(case, source="referred", target="examination", at=start)
        for source, target, day in steps:
            _log(case, source=source, target=target, at=start + day * DAY)
        return case

    resolved_case(("examination", "resolved", 59))  # on time
    resolved_case(("examination", "resolved", 61))  # a day late
    resolved_case(  # 70 days, but 15 of them waiting for the complainant: on time
        ("examination", "awaiting_info", 10),
        ("awaiting_info", "examination", 25),
        ("examination", "resolved", 70),
    )
    # Still under examination: not counted either way.
    ComplaintFactory(unit=kanwil, province_id="33", regency_id=None, state=State.EXAMINATION)
    figures = dashboard_for(officer, now=NOW)
    assert (figures.resolved_on_time, figures.resolved_total, figures.on_time_percent) == (2, 3, 66.7)


def test_the_fixture_units_only_timed_outcome_was_on_time(ombudsman_officer, cases):
    figures = dashboard_for(ombudsman_officer, now=NOW)
    # c2 was examined for 21 days; c3 has no audit trail to time it by.
    assert (figures.resolved_on_time, figures.resolved_total) == (1, 1)


def test_another_units_officer_sees_only_their_unit(outsider, cases):
    figures = dashboard_for(outsider, now=NOW)
    assert figures.total == 1
    assert _counts(figures.overdue_by_unit) == {unit("ombudsman", "32").name: 1}
    assert figures.units == []  # no unit picker for officers


def test_an_officer_cannot_widen_the_scope_with_the_unit_parameter(outsider, cases):
    figures = dashboard_for(outsider, unit_id=unit("ombudsman", "31").pk, now=NOW)
    assert figures.total == 1


def test_the_administrator_sees_the_country_and_can_pick_a_unit(administrator, cases):
    country = dashboard_for(administrator, now=NOW)
    assert country.scope_label == "Seluruh Indonesia"
    assert country.total == 6
    assert _counts(country.overdue_by_unit) == {
        unit("ombudsman", "31").name: 1,
        unit("kanwil_ham", "31").name: 1,
        unit("ombudsman", "32").name: 1,
    }
    assert _counts(country.by_kind) == {"Maladministrasi": 5, "Pelanggaran HAM": 1}
    kanwil = dashboard_for(administrator, unit_id=unit("kanwil_ham", "31").pk, now=NOW)
    assert (kanwil.scope_label, kanwil.total) == (unit("kanwil_ham", "31").name, 1)
    assert len(country.units) > 100  # every active unit is a choice


def test_the_top_ten_agencies_are_shown_and_the_rest_summed(administrator, db):
    agencies = list(Agency.objects.filter(level="pusat").order_by("name")[:12])
    for rank, agency in enumerate(agencies):
        for _ in range(12 - rank):
            ComplaintFactory(agency=agency)
    bars = dashboard_for(administrator, now=NOW).by_agency
    assert len(bars) == 11
    assert bars[0].count == 12
    assert (bars[-1].label, bars[-1].count) == ("Lainnya", 2 + 1)


def test_the_dashboard_costs_the_same_few_queries_however_many_cases(ombudsman_officer, cases):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard_for(ombudsman_officer, now=NOW)
        return len(captured)

    few = queries()
    for _ in range(15):
        ComplaintFactory(unit=unit("ombudsman", "31"), state=State.EXAMINATION, created_at=NOW - 3 * DAY)
    assert queries() == few
    assert few <= 14
