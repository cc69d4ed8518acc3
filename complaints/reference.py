"""Reference rows that change only in the admin, kept by each process (docs/architecture.md#reference-data).

Filing one complaint read the province, the regency, the intake desk (twice), the deadline rule
and the message wording: six queries for rows that change a few times a year. Each table here is
loaded whole, once, by the process that needs it, and kept:

- a save or delete of a row (the admin, a migration, a management command) drops the process'
  copy at once, and when its transaction commits it bumps one version number in the default
  cache; every other process compares its copy's version with it at most every CHECK_EVERY
  seconds and reloads what changed. An edit reaches every server within that time.
- without a shared cache (the embedded defaults: one process) the local drop is all there is;
  with the cache unreachable a copy is kept at most MAX_AGE seconds.

A table is a dict from the primary key (as text, as forms and URLs carry it) to the model
instance. Callers treat the instances as read-only.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save

logger = logging.getLogger(__name__)

CHECK_EVERY = 2.0  # seconds between two looks at the shared version
MAX_AGE = 300.0  # seconds a copy is kept when the shared version cannot be read
VERSION_KEY = "sigap:reference:version"


class _Tables:
    def __init__(self):
        self.loaders: dict[str, Callable[[], dict]] = {}
        self.models: set[type] = set()
        self.copies: dict[str, dict] = {}
        self.version: object = None
        self.checked_at = 0.0
        self.loaded_at = 0.0
        self.lock = threading.Lock()

    def get(self, name, load: Callable[[], object] | None = None):
        now = time.monotonic()
        if now - self.checked_at >= CHECK_EVERY:
            self._check(now)
        value = self.copies.get(name)
        if value is None:
            value = (load or self.loaders[name])()
            with self.lock:
                self.copies[name] = value
        return value

    def _check(self, now: float) -> None:
        try:
            version = cache.get(VERSION_KEY)
            if version is None:  # the first process to look (or the cache was emptied) sets one
                cache.add(VERSION_KEY, secrets.token_hex(8), None)
                version = cache.get(VERSION_KEY)
        except Exception:  # noqa: BLE001 - whatever the cache's client raises
            version = None
        with self.lock:
            if version is None:  # no shared version to compare with: a copy lives MAX_AGE at most
                if now - self.loaded_at >= MAX_AGE:
                    self.copies, self.loaded_at = {}, now
            elif version != self.version:
                self.copies, self.version, self.loaded_at = {}, version, now
            self.checked_at = now

    def drop(self) -> None:
        """Forget this process' copies (they are loaded again when next asked for)."""
        with self.lock:
            self.copies = {}
            self.checked_at = 0.0

    def changed(self, **_kwargs) -> None:
        self.drop()
        transaction.on_commit(self._publish, robust=True)

    def _publish(self) -> None:
        self.drop()
        try:
            cache.set(VERSION_KEY, secrets.token_hex(8), None)
        except Exception:  # noqa: BLE001 - the others reload after MAX_AGE
            logger.warning("reference: could not tell the other processes of a change", exc_info=True)


_tables = _Tables()


def register(name: str, load: Callable[[], dict], *models: type) -> None:
    """A table ``name`` read by ``load()``; a change to any of ``models`` drops it (and the others)."""
    _tables.loaders[name] = load
    for model in models:
        if model in _tables.models:
            continue
        _tables.models.add(model)
        post_save.connect(_tables.changed, sender=model, weak=False)
        post_delete.connect(_tables.changed, sender=model, weak=False)


def table(name: str) -> dict:
    """The rows of a registered table, by primary key as text."""
    return _tables.get(name)


def rows(name: str, model: type, keys) -> dict:
    """The rows of table ``name`` (of ``model``) with these primary keys, by key, from the
    process' copy. One the copy lacks, added since the process read it (an edit reaches every
    process within CHECK_EVERY), is read from the database. ``None`` among the keys is ignored."""
    kept = table(name)
    keys = set(keys) - {None}
    found = {key: kept[str(key)] for key in keys if str(key) in kept}
    missing = keys - found.keys()
    if missing:
        found.update((row.pk, row) for row in model.objects.filter(pk__in=missing))
    return found


def kept(key: tuple, build: Callable[[], object]):
    """What ``build()`` makes of the reference tables (a form's option lists as HTML), kept and
    dropped together with them. ``key`` names it, with whatever it depends on (the language)."""
    return _tables.get(("kept", *key), build)


def changed() -> None:
    """Rows changed without a model signal (bulk loads, migrations): every process reloads."""
    _tables.changed()


def drop() -> None:
    """Forget this process' copies (tests do before each test: their rows roll back unseen)."""
    _tables.drop()


# --- the tables ------------------------------------------------------------------------------------
def setup() -> None:
    """Register Sigap's reference tables (the complaints app's ready())."""
    from complaints.models import Agency, Category, HandlingUnit, Province, Regency, VulnerableGroup
    from notifications.models import MessageTemplate
    from notifications.texts import overrides
    from workflow.models import DeadlineRule

    def by_pk(queryset) -> Callable[[], dict]:
        return lambda: {str(row.pk): row for row in queryset.all()}

    register("province", by_pk(Province.objects.all()), Province)
    register("regency", by_pk(Regency.objects.all()), Regency)
    register("category", by_pk(Category.objects.filter(is_active=True)), Category)
    register("agency", by_pk(Agency.objects.filter(is_active=True)), Agency)
    # With the inactive ones, for the queue's filters and rows (old cases still carry them).
    register("category_all", by_pk(Category.objects.all()), Category)
    register("agency_all", by_pk(Agency.objects.all()), Agency)
    register("vulnerable_group", by_pk(VulnerableGroup.objects.all()), VulnerableGroup)
    register("unit", by_pk(HandlingUnit.objects.all()), HandlingUnit)
    # The complaint machine's deadline rules by (state, scope); administrators' message wordings
    # by (key, language, channel), as notifications.texts.render takes them.
    register(
        "deadline_rule",
        lambda: {(rule.state, rule.scope): rule for rule in DeadlineRule.objects.filter(machine="complaint")},
        DeadlineRule,
    )
    register("message_template", overrides, MessageTemplate)
    # A migration or a bulk load sends no model signal: the servers reload after one.
    post_migrate.connect(lambda **_kwargs: changed(), weak=False, dispatch_uid="sigap-reference-migrate")


def intake_desk_for(province_id: str | None):
    """The province's active intake desk, or the national one where it has none, from the copy."""
    from complaints.models import intake_desk_among

    return intake_desk_among(table("unit").values(), province_id)


def deadline_rule(state: str, scopes: list[str]):
    """The complaint machine's rule for ``state``: the first of ``scopes`` that has one, or None."""
    rules = table("deadline_rule")
    return next((rules[(state, scope)] for scope in scopes if (state, scope) in rules), None)
