"""The one sanitising function: complaint text is stored as plain text, whatever was typed."""

import pytest

from complaints.sanitize import clean_text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("<script>alert('x')</script>Jalan rusak", "Jalan rusak"),
        ("<SCRIPT type=text/javascript>document.cookie</SCRIPT>Halo", "Halo"),
        ("<style>body{display:none}</style>Teks", "Teks"),
        ('<img src=x onerror="alert(1)">Foto terlampir', "Foto terlampir"),
        ("<svg onload=alert(1)>gambar</svg>", "gambar"),
        ('<a href="javascript:alert(1)">klik di sini</a>', "klik di sini"),
        ('<iframe src="javascript:alert(1)"></iframe>aman', "aman"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;halo", "halo"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;halo", "halo"),
        ("<b>Budi</b> <i>Santoso</i>", "Budi Santoso"),
    ],
    ids=[
        "script",
        "script-uppercase",
        "style",
        "onerror",
        "onload",
        "javascript-link",
        "javascript-iframe",
        "escaped-script",
        "double-escaped-script",
        "formatting",
    ],
)
def test_markup_is_removed_and_only_the_words_remain(typed, stored):
    assert clean_text(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "<scr<script>ipt>alert(1)</script>",
        "<<script>script>alert(1)<</script>/script>",
        '<div onmouseover="alert(1)">x</div>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
    ],
)
def test_no_tag_or_handler_survives_tricks(typed):
    cleaned = clean_text(typed)
    assert "<script" not in cleaned.lower() and "onmouseover" not in cleaned
    assert "href" not in cleaned and "<a" not in cleaned


def test_ordinary_text_with_symbols_is_kept_as_written():
    # Plain text is stored unescaped (pages escape on output): "<" and "&" are not lost or doubled.
    assert clean_text("umur < 5 tahun & biaya > Rp 5.000") == "umur < 5 tahun & biaya > Rp 5.000"


def test_whitespace_is_tidied_but_paragraphs_stay():
    typed = "  Pertama\t\tsekali \r\n\r\n\r\n\r\n  Kedua\u00a0 kali  \rKetiga  "
    assert clean_text(typed) == "Pertama sekali\n\nKedua kali\nKetiga"


def test_control_characters_and_empty_values_are_dropped():
    assert clean_text("a\x00b\x1bc\x7f") == "abc"
    assert clean_text(None) == ""
    assert clean_text("   ") == ""
