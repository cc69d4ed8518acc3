"""The end of personal data's retention (UU 27/2022 PDP): what a case loses, what it keeps, and
what the complainant and the officers are told."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from complaints.intake.services import complaint_submit
from complaints.jobs.retention import personal_data_erase_expired
from complaints.models import CaseMessage, Complaint, Evidence, Identity, IdentityReveal, State
from notifications.models import InboundMessage, Message
from tests.complaints.intake_data import PDF, upload, valid
from tests.complaints.lifecycle import complaint_in
from tests.complaints.officer_cases import as_user
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

YEAR = datetime.timedelta(days=365)
STORY = "Saya Budi Santoso (NIK 3171 2345 6789 0123), hubungi 0812-3456-7890. KTP saya tertunda empat bulan."


@pytest.fixture
def retention(settings):
    settings.SIGAP_RETENTION_DAYS = 5 * 365 + 1
    return settings


def withdrawn_case(*, ended_ago: datetime.timedelta):
    """Budi's complaint with a PDF, a message to him and one from him, withdrawn `ended_ago`."""
    complaint, pin = complaint_submit(
        channel="web", data=valid(description=STORY), files=[upload("ktp-budi.pdf", PDF)]
    )
    CaseMessage.objects.create(
        complaint=complaint,
        kind=CaseMessage.Kind.FROM_COMPLAINANT,
        body="Ini Budi Santoso, nomor saya 081234567890.",
        channel="web",
    )
    engine.perform(complaint, "withdraw", actor=Actor.complainant(), via="web")
    Complaint.objects.filter(pk=complaint.pk).update(state_changed_at=timezone.now() - ended_ago)
    complaint.refresh_from_db()
    return complaint, pin


