"""Personal data at rest: encrypted columns and keyed blind indexes (docs/domain.md#personal-data).

A database dump or a backup must not hold a complainant's name, NIK, NIP, phone number, email or
address, nor the texts sent to them. Such columns are ``EncryptedTextField``: Fernet (AES-128-CBC
with an HMAC-SHA256 tag) under keys kept outside the database.

- ``settings.SIGAP_DATA_KEYS``: Fernet keys, newest first. MultiFernet encrypts with the first and
  decrypts with any, so a key is rotated by putting a new one first, running
  ``manage.py rotate_personal_data`` (it re-encrypts every row under the new key), then dropping
  the old one.
- ``settings.SIGAP_INDEX_KEY``: the HMAC key of the blind indexes. Where Sigap must find a row by
  a phone number (an inbound SMS, an opt-out), it looks the number up by ``blind_index(phone)``,
  a keyed hash stored beside the encrypted value: equal numbers give equal indexes, and the index
  reveals nothing without the key. It cannot be rotated without recomputing every index.

Encrypting the same value twice gives two different tokens: an encrypted column can be read back
but never filtered or sorted on; filter on its blind index instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

# Every token starts with the Fernet version byte, base64-encoded: "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - a format marker, not a secret


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.SIGAP_DATA_KEYS))


def encrypt(value: str) -> str:
    """The token for a value ("" stays "": an empty field holds nothing to protect)."""
    if not value:
        return ""
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never the value itself in the message: it may be a plain-text leftover of personal data.
        raise ValueError("a personal-data column holds a value no configured key decrypts") from None


def rotate(token: str) -> str:
    """The same value under the newest key (MultiFernet.rotate)."""
    if not token:
        return ""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed hash of a normalised value (a phone number in E.164), for equality look-ups."""
    if not value:
        return ""
    return hmac.new(settings.SIGAP_INDEX_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def masked_address(value: str) -> str:
    """A phone number or email as an administrator may see it: enough to tell two apart, not
    enough to contact anyone (+62812•••••890, b•••@example.id)."""
    if not value:
        return ""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"{value[:6]}{'•' * max(len(value) - 9, 3)}{value[-3:]}" if len(value) > 9 else "•" * len(value)


def encrypt_rows_in_place(connection, table: str, *, pk: str, columns: tuple[str, ...], indexed: str) -> int:
    """Encrypt a table's plain-text rows where they stand and fill ``<indexed>_index``: for the
    data migrations that turn a column into an encrypted one. Raw SQL, so that no value passes
    through a field's decryption; rows already encrypted (a re-run) are left alone."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
        rows = cursor.fetchall()
    assignments = ", ".join(f"{quote(c)} = %s" for c in (*columns, f"{indexed}_index"))
    done = 0
    with connection.cursor() as cursor:
        for key, *values in rows:
            plain = dict(zip(columns, ("" if value is None else str(value) for value in values), strict=True))
            if any(value.startswith(TOKEN_PREFIX) for value in plain.values()):
                continue
            cursor.execute(
                f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                [*(encrypt(plain[c]) for c in columns), blind_index(plain[indexed]), key],
            )
            done += 1
    return done


class BlindIndexed(models.Model):
    """Keeps ``<field>_index`` equal to ``blind_index(<field>)`` on every save, for the fields named
    in ``blind_indexed``. bulk_create and update() bypass save(): set the index there by hand."""

    blind_indexed: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.prepare_indexes()
        update_fields = kwargs.get("update_fields")
        if update_fields:
            kwargs["update_fields"] = {
                *update_fields,
                *(f"{name}_index" for name in self.blind_indexed if name in update_fields),
            }
        super().save(*args, **kwargs)

    def prepare_indexes(self) -> None:
        """Set the index columns from the values (what save does first)."""
        for name in self.blind_indexed:
            setattr(self, f"{name}_index", blind_index(getattr(self, name)))


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code reads and writes plain text.

    Read it, never filter on it (each write gives another token): pair it with a blind index
    column where rows must be found by its value.
    """

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (dict, list, …) stored encrypted as one text column."""

    def from_db_value(self, value, expression, connection):
        return json.loads(decrypt(value)) if value else self.get_default()

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value) if value else self.get_default()
        return value

    def get_prep_value(self, value):
        return encrypt(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)) if value else ""

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)
