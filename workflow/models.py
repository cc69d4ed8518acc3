"""Generic workflow records: the audit log of transitions, the holiday calendar and deadline rules.

This app knows nothing of complaints: a log row points at its case through a content type.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    OFFICER = "officer", _("Petugas")
    COMPLAINANT = "complainant", _("Pelapor")
    SYSTEM = "system", _("Sistem")


class Via(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SYSTEM = "system", _("Sistem")


class TransitionLog(models.Model):
    """One row per transition performed: the audit trail. Written in the transition's transaction."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.BigIntegerField()
    transition = models.CharField(max_length=50)
    source = models.CharField(max_length=30)
    target = models.CharField(max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    via = models.CharField(max_length=20, choices=Via.choices)
    note = models.TextField(blank=True)
    fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="transitionlog_case")
        ]
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")

    def __str__(self) -> str:
        return f"{self.transition}: {self.source} → {self.target}"


class Holiday(models.Model):
    """A non-working day beyond the national holidays of the ``holidays`` package: cuti bersama,
    or a day an administrator declares (decided each year by SKB of three ministers)."""

    date = models.DateField(_("tanggal"), unique=True)
    name = models.CharField(_("keterangan"), max_length=150)

    class Meta:
        ordering = ["date"]
        verbose_name = _("cuti bersama / hari libur tambahan")
        verbose_name_plural = _("cuti bersama / hari libur tambahan")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class DeadlineRule(models.Model):
    """How long a case may stay in a state: per machine, state and scope (e.g. the kind)."""

    machine = models.CharField(_("alur"), max_length=50)
    state = models.CharField(_("status"), max_length=30)
    scope = models.CharField(
        _("lingkup"), max_length=30, blank=True, help_text=_("Kosong: berlaku untuk semua jenis.")
    )
    days = models.PositiveSmallIntegerField(_("jumlah hari"))
    working_days = models.BooleanField(
        _("hari kerja"),
        default=True,
        help_text=_("Hari kerja (tanpa akhir pekan dan hari libur) atau hari kalender."),
    )
    source = models.CharField(_("dasar"), max_length=150, blank=True)

    class Meta:
        ordering = ["machine", "state", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "state", "scope"], name="one_deadline_rule_per_scope")
        ]
        verbose_name = _("aturan tenggat")
        verbose_name_plural = _("aturan tenggat")

    def __str__(self) -> str:
        unit = _("hari kerja") if self.working_days else _("hari kalender")
        return f"{self.machine}.{self.state}[{self.scope or '*'}]: {self.days} {unit}"
