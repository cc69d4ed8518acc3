"""Shared fixtures: named personas, reference data and the real services the suite talks to.

Tests that need PostgreSQL, Redis or Chromium use the fixtures below. Where such a service is
missing they skip with a reason on a developer's machine; under .ci/run (SIGAP_REQUIRE_SERVICES=1)
they fail instead, so CI can never pass by skipping them.
"""

import os
import shutil

import pytest
from django.db import connection

from complaints import models
from tests.factories import UserFactory, unit
from tests.notifications.inbound_phone import phone, twilio_webhook, whatsapp  # noqa: F401 - shared fixtures

REQUIRE_SERVICES = os.environ.get("SIGAP_REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    # Fast password hashing for the many test accounts, here and in servers the tests start.
    os.environ["SIGAP_TEST_FAST_PASSWORD_HASHER"] = "1"
    from django.conf import settings

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def _ensure_reference_data() -> None:
    # Transactional tests flush every table, the migration's reference data included.
    if not models.Province.objects.exists():
        from django.apps import apps

        from complaints.data import reference

        reference.load(apps)


@pytest.fixture(autouse=True)
def _reference_data(request):
    names = set(request.fixturenames)
    if names & {
        "db",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
    } or request.node.get_closest_marker("django_db"):
        request.getfixturevalue(
            "transactional_db" if "transactional_db" in names or "live_server" in names else "db"
        )
        _ensure_reference_data()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with no throttle counts, lock-outs, cached pages or reference rows of another's."""
    from django.core.cache import caches

    from complaints import reference
    from workflow import deadlines

    for alias in ("default", "guard"):
        caches[alias].clear()
    # The reference rows a process keeps: another test's (rolled back without a signal) are gone.
    reference.drop()
    deadlines.forget_extra_holidays()
    yield
    reference.drop()
    deadlines.forget_extra_holidays()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Evidence files go to a temporary folder per test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }


@pytest.fixture
def postgres(db):
    """Marks a test that needs PostgreSQL (row locks, real concurrent connections)."""
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://…")


@pytest.fixture
def redis_url():
    url = os.environ.get("SIGAP_TEST_REDIS_URL", "")
    if not url:
        missing_service("needs Redis: set SIGAP_TEST_REDIS_URL=redis://127.0.0.1:6379/0")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing_service("needs Debian's chromium (apt-get install chromium)")
    return path


# --- personas ------------------------------------------------------------------------------------
@pytest.fixture
def intake_officer(db):
    """Intan works the DKI Jakarta intake desk."""
    return UserFactory(username="intan", role=models.Role.INTAKE_OFFICER, unit=unit("intake", "31"))


@pytest.fixture
def ombudsman_officer(db):
    """Oki examines cases at Ombudsman RI Perwakilan DKI Jakarta."""
    return UserFactory(username="oki", role=models.Role.CASE_OFFICER, unit=unit("ombudsman", "31"))


@pytest.fixture
def kanwil_officer(db):
    """Kartika examines cases at Kanwil Kementerian HAM DKI Jakarta."""
    return UserFactory(username="kartika", role=models.Role.CASE_OFFICER, unit=unit("kanwil_ham", "31"))


@pytest.fixture
def supervisor(db):
    """Sari heads Ombudsman RI Perwakilan DKI Jakarta."""
    return UserFactory(username="sari", role=models.Role.SUPERVISOR, unit=unit("ombudsman", "31"))


@pytest.fixture
def administrator(db):
    return UserFactory(
        username="admin", role=models.Role.ADMINISTRATOR, is_staff=True, is_superuser=True, unit=None
    )


@pytest.fixture
def outsider(db):
    """Oscar examines cases at Ombudsman RI Perwakilan Jawa Barat: not Jakarta's cases."""
    return UserFactory(username="oscar", role=models.Role.CASE_OFFICER, unit=unit("ombudsman", "32"))


@pytest.fixture
def fake_twilio(settings):
    """A fake Twilio Messages API on loopback, with the settings pointing Sigap at it."""
    from tests.twilio_fake import FakeTwilio

    fake = FakeTwilio().start()
    settings.SIGAP_MESSAGE_SENDER = "twilio"
    settings.TWILIO_ACCOUNT_SID = fake.account_sid
    settings.TWILIO_AUTH_TOKEN = fake.auth_token
    settings.TWILIO_SMS_FROM = "+15005550006"
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    settings.TWILIO_API_BASE = fake.base_url
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    yield fake
    fake.stop()
