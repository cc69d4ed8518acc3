"""Personal data at rest: encrypted under keys outside the database, rotatable, found by blind index."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from complaints.intake.services import complaint_submit
from complaints.models import Identity
from notifications.personal import blind_index, decrypt, encrypt
from tests.complaints.intake_data import valid

pytestmark = pytest.mark.django_db


def stored_name(complaint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM complaints_identity WHERE complaint_id = %s", [complaint_id])
        return cursor.fetchone()[0]


def test_the_same_value_encrypts_to_different_tokens_that_read_back():
    first, second = encrypt("Budi Santoso"), encrypt("Budi Santoso")
    assert first != second and "Budi" not in first
    assert decrypt(first) == decrypt(second) == "Budi Santoso"
    assert encrypt("") == "" and decrypt("") == ""


def test_a_token_under_an_unknown_key_is_refused_without_showing_it(settings):
    token = encrypt("Budi Santoso")
    settings.SIGAP_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError) as refused:
        decrypt(token)
    assert token not in str(refused.value)


def test_the_blind_index_depends_on_its_key(settings):
    before = blind_index("+6281234567890")
    assert before == blind_index("+6281234567890") and "6281234567890" not in before
    settings.SIGAP_INDEX_KEY = "another-index-key-for-this-test-only-0123456789"
    assert blind_index("+6281234567890") != before


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_then_go(settings):
    complaint, _pin = complaint_submit(channel="web", data=valid())
    old_token = stored_name(complaint.pk)
    new_key, old_keys = Fernet.generate_key().decode(), list(settings.SIGAP_DATA_KEYS)
    settings.SIGAP_DATA_KEYS = [new_key, *old_keys]
    call_command("rotate_personal_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored_name(complaint.pk) != old_token
    settings.SIGAP_DATA_KEYS = [new_key]  # the old key is dropped
    assert Identity.objects.get(complaint=complaint).name == "Budi Santoso"


def test_rows_written_before_the_encryption_are_encrypted_where_they_stand_once():
    """What the data migrations do with rows an older Sigap wrote in plain text."""
    from notifications import contacts
    from notifications.models import Conversation, OptOut
    from notifications.personal import encrypt_rows_in_place

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_optout (phone, phone_index, channel, created_at) VALUES (%s, '', 'sms', %s)",
            ["+6281234567890", "2026-01-01T00:00:00Z"],
        )
        cursor.execute(
            "INSERT INTO notifications_conversation (phone, phone_index, channel, handler, step, data, updated_at)"
            " VALUES (%s, '', 'sms', 'lapor', 'kind', %s, %s)",
            ["+6281234567890", '{"name": "Budi"}', "2026-01-01T00:00:00Z"],
        )
    for table, columns in (
        ("notifications_optout", ("phone",)),
        ("notifications_conversation", ("phone", "data")),
    ):
        assert encrypt_rows_in_place(connection, table, pk="id", columns=columns, indexed="phone") == 1
        assert encrypt_rows_in_place(connection, table, pk="id", columns=columns, indexed="phone") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notifications_optout")
        assert "6281234567890" not in cursor.fetchone()[0]
    assert contacts.is_opted_out("+6281234567890", "sms")
    assert OptOut.objects.get().phone == "+6281234567890"
    assert Conversation.objects.get().data == {"name": "Budi"}
