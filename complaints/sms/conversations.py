"""LAPOR: filing a complaint over SMS or WhatsApp, one question at a time.

The conversation lives in the database (notifications.Conversation), so it survives a restart;
a day of silence ends it; BATAL (CANCEL) cancels it at any step, and LAPOR (REPORT) sent again
starts it afresh. A region is found by its official name or by a name people text ("jaktim",
"jogja": complaints/data/region_aliases.py). The complaint is filed through the same
intake service as the web form (same validation, same sanitising). Once an anonymous report is
filed, nothing in the database links it to the number it came from (forget_sender).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import translation
from django.utils.translation import pgettext_lazy

from complaints.codes import display_code
from complaints.data import region_aliases
from complaints.intake.services import IntakeInvalid, complaint_submit
from complaints.models import Agency, Province, Regency
from complaints.sanitize import clean_text
from notifications.inbound import (
    Inbound,
    conversation_end,
    conversation_save,
    conversation_start,
    forget_sender,
)

HANDLER = "lapor"


STEPS = ["kind", "agency", "region", "description", "urgent", "first", "confidentiality", "name", "confirm"]

# Text messages: msgids in Bahasa Indonesia, English in the catalogue under the context "sms" (so
# translators know their length matters); sent in the texter's language.
Q_ = {
    "kind": pgettext_lazy(
        "sms",
        "Sigap LAPOR. Jenis pengaduan? Balas 1 maladministrasi (layanan dipersulit/ditunda/pungli), 2 pelanggaran HAM, 3 tidak tahu. BATAL untuk berhenti.",
    ),
    "agency": pgettext_lazy(
        "sms", "Instansi apa yang Anda laporkan? (misalnya: Kelurahan Menteng, BPJS Kesehatan)"
    ),
    "region": pgettext_lazy("sms", "Di kabupaten/kota atau provinsi mana? (misalnya: Kota Bandung)"),
    "description": pgettext_lazy(
        "sms", "Ceritakan apa yang terjadi, kapan, dan di mana (paling sedikit 20 huruf)."
    ),
    # Urgent cases go first (docs/domain.md#urgency); one segment, like every question.
    "urgent": pgettext_lazy(
        "sms",
        "Mendesak? Ada bahaya bagi nyawa, keselamatan, kebebasan atau kesehatan seseorang, atau menyangkut anak atau orang yang ditahan? Balas YA atau TIDAK.",
    ),
    "first": pgettext_lazy("sms", "Sudah mengadu ke instansi itu lebih dulu? Balas 1 ya, 2 belum."),
    "confidentiality": pgettext_lazy(
        "sms",
        "Identitas Anda: 1 terbuka, 2 rahasia (instansi tidak pernah tahu siapa Anda), 3 anonim (tanpa identitas).",
    ),
    "name": pgettext_lazy("sms", "Nama lengkap Anda?"),
    "confirm": pgettext_lazy(
        "sms",
        "Data Anda hanya dipakai untuk menangani pengaduan ini (UU 27/2022 PDP). Balas YA untuk setuju dan mengirim, BATAL untuk membatalkan.",
    ),
    "again": pgettext_lazy("sms", "Maaf, jawaban tidak dikenali. "),
    "region_unknown": pgettext_lazy(
        "sms", "Wilayah tidak ditemukan. Tulis nama kabupaten/kota atau provinsi, misalnya: Kabupaten Bogor."
    ),
    "region_many": pgettext_lazy("sms", "Ada beberapa wilayah: {names}. Tulis lebih lengkap."),
    "short": pgettext_lazy("sms", "Ceritakan sedikit lebih lengkap (paling sedikit 20 huruf)."),
    "summary": pgettext_lazy("sms", "Ringkasan: {items}."),
    "timed_out": pgettext_lazy(
        "sms",
        "Percakapan LAPOR sudah berakhir karena tidak ada jawaban selama 24 jam. Kirim LAPOR untuk mulai lagi.",
    ),
    "cancelled": pgettext_lazy("sms", "Pengaduan dibatalkan. Kirim LAPOR untuk mulai lagi."),
    "restarted": pgettext_lazy("sms", "Memulai laporan baru."),
    "done": pgettext_lazy(
        "sms", "Pengaduan diterima. Kode lacak {code}, PIN {pin}. Simpan keduanya. Cek: CEK {code} {pin}"
    ),
    "invalid": pgettext_lazy("sms", "Pengaduan belum dapat dikirim: {errors}"),
}

# Mendesak? YA/TIDAK (YES/NO); "TIDAK TAHU" (not said) files it as the web form's "Tidak tahu".
URGENT_ANSWERS = {
    "YA": "1", "Y": "1", "YES": "1", "1": "1",
    "TIDAK": "0", "TDK": "0", "T": "0", "NO": "0", "N": "0", "2": "0",
    "TIDAK TAHU": "", "TDK TAHU": "", "DON'T KNOW": "", "DONT KNOW": "",
}  # fmt: skip

CHOICES = {
    "kind": {"1": "maladministrasi", "2": "ham", "3": "tidak_tahu"},
    "urgent": URGENT_ANSWERS,
    "first": {"1": "1", "2": "0", "YA": "1", "YES": "1", "BELUM": "0", "TIDAK": "0", "NO": "0"},
    "confidentiality": {"1": "terbuka", "2": "rahasia", "3": "anonim"},
}


def say(key: str, lang: str, **values) -> str:
    with translation.override(lang):
        return str(Q_[key]).format(**values)


# The words that start a report (REPORT in English; alone, as an English reply may begin with it).
START_WORDS = {"LAPOR", "REPORT"}


def start(inbound: Inbound, *, restarted: bool = False) -> str:
    """The first question. ``restarted``: LAPOR sent in the middle of a conversation, which is
    replaced by a new one (what was answered is dropped)."""
    # English when the number's earlier complaint was in English (LAPOR itself is Indonesian).
    lang = "en" if inbound.english else "id"
    conversation_start(inbound.phone, inbound.channel, handler=HANDLER, step="kind", data={"lang": lang})
    prefix = say("restarted", lang) + " " if restarted else ""
    return prefix + say("kind", lang)


def timed_out(conversation) -> str:
    """An answer to a conversation that a day of silence ended (it is already deleted)."""
    return say("timed_out", (conversation.data or {}).get("lang", "id"))


_PREFIXES = {
    "KAB": "Kabupaten",
    "KAB.": "Kabupaten",
    "KABUPATEN": "Kabupaten",
    "KOTA": "Kota",
    "KOTAMADYA": "Kota",
}


def _match_region(answer: str):
    """(province code, regency code or "", None) for one region; (None, None, candidates) when
    the answer names several or none (candidates empty). Most specific match first:
    1. a kabupaten/kota by its full name ("Kota Bandung", "kab. bogor");
    2. a name people text for a region ("jaktim", "jogja", "NTB": complaints/data/region_aliases.py);
    3. a province by its name ("Jawa Barat");
    4. a kabupaten/kota without its prefix ("Sleman"; "Bogor" is both a kabupaten and a kota);
    5. part of a name, when only one region has it."""
    words = " ".join(answer.replace(",", " ").split())
    if not words:
        return None, None, []
    alias = region_aliases.official_name(words)
    head, _, rest = words.partition(" ")
    if head.upper() in _PREFIXES and rest:
        words = f"{_PREFIXES[head.upper()]} {rest}"
    regencies = list(Regency.objects.filter(name__iexact=words))
    if len(regencies) == 1:
        return regencies[0].province_id, regencies[0].code, None
    alias = alias or region_aliases.official_name(words)
    if alias is not None:
        kind, name = alias
        if kind == "regency":
            regencies = list(Regency.objects.filter(name__iexact=name))
            if len(regencies) == 1:
                return regencies[0].province_id, regencies[0].code, None
        else:
            provinces = list(Province.objects.filter(name__iexact=name))
            if len(provinces) == 1:
                return provinces[0].code, "", None
    provinces = list(Province.objects.filter(name__iexact=words))
    if len(provinces) == 1:
        return provinces[0].code, "", None
    regencies = list(
        Regency.objects.filter(
            Q(name__iexact=f"Kabupaten {words}")
            | Q(name__iexact=f"Kota {words}")
            | Q(name__iexact=f"Kota Administrasi {words}")
        )
    )
    if len(regencies) == 1:
        return regencies[0].province_id, regencies[0].code, None
    if regencies:
        return None, None, [r.name for r in regencies]
    if len(words) < 3:
        return None, None, []
    regencies = list(Regency.objects.filter(name__icontains=words)[:5])
    provinces = list(Province.objects.filter(name__icontains=words)[:5])
    if len(regencies) + len(provinces) == 1:
        if regencies:
            return regencies[0].province_id, regencies[0].code, None
        return provinces[0].code, "", None
    return None, None, [p.name for p in provinces][:4] + [r.name for r in regencies][:4]


def _match_agency(name: str):
    """The active agency with this name, or the only one whose name contains it; else None
    (the name is kept as free text, as on the web form)."""
    agencies = Agency.objects.filter(is_active=True)
    exact = list(agencies.filter(name__iexact=name)[:2])
    if len(exact) == 1:
        return exact[0]
    if len(name) >= 4:
        partial = list(agencies.filter(name__icontains=name)[:2])
        if len(partial) == 1:
            return partial[0]
    return None


def step(inbound: Inbound, conversation) -> str:
    data = dict(conversation.data)
    lang = data.get("lang", "id")
    answer = inbound.body.strip()
    word = answer.upper()
    if word in ("BATAL", "CANCEL"):
        conversation_end(conversation)
        return say("cancelled", lang)
    current = conversation.step

    def ask(next_step: str, prefix: str = "") -> str:
        conversation_save(conversation, step=next_step, data=data)
        if next_step == "confirm":
            # What will be sent, so the YA agrees to something the person has seen.
            prefix += _summary(data, lang) + " "
        return prefix + say(next_step, lang)

    if current in CHOICES:
        value = CHOICES[current].get(" ".join(word.split()))
        if value is None:
            return ask(current, say("again", lang))
        data[current] = value
    elif current == "agency":
        name = clean_text(answer)[:200]
        if not name:
            return ask(current, say("again", lang))
        agency = _match_agency(name)
        data["agency"] = agency.pk if agency else ""
        data["agency_name"] = "" if agency else name
        data["agency_label"] = agency.name if agency else name
    elif current == "region":
        province, regency, candidates = _match_region(clean_text(answer))
        if province is None:
            if candidates:
                return ask(current, say("region_many", lang, names=", ".join(candidates)) + " ")
            return ask(current, say("region_unknown", lang) + " ")
        data["province"], data["regency"] = province, regency
        place = Regency.objects.get(pk=regency) if regency else Province.objects.get(pk=province)
        data["region_label"] = place.name
    elif current == "description":
        text = clean_text(answer)
        if len(text) < 20:
            return ask(current, say("short", lang) + " ")
        data["description"] = text[:10000]
    elif current == "name":
        data["name"] = clean_text(answer)[:150]
        if not data["name"]:
            return ask(current, say("again", lang))
    elif current == "confirm":
        if word not in ("YA", "YES", "Y"):
            return ask(current, say("again", lang))
        return _submit(inbound, conversation, data, lang)

    following = STEPS[STEPS.index(current) + 1]
    if following == "name" and data.get("confidentiality") == "anonim":
        following = "confirm"
    return ask(following)


LABELS = {
    "maladministrasi": pgettext_lazy("sms", "maladministrasi"),
    "ham": pgettext_lazy("sms", "pelanggaran HAM"),
    "tidak_tahu": pgettext_lazy("sms", "jenis belum tahu"),
    "terbuka": pgettext_lazy("sms", "identitas terbuka"),
    "rahasia": pgettext_lazy("sms", "identitas rahasia"),
    "anonim": pgettext_lazy("sms", "anonim"),
    "urgent": pgettext_lazy("sms", "mendesak"),
}


def _label(value, lang: str) -> str:
    if value not in LABELS:
        return ""
    with translation.override(lang):
        return str(LABELS[value])


def _summary(data: dict, lang: str) -> str:
    parts = [
        _label(data.get("kind"), lang),
        data.get("agency_label", ""),
        data.get("region_label", ""),
        _label(data.get("confidentiality"), lang),
        _label("urgent", lang) if data.get("urgent") == "1" else "",
    ]
    return say("summary", lang, items="; ".join(p for p in parts if p))


def _submit(inbound: Inbound, conversation, data: dict, lang: str) -> str:
    form_data = {
        "reporter_type": "warga",
        "confidentiality": data.get("confidentiality"),
        "name": data.get("name", ""),
        "phone": inbound.phone,
        "kind": data.get("kind"),
        "agency": data.get("agency") or "",
        "agency_name": data.get("agency_name", ""),
        "province": data.get("province"),
        "regency": data.get("regency") or "",
        "description": data.get("description", ""),
        "complained_to_agency_first": data.get("first"),
        "urgent": data.get("urgent", ""),
        "consent_pdp": "on",  # the YA after the purpose notice
        "notify_channel": inbound.channel,
    }
    try:
        complaint, pin = complaint_submit(channel=inbound.channel, data=form_data, language=lang)
    except IntakeInvalid as exc:
        errors = "; ".join(message for messages in exc.errors.values() for message in messages)
        conversation_save(conversation, step="description", data=data)
        return say("invalid", lang, errors=errors[:200]) + " " + say("description", lang)
    conversation_end(conversation)
    if complaint.is_anonymous:
        # Anonymous means unlinkable: the record of inbound messages forgets the number, in this
        # same transaction. The complaint keeps none either (no identity, no updates), and the
        # code and PIN go back only as this reply.
        forget_sender(inbound)
    return say("done", lang, code=display_code(complaint.tracking_code), pin=pin)
