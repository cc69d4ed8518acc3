"""What the public scorecard shows (/kinerja/, its CSV, /api/v1/kinerja/) and the officers'
assessment export: one scope's figures, read from the period's snapshot, with their labels and
plain-language explanations in the reader's language (docs/domain.md#public-scorecard).

Nothing here reads a complaint: the snapshot holds counts only, and a count the snapshot does
not hold is one that may not be shown ("< 5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from complaints.models import Agency, FollowUp, Kind, State
from complaints.scorecard import cache
from complaints.scorecard.snapshot import (
    NATIONAL,
    THRESHOLD,
    URGENT_MEDIANS,
    Period,
    Snapshot,
    compliance,
)

SUPPRESSED = "< 5"
SMALL, COMPLEMENT = "small", "complement"
# A cell a spreadsheet would run as a formula gets a leading apostrophe (agencies' names are typed
# by administrators).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class UnknownScope(LookupError):
    pass


Busy = cache.Busy  # the figures of the period asked for are being counted: ask again shortly
BUSY_MESSAGE = gettext_lazy("Angka untuk periode ini sedang dihitung. Silakan coba lagi sebentar lagi.")
RETRY_AFTER = 30


@dataclass
class Figure:
    key: str
    label: str
    count: int | None  # None: held back
    share: float | None = None  # percent of its group's total (or of the complaints received)
    width: int = 0  # the bar's drawn width, whole percent
    reason: str = ""  # why it is held back: SMALL (below 5) or COMPLEMENT (it would give one back)

    @property
    def suppressed(self) -> bool:
        return self.count is None

    @property
    def display(self) -> str:
        if self.count is not None:
            return str(self.count)
        return str(WITHHELD) if self.reason == COMPLEMENT else SUPPRESSED

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "count": self.count,
            "display": self.display,
            "suppressed": self.suppressed,
            "reason": self.reason or None,
            "share": self.share,
        }


@dataclass
class Group:
    key: str
    title: str
    total: Figure | None
    figures: list[Figure]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "total": self.total.as_dict() if self.total else None,
            "figures": [f.as_dict() for f in self.figures],
        }


@dataclass
class Section:
    key: str
    title: str
    explanation: str
    groups: list[Group]

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "explanation": self.explanation,
            "groups": [g.as_dict() for g in self.groups],
        }


@dataclass
class MonthRow:
    month: date
    received: Figure
    resolved: Figure
    received_height: int = 0  # of the trend chart's 100 units
    resolved_height: int = 0
    x: int = 0  # where its pair of columns starts in the chart

    @property
    def received_top(self) -> int:
        return 100 - self.received_height

    @property
    def resolved_top(self) -> int:
        return 100 - self.resolved_height


@dataclass
class StageRow:
    source: str
    target: str
    label: str
    median_days: float | None
    cases: int | None
    cases_withheld: bool = False  # counted over 5 or more, but the scope's own count is held back

    @property
    def suppressed(self) -> bool:
        return self.cases is None

    @property
    def cases_display(self) -> str:
        if self.cases is not None:
            return str(self.cases)
        return str(WITHHELD) if self.cases_withheld else SUPPRESSED


@dataclass
class Child:
    """A province, regency or agency listed on a page, with a link to its own."""

    kind: str  # province | regency | agency
    code: str
    name: str
    received: Figure
    compliance_rate: float | None = None
    level: str = ""


@dataclass
class Place:
    peers_label: str
    peers: int
    received: int | None
    received_of: int
    compliance: int | None
    compliance_of: int
    compliance_rate: float | None


@dataclass
class Scorecard:
    period: Period
    scope: str
    scope_type: str  # national | province | regency | agency
    name: str
    computed_at: datetime
    received: Figure
    sections: list[Section]
    months: list[MonthRow]
    stages: list[StageRow]
    children: list[Child] = field(default_factory=list)
    children_title: str = ""
    agencies: list[Child] = field(default_factory=list)
    agencies_title: str = ""
    place: Place | None = None
    compliance_rate: float | None = None
    clarification_rate: float | None = None
    province: tuple[str, str] | None = None  # (code, name) of the scope's province
    regency: tuple[str, str] | None = None
    level: str = ""
    agency_id: int | None = None
    provinces: dict[str, str] = field(default_factory=dict)  # code → name, for the province choice
    # Urgent (mendesak) complaints: how many, and (the country) how fast each stage went for them.
    urgent: Figure | None = None
    urgent_stages: list[StageRow] = field(default_factory=list)

    @property
    def trend_width(self) -> int:
        return 100 * len(self.months)

    @property
    def months_explanation(self) -> str:
        return str(EXPLANATIONS["months"])

    @property
    def stages_explanation(self) -> str:
        return str(EXPLANATIONS["stages"])

    @property
    def compliance_explanation(self) -> str:
        return str(EXPLANATIONS["compliance"])

    @property
    def place_explanation(self) -> str:
        return str(EXPLANATIONS["place"])

    @property
    def notes(self) -> list[str]:
        return [str(note) for note in NOTES]


# --- the words -----------------------------------------------------------------------------------
TITLES = {
    "received": gettext_lazy("Pengaduan diterima dan keadaannya sekarang"),
    "kinds": gettext_lazy("Menurut jenis dan kategori"),
    "vulnerable": gettext_lazy("Kelompok rentan"),
    "clarification": gettext_lazy("Jawaban instansi atas permintaan klarifikasi"),
    "findings": gettext_lazy("Temuan"),
    "follow_up": gettext_lazy("Tindakan korektif dan rekomendasi"),
}
EXPLANATIONS = {
    "received": gettext_lazy(
        "Pengaduan yang diterima Sigap dalam periode ini (menurut tanggal diterima), dan keadaannya "
        "sekarang: masih diproses, selesai dengan hasil, ditolak, atau dicabut pelapor. Pengaduan "
        "yang digabungkan dengan pengaduan lain dihitung sekali, sebagai pengaduan induknya."
    ),
    "kinds": gettext_lazy(
        "Maladministrasi ditangani Ombudsman RI, pelanggaran HAM ditangani Kanwil Kementerian HAM. "
        "Jenis dan kategori ditetapkan petugas ketika pengaduan dirujuk; yang belum dirujuk tercatat "
        "sebagai belum dikategorikan."
    ),
    "vulnerable": gettext_lazy(
        "Berapa pengaduan menyebut tiap kelompok rentan (penyandang disabilitas, lansia, anak, "
        "perempuan, masyarakat adat, fakir miskin, kelompok minoritas), dan bagiannya dari semua "
        "pengaduan yang diterima. Satu pengaduan dapat menyebut beberapa kelompok, jadi angkanya "
        "tidak dijumlahkan. Sumber: isian pelapor ketika mengadu."
    ),
    "clarification": gettext_lazy(
        "Ketika petugas meminta klarifikasi kepada instansi terlapor, instansi diberi tenggat. Tepat "
        "waktu: instansi menjawab sebelum tenggat. Terlambat atau tidak menjawab: sesudah tenggat, "
        "atau tidak sama sekali. Sumber: langkah petugas yang mencatat jawaban klarifikasi."
    ),
    "findings": gettext_lazy(
        "Ombudsman RI: kesimpulan laporan hasil pemeriksaan (LAHP), maladministrasi ditemukan atau "
        "tidak. Kanwil Kementerian HAM: indikasi pelanggaran HAM ada (termasuk bila Kanwil "
        "menerbitkan rekomendasi kepada instansi) atau tidak ada. Pengaduan yang dicabut tidak "
        "dihitung di sini."
    ),
    "follow_up": gettext_lazy(
        "Apa yang dilakukan instansi dengan tindakan korektif Ombudsman dan dengan rekomendasi "
        "Ombudsman atau Kanwil: dilaksanakan sebelum tenggatnya, dilaksanakan terlambat, atau tidak "
        "dilaksanakan. Sumber: langkah petugas yang mencatat hasilnya."
    ),
    "compliance": gettext_lazy(
        "Kepatuhan: bagian dari permintaan klarifikasi, tindakan korektif dan rekomendasi yang "
        "dijawab atau dilaksanakan instansi tepat waktu."
    ),
    "months": gettext_lazy(
        "Pengaduan yang diterima tiap bulan, dan berapa di antaranya mendapat hasil (selesai) tiap "
        "bulan, menurut tanggal hasilnya."
    ),
    "stages": gettext_lazy(
        "Median hari dari masuk satu tahap sampai masuk tahap berikutnya: separuh pengaduan lebih "
        "cepat, separuh lebih lambat. Dihitung dari catatan audit setiap langkah, dengan cara yang "
        "sama seperti dasbor petugas, atas paling banyak 5.000 pengaduan terbaru dalam periode ini."
    ),
    "place": gettext_lazy(
        "Tempat instansi ini di antara instansi setingkat di wilayah yang sama: menurut jumlah "
        "pengaduan (terbanyak di tempat 1) dan menurut kepatuhan (tertinggi di tempat 1). Hanya "
        "instansi yang angkanya boleh ditampilkan yang diperingkat. Instansi besar melayani lebih "
        "banyak orang dan menerima lebih banyak pengaduan: bacalah jumlahnya dengan hati-hati."
    ),
    "regions": gettext_lazy("Wilayah adalah tempat kejadian yang disebut pelapor."),
    "agencies": gettext_lazy(
        "Hanya instansi yang ada di daftar Sigap. Pengaduan tentang instansi yang ditulis sendiri "
        "oleh pelapor dihitung di wilayahnya, tidak di halaman instansi mana pun."
    ),
}
NOTES = [
    gettext_lazy(
        "Angka di bawah 5 (termasuk 0) ditampilkan sebagai “< 5”, agar tidak ada pelapor yang "
        "dapat dikenali. Bila sebuah jumlah yang ditampilkan dapat dipakai untuk menghitung kembali "
        "angka itu, satu angka lain dalam jumlah itu juga tidak ditampilkan (“disembunyikan”). "
        "Aturan ini diterapkan pada semua wilayah dan instansi sekaligus, untuk periode yang sama."
    ),
    gettext_lazy(
        "Pengaduan yang dicabut dihitung sebagai pengaduan diterima (dan menurut jenis, kategori, "
        "kelompok rentan dan bulan), tetapi tidak dalam klarifikasi, temuan, tindakan korektif dan "
        "rekomendasi. Pengaduan yang digabungkan dengan pengaduan lain (duplikat) tidak dihitung "
        "sama sekali: pengaduan induknya yang dihitung."
    ),
    gettext_lazy(
        "Halaman ini hanya berisi angka gabungan: tidak ada nama, identitas, kode lacak, atau isi "
        "pengaduan. Angka diperbarui setiap 15 menit."
    ),
]
# A count hidden so that a count below 5 cannot be worked out from a sum (suppression.py).
WITHHELD = gettext_lazy("disembunyikan")
STATUS_LABELS = {
    "in_process": gettext_lazy("Masih diproses"),
    "finished": gettext_lazy("Selesai dengan hasil"),
    "rejected": gettext_lazy("Ditolak"),
    "withdrawn": gettext_lazy("Dicabut pelapor"),
}
FOLLOW_UP_LABELS = {
    FollowUp.ON_TIME: gettext_lazy("Dilaksanakan tepat waktu"),
    FollowUp.LATE: gettext_lazy("Dilaksanakan terlambat"),
    FollowUp.IGNORED: gettext_lazy("Tidak dilaksanakan"),
}
SCOPE_TYPES = {"n": "national", "p": "province", "r": "regency", "a": "agency"}


# --- building a scope's scorecard ----------------------------------------------------------------
def _widths(figures: list[Figure], *, base: int | None = None) -> list[Figure]:
    peak = base or max((f.count for f in figures if f.count is not None), default=0)
    for f in figures:
        f.width = round(100 * f.count / peak) if peak and f.count is not None else 0
        f.width = min(f.width, 100)
    return figures


class Cells:
    """One scope's cells in the snapshot: the counts shown, and which hidden ones are complements."""

    def __init__(self, item: Snapshot, scope: str):
        self.counts = item.shown(scope)
        self.complements = item.complements(scope)

    def get(self, key: str) -> int | None:
        return self.counts.get(key)


