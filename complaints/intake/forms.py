"""The intake form: the one place a complaint is validated, whatever channel it came by.

The web page renders it, the API feeds its JSON into it, the SMS/WhatsApp conversation fills it
step by step. Every free-text field is sanitised (complaints.sanitize.clean_text) as it is
cleaned; errors are in the active language, next to the field they are about.
"""

from __future__ import annotations

import copy
import secrets
import zipfile

import filetype
import phonenumbers
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import reference
from complaints.models import (
    Agency,
    Category,
    Confidentiality,
    Kind,
    NotifyChannel,
    Province,
    Regency,
    ReporterType,
    VulnerableGroup,
)
from complaints.sanitize import clean_text
from notifications.contacts import e164, parse_phone

# Evidence types, detected from the bytes; the file name's extension must agree.
ALLOWED_TYPES = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/png": {"png"},
    "video/mp4": {"mp4"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
}
ALLOWED_EXTENSIONS = set().union(*ALLOWED_TYPES.values())
# The extension a file is stored and shown with when its name named another allowed type.
EXTENSION_FOR = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "video/mp4": "mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
# Updates by SMS or WhatsApp need a number that can receive them: a mobile number (+628…).
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
TEXTED_CHANNELS = ("sms", "whatsapp")


def normalise_phone(value: str) -> str:
    """08…, 62…, +62… with spaces or dashes → E.164 (+62…); ValidationError otherwise."""
    number = parse_phone(value)
    if number is None or number.country_code != 62 or not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(
            _("Nomor telepon tidak valid. Contoh: 0812-3456-7890 atau +62 812 3456 7890."), code="phone"
        )
    return e164(number)


def is_mobile(phone: str) -> bool:
    """An E.164 number that can receive SMS and WhatsApp: Indonesian mobile numbers (+628…)."""
    number = parse_phone(phone)
    return number is not None and phonenumbers.number_type(number) in MOBILE_TYPES


def _digits(value: str, length: int, message) -> str:
    digits = "".join(ch for ch in value if not ch.isspace())
    if digits and (len(digits) != length or not digits.isdigit()):
        raise forms.ValidationError(message)
    return digits


def evidence_type(upload) -> str | None:
    """The evidence's MIME type read from its bytes, or None if it is not an allowed kind."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in ("application/zip", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
        # A DOCX is a zip with a Word document inside; any other zip is refused.
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        finally:
            upload.seek(0)
        mime = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "word/document.xml" in names
            else None
        )
    return mime if mime in ALLOWED_TYPES else None


def validate_evidence(files) -> list:
    """Check count, size, name and type of evidence files; raise ValidationError (all problems)."""
    files = list(files or [])
    errors = []
    if len(files) > settings.SIGAP_EVIDENCE_MAX_FILES:
        raise forms.ValidationError(
            _("Paling banyak %(max)s berkas bukti.") % {"max": settings.SIGAP_EVIDENCE_MAX_FILES}
        )
    limit_mb = settings.SIGAP_EVIDENCE_MAX_BYTES // (1024 * 1024)
    for upload in files:
        name = upload.name or ""
        if any(part in name for part in ("/", "\\", "\x00")) or name.startswith(".") or ".." in name:
            errors.append(_("Nama berkas %(name)s tidak diperbolehkan.") % {"name": name[:60]})
            continue
        if upload.size > settings.SIGAP_EVIDENCE_MAX_BYTES:
            errors.append(_("Berkas %(name)s lebih dari %(mb)s MB.") % {"name": name[:60], "mb": limit_mb})
            continue
        mime = evidence_type(upload)
        stem, _dot, extension = name.rpartition(".")
        if mime is None or not stem or extension.lower() not in ALLOWED_EXTENSIONS:
            errors.append(_("Berkas %(name)s bukan PDF, JPEG, PNG, MP4 atau DOCX.") % {"name": name[:60]})
            continue
        if extension.lower() not in ALLOWED_TYPES[mime]:
            # A photo saved as .jpg that is really a PNG (phones and chat apps do this): the bytes
            # decide, and the file is stored and shown with the extension of what it is.
            upload.name = f"{stem}.{EXTENSION_FOR[mime]}"
        upload.sigap_content_type = mime
    if errors:
        raise forms.ValidationError(errors)
    return files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.mp4,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return validate_evidence(files)


YES_NO = [("1", _("Ya")), ("0", _("Belum"))]
# In an anonymous complaint's cleaned data: the identifiers typed and then left out, to mask with.
WITHHELD_IDENTITY = "withheld_identity"
TEXT_FIELDS = (
    "name",
    "address",
    "own_agency_name",
    "agency_name",
    "location",
    "description",
    "desired_outcome",
)


def _copy_sharing_choices(field: forms.Field, memo: dict) -> forms.Field:
    """The copy a form makes of a choice field (Django's Field and Widget copies: the widget's
    attrs, error messages and validators its own), with the choices shared instead of copied: a
    form changes them only by assigning new ones. Django's copy normalises and copies the choices
    twice, the field's and the widget's, for every form created: a third of creating the intake
    form. Also the copy of a plain field, which has no choices (_FieldsCopiedFast)."""
    result = _shallow(field)
    memo[id(field)] = result
    widget = _shallow(field.widget)
    widget.attrs = field.widget.attrs.copy()
    memo[id(field.widget)] = widget
    result.widget = widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    return result


def _shallow(obj):
    """``copy.copy`` of a plain object (a field, a widget: attributes in its ``__dict__``), without
    going through the pickle protocol, which was most of the cost of copying a form's fields."""
    copied = type(obj).__new__(type(obj))
    copied.__dict__.update(obj.__dict__)
    return copied


