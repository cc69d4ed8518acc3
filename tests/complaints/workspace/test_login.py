"""Signing in and out at /petugas/masuk/ and the lock-out (django-axes). Officers' own API tokens:
test_api_token.py."""

import logging
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.complaints.officer_cases import as_user

pytestmark = pytest.mark.django_db
RIGHT = {"username": "intan", "password": "rahasia-sekali-123"}
WRONG = {"username": "intan", "password": "salah-sekali"}
PROXY = "10.0.0.10"


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def via_proxy(address: str, claimed: str = "192.0.2.1") -> Client:
    """A client behind our one proxy, which appends the address it saw; `claimed` is what the
    client itself wrote into X-Forwarded-For."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{claimed}, {address}")


def test_sign_in_works_with_the_right_password(intake_officer):
    client = Client()
    response = client.post("/petugas/masuk/", RIGHT)
    assert response.status_code == 302 and response["Location"] == "/petugas/"
    assert client.get("/petugas/").status_code == 200


def test_sign_in_locks_for_fifteen_minutes_after_five_failures(intake_officer):
    client = Client()
    for _ in range(4):
        response = client.post("/petugas/masuk/", WRONG)
        assert response.status_code == 200
        assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    fifth = client.post("/petugas/masuk/", WRONG)
    assert fifth.status_code == 429 and "Terlalu banyak percobaan" in fifth.content.decode()
    # Even the right password is refused while locked, without a password check.
    locked = client.post("/petugas/masuk/", RIGHT)
    assert locked.status_code == 429 and "coba lagi dalam 15 menit" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_locked_page_is_in_indonesian_first_and_in_english_on_request(intake_officer):
    english = Client()
    english.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(5):
        english.post("/petugas/masuk/", WRONG)
    page = english.post("/petugas/masuk/", RIGHT)
    assert page.status_code == 429
    assert "Too many failed sign-in attempts" in page.content.decode()
    assert "Terlalu banyak percobaan" in Client().post("/petugas/masuk/", RIGHT).content.decode()


def test_the_lock_ends_after_fifteen_minutes(intake_officer, monkeypatch):
    client = Client()
    for _ in range(5):
        client.post("/petugas/masuk/", WRONG)
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 14 * 60)
    assert client.post("/petugas/masuk/", RIGHT).status_code == 429
    monkeypatch.setattr(time, "time", lambda: started + 15 * 60 + 1)
    assert client.post("/petugas/masuk/", RIGHT).status_code == 302


def test_the_locked_page_is_served_under_asgi_too(intake_officer):
    # Production runs the ASGI app (uvicorn), where axes' middleware takes its async path.
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    async def sign_in_after_five_failures():
        client = AsyncClient()
        for _ in range(5):
            await client.post("/petugas/masuk/", WRONG)
        return await client.post("/petugas/masuk/", RIGHT)

    locked = async_to_sync(sign_in_after_five_failures)()
    assert locked.status_code == 429 and "coba lagi dalam 15 menit" in locked.content.decode()


def test_the_lock_is_per_address_so_a_stranger_cannot_lock_an_officer_out(intake_officer):
    for _ in range(5):
        from_address("203.0.113.9").post("/petugas/masuk/", WRONG)
    assert from_address("203.0.113.9").post("/petugas/masuk/", RIGHT).status_code == 429
    assert from_address("198.51.100.7").post("/petugas/masuk/", RIGHT).status_code == 302


def test_one_address_trying_many_usernames_is_locked_at_twenty(intake_officer):
    attacker = from_address("203.0.113.9")
    for n in range(19):
        attacker.post("/petugas/masuk/", {"username": f"tebakan{n}", "password": "salah"})
    assert attacker.post("/petugas/masuk/", RIGHT).status_code == 302  # nineteen: not yet
    attacker = from_address("203.0.113.9")  # signed out; the success cleared the counts
    for n in range(20):
        attacker.post("/petugas/masuk/", {"username": f"lagi{n}", "password": "salah"})
    assert attacker.post("/petugas/masuk/", RIGHT).status_code == 429
    assert from_address("198.51.100.7").post("/petugas/masuk/", RIGHT).status_code == 302


def test_one_username_guessed_from_many_addresses_is_locked_at_twenty(intake_officer):
    for n in range(19):
        from_address(f"203.0.113.{n + 1}").post("/petugas/masuk/", WRONG)
    assert from_address("198.51.100.7").post("/petugas/masuk/", RIGHT).status_code == 302
    for n in range(20):
        from_address(f"192.0.2.{n + 1}").post("/petugas/masuk/", WRONG)
    # Guessing spread over twenty addresses: the account is locked from everywhere, for 15 minutes.
    assert from_address("198.51.100.8").post("/petugas/masuk/", RIGHT).status_code == 429


def test_a_success_clears_earlier_failures(intake_officer):
    client = Client()
    for _ in range(4):
        client.post("/petugas/masuk/", WRONG)
    client.post("/petugas/masuk/", RIGHT)
    client.logout()
    for _ in range(4):
        assert client.post("/petugas/masuk/", WRONG).status_code == 200


def test_the_admin_login_is_locked_too(administrator):
    wrong, right = (
        {"username": "admin", "password": "salah-sekali"},
        {"username": "admin", "password": "rahasia-sekali-123"},
    )
    client = Client()
    for _ in range(4):
        assert client.post("/admin/login/", wrong).status_code == 200
    fifth = client.post("/admin/login/", wrong)
    assert fifth.status_code == 429 and "Terlalu banyak percobaan" in fifth.content.decode()
    locked = client.post("/admin/login/", right)
    assert locked.status_code == 429 and "coba lagi dalam 15 menit" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # One count for every login form: the officers' page is locked for this pair as well.
    assert client.post("/petugas/masuk/", right).status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(intake_officer, behind_one_proxy):
    # Whatever the client claims further left in X-Forwarded-For, it is counted by the address
    # our proxy appended.
    for n in range(5):
        via_proxy("203.0.113.9", claimed=f"192.0.2.{n}").post("/petugas/masuk/", WRONG)
    assert via_proxy("203.0.113.9", claimed="192.0.2.99").post("/petugas/masuk/", RIGHT).status_code == 429
    # Another client through the same proxy is not locked.
    assert via_proxy("203.0.113.10").post("/petugas/masuk/", RIGHT).status_code == 302


def test_the_log_holds_no_password_and_no_username(intake_officer, caplog):
    # An officer may type the password into the username field.
    typed = {"username": "rahasia-sekali-123", "password": "salah-sekali-456"}
    with caplog.at_level(logging.DEBUG):
        for _ in range(5):
            Client().post("/petugas/masuk/", typed)
    assert "AXES" in caplog.text  # axes did log the failures and the lock-out
    for secret in ("rahasia-sekali-123", "salah-sekali-456"):
        assert secret not in caplog.text


def test_sign_out_takes_a_post_and_ends_the_session(intake_officer):
    client = as_user(intake_officer)
    assert client.get("/petugas/keluar/").status_code == 405  # a link or prefetch cannot sign out
    assert client.post("/petugas/keluar/").status_code == 302
    assert client.get("/petugas/")["Location"].startswith("/petugas/masuk/")


def test_the_lock_lives_in_redis_so_every_app_server_sees_it(intake_officer, redis_url):
    import secrets

    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_client_cache_keys
    from axes.models import AccessAttempt
    from django.core.cache.backends.redis import RedisCache
    from django.test import override_settings

    redis = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
        for alias in ("default", "guard")
    }
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    # axes' cache handler holds its cache from when it was made: make it again on each side.
    try:
        with override_settings(CACHES=redis):
            AxesProxyHandler.get_implementation(force=True)
            for _ in range(5):
                Client(REMOTE_ADDR=address).post("/petugas/masuk/", WRONG)
            # Another app server: its own connection to the same Redis.
            other_server = RedisCache(redis_url, {})
            keys = get_client_cache_keys(AccessAttempt(username="intan", ip_address=address))
            try:
                assert max(other_server.get_many(keys).values()) == 5
                assert Client(REMOTE_ADDR=address).post("/petugas/masuk/", RIGHT).status_code == 429
            finally:
                other_server.delete_many(keys)
    finally:
        AxesProxyHandler.get_implementation(force=True)
