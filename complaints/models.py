"""The complaint domain: reference data, officers, complaints and what hangs off them.

Convention: user-facing strings are written in Bahasa Indonesia (the msgid) and translated to
English in locale/en. Identity lives in its own table (Identity), apart from the complaint text,
so that who may read it can be restricted and every read logged.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from complaints.codes import display_code
from notifications.models import Channel as MessageChannel
from notifications.personal import BlindIndexed, EncryptedTextField, blind_index
from workflow.models import Via

# --- indexes that exist on PostgreSQL only ------------------------------------------------------
# The queue's search is full-text on PostgreSQL (a GIN index on the description's tsvector keeps
# it fast at a million complaints). The embedded default, SQLite, has no GIN: there the index is
# skipped (an empty statement) and the search falls back to a scan, which is fine at its scale.
# One migration serves both databases, as the project keeps one 0001_initial per app.

# The same expression in the index and in the query, or PostgreSQL will not use the index.
SEARCH_CONFIG = "simple"  # no stemming: Indonesian has no PostgreSQL dictionary; words match as written


def description_vector() -> SearchVector:
    return SearchVector("description", config=SEARCH_CONFIG)


class PostgresOnlyGinIndex(GinIndex):
    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


# --- choices -------------------------------------------------------------------------------------
def choice_label(choices: type[models.Choices], value):
    """The label of one value, by the enum's own lookup. Django's get_FOO_display rebuilds the
    whole choice list and translates every label on each call; the queue calls it 150 times a
    page. A value outside the choices shows as itself, as Django's does."""
    try:
        return choices(value).label
    except ValueError:
        return value


class Kind(models.TextChoices):
    MALADMINISTRATION = "maladministrasi", _("Maladministrasi")
    HAM = "ham", _("Pelanggaran HAM")
    UNKNOWN = "tidak_tahu", _("Tidak tahu")


class ReporterType(models.TextChoices):
    CITIZEN = "warga", _("Warga")
    ASN = "asn", _("ASN (aparatur sipil negara)")


class Confidentiality(models.TextChoices):
    OPEN = "terbuka", _("Terbuka")
    CONFIDENTIAL = "rahasia", _("Rahasia")
    ANONYMOUS = "anonim", _("Anonim")


# The channel a complaint, a piece of evidence or a thread message came by is the workflow
# engine's Via (the audit trail records it too), any of them but the system's.
Channel = Via


class DeskChannel(models.TextChoices):
    """How a complaint reached an intake desk that filed it on the complainant's behalf
    (/petugas/lapor/): docs/domain.md#desk-intake."""

    IN_PERSON = "in_person", _("Datang langsung")
    LETTER = "letter", _("Surat")
    PHONE = "phone", _("Telepon")
    EMAIL = "email", _("Email")


CHANNEL_CHOICES = [(value, label) for value, label in Via.choices if value != Via.SYSTEM] + list(
    DeskChannel.choices
)


class NotifyChannel(models.TextChoices):
    """How the complainant asked to hear from Sigap: one of the outbox's channels, or not at all."""

    SMS = MessageChannel.SMS.value, MessageChannel.SMS.label
    WHATSAPP = MessageChannel.WHATSAPP.value, MessageChannel.WHATSAPP.label
    EMAIL = MessageChannel.EMAIL.value, MessageChannel.EMAIL.label
    NONE = "none", _("Tidak perlu")


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Diterima")
    VERIFYING = "verifying", _("Verifikasi formal")
    MATERIAL_VERIFICATION = "material_verification", _("Verifikasi materiil")
    AWAITING_INFO = "awaiting_info", _("Menunggu kelengkapan")
    REFERRED = "referred", _("Dirujuk")
    EXAMINATION = "examination", _("Pemeriksaan")
    CLARIFICATION = "clarification", _("Klarifikasi ke instansi")
    INVESTIGATION = "investigation", _("Investigasi")
    MEDIATION = "mediation", _("Mediasi")
    CORRECTIVE_ACTION = "corrective_action", _("Tindakan korektif")
    RECOMMENDATION = "recommendation", _("Rekomendasi")
    RESOLVED = "resolved", _("Selesai")
    CLOSED = "closed", _("Ditutup")
    REJECTED = "rejected", _("Ditolak")
    WITHDRAWN = "withdrawn", _("Dicabut")
    DUPLICATE = "duplicate", _("Digabung")