def _figure(shown: Cells, key: str, label, *, of: int | None = None) -> Figure:
    count = shown.get(key)
    share = round(100 * count / of, 1) if count is not None and of else None
    reason = "" if count is not None else (COMPLEMENT if key in shown.complements else SMALL)
    return Figure(key=key, label=str(label), count=count, share=share, reason=reason)


def _group(shown, key, title, total_key, members, *, share_of_total=True) -> Group:
    total = _figure(shown, total_key, title) if total_key else None
    of = total.count if (total and share_of_total) else None
    figures = [_figure(shown, k, label, of=of) for k, label in members]
    _widths(figures, base=of)
    return Group(key=key, title=str(title), total=total, figures=figures)


def _sections(item: Snapshot, shown: Cells) -> list[Section]:
    english = (get_language() or "id").startswith("en")
    received = shown.get("received")
    kinds = [
        _group(
            shown,
            "kinds",
            _("Menurut jenis"),
            "received",
            [(f"kind:{k}", label) for k, label in Kind.choices],
        )
    ]
    for kind, label in Kind.choices:
        members = [
            (f"category:{kind}:{pk}", name_en if english else name_id)
            for pk, name_id, name_en in item.categories.get(kind, [])
        ]
        members.append((f"category:{kind}:none", _("Belum dikategorikan")))
        kinds.append(_group(shown, f"kind:{kind}", label, f"kind:{kind}", members))
    vulnerable = [
        _figure(shown, f"vulnerable:{code}", name_en if english else name_id, of=received)
        for code, name_id, name_en in item.vulnerable_groups
    ]
    _widths(vulnerable, base=received)

    def described(key, groups):
        return Section(key=key, title=str(TITLES[key]), explanation=str(EXPLANATIONS[key]), groups=groups)

    return [
        described(
            "received",
            [
                _group(
                    shown,
                    "status",
                    _("Pengaduan diterima"),
                    "received",
                    [(f"status:{b}", STATUS_LABELS[b]) for b in STATUS_LABELS],
                )
            ],
        ),
        described("kinds", kinds),
        described(
            "vulnerable",
            [
                Group(
                    key="vulnerable",
                    title=_("Pengaduan yang menyebut kelompok ini"),
                    total=None,
                    figures=vulnerable,
                )
            ],
        ),
        described(
            "clarification",
            [
                _group(
                    shown,
                    "clarification",
                    _("Klarifikasi yang diminta"),
                    "clarification:asked",
                    [
                        ("clarification:on_time", _("Dijawab tepat waktu")),
                        ("clarification:late", _("Terlambat atau tidak menjawab")),
                    ],
                )
            ],
        ),
        described(
            "findings",
            [
                _group(
                    shown,
                    "finding",
                    _("Ombudsman RI: LAHP"),
                    "finding:total",
                    [
                        ("finding:found", _("Maladministrasi ditemukan")),
                        ("finding:not_found", _("Maladministrasi tidak ditemukan")),
                    ],
                ),
                _group(
                    shown,
                    "ham",
                    _("Kanwil Kementerian HAM: hasil analisis"),
                    "ham:total",
                    [
                        ("ham:indicated", _("Indikasi pelanggaran HAM ada")),
                        ("ham:not_indicated", _("Indikasi pelanggaran HAM tidak ada")),
                    ],
                ),
            ],
        ),
        described(
            "follow_up",
            [
                _group(
                    shown,
                    "corrective",
                    _("Tindakan korektif (Ombudsman RI)"),
                    "corrective:total",
                    [(f"corrective:{r}", label) for r, label in FOLLOW_UP_LABELS.items()],
                ),
                _group(
                    shown,
                    "recommendation",
                    _("Rekomendasi (Ombudsman RI, Kanwil Kementerian HAM)"),
                    "recommendation:total",
                    [(f"recommendation:{r}", label) for r, label in FOLLOW_UP_LABELS.items()],
                ),
            ],
        ),
    ]


