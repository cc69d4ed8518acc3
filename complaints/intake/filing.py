"""Writing a newly filed complaint: its row, its complainant's identity, its first audit row and
the 'received' message, built beforehand as unsaved model instances (docs/architecture.md,
*Filing in one statement*).

On PostgreSQL the rows go in one statement: one round trip and, outside a caller's transaction,
no BEGIN and COMMIT of its own (a single statement is atomic by itself). The complaint's row is
inserted first and the other rows take its id from it inside the statement, so nothing waits on
an answer in between. The SQL is built once per shape from the models' own fields, and every value
goes through its field as Django's save would prepare it (``pre_save``, ``get_db_prep_save``:
encryption, JSON, ``auto_now``). Four INSERTs through the ORM cost a third of a filing's CPU, and
with the opt-out look-up, BEGIN and COMMIT seven round trips instead of one. Elsewhere (SQLite, the embedded default) the rows are saved one by one.

What the statement does not do, by design: it sends no model signals (none of these four models
has a receiver; a test keeps it so) and it writes no many-to-many rows (the caller's, after it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, models, router
from django.utils import timezone
from psycopg.adapt import Transformer

from complaints.messaging import MESSAGE_REFERENCE, message_reference
from complaints.models import Complaint, Identity
from notifications import outbox
from notifications.models import OPTED_OUT, Message
from notifications.models import Status as MessageStatus
from workflow.models import TransitionLog


@dataclass
class Filing:
    """The rows of one filing, unsaved. ``message``: the 'received' message, or None (answered by
    the reply to an SMS, or no way to reach the complainant); its ``reference`` is completed with
    the complaint's id when it is written (messaging.message_reference)."""

    complaint: Complaint
    identity: Identity | None
    log: TransitionLog
    message: Message | None


def in_one_statement() -> bool:
    """Whether ``write`` is one statement that needs no transaction around it: on PostgreSQL, and
    outside a caller's transaction (inside one, a refused insert would abort the caller's whole
    transaction: a savepoint around it is still wanted)."""
    connection = _connection()
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def write(filing: Filing) -> None:
    """Insert the filing's rows. Afterwards each has its primary key, and the message is queued
    with its send handed to the workers on commit, or failed at once for an opted-out recipient
    (notifications.outbox, as ``enqueue``)."""
    connection = _connection()
    if connection.vendor == "postgresql":
        _write_in_one_statement(filing, connection)
    else:
        _write_row_by_row(filing)


def _connection():
    return connections[router.db_for_write(Complaint)]


def _write_row_by_row(filing: Filing) -> None:
    complaint = filing.complaint
    complaint.save(force_insert=True)
    if filing.identity is not None:
        filing.identity.complaint = complaint
        filing.identity.save(force_insert=True)
    filing.log.object_id = complaint.pk
    filing.log.save(force_insert=True)
    if filing.message is not None:
        filing.message.reference = message_reference(complaint.pk)
        outbox.enqueue_message(filing.message)


# --- PostgreSQL: one statement ----------------------------------------------------------------------
# The columns of each table that the statement fills from the complaint's new id, or from whether
# the recipient opted out, rather than from the instance.
_DERIVED = {
    Identity: {"complaint_id": "c.id"},
    TransitionLog: {"object_id": "c.id"},
    Message: {
        "reference": "%s || c.id",
        "status": "CASE WHEN o.opted_out THEN %s ELSE %s END",
        "last_error": "CASE WHEN o.opted_out THEN %s ELSE %s END",
        "dispatched_at": "CASE WHEN o.opted_out THEN NULL ELSE %s END",
    },
}


@functools.cache
def _plain_fields(model) -> tuple:
    """The fields whose values come from the instance, in the statement's column order."""
    derived = _DERIVED.get(model, {})
    meta = model._meta
    return tuple(
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field and field.attname not in derived
    )


def _columns(model, quote) -> str:
    names = [field.column for field in _plain_fields(model)]
    names += [model._meta.get_field(attname).column for attname in _DERIVED.get(model, {})]
    return ", ".join(quote(name) for name in names)


def _selected(model) -> str:
    return ", ".join(["%s"] * len(_plain_fields(model)) + list(_DERIVED.get(model, {}).values()))


@functools.cache
def _statement(with_identity: bool, with_message: bool, opted_out_sql: str, quote) -> str:
    """Built from the models' names (quoted) and fixed SQL: every value is a parameter."""
    parts = [_inserted("c", Complaint, quote)]
    if with_identity:
        parts.append(_inserted("i", Identity, quote, source="c", returning=False))
    parts.append(_inserted("l", TransitionLog, quote, source="c"))
    answer = "c.id, (SELECT id FROM l), NULL, NULL"
    if with_message:
        parts.append(f"o AS (SELECT EXISTS ({opted_out_sql}) AS opted_out)")
        parts.append(_inserted("m", Message, quote, source="c, o"))
        answer = "c.id, (SELECT id FROM l), (SELECT id FROM m), (SELECT opted_out FROM o)"
    return f"WITH {', '.join(parts)} SELECT {answer} FROM c"  # noqa: S608


