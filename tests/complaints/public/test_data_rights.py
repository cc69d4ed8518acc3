"""/lacak/data-saya/: what Sigap holds about a complainant, its JSON copy, and their requests for a
correction, a restriction of processing or an erasure (UU 27/2022 PDP, docs/domain.md#personal-data)."""

import datetime
import json
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from complaints.identity import identity_read
from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, DataRequest, IdentityReveal
from complaints.public.services import DATA_REQUEST_MAX_OPEN, complainant_act
from complaints.public.views import TRACKED_SESSION_KEY
from complaints.workspace.services import thread_post
from notifications.models import Message
from tests.complaints.intake_data import PDF, upload, valid
from tests.factories import UserFactory, unit
from workflow import engine
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

NOTE = "catatan-internal-jangan-bocor"
OFFICER_USERNAME = "ratna.petugas"
OFFICER_SURNAME = "Wulandarisari"


@pytest.fixture
def officer():
    return UserFactory(
        username=OFFICER_USERNAME,
        first_name="Ratna",
        last_name=OFFICER_SURNAME,
        role="intake_officer",
        unit=unit("intake", "31"),
    )


@pytest.fixture
def filed():
    complaint, pin = complaint_submit(
        channel="web", data=valid(), files=[upload("kuitansi.pdf", PDF, "application/pdf")]
    )
    return complaint, pin


