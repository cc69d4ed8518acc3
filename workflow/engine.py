"""The workflow engine: every state change of a registered machine goes through it.

A machine is declared by the domain (complaints/machine.py): the model carries django-fsm
``@transition`` methods that only assign fields; the machine adds who may perform each one,
the fields it needs, its labels, which transitions the system takes by itself when a deadline
passes (``Timer``), the events it records beside its steps (``EventSpec``), and one hook for side
effects (``after_transitions``). This module never imports the domain.

Three ways in, one path (docs/architecture.md#how-a-request-flows):

- ``perform``, one object, a person or the system acting, in one transaction and in this order:
  1. lock the row (two officers may act on the same case at once: exactly one wins);
  2. refuse a stale request: the state changed since the caller read the object (a conflict);
  3. check the actor's permission (django-fsm does not enforce ``permission=`` itself), then the
     transition's source states and conditions;
  4. validate the fields the transition needs;
  5. apply the transition method (fields only) and save;
  6. write the audit row;
  7. run the machine's ``after_transitions`` hook with a batch of one (outbox rows in this
     transaction, realtime events scheduled for after commit).
- ``perform_due``, a timer transition on every object whose deadline has passed, set-based: the
  same steps for a batch of rows at a time (locked with SKIP LOCKED, the system as actor), the
  model's own transition method applied to each row in memory and its result written with one
  conditional UPDATE per distinct result, the audit rows in bulk, the same hook with the batch.
- ``record_event``, something that happened to an object without changing its state (a case
  claimed or assigned): an audit row with no source and no target, and no hook.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from .models import ActorKind, TransitionLog, Via


# --- actors --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who performs a transition: an officer (a user), the complainant, or the system."""

    kind: str
    user: Any = None

    @classmethod
    def officer(cls, user) -> Actor:
        return cls(ActorKind.OFFICER, user)

    @classmethod
    def complainant(cls) -> Actor:
        return cls(ActorKind.COMPLAINANT)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    @property
    def is_officer(self) -> bool:
        return self.kind == ActorKind.OFFICER and self.user is not None

    @property
    def is_complainant(self) -> bool:
        return self.kind == ActorKind.COMPLAINANT

    @property
    def is_system(self) -> bool:
        return self.kind == ActorKind.SYSTEM


# --- errors --------------------------------------------------------------------------------------
class TransitionError(Exception):
    """Base of the engine's refusals; ``message`` is shown to the person who tried."""

    status = 400

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class TransitionForbidden(TransitionError):
    status = 403


class TransitionConflict(TransitionError):
    """Not allowed in the current state, or the case changed since the caller looked (stale)."""

    status = 409


class TransitionInvalid(TransitionError):
    status = 400

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(_("Periksa kembali isian Anda.")))
        self.errors = errors


class UnknownTransition(LookupError):
    pass


class UnknownEvent(LookupError):
    pass


# --- declarations --------------------------------------------------------------------------------
FieldsFactory = Callable[[Any], dict[str, forms.Field]]


@dataclass(frozen=True)
class Timer:
    """The system takes this transition by itself once ``due_field`` has passed (``perform_due``).

    What the transition assigns is not declared here: it is the model's transition method, the
    same one ``perform`` applies, run on each due row. A timer transition asks for no fields, has
    one fixed target, and its ``allowed`` must admit the system.
    """

    due_field: str = "due_at"


@dataclass
class TransitionSpec:
    name: str
    label_id: str
    label_en: str
    allowed: Callable[[Any, Actor], bool]
    # Plain sentence for the complainant's public timeline (no notes, no names).
    public_id: str = ""
    public_en: str = ""
    fields: FieldsFactory | None = None
    note_required: bool = False
    # Cross-field checks and conversions after the form, for this actor (what a value may refer
    # to can depend on who acts): (obj, cleaned, actor) -> {field: [errors]}.
    clean: Callable[[Any, dict, Actor], dict[str, list[str]]] | None = None
    # Taken by the system when a deadline passes (perform_due), besides by perform.
    timer: Timer | None = None

    def label(self, language: str | None = None) -> str:
        return self.label_en if (language or get_language() or "id").startswith("en") else self.label_id

    def public_label(self, language: str | None = None) -> str:
        english = (language or get_language() or "id").startswith("en")
        return (self.public_en if english else self.public_id) or self.label(language)

    def form_fields(self, obj) -> dict[str, forms.Field]:
        return dict(self.fields(obj)) if self.fields else {}

    def form_class(self, obj) -> type[forms.Form]:
        """A Django form for this transition's fields plus the note."""
        attrs: dict[str, Any] = self.form_fields(obj)
        attrs["note"] = forms.CharField(
            label=_("Catatan"),
            required=self.note_required,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=5000,
        )
        return type(f"{self.name.title().replace('_', '')}Form", (forms.Form,), attrs)


