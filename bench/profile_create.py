"""Where one public API create spends its time, in-process: SQL statements, CPU and a profile.

    .venv/bin/python bench/profile_create.py [--count 300] [--profile] [--form]
        [--database-url postgres://root@127.0.0.1:5432/sigap_profile] [--redis-url redis://127.0.0.1:6379/11]

Runs Sigap as the shared harness serves it (DEBUG off, PostgreSQL, Redis for throttles, the
channel layer and the broker, no Celery worker), migrates the database, warms up, then files
``--count`` complaints through ``POST /api/v1/complaints/`` (``--form``: the web form's GET and
POST) with django.test.Client. Prints CPU ms per create, SQL statements per create by kind and,
with ``--profile``, the functions that take the most time. The figures of record come from
``make bench`` and the shared harness; this is for finding where the time goes.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def body(i: int) -> dict:
    return {
        "reporter_type": "warga",
        "confidentiality": "rahasia",
        "name": f"Citizen {i}",
        "phone": f"0812{i:08d}",
        "kind": "maladministrasi",
        "agency_name": "Dinas Kependudukan",
        "province": "31",
        "regency": "31.71",
        "description": (
            f"The streetlight in front of house number {i} has been out for two weeks. "
            "It is very dark at night and unsafe for pedestrians. Please repair it."
        ),
        "complained_to_agency_first": True,
        "consent_pdp": True,
        "notify_channel": "sms",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--form", action="store_true", help="the web form (GET + POST) instead of the API")
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5432/sigap_profile")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()

    db = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", db], check=True)  # noqa: S607
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", db], check=True)  # noqa: S607
    os.environ.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        SIGAP_THROTTLE_INTAKE="100000000/hour",
        SIGAP_WEB_INTAKE_PER_HOUR="100000000",
        SIGAP_MESSAGE_SENDER="console",
        LOG_LEVEL="WARNING",
        DATABASE_CONN_MAX_AGE=os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
        SECRET_KEY="profile-secret-key-0123456789abcdef0123456789",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.startup import prepare_server

    prepare_server()  # as config/wsgi.py does before serving
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    client = Client()

    def create_api(i: int):
        response = client.post("/api/v1/complaints/", json.dumps(body(i)), content_type="application/json")
        assert response.status_code == 201, response.content[:500]

    def create_form(i: int):
        # As a citizen's first visit (and make bench's web intake): no cookies before the GET.
        client.cookies.clear()
        page = client.get("/lapor/")
        assert page.status_code == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
        once = re.search(rb'name="submission_token" value="([^"]+)"', page.content).group(1).decode()
        data = {key: ("on" if value is True else value) for key, value in body(i).items()}
        data.update(csrfmiddlewaretoken=token, submission_token=once, complained_to_agency_first="1")
        response = client.post("/lapor/", data)
        assert response.status_code == 302, response.content[:2000]

    create = create_form if args.form else create_api
    for i in range(30):
        create(10_000_000 + i)

    kinds: collections.Counter = collections.Counter()
    profiler = cProfile.Profile(time.thread_time) if args.profile else None
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        if profiler:
            profiler.enable()
        for i in range(args.count):
            create(i)
        if profiler:
            profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    for query in queries.captured_queries:
        words = query["sql"].split()
        kind = " ".join(words[:3]) if words[0] in ("INSERT", "DELETE") else words[0]
        if words[0] == "SELECT" and " FROM " in query["sql"]:
            kind = "SELECT " + query["sql"].split(" FROM ")[1].split()[0]
        if words[0] == "UPDATE":
            kind = " ".join(words[:2])
        kinds[kind] += 1
    what = "web form GET + POST" if args.form else "API create"
    print(
        f"{what}: {cpu / args.count * 1000:.2f} ms CPU, {wall / args.count * 1000:.2f} ms wall per create "
        f"(in-process, {'with' if profiler else 'without'} the profiler); "
        f"{len(queries.captured_queries) / args.count:.1f} SQL statements"
    )
    for kind, n in kinds.most_common():
        print(f"  {n / args.count:5.2f} x {kind}")
    if profiler:
        profiler.dump_stats("/tmp/create.prof")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
