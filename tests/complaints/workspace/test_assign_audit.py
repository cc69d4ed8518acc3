"""Claims, assignments and identity reveals in the case's audit trail: who, when, which case, to
whom; on the officers' case page, never on the complainant's timeline, never with an identity."""

import json

import pytest
from django.core.exceptions import ValidationError

from complaints.identity import READ_REASON, identity_read, identity_reveal
from complaints.models import Complaint, Confidentiality, Identity, State
from complaints.public.tracking import public_timeline
from complaints.workspace.dashboard import dashboard_for
from complaints.workspace.selectors import case_timeline
from complaints.workspace.services import complaint_claim, complaints_assign
from tests.complaints.lifecycle import complaint_in, step
from tests.complaints.officer_cases import as_user, referred_to_ombudsman
from tests.factories import UserFactory, unit
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def events(complaint) -> list[tuple]:
    return [
        (log.transition, log.actor.username, log.via, log.fields)
        for log in engine.audit_trail(complaint).filter(engine.EVENT_ROWS)
    ]


def name(user) -> str:
    return user.get_full_name() or user.username


def officer(user) -> dict:
    return {"id": user.pk, "name": name(user)}


@pytest.fixture
def colleague(db):
    """Citra examines cases at the same Ombudsman office as Oki."""
    return UserFactory(
        username="citra",
        first_name="Citra",
        last_name="Dewi",
        role="case_officer",
        unit=unit("ombudsman", "31"),
    )


def test_a_claim_is_recorded_once_with_who_took_the_case(administrator, ombudsman_officer):
    case = referred_to_ombudsman(administrator)
    response = as_user(ombudsman_officer).post(f"/petugas/kasus/{case.pk}/ambil/")
    assert response.status_code == 302
    assert events(case) == [
        ("claim", "oki", "web", {"assignee": officer(ombudsman_officer), "previous": None})
    ]
    log = engine.audit_trail(case).get(transition="claim")
    assert (log.source, log.target, log.actor_kind, log.object_id) == ("", "", "officer", case.pk)
    # Claiming a case one already holds changes nothing and records nothing.
    complaint_claim(officer=ombudsman_officer, complaint=case)
    assert len(events(case)) == 1


def test_a_refused_claim_records_nothing(administrator, ombudsman_officer, colleague):
    case = referred_to_ombudsman(administrator)
    complaint_claim(officer=colleague, complaint=case)
    with pytest.raises(ValidationError):
        complaint_claim(officer=ombudsman_officer, complaint=case)
    assert [e[1] for e in events(case)] == ["citra"]


def test_an_assignment_records_who_assigned_whom_and_who_had_it_before(
    administrator, supervisor, ombudsman_officer, colleague
):
    cases = [referred_to_ombudsman(administrator) for _ in range(3)]
    complaint_claim(officer=colleague, complaint=cases[1])
    response = as_user(supervisor).post(
        "/petugas/tugaskan/", {"complaint": [c.pk for c in cases[:2]], "assignee": ombudsman_officer.pk}
    )
    assert response.status_code == 302
    assigned = {"assignee": officer(ombudsman_officer)}
    assert events(cases[0]) == [("assign", "sari", "web", {**assigned, "previous": None})]
    assert events(cases[1])[-1] == ("assign", "sari", "web", {**assigned, "previous": officer(colleague)})
    assert events(cases[2]) == []

    # The same choice again changes nothing and records nothing; taking the case away records it.
    complaints_assign(supervisor=supervisor, complaint_ids=[cases[0].pk], assignee=ombudsman_officer)
    complaints_assign(supervisor=supervisor, complaint_ids=[cases[0].pk], assignee=None, via="api")
    assert events(cases[0])[1:] == [
        ("assign", "sari", "api", {"assignee": None, "previous": officer(ombudsman_officer)})
    ]


def test_a_refused_assignment_records_nothing(administrator, supervisor, kanwil_officer):
    case = referred_to_ombudsman(administrator)
    with pytest.raises(ValidationError):
        complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=kanwil_officer)
    assert events(case) == []
    assert Complaint.objects.get(pk=case.pk).assignee is None


def test_the_complainant_never_sees_these_events(administrator, supervisor, ombudsman_officer):
    case = referred_to_ombudsman(administrator)
    before = public_timeline(case)
    complaint_claim(officer=ombudsman_officer, complaint=case)
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=None)
    identity_reveal(user=ombudsman_officer, complaint=case, reason="Perlu menghubungi pelapor")
    assert public_timeline(case) == before
    assert all(step["text"] for step in public_timeline(case))


