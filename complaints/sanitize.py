"""The one sanitising function every intake channel uses (web form, API, SMS, WhatsApp).

Complaint text is stored as plain text, as a reader would see it: character references are decoded
however deeply nested (``&amp;amp;lt;`` is ``<``), markup is removed (nh3, bleach's maintained
successor, keeps only the text, dropping <script>/<style> content), and both are repeated until
nothing changes, so ``clean_text(clean_text(x)) == clean_text(x)`` and no output holds a tag or a
character reference. A ``<``, ``>``, ``&`` or quote typed as text ("nilai < 5", "A & B") is kept as
typed, never escaped: each output escapes for its own format (templates autoescape, the API's JSON,
``csv_safe`` in the CSV export).
"""

import html
import re
import unicodedata

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# A "<" that would open a tag, a comment or a declaration. nh3 removes each one it parses; one it
# leaves as text ("a </" at the very end) is dropped, so no later concatenation completes a tag.
_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")
# Each round peels one layer: ordinary text is stable after one or two rounds, the attacks in
# tests/complaints/test_sanitize.py after three. Input built to need more loses every <, > and &.
_MAX_ROUNDS = 8


def clean_text(value: str | None) -> str:
    if not value:
        return ""
    text = str(value)
    for _ in range(_MAX_ROUNDS):
        cleaned = _clean_once(text)
        if cleaned == text:
            return text
        text = cleaned
    return _clean_once(_clean_once(re.sub(r"[<>&]", "", text)))


def _clean_once(text: str) -> str:
    text = _decode(text).replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text))
    # nh3 returns its text escaped (&amp;, &lt;): unescaping once gives back the text itself.
    text = html.unescape(nh3.clean(text, tags=set(), attributes={}, clean_content_tags={"script", "style"}))
    text = _TAG_OPENING.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _decode(text: str) -> str:
    """Every character reference decoded, however deeply nested (each pass only shortens the text)."""
    while (decoded := html.unescape(text)) != text:
        text = decoded
    return text