@dataclass
class EventSpec:
    """Something recorded in an object's audit trail that changes no state (``record_event``)."""

    name: str
    label_id: str
    label_en: str

    def label(self, language: str | None = None) -> str:
        return self.label_en if (language or get_language() or "id").startswith("en") else self.label_id


# The machine's one hook for the side effects of its steps: (object, audit row) pairs that one
# actor moved through one transition, in the transaction that moved them. perform() calls it with
# a batch of one, perform_due() with each batch of a timer.
AfterTransitions = Callable[..., None]


@dataclass
class Machine:
    model: type[models.Model]
    transitions: list[TransitionSpec]
    state_field: str = "state"
    # after_transitions(pairs: list[(obj, TransitionLog)], *, actor: Actor, via: str)
    after_transitions: AfterTransitions | None = None
    # (state value, label) pairs, for the diagram.
    states: Iterable[tuple[str, str]] = field(default_factory=list)
    # Events recorded beside the steps (record_event): claims, assignments.
    events: list[EventSpec] = field(default_factory=list)
    # The field every transition method stamps with the time of the change. perform_due writes
    # its own ``now`` there, which tells the rows it moved from those a rival moved.
    changed_at_field: str | None = None
    # Relations the hook reads, loaded with each batch of a timer (select_related).
    batch_related: tuple[str, ...] = ()
    # Clocks with a deadline rule of their own that are not states (a third party's deadline in a
    # state, e.g. "agency_clarification"): (name, label) pairs, for the rules' admin.
    clocks: Iterable[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self._by_name = {spec.name: spec for spec in self.transitions}
        self._events = {spec.name: spec for spec in self.events}
        if set(self._by_name) & set(self._events):
            raise ImproperlyConfigured(
                f"events named like transitions: {set(self._by_name) & set(self._events)}"
            )
        for spec in self.transitions:
            if spec.timer and (spec.fields or spec.clean or spec.note_required):
                raise ImproperlyConfigured(f"timer transition {spec.name} cannot ask for fields or a note")
        if self.timers() and not self.changed_at_field:
            raise ImproperlyConfigured("a machine with timer transitions needs its changed_at_field")

    def spec(self, name: str) -> TransitionSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownTransition(name)

    def event(self, name: str) -> EventSpec:
        try:
            return self._events[name]
        except KeyError:
            raise UnknownEvent(name)

    def label(self, name: str, language: str | None = None) -> str:
        """A step's or an event's name as people read it (the raw name for one since removed)."""
        spec = self._by_name.get(name) or self._events.get(name)
        return spec.label(language) if spec else name

    def timers(self) -> list[TransitionSpec]:
        """The transitions the system takes by itself when a deadline passes."""
        return [spec for spec in self.transitions if spec.timer]

    def fsm_transitions(self):
        """The django-fsm declarations (sources and targets) of the model's state field."""
        state_field = self.model._meta.get_field(self.state_field)
        return list(state_field.get_all_transitions(self.model))


_registry: dict[type[models.Model], Machine] = {}


def register(machine: Machine) -> Machine:
    _registry[machine.model] = machine
    return machine


def machine_for(obj_or_model) -> Machine:
    """The machine of an object or a model (a machine is its own)."""
    if isinstance(obj_or_model, Machine):
        return obj_or_model
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = model._meta.concrete_model
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"no workflow machine registered for {model.__name__}")


def registered_machines() -> list[Machine]:
    return list(_registry.values())


# --- reading -------------------------------------------------------------------------------------
def available_transitions(obj, actor: Actor) -> list[TransitionSpec]:
    """What this actor may do to this object now (state, conditions and permission)."""
    machine = machine_for(obj)
    return [
        spec
        for spec in machine.transitions
        if can_proceed(getattr(obj, spec.name)) and spec.allowed(obj, actor)
    ]


