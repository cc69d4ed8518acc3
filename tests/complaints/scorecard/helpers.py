"""Building cases for the scorecard's tests, and reading its figures back."""

from datetime import timedelta

from django.utils import timezone

from complaints.scorecard import selectors
from complaints.scorecard.snapshot import Period
from tests.factories import ComplaintFactory


def cases(count: int, *, days_ago: int = 3, vulnerable=(), **fields):
    """``count`` complaints set up directly (no audit trail), filed ``days_ago`` days ago (or at
    ``created_at``)."""
    fields.setdefault("created_at", timezone.now() - timedelta(days=days_ago))
    made = []
    for _ in range(count):
        complaint = ComplaintFactory(**fields)
        if vulnerable:
            complaint.vulnerable_groups.add(*vulnerable)
        made.append(complaint)
    return made


def card(scope: str = "n", period: Period | None = None) -> selectors.Scorecard:
    return selectors.scorecard_for(period or Period.default(), scope)


def figures(scorecard: selectors.Scorecard) -> dict[str, str]:
    """key → what the page shows ("12", "< 5", "disembunyikan") for every figure of the sections."""
    shown = {"received": scorecard.received.display}
    for section in scorecard.sections:
        for group in section.groups:
            if group.total is not None:
                shown[group.total.key] = group.total.display
            for figure in group.figures:
                shown[figure.key] = figure.display
    for row in scorecard.months:
        shown[row.received.key] = row.received.display
        shown[row.resolved.key] = row.resolved.display
    return shown


def figure(scorecard: selectors.Scorecard, key: str) -> selectors.Figure:
    for section in scorecard.sections:
        for group in section.groups:
            for candidate in [group.total, *group.figures]:
                if candidate is not None and candidate.key == key:
                    return candidate
    raise KeyError(key)
