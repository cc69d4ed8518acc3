"""/kinerja/, its agency pages, their CSV and /api/v1/kinerja/: what anyone can read, in both
languages, at a bounded cost, and never anything of a complainant."""

import csv
import io

import pytest
from django.conf import settings

from complaints.jobs.tasks import refresh_scorecard
from complaints.models import Agency, Category, Confidentiality, Outcome, State, VulnerableGroup
from complaints.scorecard.snapshot import Period
from tests.complaints.scorecard.helpers import cases
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bpjs():
    return Agency.objects.get(name="BPJS Kesehatan")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the pages -----------------------------------------------------------------------------------
def test_the_national_page_shows_each_figure_with_its_explanation(client):
    cases(6)
    cases(3, category=Category.objects.get(code="diskriminasi"))
    page = client.get("/kinerja/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kinerja pelayanan publik: Seluruh Indonesia" in html
    assert '<p class="card-value" id="received">9</p>' in html
    assert "&lt; 5" in html and "disembunyikan" in html
    for heading in (
        "Kelompok rentan",
        "Jawaban instansi atas permintaan klarifikasi",
        "Temuan",
        "Tren per bulan",
    ):
        assert heading in html
    assert "Sumber: langkah petugas yang mencatat jawaban klarifikasi." in html  # where a figure comes from
    assert "Pengaduan yang dicabut dihitung sebagai pengaduan diterima" in html  # the withdrawn rule
    assert '<svg class="trend"' in html  # the chart is drawn here, by the server
    assert "<script" not in html


def test_the_page_reads_in_english_too(client):
    cases(5)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/kinerja/").content.decode()
    assert "Public-service performance: All of Indonesia" in html
    assert "Source: the officer&#x27;s step recording the answer to the clarification." in html
    assert "Withdrawn complaints count as received" in html


def test_province_regency_and_agency_pages(client, bpjs):
    cases(5)
    province = client.get("/kinerja/?provinsi=31")
    assert province.status_code == 200
    assert "Kinerja pelayanan publik: Daerah Khusus Ibukota Jakarta" in province.content.decode()
    assert "?kabkota=31.71" in province.content.decode()  # its regencies, linked
    regency = client.get("/kinerja/?kabkota=31.71")
    assert regency.status_code == 200 and "Kota Administrasi Jakarta Pusat" in regency.content.decode()
    agency = client.get(f"/kinerja/instansi/{bpjs.pk}/")
    assert agency.status_code == 200
    html = agency.content.decode()
    assert "Kinerja pelayanan publik: BPJS Kesehatan" in html
    assert "Peringkat jumlah pengaduan" in html
    assert f'href="/kinerja/instansi/{bpjs.pk}/"' in client.get("/kinerja/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/kinerja/?provinsi=99",
        "/kinerja/?kabkota=31.99",
        "/kinerja/?provinsi=DROP",
        "/kinerja/instansi/999999/",
    ],
)
def test_an_unknown_region_or_agency_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_period_that_cannot_be_shown_falls_back_to_the_last_twelve_months_with_a_notice(client):
    for query in (
        "dari=2026-13",
        "dari=2020-01&sampai=2026-01",
        "dari=2026-05&sampai=2026-01",
        "sampai=2999-01",
    ):
        # an unreadable month, more than 36 months, from after to, in the future
        page = client.get(f"/kinerja/?{query}")
        assert page.status_code == 200
        assert "Periode itu tidak dapat ditampilkan" in page.content.decode(), query
    assert client.get("/kinerja/unduh.csv?dari=x").status_code == 400