class _FieldsCopiedFast(dict):
    """A form class's fields (``base_fields``), which every new form deep-copies: a plain field
    with a plain widget is copied as Django's own copies do (Field and Widget ``__deepcopy__``),
    in one step; any other field by its own ``__deepcopy__``."""

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field: forms.Field, memo: dict) -> forms.Field:
    if (
        type(field).__deepcopy__ is _PLAIN_FIELD_COPY
        and type(field.widget).__deepcopy__ is _PLAIN_WIDGET_COPY
    ):
        return _copy_sharing_choices(field, memo)
    return copy.deepcopy(field, memo)


_PLAIN_FIELD_COPY, _PLAIN_WIDGET_COPY = forms.Field.__deepcopy__, forms.Widget.__deepcopy__


class _FieldsCopiedFastMetaclass(forms.forms.DeclarativeFieldsMetaclass):
    """Gives the form class (and each subclass) _FieldsCopiedFast as its ``base_fields``."""

    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = _FieldsCopiedFast(new_class.base_fields)
        return new_class


class _SharedChoices:
    """A choice field over a fixed list of (value, label) pairs: each form's copy shares it."""

    def __deepcopy__(self, memo):
        return _copy_sharing_choices(self, memo)


class FixedChoiceField(_SharedChoices, forms.ChoiceField):
    pass


class FixedTypedChoiceField(_SharedChoices, forms.TypedChoiceField):
    pass


class YesNoUnknownField(FixedTypedChoiceField):
    """Yes, no, or not said (None). Takes "1"/"0" as the web form sends them, and also true/false,
    ya/tidak or yes/no as an API client may (a JSON true or false included)."""

    WORDS = {
        "1": "1", "true": "1", "ya": "1", "yes": "1", "y": "1",
        "0": "0", "false": "0", "tidak": "0", "no": "0", "n": "0",
    }  # fmt: skip

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", lambda value: value == "1")
        kwargs.setdefault("empty_value", None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, bool):
            value = "1" if value else "0"
        value = super().to_python(value)
        return self.WORDS.get(value.strip().casefold(), value)


# Urgent (mendesak): what counts (docs/domain.md#urgency). Sigap also suggests it from the
# complaint (complaints/urgency.py); an officer confirms or changes it.
URGENT_CHOICES = [("1", _("Ya, mendesak")), ("0", _("Tidak")), ("", _("Tidak tahu"))]
URGENT_HELP = _(
    "Mendesak: ada bahaya bagi nyawa, keselamatan, kebebasan atau kesehatan seseorang (misalnya "
    "kekerasan, penahanan, ditolak di IGD), menyangkut anak atau orang yang ditahan, atau kerugian yang "
    "segera terjadi dan tidak dapat dipulihkan. Pengaduan mendesak ditangani lebih dulu."
)