def _inserted(name: str, model, quote, *, source: str = "", returning: bool = True) -> str:
    """``name AS (INSERT INTO <table> (<columns>) VALUES (…) [RETURNING id])``, or its rows
    selected ``FROM source`` (the CTEs before it)."""
    rows = f"SELECT {_selected(model)} FROM {source}" if source else f"VALUES ({_selected(model)})"  # noqa: S608
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({_columns(model, quote)}) {rows}"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)} AS id"
    return f"{name} AS ({sql})"


def _values(obj, connection) -> list:
    """The instance's values as Django's INSERT would send them: through each field's ``pre_save``
    and ``get_db_prep_save``, except a plain value of a plain field, which those return unchanged
    (a str of a CharField, an int of an IntegerField or of a ForeignKey to an integer key…)."""
    values = []
    for field, as_is in _preparation(type(obj)):
        value = getattr(obj, field.attname)
        if as_is is None or (type(value) is not as_is and value is not None):
            value = field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
        values.append(value)
    return values


# Field classes (exactly these, not subclasses: an encrypted text field is a TextField) whose
# pre_save reads the attribute and whose get_db_prep_save returns a value of this type unchanged.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
}


@functools.cache
def _preparation(model) -> tuple:
    """(field, the type its value may have to go as it is, or None) for each of _plain_fields.
    None goes as it is for every such field (their null is NULL)."""

    def as_is(field):
        if type(field) in (models.ForeignKey, models.OneToOneField):
            return as_is(field.target_field)
        if type(field) in (models.DateTimeField, models.DateField, models.DurationField):
            # Only None goes as it is (a date is adapted); auto_now fields are always prepared.
            auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            return None if auto else type(None)
        return _PLAIN.get(type(field))

    return tuple((field, as_is(field)) for field in _plain_fields(model))


def _write_in_one_statement(filing: Filing, connection) -> None:
    complaint, identity, log, message = filing.complaint, filing.identity, filing.log, filing.message
    params = _values(complaint, connection)
    if identity is not None:
        identity.prepare_indexes()
        params += _values(identity, connection)
    params += _values(log, connection)
    opted_out_sql = "SELECT 1 WHERE false"
    if message is not None:
        message.prepare_indexes()
        check = outbox.opted_out_check(message, connection)
        if check is not None:
            opted_out_sql, check_params = check
            params += check_params
        now = timezone.now()
        params += _values(message, connection)
        params += [
            MESSAGE_REFERENCE,
            MessageStatus.FAILED,
            MessageStatus.QUEUED,
            OPTED_OUT,
            message.last_error,
            now,
        ]
    sql = _statement(identity is not None, message is not None, opted_out_sql, connection.ops.quote_name)
    with connection.cursor() as cursor:
        cursor.execute(_merged(sql, params, cursor.cursor))
        complaint_id, log_id, message_id, opted_out = cursor.fetchone()

    complaint.pk = complaint_id
    _saved(complaint, connection)
    if identity is not None:
        identity.complaint = complaint
        _saved(identity, connection)
    log.pk, log.object_id = log_id, complaint_id
    _saved(log, connection)
    if message is not None:
        message.pk, message.reference = message_id, message_reference(complaint_id)
        _saved(message, connection)
        outbox.settle_enqueued(message, opted_out=opted_out, at=now)


def _merged(sql: str, params: list, cursor) -> bytes:
    """The statement with its values in place as quoted literals, as Django's psycopg cursor
    merges them (client-side binding), by psycopg's own quoting. psycopg parses a statement anew
    for every execution once it has more than 50 parameters (its cache leaves those out): a tenth
    of a filing's CPU. Here it is split once."""
    quote = Transformer.from_context(cursor).as_literal
    pieces = _pieces(sql)
    merged = [pieces[0]]
    for value, piece in zip(params, pieces[1:], strict=True):
        merged.append(b"NULL" if value is None else quote(value))
        merged.append(piece)
    return b"".join(merged)


@functools.cache
def _pieces(sql: str) -> tuple[bytes, ...]:
    """The statement around its ``%s`` placeholders (it has no other ``%``)."""
    assert "%" not in sql.replace("%s", ""), "only %s placeholders"  # noqa: S101
    return tuple(sql.encode().split(b"%s"))


def _saved(obj, connection) -> None:
    """What Django's save leaves on an instance it inserted."""
    obj._state.adding = False
    obj._state.db = connection.alias