def test_the_dashboards_figures_do_not_count_events(administrator, supervisor, ombudsman_officer):
    """Events sit between the steps (here while the clock is paused for the complainant): the
    stage medians and the on-time figure read the same with or without them."""
    case = complaint_in(State.EXAMINATION, admin=administrator)
    step(case, "request_info", Actor.officer(administrator))
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=ombudsman_officer)
    step(case, "provide_info", Actor.complainant())
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=None)
    step(case, "resolve", Actor.officer(administrator))
    with_events = dashboard_for(administrator)
    TransitionLog.objects.filter(engine.EVENT_ROWS).delete()
    without = dashboard_for(administrator)
    assert with_events.stages == without.stages
    assert (with_events.resolved_total, with_events.resolved_on_time) == (
        without.resolved_total,
        without.resolved_on_time,
    )


def test_the_case_trail_shows_steps_events_and_reveals_in_order_without_the_reason(
    administrator, supervisor, ombudsman_officer, colleague
):
    case = referred_to_ombudsman(administrator, confidentiality=Confidentiality.CONFIDENTIAL)
    complaint_claim(officer=colleague, complaint=case)
    identity_reveal(user=ombudsman_officer, complaint=case, reason="Perlu menghubungi pelapor")
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=ombudsman_officer)
    trail = case_timeline(case)
    assert [row.transition for row in trail] == [
        "start_verification",
        "verify_formal",
        "refer",
        "claim",
        "reveal",
        "assign",
    ]
    claim, reveal, assign = trail[-3:]
    assert (claim.label, claim.actor, claim.is_event) == ("Ambil kasus", colleague, True)
    assert (reveal.label, reveal.actor, reveal.is_event) == (
        "Identitas pelapor dibuka",
        ombudsman_officer,
        True,
    )
    assert (assign.label, assign.actor, assign.detail) == (
        "Penugasan",
        supervisor,
        f"kepada {name(ombudsman_officer)} (sebelumnya Citra Dewi)",
    )
    assert not any(row.is_event for row in trail[:3])
    assert (trail[2].source_label, trail[2].target_label) == ("Verifikasi materiil", "Dirujuk")


def test_an_open_identitys_reads_stay_in_the_access_log_only(administrator, ombudsman_officer):
    case = referred_to_ombudsman(administrator)
    assert identity_read(ombudsman_officer, case) is not None  # logged as a read
    assert [row.transition for row in case_timeline(case)] == ["start_verification", "verify_formal", "refer"]


def test_no_audit_row_holds_a_confidential_complainants_identity(
    administrator, supervisor, ombudsman_officer
):
    case = referred_to_ombudsman(administrator, confidentiality=Confidentiality.CONFIDENTIAL)
    identity = Identity.objects.get(complaint=case)
    complaint_claim(officer=ombudsman_officer, complaint=case)
    identity_reveal(user=ombudsman_officer, complaint=case, reason="Perlu menghubungi pelapor")
    identity_read(ombudsman_officer, case)
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=None)
    stored = json.dumps([(log.fields, log.note) for log in engine.audit_trail(case)])
    for value in (identity.name, identity.nik, identity.phone, identity.email, identity.address):
        assert value not in stored
    shown = " ".join(f"{row.label} {getattr(row, 'detail', '')} {row.note}" for row in case_timeline(case))
    assert identity.name not in shown and "Perlu menghubungi" not in shown and READ_REASON not in shown


def test_the_case_page_shows_the_trail_with_its_events(administrator, supervisor, ombudsman_officer):
    """The case page's trail (case_timeline): events say what happened, not a state change."""
    for user, first in ((ombudsman_officer, "Oki"), (supervisor, "Sari")):
        user.first_name, user.last_name = first, "Wibowo"  # names with nothing to escape
        user.save()
    case = referred_to_ombudsman(administrator, confidentiality=Confidentiality.CONFIDENTIAL)
    complaint_claim(officer=ombudsman_officer, complaint=case)
    identity_reveal(user=ombudsman_officer, complaint=case, reason="Perlu menghubungi pelapor")
    complaints_assign(supervisor=supervisor, complaint_ids=[case.pk], assignee=None)
    html = as_user(ombudsman_officer).get(f"/petugas/kasus/{case.pk}/").content.decode()
    trail = html.split("Jejak audit")[1].split("</section>")[0]
    oki, sari = name(ombudsman_officer), name(supervisor)
    assert f"<strong>Ambil kasus</strong> · {oki} · Web</li>" in trail
    assert f"<strong>Identitas pelapor dibuka</strong> · {oki}</li>" in trail
    assert f"<strong>Penugasan</strong>: dilepas dari {oki} · {sari} · Web</li>" in trail
    assert "Perlu menghubungi" not in trail
    assert "Verifikasi materiil → Dirujuk" in trail  # the steps as before