# The stages of the handling unit's examination, both routes (docs/domain.md#states-and-transitions).
EXAMINATION_STATES = (
    State.EXAMINATION,
    State.CLARIFICATION,
    State.INVESTIGATION,
    State.MEDIATION,
    State.CORRECTIVE_ACTION,
    State.RECOMMENDATION,
)
OPEN_STATES = (
    State.SUBMITTED,
    State.VERIFYING,
    State.MATERIAL_VERIFICATION,
    State.AWAITING_INFO,
    State.REFERRED,
    *EXAMINATION_STATES,
    State.RESOLVED,
)
# Stages whose clock an officer runs: a case awaiting the complainant, or in its objection window
# after an outcome, is not an officer's overdue work (the sweep flags, the dashboard counts these).
OVERDUE_STATES = (
    State.SUBMITTED,
    State.VERIFYING,
    State.MATERIAL_VERIFICATION,
    State.REFERRED,
    State.EXAMINATION,
    State.INVESTIGATION,
    State.MEDIATION,
)
# Stages whose clock is the reported agency's: its answer to a clarification, its corrective
# action, its carrying out of a recommendation. due_at is then the agency's deadline (also kept in
# agency_due_at); the sweep flags an agency that misses it (agency_overdue_flagged_at).
AGENCY_STATES = (State.CLARIFICATION, State.CORRECTIVE_ACTION, State.RECOMMENDATION)
# A case in these may still be withdrawn by the complainant.
WITHDRAWABLE_STATES = (
    State.SUBMITTED,
    State.VERIFYING,
    State.MATERIAL_VERIFICATION,
    State.AWAITING_INFO,
    State.REFERRED,
    *EXAMINATION_STATES,
)


class Outcome(models.TextChoices):
    MALADMIN_PROVEN = "maladministrasi_terbukti", _("Maladministrasi terbukti")
    MALADMIN_NOT_PROVEN = "maladministrasi_tidak_terbukti", _("Maladministrasi tidak terbukti")
    MEDIATION = "mediasi", _("Diselesaikan melalui mediasi")
    RECOMMENDATION = "rekomendasi", _("Rekomendasi diterbitkan")
    HAM_INDICATED = "indikasi_ham_ada", _("Indikasi pelanggaran HAM ada")
    HAM_NOT_INDICATED = "indikasi_ham_tidak_ada", _("Indikasi pelanggaran HAM tidak ada")
    REFERRED_ELSEWHERE = "dirujuk_lembaga_lain", _("Dirujuk ke lembaga lain")
    SETTLED_BY_AGENCY = "diselesaikan_instansi", _("Diselesaikan instansi setelah klarifikasi")
    CORRECTED = (
        "tindakan_korektif_dilaksanakan",
        _("Maladministrasi terbukti; tindakan korektif dilaksanakan"),
    )
    RECOMMENDATION_CARRIED_OUT = "rekomendasi_dilaksanakan", _("Rekomendasi dilaksanakan")
    RECOMMENDATION_IGNORED = "rekomendasi_tidak_dilaksanakan", _("Rekomendasi tidak dilaksanakan")


# The outcomes an officer may choose at `resolve`, by route: the others are the result of their
# own steps (the LAHP's finding, a mediation's agreement, a recommendation followed or not).
RESOLVE_OUTCOMES = {
    "maladministrasi": (Outcome.SETTLED_BY_AGENCY, Outcome.REFERRED_ELSEWHERE),
    "ham": (Outcome.HAM_NOT_INDICATED, Outcome.SETTLED_BY_AGENCY, Outcome.REFERRED_ELSEWHERE),
}


class Finding(models.TextChoices):
    """The LAHP's conclusion (Ombudsman)."""

    FOUND = "found", _("Maladministrasi ditemukan")
    NOT_FOUND = "not_found", _("Maladministrasi tidak ditemukan")


class FollowUp(models.TextChoices):
    """What the reported agency did with a corrective action or a recommendation."""

    ON_TIME = "on_time", _("Dilaksanakan tepat waktu")
    LATE = "late", _("Dilaksanakan terlambat")
    IGNORED = "ignored", _("Tidak dilaksanakan")


class DocumentKind:
    """Kinds of the documents officers attach (Evidence.document_kind); the steps that need one
    check that the case holds it (complaints/steps.py)."""

    RECEIVED_LETTER = "surat_masuk"
    CLARIFICATION_LETTER = "surat_klarifikasi"
    AGENCY_ANSWER = "jawaban_instansi"
    REPORT = "laporan"  # the LAHP (Ombudsman) or the analysis report (Kanwil)
    RECOMMENDATION = "rekomendasi"
    OTHER = "lainnya"
    CHOICES = [
        (RECEIVED_LETTER, _("Surat masuk / pengaduan tertulis")),
        (CLARIFICATION_LETTER, _("Surat permintaan klarifikasi")),
        (AGENCY_ANSWER, _("Jawaban instansi terlapor")),
        (REPORT, _("Laporan hasil pemeriksaan (LAHP) / laporan analisis")),
        (RECOMMENDATION, _("Rekomendasi")),
        (OTHER, _("Lainnya")),
    ]


class RejectionReason(models.TextChoices):
    NOT_COMPETENT = "bukan_kewenangan", _("Bukan kewenangan Ombudsman / Kementerian HAM")
    REQUIREMENTS_NOT_MET = "syarat_tidak_terpenuhi", _("Syarat formal tidak terpenuhi")
    TOO_OLD = "lewat_dua_tahun", _("Peristiwa lebih dari 2 tahun")
    IN_COURT = "sedang_diperiksa_pengadilan", _("Sedang diperiksa pengadilan")
    NOT_PUBLIC_SERVICE = "bukan_pelayanan_publik", _("Bukan pelayanan publik")
    OTHER = "lainnya", _("Lainnya")


