"""The workflow engine: one entry point performs a transition of any registered machine.

A machine is declared by the domain (complaints/machine.py): the model carries django-fsm
``@transition`` methods that only assign fields; the machine adds who may perform each one,
the fields it needs, its labels, and a hook for side effects. This module never imports the
domain.

``perform`` does, in one transaction and in this order (docs/architecture.md#an-officer-takes-a-step):
1. lock the row (two officers may act on the same case at once: exactly one wins);
2. refuse a stale request: the state changed since the caller read the object (a conflict);
3. check the actor's permission (django-fsm does not enforce ``permission=`` itself), then the
   transition's source states and conditions;
4. validate the fields the transition needs;
5. apply the transition method (fields only) and save;
6. write the audit row;
7. run the machine's ``after_transition`` hook (outbox rows in this transaction, realtime
   events scheduled for after commit).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from .models import ActorKind, TransitionLog


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


# --- declarations --------------------------------------------------------------------------------
FieldsFactory = Callable[[Any], dict[str, forms.Field]]


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
class Machine:
    model: type[models.Model]
    transitions: list[TransitionSpec]
    state_field: str = "state"
    after_transition: Callable[..., None] | None = None
    # (state value, label) pairs, for the diagram.
    states: Iterable[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self._by_name = {spec.name: spec for spec in self.transitions}

    def spec(self, name: str) -> TransitionSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownTransition(name)

    def fsm_transitions(self):
        """The django-fsm declarations (sources and targets) of the model's state field."""
        state_field = self.model._meta.get_field(self.state_field)
        return list(state_field.get_all_transitions(self.model))


_registry: dict[type[models.Model], Machine] = {}


def register(machine: Machine) -> Machine:
    _registry[machine.model] = machine
    return machine


def machine_for(obj_or_model) -> Machine:
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
    log = TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=locked.pk,
        transition=name,
        source=source,
        target=getattr(locked, machine.state_field),
        actor=actor.user if actor.is_officer else None,
        actor_kind=actor.kind,
        via=via,
        note=note,
        fields={key: _jsonable(value) for key, value in cleaned.items()},
        created_at=timezone.now(),
    )

    # 7. Side effects declared by the domain.
    if machine.after_transition:
        machine.after_transition(locked, log, actor=actor, via=via, source=source)

    # Hand the caller the fresh object.
    obj.__dict__.update({k: v for k, v in locked.__dict__.items() if k != "_state"})
    obj._state.fields_cache = dict(locked._state.fields_cache)
    return log


def record_creation(obj, *, via: str, name: str = "submit", actor: Actor | None = None) -> TransitionLog:
    """The audit row for an object that was created in its initial state (intake)."""
    machine = machine_for(obj)
    actor = actor or Actor.complainant()
    state = getattr(obj, machine.state_field)
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)._meta.concrete_model),
        object_id=obj.pk,
        transition=name,
        source="",
        target=state,
        actor=actor.user if actor.is_officer else None,
        actor_kind=actor.kind,
        via=via,
        created_at=timezone.now(),
    )


def history(obj):
    """The audit rows of one object, oldest first."""
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)._meta.concrete_model), object_id=obj.pk
    ).select_related("actor")
