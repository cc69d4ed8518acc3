"""The public pages' look: readable contrast in the one stylesheet they load."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "sigap.css"


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(ch * 2 for ch in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_calculation_matches_known_values():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)


# Text colour on background, as the stylesheet pairs them (WCAG 2.1 AA: 4.5:1 for body text).
PAIRS = [
    ("ink", "bg"),  # body text
    ("muted", "bg"),  # hints, explanations under each choice, footer
    ("muted", "soft"),  # hints inside notices
    ("brand", "bg"),  # links
    ("brand-ink", "brand"),  # header, buttons
    ("brand", "soft"),  # secondary buttons, tracking code
    ("bad", "bg"),  # error messages
    ("ink", "soft"),  # notices, the ASN promise
]


@pytest.mark.parametrize(("text", "background"), PAIRS, ids=[f"{t}-on-{b}" for t, b in PAIRS])
def test_text_on_the_public_pages_is_readable(text, background):
    variables = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{3,6})", CSS.read_text()))
    ratio = contrast(variables[text], variables[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"
