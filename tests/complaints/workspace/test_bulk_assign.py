"""Assigning cases from the queue or a case page: an explicit choice (never "release" by default),
and a notice that says exactly what was done."""

import pytest
from django.conf import settings

from complaints.models import Complaint
from tests.complaints.officer_cases import as_user, referred_to_ombudsman

pytestmark = pytest.mark.django_db


@pytest.fixture
def oki(ombudsman_officer):
    ombudsman_officer.first_name, ombudsman_officer.last_name = "Oki", ""
    ombudsman_officer.save()
    return ombudsman_officer


@pytest.fixture
def cases(administrator):
    return [referred_to_ombudsman(administrator) for _ in range(3)]


def post(user, data, *, language=None):
    client = as_user(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/petugas/tugaskan/", {"next": "/petugas/", **data}, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def assignees(cases) -> list:
    held = dict(Complaint.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "assignee"))
    return [held[c.pk] for c in cases]


def test_the_queues_choice_has_nothing_preselected_and_release_is_an_explicit_option(supervisor, cases):
    html = as_user(supervisor).get("/petugas/").content.decode()
    select = html.split('id="id_bulk_assignee"')[1].split("</select>")[0]
    assert " required" in select.split(">")[0]
    assert '<option value="" selected disabled>' in select
    assert '<option value="lepas">Lepaskan (tanpa petugas)</option>' in select
    assert select.count("selected") == 1


def test_the_case_pages_choice_preselects_no_release(supervisor, cases, oki):
    html = as_user(supervisor).get(f"/petugas/kasus/{cases[0].pk}/").content.decode()
    select = html.split('id="id_case_assignee"')[1].split("</select>")[0]
    assert '<option value="" selected disabled>' in select and '<option value="lepas">' in select
    post(supervisor, {"complaint": [cases[0].pk], "assignee": oki.pk})
    html = as_user(supervisor).get(f"/petugas/kasus/{cases[0].pk}/").content.decode()
    select = html.split('id="id_case_assignee"')[1].split("</select>")[0]
    assert f'<option value="{oki.pk}" selected>' in select and '<option value="" disabled>' in select


@pytest.mark.parametrize("choice", [None, ""])
def test_without_a_choice_nothing_changes_and_the_supervisor_is_told_why(supervisor, cases, oki, choice):
    post(supervisor, {"complaint": [c.pk for c in cases], "assignee": oki.pk})
    data = {"complaint": [c.pk for c in cases]}
    if choice is not None:
        data["assignee"] = choice
    assert post(supervisor, data) == [
        "Pilih petugas yang ditugaskan, atau “Lepaskan (tanpa petugas)” untuk melepas kasus. "
        "Tidak ada yang diubah."
    ]
    assert assignees(cases) == [oki.pk] * 3


def test_the_notice_says_exactly_what_was_assigned_and_released(supervisor, cases, oki):
    assert post(supervisor, {"complaint": [c.pk for c in cases[:2]], "assignee": oki.pk}) == [
        "2 kasus ditugaskan ke Oki"
    ]
    assert post(supervisor, {"complaint": [c.pk for c in cases], "assignee": oki.pk}) == [
        "1 kasus ditugaskan ke Oki; 2 kasus sudah dipegang Oki"
    ]
    assert post(supervisor, {"complaint": [c.pk for c in cases[:2]], "assignee": oki.pk}) == [
        "Tidak ada yang berubah: 2 kasus sudah dipegang Oki"
    ]
    assert post(supervisor, {"complaint": [c.pk for c in cases], "assignee": "lepas"}) == [
        "3 kasus dilepas (tanpa petugas)"
    ]
    assert assignees(cases) == [None] * 3
    post(supervisor, {"complaint": [cases[0].pk], "assignee": oki.pk})
    assert post(supervisor, {"complaint": [c.pk for c in cases[:2]], "assignee": "lepas"}) == [
        "1 kasus dilepas (tanpa petugas); 1 kasus memang belum ada petugasnya"
    ]


def test_the_notice_in_english(supervisor, cases, oki):
    assert post(supervisor, {"complaint": [c.pk for c in cases[:2]], "assignee": oki.pk}, language="en") == [
        "2 cases assigned to Oki"
    ]
    assert post(supervisor, {"complaint": [cases[0].pk], "assignee": "lepas"}, language="en") == [
        "1 case released (no officer)"
    ]
    assert post(supervisor, {"complaint": [cases[0].pk]}, language="en") == [
        "Choose the officer to assign, or “Release (no officer)” to release the cases. Nothing was changed."
    ]


def test_no_case_chosen_changes_nothing(supervisor, cases, oki):
    assert post(supervisor, {"assignee": oki.pk}) == [
        "Pilih kasus yang akan ditugaskan. Tidak ada yang diubah."
    ]
    assert assignees(cases) == [None] * 3


def test_an_unknown_officer_or_another_units_case_is_404_and_changes_nothing(
    supervisor, cases, oki, outsider
):
    assert (
        as_user(supervisor)
        .post("/petugas/tugaskan/", {"complaint": [cases[0].pk], "assignee": 10**9})
        .status_code
        == 404
    )
    # A case officer assigns nothing, even to release.
    assert (
        as_user(outsider)
        .post("/petugas/tugaskan/", {"complaint": [cases[0].pk], "assignee": "lepas"})
        .status_code
        == 403
    )
    assert assignees(cases) == [None] * 3
