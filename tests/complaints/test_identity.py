"""The complainant's identity in the workspace: hidden when confidential until a logged reveal,
every read of an open identity logged, nothing for anonymous reports, the access log for
supervisors (UU 37/2008 ps. 24(2); UU 27/2022 PDP)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.identity import READ_REASON
from complaints.models import IdentityReveal
from tests.complaints.officer_cases import as_user, at_intake_desk, referred_to_ombudsman

pytestmark = pytest.mark.django_db
REASON = "Menghubungi pelapor untuk salinan KTP"


@pytest.fixture
def confidential(administrator):
    return at_intake_desk(administrator, confidentiality="rahasia")


def api_identity(user, complaint):
    api = APIClient()
    api.force_authenticate(user)
    return api.get(f"/api/v1/complaints/{complaint.pk}/").json()["identity"]


def case_page(user, complaint) -> str:
    return as_user(user).get(f"/petugas/kasus/{complaint.pk}/").content.decode()


def test_a_confidential_identity_is_hidden_everywhere_until_revealed_with_a_reason(
    confidential, intake_officer
):
    identity = confidential.identity
    secrets = (identity.name, identity.nik, identity.phone, identity.email)
    client = as_user(intake_officer)
    pages = [
        case_page(intake_officer, confidential),
        client.get("/petugas/").content.decode(),
        b"".join(client.get("/petugas/ekspor.csv").streaming_content).decode(),
    ]
    api = APIClient()
    api.force_authenticate(intake_officer)
    pages.append(api.get("/api/v1/complaints/").content.decode())
    pages.append(api.get(f"/api/v1/complaints/{confidential.pk}/").content.decode())
    for text in pages:
        for secret in secrets:
            assert secret not in text
    # Searching by the name finds nothing: the search never looks into identities.
    assert client.get("/petugas/", {"q": identity.name}).context["page"].rows == []
    assert "Tampilkan identitas" in pages[0]
    assert not IdentityReveal.objects.exists()

    # A reason is required; with one the identity shows on the page and in the API, logged.
    client.post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": "   "})
    assert not IdentityReveal.objects.exists()
    client.post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": REASON})
    assert identity.name in case_page(intake_officer, confidential)
    assert api_identity(intake_officer, confidential)["nik"] == identity.nik
    reveal = IdentityReveal.objects.get()
    assert (reveal.officer, reveal.complaint, reveal.reason) == (intake_officer, confidential, REASON)


def test_a_reveal_lasts_thirty_minutes_for_that_officer_only(confidential, intake_officer, django_user_model):
    colleague = django_user_model.objects.create_user(
        "ika", password="x-rahasia-123", role="intake_officer", unit=intake_officer.unit
    )
    as_user(intake_officer).post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": REASON})
    name = confidential.identity.name
    assert name not in case_page(colleague, confidential)
    IdentityReveal.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=31))
    assert name not in case_page(intake_officer, confidential)
    assert api_identity(intake_officer, confidential) is None


def test_an_administrator_sees_the_access_log_but_not_the_identity(
    confidential, intake_officer, administrator
):
    as_user(intake_officer).post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": REASON})
    page = case_page(administrator, confidential)
    assert confidential.identity.name not in page and REASON in page
    assert (
        as_user(administrator)
        .post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": REASON})
        .status_code
        == 403
    )
    assert api_identity(administrator, confidential) is None


def test_anonymous_reports_have_no_identity_to_show(administrator, intake_officer):
    anonymous = at_intake_desk(administrator, confidentiality="anonim", identity=None)
    page = case_page(intake_officer, anonymous)
    assert "Pengaduan anonim" in page and "Tampilkan identitas" not in page
    response = as_user(intake_officer).post(f"/petugas/kasus/{anonymous.pk}/identitas/", {"reason": REASON})
    assert response.status_code == 403 and not IdentityReveal.objects.exists()


def test_an_open_identity_shows_to_the_handling_unit_and_each_read_is_logged_once_per_half_hour(
    administrator, ombudsman_officer
):
    open_case = referred_to_ombudsman(administrator)
    assert open_case.identity.name in case_page(ombudsman_officer, open_case)
    assert api_identity(ombudsman_officer, open_case)["name"] == open_case.identity.name
    reads = IdentityReveal.objects.filter(officer=ombudsman_officer, complaint=open_case, reason=READ_REASON)
    assert reads.count() == 1
    IdentityReveal.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=31))
    case_page(ombudsman_officer, open_case)
    assert reads.count() == 2


def test_supervisors_read_their_units_access_log_and_nobody_elses(
    administrator, supervisor, ombudsman_officer, intake_officer, outsider, confidential
):
    ours = referred_to_ombudsman(administrator, confidentiality="rahasia")
    as_user(ombudsman_officer).post(
        f"/petugas/kasus/{ours.pk}/identitas/", {"reason": "Klarifikasi kronologi"}
    )
    as_user(intake_officer).post(f"/petugas/kasus/{confidential.pk}/identitas/", {"reason": REASON})
    log = as_user(supervisor).get("/petugas/log-identitas/").content.decode()
    assert "Klarifikasi kronologi" in log and ours.tracking_code_display in log
    assert REASON not in log  # the intake desk's reveal on the intake desk's case
    everything = as_user(administrator).get("/petugas/log-identitas/").content.decode()
    assert "Klarifikasi kronologi" in everything and REASON in everything
    assert as_user(ombudsman_officer).get("/petugas/log-identitas/").status_code == 403
    assert as_user(outsider).get("/petugas/log-identitas/").status_code == 403


def test_a_page_that_may_show_an_identity_is_never_cached(confidential, intake_officer):
    response = as_user(intake_officer).get(f"/petugas/kasus/{confidential.pk}/")
    assert "no-store" in response["Cache-Control"]
