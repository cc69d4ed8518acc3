"""Officers' own API tokens at /petugas/token-api/ (django-rest-knox): created and shown once, with
their expiry; listed by creation, expiry and prefix, never by key; revoked one by one or all; never
listed in the admin. The move from DRF's plain-text tokens empties their old table."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.template.defaultfilters import date
from django.test import Client
from django.utils import timezone, translation
from knox.models import AuthToken

from tests.complaints.officer_cases import as_user

pytestmark = pytest.mark.django_db
PAGE = "/petugas/token-api/"
ROOT = Path(__file__).resolve().parents[3]


def create(client: Client) -> tuple[str, str]:
    """Create a token on the page; returns the page and the one key it shows."""
    before = set(AuthToken.objects.values_list("digest", flat=True))
    response = client.post(PAGE, {"action": "create"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    (new,) = AuthToken.objects.exclude(digest__in=before)
    start = html.index('<code class="token">') + len('<code class="token">')
    key = html[start : html.index("</code>", start)]
    assert key.startswith(new.token_key) and len(key) == 64
    return html, key


def shown(moment, fmt: str) -> str:
    """A moment as the page shows it: Jakarta's time, Indonesian month names."""
    with translation.override("id"):
        return date(timezone.localtime(moment), fmt)


def api_status(key: str) -> int:
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/complaints/").status_code


def test_an_officer_creates_a_token_shown_once_with_its_expiry(ombudsman_officer):
    client = as_user(ombudsman_officer)
    html, key = create(client)
    token = AuthToken.objects.get(user=ombudsman_officer)
    assert "hanya ditampilkan sekali ini" in html
    assert f"Berlaku sampai {shown(token.expiry, 'j F Y H:i')}." in html  # the expiry beside the key
    assert api_status(key) == 200
    # Shown once: the page never shows it again, only its prefix, creation and expiry.
    listing = client.get(PAGE)
    again = listing.content.decode()
    assert key not in again and listing["Cache-Control"] == "no-store"
    assert f"<code>{token.token_key}…</code>" in again
    assert f'<time datetime="{shown(token.expiry, "c")}">' in again
    assert f'<time datetime="{shown(token.created, "c")}">' in again
    assert "Token aktif Anda" in again


def test_tokens_sit_side_by_side_up_to_the_limit(ombudsman_officer, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    client = as_user(ombudsman_officer)
    _html, first = create(client)
    _html, second = create(client)
    assert api_status(first) == 200 and api_status(second) == 200  # a new one does not end the old
    refused = client.post(PAGE, {"action": "create"}).content.decode()
    assert "sudah memiliki 2 token aktif" in refused and '<code class="token">' not in refused
    assert AuthToken.objects.filter(user=ombudsman_officer).count() == 2


def test_expired_tokens_do_not_count_toward_the_limit_nor_show(ombudsman_officer, settings):
    import datetime

    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 1}
    old, _key = AuthToken.objects.create(ombudsman_officer, expiry=datetime.timedelta(seconds=-1))
    client = as_user(ombudsman_officer)
    assert old.token_key not in client.get(PAGE).content.decode()
    _html, key = create(client)
    assert api_status(key) == 200
    assert not AuthToken.objects.filter(digest=old.digest).exists()


def test_an_officer_revokes_one_token_or_all(ombudsman_officer):
    client = as_user(ombudsman_officer)
    keys = [create(client)[1] for _ in range(3)]
    one = AuthToken.objects.get(token_key=keys[0][:15])
    revoked = client.post(PAGE, {"action": "revoke", "token_key": one.token_key}, follow=True)
    assert "Token API dicabut." in revoked.content.decode()
    assert [api_status(k) for k in keys] == [401, 200, 200]
    client.post(PAGE, {"action": "revoke_all"})
    assert [api_status(k) for k in keys] == [401, 401, 401]
    assert not AuthToken.objects.exists()
    assert "Anda belum memiliki token API." in client.get(PAGE).content.decode()


def test_another_officer_cannot_revoke_my_token(ombudsman_officer, supervisor):
    _html, mine = create(as_user(ombudsman_officer))
    token = AuthToken.objects.get(user=ombudsman_officer)
    other = as_user(supervisor)  # even the head of my unit
    other.post(PAGE, {"action": "revoke", "token_key": token.token_key})
    other.post(PAGE, {"action": "revoke_all"})
    other.post(PAGE, {"action": "revoke", "token_key": ""})
    assert api_status(mine) == 200
    assert token.token_key not in other.get(PAGE).content.decode()  # nor sees it listed


def test_the_token_page_is_for_officers_only(django_user_model):
    assert Client().get(PAGE)["Location"].startswith("/petugas/masuk/")
    citizen = django_user_model.objects.create_user("warga", password="bukan-petugas-123")
    assert as_user(citizen).post(PAGE, {"action": "create"}).status_code == 403
    assert not AuthToken.objects.exists()


def test_the_service_refuses_an_account_that_is_not_an_officer(django_user_model):
    from django.core.exceptions import PermissionDenied

    from complaints.workspace.services import api_token_create

    citizen = django_user_model.objects.create_user("warga", password="bukan-petugas-123")
    with pytest.raises(PermissionDenied):
        api_token_create(user=citizen)


def test_no_admin_page_lists_tokens(administrator, ombudsman_officer):
    AuthToken.objects.create(ombudsman_officer)
    admin = as_user(administrator)
    index = admin.get("/admin/")
    assert index.status_code == 200
    listed = {
        (app["app_label"], model["object_name"])
        for app in index.context["app_list"]
        for model in app["models"]
    }
    assert ("complaints", "User") in listed  # the superuser does see the admin's models
    assert not [pair for pair in listed if "token" in pair[1].lower() or pair[0] in ("knox", "authtoken")]
    html = index.content.decode()
    assert "/admin/knox/" not in html and "/admin/authtoken/" not in html
    assert admin.get("/admin/knox/authtoken/").status_code == 404
    assert admin.get("/admin/knox/authtoken/add/").status_code == 404
    assert admin.get("/admin/authtoken/token/").status_code == 404
    assert admin.get("/admin/authtoken/tokenproxy/").status_code == 404


def test_the_move_empties_drfs_plain_text_token_table(ombudsman_officer):
    migration = importlib.import_module("complaints.migrations.0004_forget_plain_text_api_tokens")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.forget_drf_tokens(None, editor)  # no such table: nothing to do
    table = connection.ops.quote_name("authtoken_token")
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE {table} ("key" varchar(40) PRIMARY KEY, user_id integer, created varchar(40))'
        )
        cursor.execute(
            f"INSERT INTO {table} VALUES (%s, %s, %s)", ["a" * 40, ombudsman_officer.pk, "2025-01-01"]
        )
    migration.forget_drf_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a constant
        assert cursor.fetchone()[0] == 0
        cursor.execute(f"DROP TABLE {table}")


@pytest.mark.parametrize(("days", "ok"), [("30", True), ("0", False), ("ninety", False)])
def test_the_token_lifetime_comes_from_sigap_api_token_days(days, ok):
    result = subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.REST_KNOX['TOKEN_TTL'].days)",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SIGAP_API_TOKEN_DAYS": days},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ok:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == days
    else:
        assert result.returncode != 0 and "SIGAP_API_TOKEN_DAYS" in result.stderr
