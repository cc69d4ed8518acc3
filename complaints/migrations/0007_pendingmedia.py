"""Media of texted replies waiting to be fetched from Twilio by a worker (complaints.tasks.fetch_media)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0006_forget_sent_pins"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingMedia",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("inbound_sid", models.CharField(max_length=64)),
                ("index", models.PositiveSmallIntegerField()),
                ("url", models.TextField()),
                ("content_type", models.CharField(blank=True, max_length=100)),
                (
                    "channel",
                    models.CharField(
                        choices=[("web", "Web"), ("api", "API"), ("sms", "SMS"), ("whatsapp", "WhatsApp")],
                        max_length=10,
                    ),
                ),
                ("perform_step", models.BooleanField(default=False)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("handed_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.CharField(blank=True, max_length=300)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="complaints.complaint",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["next_attempt_at"], name="pendingmedia_due")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("inbound_sid", "index"), name="pendingmedia_once_per_item"
                    )
                ],
            },
        ),
    ]
