"""`manage.py seed_demo`: the demo a newcomer gets on the embedded defaults."""

import io

import pytest
from django.core.management import call_command

from complaints.models import Complaint, Identity, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_officers_who_can_sign_in_and_cases_in_every_stage(client):
    call_command("seed_demo", stdout=io.StringIO())
    printed = io.StringIO()
    call_command("seed_demo", stdout=printed)  # a second run adds nothing
    assert "hanya untuk demo" in printed.getvalue() and "intan" in printed.getvalue()
    assert User.objects.filter(username__in=["intan", "oki", "kartika", "sari", "admin"]).count() == 5
    assert 15 <= Complaint.objects.count() <= 25
    states = set(Complaint.objects.values_list("state", flat=True))
    assert {"submitted", "verifying", "awaiting_info", "referred", "examination", "resolved"} <= states
    # Anonymous demo complaints keep no identity, like real ones.
    assert Identity.objects.count() < Complaint.objects.count()
    assert client.login(username="intan", password="sigap-demo-2026")
    assert client.get("/petugas/").status_code == 200
