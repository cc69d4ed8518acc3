"""The officer workspace's own forms: filing at the desk on a complainant's behalf, and attaching a
document to a case. Both validate files as evidence is validated (complaints.intake.forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.intake.forms import MultipleFileField, WebIntakeForm, validate_evidence
from complaints.models import DeskChannel, NotifyChannel
from complaints.sanitize import clean_text
from complaints.workspace.documents import DOCUMENT_KINDS, TITLE_MAX_LENGTH

# How the complainant gave their consent to the processing of their data (UU 27/2022 PDP), as
# the desk records it (Complaint.consent_method): the stored value is the Indonesian phrase.
CONSENT_METHODS = [
    ("tanda tangan formulir", _("Tanda tangan pada formulir persetujuan")),
    ("lisan, dicatat petugas", _("Lisan, dicatat petugas")),
    ("email pelapor", _("Dinyatakan dalam email pelapor")),
    ("surat pelapor", _("Dinyatakan dalam surat pelapor")),
]
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]


def consent_method_label(value: str) -> str:
    return str(dict(CONSENT_METHODS).get(value, value))


class DeskIntakeForm(WebIntakeForm):
    """The public intake form, filled by an intake officer for a complaint received in person, by
    letter, by phone or by email (docs/domain.md#desk-intake). Every check of the public form
    applies, and its one-time token (the same form sent twice files once); the desk adds the
    channel, how consent was given and the documents it received. The complainant's consent box
    becomes the officer's confirmation that consent was given."""

    channel = forms.ChoiceField(
        label=_("Pengaduan diterima melalui"), choices=DeskChannel.choices, widget=forms.RadioSelect
    )
    consent_method = forms.ChoiceField(
        label=_("Cara pelapor memberikan persetujuan pemrosesan data"),
        choices=[("", _("— pilih —")), *CONSENT_METHODS],
    )
    documents = MultipleFileField(
        label=_("Dokumen yang diterima (PDF, JPEG, PNG, MP4 atau DOCX; paling banyak 5 berkas @ 10 MB)"),
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Bahasa pesan untuk pelapor"), choices=LANGUAGES, initial="id", widget=forms.RadioSelect
    )
    # What the complainant handed over is attached by the officer, as documents.
    evidence = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"notify_channel": NotifyChannel.SMS, "language": "id"})
        # The channel the intake form checks the phone number for: the one chosen, typed by the desk.
        data = args[0] if args else kwargs.get("data")
        posted = data.get("channel") if data is not None else None
        kwargs.setdefault("channel", posted if posted in DeskChannel.values else DeskChannel.IN_PERSON)
        super().__init__(*args, **kwargs)
        # The officer fills it in on the complainant's behalf: the questions name the complainant.
        relabel = {
            "reporter_type": _("Pelapor adalah"),
            "confidentiality": _("Kerahasiaan identitas (pilihan pelapor)"),
            "name": _("Nama lengkap pelapor"),
            "own_agency": _("Instansi tempat pelapor bekerja"),
            "own_agency_name": _("Instansi tempat pelapor bekerja, jika tidak ada di daftar"),
            "complained_to_agency_first": _("Apakah pelapor sudah mengadu ke instansi itu lebih dulu?"),
            "desired_outcome": _("Apa yang diharapkan pelapor?"),
            "consent_pdp": _(
                "Pelapor telah menyatakan setuju datanya diproses untuk menangani pengaduan ini "
                "(UU 27/2022 tentang PDP), dengan cara yang dicatat di atas."
            ),
        }
        for name, label in relabel.items():
            self.fields[name].label = label


class DocumentForm(forms.Form):
    """A document an officer attaches to a case (docs/domain.md#documents)."""

    kind = forms.ChoiceField(label=_("Jenis dokumen"), choices=[("", _("— pilih —")), *DOCUMENT_KINDS])
    title = forms.CharField(label=_("Judul dokumen"), max_length=TITLE_MAX_LENGTH)
    file = forms.FileField(label=_("Berkas (PDF, JPEG, PNG, MP4 atau DOCX; paling besar 10 MB)"))

    def clean_title(self):
        title = clean_text(self.cleaned_data.get("title", "")).strip()
        if not title:
            raise forms.ValidationError(_("Tulis judul dokumen."))
        return title

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return validate_evidence([upload])[0] if upload else upload
