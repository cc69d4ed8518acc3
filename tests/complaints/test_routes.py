"""The institutions' real process, route by route (docs/domain.md#states-and-transitions):
the Ombudsman's (clarification, investigation, mediation, LAHP, corrective action,
recommendation) and the Kanwil Kementerian HAM's (analysis, clarification, facilitation,
recommendation, monitoring), each end to end with what the complainant hears, the refusals
between routes, the reported agency's own deadlines, and deadlines across a pause."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from complaints.jobs.sweep import complaints_sweep
from complaints.models import Complaint, DocumentKind, FollowUp, Outcome, State
from notifications.models import Message
from tests.complaints.lifecycle import attach_document, complaint_in, step
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def texts(complaint) -> list[str]:
    return list(
        Message.objects.filter(reference=f"complaint:{complaint.pk}")
        .order_by("id")
        .values_list("template_key", flat=True)
    )


def trail(complaint) -> list[tuple[str, str, str]]:
    return list(engine.history(complaint).values_list("transition", "source", "target"))


def later(complaint, **delta):
    """The clock as it will be: the case's agency deadline (or stage deadline) has passed."""
    return timezone.now() + datetime.timedelta(**delta)


# --- the Ombudsman ----------------------------------------------------------------------------------
def test_the_ombudsman_route_with_a_corrective_action_carried_out(administrator, ombudsman_officer):
    case = complaint_in(State.EXAMINATION, admin=administrator)
    officer = Actor.officer(ombudsman_officer)
    Message.objects.all().delete()

    # A clarification needs its letter among the case's documents first.
    with pytest.raises(engine.TransitionInvalid) as refused:
        engine.perform(case, "request_clarification", actor=officer, via="web", agency_days="14")
    assert "Surat permintaan klarifikasi" in str(refused.value.errors)
    attach_document(case, DocumentKind.CLARIFICATION_LETTER, by=ombudsman_officer)
    step(case, "request_clarification", officer, agency_days="10")
    case.refresh_from_db()
    assert case.state == State.CLARIFICATION
    # The agency's clock: 10 calendar days (the route's rule), the case's due date is the agency's.
    assert timezone.localtime(case.agency_due_at).date() == timezone.localdate() + datetime.timedelta(days=10)
    assert case.due_at == case.agency_due_at and case.resume_state == State.EXAMINATION

    step(case, "record_clarification", officer)  # answered, with the agency's answer attached
    case.refresh_from_db()
    assert (case.state, case.clarification_on_time, case.agency_due_at) == (State.EXAMINATION, True, None)

    step(case, "start_investigation", officer)
    step(case, "issue_lahp", officer)  # maladministration found: corrective action in 30 days
    case.refresh_from_db()
    assert (case.state, case.finding) == (State.CORRECTIVE_ACTION, "found")
    assert timezone.localtime(case.agency_due_at).date() == timezone.localdate() + datetime.timedelta(days=30)
    assert "Terbitkan KTP" in case.corrective_action

    step(case, "corrective_action_done", officer)
    case.refresh_from_db()
    assert (case.state, case.outcome, case.corrective_action_result) == (
        State.RESOLVED,
        Outcome.CORRECTED,
        FollowUp.ON_TIME,
    )
    assert trail(case)[-5:] == [
        ("request_clarification", "examination", "clarification"),
        ("record_clarification", "clarification", "examination"),
        ("start_investigation", "examination", "investigation"),
        ("issue_lahp", "investigation", "corrective_action"),
        ("corrective_action_done", "corrective_action", "resolved"),
    ]
    # The complainant heard of each stage they should know of, and of the outcome with its window.
    assert texts(case) == ["request_clarification", "corrective_action", "resolve"]


