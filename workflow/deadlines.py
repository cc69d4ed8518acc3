"""Deadlines on the Indonesian working-day calendar.

A working day is not a Saturday or Sunday, not a national holiday (the ``holidays`` package) and
not a cuti bersama day an administrator added (workflow.Holiday). A deadline falls at the end of
its last day, in the project's time zone.
"""

from __future__ import annotations

import datetime
import time
from functools import lru_cache

import holidays
from django.core.cache import cache
from django.utils import timezone

from .models import DeadlineRule, Holiday

EXTRA_HOLIDAYS_CACHE_KEY = "workflow:extra-holidays"


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


# The process keeps what it read from the cache for KEEP_HOLIDAYS seconds: every deadline computed
# (each complaint filed, each step) needs them, and they change a few times a year.
KEEP_HOLIDAYS = 2.0
_kept: tuple[float, frozenset[datetime.date]] | None = None


def extra_holidays() -> frozenset[datetime.date]:
    global _kept
    now = time.monotonic()
    if _kept is not None and now - _kept[0] < KEEP_HOLIDAYS:
        return _kept[1]
    days = cache.get(EXTRA_HOLIDAYS_CACHE_KEY)
    if days is None:
        days = frozenset(Holiday.objects.values_list("date", flat=True))
        cache.set(EXTRA_HOLIDAYS_CACHE_KEY, days, 300)
    _kept = (now, days)
    return days


def forget_extra_holidays() -> None:
    """A holiday was added or removed: this process reads again now, the others within KEEP_HOLIDAYS."""
    global _kept
    _kept = None
    cache.delete(EXTRA_HOLIDAYS_CACHE_KEY)


def is_working_day(day: datetime.date, extra: frozenset[datetime.date] | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    if day in _national_holidays(day.year):
        return False
    return day not in (extra_holidays() if extra is None else extra)


def _end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end of the ``days``-th working day after ``start`` (the start day itself does not count)."""
    extra = extra_holidays()
    day = timezone.localtime(start).date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, extra):
            remaining -= 1
    return _end_of_day(day)


def add_calendar_days(start: datetime.datetime, days: int) -> datetime.datetime:
    return _end_of_day(timezone.localtime(start).date() + datetime.timedelta(days=days))


def working_days_between(start: datetime.datetime, end: datetime.datetime) -> int:
    """Working days after ``start``'s day up to and including ``end``'s day (0 if end is not later)."""
    extra = extra_holidays()
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    count = 0
    while day < last:
        day += datetime.timedelta(days=1)
        if is_working_day(day, extra):
            count += 1
    return count


def rule_for(machine: str, state: str, scope: str = "") -> DeadlineRule | None:
    """The rule for that state and scope, falling back to the rule for every scope."""
    rules = {
        r.scope: r for r in DeadlineRule.objects.filter(machine=machine, state=state, scope__in=[scope, ""])
    }
    return rules.get(scope) or rules.get("")


def due_at(rule: DeadlineRule | None, start: datetime.datetime) -> datetime.datetime | None:
    if rule is None:
        return None
    if rule.working_days:
        return add_working_days(start, rule.days)
    return add_calendar_days(start, rule.days)


def remaining(rule: DeadlineRule | None, now: datetime.datetime, due: datetime.datetime | None):
    """What is left on a running clock, to be put back when it resumes (see ``resume``).

    Whole days, as the deadline is counted: working days for a working-day rule, calendar days
    for a calendar rule (the days after today's up to the deadline's day). A deadline ends at the
    end of its day, and it still does after any pause: a pause and a resume on the same day give
    back the same deadline.
    """
    if rule is None or due is None:
        return None
    if rule.working_days:
        return datetime.timedelta(days=working_days_between(now, due))
    days = (timezone.localtime(due).date() - timezone.localtime(now).date()).days
    return datetime.timedelta(days=max(days, 0))


def resume(rule: DeadlineRule | None, now: datetime.datetime, left: datetime.timedelta | None):
    if rule is None or left is None:
        return None
    if rule.working_days:
        return add_working_days(now, left.days)
    return add_calendar_days(now, left.days)


def due_in(days: int, start: datetime.datetime, *, working_days: bool) -> datetime.datetime:
    """A deadline of ``days`` set by an officer for this case (an agency's answer), on the same
    calendar as the rules."""
    return add_working_days(start, days) if working_days else add_calendar_days(start, days)
