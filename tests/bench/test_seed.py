"""The benchmark's seed looks like a real national caseload, so the figures measured on it mean
something: every state, both kinds with their own categories and offices, identities only where
the complainant gave one, an audit trail and messages, and deadlines as after years of sweeps."""

import pytest
from django.db.models import Count, F
from django.utils import timezone

from bench.seed import seed
from complaints.models import Complaint, Identity, State
from notifications.models import Message
from workflow.models import TransitionLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_seed_spreads_realistic_cases_with_their_rows(postgres):
    timings = seed(2000, batch=700, log=lambda *_: None)

    assert (timings["complaints"], timings["identities"]) == (2000, 1800)
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("state", flat=True)) == set(State.values)
    assert complaints.values("province").distinct().count() == 38
    assert complaints.values("regency").distinct().count() > 500
    # A category of the complaint's own kind, and the office that handles that kind.
    assert not complaints.exclude(category__kind=F("kind")).exists()
    referred = complaints.filter(state__in=[State.REFERRED, State.EXAMINATION])
    assert not referred.filter(kind="ham").exclude(unit__kind="kanwil_ham").exists()
    assert not referred.filter(kind="maladministrasi").exclude(unit__kind="ombudsman").exists()
    assert not complaints.exclude(unit__province=F("province")).exists()
    # Anonymous complainants have no identity; everyone else has one.
    assert not Identity.objects.filter(complaint__confidentiality="anonim").exists()
    assert Identity.objects.count() == complaints.exclude(confidentiality="anonim").count()
    # Every case has its submission in the audit log, and one more row once verification began.
    logs = TransitionLog.objects.values("object_id").annotate(n=Count("id"))
    assert {row["n"] for row in logs} == {1, 2} and logs.count() == 2000
    assert Message.objects.count() == Identity.objects.exclude(complaint__notify_channel="none").count()
    # Steady state: overdue cases already flagged, nothing waiting for the sweep to expire or close.
    now = timezone.now()
    overdue = complaints.filter(due_at__lt=now)
    assert overdue.exists() and not overdue.filter(overdue_flagged_at__isnull=True).exists()
    assert not overdue.filter(state__in=[State.AWAITING_INFO, State.RESOLVED]).exists()
    assert not complaints.filter(state__in=[State.CLOSED, State.REJECTED], due_at__isnull=False).exists()
