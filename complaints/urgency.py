"""Urgency (mendesak): which complaints go first, and why Sigap suggests it (docs/domain.md#urgency).

A complaint is urgent when it is about a risk to life, safety, liberty or health, a child, a person
in detention, or a harm that is about to happen and cannot be undone. The complainant says so (a
question on every channel); Sigap also *suggests* it from what the complaint says: its category,
the vulnerable groups it names and words of its account. Sigap never decides alone: at filing a
complaint is urgent when the complainant said so or Sigap suggested it (``at_filing``), its
``urgency_source`` says which, and an officer who handles the case confirms or changes it with a
reason (complaints.workspace.services.urgency_review), which the audit trail records.

Pure functions: ``suggest`` reads a complaint or an intake form's cleaned data and asks the
database nothing (a saved complaint's vulnerable groups excepted); the reasons it returns are
stored on the complaint as JSON (``Complaint.urgency_reasons``) with their labels in both
languages, so the case page shows why even after the rules here change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The scope of the DeadlineRule rows of an urgent case's shorter clocks (complaints.machine._rule
# looks for it first when the case is urgent, then the kind's, then the rule for every kind).
URGENT_SCOPE = "urgent"

# What Complaint.urgency_source holds: who made the case urgent (or not) last.
SOURCE_COMPLAINANT = "complainant"  # the complainant said so at filing
SOURCE_SUGGESTED = "suggested"  # Sigap suggested it; the complainant did not say so
SOURCE_OFFICER = "officer"  # an officer confirmed or changed it (urgency_review)
SOURCE_LABELS = {
    SOURCE_COMPLAINANT: _("dinyatakan pelapor"),
    SOURCE_SUGGESTED: _("disarankan Sigap"),
    SOURCE_OFFICER: _("diputuskan petugas"),
}


@dataclass(frozen=True)
class Reason:
    """Why Sigap suggests that a complaint is urgent: a short code and its label in both languages."""

    code: str
    label_id: str
    label_en: str

    def label(self, language: str | None = None) -> str:
        return self.label_en if (language or get_language() or "id").startswith("en") else self.label_id

    def as_json(self) -> dict:
        return {"code": self.code, "label_id": self.label_id, "label_en": self.label_en}


# --- the rules ------------------------------------------------------------------------------------
# Categories (codes of complaints/data/reference.py) that are about life, safety or a child.
URGENT_CATEGORIES = ("hak-hidup", "hak-rasa-aman", "hak-anak")
# Vulnerable groups (codes of complaints/data/reference.py) whose harm cannot wait: children,
# persons with disabilities, older persons. (There is no group for detainees: the account's words
# say it, below.)
URGENT_GROUPS = ("anak", "disabilitas", "lansia")


@dataclass(frozen=True)
class Topic:
    code: str
    label_id: str
    label_en: str
    words: tuple[str, ...]
    # A word is not counted right after or before one of these (``ijazah ditahan``: a withheld
    # diploma is no detention; ``anak perusahaan``: a subsidiary is no child).
    not_beside: tuple[str, ...] = ()
    # False: said as a reason beside others, never a suggestion by itself (see "child_mentioned").
    alone: bool = True


# Words of the account (Indonesian first, a little English), matched as whole words in any case;
# a phrase matches with any spacing. A suggestion only: an officer confirms or changes it.
TOPICS = (
    Topic(
        "violence",
        "Kronologi menyebut kekerasan fisik atau seksual",
        "The account mentions physical or sexual violence",
        (
            "dipukul", "dipukuli", "memukul", "pemukulan", "disiksa", "menyiksa", "penyiksaan",
            "dianiaya", "penganiayaan", "ditendang", "disetrum", "kekerasan", "diperkosa",
            "pemerkosaan", "perkosaan", "dicabuli", "pencabulan", "pelecehan seksual", "terluka",
            "luka-luka", "beaten", "tortured", "torture", "assaulted", "raped",
        ),
    ),
    Topic(
        "detention",
        "Kronologi menyebut penahanan atau orang dalam tahanan",
        "The account mentions detention or a person in custody",
        (
            "ditahan", "penahanan", "tahanan", "sel", "penjara", "dipenjara", "lapas", "rutan",
            "dikurung", "disekap", "penyekapan", "dipasung", "pemasungan", "ditangkap", "penangkapan",
            "detained", "detention", "custody", "jail", "prison", "arrested",
        ),
        not_beside=(
            "ijazah", "gaji", "dana", "uang", "berkas", "dokumen", "sertifikat", "rapor", "kartu",
            "ktp", "paspor", "barang", "kendaraan", "mobil", "motor", "sim", "stnk", "bpkb",
            "surat", "tunjangan", "honor", "insentif",
        ),
    ),
    Topic(
        "health",
        "Kronologi menyebut keadaan darurat kesehatan",
        "The account mentions a health emergency",
        (
            "darurat", "gawat darurat", "igd", "ugd", "kritis", "sekarat", "koma", "pendarahan",
            "perdarahan", "pingsan", "tidak sadarkan diri", "sesak napas", "sesak nafas", "cuci darah",
            "hemodialisis", "melahirkan", "persalinan", "emergency", "dying", "bleeding", "unconscious",
        ),
    ),
    Topic(
        "threat",
        "Kronologi menyebut ancaman atau intimidasi",
        "The account mentions threats or intimidation",
        (
            "diancam", "ancaman", "mengancam", "terancam", "intimidasi", "diintimidasi", "diteror",
            "teror", "dibunuh", "pembunuhan", "bunuh diri", "threatened", "intimidated", "suicide",
        ),
    ),
    Topic(
        "deprivation",
        "Kronologi menyebut orang tidak diberi makan, minum, obat atau perawatan",
        "The account mentions someone denied food, water, medicine or care",
        (
            "tidak diberi makan", "tidak diberi makanan", "tidak diberi minum", "tidak diberi obat",
            "tidak dikasih makan", "tidak diberi perawatan", "kelaparan", "ditelantarkan",
            "penelantaran", "starving", "denied food", "denied medicine", "denied treatment",
        ),
    ),
    Topic(
        "child",
        "Kronologi menyebut anak yang dihalangi sekolah, ditelantarkan atau dieksploitasi",
        "The account mentions a child kept from school, neglected or exploited",
        (
            "tidak boleh sekolah", "tidak boleh bersekolah", "dilarang sekolah", "dilarang bersekolah",
            "dikeluarkan dari sekolah", "putus sekolah", "anak terlantar", "anak ditelantarkan",
            "pekerja anak", "perkawinan anak", "pernikahan anak", "eksploitasi anak", "penculikan anak",
            "diculik", "kept from school", "expelled from school", "child labour", "child marriage",
        ),
    ),
    # A child named in the account is said as a reason, but suggests nothing by itself: "anak saya"
    # is in most complaints about school places or birth certificates, which are not urgent; with
    # any other reason it says that a child is concerned.
    Topic(
        "child_mentioned",
        "Kronologi menyebut anak",
        "The account mentions a child",
        ("anak", "anak-anak", "balita", "bayi", "child", "children", "baby", "infant"),
        not_beside=("perusahaan", "buah", "cabang", "kunci", "tangga", "sungai", "usaha", "angkat"),
        alone=False,
    ),
    Topic(
        "irreversible",
        "Kronologi menyebut kerugian yang segera terjadi dan tak dapat dipulihkan",
        "The account mentions an imminent harm that cannot be undone",
        (
            "digusur", "penggusuran", "pembongkaran paksa", "dibongkar paksa", "dideportasi",
            "deportasi", "dieksekusi", "hukuman mati", "evicted", "eviction", "deported",
            "deportation",
        ),
    ),
)  # fmt: skip


def _pattern(words: tuple[str, ...]) -> re.Pattern:
    # Longest first, so a phrase wins over the word it starts with; spaces match any spacing.
    alternatives = sorted(words, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in alternatives)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


_PATTERNS = {topic.code: _pattern(topic.words) for topic in TOPICS}
_WORD = re.compile(r"[\w-]+")


_CLAUSE_END = re.compile(r"[.,;:!?()\n]")


def _beside(text: str, start: int, end: int) -> set[str]:
    """The two words before and the two after text[start:end] in its clause, in lower case."""
    before = _CLAUSE_END.split(text[max(0, start - 60) : start])[-1]
    after = _CLAUSE_END.split(text[end : end + 60])[0]
    return {word.casefold() for word in _WORD.findall(before)[-2:] + _WORD.findall(after)[:2]}


def _topic_match(topic: Topic, text: str) -> str:
    """The first word of ``topic`` in ``text`` (as listed, lower case), or ""."""
    for found in _PATTERNS[topic.code].finditer(text):
        if topic.not_beside and _beside(text, found.start(), found.end()) & set(topic.not_beside):
            continue
        return " ".join(found.group(0).casefold().split())
    return ""


WEAK_CODES = frozenset(f"words:{topic.code}" for topic in TOPICS if not topic.alone)


def words_reasons(text: str) -> list[Reason]:
    """A reason per topic of TOPICS that ``text`` mentions, with the word that matched."""
    reasons = []
    for topic in TOPICS:
        word = _topic_match(topic, text or "")
        if word:
            reasons.append(
                Reason(f"words:{topic.code}", f"{topic.label_id}: “{word}”", f"{topic.label_en}: “{word}”")
            )
    return reasons


def _read(source, name: str, default=None):
    if isinstance(source, dict):
        return source.get(name, default)
    return getattr(source, name, default)


def _vulnerable_groups(source) -> list:
    if isinstance(source, dict):
        return list(source.get("vulnerable_groups") or [])
    if getattr(source, "pk", None) is None:
        return []
    return list(source.vulnerable_groups.all())


def _code(item) -> str:
    return item if isinstance(item, str) else getattr(item, "code", "")


def suggest(complaint_or_cleaned_data) -> list[Reason]:
    """Why Sigap suggests this complaint is urgent ([] when it does not): from a Complaint or an
    intake form's cleaned data (complaints.intake.forms.ComplaintIntakeForm). Its category
    (URGENT_CATEGORIES), the vulnerable groups it names (URGENT_GROUPS) and words of its account,
    the outcome it asks for and the place (TOPICS). A suggestion only: never the decision."""
    source = complaint_or_cleaned_data
    reasons: list[Reason] = []
    category = _read(source, "category")
    if category is not None and _code(category) in URGENT_CATEGORIES:
        name_id = getattr(category, "name_id", "") or _code(category)
        name_en = getattr(category, "name_en", "") or name_id
        reasons.append(Reason(f"category:{_code(category)}", f"Kategori: {name_id}", f"Category: {name_en}"))
    for group in _vulnerable_groups(source):
        if _code(group) in URGENT_GROUPS:
            name_id = getattr(group, "name_id", "") or _code(group)
            name_en = getattr(group, "name_en", "") or name_id
            reasons.append(
                Reason(f"group:{_code(group)}", f"Kelompok rentan: {name_id}", f"Vulnerable group: {name_en}")
            )
    text = "\n".join(_read(source, name, "") or "" for name in ("description", "desired_outcome", "location"))
    reasons += words_reasons(text)
    if all(reason.code in WEAK_CODES for reason in reasons):
        return []  # only what suggests nothing by itself
    return reasons


def at_filing(claimed: bool | None, reasons: list[Reason]) -> tuple[bool, str]:
    """(urgent, urgency_source) of a new complaint: urgent when the complainant said so or Sigap
    suggested it; the source says which (the complainant's word first)."""
    if claimed:
        return True, SOURCE_COMPLAINANT
    if reasons:
        return True, SOURCE_SUGGESTED
    return False, ""


def reasons_from_json(stored) -> list[Reason]:
    """The reasons kept on a complaint (Complaint.urgency_reasons), anything unreadable left out."""
    reasons = []
    for item in stored if isinstance(stored, list) else []:
        if not isinstance(item, dict) or not item.get("code"):
            continue
        code = str(item["code"])
        label_id = str(item.get("label_id") or code)
        reasons.append(Reason(code, label_id, str(item.get("label_en") or label_id)))
    return reasons


def reason_labels(stored, language: str | None = None) -> list[str]:
    """The stored reasons (Complaint.urgency_reasons) as people read them, in ``language``."""
    return [reason.label(language) for reason in reasons_from_json(stored)]


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, "")) if source else ""
