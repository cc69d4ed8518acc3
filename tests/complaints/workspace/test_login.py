"""Signing in and out at /petugas/masuk/, the lock-out, and officers' own API tokens."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.complaints.officer_cases import as_user

pytestmark = pytest.mark.django_db
RIGHT = {"username": "intan", "password": "rahasia-sekali-123"}
WRONG = {"username": "intan", "password": "salah-sekali"}


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


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


def test_the_lock_is_per_address_so_a_stranger_cannot_lock_an_officer_out(intake_officer):
    for _ in range(5):
        from_address("203.0.113.9").post("/petugas/masuk/", WRONG)
    assert from_address("203.0.113.9").post("/petugas/masuk/", RIGHT).status_code == 429
    assert from_address("198.51.100.7").post("/petugas/masuk/", RIGHT).status_code == 302


def test_one_address_trying_many_usernames_is_locked(intake_officer):
    attacker = from_address("203.0.113.9")
    for n in range(20):
        attacker.post("/petugas/masuk/", {"username": f"tebakan{n}", "password": "salah"})
    assert attacker.post("/petugas/masuk/", RIGHT).status_code == 429


def test_a_success_clears_earlier_failures(intake_officer):
    client = Client()
    for _ in range(4):
        client.post("/petugas/masuk/", WRONG)
    client.post("/petugas/masuk/", RIGHT)
    client.logout()
    for _ in range(4):
        assert client.post("/petugas/masuk/", WRONG).status_code == 200


def test_the_admin_login_is_locked_too(administrator):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "salah-sekali"})
    client.post("/admin/login/", {"username": "admin", "password": "rahasia-sekali-123"})
    assert "_auth_user_id" not in client.session


def test_sign_out_takes_a_post_and_ends_the_session(intake_officer):
    client = as_user(intake_officer)
    assert client.get("/petugas/keluar/").status_code == 405  # a link or prefetch cannot sign out
    assert client.post("/petugas/keluar/").status_code == 302
    assert client.get("/petugas/")["Location"].startswith("/petugas/masuk/")


def test_an_officer_creates_shows_once_and_revokes_their_api_token(ombudsman_officer):
    client = as_user(ombudsman_officer)
    created = client.post("/petugas/token-api/", {"action": "renew"})
    key = Token.objects.get(user=ombudsman_officer).key
    assert key in created.content.decode() and created["Cache-Control"] == "no-store"
    assert key not in client.get("/petugas/token-api/").content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/complaints/").status_code == 200
    # Renewing replaces it; revoking ends it.
    client.post("/petugas/token-api/", {"action": "renew"})
    assert api.get("/api/v1/complaints/").status_code in (401, 403)
    client.post("/petugas/token-api/", {"action": "revoke"})
    assert not Token.objects.filter(user=ombudsman_officer).exists()


def test_the_token_page_is_for_officers_only(django_user_model):
    assert Client().get("/petugas/token-api/")["Location"].startswith("/petugas/masuk/")
    citizen = django_user_model.objects.create_user("warga", password="bukan-petugas-123")
    assert as_user(citizen).post("/petugas/token-api/", {"action": "renew"}).status_code == 403
    assert not Token.objects.exists()


def test_the_lock_lives_in_redis_so_every_app_server_sees_it(intake_officer, redis_url, settings):
    import secrets

    from django.core.cache.backends.redis import RedisCache

    from complaints.workspace import auth

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    for _ in range(5):
        Client(REMOTE_ADDR=address).post("/petugas/masuk/", WRONG)
    # Another app server: its own connection to the same Redis.
    other_server = RedisCache(redis_url, {})
    locks = [f"{key}:locked" for key, _limit in auth._counters("intan", address)]
    try:
        assert any(other_server.get_many(locks).values())
        assert Client(REMOTE_ADDR=address).post("/petugas/masuk/", RIGHT).status_code == 429
    finally:
        other_server.delete_many(locks)
