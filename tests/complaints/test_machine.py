"""Every transition allowed and refused, by role and by state; the audit trail of a lifecycle."""

import itertools

import pytest

from complaints import machine
from complaints.models import WITHDRAWABLE_STATES, Complaint, State
from tests.complaints.lifecycle import FIELDS, PATHS, REQUIREMENTS_MET, complaint_in, step, window_passes
from workflow import engine
from workflow.engine import Actor
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

PERSONAS = [
    "intake_officer",
    "ombudsman_officer",
    "kanwil_officer",
    "supervisor",
    "administrator",
    "outsider",
]
EVERYONE = [*PERSONAS, "complainant", "system"]
INTAKE = {"intake_officer", "administrator"}
HANDLING = {"ombudsman_officer", "supervisor", "administrator"}

# (transition, the state it is tried in) → who may perform it, for a maladministration case in DKI
# Jakarta (the Ombudsman's route; the Kanwil's is in test_routes.py).
ALLOWED = {
    ("start_verification", State.SUBMITTED): INTAKE,
    ("mark_duplicate", State.SUBMITTED): INTAKE,
    ("mark_duplicate", State.VERIFYING): INTAKE,
    ("mark_duplicate", State.MATERIAL_VERIFICATION): INTAKE,
    ("request_info", State.VERIFYING): INTAKE,
    ("request_info", State.MATERIAL_VERIFICATION): INTAKE,
    ("verify_formal", State.VERIFYING): INTAKE,
    ("refer", State.MATERIAL_VERIFICATION): INTAKE,
    ("reject", State.VERIFYING): INTAKE,
    ("reject", State.MATERIAL_VERIFICATION): INTAKE,
    ("provide_info", State.AWAITING_INFO): {"complainant"},
    ("expire_info", State.AWAITING_INFO): {"system"},
    ("accept_referral", State.REFERRED): HANDLING,
    ("return_referral", State.REFERRED): HANDLING,
    ("request_info", State.EXAMINATION): HANDLING,
    ("request_info", State.INVESTIGATION): HANDLING,
    ("request_clarification", State.EXAMINATION): HANDLING,
    ("request_clarification", State.INVESTIGATION): HANDLING,
    ("record_clarification", State.CLARIFICATION): HANDLING,
    ("start_investigation", State.EXAMINATION): HANDLING,
    ("start_mediation", State.EXAMINATION): HANDLING,
    ("start_mediation", State.INVESTIGATION): HANDLING,
    ("end_mediation", State.MEDIATION): HANDLING,
    ("issue_lahp", State.EXAMINATION): HANDLING,
    ("issue_lahp", State.INVESTIGATION): HANDLING,
    ("corrective_action_done", State.CORRECTIVE_ACTION): HANDLING,
    ("issue_recommendation", State.CORRECTIVE_ACTION): HANDLING,
    ("recommendation_done", State.RECOMMENDATION): HANDLING,
    ("resolve", State.EXAMINATION): HANDLING,
    ("resolve", State.INVESTIGATION): HANDLING,
    ("object", State.RESOLVED): {"complainant"},
    ("withdraw", State.SUBMITTED): {"complainant"},
    ("withdraw", State.EXAMINATION): {"complainant"},
    ("withdraw", State.MEDIATION): {"complainant"},
    ("withdraw", State.RECOMMENDATION): {"complainant"},
}


def actor_for(name, request):
    if name == "complainant":
        return Actor.complainant()
    if name == "system":
        return Actor.system()
    return Actor.officer(request.getfixturevalue(name))


@pytest.mark.parametrize(
    ("transition", "state", "who"),
    [(t, s, who) for (t, s), allowed in ALLOWED.items() for who in EVERYONE],
    ids=lambda v: str(v),
)
def test_who_may_perform_each_transition(transition, state, who, request, administrator):
    complaint = complaint_in(state, admin=administrator)
    actor = actor_for(who, request)
    if who in ALLOWED[(transition, state)]:
        log = step(complaint, transition, actor)
        assert log.source == state
        assert Complaint.objects.get(pk=complaint.pk).state == log.target
    else:
        with pytest.raises(engine.TransitionForbidden):
            step(complaint, transition, actor)
        assert Complaint.objects.get(pk=complaint.pk).state == state


