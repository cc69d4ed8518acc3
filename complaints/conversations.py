"""LAPOR: filing a complaint over SMS or WhatsApp, one question at a time.

The conversation lives in the database (notifications.Conversation), so it survives a restart;
a day of silence ends it; BATAL cancels it at any step. The complaint is filed through the same
intake service as the web form (same validation, same sanitising).
"""

from __future__ import annotations

from django.db.models import Q

from notifications.inbound import Inbound, conversation_end, conversation_save, conversation_start

from .codes import display_code
from .models import Agency, Province, Regency
from .sanitize import clean_text
from .services import IntakeInvalid, complaint_submit

HANDLER = "lapor"
STEPS = ["kind", "agency", "region", "description", "first", "confidentiality", "name", "confirm"]

Q_ = {
    "kind": {
        "id": "Sigap LAPOR. Jenis pengaduan? Balas 1 maladministrasi (layanan dipersulit/ditunda/pungli), 2 pelanggaran HAM, 3 tidak tahu. BATAL untuk berhenti.",
        "en": "Sigap LAPOR. What kind? Reply 1 maladministration, 2 human-rights violation, 3 don't know. BATAL to stop.",
    },
    "agency": {
        "id": "Instansi apa yang Anda laporkan? (misalnya: Kelurahan Menteng, BPJS Kesehatan)",
        "en": "Which agency are you reporting? (e.g. Kelurahan Menteng, BPJS Kesehatan)",
    },
    "region": {
        "id": "Di kabupaten/kota atau provinsi mana? (misalnya: Kota Bandung)",
        "en": "In which regency/city or province? (e.g. Kota Bandung)",
    },
    "description": {
        "id": "Ceritakan apa yang terjadi, kapan, dan di mana (paling sedikit 20 huruf).",
        "en": "Tell us what happened, when and where (at least 20 characters).",
    },
    "first": {
        "id": "Sudah mengadu ke instansi itu lebih dulu? Balas 1 ya, 2 belum.",
        "en": "Did you complain to that agency first? Reply 1 yes, 2 not yet.",
    },
    "confidentiality": {
        "id": "Identitas Anda: 1 terbuka, 2 rahasia (instansi tidak pernah tahu siapa Anda), 3 anonim (tanpa identitas).",
        "en": "Your identity: 1 open, 2 confidential (the agency never learns who you are), 3 anonymous.",
    },
    "name": {"id": "Nama lengkap Anda?", "en": "Your full name?"},
    "confirm": {
        "id": "Data Anda hanya dipakai untuk menangani pengaduan ini (UU 27/2022 PDP). Balas YA untuk setuju dan mengirim, BATAL untuk membatalkan.",
        "en": "Your data is used only to handle this complaint (Law 27/2022 on personal data). Reply YA to agree and send, BATAL to cancel.",
    },
    "again": {"id": "Maaf, jawaban tidak dikenali. ", "en": "Sorry, we did not understand. "},
    "region_unknown": {
        "id": "Wilayah tidak ditemukan. Tulis nama kabupaten/kota atau provinsi, misalnya: Kabupaten Bogor.",
        "en": "Region not found. Write a regency/city or province, e.g. Kabupaten Bogor.",
    },
    "region_many": {
        "id": "Ada beberapa wilayah: {names}. Tulis lebih lengkap.",
        "en": "Several regions match: {names}. Please be more specific.",
    },
    "short": {
        "id": "Ceritakan sedikit lebih lengkap (paling sedikit 20 huruf).",
        "en": "Please tell a little more (at least 20 characters).",
    },
    "cancelled": {
        "id": "Pengaduan dibatalkan. Kirim LAPOR untuk mulai lagi.",
        "en": "Cancelled. Send LAPOR to start again.",
    },
    "done": {
        "id": "Pengaduan diterima. Kode lacak {code}, PIN {pin}. Simpan keduanya. Cek: CEK {code} {pin}",
        "en": "Complaint received. Tracking code {code}, PIN {pin}. Keep both. Check: STATUS {code} {pin}",
    },
    "invalid": {
        "id": "Pengaduan belum dapat dikirim: {errors}",
        "en": "The complaint could not be sent: {errors}",
    },
}

CHOICES = {
    "kind": {"1": "maladministrasi", "2": "ham", "3": "tidak_tahu"},
    "first": {"1": "1", "2": "0", "YA": "1", "YES": "1", "BELUM": "0", "TIDAK": "0", "NO": "0"},
    "confidentiality": {"1": "terbuka", "2": "rahasia", "3": "anonim"},
}


def say(key: str, lang: str, **values) -> str:
    return Q_[key][lang].format(**values)


def start(inbound: Inbound) -> str:
    lang = "id"
    conversation_start(inbound.phone, inbound.channel, handler=HANDLER, step="kind", data={"lang": lang})
    return say("kind", lang)


def _match_region(answer: str):
    words = answer.strip()
    regencies = list(Regency.objects.filter(name__iexact=words)) or list(
        Regency.objects.filter(Q(name__iendswith=f" {words}") | Q(name__icontains=words)).select_related(
            "province"
        )[:6]
    )
    provinces = list(Province.objects.filter(name__iexact=words)) or list(
        Province.objects.filter(name__icontains=words)[:3]
    )
    if len(regencies) == 1:
        return regencies[0].province_id, regencies[0].code, None
    if not regencies and len(provinces) == 1:
        return provinces[0].code, "", None
    candidates = [r.name for r in regencies][:4] or [p.name for p in provinces][:4]
    return None, None, candidates


def step(inbound: Inbound, conversation) -> str:
    data = dict(conversation.data)
    lang = data.get("lang", "id")
    answer = inbound.body.strip()
    word = answer.upper()
    if word == "BATAL":
        conversation_end(conversation)
        return say("cancelled", lang)
    current = conversation.step

    def ask(next_step: str, prefix: str = "") -> str:
        conversation_save(conversation, step=next_step, data=data)
        return prefix + say(next_step, lang)

    if current in CHOICES:
        value = CHOICES[current].get(word)
        if value is None:
            return ask(current, say("again", lang))
        data[current] = value
    elif current == "agency":
        name = clean_text(answer)[:200]
        if not name:
            return ask(current, say("again", lang))
        agency = Agency.objects.filter(name__iexact=name, is_active=True).first()
        data["agency"] = agency.pk if agency else ""
        data["agency_name"] = "" if agency else name
    elif current == "region":
        province, regency, candidates = _match_region(clean_text(answer))
        if province is None:
            if candidates:
                return ask(current, say("region_many", lang, names=", ".join(candidates)) + " ")
            return ask(current, say("region_unknown", lang) + " ")
        data["province"], data["regency"] = province, regency
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
        if word not in ("YA", "YES"):
            return ask(current, say("again", lang))
        return _submit(inbound, conversation, data, lang)

    following = STEPS[STEPS.index(current) + 1]
    if following == "name" and data.get("confidentiality") == "anonim":
        following = "confirm"
    return ask(following)


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
    return say("done", lang, code=display_code(complaint.tracking_code), pin=pin)