# --- nothing of a complainant ----------------------------------------------------------------------
def test_nothing_on_the_page_json_or_csv_can_identify_a_complainant(client, bpjs):
    secrets = {
        "description": "Petugas loket Budi Santoso menolak berkas saya di Jalan Kenanga 7",
        "desired_outcome": "Saya ingin KTP anak saya Siti diterbitkan",
        "location": "Kelurahan Rawasari RT 05",
        "agency_name": "Kantor Kecamatan Rahasia Sekali",
        "public_summary": "Ringkasan untuk pelapor Andi Wijaya",
        "info_requested": "Mohon kirim KK atas nama Wijaya",
    }
    made = cases(6, **secrets, agency=None, state=State.RESOLVED, outcome=Outcome.SETTLED_BY_AGENCY)
    made += cases(5, agency=bpjs, confidentiality=Confidentiality.CONFIDENTIAL)
    made[0].vulnerable_groups.add(VulnerableGroup.objects.get(code="disabilitas"))
    identities = [c.identity.name for c in made]
    outputs = {
        "page": client.get("/kinerja/").content.decode(),
        "province": client.get("/kinerja/?provinsi=31").content.decode(),
        "agency": client.get(f"/kinerja/instansi/{bpjs.pk}/").content.decode(),
        "json": client.get("/api/v1/kinerja/?provinsi=31").content.decode(),
        "agency json": client.get(f"/api/v1/kinerja/instansi/{bpjs.pk}/").content.decode(),
        "csv": client.get("/kinerja/unduh.csv").content.decode("utf-8-sig"),
        "agency csv": client.get(f"/kinerja/instansi/{bpjs.pk}/unduh.csv").content.decode("utf-8-sig"),
    }
    forbidden = [
        *secrets.values(),
        *identities,
        "3171234567890123",  # the factory's NIK
        "81234567890",  # and phone number
        "warga@example.id",
        *[c.tracking_code for c in made],
        "Budi",
        "Kenanga",
    ]
    for name, text in outputs.items():
        for value in forbidden:
            assert value not in text, (name, value)


# --- CSV and JSON --------------------------------------------------------------------------------
def test_the_csv_holds_the_period_the_rules_and_every_figure_as_shown(client, bpjs):
    cases(6)
    cases(3, category=Category.objects.get(code="diskriminasi"))
    period = Period.default()
    first, last = f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"
    response = client.get(f"/kinerja/unduh.csv?dari={first}&sampai={last}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="sigap-kinerja-indonesia-{first}_{last}.csv"'
    )
    rows = _csv(response)
    assert rows[1] == ["Periode", first, last]
    assert any(row[0] == "Catatan" and "< 5" in row[1] for row in rows)
    figures = {(row[1], row[2]): row[3] for row in rows if len(row) == 5}
    assert figures[("Maladministrasi", "Diskriminasi")] == "< 5"
    assert figures[("Maladministrasi", "Penundaan berlarut")] == "disembunyikan"
    assert figures[("Maladministrasi", "Jumlah")] == "9"
    agency = _csv(client.get(f"/kinerja/instansi/{bpjs.pk}/unduh.csv"))
    assert agency[0] == ["Wilayah / instansi", "BPJS Kesehatan"]


def test_a_formula_in_an_agency_name_is_defused_in_the_csv(client):
    agency = Agency.objects.create(name='=HYPERLINK("http://example.test")', level=Agency.Level.CENTRAL)
    cases(5, agency=agency)
    rows = _csv(client.get(f"/kinerja/instansi/{agency.pk}/unduh.csv"))
    assert rows[0][1].startswith("'=HYPERLINK")


def test_the_api_gives_the_same_figures_with_small_counts_as_null(client, bpjs):
    cases(6)
    cases(3, category=Category.objects.get(code="diskriminasi"))
    body = client.get("/api/v1/kinerja/").json()
    assert body["scope"] == {
        "type": "national",
        "code": "",
        "name": "Seluruh Indonesia",
        "level": "",
        "province": None,
        "regency": None,
    }
    assert body["threshold"] == 5 and body["received"]["count"] == 9
    groups = {g["key"]: g for s in body["sections"] for g in s["groups"]}
    maladmin = {f["label"]: f for f in groups["kind:maladministrasi"]["figures"]}
    assert maladmin["Diskriminasi"] == {
        "key": f"category:maladministrasi:{Category.objects.get(code='diskriminasi').pk}",
        "label": "Diskriminasi",
        "count": None,
        "display": "< 5",
        "suppressed": True,
        "reason": "small",
        "share": None,
    }
    assert maladmin["Penundaan berlarut"]["reason"] == "complement"
    assert len(body["months"]) == 12 and len(body["stage_medians"]) == 4
    assert {c["type"] for c in body["children"]} == {"province"}
    agency = client.get(f"/api/v1/kinerja/instansi/{bpjs.pk}/").json()
    assert agency["scope"]["type"] == "agency" and agency["place"]["peer_count"] >= 1


