"""The public pages' look: readable contrast in the one stylesheet they load; the form's hourly
limit per client address as the complainant meets it."""

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from complaints.models import Complaint
from tests.complaints.intake_data import valid

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


class Controls(HTMLParser):
    """Collects the form controls of a page and what names them for a screen reader."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append({**attrs, "tag": tag, "wrapped": self.open_labels > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.django_db
def test_every_control_on_the_public_forms_has_a_label(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in ("/lapor/", "/lacak/"):
        page = Controls()
        page.feed(client.get(url).content.decode())
        assert page.controls, url
        unnamed = [
            c
            for c in page.controls
            if not c["wrapped"] and c.get("id") not in page.label_for and not c.get("aria-label")
        ]
        assert unnamed == [], (url, unnamed)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.django_db
def test_the_sms_command_shows_its_placeholders_as_text(client, language):
    # "<kode>" written raw would be parsed as an (invisible) HTML tag: the reader would see "CEK  ".
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/").content.decode()
    assert "&lt;PIN&gt;" in html and "<PIN>" not in html
    filed = client.post("/lapor/", valid())
    assert filed.status_code == 302
    confirmation = client.get(filed["Location"]).content.decode()
    assert "&lt;PIN&gt;" in confirmation and "<PIN>" not in confirmation


@pytest.mark.django_db
def test_a_phone_shows_the_right_keyboard_for_numbers(client):
    html = client.get("/lapor/").content.decode()
    assert re.search(r'<input type="tel"[^>]*name="phone"', html)
    for field in ("nik", "nip"):
        assert re.search(rf'<input[^>]*name="{field}"[^>]*inputmode="numeric"', html), field


REFUSED = "Terlalu banyak pengaduan dari alamat ini. Coba lagi dalam satu jam."
PROXY = "10.0.0.10"


@pytest.mark.django_db
@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=2)
def test_the_form_refuses_an_address_past_its_hourly_limit_and_says_so():
    flooder = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert flooder.post("/lapor/", valid()).status_code == 302
    refused = flooder.post("/lapor/", valid())
    assert refused.status_code == 200 and REFUSED in refused.content.decode()
    flooder.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = flooder.post("/lapor/", valid()).content.decode()
    assert "Too many complaints from this address. Try again in an hour." in english
    assert Complaint.objects.count() == 2
    # Another address is not held back, and the form itself stays open.
    assert Client(REMOTE_ADDR="203.0.113.8").post("/lapor/", valid()).status_code == 302
    assert flooder.get("/lapor/").status_code == 200


@pytest.mark.django_db
@override_settings(SIGAP_WEB_INTAKE_PER_HOUR=1)
def test_the_refused_address_files_again_an_hour_later(monkeypatch):
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.post("/lapor/", valid()).status_code == 302
    assert REFUSED in client.post("/lapor/", valid()).content.decode()
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 3600 + 1)
    assert client.post("/lapor/", valid()).status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_form_counts_the_forwarded_address():
    rest_framework = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    with override_settings(SIGAP_WEB_INTAKE_PER_HOUR=2, REST_FRAMEWORK=rest_framework):

        def via_proxy(address: str, claimed: str = "192.0.2.1") -> Client:
            return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{claimed}, {address}")

        for n in range(2):
            filed = via_proxy("203.0.113.7", claimed=f"192.0.2.{n}").post("/lapor/", valid())
            assert filed.status_code == 302
        # What the client writes further left does not give it a fresh count.
        refused = via_proxy("203.0.113.7", claimed="192.0.2.99").post("/lapor/", valid())
        assert REFUSED in refused.content.decode()
        # Another client through the same proxy files.
        assert via_proxy("203.0.113.8").post("/lapor/", valid()).status_code == 302
    assert Complaint.objects.count() == 3


@pytest.mark.parametrize("desk", [False, True], ids=["web", "desk"])
def test_the_session_carries_the_pin_to_its_page_encrypted(desk, intake_officer, monkeypatch):
    # A session row lives in the database: one whose page was never opened must hold no PIN.
    from django.contrib.sessions.models import Session

    from complaints import codes

    monkeypatch.setattr(codes, "new_pin", lambda: "482915")
    client = Client()
    if desk:
        client.force_login(intake_officer)
        data = valid(channel="in_person", consent_method="tanda tangan formulir", language="id")
        response = client.post("/petugas/lapor/", data)
    else:
        response = client.post("/lapor/", valid())
    assert response.status_code == 302
    rows = [session.get_decoded() for session in Session.objects.all()]
    assert rows and all("482915" not in repr(row) for row in rows)
    assert "482915" not in "".join(Session.objects.values_list("session_data", flat=True))
    page = client.get(response["Location"]).content.decode()
    assert "482915" in page  # shown once, on its page