class LabelledModelChoiceField(forms.ModelChoiceField):
    """Reference data with Indonesian/English labels (name_id / name_en)."""

    def label_from_instance(self, obj):
        from django.utils.translation import get_language

        return obj.label(get_language() or "id") if hasattr(obj, "label") else str(obj)


class _ReferenceChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        if not self.field.whole_table:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in reference.table(self.field.table).values():
            yield self.choice(row)

    def __len__(self):
        if not self.field.whole_table:
            return super().__len__()
        return len(reference.table(self.field.table)) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or len(self) > 0


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice of a reference row (complaints.reference: provinces, regencies, agencies,
    categories): the submitted value is looked up in the process' copy of the table, not in the
    database, and the choices are listed from it, in the table's order. ``queryset`` must be the
    table's own rows; a form that narrows it later (``field.queryset = …``) goes to the database."""

    iterator = _ReferenceChoiceIterator

    def __init__(self, table: str, **kwargs):
        self.table = table
        super().__init__(**kwargs)
        self.whole_table = True

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.whole_table = False

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def __deepcopy__(self, memo):
        if not self.whole_table:
            return super().__deepcopy__(memo)
        # Every form copies its fields. ModelChoiceField's copy clones the queryset (a third of
        # the cost of creating the intake form); over the whole table it is never run, so the
        # copy shares it, with a choice iterator of its own (what the clone was for).
        result = _copy_sharing_choices(self, memo)
        result._queryset = self._queryset
        result.widget.choices = result.choices
        result.whole_table = True
        return result

    def to_python(self, value):
        if not self.whole_table:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            key = str(self.queryset.model._meta.pk.to_python(value))
        except ValidationError:
            key = None
        row = reference.table(self.table).get(key) if key is not None else None
        if row is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return row


class LabelledReferenceChoiceField(ReferenceChoiceField, LabelledModelChoiceField):
    pass


class LabelledModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if not value and not self.required:
            return []  # nothing chosen: no empty queryset to build and run on every complaint
        return super().clean(value)

    def label_from_instance(self, obj):
        from django.utils.translation import get_language

        return obj.label(get_language() or "id")


