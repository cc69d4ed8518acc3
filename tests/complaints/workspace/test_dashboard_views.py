"""/petugas/dasbor/: who may open it, what each role sees, and what it costs."""

import re

import pytest

from complaints.models import State
from tests.factories import ComplaintFactory, UserFactory, unit

URL = "/petugas/dasbor/"


@pytest.fixture
def cases(db):
    ComplaintFactory.create_batch(3, unit=unit("ombudsman", "31"), state=State.EXAMINATION)
    ComplaintFactory(unit=unit("ombudsman", "32"), province_id="32", regency_id=None, state=State.EXAMINATION)


def _row(html: str, table_id: str, label: str) -> str | None:
    """The number in the table row labelled `label` of table `table_id`, as the page shows it."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    match = re.search(
        rf'<th scope="row">{re.escape(label)}</th>\s*<td class="num">(\d+)</td>', table.group(1)
    )
    return match.group(1) if match else None


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/petugas/dasbor/"


def test_a_user_without_an_officer_role_is_refused(client, db):
    client.force_login(UserFactory(username="tamu", role="", unit=None))
    assert client.get(URL).status_code == 403


def test_an_officer_sees_their_units_figures_beside_the_bars(client, ombudsman_officer, cases):
    client.force_login(ombudsman_officer)
    html = client.get(URL).content.decode()
    assert unit("ombudsman", "31").name in html
    assert _row(html, "by-state", "Pemeriksaan") == "3"
    assert 'class="bar w-100"' in html  # the bar's width as a class (no inline style: CSP)
    assert 'aria-hidden="true"' in html  # the bars; the numbers are in the table
    assert 'name="unit"' not in html  # no unit picker for officers


def test_another_units_officer_cannot_see_jakarta_even_by_asking(client, outsider, cases):
    client.force_login(outsider)
    html = client.get(URL, {"unit": unit("ombudsman", "31").pk}).content.decode()
    assert _row(html, "by-state", "Pemeriksaan") == "1"
    assert unit("ombudsman", "31").name not in html


def test_the_administrator_sees_the_country_and_filters_by_unit(client, administrator, cases):
    client.force_login(administrator)
    html = client.get(URL).content.decode()
    assert "Seluruh Indonesia" in html
    assert _row(html, "by-state", "Pemeriksaan") == "4"
    html = client.get(URL, {"unit": unit("ombudsman", "32").pk}).content.decode()
    assert _row(html, "by-state", "Pemeriksaan") == "1"
    assert f'value="{unit("ombudsman", "32").pk}" selected' in html


def test_the_dashboard_page_needs_a_bounded_number_of_queries(
    client, administrator, cases, django_assert_max_num_queries
):
    client.force_login(administrator)
    client.get(URL)
    ComplaintFactory.create_batch(20, unit=unit("kanwil_ham", "33"), province_id="33", regency_id=None)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200
