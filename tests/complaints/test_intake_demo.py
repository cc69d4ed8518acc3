"""`manage.py seed_demo`: the demo a newcomer gets on the embedded defaults."""

import io

import pytest
from django.core.management import CommandError, call_command

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


def test_the_demo_refuses_a_database_that_already_has_real_accounts(outsider):
    with pytest.raises(CommandError, match="already has other accounts"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="intan").exists() and not Complaint.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())  # a developer's own test database
    assert User.objects.filter(username="intan").exists()


def test_the_demo_never_runs_with_the_twilio_sender(settings):
    settings.SIGAP_MESSAGE_SENDER = "twilio"
    with pytest.raises(CommandError, match="Twilio"):
        call_command("seed_demo", "--force", stdout=io.StringIO())
    assert not User.objects.exists() and not Complaint.objects.exists()


def test_the_demo_runs_again_on_its_own_database_after_someone_added_an_account():
    call_command("seed_demo", stdout=io.StringIO())
    User.objects.create_user(username="dewi", password="sandi-dewi-2026")  # noqa: S106
    call_command("seed_demo", stdout=io.StringIO())  # make demo, a second time
    assert User.objects.filter(username="intan").count() == 1
