"""The role matrix: every persona against every officer page and API action, on three cases.

- a confidential complaint at the DKI Jakarta intake desk (submitted),
- an open complaint referred to Ombudsman RI Perwakilan DKI Jakarta,
- a confidential HAM complaint referred to Kanwil Kementerian HAM DKI Jakarta.

Another unit's case is 404 everywhere (its existence is not confirmed); a signed-out visitor is
sent to /petugas/masuk/ (pages) or refused (API); an account without a role gets 403.
"""

import re

import pytest
from rest_framework.test import APIClient

from complaints.models import CaseMessage, Complaint, IdentityReveal, State
from tests.complaints.officer_cases import (
    as_user,
    at_intake_desk,
    referred_to_kanwil,
    referred_to_ombudsman,
)
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db

PERSONAS = [
    "intake_officer",
    "ombudsman_officer",
    "kanwil_officer",
    "supervisor",
    "administrator",
    "outsider",
    "no_role",
    "signed_out",
]

CASES = {
    # name: (how to make it, the transition its unit performs next, who works it, who assigns)
    "at_intake": (lambda admin: at_intake_desk(admin, confidentiality="rahasia"), "start_verification"),
    "referred": (lambda admin: referred_to_ombudsman(admin), "accept_referral"),
    "kanwil": (lambda admin: referred_to_kanwil(admin, confidentiality="rahasia"), "accept_referral"),
}
# Officers of the unit that handles the case: they read, reveal, claim, write and act on it.
HANDLERS = {
    "at_intake": {"intake_officer"},
    "referred": {"ombudsman_officer", "supervisor"},
    "kanwil": {"kanwil_officer"},
}
# Supervisors of the unit and administrators assign; administrators see every case but are not
# its handlers: no identity reveal and no claim (they manage, they do not take cases).
ASSIGNERS = {"at_intake": set(), "referred": {"supervisor"}, "kanwil": set()}


@pytest.fixture
def no_role(db):
    return UserFactory(username="warga", role="")


@pytest.fixture
def signed_out():
    return None


def expected(case: str, who: str) -> dict:
    """The status each action answers for this persona on this case."""
    if who == "signed_out":
        page = "login"
        return dict.fromkeys(
            ["case", "evidence", "reveal", "claim", "assign", "message", "note", "step"], page
        ) | {
            "api_detail": "refused",
            "api_step": "refused",
            "api_list": "refused",
            "api_reveal": "refused",
            "queue": page,
        }
    if who == "no_role":
        return dict.fromkeys(
            ["case", "evidence", "reveal", "claim", "assign", "message", "note", "step", "queue"], 403
        ) | {
            "api_detail": "refused",
            "api_step": "refused_or_hidden",
            "api_reveal": "refused_or_hidden",
            "api_list": "refused",
        }
    handler = who in HANDLERS[case]
    admin = who == "administrator"
    sees = handler or admin
    if not sees:
        # Assigning is for supervisors: a case officer is refused for the role, before any id is read.
        assign = 404 if who in ("supervisor",) else 403
        return dict.fromkeys(
            [
                "case",
                "evidence",
                "reveal",
                "claim",
                "message",
                "note",
                "step",
                "api_detail",
                "api_step",
                "api_reveal",
            ],
            404,
        ) | {"assign": assign, "queue": 200, "api_list": 200}
    return {
        "queue": 200,
        "api_list": 200,
        "case": 200,
        "evidence": 200,
        "api_detail": 200,
        "reveal": 302 if handler else 403,
        "api_reveal": 200 if handler else 403,
        "claim": 302 if handler else 403,
        "assign": 302 if (who in ASSIGNERS[case] or admin) else 403,
        "message": 302,
        "note": 302,
        "step": 302,
        "api_step": 200,
    }


def check(response, want, path: str) -> None:
    got = response.status_code
    if want == "login":
        assert got == 302 and response["Location"].startswith("/petugas/masuk/"), path
    elif want == "refused":
        assert got in (401, 403), path
    elif want == "refused_or_hidden":  # nothing to act on for an account without a unit
        assert got in (401, 403, 404), path
    else:
        assert got == want, (path, got, want)


