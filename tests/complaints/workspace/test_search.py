"""The queue's search (the `q` filter): tracking code, exact name, phone number or NIK through the
keyed blind indexes, and words of the description, always within what the officer may see
(docs/domain.md#personal-data); and the desk finding, read-only, the cases it referred
(docs/domain.md#desk-intake)."""

import pytest

from complaints.identity import identity_reveal
from complaints.models import Confidentiality, IdentityReveal, Role, State
from tests.complaints.lifecycle import PATHS, step
from tests.complaints.officer_cases import as_user, with_evidence
from tests.factories import ComplaintFactory, UserFactory, unit
from workflow.engine import Actor

pytestmark = pytest.mark.django_db

SITI = {
    "identity__name": "Siti Aminah",
    "identity__phone": "+6285711112222",
    "identity__nik": "3171000011112222",
}


def found(user, q) -> list[int]:
    response = as_user(user).get("/petugas/", {"q": q})
    assert response.status_code == 200
    return [c.pk for c in response.context["page"].rows]


@pytest.fixture
def siti(db):
    """An open complaint at the Jakarta desk, filed by Siti Aminah."""
    return ComplaintFactory(**SITI)


@pytest.fixture
def others(db):
    return [ComplaintFactory(), ComplaintFactory(confidentiality=Confidentiality.ANONYMOUS, identity=None)]


@pytest.mark.parametrize(
    "written",
    [
        "Siti Aminah",
        "  siti   AMINAH ",
        "Siti-Aminah",
        "085711112222",
        "0857-1111-2222",
        "+62 857 1111 2222",
        "62 857-1111-2222",
        "3171000011112222",
        "3171 0000 1111 2222",
    ],
)
def test_a_case_is_found_by_its_complainants_exact_name_phone_or_nik(intake_officer, siti, others, written):
    assert found(intake_officer, written) == [siti.pk]


def test_only_the_exact_name_matches_not_a_part_of_it(intake_officer, siti, others):
    assert found(intake_officer, "Siti") == []
    assert found(intake_officer, "0857111122") == []


def test_code_and_description_still_match(intake_officer, siti, others):
    assert found(intake_officer, siti.tracking_code_display.lower()) == [siti.pk]
    wanted = ComplaintFactory(description="Pungutan liar untuk sertifikat tanah di kantor desa.")
    assert found(intake_officer, "sertifikat tanah") == [wanted.pk]


def test_a_search_never_reaches_past_what_the_officer_sees(intake_officer, siti):
    bandung = ComplaintFactory(province_id="32", regency_id=None, unit=unit("intake", "32"), **SITI)
    bandung_desk = UserFactory(username="bayu", role=Role.INTAKE_OFFICER, unit=unit("intake", "32"))
    for q in ("Siti Aminah", "085711112222", "3171000011112222"):
        assert found(intake_officer, q) == [siti.pk]
        assert found(bandung_desk, q) == [bandung.pk]
    # The Ombudsman office sees neither (nothing referred to it): nothing, not even a hint.
    assert (
        found(
            UserFactory(username="ika", role=Role.CASE_OFFICER, unit=unit("ombudsman", "31")), "Siti Aminah"
        )
        == []
    )


def test_a_confidential_complainant_is_found_by_identity_only_within_the_officers_own_reveal(intake_officer):
    secret = ComplaintFactory(confidentiality=Confidentiality.CONFIDENTIAL, **SITI)
    colleague = UserFactory(username="ika", role=Role.INTAKE_OFFICER, unit=unit("intake", "31"))
    assert found(intake_officer, "Siti Aminah") == []
    assert found(intake_officer, "085711112222") == []
    identity_reveal(user=colleague, complaint=secret, reason="Menghubungi pelapor")
    assert found(intake_officer, "Siti Aminah") == []  # a colleague's reveal is not this officer's
    identity_reveal(user=intake_officer, complaint=secret, reason="Pelapor menelepon meja")
    assert found(intake_officer, "Siti Aminah") == [secret.pk]
    # Its code always finds it, as it finds every case the officer sees.
    assert found(colleague, secret.tracking_code) == [secret.pk]


def test_an_administrator_who_never_sees_an_identity_cannot_search_by_one(administrator, siti):
    assert found(administrator, "Siti Aminah") == []
    assert found(administrator, siti.tracking_code) == [siti.pk]


def test_the_results_show_no_identity_and_log_no_read(intake_officer, siti):
    html = as_user(intake_officer).get("/petugas/", {"q": "085711112222"}).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert siti.tracking_code_display in rows
    assert "Siti" not in rows and "0857" not in rows and "3171000011112222" not in rows
    assert not IdentityReveal.objects.exists()


