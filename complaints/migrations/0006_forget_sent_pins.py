"""The "received" messages sent before the PIN was treated as a secret still hold it: blank their
text (the PIN exists only in the complainant's hands), and mark any still waiting as sensitive so
they are blanked once sent (complaints.messaging, notifications.tasks)."""

from django.db import migrations

RECEIVED = "received"  # complaints.messaging's key for the text that carries the PIN


def forget_sent_pins(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    waiting = ("queued", "sending")
    Message.objects.filter(template_key=RECEIVED).exclude(status__in=waiting).update(body="", sensitive=True)
    Message.objects.filter(template_key=RECEIVED, status__in=waiting).update(sensitive=True)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_datarequest"),
        ("notifications", "0002_personal_data_encrypted"),
    ]

    operations = [migrations.RunPython(forget_sent_pins, migrations.RunPython.noop)]
