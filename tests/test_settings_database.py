"""DATABASE_POOL_SIZE and DATABASE_REPLICA_URL, as a process started with them sees them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# Eight requests, one after another, each in a thread of its own as ASGI runs them; each reports
# the PostgreSQL backend that served it.
REQUESTS_IN_THREADS = """
import threading
import django
django.setup()
from django.db import close_old_connections, connection
pids = []
def request():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])
    close_old_connections()  # what request_finished does
    connection.close()
for _ in range(8):
    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
print(len(set(pids)), len(pids))
"""


def run(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def database_url() -> str:
    params = connection.settings_dict
    return f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


def test_requests_in_threads_reuse_the_pools_warm_connection(postgres):
    pooled = run({"DATABASE_URL": database_url(), "DATABASE_POOL_SIZE": "4"}, REQUESTS_IN_THREADS)
    assert pooled.returncode == 0, pooled.stderr
    backends, requests = pooled.stdout.split()
    # The pool may open a second connection beside the first while it grows to its minimum.
    assert int(backends) <= 2 and requests == "8"
    # Without it, every request pays for a connection of its own.
    fresh = run({"DATABASE_URL": database_url(), "DATABASE_POOL_SIZE": "0"}, REQUESTS_IN_THREADS)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.split() == ["8", "8"]


# The dashboard and the CSV export for an administrator, with every query of each connection.
REPORTS = """
import django
django.setup()
from django.db import connections
from django.test.utils import CaptureQueriesContext
from complaints.workspace.exports import complaint_export_lines
from complaints.models import Complaint, Role, User
from complaints.workspace.dashboard import dashboard_for
admin = User(username="a", role=Role.ADMINISTRATOR)
aliases = list(connections)
captured = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}
for context in captured.values():
    context.__enter__()
dashboard_for(admin)
list(complaint_export_lines(officer=admin, complaints=Complaint.objects.all()))
for context in captured.values():
    context.__exit__(None, None, None)
for alias, context in captured.items():
    print(alias, sum("complaints_complaint" in query["sql"] for query in context.captured_queries))
"""


def test_the_dashboard_and_the_export_read_the_replica_when_there_is_one(postgres):
    # The "replica" here is the same database under a second alias: what is measured is the routing.
    with_replica = run({"DATABASE_URL": database_url(), "DATABASE_REPLICA_URL": database_url()}, REPORTS)
    assert with_replica.returncode == 0, with_replica.stderr
    reads = dict(line.split() for line in with_replica.stdout.splitlines())
    assert int(reads["replica"]) >= 2 and reads["default"] == "0"
    # Without one, the primary answers.
    alone = run({"DATABASE_URL": database_url()}, REPORTS)
    assert alone.returncode == 0, alone.stderr
    assert (
        "replica" not in alone.stdout
        and int(dict(line.split() for line in alone.stdout.splitlines())["default"]) >= 2
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "sqlite:///unused.sqlite3"}, "DATABASE_POOL_SIZE needs PostgreSQL"),
        (
            {"DATABASE_URL": "postgres://root@127.0.0.1:5432/unused", "DATABASE_CONN_MAX_AGE": "60"},
            "not both",
        ),
        (
            {"DATABASE_URL": "postgres://root@127.0.0.1:5432/unused", "DATABASE_POOL_SIZE": "many"},
            "whole number",
        ),
        (
            {
                "DATABASE_URL": "postgres://root@127.0.0.1:5432/unused",
                "DATABASE_REPLICA_URL": "sqlite:///r.sqlite3",
            },
            "DATABASE_REPLICA_URL must point at PostgreSQL",
        ),
    ],
)
def test_a_database_setting_that_cannot_work_stops_start_up_with_a_clear_error(env, message):
    started = run({"DATABASE_POOL_SIZE": "4", **env}, "import django; django.setup()")
    assert started.returncode != 0
    assert message in started.stderr