def test_the_csv_export_takes_the_same_search(intake_officer, siti, others):
    response = as_user(intake_officer).get("/petugas/ekspor.csv", {"q": "3171000011112222"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith(siti.tracking_code)


# --- the cases a desk referred ------------------------------------------------------------------
def referred_by(officer, **kwargs):
    """Referred to Ombudsman RI Perwakilan DKI Jakarta by this desk officer."""
    complaint = with_evidence(ComplaintFactory(**kwargs))
    for name in PATHS[State.REFERRED]:
        step(complaint, name, Actor.officer(officer))
    assert complaint.state == State.REFERRED
    return complaint


def test_the_desk_finds_a_case_it_referred_by_its_code_and_reads_it_only(intake_officer, ombudsman_officer):
    case = referred_by(intake_officer, **SITI)
    client = as_user(intake_officer)
    response = client.get("/petugas/", {"q": case.tracking_code_display})
    assert response.context["page"].rows == []  # not the desk's work any more
    assert [c.pk for c in response.context["referred"]] == [case.pk]
    html = response.content.decode()
    assert "Dirujuk oleh meja Anda (hanya baca)" in html and f'href="/petugas/kasus/{case.pk}/"' in html
    # Never by the complainant's name, phone or NIK, nor by words: the desk no longer handles it.
    for q in ("Siti Aminah", "085711112222", "3171000011112222", "BPJS"):
        response = client.get("/petugas/", {"q": q})
        assert response.context["referred"] == [] and response.context["page"].rows == []

    page = client.get(f"/petugas/kasus/{case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="read-only"' in html and case.description in html and "Jejak audit" in html
    assert 'id="transitions"' not in html and "officer_case_message" not in html
    assert (
        f"/petugas/kasus/{case.pk}/pesan/" not in html and f"/petugas/kasus/{case.pk}/identitas/" not in html
    )
    assert f"/petugas/kasus/{case.pk}/dokumen/" not in html and f"/petugas/kasus/{case.pk}/bukti/" not in html
    assert "Siti" not in html and "085711112222" not in html and "+6285711112222" not in html
    assert not IdentityReveal.objects.exists()  # no identity read, so none logged
    # Every way to act answers as for any other unit's case.
    evidence = case.evidence.get()
    for url in (
        f"/petugas/kasus/{case.pk}/langkah/return_referral/",
        f"/petugas/kasus/{case.pk}/pesan/",
        f"/petugas/kasus/{case.pk}/catatan/",
        f"/petugas/kasus/{case.pk}/identitas/",
        f"/petugas/kasus/{case.pk}/ambil/",
        f"/petugas/kasus/{case.pk}/dokumen/",
    ):
        assert client.post(url, {"body": "x", "reason": "x"}).status_code == 404, url
    assert client.get(f"/petugas/kasus/{case.pk}/bukti/{evidence.pk}/").status_code == 404
    # The unit that handles it sees it as usual.
    assert (
        'id="read-only"' not in as_user(ombudsman_officer).get(f"/petugas/kasus/{case.pk}/").content.decode()
    )


def test_another_desk_or_a_case_another_desk_referred_stays_hidden(intake_officer, administrator):
    ours = referred_by(intake_officer)
    theirs = referred_by(administrator)  # an administrator has no desk of its own
    bandung_desk = UserFactory(username="bayu", role=Role.INTAKE_OFFICER, unit=unit("intake", "32"))
    assert as_user(bandung_desk).get("/petugas/", {"q": ours.tracking_code}).context["referred"] == []
    assert as_user(bandung_desk).get(f"/petugas/kasus/{ours.pk}/").status_code == 404
    assert as_user(intake_officer).get("/petugas/", {"q": theirs.tracking_code}).context["referred"] == []
    assert as_user(intake_officer).get(f"/petugas/kasus/{theirs.pk}/").status_code == 404


def test_a_colleague_at_the_same_desk_finds_it_too_and_a_returned_case_is_the_desks_again(
    intake_officer, ombudsman_officer
):
    case = referred_by(intake_officer)
    colleague = UserFactory(username="ika", role=Role.SUPERVISOR, unit=unit("intake", "31"))
    assert [
        c.pk for c in as_user(colleague).get("/petugas/", {"q": case.tracking_code}).context["referred"]
    ] == [case.pk]
    step(case, "return_referral", Actor.officer(ombudsman_officer))
    response = as_user(intake_officer).get("/petugas/", {"q": case.tracking_code})
    assert [c.pk for c in response.context["page"].rows] == [case.pk] and response.context["referred"] == []
    assert 'id="read-only"' not in as_user(intake_officer).get(f"/petugas/kasus/{case.pk}/").content.decode()
