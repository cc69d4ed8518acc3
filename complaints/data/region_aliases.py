"""Names people text for a region, mapped to the official name in the region tables.

The tables (``Province``, ``Regency``, loaded from ``complaints/data/idn-area/``) hold the
Kemendagri names: "Kota Administrasi Jakarta Timur", "Daerah Istimewa Yogyakarta". People texting
LAPOR write "jaktim", "DIY", "jogja", "sby". ``complaints/sms/conversations.py`` (``_match_region``)
looks an answer up here after an exact regency name and before the looser matches, so an alias
never hides an exact name.

How to add one: the key is the alias in capitals with dots and dashes removed and single spaces
("KAB. BDG" is written "KAB BDG"); the value is an official name exactly as it is in
``idn-area/regencies.csv`` or ``idn-area/provinces.csv`` (a regency first, else a province).
``tests/complaints/sms/test_region_aliases.py`` checks that every value names exactly one region.
An alias must name one region only: "Bandung", "Bogor", "Bekasi" or "Malang" are both a kabupaten
and a kota, so they have no alias and the conversation asks which one is meant.
"""

from __future__ import annotations

# Provinces: the usual short names.
PROVINCES = {
    "DKI": "Daerah Khusus Ibukota Jakarta",
    "DKI JAKARTA": "Daerah Khusus Ibukota Jakarta",
    "JAKARTA": "Daerah Khusus Ibukota Jakarta",
    "JKT": "Daerah Khusus Ibukota Jakarta",
    "DIY": "Daerah Istimewa Yogyakarta",
    "DI YOGYAKARTA": "Daerah Istimewa Yogyakarta",
    "NAD": "Aceh",
    "NANGGROE ACEH DARUSSALAM": "Aceh",
    "JABAR": "Jawa Barat",
    "JATENG": "Jawa Tengah",
    "JATIM": "Jawa Timur",
    "SUMUT": "Sumatera Utara",
    "SUMBAR": "Sumatera Barat",
    "SUMSEL": "Sumatera Selatan",
    "BABEL": "Kepulauan Bangka Belitung",
    "BANGKA BELITUNG": "Kepulauan Bangka Belitung",
    "KEPRI": "Kepulauan Riau",
    "NTB": "Nusa Tenggara Barat",
    "NTT": "Nusa Tenggara Timur",
    "KALBAR": "Kalimantan Barat",
    "KALTENG": "Kalimantan Tengah",
    "KALSEL": "Kalimantan Selatan",
    "KALTIM": "Kalimantan Timur",
    "KALTARA": "Kalimantan Utara",
    "SULUT": "Sulawesi Utara",
    "SULTENG": "Sulawesi Tengah",
    "SULSEL": "Sulawesi Selatan",
    "SULTRA": "Sulawesi Tenggara",
    "SULBAR": "Sulawesi Barat",
    "MALUT": "Maluku Utara",
    "PABAR": "Papua Barat",
    "PAPBAR": "Papua Barat",
}

# Cities and regencies: the names in everyday use and the usual abbreviations.
REGENCIES = {
    # Jakarta's five cities and one regency.
    "JAKPUS": "Kota Administrasi Jakarta Pusat",
    "JAKUT": "Kota Administrasi Jakarta Utara",
    "JAKBAR": "Kota Administrasi Jakarta Barat",
    "JAKSEL": "Kota Administrasi Jakarta Selatan",
    "JAKTIM": "Kota Administrasi Jakarta Timur",
    "KEPULAUAN SERIBU": "Kabupaten Administrasi Kepulauan Seribu",
    "PULAU SERIBU": "Kabupaten Administrasi Kepulauan Seribu",
    "KEPSER": "Kabupaten Administrasi Kepulauan Seribu",
    # Yogyakarta: "Jogja" is the city (the province is DIY).
    "JOGJA": "Kota Yogyakarta",
    "JOGJAKARTA": "Kota Yogyakarta",
    "JOGYA": "Kota Yogyakarta",
    "JOGYAKARTA": "Kota Yogyakarta",
    "YOGYA": "Kota Yogyakarta",
    "YOGYA KOTA": "Kota Yogyakarta",
    "JOGJA KOTA": "Kota Yogyakarta",
    "KOTA JOGJA": "Kota Yogyakarta",
    # Other cities by their usual abbreviation or everyday name.
    "BDG": "Kota Bandung",
    "KOTA BDG": "Kota Bandung",
    "KAB BDG": "Kabupaten Bandung",
    "SBY": "Kota Surabaya",
    "SUROBOYO": "Kota Surabaya",
    "MKS": "Kota Makassar",
    "MAKASAR": "Kota Makassar",
    "MDN": "Kota Medan",
    "SMG": "Kota Semarang",
    "SOLO": "Kota Surakarta",
    "DPS": "Kota Denpasar",
    "PLG": "Kota Palembang",
    "BPN": "Kota Balikpapan",
    "BJM": "Kota Banjarmasin",
    "PTK": "Kota Pontianak",
    "PKU": "Kota Pekanbaru",
    "MND": "Kota Manado",
    "TANGSEL": "Kota Tangerang Selatan",
    "BALAM": "Kota Bandar Lampung",
}


def key(answer: str) -> str:
    """An answer as the tables are keyed: capitals, no dots or dashes, single spaces."""
    return " ".join(answer.upper().replace(".", " ").replace("-", " ").split())


def official_name(answer: str) -> tuple[str, str] | None:
    """("regency" | "province", the official name) for an alias; None for anything else."""
    written = key(answer)
    if written in REGENCIES:
        return "regency", REGENCIES[written]
    if written in PROVINCES:
        return "province", PROVINCES[written]
    return None
