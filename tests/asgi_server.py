"""Run Sigap under a real ASGI server (Daphne) for tests that need websockets over the network.

pytest-django's live_server is WSGI-only. The server runs in a subprocess against the test
process's database (the transactional test database, so both see committed rows) and, when a
Redis URL is given, the Redis channel layer, so events raised in the test process reach it.
"""

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from django.db import connection

from tests.processes import ROOT, free_port, serving

__all__ = ["ROOT", "asgi_server", "database_url_for_subprocess", "free_port"]


def database_url_for_subprocess() -> str:
    """The URL of the database this test runs against (pytest-django's test_<name> database)."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    return f"sqlite:///{settings['NAME']}"


@contextlib.contextmanager
def asgi_server(*, redis_url: str | None, log_path: Path, extra_env: dict | None = None) -> Iterator[str]:
    """Start Daphne on a free loopback port; yield its base URL; stop it (and only it) after."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_subprocess(),
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    with serving(daphne, port=port, env=env, log_path=log_path) as base_url:
        yield base_url