@pytest.mark.parametrize("case_name", list(CASES))
@pytest.mark.parametrize("who", PERSONAS)
def test_every_role_against_every_page_and_api_action(case_name, who, request, administrator):
    make, step_name = CASES[case_name]
    case, twin = make(administrator), make(administrator)
    user = request.getfixturevalue(who)
    # Somebody the case's own unit could be assigned to (the intake desk's Intan, Oki, Kartika).
    unit_member = {
        "at_intake": "intake_officer",
        "referred": "ombudsman_officer",
        "kanwil": "kanwil_officer",
    }[case_name]
    assignee = request.getfixturevalue(unit_member)
    want = expected(case_name, who)
    web = as_user(user)
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    base = f"/petugas/kasus/{case.pk}/"
    evidence = case.evidence.get()

    queue = web.get("/petugas/")
    check(queue, want["queue"], "/petugas/")
    if want["queue"] == 200:
        assert (case.tracking_code_display in queue.content.decode()) == (want["case"] == 200)
    listing = api.get("/api/v1/complaints/")
    check(listing, want["api_list"], "api list")
    if want["api_list"] == 200:
        assert (case.pk in [row["id"] for row in listing.json()["results"]]) == (want["case"] == 200)

    check(web.get(base), want["case"], base)
    check(web.get(f"{base}bukti/{evidence.pk}/"), want["evidence"], "evidence")
    check(api.get(f"/api/v1/complaints/{case.pk}/"), want["api_detail"], "api detail")
    check(web.post(f"{base}identitas/", {"reason": "Perlu menghubungi pelapor"}), want["reveal"], "reveal")
    check(
        api.post(f"/api/v1/complaints/{case.pk}/identity/", {"reason": "Lewat API"}, format="json"),
        want["api_reveal"],
        "api reveal",
    )
    check(web.post(f"{base}pesan/", {"body": "Mohon kirim salinan surat."}), want["message"], "message")
    check(web.post(f"{base}catatan/", {"body": "Cek arsip."}), want["note"], "note")
    check(web.post(f"{base}ambil/"), want["claim"], "claim")
    check(
        web.post("/petugas/tugaskan/", {"complaint": [case.pk, twin.pk], "assignee": assignee.pk}),
        want["assign"],
        "bulk assign",
    )
    check(
        web.post(f"{base}langkah/{step_name}/", {"expected_state": case.state}),
        want["step"],
        "step",
    )
    check(
        api.post(f"/api/v1/complaints/{twin.pk}/transitions/{step_name}/", {}, format="json"),
        want["api_step"],
        "api step",
    )

    # What the answers did (or did not do) to the cases.
    case.refresh_from_db()
    twin.refresh_from_db()
    acted = want["step"] == 302
    assert (case.state != State.SUBMITTED and case.state != State.REFERRED) == acted
    assert (twin.state != State.SUBMITTED and twin.state != State.REFERRED) == (want["api_step"] == 200)
    assert CaseMessage.objects.filter(complaint=case).exists() == (want["message"] == 302)
    revealed = IdentityReveal.objects.filter(complaint=case).exclude(reason="dibaca (pengaduan terbuka)")
    assert revealed.filter(reason="Perlu menghubungi pelapor").exists() == (want["reveal"] == 302)
    assert revealed.filter(reason="Lewat API").exists() == (want["api_reveal"] == 200)
    if want["assign"] == 302:
        assert twin.assignee == assignee
    elif want["api_step"] != 200:  # accept/start by an officer also takes the case
        assert twin.assignee is None
    if want["case"] != 200:
        assert Complaint.objects.get(pk=case.pk).assignee is None


def test_a_supervisor_cannot_assign_to_an_officer_of_another_unit(
    administrator, supervisor, outsider, ombudsman_officer
):
    case = referred_to_ombudsman(administrator)
    response = as_user(supervisor).post(
        "/petugas/tugaskan/", {"complaint": [case.pk], "assignee": outsider.pk}, follow=True
    )
    assert "bukan anggota unit" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None
    as_user(supervisor).post("/petugas/tugaskan/", {"complaint": [case.pk], "assignee": ombudsman_officer.pk})
    case.refresh_from_db()
    assert case.assignee == ombudsman_officer


def test_one_foreign_id_in_a_bulk_assignment_changes_nothing(administrator, supervisor, ombudsman_officer):
    ours = referred_to_ombudsman(administrator)
    foreign = at_intake_desk(administrator)
    response = as_user(supervisor).post(
        "/petugas/tugaskan/", {"complaint": [ours.pk, foreign.pk], "assignee": ombudsman_officer.pk}
    )
    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.assignee is None