def describe(spec: TransitionSpec, obj) -> dict:
    """A transition and the fields it needs, for an API client or a page to build its form."""
    described = []
    for name, form_field in spec.form_fields(obj).items():
        choices = getattr(form_field, "choices", None)
        described.append(
            {
                "name": name,
                "label": str(form_field.label or name),
                "required": form_field.required,
                "type": type(form_field).__name__.removesuffix("Field").lower(),
                "choices": [
                    {"value": str(value), "label": str(label)} for value, label in choices if value != ""
                ]
                if choices is not None
                else None,
            }
        )
    return {
        "name": spec.name,
        "label": spec.label(),
        "note_required": spec.note_required,
        "fields": described,
    }


# --- acting --------------------------------------------------------------------------------------
def step_input(spec: TransitionSpec, obj, data, *, prefix: str = "") -> tuple[str, dict]:
    """The note and the step's own fields from a request: a page's form or an API's JSON object.

    One parser for every interface: only the fields the step declares are read, so no key of a
    request can reach perform()'s own arguments (actor, via, …). JSON true/false become the
    form's "1"/"0" (met / not met).
    """

    def value(name: str):
        raw = data.get(prefix + name)
        if isinstance(raw, bool):
            return "1" if raw else "0"
        return raw

    fields = {name: value(name) for name in spec.form_fields(obj) if prefix + name in data}
    return str(data.get(prefix + "note", "") or ""), fields


def _jsonable(value):
    if isinstance(value, models.Model):
        return {"id": value.pk, "str": str(value)}
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if (
        isinstance(value, list | tuple | set)
        or hasattr(value, "__iter__")
        and not isinstance(value, str | dict)
    ):
        return [_jsonable(item) for item in value]
    return value


@transaction.atomic
def perform(
    obj,
    name: str,
    *,
    actor: Actor,
    via: str,
    note: str = "",
    expected_state: str | None = None,
    **fields,
) -> TransitionLog:
    """Perform transition ``name`` on ``obj`` as ``actor``; return the audit row.

    Raises TransitionForbidden (403), TransitionConflict (409), TransitionInvalid (400) or
    UnknownTransition. On return ``obj`` holds the new state and fields.
    """
    machine = machine_for(obj)
    spec = machine.spec(name)
    model = type(obj)._meta.concrete_model

    # 1. Lock first: two officers may act on the same case at once.
    locked = model._default_manager.select_for_update().get(pk=obj.pk)
    source = getattr(locked, machine.state_field)

    # 2. Stale: the case changed since the caller read it (or since the page it submits showed
    # it). The loser of a race learns that, not that it may no longer touch the case.
    seen = expected_state or getattr(obj, machine.state_field)
    if seen != source:
        raise TransitionConflict(
            str(_("Kasus ini baru saja diubah oleh orang lain. Muat ulang dan periksa lagi."))
        )

    # 3. Permission, then the transition's own state and conditions.
    if not spec.allowed(locked, actor):
        raise TransitionForbidden(str(_("Anda tidak berwenang melakukan langkah ini.")))
    method = getattr(locked, name)
    if not can_proceed(method):
        raise TransitionConflict(str(_("Langkah ini tidak dapat dilakukan pada status sekarang.")))

    # 4. Fields.
    form = spec.form_class(locked)(data={**fields, "note": note})
    if not form.is_valid():
        raise TransitionInvalid({key: [str(e) for e in errors] for key, errors in form.errors.items()})
    cleaned = dict(form.cleaned_data)
    if spec.clean:
        errors = spec.clean(locked, cleaned, actor)
        if errors:
            raise TransitionInvalid(errors)
    note = cleaned.pop("note", "") or ""

    # 5. Apply: the transition method assigns fields only.
    method(actor=actor, note=note, **cleaned)
    locked.save()

    # 6. Audit, in the same transaction.
    log = _audit_row(
        model,
        locked.pk,
        name,
        source=source,
        target=getattr(locked, machine.state_field),
        actor=actor,
        via=via,
        note=note,
        fields={key: _jsonable(value) for key, value in cleaned.items()},
        at=timezone.now(),
    )
    log.save()

    # 7. Side effects declared by the domain: the machine's one hook, with a batch of one.
    _after_transitions(machine, [(locked, log)], actor=actor, via=via)

    # Hand the caller the fresh object.
    obj.__dict__.update({k: v for k, v in locked.__dict__.items() if k != "_state"})
    obj._state.fields_cache = dict(locked._state.fields_cache)
    return log


