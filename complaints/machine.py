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

from complaints import messaging, steps
from complaints.models import CaseMessage, Channel, Complaint, State
from complaints.permissions import (
    at_handling_unit,
    at_intake_desk,
    complainant,
    may_close,
    may_request_info,
    system,
)
from complaints.realtime import events as realtime
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
        "refer",
        "Rujuk",
        "Refer",
        at_intake_desk,
        "Pengaduan Anda dirujuk ke unit yang berwenang.",
        "Your complaint was referred to the competent unit.",
        fields=steps.refer_fields,
        clean=steps.clean_refer,
    ),
    T(
        "reject",
        "Tolak",
        "Reject",
        at_intake_desk,
        "Pengaduan Anda tidak dapat ditindaklanjuti.",
        "Your complaint cannot be taken further.",
        fields=steps.reject_fields,
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
        # By a supervisor, or by the system once the objection window has passed.
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
    )
)


def complaint_received(complaint: Complaint, *, via: str) -> None:
    """Start the clock of a newly filed complaint and write its first audit row (intake)."""
    now = timezone.now()
    complaint.due_at = due_for(complaint, State.SUBMITTED, start=now)
    complaint.state_changed_at = now
    Complaint.objects.filter(pk=complaint.pk).update(due_at=complaint.due_at, state_changed_at=now)
    engine.record_creation(complaint, via=via)
    # The intake desk's queue shows the new case live (after commit, best effort).
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
def _rule(complaint, state: str):
    return deadlines.rule_for(MACHINE, state, complaint.kind)


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