class UnitKind(models.TextChoices):
    INTAKE = "intake", _("Meja penerimaan / Intake desk")
    OMBUDSMAN = "ombudsman", _("Perwakilan Ombudsman RI")
    KANWIL_HAM = "kanwil_ham", _("Kanwil Kementerian HAM")


# Where each kind of complaint is referred (docs/domain.md#states-and-transitions).
DESTINATION_KIND = {Kind.MALADMINISTRATION: UnitKind.OMBUDSMAN, Kind.HAM: UnitKind.KANWIL_HAM}


class Role(models.TextChoices):
    NONE = "", _("Tanpa peran")
    INTAKE_OFFICER = "intake_officer", _("Petugas verifikasi")
    CASE_OFFICER = "case_officer", _("Petugas pemeriksa")
    SUPERVISOR = "supervisor", _("Kepala unit")
    ADMINISTRATOR = "administrator", _("Administrator")


# --- reference data ------------------------------------------------------------------------------
class Province(models.Model):
    code = models.CharField(_("kode"), max_length=2, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """Kabupaten or kota."""

    code = models.CharField(_("kode"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Kecamatan."""

    code = models.CharField(_("kode"), max_length=8, primary_key=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField(_("nama"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self) -> str:
        return self.name


def intake_desk_among(units, province_id: str | None) -> HandlingUnit:
    """Among ``units``, the province's active intake desk, or the national one (no province) where
    the province has none: the rule for the database (HandlingUnitQuerySet.intake_desk_for) and
    for the process' reference copy (complaints.reference.intake_desk_for)."""
    desks = {
        unit.province_id: unit
        for unit in units
        if unit.kind == UnitKind.INTAKE and unit.is_active and unit.province_id in (province_id, None)
    }
    return desks.get(province_id) or desks[None]


class HandlingUnitQuerySet(models.QuerySet):
    """Which unit handles a complaint: the province's intake desk, then the destination of referral."""

    def intake_desk_for(self, province_id: str | None) -> HandlingUnit:
        """The province's intake desk, or the national desk where the province has none."""
        active = self.filter(kind=UnitKind.INTAKE, is_active=True)
        return intake_desk_among(
            active.filter(province_id__in=[province_id]) | active.filter(province__isnull=True), province_id
        )

    def destination_for(self, *, kind: str, province_id: str | None) -> HandlingUnit | None:
        """The default referral destination: the Ombudsman RI office (maladministration) or the
        Kanwil Kementerian HAM (HAM) of the complaint's province. None when the kind is undecided."""
        unit_kind = DESTINATION_KIND.get(kind)
        if unit_kind is None:
            return None
        return self.filter(kind=unit_kind, province_id=province_id, is_active=True).first()


class HandlingUnit(models.Model):
    """An intake desk, an Ombudsman RI representative office or a Kanwil of the Kementerian HAM.

    A unit with no province serves the whole country (e.g. the national intake desk).
    """

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=UnitKind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = HandlingUnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit penanganan")
        verbose_name_plural = _("unit penanganan")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "province"],
                name="one_unit_per_kind_and_province",
                condition=models.Q(is_active=True),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A reported agency (instansi / OPD)."""

    class Level(models.TextChoices):
        CENTRAL = "pusat", _("Pusat")
        PROVINCE = "provinsi", _("Provinsi")
        REGENCY = "kabkota", _("Kabupaten/kota")
        OTHER = "lainnya", _("Lainnya (BUMN/BUMD, swasta penyelenggara layanan publik)")

    name = models.CharField(_("nama"), max_length=200)
    level = models.CharField(_("tingkat"), max_length=10, choices=Level.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, null=True, blank=True)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi terlapor")
        verbose_name_plural = _("instansi terlapor")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A maladministration category (PO 26/2017) or a HAM right (UU 39/1999): data, not code."""

    kind = models.CharField(
        _("jenis"), max_length=20, choices=[c for c in Kind.choices if c[0] != Kind.UNKNOWN]
    )
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=150)
    name_en = models.CharField(_("nama (Inggris)"), max_length=150)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["kind", "order", "name_id"]
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")

    def __str__(self) -> str:
        return self.name_id

    def label(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


class VulnerableGroup(models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=150)
    name_en = models.CharField(_("nama (Inggris)"), max_length=150)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["order", "name_id"]
        verbose_name = _("kelompok rentan")
        verbose_name_plural = _("kelompok rentan")

    def __str__(self) -> str:
        return self.name_id

    def label(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


# --- people --------------------------------------------------------------------------------------
class User(AbstractUser):
    """A staff account. Complainants have no account: they hold a tracking code and a PIN."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True, default="")
    unit = models.ForeignKey(
        HandlingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("unit"),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")


# --- complaints ----------------------------------------------------------------------------------
class Complaint(FSMModelMixin, models.Model):
    tracking_code = models.CharField(_("kode lacak"), max_length=12, unique=True)
    pin_hash = models.CharField(max_length=64, editable=False)
    state = FSMField(_("status"), default=State.SUBMITTED, choices=State.choices, protected=True)

    # What is reported.
    kind = models.CharField(_("jenis pengaduan"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("instansi terlapor"),
    )
    # When the complainant cannot find the agency in the list (or writes it in an SMS).
    agency_name = models.CharField(_("nama instansi (jika tidak ada di daftar)"), max_length=200, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    location = models.CharField(_("tempat kejadian"), max_length=300, blank=True)
    incident_date = models.DateField(_("tanggal kejadian"), null=True, blank=True)
    description = models.TextField(_("kronologi"))
    complained_to_agency_first = models.BooleanField(_("sudah mengadu ke instansi"), null=True, blank=True)
    desired_outcome = models.TextField(_("harapan pelapor"), blank=True)
    # A confidential or anonymous complaint keeps its text with the identifiers typed into it
    # masked (complaints/redaction.py); what was typed is kept only here, encrypted, as JSON
    # {"description": …, "desired_outcome": …, "location": …}, and read through the logged reveal.
    sealed_text = EncryptedTextField(blank=True, default="")
    vulnerable_groups = models.ManyToManyField(VulnerableGroup, blank=True, related_name="complaints")

    # Who reports and how they want to hear back.
    reporter_type = models.CharField(_("jenis pelapor"), max_length=10, choices=ReporterType.choices)
    confidentiality = models.CharField(_("kerahasiaan"), max_length=10, choices=Confidentiality.choices)
    channel = models.CharField(_("kanal"), max_length=10, choices=CHANNEL_CHOICES)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    notify_channel = models.CharField(
        _("kanal pemberitahuan"), max_length=10, choices=NotifyChannel.choices, default=NotifyChannel.NONE
    )
    consent_pdp_at = models.DateTimeField(_("persetujuan pemrosesan data"))
    # Desk intake: the officer who received it, and how the complainant gave their consent.
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diterima oleh"),
    )
    consent_method = models.CharField(_("cara persetujuan diberikan"), max_length=200, blank=True)
    # A client's Idempotency-Key (API) or the form's one-time token (web): a retried filing
    # returns the first complaint instead of a second one.
    idempotency_key = models.CharField(max_length=80, blank=True, default="", editable=False)

    # Handling.
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("unit")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("petugas"),
    )
    state_changed_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("tenggat"), null=True, blank=True)
    # While awaiting information the stage clock is paused: the state to return to and the
    # working time that was left on its clock.
    resume_state = models.CharField(max_length=30, choices=State.choices, blank=True)
    paused_remaining = models.DurationField(null=True, blank=True)
    info_requested = models.TextField(_("kelengkapan yang diminta"), blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)

    # Verification (UU 37/2008 ps. 24): None = not yet checked.
    req_identity = models.BooleanField(_("identitas jelas"), null=True, blank=True)
    req_chronology = models.BooleanField(_("kronologi jelas"), null=True, blank=True)
    req_agency_first = models.BooleanField(_("sudah mengadu ke instansi"), null=True, blank=True)
    req_within_two_years = models.BooleanField(_("peristiwa belum lewat 2 tahun"), null=True, blank=True)
    # Anonymous information taken up by the institution on its own initiative (investigasi atas
    # prakarsa sendiri): not a report under UU 37/2008 ps. 24(1).
    own_motion = models.BooleanField(_("prakarsa sendiri"), default=False)

    # The examination's stages (docs/domain.md#states-and-transitions).
    agency_due_at = models.DateTimeField(_("tenggat instansi"), null=True, blank=True)
    agency_overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    clarification_requested_at = models.DateTimeField(null=True, blank=True)
    clarification_answered_at = models.DateTimeField(null=True, blank=True)
    # Did the agency answer by its deadline? None: not asked, or not answered yet.
    clarification_on_time = models.BooleanField(null=True, blank=True)
    finding = models.CharField(_("temuan LAHP"), max_length=10, choices=Finding.choices, blank=True)
    corrective_action = models.TextField(_("tindakan korektif"), blank=True)
    corrective_action_result = models.CharField(max_length=10, choices=FollowUp.choices, blank=True)
    recommendation = models.TextField(_("rekomendasi"), blank=True)
    recommendation_result = models.CharField(max_length=10, choices=FollowUp.choices, blank=True)
    mediation_agreed = models.BooleanField(null=True, blank=True)

    # Urgency (mendesak): a risk to life, safety, liberty or health, a child, a person in
    # detention, an imminent irreversible harm (docs/domain.md#urgency). ``urgent`` is what the
    # queue sorts by: at intake, what the complainant said or what Sigap suggested; once an intake
    # officer has reviewed it, their decision (audited, with its reason).
    urgent = models.BooleanField(_("mendesak"), default=False)
    urgency_claimed = models.BooleanField(_("pelapor menyatakan mendesak"), null=True, blank=True)
    urgency_source = models.CharField(max_length=12, blank=True)  # complainant | suggested | officer
    urgency_reasons = models.JSONField(default=list, blank=True)  # why Sigap suggested it
    urgency_note = models.CharField(_("alasan keputusan kemendesakan"), max_length=300, blank=True)
    urgency_reviewed_at = models.DateTimeField(null=True, blank=True)
    urgency_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    rejection_reason = models.CharField(
        _("alasan penolakan"), max_length=40, choices=RejectionReason.choices, blank=True
    )
    suggested_body = models.CharField(_("lembaga yang disarankan"), max_length=200, blank=True)
    outcome = models.CharField(_("hasil"), max_length=40, choices=Outcome.choices, blank=True)
    public_summary = models.TextField(_("ringkasan hasil"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # When the retention period of this ended case ran out and its personal data was removed
    # (complaints/retention.py).
    personal_data_erased_at = models.DateTimeField(_("data pribadi dihapus"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )

    created_at = models.DateTimeField(_("diterima"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        indexes = [
            # The queue: a unit's cases by deadline (keyset pagination on (due_at, id)).
            models.Index(fields=["unit", "due_at", "id"], name="complaint_unit_due"),
            # The queue, urgent cases first (keyset on (urgent, due_at, id)).
            models.Index(fields=["unit", "-urgent", "due_at", "id"], name="complaint_unit_urgent_due"),
            models.Index(fields=["state", "due_at"], name="complaint_state_due"),
            # The API list: a unit's cases, newest first (cursor pagination on (created_at, id)).
            models.Index(fields=["unit", "-created_at", "-id"], name="complaint_unit_created"),
            # The queue's full-text search on the description (PostgreSQL; skipped on SQLite).
            PostgresOnlyGinIndex(description_vector(), name="complaint_description_fts"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="complaint_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality == Confidentiality.CONFIDENTIAL

    @property
    def is_anonymous(self) -> bool:
        return self.confidentiality == Confidentiality.ANONYMOUS

    # --- transitions ------------------------------------------------------------------------------
    # They only assign fields: complaints/machine.py declares who may perform each one, the fields
    # it needs and its side effects, and workflow.engine.perform runs it under a row lock.
    def _start_clock(self, state: str, *, now=None) -> None:
        from complaints.machine import due_for

        now = now or timezone.now()
        self.state_changed_at = now
        self.due_at = due_for(self, state, start=now)
        self.overdue_flagged_at = None

    def _stop_clock(self) -> None:
        self.state_changed_at = timezone.now()
        self.due_at = None
        self.overdue_flagged_at = None
        # A case that ends while paused (withdrawn awaiting information) keeps no paused clock.
        self.resume_state = ""
        self.paused_remaining = None

    def _pause_clock(self, *, now) -> None:
        """Keep what is left of this stage's clock, to put back when the case returns to it."""
        from complaints.machine import pause

        self.resume_state = self.state
        self.paused_remaining = pause(self, now=now)

    def _resume_clock(self, *, now) -> str:
        """The paused stage, with its clock put back from ``now``; returns that stage."""
        from complaints.machine import resume

        back = self.resume_state or State.VERIFYING
        self.state_changed_at = now
        self.due_at = resume(self, back, now=now)
        self.overdue_flagged_at = None
        self.resume_state = ""
        self.paused_remaining = None
        return back

    def _start_agency_clock(self, stage: str, days: int, *, now) -> None:
        """The reported agency's deadline in ``stage``: ``days`` on the calendar of its rule."""
        from complaints.machine import agency_due

        self.state_changed_at = now
        self.agency_due_at = self.due_at = agency_due(self, stage, days, start=now)
        self.overdue_flagged_at = None
        self.agency_overdue_flagged_at = None

    def _end_agency_clock(self, *, now) -> str:
        """What the agency did by its deadline: on time or late."""
        late = self.agency_due_at is not None and now > self.agency_due_at
        self.agency_overdue_flagged_at = None
        return FollowUp.LATE if late else FollowUp.ON_TIME

    def _resolve(self, outcome: str, public_summary: str, *, now=None) -> None:
        self.outcome = outcome
        self.public_summary = public_summary
        self.resolved_at = now or timezone.now()
        self.agency_due_at = None
        self.agency_overdue_flagged_at = None
        # The objection window runs from the outcome.
        self._start_clock(State.RESOLVED, now=self.resolved_at)

    # --- intake: verification at the desk ----------------------------------------------------------
    @transition(field=state, source=State.SUBMITTED, target=State.VERIFYING)
    def start_verification(self, *, actor=None, note=""):
        self._start_clock(State.VERIFYING)
        if actor is not None and actor.is_officer and self.assignee_id is None:
            self.assignee = actor.user

    @transition(field=state, source=State.VERIFYING, target=State.MATERIAL_VERIFICATION)
    def verify_formal(
        self,
        *,
        actor=None,
        note="",
        req_identity=None,
        req_chronology=None,
        req_agency_first=None,
        req_within_two_years=None,
    ):
        self.req_identity = req_identity
        self.req_chronology = req_chronology
        self.req_agency_first = req_agency_first
        self.req_within_two_years = req_within_two_years
        self._start_clock(State.MATERIAL_VERIFICATION)

    @transition(
        field=state,
        source=[State.VERIFYING, State.MATERIAL_VERIFICATION, State.EXAMINATION, State.INVESTIGATION],
        target=State.AWAITING_INFO,
    )
    def request_info(self, *, actor=None, note="", message=""):
        now = timezone.now()
        self._pause_clock(now=now)
        self.info_requested = message
        self._start_clock(State.AWAITING_INFO, now=now)

    @transition(
        field=state,
        source=State.AWAITING_INFO,
        target=RETURN_VALUE(
            State.VERIFYING, State.MATERIAL_VERIFICATION, State.EXAMINATION, State.INVESTIGATION
        ),
    )
    def provide_info(self, *, actor=None, note="", message=""):
        return self._resume_clock(now=timezone.now())

    @transition(field=state, source=State.AWAITING_INFO, target=State.WITHDRAWN)
    def expire_info(self, *, actor=None, note=""):
        self._stop_clock()

    def _send_to(self, destination, *, kind=None, category=None) -> None:
        self.kind = kind or self.kind
        if category is not None:
            self.category = category
        self._previous_unit_id = self.unit_id
        self.unit = destination
        self.assignee = None
        self._start_clock(State.REFERRED)

    @transition(field=state, source=State.MATERIAL_VERIFICATION, target=State.REFERRED)
    def refer(self, *, actor=None, note="", destination=None, kind=None, category=None):
        self._send_to(destination, kind=kind, category=category)

    @transition(field=state, source=[State.VERIFYING, State.MATERIAL_VERIFICATION], target=State.REFERRED)
    def take_up_own_motion(self, *, actor=None, note="", destination=None, kind=None, category=None):
        self.own_motion = True
        self._send_to(destination, kind=kind, category=category)

    @transition(field=state, source=[State.VERIFYING, State.MATERIAL_VERIFICATION], target=State.REJECTED)
    def reject(self, *, actor=None, note="", rejection_reason="", suggested_body=""):
        self.rejection_reason = rejection_reason
        self.suggested_body = suggested_body
        self._stop_clock()

    @transition(
        field=state,
        source=[State.SUBMITTED, State.VERIFYING, State.MATERIAL_VERIFICATION],
        target=State.DUPLICATE,
    )
    def mark_duplicate(self, *, actor=None, note="", duplicate_of=None):
        self.duplicate_of = duplicate_of
        self._stop_clock()

    # --- the handling unit: examination -----------------------------------------------------------
    @transition(field=state, source=State.REFERRED, target=State.EXAMINATION)
    def accept_referral(self, *, actor=None, note=""):
        self._start_clock(State.EXAMINATION)
        if actor is not None and actor.is_officer and self.assignee_id is None:
            self.assignee = actor.user

    @transition(
        field=state, source=State.REFERRED, target=RETURN_VALUE(State.VERIFYING, State.MATERIAL_VERIFICATION)
    )
    def return_referral(self, *, actor=None, note=""):
        self._previous_unit_id = self.unit_id
        self.unit = HandlingUnit.objects.intake_desk_for(self.province_id)
        self.assignee = None
        # Back to material verification when the formal requirements were all met; an own-motion
        # case (anonymous information) never passed formal verification.
        formal_done = not self.own_motion and all(
            (self.req_identity, self.req_chronology, self.req_agency_first, self.req_within_two_years)
        )
        back = State.MATERIAL_VERIFICATION if formal_done else State.VERIFYING
        self.own_motion = False
        self._start_clock(back)
        return back

    @transition(field=state, source=[State.EXAMINATION, State.INVESTIGATION], target=State.CLARIFICATION)
    def request_clarification(self, *, actor=None, note="", agency_days=14):
        now = timezone.now()
        self._pause_clock(now=now)
        self.clarification_requested_at = now
        self.clarification_answered_at = None
        self.clarification_on_time = None
        self._start_agency_clock(State.CLARIFICATION, agency_days, now=now)

    @transition(
        field=state,
        source=State.CLARIFICATION,
        target=RETURN_VALUE(State.EXAMINATION, State.INVESTIGATION),
    )
    def record_clarification(self, *, actor=None, note="", answered=True):
        now = timezone.now()
        if answered:
            self.clarification_answered_at = now
            self.clarification_on_time = self._end_agency_clock(now=now) == FollowUp.ON_TIME
        else:
            self.clarification_on_time = False
            self.agency_overdue_flagged_at = None
        self.agency_due_at = None
        return self._resume_clock(now=now)

    @transition(field=state, source=State.EXAMINATION, target=State.INVESTIGATION)
    def start_investigation(self, *, actor=None, note=""):
        # The examination's clock runs on: investigation is one of its ways of finding out.
        self.state_changed_at = timezone.now()

    @transition(field=state, source=[State.EXAMINATION, State.INVESTIGATION], target=State.MEDIATION)
    def start_mediation(self, *, actor=None, note=""):
        now = timezone.now()
        self._pause_clock(now=now)
        self._start_clock(State.MEDIATION, now=now)

    @transition(
        field=state,
        source=State.MEDIATION,
        target=RETURN_VALUE(State.RESOLVED, State.EXAMINATION, State.INVESTIGATION),
    )
    def end_mediation(self, *, actor=None, note="", agreed=False, public_summary=""):
        now = timezone.now()
        self.mediation_agreed = agreed
        if agreed:
            self.resume_state = ""
            self.paused_remaining = None
            self._resolve(Outcome.MEDIATION, public_summary, now=now)
            return State.RESOLVED
        return self._resume_clock(now=now)

    @transition(
        field=state,
        source=[State.EXAMINATION, State.INVESTIGATION],
        target=RETURN_VALUE(State.RESOLVED, State.CORRECTIVE_ACTION),
    )
    def issue_lahp(
        self, *, actor=None, note="", finding="", corrective_action="", agency_days=30, public_summary=""
    ):
        now = timezone.now()
        self.finding = finding
        if finding == Finding.NOT_FOUND:
            self._resolve(Outcome.MALADMIN_NOT_PROVEN, public_summary, now=now)
            return State.RESOLVED
        self.corrective_action = corrective_action
        self.public_summary = public_summary
        self._start_agency_clock(State.CORRECTIVE_ACTION, agency_days, now=now)
        return State.CORRECTIVE_ACTION

    @transition(field=state, source=State.CORRECTIVE_ACTION, target=State.RESOLVED)
    def corrective_action_done(self, *, actor=None, note="", public_summary=""):
        now = timezone.now()
        self.corrective_action_result = self._end_agency_clock(now=now)
        self._resolve(Outcome.CORRECTED, public_summary, now=now)

    @transition(
        field=state,
        source=[State.CORRECTIVE_ACTION, State.EXAMINATION, State.CLARIFICATION, State.MEDIATION],
        target=State.RECOMMENDATION,
    )
    def issue_recommendation(
        self, *, actor=None, note="", recommendation="", agency_days=60, public_summary=""
    ):
        now = timezone.now()
        if self.state == State.CORRECTIVE_ACTION:
            # The Ombudsman recommends when the corrective action was not carried out (UU 37/2008 ps. 36-38).
            self.corrective_action_result = FollowUp.IGNORED
        self.recommendation = recommendation
        if public_summary:
            self.public_summary = public_summary
        self.resume_state = ""
        self.paused_remaining = None
        self._start_agency_clock(State.RECOMMENDATION, agency_days, now=now)

    @transition(field=state, source=State.RECOMMENDATION, target=State.RESOLVED)
    def recommendation_done(self, *, actor=None, note="", carried_out=True, public_summary=""):
        now = timezone.now()
        if carried_out:
            self.recommendation_result = self._end_agency_clock(now=now)
            outcome = Outcome.RECOMMENDATION_CARRIED_OUT
        else:
            self.recommendation_result = FollowUp.IGNORED
            outcome = Outcome.RECOMMENDATION_IGNORED
        self._resolve(outcome, public_summary, now=now)

    @transition(field=state, source=[State.EXAMINATION, State.INVESTIGATION], target=State.RESOLVED)
    def resolve(self, *, actor=None, note="", outcome="", public_summary=""):
        self._resolve(outcome, public_summary)

    # --- after the outcome -------------------------------------------------------------------------
    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.EXAMINATION,
        conditions=[lambda c: c.in_objection_window],
    )
    def object(self, *, actor=None, note="", message=""):
        self._start_clock(State.EXAMINATION)

    # Never inside the objection window, by anyone: the complainant's right to object runs out first.
    @transition(
        field=state,
        source=State.RESOLVED,
        target=State.CLOSED,
        conditions=[lambda c: not c.in_objection_window],
    )
    def close(self, *, actor=None, note=""):
        self._stop_clock()

    @transition(field=state, source=list(WITHDRAWABLE_STATES), target=State.WITHDRAWN)
    def withdraw(self, *, actor=None, note="", message=""):
        self._stop_clock()
        self.agency_due_at = None
        self.agency_overdue_flagged_at = None

    @property
    def in_objection_window(self) -> bool:
        return self.state == State.RESOLVED and (self.due_at is None or self.due_at >= timezone.now())

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def tracking_code_display(self) -> str:
        """The code as the complainant received it (ABCD-2345)."""
        return display_code(self.tracking_code)

    # The labels every list row shows (Django does not replace a get_FOO_display the class defines).
    def get_state_display(self):
        return choice_label(State, self.state)

    def get_kind_display(self):
        return choice_label(Kind, self.kind)

    def get_channel_display(self):
        # The desk's channels (in person, letter, phone, email) beside the engine's (web, API, …).
        if self.channel in DeskChannel.values:
            return choice_label(DeskChannel, self.channel)
        return choice_label(Channel, self.channel)


class Identity(BlindIndexed):
    """The complainant's personal data (UU 27/2022 PDP), kept apart from the complaint and encrypted
    at rest (notifications/personal.py): a database dump holds none of it."""

    blind_indexed = ("phone", "nik")

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="identity"
    )
    # Keyed hashes for the desk's search by name, NIK or phone (docs/domain.md#personal-data):
    # exact matches only, on the normalised value (normalise_name).
    name_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    nik_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    name = EncryptedTextField(_("nama"))
    nik = EncryptedTextField(_("NIK"), blank=True)
    phone = EncryptedTextField(_("nomor telepon"), blank=True)
    # The keyed hash of the phone number in E.164: how an inbound SMS finds its sender's cases.
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    email = EncryptedTextField(_("email"), blank=True)
    address = EncryptedTextField(_("alamat"), blank=True)
    nip = EncryptedTextField(_("NIP"), blank=True)
    own_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi tempat bekerja"),
    )
    own_agency_name = EncryptedTextField(_("instansi tempat bekerja (jika tidak ada di daftar)"), blank=True)

    class Meta:
        verbose_name = _("identitas pelapor")
        verbose_name_plural = _("identitas pelapor")

    def __str__(self) -> str:
        return f"identity of {self.complaint_id}"

    def prepare_indexes(self) -> None:
        super().prepare_indexes()
        self.name_index = blind_index(normalise_name(self.name))

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_index"}
        super().save(*args, **kwargs)