def test_an_ignored_corrective_action_leads_to_a_recommendation_carried_out_late(
    administrator, ombudsman_officer
):
    case = complaint_in(State.CORRECTIVE_ACTION, admin=administrator)
    officer = Actor.officer(ombudsman_officer)
    Message.objects.all().delete()
    step(case, "issue_recommendation", officer, agency_days="60")
    case.refresh_from_db()
    assert (case.state, case.corrective_action_result) == (State.RECOMMENDATION, FollowUp.IGNORED)
    # 60 days for the agency's superior to report (UU 37/2008 ps. 38 ayat 2).
    assert timezone.localtime(case.agency_due_at).date() == timezone.localdate() + datetime.timedelta(days=60)
    with mock.patch("django.utils.timezone.now", return_value=later(case, days=61)):
        step(case, "recommendation_done", officer)
    case.refresh_from_db()
    assert (case.state, case.outcome, case.recommendation_result) == (
        State.RESOLVED,
        Outcome.RECOMMENDATION_CARRIED_OUT,
        FollowUp.LATE,
    )
    assert texts(case) == ["recommendation", "resolve"]


def test_a_lahp_that_finds_no_maladministration_resolves_the_case(administrator, ombudsman_officer):
    case = complaint_in(State.INVESTIGATION, admin=administrator)
    step(case, "issue_lahp", Actor.officer(ombudsman_officer), finding="not_found", corrective_action="")
    case.refresh_from_db()
    assert (case.state, case.outcome, case.agency_due_at) == (
        State.RESOLVED,
        Outcome.MALADMIN_NOT_PROVEN,
        None,
    )


def test_a_lahp_needs_its_report_and_a_corrective_action_when_maladministration_is_found(
    administrator, ombudsman_officer
):
    case = complaint_in(State.EXAMINATION, admin=administrator)
    officer = Actor.officer(ombudsman_officer)
    fields = {
        "finding": "found",
        "corrective_action": "",
        "agency_days": "30",
        "public_summary": "Ditemukan.",
    }
    with pytest.raises(engine.TransitionInvalid) as refused:
        engine.perform(case, "issue_lahp", actor=officer, via="web", **fields)
    assert list(refused.value.errors) == ["corrective_action"]
    fields["corrective_action"] = "Perbaiki antrean."
    with pytest.raises(engine.TransitionInvalid) as refused:
        engine.perform(case, "issue_lahp", actor=officer, via="web", **fields)
    assert "LAHP" in str(refused.value.errors)
    assert Complaint.objects.get(pk=case.pk).state == State.EXAMINATION


def test_mediation_agreed_resolves_and_mediation_failed_returns_to_the_examination_clock(
    administrator, ombudsman_officer
):
    officer = Actor.officer(ombudsman_officer)
    agreed = complaint_in(State.MEDIATION, admin=administrator)
    step(agreed, "end_mediation", officer)
    agreed.refresh_from_db()
    assert (agreed.state, agreed.outcome, agreed.mediation_agreed) == (
        State.RESOLVED,
        Outcome.MEDIATION,
        True,
    )

    failed = complaint_in(State.EXAMINATION, admin=administrator)
    examination_due = failed.due_at
    step(failed, "start_mediation", officer)
    failed.refresh_from_db()
    assert failed.state == State.MEDIATION and failed.due_at != examination_due
    step(failed, "end_mediation", officer, agreed="0", public_summary="")
    failed.refresh_from_db()
    # Back to the examination, its clock put back where it was (same day: the same deadline).
    assert (failed.state, failed.mediation_agreed, failed.due_at) == (
        State.EXAMINATION,
        False,
        examination_due,
    )
    # Mediation needs both sides' agreement.
    with pytest.raises(engine.TransitionInvalid):
        engine.perform(failed, "start_mediation", actor=officer, via="web")