def _audit_row(
    model, pk, name: str, *, source: str, target: str, actor: Actor, via: str, note="", fields=None, at
):
    """One audit row, as every way in writes it (unsaved)."""
    return TransitionLog(
        content_type=ContentType.objects.get_for_model(model._meta.concrete_model),
        object_id=pk,
        transition=name,
        source=source,
        target=target,
        actor=actor.user if actor.is_officer else None,
        actor_kind=actor.kind,
        via=via,
        note=note,
        fields=fields or {},
        created_at=at,
    )


def _after_transitions(machine: Machine, pairs: list, *, actor: Actor, via: str) -> None:
    if machine.after_transitions and pairs:
        machine.after_transitions(pairs, actor=actor, via=via)


# --- acting by the clock ----------------------------------------------------------------------------
def _timer_edges(machine: Machine, spec: TransitionSpec) -> tuple[list[str], str]:
    """The source states and the one target of a timer transition, from its django-fsm declaration."""
    edges = [t for t in machine.fsm_transitions() if t.name == spec.name]
    sources = [str(t.source) for t in edges]
    targets = {t.target for t in edges}
    if not edges or {"*", "+"} & set(sources):
        raise ImproperlyConfigured(f"timer transition {spec.name} needs explicit source states")
    if len(targets) != 1 or not isinstance(next(iter(targets)), str):
        raise ImproperlyConfigured(f"timer transition {spec.name} needs one fixed target")
    return sources, str(next(iter(targets)))


def _frozen(value):
    """A value as a dictionary key (JSON fields hold dicts and lists)."""
    try:
        hash(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=str)
    return value


def perform_due(obj_or_model, name: str, *, now=None, batch_size: int = 2000) -> int:
    """Take timer transition ``name`` on every object whose deadline has passed, as the system;
    return how many moved.

    The path of ``perform`` for many rows at once: each batch (one transaction) locks its due
    rows (SKIP LOCKED on PostgreSQL, so two sweeps share the work instead of colliding), checks
    the system may take the step and its conditions hold, applies the model's transition method
    to each row in memory (the one declaration of what the step assigns, so a sweep and an officer
    can never disagree on it), writes the result with one UPDATE per distinct result (one for a
    method that assigns constants) conditional on the old state, writes the audit rows in bulk
    for the rows it really moved, and calls the machine's ``after_transitions`` hook with them.

    A few queries per batch however many rows; idempotent (a row moved is not due any more); safe
    against a rival sweep: the UPDATE is conditional on the state and stamps the machine's
    ``changed_at_field`` with this run's ``now``, which tells our rows from a rival's.
    """
    machine = machine_for(obj_or_model)
    spec = machine.spec(name)
    if spec.timer is None:
        raise ImproperlyConfigured(f"{name} is not a timer transition")
    sources, target = _timer_edges(machine, spec)
    model = machine.model
    manager = model._default_manager
    state, stamp = machine.state_field, machine.changed_at_field
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    actor, via = Actor.system(), Via.SYSTEM
    now = now or timezone.now()
    moved = 0
    after_pk = None
    while True:
        with transaction.atomic():
            due = manager.filter(**{f"{state}__in": sources, f"{spec.timer.due_field}__lt": now})
            if after_pk is not None:
                due = due.filter(pk__gt=after_pk)  # a row refused below is not met again
            due = due.select_related(*machine.batch_related).order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                of = ("self",) if connection.features.has_select_for_update_of else ()
                due = due.select_for_update(skip_locked=True, of=of)
            batch = list(due[:batch_size])
            if not batch:
                break
            after_pk = batch[-1].pk

            # Steps 3 and 5 of perform, on each row in memory.
            applied, assigned = [], set()
            for obj in batch:
                source = getattr(obj, state)
                method = getattr(obj, name)
                if not spec.allowed(obj, actor) or not can_proceed(method):
                    continue
                before = {attname: getattr(obj, attname) for attname in fields}
                method(actor=actor, note="")
                assigned |= {a for a in fields if getattr(obj, a) != before[a]}
                applied.append((obj, source))
            assigned -= {stamp, *auto_now}
            written = sorted(assigned | {state})
            groups: dict[tuple, list] = {}
            for obj, source in applied:
                key = (source, tuple(_frozen(getattr(obj, attname)) for attname in written))
                groups.setdefault(key, []).append(obj)
            for (source, _values), objs in groups.items():
                values = {attname: getattr(objs[0], attname) for attname in written}
                values.update(dict.fromkeys([stamp, *auto_now], now))
                manager.filter(pk__in=[obj.pk for obj in objs], **{state: source}).update(**values)
            ids = [obj.pk for obj, _source in applied]
            ours = set(manager.filter(pk__in=ids, **{state: target, stamp: now}).values_list("pk", flat=True))

            pairs = []
            for obj, source in applied:
                if obj.pk not in ours:
                    continue  # a rival moved it meanwhile (without SKIP LOCKED)
                for attname in (stamp, *auto_now):
                    setattr(obj, attname, now)
                log = _audit_row(
                    model, obj.pk, name, source=source, target=target, actor=actor, via=via, at=now
                )
                pairs.append((obj, log))
            TransitionLog.objects.bulk_create([log for _obj, log in pairs])
            _after_transitions(machine, pairs, actor=actor, via=via)
        moved += len(pairs)
        if len(batch) < batch_size:
            break
    return moved