def _months(item: Snapshot, shown: Cells) -> list[MonthRow]:
    rows = []
    for month in item.period.months:
        year, number = (int(part) for part in month.split("-"))
        rows.append(
            MonthRow(
                month=date(year, number, 1),
                received=_figure(shown, f"month:{month}", month),
                resolved=_figure(shown, f"resolved:{month}", month),
            )
        )
    peak = max([row.received.count or 0 for row in rows] + [row.resolved.count or 0 for row in rows] + [0])
    for index, row in enumerate(rows):
        row.x = 100 * index
        row.received_height = round(100 * row.received.count / peak) if peak and row.received.count else 0
        row.resolved_height = round(100 * row.resolved.count / peak) if peak and row.resolved.count else 0
    return rows


def _stages(rows: list[dict], *, received_shown: bool) -> list[StageRow]:
    """The stage medians; how many cases each was taken over is shown only where the scope's own
    count is (it would bound a count held back)."""
    return [
        StageRow(
            source=row["source"],
            target=row["target"],
            label=f"{State(row['source']).label} → {State(row['target']).label}",
            median_days=row["median_days"],
            cases=row["cases"] if received_shown else None,
            cases_withheld=row["cases"] is not None and not received_shown,
        )
        for row in rows
    ]


def _child(item: Snapshot, kind: str, scope: str, code: str, name: str, level: str = "") -> Child:
    return Child(
        kind=kind,
        code=code,
        name=name,
        received=_figure(Cells(item, scope), "received", name),
        compliance_rate=compliance(item.shown(scope)),
        level=level,
    )


