"""The officer workspace: the role matrix, the queue, the case page, identity, assignment."""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from complaints.models import CaseMessage, Complaint, IdentityReveal, State
from notifications.models import Message
from tests.complaints.intake_data import PDF, upload, valid
from tests.complaints.lifecycle import complaint_in
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db
PERSONAS = [
    "intake_officer",
    "ombudsman_officer",
    "kanwil_officer",
    "supervisor",
    "administrator",
    "outsider",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def at_intake(administrator):
    """A confidential complaint waiting at the DKI Jakarta intake desk."""
    return complaint_in(State.SUBMITTED, admin=administrator, confidentiality="rahasia")


@pytest.fixture
def referred(administrator):
    """A complaint referred to Ombudsman RI Perwakilan DKI Jakarta."""
    return complaint_in(State.REFERRED, admin=administrator)


# --- who sees what -------------------------------------------------------------------------------
CASE_VISIBLE = {
    "at_intake": {"intake_officer", "administrator"},
    "referred": {"ombudsman_officer", "supervisor", "administrator"},
}


@pytest.mark.parametrize("case", ["at_intake", "referred"])
@pytest.mark.parametrize("who", PERSONAS)
def test_each_role_sees_only_its_units_cases_and_guessed_ids_are_404(case, who, request):
    complaint = request.getfixturevalue(case)
    client = as_user(request.getfixturevalue(who))
    visible = who in CASE_VISIBLE[case]
    expected = 200 if visible else 404
    assert client.get(f"/petugas/kasus/{complaint.pk}/").status_code == expected
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == expected
    queue = client.get("/petugas/")
    assert queue.status_code == 200
    assert (complaint.tracking_code in queue.content.decode()) == visible
    for path in ("langkah/start_verification/", "identitas/", "pesan/", "catatan/", "ambil/"):
        response = client.post(f"/petugas/kasus/{complaint.pk}/{path}", {"body": "x", "reason": "x"})
        if not visible:
            assert response.status_code == 404, path
    assert Complaint.objects.get(pk=complaint.pk).state == complaint.state or visible


def test_people_without_a_role_or_login_are_kept_out(at_intake, django_user_model):
    anonymous = Client()
    for path in ("/petugas/", f"/petugas/kasus/{at_intake.pk}/", "/petugas/dasbor/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/petugas/masuk/")
    citizen = django_user_model.objects.create_user("warga", password="bukan-petugas-123")
    assert as_user(citizen).get("/petugas/").status_code == 403


# --- the queue -----------------------------------------------------------------------------------
def test_the_queue_puts_overdue_first_then_the_soonest_and_no_deadline_last(intake_officer):
    now = timezone.now()
    later = ComplaintFactory(due_at=now + datetime.timedelta(days=5))
    overdue = ComplaintFactory(due_at=now - datetime.timedelta(days=2))
    soon = ComplaintFactory(due_at=now + datetime.timedelta(days=1))
    none = ComplaintFactory(due_at=None)
    rows = as_user(intake_officer).get("/petugas/").context["page"].rows
    assert [c.pk for c in rows] == [overdue.pk, soon.pk, later.pk, none.pk]
    html = as_user(intake_officer).get("/petugas/").content.decode()
    assert "lewat tenggat" in html  # overdue said in words, not only colour


@pytest.mark.parametrize(
    ("params", "matches"),
    [
        ({"kind": "ham"}, "ham"),
        ({"channel": "sms"}, "sms"),
        ({"state": "verifying"}, "verifying"),
        ({"overdue": "true"}, "late"),
        ({"assignee": "unassigned"}, "unassigned"),
        ({"q": "sertifikat tanah"}, "text"),
    ],
)
def test_each_filter_narrows_the_queue(intake_officer, administrator, params, matches):
    from workflow import engine
    from workflow.engine import Actor

    base = ComplaintFactory(assignee=intake_officer)
    cases = {
        "ham": ComplaintFactory(kind="ham", category=None, assignee=intake_officer),
        "sms": ComplaintFactory(channel="sms", assignee=intake_officer),
        "late": ComplaintFactory(due_at=timezone.now() - datetime.timedelta(days=1), assignee=intake_officer),
        "unassigned": ComplaintFactory(),
        "text": ComplaintFactory(
            description="Pungutan liar untuk sertifikat tanah di kantor desa.", assignee=intake_officer
        ),
    }
    verifying = ComplaintFactory(assignee=intake_officer)
    engine.perform(verifying, "start_verification", actor=Actor.officer(administrator), via="web")
    cases["verifying"] = verifying
    rows = as_user(intake_officer).get("/petugas/", params).context["page"].rows
    assert [c.pk for c in rows] == [cases[matches].pk]
    assert base.pk not in [c.pk for c in rows]


def test_the_queue_finds_a_case_by_its_tracking_code_written_any_way(intake_officer):
    wanted, _other = ComplaintFactory(tracking_code="ABCD2345"), ComplaintFactory()
    rows = as_user(intake_officer).get("/petugas/", {"q": "abcd-2345"}).context["page"].rows
    assert [c.pk for c in rows] == [wanted.pk]


def test_the_queue_pages_by_cursor_in_a_fixed_number_of_queries(
    intake_officer, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(120):
        ComplaintFactory(due_at=now + datetime.timedelta(hours=i))
    client = as_user(intake_officer)
    with django_assert_max_num_queries(12):
        first = client.get("/petugas/")
    page = first.context["page"]
    assert len(page.rows) == 50 and page.next_cursor
    second = client.get("/petugas/", {"cursor": page.next_cursor}).context["page"]
    third = client.get("/petugas/", {"cursor": second.next_cursor}).context["page"]
    seen = [c.pk for c in page.rows + second.rows + third.rows]
    assert len(seen) == len(set(seen)) == 120 and third.next_cursor is None


# --- identity ------------------------------------------------------------------------------------
def test_a_confidential_identity_is_hidden_until_revealed_with_a_reason_and_the_reveal_is_logged(
    at_intake, intake_officer, supervisor, administrator
):
    client = as_user(intake_officer)
    name = at_intake.identity.name
    assert name not in client.get(f"/petugas/kasus/{at_intake.pk}/").content.decode()
    assert client.get(f"/api/v1/complaints/{at_intake.pk}/").json()["identity"] is None
    assert name not in client.get("/petugas/").content.decode()
    # A reason is required.
    client.post(f"/petugas/kasus/{at_intake.pk}/identitas/", {"reason": ""})
    assert not IdentityReveal.objects.exists()
    client.post(f"/petugas/kasus/{at_intake.pk}/identitas/", {"reason": "Menghubungi pelapor untuk KTP"})
    assert name in client.get(f"/petugas/kasus/{at_intake.pk}/").content.decode()
    assert client.get(f"/api/v1/complaints/{at_intake.pk}/").json()["identity"]["name"] == name
    reveal = IdentityReveal.objects.get()
    assert (reveal.officer, reveal.reason) == (intake_officer, "Menghubungi pelapor untuk KTP")
    # Another officer still does not see it; the administrator sees the reveal log.
    other = as_user(administrator).get(f"/petugas/kasus/{at_intake.pk}/").content.decode()
    assert name not in other.split("Log akses identitas")[0]
    assert "Menghubungi pelapor untuk KTP" in other


def test_reading_an_open_identity_is_logged(referred, ombudsman_officer):
    as_user(ombudsman_officer).get(f"/petugas/kasus/{referred.pk}/")
    assert IdentityReveal.objects.filter(officer=ombudsman_officer, complaint=referred).exists()


# --- acting on a case ----------------------------------------------------------------------------
def test_an_officer_performs_a_step_from_the_case_page(referred, ombudsman_officer):
    client = as_user(ombudsman_officer)
    page = client.get(f"/petugas/kasus/{referred.pk}/").content.decode()
    assert "Terima rujukan" in page and "Kembalikan rujukan" in page
    response = client.post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/", {"expected_state": "referred"}, follow=True
    )
    assert "tercatat" in response.content.decode()
    assert Complaint.objects.get(pk=referred.pk).state == State.EXAMINATION


def test_a_stale_page_gets_a_clear_conflict_message(referred, ombudsman_officer, supervisor):
    as_user(supervisor).post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/", {"expected_state": "referred"}
    )
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/langkah/return_referral/",
        {"expected_state": "referred", "return_referral-note": "bukan wilayah"},
        follow=True,
    )
    assert "baru saja diubah oleh petugas lain" in response.content.decode()
    assert Complaint.objects.get(pk=referred.pk).state == State.EXAMINATION