def test_assignment_returns_to_the_page_it_came_from_and_never_to_another_site(
    administrator, supervisor, ombudsman_officer
):
    case = referred_to_ombudsman(administrator)
    client = as_user(supervisor)
    data = {"complaint": [case.pk], "assignee": ombudsman_officer.pk}
    back = client.post("/petugas/tugaskan/", {**data, "next": f"/petugas/kasus/{case.pk}/"})
    assert back["Location"] == f"/petugas/kasus/{case.pk}/"
    away = client.post("/petugas/tugaskan/", {**data, "next": "https://jahat.example/"})
    assert away["Location"] == "/petugas/"


def test_claiming_takes_only_an_unassigned_case(administrator, ombudsman_officer, supervisor):
    case = referred_to_ombudsman(administrator)
    as_user(ombudsman_officer).post(f"/petugas/kasus/{case.pk}/ambil/")
    case.refresh_from_db()
    assert case.assignee == ombudsman_officer
    page = as_user(supervisor).post(f"/petugas/kasus/{case.pk}/ambil/", follow=True).content.decode()
    assert "sudah ditangani petugas lain" in page
    case.refresh_from_db()
    assert case.assignee == ombudsman_officer


# --- merging a duplicate: only into a case the officer may see ------------------------------------
NOT_FOUND = "Pengaduan dengan kode itu tidak ditemukan."
NO_SUCH_CODE = "TIDAKADA1"


def foreign_case(kind: str, admin):
    """A case Intan's desk (DKI Jakarta) may not see."""
    if kind == "other-province-desk":
        return at_intake_desk(admin, province_id="32", regency_id=None, unit=unit("intake", "32"))
    return referred_to_ombudsman(admin)  # a Jakarta case now at a handling unit


def merge_on_the_page(user, case, code):
    return as_user(user).post(
        f"/petugas/kasus/{case.pk}/langkah/mark_duplicate/",
        {"mark_duplicate-duplicate_of": code, "expected_state": case.state},
    )


def merge_through_the_api(user, case, code):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/complaints/{case.pk}/transitions/mark_duplicate/", {"duplicate_of": code}, format="json"
    )


def page_without(response, code: str) -> str:
    """The page, less what differs between two renders anyway: the typed code, the CSRF token."""
    page = response.content.decode().replace(code, "KODE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


@pytest.mark.parametrize("kind", ["other-province-desk", "handling-unit"])
def test_a_desk_officer_cannot_merge_into_a_case_of_another_unit_on_the_page(
    kind, administrator, intake_officer
):
    case, foreign = at_intake_desk(administrator), foreign_case(kind, administrator)
    assert not Complaint.objects.filter(pk=foreign.pk, unit=intake_officer.unit).exists()

    refused = merge_on_the_page(intake_officer, case, foreign.tracking_code)
    unknown = merge_on_the_page(intake_officer, case, NO_SUCH_CODE)
    assert (refused.status_code, unknown.status_code) == (400, 400)
    assert NOT_FOUND in refused.content.decode()
    # The same answer as for a code that does not exist: the page does not tell them apart.
    assert page_without(refused, foreign.tracking_code) == page_without(unknown, NO_SUCH_CODE)
    case.refresh_from_db()
    assert (case.state, case.duplicate_of) == (State.SUBMITTED, None)


@pytest.mark.parametrize("kind", ["other-province-desk", "handling-unit"])
def test_a_desk_officer_cannot_merge_into_a_case_of_another_unit_through_the_api(
    kind, administrator, intake_officer
):
    case, foreign = at_intake_desk(administrator), foreign_case(kind, administrator)

    refused = merge_through_the_api(intake_officer, case, foreign.tracking_code)
    unknown = merge_through_the_api(intake_officer, case, NO_SUCH_CODE)
    assert (refused.status_code, unknown.status_code) == (400, 400)
    assert refused.json()["errors"] == {"duplicate_of": [NOT_FOUND]}
    assert refused.json() == unknown.json()
    case.refresh_from_db()
    assert (case.state, case.duplicate_of) == (State.SUBMITTED, None)


@pytest.mark.parametrize("merge", [merge_on_the_page, merge_through_the_api], ids=["page", "api"])
def test_a_desk_officer_still_merges_into_a_case_of_their_own_desk(merge, administrator, intake_officer):
    case, original = at_intake_desk(administrator), at_intake_desk(administrator)
    response = merge(intake_officer, case, original.tracking_code_display)
    assert response.status_code in (200, 302), response.content
    case.refresh_from_db()
    assert (case.state, case.duplicate_of) == (State.DUPLICATE, original)