def _by_received(children: list[Child]) -> list[Child]:
    """Shown counts first, largest first; the held-back ones after, by name (their order would
    tell their counts apart)."""
    children.sort(key=lambda c: (c.received.count is None, -(c.received.count or 0), c.name))
    _widths([c.received for c in children])
    return children


def level_label(level: str) -> str:
    return str(Agency.Level(level).label) if level in Agency.Level.values else level


def _agencies(item: Snapshot, *, province: str | None = None, regency: str | None = None, central=False):
    rows = []
    for pk, (name, level, agency_province, agency_regency) in item.agencies.items():
        if central and agency_province is not None:
            continue
        if province is not None and agency_province != province:
            continue
        if regency is not None and agency_regency != regency:
            continue
        rows.append(_child(item, "agency", f"a:{pk}", str(pk), name, level_label(level)))
    return _by_received(rows)


_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2})?")


def scope_from(params) -> str:
    """n, p:<code> or r:<code> from ?provinsi= and ?kabkota= (a regency wins); UnknownScope for a
    malformed code (one that is well formed but unknown is found out by scorecard_for)."""
    regency, province = (params.get("kabkota") or "").strip(), (params.get("provinsi") or "").strip()
    for code in (regency, province):
        if code and not _CODE.fullmatch(code):
            raise UnknownScope(code)
    if regency:
        return f"r:{regency}"
    if province:
        return f"p:{province}"
    return NATIONAL


