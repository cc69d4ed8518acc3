"""The complaint state machine, declared for the workflow engine.

The transitions themselves (sources, targets, the fields they assign) are django-fsm methods on
complaints.models.Complaint. Here: each transition's labels in both languages, the sentence the
complainant reads on the public timeline, who may perform it (complaints.permissions), what it
asks for (complaints.steps), which ones the system takes by itself when the deadline passes
(``timer=``: expire_info, close; run by the sweep through workflow.engine.perform_due), the events
the audit trail records beside the steps (claim, assign), the side effects of every step (thread
message, outbox rows, realtime event) in one hook, ``after_transitions``, whoever took the step
and however many cases it moved, and the complaint's clocks. The states, transitions and
deadlines are described in docs/domain.md#states-and-transitions and docs/domain.md#deadlines.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import messaging, reference, steps
from complaints import permissions as steps_allowed
from complaints.models import AGENCY_STATES, CaseMessage, Channel, Complaint, State
from complaints.permissions import (
    at_handling_unit,
    at_intake_desk,
    complainant,
    may_close,
    may_request_info,
    system,
)
from complaints.realtime import events as realtime
from complaints.urgency import URGENT_SCOPE
from workflow import deadlines, engine
from workflow.engine import Actor, EventSpec, Machine, Timer, TransitionSpec

# The name the engine's deadline rules and audit rows know this machine by.
MACHINE = "complaint"


# --- the machine -----------------------------------------------------------------------------------
def T(name, label_id, label_en, allowed, public_id="", public_en="", **kw) -> TransitionSpec:  # noqa: N802
    return TransitionSpec(
        name=name,
        label_id=label_id,
        label_en=label_en,
        allowed=allowed,
        public_id=public_id,
        public_en=public_en,
        **kw,
    )


TRANSITIONS = [
    T(
        "start_verification",
        "Mulai verifikasi",
        "Start verification",
        at_intake_desk,
        "Pengaduan Anda mulai diverifikasi.",
        "Your complaint is being verified.",
    ),
    T(
        "request_info",
        "Minta kelengkapan",
        "Request information",
        may_request_info,
        "Petugas meminta informasi tambahan dari Anda.",
        "The officer asked you for more information.",
        fields=steps.request_info_fields,
    ),
    T(
        "provide_info",
        "Kirim kelengkapan",
        "Provide information",
        complainant,
        "Anda mengirim informasi tambahan.",
        "You sent more information.",
        fields=steps.complainant_message_fields,
    ),
    T(
        "expire_info",
        "Batas kelengkapan lewat",
        "Information deadline passed",
        system,
        "Batas waktu melengkapi terlewati; pengaduan dianggap dicabut.",
        "The deadline for more information passed; the complaint is treated as withdrawn.",
        timer=Timer(due_field="due_at"),
    ),
    T(
        "verify_formal",
        "Syarat formal terpenuhi",
        "Formal requirements met",
        steps_allowed.identified_at_intake_desk,
        "Syarat formal pengaduan Anda terpenuhi; pengaduan diverifikasi materiil.",
        "Your complaint meets the formal requirements; its substance is being verified.",
        fields=steps.verify_formal_fields,
        clean=steps.clean_verify_formal,
    ),
    T(
        "refer",
        "Rujuk",
        "Refer",
        steps_allowed.identified_at_intake_desk,
        "Pengaduan Anda dirujuk ke unit yang berwenang.",
        "Your complaint was referred to the competent unit.",
        fields=steps.refer_fields,
        clean=steps.clean_refer,
    ),
    T(
        "take_up_own_motion",
        "Proses atas prakarsa sendiri",
        "Take up on own motion",
        steps_allowed.anonymous_at_intake_desk,
        "Informasi Anda diteruskan untuk diperiksa atas prakarsa lembaga sendiri.",
        "Your information was passed on to be examined on the institution's own initiative.",
        fields=steps.refer_fields,
        clean=steps.clean_own_motion,
    ),
    T(
        "reject",
        "Tolak",
        "Reject",
        at_intake_desk,
        "Pengaduan Anda tidak dapat ditindaklanjuti.",
        "Your complaint cannot be taken further.",
        fields=steps.reject_fields,
        clean=steps.clean_reject,
    ),
    T(
        "mark_duplicate",
        "Gabungkan (duplikat)",
        "Merge (duplicate)",
        at_intake_desk,
        "Pengaduan Anda digabungkan dengan pengaduan lain yang sama.",
        "Your complaint was merged with another one about the same matter.",
        fields=steps.duplicate_fields,
        clean=steps.clean_duplicate,
    ),
    T(
        "accept_referral",
        "Terima rujukan",
        "Accept referral",
        at_handling_unit,
        "Pengaduan Anda mulai diperiksa.",
        "Your complaint is under examination.",
    ),
    T(
        "return_referral",
        "Kembalikan rujukan",
        "Return referral",
        at_handling_unit,
        "Pengaduan Anda dikembalikan untuk diverifikasi ulang.",
        "Your complaint went back for verification.",
        note_required=True,
    ),
    T(
        "request_clarification",
        "Minta klarifikasi instansi",
        "Ask the agency to clarify",
        at_handling_unit,
        "Instansi terlapor diminta memberi klarifikasi.",
        "The reported agency was asked to clarify.",
        fields=steps.request_clarification_fields,
        clean=steps.clean_request_clarification,
    ),
    T(
        "record_clarification",
        "Catat jawaban klarifikasi",
        "Record the agency's answer",
        at_handling_unit,
        "Jawaban klarifikasi instansi dicatat; pemeriksaan berlanjut.",
        "The agency's answer was recorded; the examination goes on.",
        fields=steps.record_clarification_fields,
        clean=steps.clean_record_clarification,
    ),
    T(
        "start_investigation",
        "Mulai investigasi",
        "Start an investigation",
        steps_allowed.on_ombudsman_route,
        "Ombudsman memeriksa dokumen dan lapangan.",
        "The Ombudsman is examining documents and the site.",
        note_required=True,
    ),
    T(
        "start_mediation",
        "Mulai mediasi",
        "Start mediation",
        at_handling_unit,
        "Pengaduan Anda diselesaikan melalui mediasi dengan instansi.",
        "Your complaint is in mediation with the agency.",
        fields=steps.start_mediation_fields,
        clean=steps.clean_start_mediation,
    ),
    T(
        "end_mediation",
        "Akhiri mediasi",
        "End mediation",
        at_handling_unit,
        "Mediasi selesai.",
        "The mediation ended.",
        fields=steps.end_mediation_fields,
        clean=steps.clean_end_mediation,
    ),
    T(
        "issue_lahp",
        "Terbitkan LAHP",
        "Issue the final examination report",
        steps_allowed.on_ombudsman_route,
        "Laporan akhir hasil pemeriksaan (LAHP) terbit; lihat hasilnya.",
        "The final examination report was issued; see the outcome.",
        fields=steps.issue_lahp_fields,
        clean=steps.clean_issue_lahp,
    ),
    T(
        "corrective_action_done",
        "Tindakan korektif dilaksanakan",
        "Corrective action carried out",
        steps_allowed.on_ombudsman_route,
        "Instansi melaksanakan tindakan korektif; lihat hasilnya.",
        "The agency carried out the corrective action; see the outcome.",
        fields=steps.corrective_action_done_fields,
    ),
    T(
        "issue_recommendation",
        "Terbitkan rekomendasi",
        "Issue a recommendation",
        steps_allowed.may_issue_recommendation,
        "Rekomendasi diterbitkan kepada instansi terlapor.",
        "A recommendation was issued to the reported agency.",
        fields=steps.issue_recommendation_fields,
        clean=steps.clean_issue_recommendation,
    ),
    T(
        "recommendation_done",
        "Catat pelaksanaan rekomendasi",
        "Record the follow-up of the recommendation",
        at_handling_unit,
        "Pemantauan rekomendasi selesai; lihat hasilnya.",
        "The follow-up of the recommendation was recorded; see the outcome.",
        fields=steps.recommendation_done_fields,
    ),
    T(
        "resolve",
        "Selesaikan",
        "Resolve",
        at_handling_unit,
        "Pemeriksaan selesai; lihat hasilnya.",
        "The examination is finished; see the outcome.",
        fields=steps.resolve_fields,
    ),
    T(
        "object",
        "Ajukan keberatan",
        "Object to the outcome",
        complainant,
        "Anda mengajukan keberatan atas hasil; pengaduan diperiksa kembali.",
        "You objected to the outcome; the complaint is examined again.",
        fields=steps.objection_fields,
    ),
    T(
        "close",
        "Tutup",
        "Close",
        may_close,
        "Pengaduan ditutup.",
        "The complaint is closed.",
        # Once the objection window has passed: by the system, or by a supervisor (never inside it).
        timer=Timer(due_field="due_at"),
    ),
    T(
        "withdraw",
        "Cabut pengaduan",
        "Withdraw the complaint",
        complainant,
        "Anda mencabut pengaduan.",
        "You withdrew the complaint.",
        fields=steps.withdraw_fields,
    ),
]

# The steps the complainant takes (web, API, SMS, WhatsApp). What they typed with one goes into
# the case's thread; what an officer asks goes there too.
COMPLAINANT_STEPS = tuple(spec.name for spec in TRANSITIONS if spec.allowed is complainant)


# Recorded in the case's audit trail beside the steps (workflow.engine.record_event), shown to the
# officers on the case page, never on the public timeline: who took or was given the case.
EVENTS = [
    EventSpec("claim", "Ambil kasus", "Case claimed"),
    EventSpec("assign", "Penugasan", "Assignment"),
    # An officer confirmed or changed whether the case is urgent (docs/domain.md#urgency;
    # complaints.workspace.services.urgency_review): the decision, the one before it and who had
    # made that one in the fields, the officer's reason in the note.
    EventSpec("urgency_reviewed", "Kemendesakan ditinjau", "Urgency reviewed"),
    # A new PIN replaced the old one (docs/domain.md#pin-recovery): asked for by the complainant on
    # the web or by SMS/WhatsApp (sent to the contact on file), or issued at a desk by an officer
    # who checked their identity (the note says how). The fields say where it went, never the PIN.
    EventSpec("pin_reissued", "PIN baru diterbitkan", "New PIN issued"),
    # An officer attached a document (complaints.workspace.services.case_document_add): its kind
    # and title in the fields, never the file or its contents.
    EventSpec("document_added", "Dokumen dilampirkan", "Document attached"),
    # An officer wrote to the complainant (complaints.workspace.services.thread_post): who and when;
    # the words stay in the case's thread.
    EventSpec("message_sent", "Pesan dikirim ke pelapor", "Message sent to the complainant"),
]


def after_transitions(pairs, *, actor: Actor, via: str) -> None:
    """Side effects of every step, inside its transaction (realtime only after commit).

    ``pairs``: (complaint, audit row) of the cases one actor moved through one transition:
    perform() passes one, the timer sweep (workflow.engine.perform_due) each batch of due cases.
    The one copy of what a step causes: the thread message, the outbox row, the realtime event.
    """
    if not pairs:
        return
    author = actor.user if actor.is_officer else None
    thread = []
    for complaint, log in pairs:
        message = (log.fields or {}).get("message") or ""
        if message and log.transition in COMPLAINANT_STEPS:
            thread.append(
                CaseMessage(
                    complaint=complaint,
                    kind=CaseMessage.Kind.FROM_COMPLAINANT,
                    body=message,
                    channel=_channel(via),
                )
            )
        elif message and log.transition == "request_info":
            thread.append(
                CaseMessage(
                    complaint=complaint,
                    kind=CaseMessage.Kind.TO_COMPLAINANT,
                    author=author,
                    body=message,
                    channel=_channel(via),
                )
            )
    if thread:
        CaseMessage.objects.bulk_create(thread)
    # The same outbox rows either way (tests/complaints/jobs/test_sweep_parity.py): for one case,
    # messaging's single path reads no wordings when the step sends nothing; a batch goes in bulk.
    if len(pairs) == 1:
        messaging.enqueue_for_transition(*pairs[0])
    else:
        messaging.enqueue_for_transitions(pairs)
    realtime.broadcast_complaint_events_on_commit(
        [complaint for complaint, _log in pairs],
        event=pairs[0][1].transition,
        actor=author,
        previous_unit_ids={
            complaint.pk: complaint._previous_unit_id
            for complaint, _log in pairs
            if getattr(complaint, "_previous_unit_id", None) is not None
        },
    )


def _channel(via: str) -> str:
    return via if via != Channel.SYSTEM else Channel.WEB


machine = engine.register(
    Machine(
        model=Complaint,
        transitions=TRANSITIONS,
        after_transitions=after_transitions,
        states=State.choices,
        events=EVENTS,
        changed_at_field="state_changed_at",
        # What after_transitions reads of each case: the phone and the unit's groups.
        batch_related=("identity", "unit"),
        # The reported agency's deadlines (agency_rule): each stage's rule, per route.
        clocks=[(f"agency_{state.value}", state.label) for state in AGENCY_STATES],
    )
)


def start_clock(complaint: Complaint, *, now=None) -> None:
    """A new complaint's first deadline (intake), set on it before it is first saved."""
    now = now or timezone.now()
    complaint.due_at = due_for(complaint, State.SUBMITTED, start=now)
    complaint.state_changed_at = now