def tracked(complaint, pin, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    assert response.status_code == 302 and response["Location"] == "/lacak/kasus/"
    return client


def with_history(complaint, officer):
    """An officer works the case: a step with a note, a message to the complainant, an internal
    note, and a logged read of the (open) identity."""
    engine.perform(complaint, "start_verification", actor=Actor.officer(officer), via="web", note=NOTE)
    thread_post(
        officer=officer, complaint=complaint, body="Mohon tunggu, kami sedang memeriksa.", internal=False
    )
    thread_post(officer=officer, complaint=complaint, body=NOTE, internal=True)
    assert identity_read(officer, complaint) is not None


# --- who may see it --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/lacak/data-saya/", "/lacak/data-saya.json"])
def test_without_the_tracked_session_everyone_goes_to_lacak(filed, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"] == "/lacak/"


def test_a_tracked_session_older_than_30_minutes_no_longer_opens_the_data(filed):
    complaint, pin = filed
    client = tracked(complaint, pin)
    session = client.session
    session[TRACKED_SESSION_KEY] = {"id": complaint.pk, "at": time.time() - 31 * 60}
    session.save()
    for path in ("/lacak/data-saya/", "/lacak/data-saya.json"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/lacak/"


def test_a_request_without_the_tracked_session_creates_nothing(filed):
    response = Client().post("/lacak/data-saya/permintaan/", {"kind": "erasure", "text": "Hapus data saya."})
    assert response.status_code == 302 and response["Location"] == "/lacak/"
    assert not DataRequest.objects.exists()


def test_the_case_page_links_to_the_data_page(filed):
    complaint, pin = filed
    page = tracked(complaint, pin).get("/lacak/kasus/").content.decode()
    assert 'href="/lacak/data-saya/"' in page


# --- what the page holds ---------------------------------------------------------------------------
def test_the_page_holds_the_identity_the_complaint_thread_evidence_and_reads_but_nothing_internal(
    filed, officer
):
    complaint, pin = filed
    with_history(complaint, officer)
    response = tracked(complaint, pin).get("/lacak/data-saya/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for held in (
        "Budi Santoso",
        "3171234567890123",
        "+6281234567890",
        "budi@example.id",
        "Jl. Merdeka 1, Jakarta",
        "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan.",
        "KTP saya segera dicetak.",
        "Kelurahan Menteng",
        "Mohon tunggu, kami sedang memeriksa.",
        "kuitansi.pdf",
        "Pengaduan Anda mulai diverifikasi.",
        "Meja Penerimaan",  # the unit of the officer who read the identity
        "Dibaca petugas (pengaduan terbuka)",
    ):
        assert held in page, held
    for internal in (NOTE, OFFICER_USERNAME, OFFICER_SURNAME, "Ratna"):
        assert internal not in page, internal


def test_the_json_copy_is_an_attachment_never_cached_and_holds_the_same(filed, officer):
    complaint, pin = filed
    with_history(complaint, officer)
    response = tracked(complaint, pin).get("/lacak/data-saya.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert complaint.tracking_code in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    raw = response.content.decode()
    for internal in (NOTE, OFFICER_USERNAME, OFFICER_SURNAME):
        assert internal not in raw, internal
    data = json.loads(raw)
    assert data["identity"] == {
        "name": "Budi Santoso",
        "nik": "3171234567890123",
        "phone": "+6281234567890",
        "email": "budi@example.id",
        "address": "Jl. Merdeka 1, Jakarta",
        "nip": "",
        "own_agency": "",
    }
    filed_as = data["complaint"]
    assert filed_as["description"] == "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan."
    assert filed_as["kind"]["code"] == "maladministrasi"
    assert filed_as["confidentiality"]["code"] == "terbuka"
    assert filed_as["notify_channel"]["code"] == "sms"
    assert filed_as["province"] == complaint.province.name and filed_as["regency"]
    assert [m["text"] for m in data["messages"]] == ["Mohon tunggu, kami sedang memeriksa."]
    assert data["evidence"][0]["name"] == "kuitansi.pdf" and data["evidence"][0]["size"] == len(PDF)
    assert [read["reason"] for read in data["identity_reads"]] == ["Dibaca petugas (pengaduan terbuka)"]
    assert set(data["identity_reads"][0]) == {"at", "unit", "reason"}
    assert data["retention"]["case_ended"] is False
    # The SMS sent to them, with the PIN hidden: a copy kept on a shared phone opens nothing.
    received = data["notifications"][0]
    assert received["channel"]["code"] == "sms" and received["status"]["code"]
    assert complaint.tracking_code[:4] in received["text"]
    assert pin not in received["text"] and "••••••" in received["text"]
    assert any(pin in sent.body for sent in Message.objects.filter(reference=f"complaint:{complaint.pk}"))


def test_a_confidential_complainant_sees_their_own_words_not_the_masked_ones(administrator):
    typed = "Saya Budi Santoso, HP 0812-3456-7890, dipersulit di loket."
    complaint, pin = complaint_submit(
        channel="web",
        data=valid(
            confidentiality="rahasia", description=typed, desired_outcome="Hubungi saya di 081234567890."
        ),
    )
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert "Budi" not in complaint.description  # stored masked
    officer = Actor.officer(administrator)
    engine.perform(complaint, "start_verification", actor=officer, via="web")
    engine.perform(complaint, "request_info", actor=officer, via="web", message="Kirim surat keterangan.")
    complainant_act(
        complaint=complaint, name="provide_info", via="web", message="Ini Budi, HP 0812-3456-7890."
    )
    assert "Budi" not in CaseMessage.objects.get(complaint=complaint, kind="from_complainant").body
    data = json.loads(tracked(complaint, pin).get("/lacak/data-saya.json").content)
    assert data["complaint"]["description"] == typed
    assert data["complaint"]["desired_outcome"] == "Hubungi saya di 081234567890."
    assert "Ini Budi, HP 0812-3456-7890." in [m["text"] for m in data["messages"]]
    assert data["identity"]["name"] == "Budi Santoso"


def test_an_anonymous_complainant_is_told_no_identity_is_kept():
    complaint, pin = complaint_submit(
        channel="web", data=valid(confidentiality="anonim", notify_channel="none")
    )
    client = tracked(complaint, pin)
    assert json.loads(client.get("/lacak/data-saya.json").content)["identity"] is None
    assert "Sigap tidak menyimpan identitas Anda" in client.get("/lacak/data-saya/").content.decode()


def test_another_complainants_data_is_never_on_the_page(filed):
    complaint, pin = filed
    other, _other_pin = complaint_submit(
        channel="web",
        data=valid(name="Siti Aminah", nik="3171999988887777", description="Laporan lain sama sekali."),
    )
    page = tracked(complaint, pin).get("/lacak/data-saya/").content.decode()
    for theirs in ("Siti Aminah", "3171999988887777", "Laporan lain sama sekali.", other.tracking_code[4:]):
        assert theirs not in page


def test_an_ended_case_says_when_the_personal_data_goes(filed, settings):
    settings.SIGAP_RETENTION_DAYS = 30
    complaint, pin = filed
    engine.perform(complaint, "withdraw", actor=Actor.complainant(), via="web", message="")
    complaint.refresh_from_db()
    data = json.loads(tracked(complaint, pin).get("/lacak/data-saya.json").content)
    retention = data["retention"]
    assert retention["case_ended"] is True and retention["retention_days"] == 30
    erase_after = datetime.datetime.fromisoformat(retention["erase_after"])
    # JSON keeps milliseconds.
    expected = complaint.state_changed_at + datetime.timedelta(days=30)
    assert abs(erase_after - expected) < datetime.timedelta(milliseconds=1)


# --- requests --------------------------------------------------------------------------------------
def test_a_request_is_created_due_in_72_hours_and_shown_without_touching_the_thread(filed):
    complaint, pin = filed
    client = tracked(complaint, pin)
    messages_before = CaseMessage.objects.filter(complaint=complaint).count()
    outbox_before = Message.objects.count()
    before = timezone.now()
    response = client.post(
        "/lacak/data-saya/permintaan/",
        {"kind": "correction", "text": "Nama saya Budi Santosa, bukan Santoso."},
    )
    assert response.status_code == 302 and response["Location"] == "/lacak/data-saya/"
    request = DataRequest.objects.get(complaint=complaint)
    assert request.kind == DataRequest.Kind.CORRECTION and request.state == DataRequest.Status.OPEN
    assert before <= request.created_at <= timezone.now()
    assert request.due_at - request.created_at == datetime.timedelta(hours=72)
    assert request.text == "Nama saya Budi Santosa, bukan Santoso."
    # The thread and the outbox get no copy; the text is encrypted at rest.
    assert CaseMessage.objects.filter(complaint=complaint).count() == messages_before
    assert Message.objects.count() == outbox_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM complaints_datarequest")
        assert "Santosa" not in cursor.fetchone()[0]
    page = client.get("/lacak/data-saya/").content.decode()
    assert "Permintaan Anda tercatat" in page
    assert "Nama saya Budi Santosa, bukan Santoso." in page and "Perbaikan data" in page
    assert "Menunggu jawaban" in page


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"kind": "correction", "text": "   "}, "Tuliskan permintaan Anda"),
        ({"kind": "correction"}, "Tuliskan permintaan Anda"),
        ({"kind": "<b></b>", "text": "<script>x</script>"}, "Pilih jenis permintaan"),
        ({"kind": "delete_everything", "text": "Hapus semuanya."}, "Pilih jenis permintaan"),
        ({"text": "Hapus semuanya."}, "Pilih jenis permintaan"),
        ({"kind": "erasure", "text": "x" * 5001}, "Permintaan terlalu panjang"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_creates_nothing(filed, posted, error):
    complaint, pin = filed
    response = tracked(complaint, pin).post("/lacak/data-saya/permintaan/", posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and "Ada yang perlu diperbaiki" in page
    assert not DataRequest.objects.exists()


def test_the_error_comes_in_english_for_an_english_reader(filed):
    with translation.override("en"):
        english = gettext("Tuliskan permintaan Anda: data mana dan apa yang Anda minta.")
    assert not english.startswith("Tuliskan"), "its English is missing from the compiled catalogue"
    complaint, pin = filed
    client = tracked(complaint, pin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/lacak/data-saya/"})
    response = client.post("/lacak/data-saya/permintaan/", {"kind": "erasure", "text": ""})
    assert response.status_code == 400 and english in response.content.decode()
    assert not DataRequest.objects.exists()


def test_a_case_holds_only_a_few_open_requests_at_once(filed):
    complaint, pin = filed
    client = tracked(complaint, pin)
    for n in range(DATA_REQUEST_MAX_OPEN):
        client.post("/lacak/data-saya/permintaan/", {"kind": "restriction", "text": f"Permintaan {n}."})
    response = client.post("/lacak/data-saya/permintaan/", {"kind": "restriction", "text": "Satu lagi."})
    assert response.status_code == 400 and "belum dijawab" in response.content.decode()
    assert DataRequest.objects.filter(complaint=complaint).count() == DATA_REQUEST_MAX_OPEN


def test_the_request_form_needs_its_csrf_token(filed):
    complaint, pin = filed
    client = Client(enforce_csrf_checks=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/lacak/").content.decode())
    client.post(
        "/lacak/", {"code": complaint.tracking_code, "pin": pin, "csrfmiddlewaretoken": token.group(1)}
    )
    page = client.get("/lacak/data-saya/").content.decode()
    assert 'action="/lacak/data-saya/permintaan/"' in page
    refused = client.post("/lacak/data-saya/permintaan/", {"kind": "erasure", "text": "Hapus data saya."})
    assert refused.status_code == 403
    assert not DataRequest.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = client.post(
        "/lacak/data-saya/permintaan/",
        {"kind": "erasure", "text": "Hapus data saya.", "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302
    assert DataRequest.objects.get().kind == DataRequest.Kind.ERASURE


def test_the_page_carries_no_inline_script_or_style(filed):
    complaint, pin = filed
    page = tracked(complaint, pin).get("/lacak/data-saya/").content.decode()
    assert "<script" not in page and "style=" not in page


def test_reads_by_an_officer_show_the_unit_and_reason_never_the_officer(filed, officer):
    complaint, pin = filed
    IdentityReveal.objects.create(complaint=complaint, officer=officer, reason="Perlu konfirmasi alamat.")
    data = json.loads(tracked(complaint, pin).get("/lacak/data-saya.json").content)
    assert data["identity_reads"][0]["reason"] == "Perlu konfirmasi alamat."
    assert "Meja Penerimaan" in data["identity_reads"][0]["unit"]


def test_the_copy_lists_what_the_complainant_gave_not_the_officers_documents(ombudsman_officer):
    from complaints.models import DocumentKind
    from complaints.public.selectors import personal_data_for
    from tests.complaints.lifecycle import attach_document

    complaint, _pin = complaint_submit(channel="web", data=valid(), files=[upload("ktp saya.pdf", PDF)])
    attach_document(complaint, DocumentKind.REPORT, by=ombudsman_officer)
    attach_document(complaint, DocumentKind.RECEIVED_LETTER, by=ombudsman_officer)
    names = [item["name"] for item in personal_data_for(complaint)["evidence"]]
    assert sorted(names) == sorted(["ktp saya.pdf", f"{DocumentKind.RECEIVED_LETTER}.pdf"])
