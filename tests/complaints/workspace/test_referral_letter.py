"""The referral letter /petugas/kasus/<id>/surat-rujukan/: what it says, what it never says (a
confidential or anonymous complainant's identity), who may open it and when it exists."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, timezone

from complaints.identity import READ_REASON, identity_reveal
from complaints.models import Agency, IdentityReveal, State
from tests.complaints.lifecycle import REQUIREMENTS_MET, complaint_in, step
from tests.complaints.officer_cases import as_user, referred_to_kanwil, referred_to_ombudsman
from tests.factories import UserFactory, unit
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

CONFIDENTIAL_ASN = {
    "confidentiality": "rahasia",
    "reporter_type": "asn",
    "identity__name": "Rahmawati Kusumaningrum",
    "identity__nik": "3171234567890123",
    "identity__phone": "+6281377778888",
    "identity__email": "rahma.k@example.id",
    "identity__address": "Jl. Cempaka Putih Raya 12",
    "identity__nip": "198703152010012003",
    # What the complainant typed, identity included, as people do.
    "description": (
        "Saya Rahmawati Kusumaningrum (NIP 19870315 201001 2 003, NIK 3171 2345 6789 0123), "
        "pegawai Kementerian Sosial. Hubungi saya di 0813-7777-8888 atau rahma.k@example.id. "
        "Klaim BPJS ibu saya ditunda enam bulan; Bu Rahmawati dari loket menolak memberi alasan."
    ),
}


def url(complaint) -> str:
    return f"/petugas/kasus/{complaint.pk}/surat-rujukan/"


def letter(user, complaint, *, language: str | None = None) -> str:
    client = as_user(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url(complaint))
    assert response.status_code == 200
    return response.content.decode()


def day(moment) -> str:
    """A date as the letter writes it (j F Y) in the active language."""
    return formats.date_format(timezone.localtime(moment), "j F Y")


def test_a_confidential_asn_complainants_identity_never_appears_in_the_letter(
    administrator, ombudsman_officer
):
    complaint = referred_to_ombudsman(
        administrator, **CONFIDENTIAL_ASN, identity__own_agency=Agency.objects.get(name="Kementerian Sosial")
    )
    # Even right after this officer revealed it on the case page: a letter is made to leave.
    identity_reveal(user=ombudsman_officer, complaint=complaint, reason="Perlu menghubungi pelapor")
    logged = IdentityReveal.objects.count()
    html = letter(ombudsman_officer, complaint)
    flat = html.lower()
    for secret in [
        "Rahmawati",
        "Kusumaningrum",
        "3171234567890123",
        "3171 2345 6789 0123",
        "+6281377778888",
        "081377778888",
        "0813-7777-8888",
        "rahma.k@example.id",
        "Cempaka Putih",
        "198703152010012003",
        "19870315 201001 2 003",
        "Kementerian Sosial",
        "ASN (aparatur sipil negara)",
    ]:
        assert secret.lower() not in flat, secret
    assert "Identitas pelapor dirahasiakan (UU 37/2008 ps. 24 ayat 2)" in html
    # The rest of the chronology still reaches the destination, with the identity masked.
    assert "Klaim BPJS ibu saya ditunda enam bulan" in html and "[dirahasiakan]" in html
    assert "BPJS Kesehatan" in html  # the reported agency is named
    # Opening it is no identity reveal: nothing is logged.
    assert IdentityReveal.objects.count() == logged


def test_an_anonymous_report_says_it_is_anonymous_and_the_identity_requirement_does_not_apply(
    administrator, kanwil_officer
):
    complaint = referred_to_kanwil(administrator, confidentiality="anonim", identity=None)
    html = letter(kanwil_officer, complaint)
    assert "Pengaduan ini disampaikan secara anonim" in html
    assert "tidak berlaku (pengaduan anonim)" in html
    assert not IdentityReveal.objects.exists()


def test_an_open_complainants_name_is_in_the_letter_and_the_read_is_logged_like_the_case_page(
    administrator, ombudsman_officer
):
    complaint = referred_to_ombudsman(
        administrator, identity__name="Bambang Sutrisno", identity__phone="+6281299990000"
    )
    html = letter(ombudsman_officer, complaint)
    assert "Bambang Sutrisno" in html and "+6281299990000" in html
    assert "dirahasiakan" not in html
    # Only what the destination needs to reach the complainant: no NIK or home address.
    assert "3171234567890123" not in html and "Jl. Merdeka" not in html
    reads = IdentityReveal.objects.filter(complaint=complaint, officer=ombudsman_officer)
    assert list(reads.values_list("reason", flat=True)) == [READ_REASON]
    letter(ombudsman_officer, complaint)  # a reprint within 30 minutes is the same read
    assert reads.count() == 1


def test_the_letter_names_the_destination_unit_and_the_acceptance_deadline(
    administrator, intake_officer, ombudsman_officer
):
    intake_officer.first_name, intake_officer.last_name = "Intan", "Permatasari"
    intake_officer.save()
    complaint = complaint_in(State.MATERIAL_VERIFICATION, admin=administrator)
    step(complaint, "refer", Actor.officer(intake_officer))
    complaint.refresh_from_db()
    html = letter(ombudsman_officer, complaint)
    addressee = html.split('class="to"')[1].split("</address>")[0]
    assert f"Kepala {unit('ombudsman', '31').name}" in addressee
    deadline = html.split("Batas waktu penerimaan rujukan")[1]
    assert f"paling lambat <strong>{day(complaint.due_at)}</strong>" in deadline
    assert "5 hari kerja" in deadline
    # From the desk that referred it, signed by the officer who did.
    assert unit("intake", "31").name in html.split("</header>")[0]
    assert "Intan Permatasari" in html.split('class="signature"')[1]
    assert re.search(r"\d+/SR/PENERIMAAN-31/[IVX]+/\d{4}", html)
    code = f"{complaint.tracking_code[:4]}-{complaint.tracking_code[4:]}"
    assert code in html
    assert "Penundaan berlarut" in html and "BPJS Kesehatan" in html
    assert complaint.regency.name in html and complaint.province.name in html
    assert complaint.description in html
    verification = html.split("Hasil verifikasi formal")[1].split("Batas waktu")[0]
    assert verification.count("terpenuhi") == 4 and "tidak terpenuhi" not in verification


def test_an_accepted_referral_keeps_its_deadline_and_says_when_it_was_accepted(
    administrator, ombudsman_officer
):
    complaint = referred_to_ombudsman(administrator)
    accept_by = complaint.due_at
    step(complaint, "accept_referral", Actor.officer(ombudsman_officer))
    html = letter(ombudsman_officer, complaint)
    assert f"paling lambat <strong>{day(accept_by)}</strong>" in html
    assert f"telah diterima unit tujuan pada {day(timezone.now())}" in html


def test_the_letter_follows_the_officers_language(administrator, ombudsman_officer):
    complaint = referred_to_ombudsman(administrator, **CONFIDENTIAL_ASN)
    html = letter(ombudsman_officer, complaint, language="en")
    assert '<html lang="en">' in html
    assert "Referral letter" in html and "Summary of the complaint" in html
    assert "Rahmawati" not in html and "[withheld]" in html
    assert "Identitas pelapor dirahasiakan" not in html


def test_another_units_officer_gets_not_found(administrator, outsider, kanwil_officer):
    complaint = referred_to_ombudsman(administrator)
    assert as_user(outsider).get(url(complaint)).status_code == 404
    assert as_user(kanwil_officer).get(url(complaint)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in_and_an_account_without_a_role_is_refused(administrator):
    complaint = referred_to_ombudsman(administrator)
    response = Client().get(url(complaint))
    assert response.status_code == 302 and response["Location"].startswith("/petugas/masuk/")
    assert as_user(UserFactory(username="warga", role="")).get(url(complaint)).status_code == 403


def test_a_case_not_yet_referred_gets_the_explanation_not_a_letter(administrator, intake_officer):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    response = as_user(intake_officer).get(url(complaint), follow=True)
    assert response.redirect_chain == [(f"/petugas/kasus/{complaint.pk}/", 302)]
    html = response.content.decode()
    assert "Kasus ini belum dirujuk" in html
    assert "Pelimpahan pengaduan" not in html


def test_the_explanation_is_in_the_officers_language(administrator, intake_officer):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    client = as_user(intake_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url(complaint), follow=True).content.decode()
    assert "This case has not been referred yet" in html


def test_a_returned_referral_has_no_letter_until_it_is_referred_again(
    administrator, intake_officer, ombudsman_officer
):
    complaint = referred_to_ombudsman(administrator)
    step(complaint, "return_referral", Actor.officer(ombudsman_officer))
    response = as_user(intake_officer).get(url(complaint), follow=True)
    assert "Rujukan kasus ini dikembalikan ke meja penerimaan" in response.content.decode()
    step(complaint, "refer", Actor.officer(intake_officer))
    assert "Pelimpahan pengaduan" in letter(ombudsman_officer, complaint)


def test_a_case_withdrawn_after_its_referral_has_no_letter(administrator, ombudsman_officer):
    complaint = referred_to_ombudsman(administrator)
    step(complaint, "withdraw", Actor.complainant())
    # Withdrawn cases stay with the unit that had them, which sees the reason.
    response = as_user(ombudsman_officer).get(url(complaint), follow=True)
    assert "Pengaduan ini sudah dicabut" in response.content.decode()


def test_a_rejected_case_has_no_letter(administrator, intake_officer):
    complaint = complaint_in(State.REJECTED, admin=administrator)
    response = as_user(intake_officer).get(url(complaint), follow=True)
    assert "Kasus ini berstatus “Ditolak”: tidak ada rujukan yang berlaku" in response.content.decode()


def test_the_case_page_links_to_the_letter_only_where_one_exists(
    administrator, intake_officer, ombudsman_officer
):
    referred = referred_to_ombudsman(administrator)
    verifying = complaint_in(State.VERIFYING, admin=administrator)
    assert (
        f'href="{url(referred)}"'
        in as_user(ombudsman_officer).get(f"/petugas/kasus/{referred.pk}/").content.decode()
    )
    assert (
        "surat-rujukan" not in as_user(intake_officer).get(f"/petugas/kasus/{verifying.pk}/").content.decode()
    )


def test_the_letter_is_not_kept_in_the_browser_cache(administrator, ombudsman_officer):
    complaint = referred_to_ombudsman(administrator)
    response = as_user(ombudsman_officer).get(url(complaint))
    assert "no-store" in response["Cache-Control"]


def test_the_letter_takes_a_bounded_number_of_queries(
    administrator, ombudsman_officer, django_assert_max_num_queries
):
    complaint = referred_to_ombudsman(administrator)
    step(complaint, "accept_referral", Actor.officer(ombudsman_officer))
    client = as_user(ombudsman_officer)
    with django_assert_max_num_queries(12):
        assert client.get(url(complaint)).status_code == 200


def test_the_desk_that_refers_is_sent_back_to_its_queue_with_the_letter_to_print(
    administrator, intake_officer
):
    """The case leaves the desk with the referral; the letter the desk sends with it does not."""
    verifying = complaint_in(State.VERIFYING, admin=administrator, kind="maladministrasi")
    client = as_user(intake_officer)
    fields = {f"verify_formal-{key}": value for key, value in REQUIREMENTS_MET.items()}
    response = client.post(
        f"/petugas/kasus/{verifying.pk}/langkah/verify_formal/", {"expected_state": "verifying", **fields}
    )
    assert response.status_code == 302
    response = client.post(
        f"/petugas/kasus/{verifying.pk}/langkah/refer/",
        {"expected_state": "material_verification"},
        follow=True,
    )
    # Not a 404 on a case that left the desk: its page, read-only for the desk that referred it.
    assert response.redirect_chain[-1][0] in ("/petugas/", f"/petugas/kasus/{verifying.pk}/")
    page = response.content.decode()
    assert "tercatat" in page and f'href="{url(verifying)}"' in page
    printed = client.get(url(verifying))
    assert printed.status_code == 200
    verifying.refresh_from_db()
    assert verifying.unit.name in printed.content.decode()
    # Its case page is the destination's now (the desk that referred it reads it, and may do
    # nothing on it), and another province's desk sees no letter.
    read_only = client.get(f"/petugas/kasus/{verifying.pk}/").content.decode()
    assert "/langkah/" not in read_only
    other_desk = UserFactory(username="wulan", role="intake_officer", unit=unit("intake", "32"))
    assert as_user(other_desk).get(url(verifying)).status_code == 404


def test_a_desk_whose_referral_was_returned_and_sent_elsewhere_by_another_desk_gets_no_letter(
    administrator, intake_officer
):
    referred = complaint_in(State.MATERIAL_VERIFICATION, admin=administrator, kind="maladministrasi")
    step(referred, "refer", Actor.officer(intake_officer))
    step(referred, "return_referral", Actor.officer(administrator))
    step(referred, "refer", Actor.officer(administrator))
    assert as_user(intake_officer).get(url(referred)).status_code == 404