class ComplaintIntakeForm(forms.Form, metaclass=_FieldsCopiedFastMetaclass):
    # Who reports.
    reporter_type = FixedChoiceField(
        label=_("Anda melapor sebagai"), choices=ReporterType.choices, widget=forms.RadioSelect
    )
    confidentiality = FixedChoiceField(
        label=_("Kerahasiaan identitas"),
        choices=Confidentiality.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    # Input types and autocomplete hints bring up the right keyboard on a phone and let it fill in.
    name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK (16 digit, tidak wajib)"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Nomor telepon / WhatsApp"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Alamat"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    nip = forms.CharField(
        label=_("NIP (18 digit, tidak wajib)"),
        max_length=26,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    own_agency = ReferenceChoiceField(
        "agency",
        label=_("Instansi tempat Anda bekerja"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
    )
    own_agency_name = forms.CharField(
        label=_("Instansi tempat Anda bekerja, jika tidak ada di daftar"), max_length=200, required=False
    )

    # What is reported.
    kind = FixedChoiceField(label=_("Jenis pengaduan"), choices=Kind.choices, widget=forms.RadioSelect)
    category = LabelledReferenceChoiceField(
        "category", label=_("Kategori"), queryset=Category.objects.filter(is_active=True), required=False
    )
    agency = ReferenceChoiceField(
        "agency",
        label=_("Instansi yang dilaporkan"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
    )
    agency_name = forms.CharField(
        label=_("Instansi yang dilaporkan, jika tidak ada di daftar"), max_length=200, required=False
    )
    province = ReferenceChoiceField("province", label=_("Provinsi"), queryset=Province.objects.all())
    regency = ReferenceChoiceField(
        "regency", label=_("Kabupaten/kota"), queryset=Regency.objects.all(), required=False
    )
    location = forms.CharField(label=_("Tempat kejadian"), max_length=300, required=False)
    incident_date = forms.DateField(
        label=_("Tanggal kejadian"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Apa yang terjadi? (kronologi)"),
        min_length=20,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    complained_to_agency_first = FixedTypedChoiceField(
        label=_("Apakah Anda sudah mengadu ke instansi itu lebih dulu?"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    desired_outcome = forms.CharField(
        label=_("Apa yang Anda harapkan?"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    vulnerable_groups = LabelledModelMultipleChoiceField(
        label=_("Kelompok rentan yang terdampak"),
        queryset=VulnerableGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent = YesNoUnknownField(
        label=_("Apakah keadaannya mendesak?"),
        help_text=URGENT_HELP,
        choices=URGENT_CHOICES,
        widget=forms.RadioSelect,
    )

    # Consent and updates.
    notify_channel = FixedChoiceField(
        label=_("Kirim kabar perkembangan lewat"),
        choices=NotifyChannel.choices,
        initial=NotifyChannel.SMS,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_pdp = forms.BooleanField(
        label=_("Saya setuju data saya diproses untuk menangani pengaduan ini (UU 27/2022 tentang PDP).")
    )
    evidence = MultipleFileField(
        label=_("Bukti (PDF, JPEG, PNG, MP4 atau DOCX; paling banyak 5 berkas @ 10 MB)"), required=False
    )

    def __init__(self, *args, channel: str = "", **kwargs):
        # The channel the complaint arrives by. Where it is typed (web, API, desk) the phone number
        # is checked against the updates asked for; by SMS or WhatsApp the number is the sender's
        # own, which the code and PIN go back to as the reply. "" (not told): not checked.
        self.channel = channel
        super().__init__(*args, **kwargs)

    @property
    def checks_phone_for_updates(self) -> bool:
        return bool(self.channel) and self.channel not in TEXTED_CHANNELS

    def full_clean(self):
        super().full_clean()
        # A screen reader announces the field's error together with the field (WCAG 3.3.1).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"id_{name}-error"}
                )

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(value) if value else ""

    def clean_nik(self):
        return _digits(self.cleaned_data.get("nik", ""), 16, _("NIK harus 16 angka."))

    def clean_nip(self):
        return _digits(self.cleaned_data.get("nip", ""), 18, _("NIP harus 18 angka."))

    def clean_incident_date(self):
        value = self.cleaned_data.get("incident_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal kejadian tidak boleh di masa depan."))
        return value

    def clean(self):
        data = super().clean()
        for field in TEXT_FIELDS:
            if field in data:
                data[field] = clean_text(data[field])
        if "description" in data and len(data["description"]) < 20:
            self.add_error("description", _("Ceritakan kejadiannya, paling sedikit 20 huruf."))

        reporter = data.get("reporter_type")
        if not data.get("confidentiality"):
            if reporter == ReporterType.ASN:
                # ASN reporting their own workplace are confidential unless they choose otherwise.
                data["confidentiality"] = Confidentiality.CONFIDENTIAL
            else:
                self.add_error(
                    "confidentiality", _("Pilih apakah identitas Anda terbuka, rahasia, atau anonim.")
                )
        anonymous = data.get("confidentiality") == Confidentiality.ANONYMOUS
        wants_texts = data.get("notify_channel") in (NotifyChannel.SMS, NotifyChannel.WHATSAPP)
        if anonymous and wants_texts and self.checks_phone_for_updates and data.get("phone"):
            # Anonymous keeps no phone number: say so, rather than drop the number and the updates.
            self.add_error(
                "phone",
                _(
                    "Pengaduan anonim tidak menyimpan nomor telepon, jadi kami tidak dapat mengirim kabar "
                    "lewat SMS atau WhatsApp. Kosongkan nomor dan ikuti perkembangan dengan kode lacak dan "
                    "PIN, atau pilih Rahasia: identitas Anda tetap tidak diberikan kepada instansi terlapor."
                ),
            )
        if anonymous:
            # Kept nowhere, but what they typed about themselves anyway still masks their text
            # (complaints.intake.services._create): an anonymous report's name is no one's to read.
            data[WITHHELD_IDENTITY] = {
                field: data.get(field) or ""
                for field in ("name", "nik", "phone", "email", "nip", "own_agency_name")
            }
            for field in ("name", "nik", "phone", "email", "address", "nip"):
                data[field] = ""
            data["own_agency"], data["own_agency_name"] = None, ""
            data["notify_channel"] = NotifyChannel.NONE
        else:
            if not data.get("name"):
                self.add_error("name", _("Tulis nama Anda, atau pilih anonim."))
            if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
                self.add_error("phone", _("Tulis nomor telepon atau email agar kami dapat menghubungi Anda."))
            if (
                reporter == ReporterType.ASN
                and not data.get("own_agency")
                and not data.get("own_agency_name")
            ):
                self.add_error("own_agency", _("Sebagai ASN, sebutkan instansi tempat Anda bekerja."))
        if reporter != ReporterType.ASN:
            data["nip"], data["own_agency"], data["own_agency_name"] = "", None, ""

        notify = data.get("notify_channel") or NotifyChannel.NONE
        if notify == NotifyChannel.EMAIL:
            # Updates by email need an address, not a phone (the PIN never goes by email).
            if not data.get("email") and not anonymous and "email" not in self.errors:
                self.add_error("email", _("Untuk kabar lewat email, tulis alamat email Anda."))
        elif (
            notify != NotifyChannel.NONE
            and not data.get("phone")
            and not anonymous
            and "phone" not in self.errors
        ):
            self.add_error("phone", _("Untuk kabar lewat SMS/WhatsApp, tulis nomor telepon Anda."))
        elif (
            wants_texts
            and data.get("phone")
            and self.checks_phone_for_updates
            and not is_mobile(data["phone"])
        ):
            self.add_error(
                "phone",
                _(
                    "Nomor ini bukan nomor ponsel, jadi tidak dapat menerima SMS atau WhatsApp. Tulis "
                    "nomor ponsel (08…), atau pilih Tidak perlu untuk kabar."
                ),
            )
        data["notify_channel"] = notify

        kind, category = data.get("kind"), data.get("category")
        if category is not None and kind and category.kind != kind:
            self.add_error("category", _("Kategori ini bukan untuk jenis pengaduan yang Anda pilih."))
        if not data.get("agency") and not data.get("agency_name"):
            self.add_error("agency", _("Pilih instansi yang dilaporkan, atau tulis namanya."))
        province, regency = data.get("province"), data.get("regency")
        if province and regency and regency.province_id != province.pk:
            self.add_error("regency", _("Kabupaten/kota ini tidak berada di provinsi yang dipilih."))
        return data


# --- the web form's one-time token (docs/domain.md#one-complaint-once) ----------------------------
# Each rendering of /lapor/ carries a fresh random token, signed so that nobody can make one up
# and with its age inside. Filing stores a keyed hash of it as the complaint's idempotency key:
# the same form sent again (a double click, Back and send) finds the first complaint instead of
# filing a second. An unsigned, altered or day-old token is no token: the complaint is filed.
SUBMISSION_TOKEN_SALT = "sigap.intake.web-token"  # noqa: S105 - a signing namespace, not a secret
SUBMISSION_TOKEN_MAX_AGE = 24 * 3600


def new_submission_token() -> str:
    return signing.dumps(secrets.token_urlsafe(16), salt=SUBMISSION_TOKEN_SALT)


def submission_nonce(token: str) -> str:
    """The random part of a token this server signed in the last day, or "" for anything else."""
    if not token or len(token) > 200:
        return ""
    try:
        nonce = signing.loads(token, salt=SUBMISSION_TOKEN_SALT, max_age=SUBMISSION_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return ""
    return nonce if isinstance(nonce, str) else ""


class WebIntakeForm(ComplaintIntakeForm):
    """The intake form as /lapor/ renders it: the one intake form, with its one-time token (the
    API has its Idempotency-Key header instead, the SMS conversation needs none)."""

    submission_token = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_token"] = new_submission_token()

    def clean_submission_token(self) -> str:
        return submission_nonce(self.cleaned_data.get("submission_token", ""))
