"""The Django admin: reference data and users for administrators; complaints without identity."""

import pytest

from complaints.models import Confidentiality, Identity, Role, User
from tests.factories import ComplaintFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def confidential_case():
    return ComplaintFactory(
        confidentiality=Confidentiality.CONFIDENTIAL,
        identity__name="Rahasia Wibowo",
        identity__phone="+6281299990000",
    )


@pytest.mark.parametrize(
    "model",
    ["province", "regency", "district", "handlingunit", "agency", "category", "vulnerablegroup", "user"],
)
def test_an_administrator_manages_reference_data_and_users(client, administrator, model):
    client.force_login(administrator)
    assert client.get(f"/admin/complaints/{model}/").status_code == 200
    assert client.get(f"/admin/complaints/{model}/add/").status_code == 200


def test_the_complaint_overview_never_shows_who_reported(client, administrator, confidential_case):
    client.force_login(administrator)
    listing = client.get("/admin/complaints/complaint/").content.decode()
    page = client.get(f"/admin/complaints/complaint/{confidential_case.pk}/change/").content.decode()
    assert confidential_case.tracking_code in listing
    assert Identity.objects.get(complaint=confidential_case).name == "Rahasia Wibowo"
    for html in (listing, page):
        assert "Rahasia Wibowo" not in html and "81299990000" not in html
    # Complaints are filed by complainants and worked in /petugas/, never added here.
    assert client.get("/admin/complaints/complaint/add/").status_code == 403


def test_a_complaint_is_found_by_its_code_as_written_down(client, administrator, confidential_case):
    client.force_login(administrator)
    code = confidential_case.tracking_code
    written = f"{code[:4]}-{code[4:]}".lower()
    listing = client.get("/admin/complaints/complaint/", {"q": written}).content.decode()
    assert f"/admin/complaints/complaint/{confidential_case.pk}/change/" in listing


def test_an_administrator_gives_a_new_officer_a_role_and_unit(client, administrator):
    client.force_login(administrator)
    desk = unit("intake", "31")
    response = client.post(
        "/admin/complaints/user/add/",
        {
            "username": "baru",
            "password1": "Sigap-uji-2026!x",
            "password2": "Sigap-uji-2026!x",
            "usable_password": "true",
            "role": Role.INTAKE_OFFICER,
            "unit": desk.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    officer = User.objects.get(username="baru")
    assert (officer.role, officer.unit) == (Role.INTAKE_OFFICER, desk)


def test_officers_without_admin_rights_are_kept_out(client, intake_officer):
    client.force_login(intake_officer)
    response = client.get("/admin/complaints/province/")
    assert response.status_code == 302 and "/login/" in response["Location"]
