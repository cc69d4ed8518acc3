"""Urgent cases first (docs/domain.md#urgency): what Sigap suggests and why, that it never decides
alone, the officer's confirmation or change (reason, audit, masking), the shorter deadlines and the
clock recomputed when urgency changes, the live alert near the deadline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import urgency
from complaints.data.reference import DEADLINE_RULES
from complaints.intake.services import complaint_submit
from complaints.jobs import sweep
from complaints.machine import agency_rule, stage_rule
from complaints.models import Category, Complaint, State, VulnerableGroup
from complaints.realtime import events
from complaints.workspace.services import may_review_urgency, urgency_review
from tests.complaints.intake_data import valid
from tests.complaints.lifecycle import complaint_in
from tests.complaints.officer_cases import as_user
from tests.factories import ComplaintFactory, IdentityFactory
from workflow import deadlines, engine
from workflow.models import DeadlineRule, TransitionLog

pytestmark = pytest.mark.django_db

URGENT_ROWS = [row for row in DEADLINE_RULES if row[1] == urgency.URGENT_SCOPE]


@pytest.fixture
def urgent_rules(db):
    """An urgent case's shorter clocks, as complaints/data/reference.py seeds them (a data
    migration adds them to an existing database)."""
    DeadlineRule.objects.bulk_create(
        [
            DeadlineRule(
                machine="complaint", state=state, scope=scope, days=days, working_days=working, source=src
            )
            for state, scope, days, working, src in URGENT_ROWS
        ],
        ignore_conflicts=True,
    )
    return {state: (days, working) for state, _scope, days, working, _src in URGENT_ROWS}


def codes(reasons) -> list[str]:
    return [reason.code for reason in reasons]


# --- what Sigap suggests, and why ------------------------------------------------------------------
def test_the_suggested_lengths_are_seeded_for_every_stage_the_issue_names():
    assert {state: (days, working) for state, _s, days, working, _src in URGENT_ROWS} == {
        "submitted": (1, True),
        "verifying": (2, True),
        "material_verification": (2, True),
        "referred": (1, True),
        "examination": (14, False),
        "agency_clarification": (3, False),
    }
    assert all("bawaan Sigap" in src and len(src) <= 150 for *_rest, src in URGENT_ROWS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tahanan di blok C dipukuli petugas setiap malam.", ["words:violence", "words:detention"]),
        ("Ayah saya ditolak di IGD padahal sesak napas.", ["words:health"]),
        (
            "Anak saya tidak boleh sekolah karena belum bayar seragam.",
            ["words:child", "words:child_mentioned"],
        ),
        (
            "Warga binaan di sel isolasi tidak diberi makan dua hari.",
            ["words:detention", "words:deprivation"],
        ),
        ("Kami diancam akan digusur minggu depan.", ["words:threat", "words:irreversible"]),
        ("Detained without charge and beaten in custody.", ["words:violence", "words:detention"]),
    ],
)
def test_words_of_the_account_suggest_urgency_with_their_reason(text, expected):
    reasons = urgency.suggest({"description": text})
    assert codes(reasons) == expected
    # Each reason says why in both languages, with the word that matched.
    assert all(reason.label_id and reason.label_en and "“" in reason.label_id for reason in reasons)


@pytest.mark.parametrize(
    "text",
    [
        "Akta kelahiran anak saya belum terbit setelah enam bulan.",  # a child named: not urgent by itself
        "Ijazah saya ditahan sekolah karena tunggakan SPP.",  # a withheld diploma is no detention
        "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan.",
        "Anak perusahaan BUMN itu menunda pembayaran.",
    ],
)
def test_an_ordinary_complaint_is_not_suggested(text):
    assert urgency.suggest({"description": text}) == []


def test_the_category_and_the_vulnerable_groups_suggest_it_too():
    security = Category.objects.get(code="hak-rasa-aman")
    groups = list(VulnerableGroup.objects.filter(code__in=["lansia", "perempuan"]))
    reasons = urgency.suggest(
        {"category": security, "vulnerable_groups": groups, "description": "Rumah kami dilempari batu."}
    )
    assert codes(reasons) == ["category:hak-rasa-aman", "group:lansia"]
    assert reasons[0].label("id") == "Kategori: Hak atas rasa aman"
    assert reasons[0].label("en") == "Category: Right to security"
    assert reasons[1].label("en") == "Vulnerable group: Older persons"
    # A category that is not about life, safety or a child suggests nothing.
    delay = Category.objects.get(code="penundaan-berlarut")
    assert urgency.suggest({"category": delay, "description": "Izin usaha saya ditunda."}) == []


def test_it_reads_a_saved_complaint_as_well_as_the_forms_data():
    complaint = ComplaintFactory(description="Anak saya dipukul oknum petugas Satpol PP.")
    complaint.vulnerable_groups.set(VulnerableGroup.objects.filter(code="anak"))
    assert codes(urgency.suggest(complaint)) == ["group:anak", "words:violence", "words:child_mentioned"]


# --- never decides alone ---------------------------------------------------------------------------
def test_suggested_but_not_claimed_is_urgent_with_the_source_suggested(urgent_rules):
    complaint, _pin = complaint_submit(
        channel="web",
        data=valid(description="Suami saya ditahan di polsek tanpa surat dan dipukuli.", urgent="0"),
    )
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        False,
        "suggested",
    )
    assert [reason["code"] for reason in complaint.urgency_reasons] == ["words:violence", "words:detention"]
    assert complaint.urgency_reasons[0]["label_en"].startswith("The account mentions physical")
    assert complaint.urgency_reviewed_at is None and complaint.urgency_reviewed_by is None


def test_claimed_by_the_complainant_is_urgent_with_the_source_complainant(urgent_rules):
    complaint, _pin = complaint_submit(channel="web", data=valid(urgent="1"))
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        True,
        "complainant",
    )
    assert complaint.urgency_reasons == []


def test_neither_claimed_nor_suggested_is_not_urgent():
    complaint, _pin = complaint_submit(channel="web", data=valid())
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (False, None, "")


def test_a_confidential_complaint_is_suggested_from_what_was_typed_not_the_masked_copy(urgent_rules):
    complaint, _pin = complaint_submit(
        channel="web",
        data=valid(
            confidentiality="rahasia",
            description="Budi Santoso (0812-3456-7890) disiksa di rutan oleh petugas jaga.",
        ),
    )
    assert "Budi Santoso" not in complaint.description
    assert codes(urgency.reasons_from_json(complaint.urgency_reasons)) == [
        "words:violence",
        "words:detention",
    ]
    # The reasons hold our words, never what identifies the complainant.
    assert "Budi" not in str(complaint.urgency_reasons) and "0812" not in str(complaint.urgency_reasons)


@pytest.mark.parametrize(
    ("sent", "claimed"), [(True, True), (False, False), (None, None), ("ya", True), ("false", False)]
)
def test_the_api_takes_the_question_as_a_boolean_or_a_word(sent, claimed):
    body = {**valid(), "complained_to_agency_first": True, "consent_pdp": True, "urgent": sent}
    response = APIClient().post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().urgency_claimed is claimed


def test_the_api_refuses_an_answer_it_cannot_read():
    body = {**valid(), "complained_to_agency_first": True, "consent_pdp": True, "urgent": "barangkali"}
    response = APIClient().post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"urgent"}


def test_the_published_schema_says_what_counts_as_urgent():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    field = schema["components"]["schemas"]["IntakeRequest"]["properties"]["urgent"]
    assert field["type"] == "boolean" and field.get("nullable") is True
    assert "nyawa" in field["description"] and "urgent" not in schema["components"]["schemas"][
        "IntakeRequest"
    ].get("required", [])


def test_the_web_form_asks_in_plain_words_and_files_the_answer(client):
    page = client.get("/lapor/").content.decode()
    assert "Apakah keadaannya mendesak?" in page and 'name="urgent" value="1"' in page
    assert "nyawa, keselamatan, kebebasan atau kesehatan" in page
    english = client.get("/lapor/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Is it urgent?" in english
    response = client.post("/lapor/", valid(urgent="1"))
    assert response.status_code == 302
    assert Complaint.objects.get().urgency_source == "complainant"


def test_the_desk_asks_it_too_and_files_the_answer(intake_officer, urgent_rules):
    client = as_user(intake_officer)
    page = client.get("/petugas/lapor/").content.decode()
    assert "Apakah keadaannya mendesak?" in page and 'name="urgent" value="1"' in page
    data = valid(channel="phone", consent_method="lisan, dicatat petugas", language="id", urgent="1")
    response = client.post("/petugas/lapor/", data)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.urgent, complaint.urgency_claimed, complaint.urgency_source) == (
        True,
        True,
        "complainant",
    )
    assert complaint.received_by == intake_officer


# --- the officer confirms or changes it ---------------------------------------------------------------
def test_an_officer_confirms_without_a_reason_and_it_is_audited(intake_officer):
    case = ComplaintFactory(urgent=True, urgency_source="suggested", urgency_claimed=False)
    urgency_review(intake_officer, case, True, "")
    case.refresh_from_db()
    assert (case.urgent, case.urgency_source, case.urgency_reviewed_by) == (True, "officer", intake_officer)
    assert case.urgency_reviewed_at is not None
    log = TransitionLog.objects.get(transition="urgency_reviewed")
    assert log.fields == {"urgent": True, "previous": True, "source": "suggested"}
    assert (log.actor_id, log.via, log.source, log.target) == (intake_officer.pk, "web", "", "")


def test_a_change_needs_a_reason(intake_officer):
    case = ComplaintFactory(urgent=True, urgency_source="suggested")
    with pytest.raises(ValidationError, match="alasan"):
        urgency_review(intake_officer, case, False, "  ")
    case.refresh_from_db()
    assert case.urgent is True and not TransitionLog.objects.filter(transition="urgency_reviewed").exists()
    urgency_review(intake_officer, case, False, "Akta kelahiran terlambat: tidak ada bahaya bagi anak.")
    case.refresh_from_db()
    assert (case.urgent, case.urgency_source) == (False, "officer")
    assert case.urgency_note == "Akta kelahiran terlambat: tidak ada bahaya bagi anak."
    log = TransitionLog.objects.get(transition="urgency_reviewed")
    assert log.fields == {"urgent": False, "previous": True, "source": "suggested"}
    assert log.note == case.urgency_note


def test_the_reason_is_masked_for_a_confidential_complaint(intake_officer):
    case = ComplaintFactory(confidentiality="rahasia", identity=None)
    IdentityFactory(complaint=case, name="Ratna Kusumawati", nik="3171045506880002")
    urgency_review(intake_officer, case, True, "Ratna Kusumawati (NIK 3171045506880002) ditahan tanpa surat.")
    case.refresh_from_db()
    note = TransitionLog.objects.get(transition="urgency_reviewed").note
    for stored in (case.urgency_note, note):
        assert "Ratna" not in stored and "3171045506880002" not in stored
        assert "[dirahasiakan]" in stored and "ditahan tanpa surat" in stored


def test_an_open_complaints_reason_is_kept_as_written(intake_officer):
    case = ComplaintFactory()
    urgency_review(intake_officer, case, True, "Pelapor menelepon: ibunya kritis di RSUD.")
    assert Complaint.objects.get(pk=case.pk).urgency_note == "Pelapor menelepon: ibunya kritis di RSUD."


def test_who_may_review(intake_officer, ombudsman_officer, supervisor, outsider, administrator):
    at_desk = ComplaintFactory()
    assert may_review_urgency(intake_officer, at_desk)
    assert not may_review_urgency(ombudsman_officer, at_desk)
    with pytest.raises(PermissionDenied):
        urgency_review(outsider, at_desk, True, "Saya kira mendesak.")
    referred = complaint_in(State.EXAMINATION, admin=administrator)
    assert may_review_urgency(ombudsman_officer, referred) and may_review_urgency(supervisor, referred)
    assert not may_review_urgency(intake_officer, referred)  # the desk no longer handles it
    closed = complaint_in(State.CLOSED, admin=administrator)
    assert not may_review_urgency(supervisor, closed)


def test_the_case_page_shows_urgency_and_the_officer_changes_it_there(intake_officer):
    case, _pin = complaint_submit(
        channel="web", data=valid(description="Adik saya disiksa di sel polsek dan tidak diberi makan.")
    )
    page = as_user(intake_officer).get(f"/petugas/kasus/{case.pk}/").content.decode()
    panel = page.split('id="mendesak"')[1].split("</section>")[0]
    assert "Mendesak" in panel and "disarankan Sigap" in panel and "tidak menjawab" in panel
    assert "Kronologi menyebut kekerasan fisik atau seksual: “disiksa”" in panel
    assert f'action="/petugas/kasus/{case.pk}/mendesak/"' in panel

    client = as_user(intake_officer)
    refused = client.post(f"/petugas/kasus/{case.pk}/mendesak/", {"urgent": "0", "note": ""}, follow=True)
    assert "Tuliskan alasan" in refused.content.decode()
    assert Complaint.objects.get(pk=case.pk).urgent is True
    client.post(f"/petugas/kasus/{case.pk}/mendesak/", {"urgent": "0", "note": "Sudah dibebaskan kemarin."})
    case.refresh_from_db()
    assert (case.urgent, case.urgency_source) == (False, "officer")
    page = client.get(f"/petugas/kasus/{case.pk}/").content.decode()
    assert "Sudah dibebaskan kemarin." in page
    trail = page.split("Jejak audit")[1]
    assert (
        "Kemendesakan ditinjau" in trail and "tidak mendesak (sebelumnya mendesak, disarankan Sigap)" in trail
    )


def test_an_officer_of_another_unit_cannot_post_a_review(outsider):
    case = ComplaintFactory()
    response = as_user(outsider).post(f"/petugas/kasus/{case.pk}/mendesak/", {"urgent": "1", "note": "x"})
    assert response.status_code == 404


# --- shorter deadlines, and the clock when urgency changes -------------------------------------------
def test_an_urgent_case_runs_on_the_urgent_rule_then_its_kinds_then_every_kinds(urgent_rules):
    urgent_ham = ComplaintFactory.build(kind="ham", urgent=True)
    ordinary_ham = ComplaintFactory.build(kind="ham", urgent=False)
    assert stage_rule(urgent_ham, State.VERIFYING).scope == "urgent"
    assert stage_rule(ordinary_ham, State.VERIFYING).scope == "ham"
    # Investigation runs on the examination's clock: the urgent one for an urgent case.
    assert (
        stage_rule(urgent_ham, State.INVESTIGATION).scope,
        stage_rule(urgent_ham, State.INVESTIGATION).days,
    ) == (
        "urgent",
        14,
    )
    # No urgent rule for mediation or the complainant's clock: the kind's, then every kind's.
    assert stage_rule(urgent_ham, State.MEDIATION).scope == "ham"
    assert stage_rule(urgent_ham, State.AWAITING_INFO).scope == "ham"
    assert stage_rule(urgent_ham, State.RESOLVED).scope == ""
    # The reported agency's default: 3 days to answer a clarification on an urgent case.
    assert agency_rule(urgent_ham, "clarification").days == 3
    assert agency_rule(ordinary_ham, "clarification").days == 14


def test_an_urgent_complaint_gets_the_shorter_first_deadline(urgent_rules):
    before = timezone.now()
    urgent_case, _pin = complaint_submit(channel="web", data=valid(urgent="1"))
    ordinary, _pin = complaint_submit(channel="web", data=valid())
    assert urgent_case.due_at == deadlines.add_working_days(before, 1)
    assert ordinary.due_at == deadlines.add_working_days(before, 3)
    # The case page names the rule it runs on.
    assert stage_rule(urgent_case, urgent_case.state).source.startswith("Kasus mendesak")


def test_the_steps_of_an_urgent_case_start_their_clocks_on_the_urgent_rules(urgent_rules, administrator):
    case = complaint_in(State.EXAMINATION, admin=administrator, urgent=True)
    assert case.due_at == deadlines.add_calendar_days(case.state_changed_at, 14)


def test_a_change_of_urgency_recomputes_the_stages_clock_from_its_start(urgent_rules, intake_officer):
    case = ComplaintFactory()
    engine.perform(case, "start_verification", actor=engine.Actor.officer(intake_officer), via="web")
    started = timezone.now() - datetime.timedelta(days=1)
    Complaint.objects.filter(pk=case.pk).update(
        state_changed_at=started, due_at=deadlines.add_working_days(started, 5), overdue_flagged_at=None
    )
    case.refresh_from_db()

    urgency_review(intake_officer, case, True, "Pelapor ditahan sejak kemarin.")
    case.refresh_from_db()
    assert case.due_at == deadlines.add_working_days(started, 2)
    assert case.state_changed_at == started  # the stage did not restart: only its length changed

    urgency_review(intake_officer, case, False, "Sudah dibebaskan.")
    case.refresh_from_db()
    assert case.due_at == deadlines.add_working_days(started, 5)


def test_a_confirmation_leaves_the_clock_alone(urgent_rules, intake_officer):
    case = ComplaintFactory(urgent=True, urgency_source="complainant")
    due = timezone.now() + datetime.timedelta(days=9)
    Complaint.objects.filter(pk=case.pk).update(due_at=due)
    case.refresh_from_db()
    urgency_review(intake_officer, case, True, "")
    assert Complaint.objects.get(pk=case.pk).due_at == due


def test_a_case_late_under_the_old_rule_but_not_the_new_one_loses_its_overdue_flag(
    urgent_rules, intake_officer
):
    case = ComplaintFactory(urgent=True, urgency_source="suggested")
    started = timezone.now() - datetime.timedelta(days=2)
    Complaint.objects.filter(pk=case.pk).update(
        state_changed_at=started,
        due_at=timezone.now() - datetime.timedelta(hours=1),
        overdue_flagged_at=started,
    )
    case.refresh_from_db()
    urgency_review(intake_officer, case, False, "Tidak ada bahaya: hanya dokumen terlambat.")
    case.refresh_from_db()
    assert case.due_at == deadlines.add_working_days(started, 3)
    assert (case.overdue_flagged_at is None) == (case.due_at >= timezone.now())


def test_the_agencys_and_the_complainants_clocks_are_left_alone(
    urgent_rules, administrator, ombudsman_officer
):
    waiting = complaint_in(State.CLARIFICATION, admin=administrator)
    due = waiting.due_at
    urgency_review(ombudsman_officer, waiting, True, "Pelapor terancam digusur.")
    assert Complaint.objects.get(pk=waiting.pk).due_at == due


# --- realtime: the flag travels with every event; the sweep announces urgent cases near their deadline ---
def test_every_event_says_whether_the_case_is_urgent():
    assert (
        events.complaint_event_payload(ComplaintFactory.build(urgent=True), event="submit")["urgent"] is True
    )
    assert events.complaint_event_payload(ComplaintFactory.build(), event="submit")["urgent"] is False


@pytest.fixture
def announced(monkeypatch):
    seen: list[tuple[str, list[int]]] = []

    def record(complaints, *, event, **kwargs):
        seen.append((event, sorted(c.pk for c in complaints)))

    monkeypatch.setattr(events, "broadcast_complaint_events_on_commit", record)
    return seen


def test_the_sweep_announces_urgent_cases_entering_their_last_hours(announced):
    now = timezone.now()
    lead, window = sweep.URGENT_DUE_SOON_LEAD, sweep.URGENT_DUE_SOON_WINDOW
    entering = ComplaintFactory(urgent=True, due_at=now + lead - window / 2)
    at_the_edge = ComplaintFactory(urgent=True, due_at=now + lead)
    announced_before = ComplaintFactory(
        urgent=True, due_at=now + lead - window - datetime.timedelta(minutes=1)
    )
    later = ComplaintFactory(urgent=True, due_at=now + lead + datetime.timedelta(minutes=1))
    ordinary = ComplaintFactory(urgent=False, due_at=now + lead - window / 2)
    waiting = ComplaintFactory(urgent=True, state=State.AWAITING_INFO, due_at=now + lead - window / 2)

    assert sweep.urgent_due_soon(now=now) == 2
    assert announced == [("urgent_due_soon", sorted([entering.pk, at_the_edge.pk]))]
    ids = {announced_before.pk, later.pk, ordinary.pk, waiting.pk}
    assert not ids & set(announced[0][1])
    # Five minutes on (the next run), a case is announced once more at most; ten on, never.
    announced.clear()
    sweep.urgent_due_soon(now=now + datetime.timedelta(minutes=10, seconds=1))
    assert announced == [] or not {entering.pk, at_the_edge.pk} & set(announced[0][1])


def test_the_whole_sweep_counts_them(announced):
    ComplaintFactory(
        urgent=True, due_at=timezone.now() + sweep.URGENT_DUE_SOON_LEAD - datetime.timedelta(minutes=1)
    )
    assert sweep.complaints_sweep().urgent_due_soon == 1
    assert ("urgent_due_soon", [Complaint.objects.get().pk]) in announced
