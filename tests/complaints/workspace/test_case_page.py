"""The case page /petugas/kasus/<id>/: what it shows, its step forms, the thread and notes,
evidence downloads and CSRF on every form."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from complaints.intake.services import complaint_submit
from complaints.models import CaseMessage, Complaint, State
from notifications.models import Message
from tests.complaints.intake_data import PDF, upload, valid
from tests.complaints.lifecycle import complaint_in, step
from tests.complaints.officer_cases import as_user, referred_to_ombudsman
from workflow.engine import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def referred(administrator):
    return referred_to_ombudsman(administrator)


def page(user, complaint) -> str:
    response = as_user(user).get(f"/petugas/kasus/{complaint.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_complaint_checklist_deadline_and_audit_trail_with_names(
    referred, ombudsman_officer, administrator
):
    administrator.first_name, administrator.last_name = "Adi", "Nugroho"
    administrator.save()
    html = page(ombudsman_officer, referred)
    assert referred.description in html
    assert "Verifikasi formal" in html and "terpenuhi" in html  # the refer step recorded them met
    assert referred.due_at.strftime("%Y") in html
    trail = html.split("Jejak audit")[1]
    assert "Mulai verifikasi" in trail and "Diterima → Verifikasi" in trail and "Adi Nugroho" in trail
    assert "surat.pdf" in html


def test_an_officer_performs_a_step_from_the_case_page(referred, ombudsman_officer):
    client = as_user(ombudsman_officer)
    html = page(ombudsman_officer, referred)
    assert "Terima rujukan" in html and "Kembalikan rujukan" in html
    assert 'name="expected_state" value="referred"' in html
    response = client.post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/", {"expected_state": "referred"}, follow=True
    )
    assert "tercatat" in response.content.decode()
    assert Complaint.objects.get(pk=referred.pk).state == State.EXAMINATION


@pytest.mark.parametrize("field", ["actor", "via", "name", "obj", "expected_state"])
def test_a_posted_field_named_like_the_engines_own_arguments_is_ignored_not_a_500(
    referred, ombudsman_officer, field
):
    # The step's form posts "<step>-<field>"; only the fields the step declares reach the engine.
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/",
        {"expected_state": "referred", f"accept_referral-{field}": "x"},
        follow=True,
    )
    assert response.status_code == 200
    assert "tercatat" in response.content.decode()
    assert Complaint.objects.get(pk=referred.pk).state == State.EXAMINATION


def test_a_stale_page_gets_a_clear_conflict_message_and_the_fresh_state(
    referred, ombudsman_officer, supervisor
):
    as_user(supervisor).post(
        f"/petugas/kasus/{referred.pk}/langkah/accept_referral/", {"expected_state": "referred"}
    )
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/langkah/return_referral/",
        {"expected_state": "referred", "return_referral-note": "bukan wilayah"},
        follow=True,
    )
    html = response.content.decode()
    assert "baru saja diubah oleh petugas lain" in html
    assert 'id="case-state">Pemeriksaan<' in html
    assert Complaint.objects.get(pk=referred.pk).state == State.EXAMINATION


def test_a_step_with_missing_fields_shows_them(referred, ombudsman_officer):
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/langkah/return_referral/", {"expected_state": "referred"}
    )
    assert response.status_code == 400
    assert "Bidang ini harus diisi" in response.content.decode()
    assert Complaint.objects.get(pk=referred.pk).state == State.REFERRED


def test_an_unknown_step_is_not_found(referred, ombudsman_officer):
    response = as_user(ombudsman_officer).post(f"/petugas/kasus/{referred.pk}/langkah/terbang/", {})
    assert response.status_code == 404


def test_messages_reach_the_complainant_and_notes_stay_internal(referred, ombudsman_officer, client):
    officer = as_user(ombudsman_officer)
    officer.post(f"/petugas/kasus/{referred.pk}/pesan/", {"body": "Mohon kirim salinan surat."})
    officer.post(f"/petugas/kasus/{referred.pk}/catatan/", {"body": "Cek arsip 2025."})
    kinds = dict(CaseMessage.objects.filter(complaint=referred).values_list("body", "kind"))
    assert kinds == {"Mohon kirim salinan surat.": "to_complainant", "Cek arsip 2025.": "internal"}
    assert Message.objects.filter(reference=f"complaint:{referred.pk}", template_key="thread").exists()
    html = page(ombudsman_officer, referred)
    thread, notes = html.split("Pesan dengan pelapor")[1].split("Catatan internal")
    assert "Mohon kirim salinan surat." in thread and "Cek arsip 2025." not in thread
    assert "Cek arsip 2025." in notes
    assert "Pesan keluar ke pelapor" in html  # the outbox row and its delivery status
    # Writing to the complainant is on the audit trail (who and when; the words stay in the thread);
    # an internal note is not.
    from workflow import engine

    events = [log.transition for log in engine.audit_trail(referred) if log.transition == "message_sent"]
    assert events == ["message_sent"]
    trail = html.split("Jejak audit")[1]
    assert "Pesan dikirim ke pelapor" in trail and "Mohon kirim salinan" not in trail


def test_the_complainants_reply_appears_in_the_thread(administrator, ombudsman_officer):
    examined = complaint_in(State.EXAMINATION, admin=administrator)
    step(examined, "request_info", Actor.officer(ombudsman_officer), message="Mohon kirim KTP.")
    step(examined, "provide_info", Actor.complainant(), message="Sudah saya kirim lewat pos.")
    assert "Sudah saya kirim lewat pos." in page(ombudsman_officer, examined).split("Catatan internal")[0]


def test_an_empty_message_is_refused(referred, ombudsman_officer):
    response = as_user(ombudsman_officer).post(
        f"/petugas/kasus/{referred.pk}/pesan/", {"body": "  "}, follow=True
    )
    assert "tidak boleh kosong" in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_a_merged_duplicate_is_linked_on_both_cases(administrator, intake_officer):
    original = complaint_in(State.SUBMITTED, admin=administrator)
    copy = complaint_in(State.SUBMITTED, admin=administrator)
    step(copy, "mark_duplicate", Actor.officer(administrator), duplicate_of=original.tracking_code)
    assert f'href="/petugas/kasus/{original.pk}/"' in page(intake_officer, copy)
    assert f'href="/petugas/kasus/{copy.pk}/"' in page(intake_officer, original)


def test_evidence_is_served_only_through_the_checked_view(intake_officer, outsider):
    complaint, _pin = complaint_submit(channel="web", data=valid(), files=[upload("ktp.pdf", PDF)])
    evidence = complaint.evidence.get()
    url = f"/petugas/kasus/{complaint.pk}/bukti/{evidence.pk}/"
    response = as_user(intake_officer).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert as_user(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # The stored file has no public address: nothing under /media/ answers.
    assert Client().get(f"/media/{evidence.file.name}").status_code == 404
    # Another case's evidence id under this case is not found either.
    other, _pin = complaint_submit(channel="web", data=valid(), files=[upload("b.pdf", PDF)])
    wrong = f"/petugas/kasus/{complaint.pk}/bukti/{other.evidence.get().pk}/"
    assert as_user(intake_officer).get(wrong).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("langkah/accept_referral/", {"expected_state": "referred"}),
        ("pesan/", {"body": "Halo"}),
        ("catatan/", {"body": "Catatan"}),
        ("identitas/", {"reason": "Perlu"}),
        ("ambil/", {}),
    ],
)
def test_posts_need_the_csrf_token(referred, ombudsman_officer, path, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ombudsman_officer)
    response = client.post(f"/petugas/kasus/{referred.pk}/{path}", data)
    assert response.status_code == 403
    referred.refresh_from_db()
    assert referred.state == State.REFERRED and referred.assignee is None
    assert not CaseMessage.objects.exists()


def test_the_page_with_its_token_posts_fine_under_csrf_checks(referred, ombudsman_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ombudsman_officer)
    html = client.get(f"/petugas/kasus/{referred.pk}/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(f"/petugas/kasus/{referred.pk}/ambil/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=referred.pk).assignee == ombudsman_officer


def test_the_case_page_takes_a_fixed_number_of_queries(
    referred, ombudsman_officer, django_assert_max_num_queries
):
    client = as_user(ombudsman_officer)
    for n in range(15):
        client.post(f"/petugas/kasus/{referred.pk}/pesan/", {"body": f"Pesan {n}"})
    with django_assert_max_num_queries(16):
        client.get(f"/petugas/kasus/{referred.pk}/")


def test_the_clock_says_how_many_working_days_are_left_and_on_what_rule(referred, ombudsman_officer):
    from workflow.deadlines import working_days_between

    left = working_days_between(timezone.now(), referred.due_at)
    html = page(ombudsman_officer, referred)
    assert f"sisa {left} hari kerja" in html and "tahap ini 5 hari" in html


def test_an_overdue_case_says_by_how_much(referred, ombudsman_officer):
    Complaint.objects.filter(pk=referred.pk).update(due_at=timezone.now() - datetime.timedelta(days=10))
    html = page(ombudsman_officer, referred)
    assert "lewat tenggat" in html and "(lewat " in html


def test_the_clock_shows_it_is_paused_while_awaiting_the_complainant(administrator, ombudsman_officer):
    examined = complaint_in(State.EXAMINATION, admin=administrator)
    step(examined, "request_info", Actor.officer(ombudsman_officer), message="Mohon kirim KTP.")
    assert "selama menunggu pelapor" in page(ombudsman_officer, examined)