def track(client, complaint, pin) -> str:
    response = client.post("/lacak/", {"code": complaint.tracking_code, "pin": pin}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_ended_before_the_period_loses_its_personal_data_and_says_so(
    retention, client, administrator, django_capture_on_commit_callbacks
):
    old, pin = withdrawn_case(ended_ago=6 * YEAR)
    stored = old.evidence.get().file.name
    assert default_storage.exists(stored)
    assert Message.objects.filter(reference=f"complaint:{old.pk}").exclude(recipient="").exists()

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the batch commits
        result = personal_data_erase_expired()

    old.refresh_from_db()
    assert result.complaints == 1 and result.evidence_files == 1
    assert old.personal_data_erased_at is not None
    assert not Identity.objects.filter(complaint=old).exists()
    assert not Evidence.objects.filter(complaint=old).exists() and not default_storage.exists(stored)
    for message in Message.objects.filter(reference=f"complaint:{old.pk}"):
        assert (message.recipient, message.body) == ("", "")
    # The substance stays, with the identifiers he typed masked.
    assert "KTP saya tertunda empat bulan" in old.description
    assert "Budi" not in old.description and "3171" not in old.description and "0812" not in old.description
    thread = CaseMessage.objects.get(complaint=old, kind=CaseMessage.Kind.FROM_COMPLAINANT).body
    assert "Budi" not in thread and "081234567890" not in thread
    # He can still follow it, and is told; so is the officer.
    page = track(client, old, pin)
    assert "dihapus pada" in page and "Dicabut" in page
    case_page = as_user(administrator).get(f"/petugas/kasus/{old.pk}/").content.decode()
    assert 'id="erased"' in case_page and "Budi Santoso" not in case_page


def test_recent_and_open_cases_keep_everything(retention):
    recent, _pin = withdrawn_case(ended_ago=4 * YEAR)
    open_case, _pin = complaint_submit(channel="web", data=valid(), files=[upload("bukti.pdf", PDF)])
    Complaint.objects.filter(pk=open_case.pk).update(
        created_at=timezone.now() - 9 * YEAR, state_changed_at=timezone.now() - 9 * YEAR
    )

    assert personal_data_erase_expired().complaints == 0

    for case in (recent, open_case):
        case.refresh_from_db()
        assert case.personal_data_erased_at is None
        assert Identity.objects.get(complaint=case).name == "Budi Santoso"
        assert default_storage.exists(case.evidence.get().file.name)
        assert Message.objects.filter(reference=f"complaint:{case.pk}").exclude(recipient="").exists()


def test_a_second_run_changes_nothing_and_the_accountability_record_stays(retention, administrator):
    old, _pin = withdrawn_case(ended_ago=6 * YEAR)
    IdentityReveal.objects.create(complaint=old, officer=administrator, reason="Klarifikasi kronologi")
    audit = TransitionLog.objects.filter(object_id=old.pk).count()
    personal_data_erase_expired()
    erased_at = Complaint.objects.get(pk=old.pk).personal_data_erased_at

    again = personal_data_erase_expired()

    assert (again.complaints, again.evidence_files) == (0, 0)
    assert Complaint.objects.get(pk=old.pk).personal_data_erased_at == erased_at
    assert TransitionLog.objects.filter(object_id=old.pk).count() == audit
    assert IdentityReveal.objects.filter(complaint=old, reason="Klarifikasi kronologi").exists()


def test_many_cases_are_erased_in_a_bounded_number_of_queries(
    retention, administrator, django_assert_max_num_queries
):
    cases = [complaint_in(State.CLOSED, admin=administrator) for _ in range(30)]
    Complaint.objects.filter(pk__in=[c.pk for c in cases]).update(state_changed_at=timezone.now() - 6 * YEAR)
    with django_assert_max_num_queries(48):
        result = personal_data_erase_expired(batch_size=10)
    assert result.complaints == 30
    assert not Identity.objects.filter(complaint__in=cases).exists()


def test_the_stored_reply_with_a_pin_is_blanked_after_its_hours_and_not_before(retention):
    now = timezone.now()
    old = InboundMessage.objects.create(
        sid="SM1", phone="+6281234567890", channel="sms", body="YA", reply="Kode ABCD-2345, PIN 123456",
        received_at=now - datetime.timedelta(hours=25),
    )  # fmt: skip
    fresh = InboundMessage.objects.create(
        sid="SM2", phone="+6281234567890", channel="sms", body="YA", reply="Kode EFGH-6789, PIN 654321",
        received_at=now - datetime.timedelta(hours=2),
    )  # fmt: skip
    ancient = InboundMessage.objects.create(
        sid="SM3", phone="+6281234567890", channel="sms", body="LAPOR", received_at=now - 6 * YEAR
    )

    result = personal_data_erase_expired()

    assert (result.inbound_replies, result.inbound_messages) == (1, 1)
    assert InboundMessage.objects.get(pk=old.pk).reply == ""
    assert InboundMessage.objects.get(pk=fresh.pk).reply == "Kode EFGH-6789, PIN 654321"
    assert not InboundMessage.objects.filter(pk=ancient.pk).exists()


def test_an_operator_runs_it_by_hand_and_reads_the_counts(retention):
    withdrawn_case(ended_ago=6 * YEAR)
    printed = io.StringIO()
    call_command("erase_expired_personal_data", stdout=printed)
    assert "data pribadi dihapus dari 1 kasus" in printed.getvalue()
    assert "personal data removed from 1 cases" in printed.getvalue()


def test_a_confidential_case_loses_its_sealed_originals_its_audit_copy_and_its_requests(retention):
    from complaints.models import DataRequest
    from complaints.public.services import complainant_act

    complaint, _pin = complaint_submit(
        channel="web", data=valid(confidentiality="rahasia", description=STORY)
    )
    officer = Actor.officer(_an_administrator())
    engine.perform(complaint, "start_verification", actor=officer, via="web")
    engine.perform(complaint, "request_info", actor=officer, via="web", message="Mohon KTP.")
    complainant_act(
        complaint=complaint, name="withdraw", via="web", message="Saya Budi Santoso, 081234567890."
    )
    DataRequest.objects.create(
        complaint=complaint, kind="erasure", text="Hapus data Budi Santoso, NIK 3171234567890123."
    )
    Complaint.objects.filter(pk=complaint.pk).update(state_changed_at=timezone.now() - 6 * YEAR)
    assert Complaint.objects.get(pk=complaint.pk).sealed_text

    personal_data_erase_expired()

    complaint.refresh_from_db()
    assert complaint.sealed_text == ""
    assert not CaseMessage.objects.filter(complaint=complaint).exclude(sealed_body="").exists()
    logs = TransitionLog.objects.filter(object_id=complaint.pk, transition="withdraw")
    assert logs.exists() and all("Budi" not in str(log.fields) for log in logs)
    request = DataRequest.objects.get(complaint=complaint)
    assert (request.text, request.answer) == ("", "")


def _an_administrator():
    from tests.factories import UserFactory

    return UserFactory(username="admin-retensi", role="administrator", unit=None)