def resolve_scope(item: Snapshot, *, province: str | None = None, regency: str | None = None) -> str:
    """The scope of /kinerja/?provinsi=…&kabkota=… (a regency wins); UnknownScope for a code the
    reference data does not hold."""
    if regency:
        if regency not in item.regencies:
            raise UnknownScope(regency)
        return f"r:{regency}"
    if province:
        if province not in item.provinces:
            raise UnknownScope(province)
        return f"p:{province}"
    return NATIONAL


def scorecard_for(period: Period, scope: str) -> Scorecard:
    """Everything one scope's page shows, from the period's snapshot (built on a cache miss)."""
    item = cache.snapshot_for(period)
    kind, _sep, code = scope.partition(":")
    if kind == "a" and (not code.isdigit() or int(code) not in item.agencies):
        raise UnknownScope(scope)
    if kind in ("p", "r"):
        resolve_scope(item, province=code if kind == "p" else None, regency=code if kind == "r" else None)
    shown = Cells(item, scope)
    card = Scorecard(
        period=period,
        scope=scope,
        scope_type=SCOPE_TYPES[kind],
        name=_("Seluruh Indonesia"),
        computed_at=item.computed_at,
        received=_figure(shown, "received", _("Pengaduan diterima")),
        sections=_sections(item, shown),
        months=_months(item, shown),
        stages=_stages(cache.medians_for(item, scope), received_shown=shown.get("received") is not None),
        compliance_rate=compliance(item.shown(scope)),
        provinces=item.provinces,
        urgent=_figure(shown, "urgent:received", _("Pengaduan mendesak")),
    )
    if kind == "n":
        card.urgent_stages = _stages(
            item.medians.get(URGENT_MEDIANS, []), received_shown=shown.get("received") is not None
        )
    asked, on_time = shown.get("clarification:asked"), shown.get("clarification:on_time")
    if asked and on_time is not None:
        card.clarification_rate = round(100 * on_time / asked, 1)
    if kind == "n":
        card.children_title = _("Menurut provinsi")
        card.children = _by_received(
            [_child(item, "province", f"p:{p}", p, name) for p, name in item.provinces.items()]
        )
        card.agencies_title = _("Instansi pusat dan instansi tanpa wilayah")
        card.agencies = _agencies(item, central=True)
    elif kind == "p":
        card.name = item.provinces[code]
        card.province = (code, card.name)
        card.children_title = _("Menurut kabupaten/kota")
        card.children = _by_received(
            [
                _child(item, "regency", f"r:{r}", r, name)
                for r, (name, province) in item.regencies.items()
                if province == code
            ]
        )
        card.agencies_title = _("Instansi di provinsi ini")
        card.agencies = _agencies(item, province=code)
    elif kind == "r":
        name, province = item.regencies[code]
        card.name = name
        card.province = (province, item.provinces.get(province, province))
        card.regency = (code, name)
        card.agencies_title = _("Instansi di kabupaten/kota ini")
        card.agencies = _agencies(item, regency=code)
    else:
        pk = int(code)
        name, level, province, regency = item.agencies[pk]
        card.name = name
        card.agency_id = pk
        card.level = level_label(level)
        if province:
            card.province = (province, item.provinces.get(province, province))
        if regency:
            card.regency = (regency, item.regencies.get(regency, (regency, ""))[0])
        place = item.ranks.get(pk)
        if place:
            where = card.province[1] if card.province else _("seluruh Indonesia")
            card.place = Place(
                peers_label=_("instansi tingkat %(level)s di %(where)s")
                % {"level": card.level, "where": where},
                peers=place["peers"],
                received=place["received"],
                received_of=place["received_of"],
                compliance=place["compliance"],
                compliance_of=place["compliance_of"],
                compliance_rate=place["compliance_rate"],
            )
    return card