TRANSITION_SOURCES = {
    name: {state for (t, state) in ALLOWED if t == name} for name in {t for t, _ in ALLOWED}
}
TRANSITION_SOURCES["withdraw"] = set(WITHDRAWABLE_STATES)


@pytest.mark.parametrize(
    ("transition", "state"),
    [
        (t, s)
        for t, s in itertools.product(sorted(TRANSITION_SOURCES), PATHS)
        if s not in TRANSITION_SOURCES[t]
    ],
    ids=lambda v: str(v),
)
def test_each_transition_is_refused_in_every_other_state(transition, state, administrator):
    complaint = complaint_in(state, admin=administrator)
    allowed_by = ALLOWED[next(k for k in ALLOWED if k[0] == transition)]
    who = "administrator" if "administrator" in allowed_by else next(iter(allowed_by))
    actor = (
        Actor.officer(administrator)
        if who == "administrator"
        else (Actor.complainant() if who == "complainant" else Actor.system())
    )
    before = TransitionLog.objects.count()
    # Refused: not from this state, or (a step of the other route) not on this case's route.
    with pytest.raises((engine.TransitionConflict, engine.TransitionForbidden)):
        step(complaint, transition, actor)
    assert Complaint.objects.get(pk=complaint.pk).state == state
    assert TransitionLog.objects.count() == before


def test_a_full_lifecycle_leaves_a_complete_audit_trail(
    intake_officer, ombudsman_officer, supervisor, django_capture_on_commit_callbacks
):
    complaint = complaint_in(State.SUBMITTED, admin=intake_officer)
    machine.received_row(complaint, via="web").save()
    intake, handler = Actor.officer(intake_officer), Actor.officer(ombudsman_officer)
    # Listen on the case's realtime group, as an officer's open case page does.
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from complaints.realtime.events import case_group

    layer = get_channel_layer()
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(case_group(complaint.pk), listener)
    with django_capture_on_commit_callbacks(execute=True):
        step(complaint, "start_verification", intake)
        step(complaint, "request_info", intake)
        step(complaint, "provide_info", Actor.complainant(), via="sms")
        step(complaint, "verify_formal", intake)
        step(complaint, "refer", intake)
        step(complaint, "accept_referral", handler)
        step(complaint, "resolve", handler)
        step(complaint, "object", Actor.complainant(), via="whatsapp")
        step(complaint, "resolve", handler)
        window_passes(complaint)
        step(complaint, "close", Actor.officer(supervisor))
    trail = list(engine.history(complaint).values_list("transition", "source", "target", "actor_kind", "via"))
    assert trail == [
        ("submit", "", "submitted", "complainant", "web"),
        ("start_verification", "submitted", "verifying", "officer", "web"),
        ("request_info", "verifying", "awaiting_info", "officer", "web"),
        ("provide_info", "awaiting_info", "verifying", "complainant", "sms"),
        ("verify_formal", "verifying", "material_verification", "officer", "web"),
        ("refer", "material_verification", "referred", "officer", "web"),
        ("accept_referral", "referred", "examination", "officer", "web"),
        ("resolve", "examination", "resolved", "officer", "web"),
        ("object", "resolved", "examination", "complainant", "whatsapp"),
        ("resolve", "examination", "resolved", "officer", "web"),
        ("close", "resolved", "closed", "officer", "web"),
    ]
    complaint.refresh_from_db()
    assert complaint.unit.name == "Ombudsman RI Perwakilan Daerah Khusus Ibukota Jakarta"
    assert complaint.outcome == FIELDS["resolve"]["outcome"]
    assert complaint.req_chronology is True
    # The complainant heard about the steps that concern them, in order, by SMS.
    from notifications.models import Message

    sent = Message.objects.filter(reference=f"complaint:{complaint.pk}").order_by("id")
    assert [m.template_key for m in sent] == [
        "request_info",
        "refer",
        "accept_referral",
        "resolve",
        "objection",
        "resolve",
        "close",
    ]
    assert {m.channel for m in sent} == {"sms"}
    # Every step was announced after its commit, in order.
    events = [async_to_sync(layer.receive)(listener)["payload"]["event"] for _ in range(10)]
    assert events == [row[0] for row in trail[1:]]
    async_to_sync(layer.group_discard)(case_group(complaint.pk), listener)


