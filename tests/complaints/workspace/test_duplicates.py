"""Likely duplicates on the case page of a complaint at intake (docs/domain.md#one-complaint-once):
other cases of the last 30 days by the same person, or about the same agency with a similar
account; only cases the officer may see, never a confidential complainant's identity."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from complaints.identity import identity_reveal
from complaints.intake.services import complaint_submit
from complaints.models import Complaint, State
from complaints.workspace.selectors import likely_duplicates_for
from tests.complaints.intake_data import valid
from tests.complaints.officer_cases import as_user

pytestmark = pytest.mark.django_db

ACCOUNT = "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan dari kelurahan."
SIMILAR = "KTP elektronik saya tertunda sudah empat bulan, kelurahan tidak memberi kejelasan apa pun."
OTHER = "Jalan rusak di depan sekolah dasar tidak kunjung diperbaiki padahal sudah dilaporkan."


def file(**data) -> Complaint:
    complaint, _pin = complaint_submit(channel="web", data=valid(**data))
    return complaint


def codes_of(rows) -> set[str]:
    return {row.tracking_code for row in rows}


@pytest.fixture
def original():
    return file(description=ACCOUNT)


def test_the_same_phone_or_nik_is_listed_with_the_reason(intake_officer, original):
    same_phone = file(nik="", agency_name="Dinas Pendidikan", description=OTHER, email="lain@example.id")
    same_nik = file(phone="0813 1111 2222", agency_name="Dinas Sosial", description=OTHER)
    stranger = file(
        name="Siti Aminah",
        phone="0813 3333 4444",
        nik="3171000000000001",
        email="siti@example.id",
        agency_name="Dinas Perhubungan",
        description=OTHER,
    )
    rows = likely_duplicates_for(intake_officer, original)
    assert codes_of(rows) == {same_phone.tracking_code, same_nik.tracking_code}
    reasons = {row.tracking_code: row.duplicate_reasons for row in rows}
    assert "nomor telepon sama" in reasons[same_phone.tracking_code]
    assert "NIK sama" in reasons[same_nik.tracking_code]
    assert stranger.tracking_code not in reasons


def test_the_same_name_counts_only_with_the_same_agency(intake_officer, original):
    elsewhere = file(phone="0813 1111 2222", nik="", email="", agency_name="Dinas Sosial", description=OTHER)
    same_agency = file(phone="0813 5555 6666", nik="", email="", description=OTHER)
    rows = likely_duplicates_for(intake_officer, original)
    assert codes_of(rows) == {same_agency.tracking_code}
    assert rows[0].duplicate_reasons == ["nama sama", "instansi sama"]
    assert elsewhere.tracking_code not in codes_of(rows)


def test_a_similar_account_about_the_same_agency_is_listed_on_postgresql(postgres, intake_officer, original):
    someone = dict(name="Siti Aminah", phone="0813 3333 4444", nik="", email="siti@example.id")
    alike = file(description=SIMILAR, **someone)
    unlike = file(description=OTHER, **someone)
    other_agency = file(description=SIMILAR, agency_name="Dinas Sosial", **someone)
    rows = likely_duplicates_for(intake_officer, original)
    assert codes_of(rows) == {alike.tracking_code}
    assert rows[0].duplicate_reasons == ["uraian mirip", "instansi sama"]
    assert not codes_of(rows) & {unlike.tracking_code, other_agency.tracking_code}


def test_only_cases_of_the_last_30_days_the_officer_may_see(intake_officer, original):
    old = file(description=OTHER, agency_name="Dinas Sosial")
    Complaint.objects.filter(pk=old.pk).update(created_at=original.created_at - datetime.timedelta(days=31))
    # Filed in West Java: another province's intake desk, which this officer does not see.
    elsewhere = file(description=OTHER, agency_name="Dinas Sosial", province="32", regency="32.73")
    recent = file(description=OTHER, agency_name="Dinas Sosial")
    assert codes_of(likely_duplicates_for(intake_officer, original)) == {recent.tracking_code}
    assert elsewhere.unit_id != original.unit_id


def test_only_while_the_case_is_at_intake(intake_officer, original):
    file(description=OTHER)
    assert likely_duplicates_for(intake_officer, original)
    Complaint.objects.filter(pk=original.pk).update(state=State.VERIFYING)
    original.refresh_from_db()
    assert likely_duplicates_for(intake_officer, original)
    Complaint.objects.filter(pk=original.pk).update(state=State.REJECTED)
    original.refresh_from_db()
    assert likely_duplicates_for(intake_officer, original) == []


def test_a_confidential_identity_is_never_matched_without_the_reveal(intake_officer, original):
    confidential = file(confidentiality="rahasia", agency_name="Dinas Sosial", description=OTHER)
    # The open case's officer would learn who filed the confidential one: not before a reveal.
    assert confidential.tracking_code not in codes_of(likely_duplicates_for(intake_officer, original))
    assert likely_duplicates_for(intake_officer, confidential) == []
    identity_reveal(user=intake_officer, complaint=confidential, reason="memeriksa duplikat")
    assert confidential.tracking_code in codes_of(likely_duplicates_for(intake_officer, original))
    assert original.tracking_code in codes_of(likely_duplicates_for(intake_officer, confidential))


def test_an_anonymous_complaint_has_no_person_to_match(intake_officer):
    anonymous = file(confidentiality="anonim", phone="", notify_channel="none", description=ACCOUNT)
    file(description=OTHER, agency_name="Dinas Sosial")
    assert likely_duplicates_for(intake_officer, anonymous) == []


def test_the_case_page_lists_them_with_code_date_agency_and_state_only(intake_officer):
    original = file(confidentiality="rahasia", description=ACCOUNT)
    identity_reveal(user=intake_officer, complaint=original, reason="verifikasi")
    duplicate = file(confidentiality="rahasia", name="Budi Santoso", description=OTHER)
    identity_reveal(user=intake_officer, complaint=duplicate, reason="verifikasi")
    page = as_user(intake_officer).get(f"/petugas/kasus/{original.pk}/").content.decode()
    section = page.split('id="kemungkinan-duplikat"', 1)[1].split("</section>", 1)[0]
    assert duplicate.tracking_code_display in section
    assert timezone.localtime(duplicate.created_at).strftime("%Y") in section
    assert "Kelurahan Menteng" in section and "Diterima" in section
    for identifier in ("Budi", "Santoso", "3171234567890123", "0812", "+62", "budi@example.id"):
        assert identifier not in section


def test_the_section_is_absent_when_there_is_nothing_to_show(intake_officer, original):
    page = as_user(intake_officer).get(f"/petugas/kasus/{original.pk}/").content.decode()
    assert 'id="kemungkinan-duplikat"' not in page