# --- the Kanwil Kementerian HAM -------------------------------------------------------------------
def test_the_kanwil_route_analysis_clarification_facilitation_recommendation_ignored(
    administrator, kanwil_officer
):
    case = complaint_in(State.EXAMINATION, admin=administrator, kind="ham", category=None)
    officer = Actor.officer(kanwil_officer)
    Message.objects.all().delete()
    step(case, "request_clarification", officer)
    # The agency did not answer by its deadline: recorded as such.
    with mock.patch("django.utils.timezone.now", return_value=later(case, days=20)):
        step(case, "record_clarification", officer, answered="0")
    case.refresh_from_db()
    assert (case.state, case.clarification_on_time) == (State.EXAMINATION, False)
    step(case, "start_mediation", officer)
    step(case, "end_mediation", officer, agreed="0", public_summary="")
    step(case, "issue_recommendation", officer, agency_days="30")
    case.refresh_from_db()
    assert case.state == State.RECOMMENDATION and case.corrective_action_result == ""
    step(case, "recommendation_done", officer, carried_out="0")
    case.refresh_from_db()
    assert (case.state, case.outcome, case.recommendation_result) == (
        State.RESOLVED,
        Outcome.RECOMMENDATION_IGNORED,
        FollowUp.IGNORED,
    )
    assert texts(case) == ["request_clarification", "start_mediation", "recommendation", "resolve"]


def test_each_route_offers_only_its_own_stages_and_outcomes(administrator, ombudsman_officer, kanwil_officer):
    ham = complaint_in(State.EXAMINATION, admin=administrator, kind="ham", category=None)
    kanwil = Actor.officer(kanwil_officer)
    names = {spec.name for spec in engine.available_transitions(ham, kanwil)}
    assert {"issue_recommendation", "request_clarification", "start_mediation", "resolve"} <= names
    assert not names & {"issue_lahp", "start_investigation", "corrective_action_done"}
    for name in ("issue_lahp", "start_investigation"):
        with pytest.raises(engine.TransitionForbidden):
            step(ham, name, kanwil)
    outcomes = dict(engine.machine_for(ham).spec("resolve").form_fields(ham)["outcome"].choices)
    assert Outcome.HAM_NOT_INDICATED in outcomes and Outcome.MALADMIN_PROVEN not in outcomes

    maladmin = complaint_in(State.EXAMINATION, admin=administrator)
    ombudsman = Actor.officer(ombudsman_officer)
    # The Ombudsman recommends only after an ignored corrective action (UU 37/2008 ps. 36-38).
    with pytest.raises(engine.TransitionForbidden):
        step(maladmin, "issue_recommendation", ombudsman)
    outcomes = dict(engine.machine_for(maladmin).spec("resolve").form_fields(maladmin)["outcome"].choices)
    assert Outcome.HAM_INDICATED not in outcomes and Outcome.HAM_NOT_INDICATED not in outcomes
    with pytest.raises(engine.TransitionInvalid) as refused:
        step(maladmin, "resolve", ombudsman, outcome=Outcome.HAM_INDICATED)
    assert "outcome" in refused.value.errors


# --- the agency's own deadlines -------------------------------------------------------------------
def test_the_sweep_flags_an_agency_that_misses_its_deadline_once_and_the_case_waits(
    administrator, ombudsman_officer, client
):
    case = complaint_in(State.CLARIFICATION, admin=administrator)
    with mock.patch("django.utils.timezone.now", return_value=later(case, days=15)):
        first = complaints_sweep()
        again = complaints_sweep()
    assert (first.agencies_late, again.agencies_late, first.flagged) == (1, 0, 0)
    case.refresh_from_db()
    assert case.state == State.CLARIFICATION and case.agency_overdue_flagged_at is not None
    # The officer records what the agency did: answered late.
    with mock.patch("django.utils.timezone.now", return_value=later(case, days=16)):
        step(case, "record_clarification", Actor.officer(ombudsman_officer))
    case.refresh_from_db()
    assert (case.clarification_on_time, case.agency_overdue_flagged_at) == (False, None)


