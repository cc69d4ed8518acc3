"""CSV export of the queue: content, identity exclusion, formula escaping, who may export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Confidentiality, IdentityReveal, State
from complaints.workspace.exports import csv_safe
from tests.factories import ComplaintFactory, UserFactory, unit

URL = "/petugas/ekspor.csv"


def _export(client, user, query: str = "") -> list[list[str]]:
    client.force_login(user)
    response = client.get(URL + query)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="sigap-antrean-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _by_code(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    header, *body = rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


@pytest.fixture
def queue(db):
    ombudsman = unit("ombudsman", "31")
    now = timezone.now()
    return {
        "open": ComplaintFactory(
            tracking_code="OPEN1", unit=ombudsman, state=State.EXAMINATION, due_at=now + timedelta(days=5),
            identity__name="Budi Terbuka",
        ),
        "secret": ComplaintFactory(
            tracking_code="SECRET1", unit=ombudsman, state=State.EXAMINATION, due_at=now - timedelta(days=1),
            confidentiality=Confidentiality.CONFIDENTIAL, identity__name="Siti Rahasia",
            identity__phone="+6281111111111",
        ),
        "anonymous": ComplaintFactory(
            tracking_code="ANON1", unit=ombudsman, state=State.RESOLVED, due_at=now + timedelta(days=9),
            confidentiality=Confidentiality.ANONYMOUS, identity__name="Nomor Saja",
        ),
        "elsewhere": ComplaintFactory(
            tracking_code="JABAR1", unit=unit("ombudsman", "32"), state=State.EXAMINATION,
            province_id="32", regency_id=None, identity__name="Orang Jabar",
        ),
    }  # fmt: skip


def test_the_export_has_a_header_and_the_units_cases_in_deadline_order(client, ombudsman_officer, queue):
    rows = _export(client, ombudsman_officer)
    assert rows[0][:3] == ["Kode lacak", "Status", "Jenis"]
    assert rows[0][-3:] == ["Nama pelapor", "Telepon pelapor", "Email pelapor"]
    # Overdue first, then the soonest deadline; another unit's case is not there.
    assert [row[0] for row in rows[1:]] == ["SECRET1", "OPEN1", "ANON1"]
    secret = _by_code(rows)["SECRET1"]
    assert secret["Status"] == "Pemeriksaan"
    assert secret["Terlambat"] == "ya"
    assert secret["Instansi terlapor"] == "BPJS Kesehatan"
    assert secret["Unit"] == unit("ombudsman", "31").name


def test_identity_appears_for_open_cases_and_never_for_confidential_or_anonymous(
    client, ombudsman_officer, queue
):
    lines = _by_code(_export(client, ombudsman_officer))
    assert lines["OPEN1"]["Nama pelapor"] == "Budi Terbuka"
    assert (lines["SECRET1"]["Nama pelapor"], lines["SECRET1"]["Telepon pelapor"]) == ("", "")
    assert (lines["ANON1"]["Nama pelapor"], lines["ANON1"]["Email pelapor"]) == ("", "")


def test_a_confidential_identity_appears_only_for_the_officer_who_revealed_it(
    client, ombudsman_officer, supervisor, queue
):
    IdentityReveal.objects.create(
        complaint=queue["secret"], officer=ombudsman_officer, reason="Perlu klarifikasi"
    )
    IdentityReveal.objects.create(complaint=queue["anonymous"], officer=ombudsman_officer, reason="coba")
    mine = _by_code(_export(client, ombudsman_officer))
    assert mine["SECRET1"]["Nama pelapor"] == "Siti Rahasia"
    assert mine["SECRET1"]["Telepon pelapor"] == "'+6281111111111"  # a leading + is defused too
    assert mine["ANON1"]["Nama pelapor"] == ""  # anonymous stays anonymous whatever the log says
    theirs = _by_code(_export(client, supervisor))
    assert theirs["SECRET1"]["Nama pelapor"] == ""


def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(client, ombudsman_officer, db):
    ComplaintFactory(
        tracking_code="FORMULA1",
        unit=unit("ombudsman", "31"),
        state=State.EXAMINATION,
        agency=None,
        agency_name='=HYPERLINK("http://evil.example","klik")',
        identity__name="@SUM(1+1)",
        identity__email="-2+3@example.id",
    )
    line = _by_code(_export(client, ombudsman_officer))["FORMULA1"]
    assert line["Instansi terlapor"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert line["Nama pelapor"] == "'@SUM(1+1)"
    assert line["Email pelapor"] == "'-2+3@example.id"
    assert [csv_safe(v) for v in ("+1", "\tx", "a=b", None, 5)] == ["'+1", "'\tx", "a=b", "", "5"]


def test_the_export_follows_the_queue_filters(client, ombudsman_officer, queue):
    rows = _export(client, ombudsman_officer, "?state=resolved")
    assert [row[0] for row in rows[1:]] == ["ANON1"]
    rows = _export(client, ombudsman_officer, "?overdue=true")  # as the queue page sends it
    assert [row[0] for row in rows[1:]] == ["SECRET1"]
    rows = _export(client, ombudsman_officer, "?q=OPEN1")
    assert [row[0] for row in rows[1:]] == ["OPEN1"]


def test_another_units_officer_exports_only_their_own_cases(client, outsider, queue):
    rows = _export(client, outsider)
    assert [row[0] for row in rows[1:]] == ["JABAR1"]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, queue):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/petugas/masuk/?next=/petugas/ekspor.csv"


def test_a_user_without_an_officer_role_is_refused(client, queue):
    client.force_login(UserFactory(username="tamu", role="", unit=None))
    assert client.get(URL).status_code == 403


def test_the_export_costs_the_same_queries_for_three_or_thirty_rows(client, ombudsman_officer, queue):
    client.force_login(ombudsman_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(URL).streaming_content)
        return len(captured)

    queries()  # the process reads its reference copies once (complaints.reference)
    few = queries()
    for _ in range(27):
        ComplaintFactory(unit=unit("ombudsman", "31"), state=State.EXAMINATION)
    assert queries() == few


def test_the_export_follows_the_identity_rules_and_logs_what_it_shows(
    client, ombudsman_officer, administrator, queue
):
    import datetime

    from django.utils import timezone

    from complaints.models import Complaint, IdentityReveal

    secret = Complaint.objects.get(tracking_code="SECRET1")
    old = IdentityReveal.objects.create(complaint=secret, officer=ombudsman_officer, reason="telepon pelapor")
    IdentityReveal.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    IdentityReveal.objects.exclude(pk=old.pk).delete()
    rows = {row[0]: row for row in _export(client, ombudsman_officer)[1:]}
    assert rows["SECRET1"][-3] == ""  # a reveal lasts 30 minutes
    assert rows["OPEN1"][-3] != ""
    assert IdentityReveal.objects.filter(reason="diekspor (CSV)", officer=ombudsman_officer).count() == 1
    admin_rows = _export(client, administrator)[1:]
    assert admin_rows and all(row[-3] == "" for row in admin_rows)  # administrators see no identity
