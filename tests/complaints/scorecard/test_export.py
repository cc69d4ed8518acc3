"""The officers' export of an agency's figures, as the attachment of a P2HAM/KKPHAM assessment."""

import csv
import io

import pytest

from complaints.models import Agency, Role
from complaints.scorecard.snapshot import Period
from tests.complaints.scorecard.helpers import cases
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def jakarta_city():
    return Agency.objects.get(name="Pemerintah Kota Administrasi Jakarta Pusat")


@pytest.fixture
def bandung():
    return Agency.objects.get(name="Pemerintah Kota Bandung")


def _period() -> tuple[str, str]:
    period = Period.default()
    return f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"


def _export(client, user, agency, query=None):
    client.force_login(user)
    query = query or "dari={}&sampai={}".format(*_period())
    return client.get(f"/petugas/kinerja/instansi/{agency.pk}/ekspor.csv?{query}")


def test_a_kanwil_officer_exports_an_agency_of_their_province_with_the_period_and_explanations(
    client, kanwil_officer, jakarta_city
):
    cases(6, agency=jakarta_city)
    response = _export(client, kanwil_officer, jakarta_city)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store, private"
    first, last = _period()
    assert (
        f'filename="sigap-penilaian-instansi-{jakarta_city.pk}-{first}_{last}.csv"'
        in response["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("Lampiran penilaian P2HAM/KKPHAM")
    assert rows[1] == ["Instansi", jakarta_city.name]
    assert rows[3] == ["Wilayah", "Kota Administrasi Jakarta Pusat, Daerah Khusus Ibukota Jakarta"]
    assert rows[4] == ["Diunduh oleh unit", kanwil_officer.unit.name]
    assert ["Periode", first, last] in rows
    header = rows.index(["Bagian", "Kelompok", "Uraian", "Jumlah", "Persen", "Penjelasan"])
    figures = rows[header + 1 :]
    assert all(len(row) == 6 and row[5] for row in figures)  # every figure with its explanation
    assert ["Pengaduan diterima dan keadaannya sekarang", "Pengaduan diterima", "Jumlah", "6"] == figures[0][
        :4
    ]


def test_an_ombudsman_officer_and_an_administrator_may_export_a_central_agency(
    client, ombudsman_officer, administrator
):
    bpjs = Agency.objects.get(name="BPJS Kesehatan")
    assert _export(client, ombudsman_officer, bpjs).status_code == 200
    assert _export(client, administrator, bpjs).status_code == 200


@pytest.mark.parametrize(
    "who",
    [
        "intake_officer",  # the desk does not assess agencies
        "outsider",  # Ombudsman Jawa Barat: a Jakarta agency is another province's
    ],
)
def test_others_may_not(client, request, who, jakarta_city):
    assert _export(client, request.getfixturevalue(who), jakarta_city).status_code == 403


def test_a_kanwil_officer_may_not_export_another_provinces_agency(client, kanwil_officer, bandung):
    assert _export(client, kanwil_officer, bandung).status_code == 403
    west_java = UserFactory(username="wulan", role=Role.SUPERVISOR, unit=unit("kanwil_ham", "32"))
    assert _export(client, west_java, bandung).status_code == 200


def test_signing_in_is_needed_and_a_bad_period_or_agency_is_refused(client, kanwil_officer, jakarta_city):
    response = client.get(f"/petugas/kinerja/instansi/{jakarta_city.pk}/ekspor.csv")
    assert response.status_code == 302 and "/petugas/masuk/" in response["Location"]
    assert _export(client, kanwil_officer, jakarta_city, "dari=2026-13").status_code == 400
    client.force_login(kanwil_officer)
    assert client.get("/petugas/kinerja/instansi/999999/ekspor.csv").status_code == 404


def test_the_agency_page_links_the_export_for_officers_only(client, kanwil_officer, jakarta_city):
    assert "ekspor.csv" not in client.get(f"/kinerja/instansi/{jakarta_city.pk}/").content.decode()
    client.force_login(kanwil_officer)
    assert (
        f"/petugas/kinerja/instansi/{jakarta_city.pk}/ekspor.csv"
        in client.get(f"/kinerja/instansi/{jakarta_city.pk}/").content.decode()
    )