def received_row(complaint: Complaint, *, via: str, actor: Actor | None = None):
    """A newly filed complaint's first audit row, unsaved (complaints.intake.filing inserts it with
    the complaint; its clock started when it was built, start_clock): by the complainant, or by
    the desk officer who filed it on their behalf (``actor``)."""
    return engine.creation_row(complaint, via=via, actor=actor)


def complaint_received(complaint: Complaint) -> None:
    """It was filed: the intake desk's queue shows the new case live (after commit, best effort)."""
    realtime.broadcast_complaint_event_on_commit(complaint, event="submit")


def public_label(transition: str, language: str | None = None) -> str:
    if transition == "submit":
        return str(_("Pengaduan diterima."))
    try:
        return machine.spec(transition).public_label(language)
    except engine.UnknownTransition:
        return ""


# --- the clocks ------------------------------------------------------------------------------------
# Rules are looked up per state and per kind (maladministrasi / ham; an undecided kind uses the
# rule for every kind). The clock pauses while the case awaits the complainant's information.
# Investigation runs on the examination's clock (it is one of its ways of finding out).
CLOCK_OF = {State.INVESTIGATION: State.EXAMINATION}


def _scoped_rule(complaint, state: str):
    """The rule for ``state``: an urgent case's own (scope "urgent", docs/domain.md#urgency) when
    the case is urgent and one exists, else its kind's, else the rule for every kind."""
    scopes = [complaint.kind or "", ""]
    if getattr(complaint, "urgent", False):
        scopes.insert(0, URGENT_SCOPE)
    return reference.deadline_rule(state, scopes)


