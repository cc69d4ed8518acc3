"""Complainants' requests about their personal data on the officer side: the queue shows them with
their 3×24-hour deadline, the case page shows and answers them, a confidential case's request is
read only after the reveal (UU 27/2022 PDP, docs/domain.md#personal-data)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from complaints.intake.services import complaint_submit
from complaints.models import DataRequest
from complaints.public.services import data_request_create
from tests.complaints.intake_data import valid
from tests.complaints.officer_cases import as_user
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db

REQUEST_TEXT = "Alamat saya sudah pindah ke Jl. Kenanga 7; mohon diperbaiki."


def file(**overrides):
    """A complaint at the DKI Jakarta intake desk, and its PIN."""
    return complaint_submit(channel="web", data=valid(**overrides))


def ask(complaint, kind=DataRequest.Kind.CORRECTION, text=REQUEST_TEXT) -> DataRequest:
    return data_request_create(complaint=complaint, kind=kind, text=text)


def queue_requests(user) -> str:
    """The queue's "data requests" panel ("" when it has none)."""
    page = as_user(user).get("/petugas/").content.decode()
    found = re.search(r'<section class="panel" id="data-requests".*?</section>', page, re.S)
    return found.group(0) if found else ""


def answer(user, data_request, *, client=None, **posted):
    client = client or as_user(user)
    return client.post(
        f"/petugas/kasus/{data_request.complaint_id}/data-pribadi/{data_request.pk}/jawab/",
        {"outcome": "done", "answer": "Alamat Anda sudah kami perbaiki.", **posted},
    )


def tracked(complaint, pin) -> Client:
    client = Client()
    client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin})
    return client


# --- the queue ---------------------------------------------------------------------------------------
def test_a_request_lands_on_the_queue_of_the_unit_that_sees_the_case_and_no_other(
    intake_officer, ombudsman_officer, outsider
):
    complaint, _pin = file()
    ask(complaint, kind=DataRequest.Kind.ERASURE)
    mine = queue_requests(intake_officer)
    assert complaint.tracking_code_display in mine and "Penghapusan data" in mine
    assert REQUEST_TEXT not in mine  # the queue never shows what was asked
    assert queue_requests(ombudsman_officer) == ""  # the handling unit does not see an intake case
    assert queue_requests(outsider) == ""  # nor does another province


def test_the_queue_lists_the_oldest_deadline_first_and_marks_the_overdue(intake_officer):
    first, _ = file()
    second, _ = file()
    fresh = ask(first)
    late = ask(second, kind=DataRequest.Kind.RESTRICTION)
    filed_at = timezone.now() - datetime.timedelta(hours=80)
    DataRequest.objects.filter(pk=late.pk).update(
        created_at=filed_at, due_at=filed_at + DataRequest.ANSWER_WITHIN
    )
    panel = queue_requests(intake_officer)
    assert panel.index(second.tracking_code_display) < panel.index(first.tracking_code_display)
    rows = re.findall(r"<tr[^>]*>.*?</tr>", panel, re.S)[1:]
    assert 'class="overdue"' in rows[0] and "lewat tenggat" in rows[0]
    assert 'class="overdue"' not in rows[1] and "lewat tenggat" not in rows[1]
    assert fresh.due_at > timezone.now()


def test_an_answered_request_leaves_the_queue(intake_officer):
    complaint, _pin = file()
    data_request = ask(complaint)
    assert answer(intake_officer, data_request).status_code == 302
    assert queue_requests(intake_officer) == ""


# --- answering -----------------------------------------------------------------------------------------
def test_an_officer_of_another_unit_cannot_answer(outsider, ombudsman_officer):
    complaint, _pin = file()
    data_request = ask(complaint)
    for stranger in (outsider, ombudsman_officer):
        assert answer(stranger, data_request).status_code == 404
        assert as_user(stranger).get(f"/petugas/kasus/{complaint.pk}/").status_code == 404
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.Status.OPEN and data_request.answered_by is None


def test_a_request_of_another_case_is_not_found_through_this_case(intake_officer):
    complaint, _pin = file()
    other, _ = file()
    data_request = ask(other)
    response = as_user(intake_officer).post(
        f"/petugas/kasus/{complaint.pk}/data-pribadi/{data_request.pk}/jawab/",
        {"outcome": "done", "answer": "Sudah."},
    )
    assert response.status_code == 404
    assert DataRequest.objects.get(pk=data_request.pk).state == DataRequest.Status.OPEN


def test_the_answer_is_recorded_with_who_and_when_and_the_complainant_reads_it(intake_officer):
    intake_officer.first_name, intake_officer.last_name = "Intan", "Permatasari"
    intake_officer.save()
    complaint, pin = file()
    data_request = ask(complaint)
    case_page = as_user(intake_officer).get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert "Permintaan data pribadi" in case_page and REQUEST_TEXT in case_page
    assert f"/data-pribadi/{data_request.pk}/jawab/" in case_page
    before = timezone.now()
    response = answer(intake_officer, data_request, outcome="done", answer="Alamat Anda sudah kami perbaiki.")
    assert response.status_code == 302 and response["Location"].endswith("#data-pribadi")
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.Status.ANSWERED
    assert data_request.outcome == DataRequest.Outcome.DONE
    assert data_request.answer == "Alamat Anda sudah kami perbaiki."
    assert data_request.answered_by == intake_officer
    assert before <= data_request.answered_at <= timezone.now()
    # The case's "Permintaan data pribadi" panel says who answered and when.
    case_page = as_user(intake_officer).get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    panel = case_page.split('id="data-pribadi"')[1].split("</section>")[0]
    assert "Intan Permatasari" in panel and "Dilaksanakan" in panel
    assert timezone.localtime(data_request.answered_at).strftime("%Y") in panel
    assert f"/data-pribadi/{data_request.pk}/jawab/" not in panel  # answered once
    # The complainant reads the answer, not who wrote it.
    page = tracked(complaint, pin).get("/lacak/data-saya/").content.decode()
    assert "Alamat Anda sudah kami perbaiki." in page and "Dilaksanakan" in page
    assert "Permatasari" not in page


