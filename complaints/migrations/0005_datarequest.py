"""Data-subject requests (UU 27/2022 PDP): a complainant asks from /lacak/ for a correction, a
restriction of processing or an erasure; an officer who handles the case answers within 3×24 hours
(docs/domain.md#personal-data). The request and the answer are encrypted at rest."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import notifications.personal


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_forget_plain_text_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DataRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("correction", "Perbaikan data"),
                            ("restriction", "Pembatasan pemrosesan"),
                            ("erasure", "Penghapusan data"),
                        ],
                        max_length=20,
                        verbose_name="jenis permintaan",
                    ),
                ),
                ("text", notifications.personal.EncryptedTextField(verbose_name="permintaan")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="diajukan"),
                ),
                ("due_at", models.DateTimeField(verbose_name="tenggat")),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "Menunggu jawaban"), ("answered", "Dijawab")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "answer",
                    notifications.personal.EncryptedTextField(blank=True, default="", verbose_name="jawaban"),
                ),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[("done", "Dilaksanakan"), ("refused", "Ditolak")],
                        max_length=10,
                        verbose_name="hasil",
                    ),
                ),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="dijawab pada")),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="dijawab oleh",
                    ),
                ),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="data_requests",
                        to="complaints.complaint",
                    ),
                ),
            ],
            options={
                "verbose_name": "permintaan data pribadi",
                "verbose_name_plural": "permintaan data pribadi",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["state", "due_at"], name="datarequest_state_due")],
            },
        ),
    ]