def run_timers(obj_or_model, *, now=None, batch_size: int = 2000) -> dict[str, int]:
    """Every timer transition of the machine, in declaration order: {name: how many moved}."""
    machine = machine_for(obj_or_model)
    now = now or timezone.now()
    return {
        spec.name: perform_due(machine.model, spec.name, now=now, batch_size=batch_size)
        for spec in machine.timers()
    }


# --- recording ------------------------------------------------------------------------------------
def creation_row(obj, *, via: str, name: str = "submit", actor: Actor | None = None) -> TransitionLog:
    """The audit row for an object that was created in its initial state (intake), unsaved: the
    caller inserts it with the object (its ``object_id`` is ``obj.pk``, None until it is saved)."""
    machine = machine_for(obj)
    state = getattr(obj, machine.state_field)
    return _audit_row(
        type(obj),
        obj.pk,
        name,
        source="",
        target=state,
        actor=actor or Actor.complainant(),
        via=via,
        at=timezone.now(),
    )


def record_event(obj, event: str, *, actor: Actor, via: str, fields: dict | None = None, note: str = ""):
    """An audit row for something that happened to ``obj`` without changing its state (the
    machine's declared ``events``: a claim, an assignment). Returns the row."""
    return record_events([(obj, fields)], event, actor=actor, via=via, note=note)[0]


def record_events(
    rows: Iterable[tuple[Any, dict | None]], event: str, *, actor: Actor, via: str, note: str = ""
):
    """The same for many objects at once, each with its own ``fields``: one INSERT.

    An event row has no source and no target (``source == target == ""``): it is no step, so the
    public timeline (``history``) and every figure counted from the steps leave it out; the
    officers' ``audit_trail`` shows it. Its fields are JSON (a model as {"id", "str"}); never put
    a confidential complainant's identity in them."""
    rows = list(rows)
    if not rows:
        return []
    machine = machine_for(rows[0][0])
    machine.event(event)  # UnknownEvent for a name the machine does not declare
    at = timezone.now()
    return TransitionLog.objects.bulk_create(
        [
            _audit_row(
                machine.model,
                obj.pk,
                event,
                source="",
                target="",
                actor=actor,
                via=via,
                note=note,
                fields={key: _jsonable(value) for key, value in (fields or {}).items()},
                at=at,
            )
            for obj, fields in rows
        ]
    )


# --- reading the trail ------------------------------------------------------------------------------
# An event row (record_event) has no target; a step always has one (creation too).
EVENT_ROWS = models.Q(target="")


def audit_trail(obj):
    """Every audit row of one object, oldest first: its steps and the events recorded beside them."""
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)._meta.concrete_model), object_id=obj.pk
    ).select_related("actor")


def history(obj):
    """The steps of one object, oldest first (what the public timeline tells): no events."""
    return audit_trail(obj).exclude(EVENT_ROWS)
