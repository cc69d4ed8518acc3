"""Deadlines on the Indonesian working-day calendar."""

import datetime

import pytest
from django.utils import timezone

from workflow import deadlines
from workflow.models import Holiday

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00"))


def test_it_skips_the_weekend():
    # Thursday 5 November 2026 + 3 working days: Fri, Mon, Tue.
    due = deadlines.add_working_days(at("2026-11-05"), 3)
    assert timezone.localtime(due).date() == datetime.date(2026, 11, 10)
    assert timezone.localtime(due).time() == datetime.time(23, 59, 59)


def test_it_skips_a_national_holiday():
    # Independence Day, Monday 17 August 2026: Friday 14 + 1 working day is Tuesday 18.
    due = deadlines.add_working_days(at("2026-08-14"), 1)
    assert timezone.localtime(due).date() == datetime.date(2026, 8, 18)


def test_it_skips_cuti_bersama_an_administrator_added():
    Holiday.objects.create(date=datetime.date(2026, 11, 9), name="Cuti bersama (contoh)")
    deadlines.forget_extra_holidays()
    # Thursday 5 November + 3: Fri 6, (Mon 9 is off), Tue 10, Wed 11.
    due = deadlines.add_working_days(at("2026-11-05"), 3)
    assert timezone.localtime(due).date() == datetime.date(2026, 11, 11)
    deadlines.forget_extra_holidays()


def test_calendar_days_count_weekends_and_holidays():
    due = deadlines.add_calendar_days(at("2026-08-14"), 14)
    assert timezone.localtime(due).date() == datetime.date(2026, 8, 28)


def test_working_days_between_counts_only_working_days():
    # From Friday 14 August to Friday 21 August 2026: Tue 18, Wed 19, Thu 20, Fri 21 (Mon 17 is a holiday).
    assert deadlines.working_days_between(at("2026-08-14"), at("2026-08-21")) == 4
    assert deadlines.working_days_between(at("2026-08-21"), at("2026-08-14")) == 0


def test_rules_per_kind_fall_back_to_every_kind():
    ham = deadlines.rule_for("complaint", "awaiting_info", "ham")
    maladmin = deadlines.rule_for("complaint", "awaiting_info", "maladministrasi")
    assert (ham.days, ham.working_days) == (10, False)
    assert (maladmin.days, maladmin.working_days) == (30, False)
    assert deadlines.rule_for("complaint", "closed", "ham") is None


def test_the_clock_pauses_while_awaiting_info_and_resumes_with_what_was_left(administrator, intake_officer):
    from complaints.models import Complaint, State
    from tests.complaints.lifecycle import complaint_in, step
    from workflow.engine import Actor

    complaint = complaint_in(State.VERIFYING, admin=administrator)
    # Pretend verification started long ago and has 4 working days left.
    due = deadlines.add_working_days(timezone.now(), 4)
    Complaint.objects.filter(pk=complaint.pk).update(due_at=due)
    complaint.refresh_from_db()

    step(complaint, "request_info", Actor.officer(intake_officer))
    assert complaint.paused_remaining == datetime.timedelta(days=4)
    # The missing-data deadline: 30 calendar days for maladministration.
    assert timezone.localtime(complaint.due_at).date() == (timezone.localdate() + datetime.timedelta(days=30))

    step(complaint, "provide_info", Actor.complainant())
    assert complaint.state == State.VERIFYING
    assert complaint.due_at == deadlines.add_working_days(timezone.now(), 4)
    assert complaint.paused_remaining is None


def test_the_holidays_these_tests_rely_on_come_from_the_package():
    import holidays

    national = holidays.country_holidays("ID", years=[2026, 2027])
    for day in ("2026-08-17", "2026-08-25", "2027-08-17"):
        assert datetime.date.fromisoformat(day) in national


def test_it_skips_independence_day_2027():
    # Monday 16 August 2027 + 1 working day: Tuesday 17 is Independence Day.
    due = deadlines.add_working_days(at("2027-08-16"), 1)
    assert timezone.localtime(due).date() == datetime.date(2027, 8, 18)


def test_a_case_clock_runs_across_weekends_and_holidays_and_pauses_while_awaiting_info(
    administrator, intake_officer
):
    """Verification (here 10 working days) starts Thursday 13 August 2026; the officer asks for
    information on Friday 21 August and the complainant answers on Thursday 3 September."""
    from unittest import mock

    from complaints.models import Complaint, State
    from tests.complaints.lifecycle import step
    from tests.factories import ComplaintFactory
    from workflow.engine import Actor
    from workflow.models import DeadlineRule

    for rule in DeadlineRule.objects.filter(machine="complaint", state="verifying"):
        rule.days = 10
        rule.save()  # as the admin does
    complaint = ComplaintFactory()
    officer = Actor.officer(intake_officer)
    with mock.patch("django.utils.timezone.now", return_value=at("2026-08-13")):
        step(complaint, "start_verification", officer)
    # Fri 14, (weekend, Mon 17 Independence Day) Tue 18 … Fri 21, Mon 24, (Tue 25 Maulid Nabi)
    # Wed 26, Thu 27, Fri 28, Mon 31: the tenth working day.
    assert timezone.localtime(complaint.due_at) == at("2026-08-31", 23).replace(minute=59, second=59)

    with mock.patch("django.utils.timezone.now", return_value=at("2026-08-21")):
        step(complaint, "request_info", officer)
    # Five working days were left (24, 26, 27, 28, 31 August); the complainant has 30 calendar days.
    assert complaint.paused_remaining == datetime.timedelta(days=5)
    assert timezone.localtime(complaint.due_at).date() == datetime.date(2026, 9, 20)

    # Paused: on 1 September the verification deadline has passed, but the case is not overdue.
    with mock.patch("django.utils.timezone.now", return_value=at("2026-09-01")):
        assert not Complaint.objects.get(pk=complaint.pk).is_overdue

    with mock.patch("django.utils.timezone.now", return_value=at("2026-09-03")):
        step(complaint, "provide_info", Actor.complainant())
    assert complaint.state == State.VERIFYING
    # The five working days resume: Fri 4, Mon 7, Tue 8, Wed 9, Thu 10 September.
    assert timezone.localtime(complaint.due_at).date() == datetime.date(2026, 9, 10)
    assert complaint.paused_remaining is None and complaint.resume_state == ""


def test_an_administrator_can_change_a_rule_per_kind(administrator):
    from workflow.models import DeadlineRule

    DeadlineRule.objects.create(machine="complaint", state="referred", scope="ham", days=2, working_days=True)
    ham = deadlines.rule_for("complaint", "referred", "ham")
    maladmin = deadlines.rule_for("complaint", "referred", "maladministrasi")
    assert (ham.days, maladmin.days) == (2, 5)
    # Friday 14 August 2026 + 2 working days (HAM): Tue 18, Wed 19.
    assert timezone.localtime(deadlines.due_at(ham, at("2026-08-14"))).date() == datetime.date(2026, 8, 19)
