"""The one sanitising function every intake channel uses (web form, API, SMS, WhatsApp).

Complaint text is plain text: no HTML survives. nh3 (bleach's maintained successor) parses the
input as HTML and keeps only its text, dropping <script>/<style> content, event handlers and
javascript: URLs with the tags that carried them. Pages escape on output as well.
"""

import html
import re
import unicodedata

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str | None) -> str:
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    # nh3 returns escaped text (&amp;, &lt;); the stored value is plain text, escaped on output.
    # Markup hidden behind entities (&lt;script&gt;) surfaces when unescaped: clean until stable.
    for _ in range(3):
        cleaned = html.unescape(
            nh3.clean(text, tags=set(), attributes={}, clean_content_tags={"script", "style"})
        )
        if cleaned == text:
            break
        text = cleaned
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
