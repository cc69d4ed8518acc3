"""A new complaint's rows written in one statement on PostgreSQL (complaints/intake/filing.py): the
same rows, value for value, as saving them one by one through the ORM."""

import datetime

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from complaints import codes
from complaints.intake import filing
from complaints.intake.services import complaint_submit
from complaints.models import Complaint, Identity
from notifications.contacts import opt_out
from notifications.models import OPTED_OUT, Message, Status
from tests.complaints.intake_data import valid
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

# Text that a merged literal must carry unchanged: quotes, a backslash, placeholders, a comment.
AWKWARD = 'Pak O\'Brien bilang "tunggu" \\ 100% %s %(x)s $1 ;-- 😀 — berkas KTP saya hilang.'

CASES = {
    "confidential, by SMS": valid(confidentiality="rahasia", description=AWKWARD),
    "open, by email": valid(notify_channel="email"),
    "anonymous, no one to tell": valid(
        confidentiality="anonim", name="", phone="", email="", nik="", address="", notify_channel="none"
    ),
    "ASN reporting their own agency": valid(
        reporter_type="asn", confidentiality="rahasia", nip="198001012005011001", own_agency_name="Dinas X"
    ),
}


def file_both_ways(data, monkeypatch):
    """The same filing twice: in one statement, then row by row; the two complaints, reloaded."""
    monkeypatch.setattr(codes, "new_pin", lambda: "482913")
    draws = iter(["AAAA2222", "BBBB3333"])
    monkeypatch.setattr(codes, "new_tracking_code", lambda: next(draws))
    one, _ = complaint_submit(channel="web", data=data)
    with monkeypatch.context() as patched:
        patched.setattr(
            filing, "_write_in_one_statement", lambda rows, _connection: filing._write_row_by_row(rows)
        )
        other, _ = complaint_submit(channel="web", data=data)
    return Complaint.objects.get(pk=one.pk), Complaint.objects.get(pk=other.pk)


def row(obj, codes_seen) -> dict:
    """Every column's value as the model reads it (decrypted), ids and the moment left out."""
    values = {}
    for field in type(obj)._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.primary_key or field.attname in ("complaint_id", "object_id", "reference"):
            continue  # the ids (a message's reference is "complaint:<id>": rows_of finds it by it)
        if isinstance(value, datetime.datetime):
            value = "a time"  # set, at this moment (both are)
        for code in codes_seen:
            value = (
                value.replace(code, "<code>").replace(codes.display_code(code), "<code>")
                if isinstance(value, str)
                else value
            )
        values[field.attname] = value
    return values


def rows_of(complaint) -> dict:
    seen = ["AAAA2222", "BBBB3333"]
    identity = Identity.objects.filter(complaint=complaint).first()
    return {
        "complaint": row(complaint, seen),
        "identity": identity and row(identity, seen),
        "log": [row(log, seen) for log in TransitionLog.objects.filter(object_id=complaint.pk)],
        "message": [row(m, seen) for m in Message.objects.filter(reference=f"complaint:{complaint.pk}")],
    }


@pytest.mark.parametrize("case", CASES)
def test_one_statement_writes_what_saving_row_by_row_writes(postgres, monkeypatch, case):
    one, other = file_both_ways(CASES[case], monkeypatch)
    written, reference = rows_of(one), rows_of(other)
    assert written == reference
    assert len(written["log"]) == 1 and written["log"][0]["transition"] == "submit"
    assert (written["identity"] is None) == (case == "anonymous, no one to tell")
    assert len(written["message"]) == (0 if case == "anonymous, no one to tell" else 1)


def test_the_awkward_text_arrives_whole(postgres, monkeypatch):
    one, _ = file_both_ways(valid(description=AWKWARD, desired_outcome="'); DROP TABLE x; --"), monkeypatch)
    assert one.description == AWKWARD
    assert one.desired_outcome == "'); DROP TABLE x; --"
    assert Complaint.objects.count() == 2


def test_an_opted_out_number_gets_a_failed_received_message_in_the_statement_too(postgres, monkeypatch):
    opt_out("+6281234567890", "sms")
    one, other = file_both_ways(valid(), monkeypatch)
    assert rows_of(one) == rows_of(other)
    message = Message.objects.get(reference=f"complaint:{one.pk}")
    assert (message.status, message.last_error, message.dispatched_at) == (Status.FAILED, OPTED_OUT, None)


def test_the_received_message_is_handed_out_once_committed(
    postgres, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as hooks:
        complaint, _ = complaint_submit(channel="web", data=valid())
    message = Message.objects.get(reference=f"complaint:{complaint.pk}")
    assert message.status == Status.QUEUED and message.dispatched_at is not None
    handed_out = [hook for hook in hooks if "schedule_send_on_commit" in hook.__qualname__]
    assert len(handed_out) == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_filing_is_one_statement(postgres):
    with CaptureQueriesContext(connection) as queries:
        complaint, _ = complaint_submit(channel="api", data=valid(confidentiality="rahasia"))
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    # The complaint, its identity, its audit row and its message: one WITH, no savepoint.
    assert [sql.split()[0] for sql in writes][:1] == ["WITH"]
    assert not any(sql.startswith(("SAVEPOINT", "INSERT")) for sql in writes[:1])
    assert Identity.objects.filter(complaint=complaint).exists()
    assert TransitionLog.objects.filter(object_id=complaint.pk, transition="submit").count() == 1


@pytest.mark.parametrize("model", [Complaint, Identity, TransitionLog, Message])
def test_no_model_signal_is_skipped_by_the_statement(model):
    # The statement sends no pre_save/post_save: a receiver added for these rows must not go unheard.
    assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)