def test_the_case_page_and_the_queue_show_the_agencys_deadline(administrator, ombudsman_officer, client):
    case = complaint_in(State.CORRECTIVE_ACTION, admin=administrator)
    client.force_login(ombudsman_officer)
    page = client.get(f"/petugas/kasus/{case.pk}/").content.decode()
    assert "Tenggat instansi terlapor:" in page
    assert "tindakan korektif dilaksanakan (30 hari)" in page  # the rule's source
    queue = client.get("/petugas/").content.decode()
    row = queue.split(f'data-complaint-id="{case.pk}"')[1].split("</tr>")[0]
    assert "instansi" in row


# --- deadlines across a pause, on both calendars --------------------------------------------------
@pytest.mark.parametrize(
    ("state", "pause_step", "resume_step", "fields"),
    [
        (State.VERIFYING, "request_info", "provide_info", {}),  # working days
        (State.EXAMINATION, "request_info", "provide_info", {}),  # calendar days
        (State.EXAMINATION, "start_mediation", "end_mediation", {"agreed": "0", "public_summary": ""}),
    ],
)
def test_a_deadline_stays_at_the_end_of_its_day_after_a_same_day_pause(
    administrator, state, pause_step, resume_step, fields
):
    case = complaint_in(state, admin=administrator)
    before = case.due_at
    assert timezone.localtime(before).time() == datetime.time(23, 59, 59)
    officer = Actor.officer(administrator)
    step(case, pause_step, officer)
    resume_as = Actor.complainant() if resume_step == "provide_info" else officer
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(seconds=16)
    ):
        step(case, resume_step, resume_as, **fields)
    case.refresh_from_db()
    assert case.state == state and case.due_at == before


def test_a_calendar_pause_of_some_days_moves_the_deadline_by_whole_days(administrator):
    case = complaint_in(State.EXAMINATION, admin=administrator)
    before = timezone.localtime(case.due_at)
    step(case, "request_info", Actor.officer(administrator))
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(days=3, hours=5)
    ):
        step(case, "provide_info", Actor.complainant())
    after = timezone.localtime(Complaint.objects.get(pk=case.pk).due_at)
    assert after.time() == datetime.time(23, 59, 59)
    assert (after.date() - before.date()).days in (3, 4)  # the days spent waiting, never a part of one


# --- a merged case's complainant --------------------------------------------------------------------
def test_a_merged_complainant_follows_the_case_theirs_joined_without_its_complainants_data(
    administrator, intake_officer, client
):
    from complaints.intake.services import complaint_submit
    from tests.complaints.intake_data import valid

    original, _pin = complaint_submit(
        channel="web", data=valid(name="Rahasia Orang Lain", nik="3171999988887777")
    )
    step(original, "start_verification", Actor.officer(intake_officer))
    copy, pin = complaint_submit(channel="web", data=valid(name="Budi Kedua"))
    step(copy, "mark_duplicate", Actor.officer(intake_officer), duplicate_of=original.tracking_code)
    response = client.post("/lacak/", {"code": copy.tracking_code, "pin": pin}, follow=True)
    page = response.content.decode()
    merged = page.split('id="merged"')[1].split("</section>")[0]
    assert "Verifikasi formal" in merged  # the state of the case it joined
    assert "Pengaduan Anda mulai diverifikasi." in merged  # its plain timeline
    for private in ("Rahasia Orang Lain", "3171999988887777", original.description[:30]):
        assert private not in page
    api = client.post(
        "/api/v1/track/", {"tracking_code": copy.tracking_code, "pin": pin}, content_type="application/json"
    )
    assert api.json()["merged_into"]["status"] == "verifying"
    assert "Rahasia" not in api.content.decode()


def test_existing_audit_rows_stay_readable_by_the_new_machine(administrator):
    """Every state an older Sigap wrote is a state of this machine, and its steps keep their names."""
    case = complaint_in(State.RESOLVED, admin=administrator)
    names = {t for t, _s, _t in trail(case)}
    machine = engine.machine_for(case)
    assert all(machine.spec(name) for name in names - {"submit"})
    assert TransitionLog.objects.filter(object_id=case.pk).count() == len(trail(case))
