"""Officers' API tokens moved from DRF's authtoken (keys stored in plain text) to django-rest-knox
(only a digest is stored). The old keys cannot be turned into knox's digests without handing them
out again, so they stop working and officers create new ones at /petugas/token-api/ (README).

Removing rest_framework.authtoken from INSTALLED_APPS leaves its table behind; this empties it,
so the old keys are no longer readable at rest. Irreversible by nature: the reverse does nothing."""

from django.db import migrations

DRF_TABLE = "authtoken_token"


def forget_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TABLE not in connection.introspection.table_names():
        return  # a database created after the move, or DRF's tables already dropped
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(DRF_TABLE)}")  # noqa: S608 - a constant


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_personal_data_encrypted"),
    ]

    operations = [
        migrations.RunPython(forget_drf_tokens, migrations.RunPython.noop, elidable=True),
    ]