def test_referral_goes_to_the_kanwil_for_ham_and_the_officer_can_override(intake_officer, administrator):
    ham = complaint_in(State.MATERIAL_VERIFICATION, admin=administrator, kind="ham", category=None)
    step(ham, "refer", Actor.officer(intake_officer))
    assert ham.unit.name == "Kanwil Kementerian HAM Daerah Khusus Ibukota Jakarta"

    undecided = complaint_in(
        State.MATERIAL_VERIFICATION, admin=administrator, kind="tidak_tahu", category=None
    )
    with pytest.raises(engine.TransitionInvalid) as refused:
        step(undecided, "refer", Actor.officer(intake_officer))
    assert "kind" in refused.value.errors
    from tests.factories import unit

    bandung = unit("ombudsman", "32")
    step(undecided, "refer", Actor.officer(intake_officer), kind="maladministrasi", destination=bandung.pk)
    assert undecided.unit == bandung


def test_a_returned_referral_goes_back_to_the_provinces_intake_desk(ombudsman_officer, administrator):
    complaint = complaint_in(State.REFERRED, admin=administrator)
    with pytest.raises(engine.TransitionInvalid):
        engine.perform(complaint, "return_referral", actor=Actor.officer(ombudsman_officer), via="web")
    step(complaint, "return_referral", Actor.officer(ombudsman_officer))
    # Its formal requirements were all met: back to material verification, at the desk.
    assert complaint.state == State.MATERIAL_VERIFICATION
    assert complaint.unit.name == "Meja Penerimaan Pengaduan Daerah Khusus Ibukota Jakarta"


def test_an_objection_after_the_window_is_refused(administrator):
    import datetime

    from django.utils import timezone

    complaint = complaint_in(State.RESOLVED, admin=administrator)
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    complaint.refresh_from_db()
    with pytest.raises(engine.TransitionConflict):
        step(complaint, "object", Actor.complainant())


