"""The one sanitising function: complaint text is stored as plain text, whatever was typed."""

import html
import re

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


# --- a fixed point: cleaning what was cleaned changes nothing -------------------------------------
# Whatever opens a tag, a comment or a declaration in HTML.
TAG_OPENING = re.compile(r"<[A-Za-z/!?]")


def decoded(text: str) -> str:
    """The text with every character reference decoded, however deeply nested."""
    while (once := html.unescape(text)) != text:
        text = once
    return text


def nested(markup: str, depth: int) -> str:
    """Markup hidden behind ``depth`` layers of entities: <img> → &lt;img&gt; → &amp;lt;img&amp;gt; …"""
    text = html.escape(markup, quote=False)
    for _ in range(depth - 1):
        text = text.replace("&", "&amp;")
    return text


def assert_inert(typed: str) -> str:
    once = clean_text(typed)
    assert clean_text(once) == once, "cleaning twice changed the text"
    assert not TAG_OPENING.search(once), once
    assert not TAG_OPENING.search(decoded(once)), once
    assert decoded(once) == once, "a character reference survived"
    return once


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5, 8, 20])
@pytest.mark.parametrize(
    "markup",
    ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", '<a href="javascript:alert(1)">x</a>'],
    ids=["img", "script", "link"],
)
def test_markup_behind_nested_entities_never_comes_back_as_a_tag(markup, depth):
    typed = nested(markup, depth)
    once = assert_inert(typed)
    # What an intake channel stores, what a later channel or page cleans again: still no tag.
    assert assert_inert(html.unescape(once)) == clean_text(html.unescape(once))
    assert "onerror" not in once and "javascript" not in once.lower()


def test_the_reported_attack_is_harmless_after_three_passes():
    typed = "&amp;amp;lt;img src=x onerror=alert(1)&amp;amp;gt;"
    text = typed
    for _ in range(3):
        text = html.unescape(clean_text(text))
        assert not TAG_OPENING.search(text), text
    assert clean_text(typed) == ""


TRICKS = [
    "&amp;amp;lt;img src=x onerror=alert(1)&amp;amp;gt;",
    "&#38;lt;script&#38;gt;alert(1)&#38;lt;/script&#38;gt;",
    "&#x26;#x3C;script&#x26;#x3E;alert(1)",
    "&amp;#60;img src=x onerror=alert(1)&amp;#62;",
    "&lt;img src=x onerror=alert(1)&gt",
    "&LT;script&GT;alert(1)",
    "<<b></b>script>alert(1)<<b></b>/script>",
    "<<<i></i>b></b>img src=x onerror=alert(1)>",
    "&l<b></b>t;script&g<b></b>t;alert(1)",
    "&am<i></i>p;lt;script&am<i></i>p;gt;",
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea>&lt;img src=x onerror=alert(1)&gt;</textarea>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    "<plaintext><svg onload=alert(1)>",
    "<title>&amp;lt;script&amp;gt;</title>",
    "<!-- <script>alert(1)</script> -->teks",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><svg/onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "a</",
    "nilai </",
    "<\x00script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</script>",
    "&#0;<script>alert(1)</script>",
    "&#13;&#10;<img src=x onerror=alert(1)>",
    "e&#x301;<b>\u0301</b>&#x301;",
    "\u0958&#x958;<i></i>",
    "<" * 50 + "b>" * 50,
    "<<b></b>" * 30 + "script>alert(1)",
    "&amp;" * 40 + "lt;script&gt;",
    "",
    "   ",
]


@pytest.mark.parametrize("typed", TRICKS, ids=range(len(TRICKS)))
def test_cleaning_reaches_a_fixed_point_with_no_tag_left(typed):
    assert_inert(typed)


ORDINARY = [
    "Jalan rusak di depan SDN 01 & warga sudah lapor ke kelurahan.",
    "Nilai anak saya < 5 padahal ujiannya > 80.",
    "Biaya Rp 50.000 <-- katanya \"uang administrasi\", padahal 'gratis'.",
    "Pelayanan lambat 😡🙏 mohon ditindak.",
    "Baris pertama\nBaris kedua\n\nParagraf baru",
    "PT Maju & Jaya, R&D, AT&T, 3 < 4 > 2, a <= b, x >= y, <3",
    "Email: warga@example.id; tautan https://example.id/?a=1&b=2",
    "Catatan: 100% ditolak; #pengaduan @petugas ~ ^ * ( ) [ ] { } | \\ /",
    "Pak Budi bilang: “nanti saja” — sudah 3× datang…",
]


@pytest.mark.parametrize("typed", ORDINARY, ids=range(len(ORDINARY)))
def test_ordinary_text_stays_as_the_citizen_wrote_it(typed):
    assert clean_text(typed) == typed
    assert clean_text(clean_text(typed)) == typed
