"""The shorter deadlines of urgent cases (docs/domain.md#urgency), for installations migrated
before them; new installations get them from complaints/data/reference.py through 0002."""

from django.db import migrations

# Written out here: a migration must not change with the code.
URGENT_RULES = [
    ("submitted", 1, True, "Kasus mendesak: verifikasi dimulai (1 hari kerja, bawaan Sigap)"),
    ("verifying", 2, True, "Kasus mendesak: verifikasi formal (2 hari kerja, bawaan Sigap)"),
    ("material_verification", 2, True, "Kasus mendesak: verifikasi materiil (2 hari kerja, bawaan Sigap)"),
    ("referred", 1, True, "Kasus mendesak: tindak lanjut rujukan (1 hari kerja, bawaan Sigap)"),
    ("examination", 14, False, "Kasus mendesak: pemeriksaan (14 hari, bawaan Sigap)"),
    ("agency_clarification", 3, False, "Kasus mendesak: jawaban klarifikasi instansi (3 hari, bawaan Sigap)"),
]


def add_urgent_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("workflow", "DeadlineRule")
    DeadlineRule.objects.bulk_create(
        [
            DeadlineRule(
                machine="complaint", state=state, scope="urgent", days=days, working_days=working, source=src
            )
            for state, days, working, src in URGENT_RULES
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_email_updates"), ("workflow", "0001_initial")]

    operations = [migrations.RunPython(add_urgent_rules, migrations.RunPython.noop)]