def normalise_name(name: str) -> str:
    """A name as the search index keys it: case, spacing and punctuation do not matter."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in (name or "").casefold()).split())


class Evidence(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)
    # A document an officer attached (a letter received at the desk, a clarification letter, a
    # report); empty for the complainant's own evidence.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_kind = models.CharField(_("jenis dokumen"), max_length=40, blank=True)
    title = models.CharField(_("judul"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("bukti")
        verbose_name_plural = _("bukti")

    def __str__(self) -> str:
        return self.original_name


class CaseMessage(models.Model):
    """The thread of a case: messages to and from the complainant, and internal notes."""

    class Kind(models.TextChoices):
        FROM_COMPLAINANT = "from_complainant", _("Dari pelapor")
        TO_COMPLAINANT = "to_complainant", _("Kepada pelapor")
        INTERNAL = "internal", _("Catatan internal")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    body = models.TextField()
    # The complainant's own words when ``body`` had identifiers masked (see Complaint.sealed_text).
    sealed_body = EncryptedTextField(blank=True, default="")
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"], name="casemessage_thread")]


class IdentityReveal(models.Model):
    """An officer looked at a confidential complainant's identity: who, when and why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="identity_reveals")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("alasan"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class DataRequest(models.Model):
    """A complainant's request about their personal data (UU 27/2022 PDP): a correction, a
    restriction of processing or an erasure, filed from /lacak/ and answered by an officer who
    handles the case within 3×24 hours (docs/domain.md#personal-data).

    The request text may hold personal data (a corrected name, a NIK): it is encrypted at rest,
    and an officer reads a confidential case's requests only after revealing its identity."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Perbaikan data")
        RESTRICTION = "restriction", _("Pembatasan pemrosesan")
        ERASURE = "erasure", _("Penghapusan data")

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu jawaban")
        ANSWERED = "answered", _("Dijawab")

    class Outcome(models.TextChoices):
        DONE = "done", _("Dilaksanakan")
        REFUSED = "refused", _("Ditolak")

    # UU 27/2022 ps. 30, 32 and 41: 3×24 hours from the request, counted in hours, not working days.
    ANSWER_WITHIN = datetime.timedelta(hours=3 * 24)

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="data_requests")
    kind = models.CharField(_("jenis permintaan"), max_length=20, choices=Kind.choices)
    text = EncryptedTextField(_("permintaan"))
    created_at = models.DateTimeField(_("diajukan"), default=timezone.now)
    due_at = models.DateTimeField(_("tenggat"))
    state = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # The answer may repeat the personal data it corrects: encrypted like the request.
    answer = EncryptedTextField(_("jawaban"), blank=True, default="")
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dijawab oleh"),
    )
    answered_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("permintaan data pribadi")
        verbose_name_plural = _("permintaan data pribadi")
        indexes = [
            # The officers' queue: open requests, soonest deadline first.
            models.Index(fields=["state", "due_at"], name="datarequest_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.complaint_id}"

    def save(self, *args, **kwargs):
        if self.due_at is None:
            self.due_at = self.created_at + self.ANSWER_WITHIN
        super().save(*args, **kwargs)

    @property
    def is_overdue(self) -> bool:
        return self.state == self.Status.OPEN and self.due_at is not None and self.due_at < timezone.now()


class PendingMedia(models.Model):
    """One media item of a texted reply, waiting to be fetched from Twilio and attached to its case
    as evidence (complaints/sms/handlers.py: media_fetch, run by complaints.tasks.fetch_media).

    The row is the durable record of the work: written in the webhook's transaction, handed to a
    worker after the commit, handed out again by the minutely sweep when its task was lost (the
    broker was down or forgot it), and deleted in the transaction that attaches the file or
    reports why it could not be. It holds no personal data: Twilio's media URL and type."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    inbound_sid = models.CharField(max_length=64)  # Twilio's MessageSid of the reply
    index = models.PositiveSmallIntegerField()  # MediaUrl<index>
    url = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=10, choices=CHANNEL_CHOICES)
    # The reply had no text: the first item attached is the complainant's provide_info step.
    perform_step = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When the current task was handed to the broker (null: none is out); a worker's claim.
    handed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inbound_sid", "index"], name="pendingmedia_once_per_item")
        ]
        indexes = [models.Index(fields=["next_attempt_at"], name="pendingmedia_due")]

    def __str__(self) -> str:
        return f"media {self.index} of {self.inbound_sid}"