def agency_scope(pk: int) -> str:
    return f"a:{pk}"


# --- JSON and CSV --------------------------------------------------------------------------------
def _child_dict(child: Child) -> dict:
    return {
        "type": child.kind,
        "code": child.code,
        "name": child.name,
        "level": child.level,
        "received": child.received.as_dict(),
        "compliance_rate": child.compliance_rate,
    }


def as_dict(card: Scorecard) -> dict:
    """The scorecard as the API gives it (complaints/scorecard/api.py documents the shape)."""
    return {
        "period": {"from": f"{card.period.first:%Y-%m}", "to": f"{card.period.last:%Y-%m}"},
        "scope": {
            "type": card.scope_type,
            "code": card.scope.partition(":")[2],
            "name": card.name,
            "level": card.level,
            "province": card.province[0] if card.province else None,
            "regency": card.regency[0] if card.regency else None,
        },
        "computed_at": card.computed_at,
        "threshold": THRESHOLD,
        "received": card.received.as_dict(),
        "urgent": card.urgent.as_dict() if card.urgent else None,
        "urgent_stage_medians": [
            {
                "from": row.source,
                "to": row.target,
                "label": row.label,
                "median_days": row.median_days,
                "cases": row.cases,
                "suppressed": row.suppressed,
                "cases_display": row.cases_display,
            }
            for row in card.urgent_stages
        ],  # fmt: skip
        "compliance_rate": card.compliance_rate,
        "clarification_on_time_rate": card.clarification_rate,
        "sections": [section.as_dict() for section in card.sections],
        "months": [
            {
                "month": f"{row.month:%Y-%m}",
                "received": row.received.as_dict(),
                "resolved": row.resolved.as_dict(),
            }
            for row in card.months
        ],
        "stage_medians": [
            {
                "from": row.source,
                "to": row.target,
                "label": row.label,
                "median_days": row.median_days,
                "cases": row.cases,
                "suppressed": row.suppressed,
                "cases_display": row.cases_display,
            }
            for row in card.stages
        ],
        "children": [_child_dict(child) for child in card.children],
        "agencies": [_child_dict(child) for child in card.agencies],
        "place": (
            {
                "peers": card.place.peers_label,
                "peer_count": card.place.peers,
                "by_received": card.place.received,
                "ranked_by_received": card.place.received_of,
                "by_compliance": card.place.compliance,
                "ranked_by_compliance": card.place.compliance_of,
            }
            if card.place
            else None
        ),
        "notes": card.notes,
    }


