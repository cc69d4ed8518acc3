"""Message texts: shipped defaults in code, reworded by administrators in the admin.

The domain registers each text once (``register``) with its Indonesian and English default and
the placeholders it may use. ``render`` picks an administrator's ``MessageTemplate`` for the
key, language and channel (or for every channel), else the default, and fills it in.

A text an administrator broke (an unknown placeholder, a stray brace) never breaks the step that
sends it: the admin form refuses it, and should one reach the database anyway, ``render`` falls
back to the shipped default and logs why.

Length: an SMS segment holds 160 GSM-7 characters, but only 70 once one character is outside
GSM-7 (a curly quote, an accented letter in a unit's name). ``plain`` makes data values GSM-7,
``segments`` counts what a text costs, and ``fit`` cuts a text with someone's own words (an
officer's request) to a budget of segments, pointing to where the rest can be read.
"""

from __future__ import annotations

import logging
import math
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_DEFAULTS: dict[str, dict[str, str]] = {}
_PLACEHOLDERS: dict[str, frozenset[str]] = {}

# GSM 03.38 basic set, and the extension set whose characters cost two.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


@dataclass(frozen=True)
class Rendered:
    body: str
    content_sid: str = ""


def register(key: str, *, texts: Mapping[str, str], placeholders: Iterable[str]) -> None:
    """Ship a default text ({"id": …, "en": …}) and the placeholders its wording may use."""
    _DEFAULTS[key] = dict(texts)
    _PLACEHOLDERS[key] = frozenset(placeholders)


def registered() -> dict[str, dict[str, str]]:
    return {key: dict(texts) for key, texts in _DEFAULTS.items()}


def placeholders(key: str) -> frozenset[str]:
    return _PLACEHOLDERS.get(key, frozenset())


def problems(key: str, text: str) -> list[str]:
    """What is wrong with a wording for ``key`` (empty when it can be sent)."""
    if key not in _DEFAULTS:
        return [f"unknown key {key!r}"]
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        return [str(exc)]
    unknown = sorted(f for f in fields if f not in _PLACEHOLDERS[key])
    return [f"unknown placeholder {{{name}}}" for name in unknown]


def overrides(keys: Iterable[str] | None = None) -> dict[tuple[str, str, str], object]:
    """Administrators' wordings, in one query (the table holds a few dozen rows)."""
    from .models import MessageTemplate

    rows = MessageTemplate.objects.all()
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    return {(row.key, row.language, row.channel): row for row in rows}


def render(
    key: str,
    *,
    language: str,
    channel: str,
    values: Mapping[str, object],
    preloaded: Mapping[tuple[str, str, str], object] | None = None,
) -> Rendered:
    """The text for ``key`` in ``language`` on ``channel``, filled in with ``values``.

    ``preloaded`` is ``overrides()``, for callers that render many messages at once.
    """
    language = language if language in ("id", "en") else "id"
    rows = preloaded if preloaded is not None else overrides([key])
    row = rows.get((key, language, channel)) or rows.get((key, language, ""))
    default = _DEFAULTS[key].get(language) or _DEFAULTS[key]["id"]
    body = default.format_map(values)
    if row is not None and row.body:
        if problems(key, row.body):
            logger.warning(
                "message template %s is broken, sending the default: %s", row, problems(key, row.body)
            )
        else:
            body = row.body.format_map(values)
    return Rendered(body=body, content_sid=row.content_sid if row is not None else "")


def plain(value: str) -> str:
    """A data value (a unit's name) in GSM-7 where it can be: "Sulawesi–Utara" → "Sulawesi-Utara"."""
    value = (value or "").translate(_PLAIN)
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in value):
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def segments(text: str) -> int:
    """How many SMS segments ``text`` costs (GSM-7: 160, or 153 each when split; else UCS-2: 70/67)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        return 1 if units <= 160 else math.ceil(units / 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return 1 if units <= 70 else math.ceil(units / 67)


def fit(
    build: Callable[[str], str],
    words: str,
    *,
    suffix: str,
    max_segments: int | None = None,
    max_chars: int | None = None,
) -> str:
    """``build(words)`` when it fits the budget (at most ``max_segments`` SMS segments and
    ``max_chars`` characters); else ``build`` of the longest start of ``words``, cut at a word
    where it can be, followed by ``suffix`` (where to read the rest) that fits. When not even the
    first word fits, ``build`` of the suffix alone."""

    def fits(text: str) -> bool:
        if max_segments is not None and segments(text) > max_segments:
            return False
        return max_chars is None or len(text) <= max_chars

    whole = build(words)
    if fits(whole):
        return whole

    def cut(length: int) -> str:
        head = words[:length]
        if length < len(words) and not words[length].isspace() and " " in head.strip():
            head = head.rstrip().rsplit(" ", 1)[0]
        return head.rstrip(" ,;:-")

    low, high = 0, len(words) - 1
    while low < high:  # the longest start that fits (the cost grows with the length)
        middle = (low + high + 1) // 2
        if fits(build(cut(middle) + suffix)):
            low = middle
        else:
            high = middle - 1
    head = cut(low)
    return build(head + suffix) if head else build(suffix.strip())
