"""Existing cases move to the machine of the institutions' real process (migration 0009) without
losing their history: every old state is a state of the new machine, their audit rows stay, the
new stages get their deadline rules, and the seeded rules an administrator left alone get their
corrected sources (an edited rule is kept as the administrator set it)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("complaints", "0008_desk_intake_documents_and_search"), ("workflow", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_cases_of_every_old_state_keep_their_state_and_history_and_go_on(administrator):
    old = migrate(BEFORE)
    Complaint = old.get_model("complaints", "Complaint")
    TransitionLog = old.get_model("workflow", "TransitionLog")
    DeadlineRule = old.get_model("workflow", "DeadlineRule")
    ContentType = old.get_model("contenttypes", "ContentType")
    HandlingUnit = old.get_model("complaints", "HandlingUnit")
    # As the seed of an older Sigap left them: one rule an administrator changed, one untouched.
    DeadlineRule.objects.filter(machine="complaint", state="awaiting_info", scope="").update(
        days=30, source="PO 26/2017: kelengkapan 30 hari"
    )
    DeadlineRule.objects.filter(machine="complaint", state="verifying", scope="").update(
        days=12, source="Keputusan kepala perwakilan"
    )
    DeadlineRule.objects.filter(machine="complaint", state__in=["material_verification"]).delete()
    desk = HandlingUnit.objects.get(code="penerimaan-31")
    ombudsman = HandlingUnit.objects.get(code="ombudsman-31")
    content_type = ContentType.objects.get(app_label="complaints", model="complaint")
    cases = {}
    for index, (state, unit, outcome) in enumerate(
        [
            ("verifying", desk, ""),
            ("examination", ombudsman, ""),
            ("resolved", ombudsman, "maladministrasi_terbukti"),
            ("closed", ombudsman, "rekomendasi"),
        ]
    ):
        case = Complaint.objects.create(
            tracking_code=f"OLD{index:05d}",
            pin_hash="x" * 64,
            kind="maladministrasi",
            province_id="31",
            description="Pengurusan KTP saya tertunda empat bulan tanpa kejelasan.",
            reporter_type="warga",
            confidentiality="terbuka",
            channel="web",
            consent_pdp_at="2026-01-05T10:00:00+07:00",
            unit=unit,
            state=state,
            outcome=outcome,
            req_identity=True if state != "verifying" else None,
            req_chronology=True if state != "verifying" else None,
            req_agency_first=True if state != "verifying" else None,
            req_within_two_years=True if state != "verifying" else None,
        )
        TransitionLog.objects.create(
            content_type=content_type,
            object_id=case.pk,
            transition="submit",
            source="",
            target="submitted",
            actor_kind="complainant",
            via="web",
        )
        TransitionLog.objects.create(
            content_type=content_type,
            object_id=case.pk,
            transition="start_verification",
            source="submitted",
            target="verifying",
            actor_kind="officer",
            via="web",
        )
        cases[state] = case.pk

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # 0009 and whatever follows
    from complaints.models import Complaint as Current
    from tests.complaints.lifecycle import step
    from workflow import engine
    from workflow.engine import Actor
    from workflow.models import DeadlineRule as Rule

    for state, pk in cases.items():
        case = Current.objects.get(pk=pk)
        assert case.state == state
        assert [log.transition for log in engine.history(case)] == ["submit", "start_verification"]
    assert Current.objects.get(pk=cases["resolved"]).get_outcome_display() == "Maladministrasi terbukti"
    # The old verifying case is in formal verification, and goes on in the new machine.
    verifying = Current.objects.get(pk=cases["verifying"])
    step(verifying, "verify_formal", Actor.officer(administrator))
    step(verifying, "refer", Actor.officer(administrator))
    examination = Current.objects.get(pk=cases["examination"])
    assert "request_clarification" in {
        s.name for s in engine.available_transitions(examination, Actor.officer(administrator))
    }
    # New stages have rules; an untouched seeded rule is corrected, an edited one is left alone.
    assert Rule.objects.get(machine="complaint", state="agency_recommendation", scope="").days == 60
    assert Rule.objects.get(machine="complaint", state="material_verification", scope="").days == 5
    assert Rule.objects.get(machine="complaint", state="awaiting_info", scope="").source.startswith(
        "UU 37/2008 ps. 25"
    )
    edited = Rule.objects.get(machine="complaint", state="verifying", scope="")
    assert (edited.days, edited.source) == (12, "Keputusan kepala perwakilan")
