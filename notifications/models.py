"""The outbox and what it needs: a message is a row first, sent later by a worker.

This app is generic: it knows phones, channels and texts, not complaints. A message points at
what it is about through ``reference`` (e.g. "complaint:123").
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


class Status(models.TextChoices):
    QUEUED = "queued", _("Antre")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim ke operator")
    DELIVERED = "delivered", _("Diterima")
    READ = "read", _("Dibaca")
    FAILED = "failed", _("Gagal")
    UNDELIVERED = "undelivered", _("Tidak sampai")


class Message(models.Model):
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    language = models.CharField(max_length=5, default="id")
    template_key = models.CharField(max_length=60)
    body = models.TextField(blank=True)
    # WhatsApp outside the 24-hour window: an approved Twilio Content template and its variables.
    content_sid = models.CharField(max_length=40, blank=True)
    content_variables = models.JSONField(default=dict, blank=True)
    reference = models.CharField(max_length=60, blank=True, db_index=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    twilio_sid = models.CharField(max_length=40, null=True, blank=True, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    error_code = models.CharField(max_length=10, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The worker's claim and the re-queue sweep look up by status and time.
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["status", "updated_at"], name="message_stuck"),
        ]
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")

    def __str__(self) -> str:
        return f"{self.channel} {self.template_key} → {self.status}"


class OptOut(models.Model):
    """STOP / BERHENTI: this number receives nothing more on this channel until MULAI / START."""

    phone = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["phone", "channel"], name="one_optout_per_channel")]
        verbose_name = _("berhenti berlangganan")
        verbose_name_plural = _("berhenti berlangganan")

    def __str__(self) -> str:
        return f"{self.channel}:{self.phone}"


class Contact(models.Model):
    """When a number last wrote to us on a channel: WhatsApp allows free text for 24 hours after."""

    phone = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    last_inbound_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["phone", "channel"], name="one_contact_per_channel")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.phone}"


class InboundMessage(models.Model):
    """A message a person sent us. The MessageSid is unique: a webhook Twilio retries is handled once."""

    sid = models.CharField(max_length=40, unique=True)
    phone = models.CharField(max_length=20, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    body = models.TextField(blank=True)
    media = models.JSONField(default=list, blank=True)
    reply = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("pesan masuk")

    def __str__(self) -> str:
        return f"{self.channel}:{self.sid}"


class Conversation(models.Model):
    """A guided exchange over SMS/WhatsApp, kept in the database so it survives a restart."""

    phone = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    handler = models.CharField(max_length=30)
    step = models.CharField(max_length=30)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone", "channel"], name="one_conversation_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.handler}@{self.step} {self.channel}:{self.phone}"
