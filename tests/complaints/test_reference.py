"""The reference tables each process keeps (complaints/reference.py): what an administrator
changes is what the next complaint sees, here at once and in the other processes within
CHECK_EVERY; and the kept copies give the same form as the database would."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from complaints import reference
from complaints.intake.services import complaint_submit
from complaints.models import Agency, HandlingUnit
from notifications.models import Message, MessageTemplate
from tests.complaints.intake_data import valid
from workflow.models import DeadlineRule

pytestmark = pytest.mark.django_db


def test_a_new_agency_is_offered_and_accepted_at_once():
    page = Client().get("/lapor/").content.decode()
    assert "Dinas Pemadam Kebakaran Contoh" not in page
    agency = Agency.objects.create(name="Dinas Pemadam Kebakaran Contoh", level="kabkota")  # as the admin
    page = Client().get("/lapor/").content.decode()
    assert f'<option value="{agency.pk}">Dinas Pemadam Kebakaran Contoh</option>' in page
    complaint, _pin = complaint_submit(channel="web", data=valid(agency=str(agency.pk), agency_name=""))
    assert complaint.agency == agency


def test_a_deactivated_agency_is_refused_at_once():
    agency = Agency.objects.filter(is_active=True).first()
    complaint_submit(channel="web", data=valid(agency=str(agency.pk)))  # read into the copy
    agency.is_active = False
    agency.save()
    with pytest.raises(Exception, match="agency"):
        complaint_submit(channel="web", data=valid(agency=str(agency.pk)))


def test_a_reworded_message_and_a_changed_deadline_apply_to_the_next_complaint():
    first, _ = complaint_submit(channel="web", data=valid())
    MessageTemplate.objects.create(
        key="received", language="id", channel="", body="Sigap baru: kode {code}, PIN {pin}. {url}/lacak/"
    )
    rule = DeadlineRule.objects.get(machine="complaint", state="submitted", scope="")
    rule.days += 5
    rule.save()
    second, _ = complaint_submit(channel="web", data=valid())
    assert Message.objects.filter(template_key="received").order_by("-pk")[0].body.startswith("Sigap baru:")
    assert (second.due_at - second.state_changed_at).days > (first.due_at - first.state_changed_at).days


def test_another_process_change_is_seen_after_the_shared_version_moves(monkeypatch):
    # Another process saved a unit: this one's copy is dropped when the shared version changes.
    monkeypatch.setattr(reference, "CHECK_EVERY", 0.0)
    desk = reference.intake_desk_for("32")
    HandlingUnit.objects.filter(pk=desk.pk).update(name="Meja Baru")  # no signal here
    assert reference.intake_desk_for("32").name != "Meja Baru"  # this process has not heard of it
    cache.set(reference.VERSION_KEY, "another-process-changed-something", None)
    assert reference.intake_desk_for("32").name == "Meja Baru"


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_moves_the_shared_version_and_a_rolled_back_one_does_not():
    from django.db import transaction

    reference.table("unit")
    before = cache.get(reference.VERSION_KEY)
    with pytest.raises(RuntimeError), transaction.atomic():
        unit = HandlingUnit.objects.first()
        unit.name = "Tidak jadi"
        unit.save()
        raise RuntimeError
    assert cache.get(reference.VERSION_KEY) == before
    assert all(u.name != "Tidak jadi" for u in reference.table("unit").values())
    unit = HandlingUnit.objects.first()
    unit.name = "Jadi"
    unit.save()
    assert cache.get(reference.VERSION_KEY) != before
    assert reference.table("unit")[str(unit.pk)].name == "Jadi"


def _without_tokens(html: str) -> str:
    return re.sub(r'name="(csrfmiddlewaretoken|submission_token)" value="[^"]*"', "", html)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_kept_form_is_the_form_the_template_renders(language, monkeypatch):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    kept = client.get("/lapor/").content.decode()
    assert client.get("/lapor/").content.decode() != kept  # a new token each time…
    # …and with nothing kept: the fields rendered afresh by their template, the options built afresh.
    monkeypatch.setattr(reference, "kept", lambda key, build: build())
    rendered = client.get("/lapor/").content.decode()
    assert 'name="reporter_type"' in rendered and 'name="consent_pdp"' in rendered
    assert _without_tokens(kept) == _without_tokens(rendered)


# --- /lapor/'s kept page -----------------------------------------------------------------------------
def _rendered_in_full(monkeypatch):
    from complaints.public import views

    monkeypatch.setattr(views, "_new_form_page", lambda request: None)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_kept_page_is_the_page_rendered_in_full_but_for_its_tokens(language, monkeypatch):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    kept = client.get("/lapor/")
    again = client.get("/lapor/")
    assert _tokens(kept.content.decode()) != _tokens(again.content.decode())  # each visitor its own
    _rendered_in_full(monkeypatch)
    full = client.get("/lapor/")
    assert _without_tokens(kept.content.decode()) == _without_tokens(full.content.decode())
    assert kept["Content-Type"] == full["Content-Type"]
    assert kept.cookies["csrftoken"].value  # the CSRF cookie is set, as rendering the token does


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="(?:csrfmiddlewaretoken|submission_token)" value="([^"]*)"', html)


def test_the_kept_pages_tokens_file_the_complaint_once_with_csrf_checked():
    from complaints.models import Complaint
    from tests.complaints.intake_data import valid

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/lapor/").content.decode()
    csrf, submission = _tokens(page)[-2:]  # the language switcher's own form comes first
    assert "stand-in" not in page
    form = {**valid(), "csrfmiddlewaretoken": csrf, "submission_token": submission}
    assert browser.post("/lapor/", form)["Location"] == "/lapor/terkirim/"
    assert browser.post("/lapor/", form)["Location"] == "/lapor/terkirim/"  # the same form again
    assert Complaint.objects.count() == 1
    assert browser.post("/lapor/", {**form, "csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_a_signed_in_officer_a_waiting_notice_and_a_query_string_get_the_page_rendered_in_full(
    intake_officer,
):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message as Notice
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    from tests.complaints.officer_cases import as_user

    citizen = Client()
    citizen.get("/lapor/")  # the kept page exists
    assert 'href="/petugas/"' in as_user(intake_officer).get("/lapor/").content.decode()
    assert 'value="/lapor/?sumber=poster"' in citizen.get("/lapor/?sumber=poster").content.decode()
    notice = Notice(constants.INFO, "Pengaduan ini sudah kami terima.")
    citizen.cookies["messages"] = CookieStorage(HttpRequest())._encode([notice])
    assert "Pengaduan ini sudah kami terima." in citizen.get("/lapor/").content.decode()
    assert "Pengaduan ini sudah kami terima." not in citizen.get("/lapor/").content.decode()  # shown once