def csv_rows(card: Scorecard, *, explanations: bool = False) -> list[list[str]]:
    """The figures as CSV rows: section, group, figure, count ("< 5" when held back), share (%)
    and, for the assessment export, the section's explanation."""
    rows: list[list[str]] = []

    def row(section, group, label, value, share=None, explanation=""):
        cells = [str(section), str(group), str(label), str(value), "" if share is None else f"{share}"]
        rows.append([*cells, str(explanation)] if explanations else cells)

    for section in card.sections:
        for group in section.groups:
            if group.total is not None:
                row(section.title, group.title, _("Jumlah"), group.total.display, None, section.explanation)
            for figure in group.figures:
                row(
                    section.title,
                    group.title,
                    figure.label,
                    figure.display,
                    figure.share,
                    section.explanation,
                )
    if card.compliance_rate is not None:
        row(
            _("Kepatuhan instansi"),
            "",
            _("Tepat waktu (%)"),
            card.compliance_rate,
            None,
            card.compliance_explanation,
        )
    for month in card.months:
        row(
            _("Tren per bulan"),
            _("Diterima"),
            f"{month.month:%Y-%m}",
            month.received.display,
            None,
            card.months_explanation,
        )
        row(
            _("Tren per bulan"),
            _("Selesai"),
            f"{month.month:%Y-%m}",
            month.resolved.display,
            None,
            card.months_explanation,
        )
    for stage in card.stages:
        median = "" if stage.median_days is None else stage.median_days
        cases = stage.cases_display
        row(
            _("Median hari per tahap"), stage.label, _("Median (hari)"), median, None, card.stages_explanation
        )
        row(
            _("Median hari per tahap"),
            stage.label,
            _("Jumlah pengaduan"),
            cases,
            None,
            card.stages_explanation,
        )
    if card.place:
        place = card.place
        row(
            _("Peringkat"),
            place.peers_label,
            _("Menurut jumlah pengaduan"),
            "" if place.received is None else f"{place.received}/{place.received_of}",
            None,
            card.place_explanation,
        )
        row(
            _("Peringkat"),
            place.peers_label,
            _("Menurut kepatuhan"),
            "" if place.compliance is None else f"{place.compliance}/{place.compliance_of}",
            None,
            card.place_explanation,
        )
    for child in card.children + card.agencies:
        row(
            card.children_title if child.kind != "agency" else card.agencies_title,
            child.name,
            _("Pengaduan diterima"),
            child.received.display,
            None,
            str(EXPLANATIONS["regions" if child.kind != "agency" else "agencies"]),
        )
    return rows


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_table(
    card: Scorecard, *, explanations: bool = False, preamble: list[list[str]] | None = None
) -> list[list[str]]:
    """The whole CSV file: a few lines naming the scope, the period and the rules, then a header
    and one line a figure (csv_rows). Every cell is defused for spreadsheets."""
    lines = [
        *(preamble or []),
        [_("Wilayah / instansi"), card.name],
        [_("Periode"), f"{card.period.first:%Y-%m}", f"{card.period.last:%Y-%m}"],
        [_("Diperbarui"), timezone.localtime(card.computed_at).isoformat(timespec="minutes")],
        *[[_("Catatan"), note] for note in card.notes],
        [],
        [_("Bagian"), _("Kelompok"), _("Uraian"), _("Jumlah"), _("Persen")]
        + ([_("Penjelasan")] if explanations else []),
        *csv_rows(card, explanations=explanations),
    ]
    return [[_safe(cell) for cell in line] for line in lines]