def _rule(complaint, state: str):
    return _scoped_rule(complaint, CLOCK_OF.get(state, state))


# The rule a stage's clock runs on, as the case page shows it (urgent cases' shorter ones included).
stage_rule = _rule


def agency_rule(complaint, stage: str):
    """The rule of the reported agency's deadline in ``stage`` (clarification, corrective_action,
    recommendation): its default length, calendar and source, per route (and an urgent case's
    shorter default, where there is one)."""
    return _scoped_rule(complaint, f"agency_{stage}")


def agency_due(complaint, stage: str, days: int, *, start=None):
    """The agency's deadline: ``days`` (the officer's, defaulting to the rule's) on the rule's calendar."""
    rule = agency_rule(complaint, stage)
    return deadlines.due_in(days, start or timezone.now(), working_days=rule.working_days if rule else True)


def due_for(complaint, state: str, *, start=None):
    return deadlines.due_at(_rule(complaint, state), start or timezone.now())


def pause(complaint, *, now=None):
    """What is left on the current stage's clock (kept while awaiting information)."""
    return deadlines.remaining(_rule(complaint, complaint.state), now or timezone.now(), complaint.due_at)


def resume(complaint, state: str, *, now=None):
    """The due date when the paused stage ``state`` resumes."""
    now = now or timezone.now()
    if complaint.paused_remaining is None:
        return due_for(complaint, state, start=now)
    return deadlines.resume(_rule(complaint, state), now, complaint.paused_remaining)