def test_a_request_is_answered_once(intake_officer):
    complaint, _pin = file()
    data_request = ask(complaint)
    answer(intake_officer, data_request, outcome="refused", answer="Data masih diperlukan.")
    response = answer(
        intake_officer, data_request, client=as_user(intake_officer), outcome="done", answer="Ubah."
    )
    assert response.status_code == 302
    data_request.refresh_from_db()
    assert (data_request.outcome, data_request.answer) == ("refused", "Data masih diperlukan.")


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"outcome": "done", "answer": "  "}, "Tuliskan jawaban untuk pelapor."),
        ({"outcome": "maybe", "answer": "Nanti."}, "Pilih hasilnya"),
        ({"outcome": "", "answer": "Nanti."}, "Pilih hasilnya"),
    ],
)
def test_a_bad_answer_is_refused_with_a_clear_error(intake_officer, posted, error):
    complaint, _pin = file()
    data_request = ask(complaint)
    client = as_user(intake_officer)
    response = answer(intake_officer, data_request, client=client, **posted)
    assert response.status_code == 302
    assert error in client.get(response["Location"]).content.decode()
    data_request.refresh_from_db()
    assert data_request.state == DataRequest.Status.OPEN and data_request.answered_at is None


def test_an_administrator_sees_the_request_but_does_not_answer_it(administrator):
    complaint, _pin = file()
    data_request = ask(complaint)
    assert complaint.tracking_code_display in queue_requests(administrator)
    assert answer(administrator, data_request).status_code == 403
    assert DataRequest.objects.get(pk=data_request.pk).state == DataRequest.Status.OPEN


def test_answering_needs_the_csrf_token(intake_officer):
    complaint, _pin = file()
    data_request = ask(complaint)
    client = Client(enforce_csrf_checks=True)
    client.force_login(intake_officer)
    assert answer(intake_officer, data_request, client=client).status_code == 403
    assert DataRequest.objects.get(pk=data_request.pk).state == DataRequest.Status.OPEN


# --- confidentiality -------------------------------------------------------------------------------------
def test_a_confidential_cases_request_text_is_hidden_until_the_reveal(intake_officer):
    complaint, _pin = file(confidentiality="rahasia")
    data_request = ask(complaint)
    client = as_user(intake_officer)
    page = client.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    panel = page.split('id="data-pribadi"')[1].split("</section>")[0]
    assert "Perbaikan data" in panel and "tersembunyi sampai identitas pelapor dibuka" in panel
    assert "Kenanga" not in page
    assert f"/data-pribadi/{data_request.pk}/jawab/" not in panel
    # An answer posted anyway, before the reveal, is refused.
    response = answer(intake_officer, data_request, client=client)
    assert "Buka identitas pelapor dulu" in client.get(response["Location"]).content.decode()
    assert DataRequest.objects.get(pk=data_request.pk).state == DataRequest.Status.OPEN
    # After the logged reveal, the officer reads it and may answer.
    client.post(f"/petugas/kasus/{complaint.pk}/identitas/", {"reason": "Menjawab permintaan data."})
    page = client.get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert REQUEST_TEXT in page and f"/data-pribadi/{data_request.pk}/jawab/" in page
    assert answer(intake_officer, data_request, client=client).status_code == 302
    assert DataRequest.objects.get(pk=data_request.pk).answered_by == intake_officer


def test_another_officer_still_does_not_read_it_after_a_colleagues_reveal(intake_officer):
    colleague = UserFactory(username="rina", role="intake_officer", unit=unit("intake", "31"))
    complaint, _pin = file(confidentiality="rahasia")
    ask(complaint)
    as_user(intake_officer).post(f"/petugas/kasus/{complaint.pk}/identitas/", {"reason": "Menjawab."})
    assert "Kenanga" not in as_user(colleague).get(f"/petugas/kasus/{complaint.pk}/").content.decode()


def test_an_anonymous_cases_request_is_read_with_typed_identifiers_masked(intake_officer):
    complaint, _pin = file(confidentiality="anonim", notify_channel="none")
    ask(complaint, kind=DataRequest.Kind.ERASURE, text="Hapus nomor 0812-3456-7890 dari bukti saya.")
    page = as_user(intake_officer).get(f"/petugas/kasus/{complaint.pk}/").content.decode()
    assert "Hapus nomor" in page and "0812-3456-7890" not in page


def test_the_officer_pages_carry_no_inline_script_or_style_for_requests(intake_officer):
    complaint, _pin = file()
    ask(complaint)
    for path in ("/petugas/", f"/petugas/kasus/{complaint.pk}/"):
        page = as_user(intake_officer).get(path).content.decode()
        assert "style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