def test_a_step_with_missing_fields_shows_them(referred, ombudsman_officer):
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/langkah/return_referral/", {"expected_state": "referred"}
    )
    assert response.status_code == 400
    assert "Bidang ini harus diisi" in response.content.decode()


def test_messages_reach_the_complainant_and_notes_stay_internal(referred, ombudsman_officer, client):
    officer = as_user(ombudsman_officer)
    officer.post(f"/petugas/kasus/{referred.pk}/pesan/", {"body": "Mohon kirim salinan surat."})
    officer.post(f"/petugas/kasus/{referred.pk}/catatan/", {"body": "Cek arsip 2025."})
    kinds = dict(CaseMessage.objects.filter(complaint=referred).values_list("body", "kind"))
    assert kinds == {"Mohon kirim salinan surat.": "to_complainant", "Cek arsip 2025.": "internal"}
    assert Message.objects.filter(reference=f"complaint:{referred.pk}", template_key="thread").exists()


def test_evidence_is_served_only_through_the_checked_view(administrator, intake_officer, outsider):
    from complaints.services import complaint_submit

    complaint, _ = complaint_submit(channel="web", data=valid(), files=[upload("ktp.pdf", PDF)])
    evidence = complaint.evidence.get()
    url = f"/petugas/kasus/{complaint.pk}/bukti/{evidence.pk}/"
    response = as_user(intake_officer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert as_user(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_claiming_and_bulk_assignment(referred, administrator, ombudsman_officer, supervisor, outsider):
    second = complaint_in(State.REFERRED, admin=administrator)
    as_user(ombudsman_officer).post(f"/petugas/kasus/{referred.pk}/ambil/")
    assert Complaint.objects.get(pk=referred.pk).assignee == ombudsman_officer
    # A case officer cannot assign; a supervisor can, in bulk, within the unit only.
    as_user(ombudsman_officer).post(
        "/petugas/tugaskan/", {"complaint": [second.pk], "assignee": supervisor.pk}
    )
    assert Complaint.objects.get(pk=second.pk).assignee is None
    as_user(supervisor).post(
        "/petugas/tugaskan/", {"complaint": [referred.pk, second.pk], "assignee": supervisor.pk}
    )
    assert set(
        Complaint.objects.filter(pk__in=[referred.pk, second.pk]).values_list("assignee", flat=True)
    ) == {supervisor.pk}
    as_user(supervisor).post("/petugas/tugaskan/", {"complaint": [second.pk], "assignee": outsider.pk})
    assert Complaint.objects.get(pk=second.pk).assignee == supervisor


def test_posts_need_the_csrf_token(referred, ombudsman_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ombudsman_officer)
    response = client.post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/", {"expected_state": "referred"}
    )
    assert response.status_code == 403
    assert Complaint.objects.get(pk=referred.pk).state == State.REFERRED


# --- sign-in -------------------------------------------------------------------------------------
def test_sign_in_locks_after_five_failures(intake_officer):
    client = Client()
    for _ in range(5):
        response = client.post("/petugas/masuk/", {"username": "intan", "password": "salah-sekali"})
        assert response.status_code == 200
    locked = client.post("/petugas/masuk/", {"username": "intan", "password": "rahasia-sekali-123"})
    assert locked.status_code == 429 and "Terlalu banyak percobaan" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_works_with_the_right_password(intake_officer):
    client = Client()
    response = client.post("/petugas/masuk/", {"username": "intan", "password": "rahasia-sekali-123"})
    assert response.status_code == 302 and response["Location"] == "/petugas/"