def test_the_api_refuses_a_bad_period_and_an_unknown_scope(client):
    assert client.get("/api/v1/kinerja/?dari=2026-13").status_code == 400
    assert client.get("/api/v1/kinerja/?dari=2020-01&sampai=2026-01").status_code == 400
    assert client.get("/api/v1/kinerja/?provinsi=99").status_code == 404
    assert client.get("/api/v1/kinerja/?kabkota=%00").status_code == 404
    assert client.get("/api/v1/kinerja/instansi/999999/").status_code == 404


def test_the_schema_documents_the_scorecard(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/kinerja/", "/api/v1/kinerja/instansi/{id}/"} <= set(schema["paths"])
    figure = schema["components"]["schemas"]["Figure"]["properties"]
    assert figure["count"]["nullable"] is True


# --- cost and the cache --------------------------------------------------------------------------
def test_a_page_costs_a_bounded_number_of_queries_however_many_complaints(
    client, bpjs, django_assert_max_num_queries
):
    cases(5)
    with django_assert_max_num_queries(20):
        client.get("/kinerja/")  # a miss: built once, reference data and GROUP BY queries
    with django_assert_max_num_queries(0):
        client.get("/kinerja/")  # then read from the cache
        client.get("/api/v1/kinerja/")
        client.get("/kinerja/unduh.csv")
    for path in ("/kinerja/?provinsi=31", f"/kinerja/instansi/{bpjs.pk}/"):
        with django_assert_max_num_queries(2):
            client.get(path)  # its stage medians, on its first visit
        with django_assert_max_num_queries(0):
            client.get(path)

    from django.core.cache import cache

    cache.clear()
    for index in range(40):
        ComplaintFactory(state=[State.EXAMINATION, State.CLOSED, State.WITHDRAWN][index % 3])
    with django_assert_max_num_queries(20):
        client.get("/kinerja/")
    with django_assert_max_num_queries(0):
        client.get("/kinerja/")


def test_the_beat_task_refreshes_what_the_page_reads(client, django_assert_max_num_queries):
    assert settings.CELERY_BEAT_SCHEDULE["scorecard-refresh"]["task"] == "complaints.tasks.refresh_scorecard"
    cases(5)
    refresh_scorecard()
    with django_assert_max_num_queries(0):
        assert '<p class="card-value" id="received">5</p>' in client.get("/kinerja/").content.decode()
    cases(6)
    # Until the next refresh the page shows the figures it was given.
    assert '<p class="card-value" id="received">5</p>' in client.get("/kinerja/").content.decode()
    refresh_scorecard.delay()  # as the beat sends it (run at once without a broker)
    assert '<p class="card-value" id="received">11</p>' in client.get("/kinerja/").content.decode()


def test_one_period_is_counted_at_a_time_and_a_request_that_cannot_wait_is_answered_503(client, monkeypatch):
    from django.core.cache import cache

    from complaints.scorecard import cache as scorecard_cache

    monkeypatch.setattr(scorecard_cache, "WAIT_SECONDS", 0.3)
    cases(5)
    cache.add(scorecard_cache.BUILD_LOCK, "another period", 60)  # someone else's period is being counted
    page = client.get("/kinerja/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "sedang dihitung" in page.content.decode()
    api = client.get("/api/v1/kinerja/")
    assert api.status_code == 503 and api["Retry-After"] == "30" and "sedang dihitung" in api.json()["detail"]
    cache.delete(scorecard_cache.BUILD_LOCK)
    assert client.get("/kinerja/").status_code == 200
    assert cache.get(scorecard_cache.BUILD_LOCK) is None  # released after the build