def test_formal_requirements_start_unset_and_each_must_be_decided(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    spec = machine.machine.spec("verify_formal")
    form = spec.form_class(complaint)()
    for name in REQUIREMENTS_MET:
        assert form[name].initial is None and form[name].value() is None
    with pytest.raises(engine.TransitionInvalid) as refused:
        engine.perform(complaint, "verify_formal", actor=Actor.officer(intake_officer), via="web")
    assert set(refused.value.errors) >= set(REQUIREMENTS_MET)
    assert Complaint.objects.get(pk=complaint.pk).state == State.VERIFYING


def test_a_requirement_not_met_stops_the_case_at_formal_verification(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    with pytest.raises(engine.TransitionInvalid) as refused:
        step(complaint, "verify_formal", Actor.officer(intake_officer), req_within_two_years="0")
    assert list(refused.value.errors) == ["req_within_two_years"]
    assert "minta kelengkapan" in refused.value.errors["req_within_two_years"][0]
    # It cannot be referred either: refer is not a step of formal verification.
    with pytest.raises(engine.TransitionConflict):
        step(complaint, "refer", Actor.officer(intake_officer))
    # It goes back to the complainant, or is rejected with its reason.
    step(
        complaint,
        "reject",
        Actor.officer(intake_officer),
        rejection_reason="lewat_dua_tahun",
        suggested_body="",
    )
    assert Complaint.objects.get(pk=complaint.pk).state == State.REJECTED


def test_anonymous_information_goes_to_the_own_motion_route_not_to_referral(intake_officer, administrator):
    anonymous = complaint_in(State.VERIFYING, admin=administrator, confidentiality="anonim", identity=None)
    officer = Actor.officer(intake_officer)
    # Not a report under UU 37/2008 ps. 24(1): no formal verification, no referral.
    for name in ("verify_formal", "refer"):
        with pytest.raises((engine.TransitionForbidden, engine.TransitionConflict)):
            step(anonymous, name, officer)
    names = [spec.name for spec in engine.available_transitions(anonymous, officer)]
    assert "take_up_own_motion" in names and "verify_formal" not in names
    step(anonymous, "take_up_own_motion", officer)
    anonymous.refresh_from_db()
    assert (anonymous.state, anonymous.own_motion) == (State.REFERRED, True)
    assert anonymous.req_identity is None  # never recorded as met
    assert anonymous.unit.name == "Ombudsman RI Perwakilan Daerah Khusus Ibukota Jakarta"
    # An identified complainant's report is never taken up as own-motion information.
    named = complaint_in(State.VERIFYING, admin=administrator)
    with pytest.raises(engine.TransitionForbidden):
        step(named, "take_up_own_motion", officer)


def test_no_one_closes_a_case_inside_its_objection_window(supervisor, administrator):
    complaint = complaint_in(State.RESOLVED, admin=administrator)
    for actor in (Actor.officer(supervisor), Actor.officer(administrator), Actor.system()):
        with pytest.raises(engine.TransitionConflict):
            step(complaint, "close", actor)
    assert Complaint.objects.get(pk=complaint.pk).state == State.RESOLVED
    window_passes(complaint)
    step(complaint, "close", Actor.officer(supervisor))
    assert Complaint.objects.get(pk=complaint.pk).state == State.CLOSED


def test_a_competent_body_is_asked_only_for_the_reasons_that_send_the_complainant_elsewhere(
    intake_officer, administrator
):
    officer = Actor.officer(intake_officer)
    old = complaint_in(State.VERIFYING, admin=administrator)
    step(old, "reject", officer, rejection_reason="lewat_dua_tahun", suggested_body="")
    assert Complaint.objects.get(pk=old.pk).state == State.REJECTED
    elsewhere = complaint_in(State.VERIFYING, admin=administrator)
    with pytest.raises(engine.TransitionInvalid) as refused:
        step(elsewhere, "reject", officer, rejection_reason="bukan_kewenangan", suggested_body="")
    assert list(refused.value.errors) == ["suggested_body"]


def test_a_rejection_carries_its_reason_and_the_competent_body(intake_officer, administrator):
    complaint = complaint_in(State.VERIFYING, admin=administrator)
    with pytest.raises(engine.TransitionInvalid) as refused:
        step(complaint, "reject", Actor.officer(intake_officer), rejection_reason="alasan_karangan")
    assert "rejection_reason" in refused.value.errors
    step(complaint, "reject", Actor.officer(intake_officer))
    complaint.refresh_from_db()
    assert (complaint.rejection_reason, complaint.suggested_body) == ("bukan_kewenangan", "Komisi Informasi")
    assert complaint.due_at is None


def test_a_duplicate_joins_the_case_with_the_code_the_officer_types(intake_officer, administrator):
    original = complaint_in(State.VERIFYING, admin=administrator)
    copy = complaint_in(State.SUBMITTED, admin=administrator)
    typed = f"{original.tracking_code[:4]}-{original.tracking_code[4:]}".lower()
    step(copy, "mark_duplicate", Actor.officer(intake_officer), duplicate_of=typed)
    copy.refresh_from_db()
    assert (copy.state, copy.duplicate_of) == (State.DUPLICATE, original)

    another = complaint_in(State.SUBMITTED, admin=administrator)
    for code in ("TIDAKADA1", copy.tracking_code, another.tracking_code):
        with pytest.raises(engine.TransitionInvalid):
            step(another, "mark_duplicate", Actor.officer(intake_officer), duplicate_of=code)
    assert Complaint.objects.get(pk=another.pk).state == State.SUBMITTED


def test_every_transition_has_a_plain_public_sentence_without_notes_or_names():
    for spec in machine.machine.transitions:
        assert spec.public_id and spec.public_en, spec.name
        assert machine.public_label(spec.name, "id") == spec.public_id
        assert machine.public_label(spec.name, "en") == spec.public_en
    assert machine.public_label("submit") == "Pengaduan diterima."


def test_a_case_says_when_it_is_due_and_whether_it_is_late(administrator):
    import datetime

    from django.utils import timezone

    complaint = complaint_in(State.VERIFYING, admin=administrator)
    assert complaint.due_at > timezone.now() and complaint.is_overdue is False
    Complaint.objects.filter(pk=complaint.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    complaint.refresh_from_db()
    assert complaint.is_overdue is True
