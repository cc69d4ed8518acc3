"""The outbox and what it needs: a message is a row first, sent later by a worker.

This app is generic: it knows phones, channels and texts, not complaints. A message points at
what it is about through ``reference`` (e.g. "complaint:123").
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .personal import BlindIndexed, EncryptedJSONField, EncryptedTextField, masked_address


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


class Message(BlindIndexed):
    """One message to one person. Its recipient and text are personal data, encrypted at rest
    (personal.py); a text that carries a secret (the PIN) is ``sensitive``: blanked once sent."""

    blind_indexed = ("recipient",)

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = EncryptedTextField()
    recipient_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    language = models.CharField(max_length=5, default="id")
    template_key = models.CharField(max_length=60)
    body = EncryptedTextField(blank=True)
    sensitive = models.BooleanField(default=False)
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
    # When a task for this message was last handed to the broker; cleared when a worker takes it.
    # While it is set, the re-queue hands out no second task (outbox.requeue_due).
    dispatched_at = models.DateTimeField(null=True, blank=True)

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

    @property
    def reason(self) -> str:
        """Why the message did not arrive, in words an officer can act on ("" when it did)."""
        if self.status == Status.QUEUED and self.last_error:
            return str(_("Akan dicoba lagi: %(error)s")) % {"error": self.last_error}
        if self.status not in (Status.FAILED, Status.UNDELIVERED):
            return ""
        if self.last_error == OPTED_OUT:
            return str(_("Penerima memilih berhenti menerima pesan (BERHENTI/STOP) di kanal ini."))
        known = ERROR_REASONS.get(self.error_code)
        if known:
            return f"{known} ({self.error_code})"
        if self.last_error.startswith(GAVE_UP):
            return str(_("Gagal setelah %(n)s percobaan: %(error)s")) % {
                "n": self.attempts,
                "error": self.last_error.removeprefix(GAVE_UP).strip(": "),
            }
        return self.last_error or str(_("Gagal tanpa keterangan dari operator."))


# Kept in last_error; Message.reason words them for officers.
OPTED_OUT = "opted out"
GAVE_UP = "gave up"
# Twilio error codes officers meet most (https://www.twilio.com/docs/api/errors), said plainly.
ERROR_REASONS = {
    "21211": _("Nomor telepon tidak valid."),
    "21214": _("Nomor telepon tidak dapat dihubungi."),
    "21408": _("Negara tujuan tidak diaktifkan di akun Twilio."),
    "21610": _("Penerima telah berhenti berlangganan (STOP) di Twilio."),
    "21612": _("Nomor ini tidak dapat menerima pesan dari pengirim kita."),
    "21614": _("Nomor ini bukan nomor seluler."),
    "30003": _("Ponsel penerima tidak aktif atau di luar jangkauan."),
    "30004": _("Pesan diblokir oleh penerima atau operator."),
    "30005": _("Nomor tidak dikenal oleh operator."),
    "30006": _("Nomor telepon rumah atau operator tidak mendukung SMS."),
    "30007": _("Pesan disaring operator sebagai spam."),
    "30008": _("Kegagalan tidak dikenal di operator."),
    "63016": _("Di luar jendela 24 jam WhatsApp dan tanpa templat yang disetujui."),
    "63024": _("Penerima WhatsApp tidak valid."),
}


class EarlyStatus(models.Model):
    """A delivery status Twilio reported for a SID no message holds yet.

    Twilio may call back before the worker that sent the message has saved the SID Twilio gave
    it (status.record_status); the status waits here and is applied when the SID is saved
    (status.apply_early_statuses). One that no message ever claims (the worker died between
    Twilio's answer and saving it) is deleted after a week by the re-queue task."""

    sid = models.CharField(max_length=40, db_index=True)
    twilio_status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=10, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("status pengiriman menunggu")
        verbose_name_plural = _("status pengiriman menunggu")

    def __str__(self) -> str:
        return f"{self.sid} {self.twilio_status}"


class OptOut(BlindIndexed):
    """STOP / BERHENTI: this number receives nothing more on this channel until MULAI / START."""

    blind_indexed = ("phone",)

    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, default="", editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone_index", "channel"], name="one_optout_per_channel")
        ]
        verbose_name = _("berhenti berlangganan")
        verbose_name_plural = _("berhenti berlangganan")

    def __str__(self) -> str:
        return f"{self.channel}:{masked_address(self.phone)}"


class Contact(BlindIndexed):
    """When a number last wrote to us on a channel: WhatsApp allows free text for 24 hours after."""

    blind_indexed = ("phone",)

    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, default="", editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    last_inbound_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone_index", "channel"], name="one_contact_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{masked_address(self.phone)}"


class MessageTemplate(models.Model):
    """An administrator's wording of one message (key, language, channel), over the shipped default.

    The shipped defaults live in code (the domain registers them with ``notifications.texts``), so a
    new installation needs no data. A row here replaces the default's text for that language, on
    one channel or (channel left empty) on every channel; ``content_sid`` names the approved
    WhatsApp Content template used outside the 24-hour window.
    """

    class Language(models.TextChoices):
        ID = "id", _("Bahasa Indonesia")
        EN = "en", _("Inggris")

    key = models.CharField(_("kunci"), max_length=60)
    language = models.CharField(_("bahasa"), max_length=5, choices=Language.choices, default="id")
    channel = models.CharField(
        _("kanal"), max_length=10, choices=Channel.choices, blank=True, help_text=_("Kosong: semua kanal.")
    )
    body = models.TextField(
        _("teks"), blank=True, help_text=_("Kosong: teks bawaan. Isian seperti {code} diganti saat dikirim.")
    )
    content_sid = models.CharField(
        _("Content SID WhatsApp"),
        max_length=40,
        blank=True,
        help_text=_("Templat WhatsApp yang disetujui (HX…), dipakai di luar jendela 24 jam."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key", "language", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language", "channel"], name="one_template_per_variant")
        ]
        verbose_name = _("templat pesan")
        verbose_name_plural = _("templat pesan")

    def __str__(self) -> str:
        return f"{self.key} [{self.language}{'/' + self.channel if self.channel else ''}]"


class InboundMessage(BlindIndexed):
    """A message a person sent us. The MessageSid is unique: a webhook Twilio retries is handled once.
    The number, the text and the reply (which may hold a new complaint's PIN) are encrypted."""

    blind_indexed = ("phone",)

    sid = models.CharField(max_length=40, unique=True)
    phone = EncryptedTextField(blank=True)
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    body = EncryptedTextField(blank=True)
    media = models.JSONField(default=list, blank=True)
    reply = EncryptedTextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)  # retention purges by it

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("pesan masuk")

    def __str__(self) -> str:
        return f"{self.channel}:{self.sid}"


class Conversation(BlindIndexed):
    """A guided exchange over SMS/WhatsApp, kept in the database so it survives a restart. The
    number and the answers so far (a complaint being told) are encrypted."""

    blind_indexed = ("phone",)

    phone = EncryptedTextField()
    phone_index = models.CharField(max_length=64, default="", editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    handler = models.CharField(max_length=30)
    step = models.CharField(max_length=30)
    data = EncryptedJSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone_index", "channel"], name="one_conversation_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.handler}@{self.step} {self.channel}:{masked_address(self.phone)}"
