"""Reference data shipped with Sigap, loaded by a data migration.

Regions: the official Kemendagri codes from idn-area-data (ODbL, see complaints/data/idn-area/).
Categories: the 10 forms of maladministration of Peraturan Ombudsman 26/2017 (plus the
Ombudsman's "kelalaian/pengabaian kewajiban hukum") and the 10 rights of UU 39/1999 Bab III.
They are data: administrators add, rename or retire them in the admin.
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "idn-area"

MALADMINISTRATION_CATEGORIES = [
    ("penundaan-berlarut", "Penundaan berlarut", "Undue delay"),
    ("tidak-memberikan-pelayanan", "Tidak memberikan pelayanan", "Failure to provide service"),
    ("tidak-kompeten", "Tidak kompeten", "Incompetence"),
    ("penyalahgunaan-wewenang", "Penyalahgunaan wewenang", "Abuse of authority"),
    ("penyimpangan-prosedur", "Penyimpangan prosedur", "Deviation from procedure"),
    (
        "permintaan-imbalan",
        "Permintaan imbalan uang, barang dan jasa",
        "Request for money, goods or services",
    ),
    ("tidak-patut", "Tidak patut", "Improper conduct"),
    ("berpihak", "Berpihak", "Partiality"),
    ("diskriminasi", "Diskriminasi", "Discrimination"),
    ("konflik-kepentingan", "Konflik kepentingan", "Conflict of interest"),
    ("kelalaian-kewajiban-hukum", "Kelalaian/pengabaian kewajiban hukum", "Neglect of a legal duty"),
]

HAM_CATEGORIES = [
    ("hak-hidup", "Hak untuk hidup", "Right to life"),
    ("hak-berkeluarga", "Hak berkeluarga dan melanjutkan keturunan", "Right to found a family"),
    ("hak-mengembangkan-diri", "Hak mengembangkan diri", "Right to self-development"),
    ("hak-memperoleh-keadilan", "Hak memperoleh keadilan", "Right to justice"),
    ("hak-kebebasan-pribadi", "Hak atas kebebasan pribadi", "Right to personal freedom"),
    ("hak-rasa-aman", "Hak atas rasa aman", "Right to security"),
    ("hak-kesejahteraan", "Hak atas kesejahteraan", "Right to welfare"),
    (
        "hak-turut-serta-pemerintahan",
        "Hak turut serta dalam pemerintahan",
        "Right to take part in government",
    ),
    ("hak-wanita", "Hak wanita", "Women's rights"),
    ("hak-anak", "Hak anak", "Children's rights"),
]

VULNERABLE_GROUPS = [
    ("disabilitas", "Penyandang disabilitas", "Persons with disabilities"),
    ("perempuan", "Perempuan (hamil/menyusui)", "Women (pregnant/breastfeeding)"),
    ("anak", "Anak", "Children"),
    ("lansia", "Lansia", "Older persons"),
    ("masyarakat-adat", "Masyarakat adat", "Indigenous peoples"),
    ("fakir-miskin", "Fakir miskin", "People living in poverty"),
    ("minoritas", "Kelompok minoritas", "Minority groups"),
]

# A few national agencies so the form is usable on day one; regional OPD are added by administrators.
NATIONAL_AGENCIES = [
    "Badan Pertanahan Nasional (ATR/BPN)",
    "BPJS Kesehatan",
    "BPJS Ketenagakerjaan",
    "Kepolisian Negara Republik Indonesia",
    "Kementerian Agama",
    "Kementerian Pendidikan Dasar dan Menengah",
    "Kementerian Kesehatan",
    "Kementerian Sosial",
    "Kementerian Dalam Negeri (Dukcapil)",
    "Direktorat Jenderal Imigrasi",
    "Direktorat Jenderal Pemasyarakatan",
    "PT PLN (Persero)",
    "Badan Kepegawaian Negara",
]


# Default deadlines (docs/domain.md#deadlines). (state, scope, days, working days?, source); scope "" = every kind.
DEADLINE_RULES = [
    ("submitted", "", 3, True, "SP4N-LAPOR! (Permenpan-RB 62/2018): verifikasi dimulai"),
    ("verifying", "", 5, True, "UU 37/2008 ps. 24: verifikasi formal (5 hari kerja, bawaan Sigap)"),
    ("verifying", "maladministrasi", 5, True, "PO 58/2023: verifikasi formil (5 hari kerja, bawaan Sigap)"),
    ("verifying", "ham", 5, True, "Permenkumham 23/2022: verifikasi pengaduan (5 hari kerja)"),
    ("material_verification", "", 5, True, "Verifikasi materiil (5 hari kerja, bawaan Sigap)"),
    ("material_verification", "maladministrasi", 5, True, "PO 58/2023: verifikasi materiil (5 hari kerja)"),
    ("material_verification", "ham", 5, True, "Permenkumham 23/2022: analisis awal (5 hari kerja)"),
    ("awaiting_info", "", 30, False, "UU 37/2008 ps. 25: kelengkapan 30 hari, lalu dianggap dicabut"),
    ("awaiting_info", "ham", 10, False, "Permenkumham 23/2022: kelengkapan 10 hari"),
    ("referred", "", 5, True, "SP4N-LAPOR!: tindak lanjut rujukan"),
    ("examination", "", 60, False, "Perpres 76/2013: 60 hari sejak berkas lengkap"),
    ("mediation", "", 30, False, "Mediasi/konsiliasi (30 hari, bawaan Sigap)"),
    (
        "mediation",
        "maladministrasi",
        30,
        False,
        "UU 37/2008 ps. 8: mediasi dan konsiliasi (30 hari, bawaan Sigap)",
    ),
    ("mediation", "ham", 30, False, "Permenkumham 23/2022: fasilitasi/mediasi (30 hari, bawaan Sigap)"),
    ("agency_clarification", "", 14, False, "Jawaban klarifikasi instansi (14 hari, bawaan Sigap)"),
    (
        "agency_clarification",
        "maladministrasi",
        14,
        False,
        "PO 58/2023: klarifikasi kepada terlapor (14 hari, bawaan Sigap)",
    ),
    (
        "agency_clarification",
        "ham",
        14,
        False,
        "Permenkumham 23/2022: klarifikasi/koordinasi (14 hari, bawaan Sigap)",
    ),
    ("agency_corrective_action", "", 30, False, "PO 58/2023: tindakan korektif dilaksanakan (30 hari)"),
    (
        "agency_recommendation",
        "",
        60,
        False,
        "UU 37/2008 ps. 38 ayat 2: laporan pelaksanaan rekomendasi 60 hari",
    ),
    (
        "agency_recommendation",
        "ham",
        30,
        False,
        "Permenkumham 23/2022: tindak lanjut rekomendasi (30 hari, bawaan Sigap)",
    ),
    ("resolved", "", 14, False, "Masa keberatan 14 hari: aturan Sigap (model prosedur Ombudsman)"),
    # An urgent case's shorter clocks (docs/domain.md#urgency): looked up first when the case is
    # urgent; a stage without one runs on its usual rule. The lengths are Sigap's defaults.
    ("submitted", "urgent", 1, True, "Kasus mendesak: verifikasi dimulai (1 hari kerja, bawaan Sigap)"),
    ("verifying", "urgent", 2, True, "Kasus mendesak: verifikasi formal (2 hari kerja, bawaan Sigap)"),
    (
        "material_verification",
        "urgent",
        2,
        True,
        "Kasus mendesak: verifikasi materiil (2 hari kerja, bawaan Sigap)",
    ),
    ("referred", "urgent", 1, True, "Kasus mendesak: tindak lanjut rujukan (1 hari kerja, bawaan Sigap)"),
    ("examination", "urgent", 14, False, "Kasus mendesak: pemeriksaan (14 hari, bawaan Sigap)"),
    (
        "agency_clarification",
        "urgent",
        3,
        False,
        "Kasus mendesak: jawaban klarifikasi instansi (3 hari, bawaan Sigap)",
    ),
]


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps) -> None:
    """Load every kind of reference data; safe to run twice (existing codes are kept)."""
    Province = apps.get_model("complaints", "Province")
    Regency = apps.get_model("complaints", "Regency")
    District = apps.get_model("complaints", "District")
    Category = apps.get_model("complaints", "Category")
    VulnerableGroup = apps.get_model("complaints", "VulnerableGroup")
    HandlingUnit = apps.get_model("complaints", "HandlingUnit")
    Agency = apps.get_model("complaints", "Agency")
    DeadlineRule = apps.get_model("workflow", "DeadlineRule")

    Province.objects.bulk_create(
        [Province(code=row["code"], name=row["name"]) for row in read_csv("provinces.csv")],
        ignore_conflicts=True,
    )
    Regency.objects.bulk_create(
        [
            Regency(code=row["code"], province_id=row["province_code"], name=row["name"])
            for row in read_csv("regencies.csv")
        ],
        ignore_conflicts=True,
    )
    District.objects.bulk_create(
        [
            District(code=row["code"], regency_id=row["regency_code"], name=row["name"])
            for row in read_csv("districts.csv")
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    categories = [
        Category(kind=kind, code=code, name_id=name_id, name_en=name_en, order=order)
        for kind, rows in (("maladministrasi", MALADMINISTRATION_CATEGORIES), ("ham", HAM_CATEGORIES))
        for order, (code, name_id, name_en) in enumerate(rows, start=1)
    ]
    Category.objects.bulk_create(categories, ignore_conflicts=True)
    VulnerableGroup.objects.bulk_create(
        [
            VulnerableGroup(code=code, name_id=name_id, name_en=name_en, order=order)
            for order, (code, name_id, name_en) in enumerate(VULNERABLE_GROUPS, start=1)
        ],
        ignore_conflicts=True,
    )
    units = [
        HandlingUnit(code="penerimaan-nasional", name="Meja Penerimaan Pengaduan Nasional", kind="intake")
    ]
    for province in Province.objects.all():
        slug = province.code
        units += [
            HandlingUnit(
                code=f"penerimaan-{slug}",
                name=f"Meja Penerimaan Pengaduan {province.name}",
                kind="intake",
                province=province,
            ),
            HandlingUnit(
                code=f"ombudsman-{slug}",
                name=f"Ombudsman RI Perwakilan {province.name}",
                kind="ombudsman",
                province=province,
            ),
            HandlingUnit(
                code=f"kanwil-ham-{slug}",
                name=f"Kanwil Kementerian HAM {province.name}",
                kind="kanwil_ham",
                province=province,
            ),
        ]
    HandlingUnit.objects.bulk_create(units, ignore_conflicts=True)
    # Written out as complaints.machine.MACHINE has it: a migration's loader imports no live code.
    DeadlineRule.objects.bulk_create(
        [
            DeadlineRule(
                machine="complaint", state=state, scope=scope, days=days, working_days=working, source=src
            )
            for state, scope, days, working, src in DEADLINE_RULES
        ],
        ignore_conflicts=True,
    )
    if not Agency.objects.exists():
        Agency.objects.bulk_create([Agency(name=name, level="pusat") for name in NATIONAL_AGENCIES])
        # Every provincial and regency government is a reportable agency (its OPD come later).
        Agency.objects.bulk_create(
            [
                Agency(name=f"Pemerintah Provinsi {p.name}", level="provinsi", province=p)
                for p in Province.objects.all()
            ]
            + [
                Agency(name=f"Pemerintah {r.name}", level="kabkota", province_id=r.province_id, regency=r)
                for r in Regency.objects.all()
            ]
        )
