"""Sigap's benchmarks, on PostgreSQL and Redis on this machine, served as docs/deploy/ says: pages
and the API by gunicorn (2 sync workers), websockets by uvicorn; and intake once more with uvicorn
serving HTTP too, the figure the deployment choice rests on.

    make bench                                   # everything, one million complaints
    make bench BENCH_ARGS="--complaints 50000"   # a quicker run
    make bench BENCH_ARGS="--skip-seed --only queue,sweep"
    make bench BENCH_ARGS="--complaints 20000 --only seed,scorecard"   # the public scorecard alone

Every load is bounded in count and time and sent only to 127.0.0.1. Results: a Markdown table
on stdout and JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import http.client
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.processes import free_port, running, wait_for_health  # noqa: E402 - after the path

DEFAULT_DB = "postgres://root@127.0.0.1:5432/sigap_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def peak_rss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    match = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


def children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout  # noqa: S607
    except OSError:
        return []
    return [int(p) for p in out.split()]


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


class Http:
    """One keep-alive connection per thread."""

    def __init__(self, port: int):
        self.port = port
        self.local = threading.local()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.local.conn = None
            raise
        return response.status, response.headers, data


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


# The app server's worker processes, set once the server is up: the CPU they spend per request
# is the figure that other work on a shared machine does not blur.
SERVER_PIDS: list[int] = []


def run_load(task, *, expect: int, concurrency: int, count: int, seconds: float) -> dict:
    """Call task(i) from `concurrency` threads until `count` calls or `seconds` have passed.

    task(i) returns the HTTP status; anything but `expect` (or an exception) is an error, counted
    by its status or exception name."""
    latencies: list[float] = []
    errors = 0
    kinds: collections.Counter = collections.Counter()
    lock = threading.Lock()
    counter = iter(range(count))
    deadline = time.perf_counter() + seconds

    def worker():
        nonlocal errors
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                outcome = task(i)
            except Exception as exc:  # noqa: BLE001 - counted as an error
                outcome = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if outcome == expect:
                    latencies.append(elapsed)
                else:
                    errors += 1
                    kinds[str(outcome)] += 1

    started = time.perf_counter()
    cpu_before = cpu_seconds(SERVER_PIDS)
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = cpu_seconds(SERVER_PIDS) - cpu_before
    done = len(latencies) + errors
    return {
        "requests": len(latencies),
        "errors": errors,
        "error_kinds": dict(kinds),
        "server_cpu_ms": cpu / done * 1000 if done else float("nan"),
        "per_s": len(latencies) / wall if wall else 0,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def intake_body(i: int) -> bytes:
    return json.dumps(
        {
            "reporter_type": "warga",
            "confidentiality": "rahasia",
            "name": f"Pelapor Bench {i}",
            "phone": f"0812{i % 100000000:08d}",
            "kind": "maladministrasi",
            "agency_name": "Dinas Kependudukan",
            "province": "31",
            "regency": "31.71",
            "description": "Pengurusan KTP saya tertunda tiga bulan tanpa penjelasan dari petugas.",
            "complained_to_agency_first": True,
            "consent_pdp": True,
            "notify_channel": "sms",
        }
    ).encode()


def main() -> None:  # noqa: C901, PLR0915 - one script, one sequence of steps
    parser = argparse.ArgumentParser(description="Sigap benchmarks")
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--only", default="seed,intake,queue,scorecard,transitions,sweep,outbox,realtime")
    parser.add_argument("--seconds", type=float, default=15, help="length of each load run")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    only = set(args.only.split(","))
    unknown = only - {"seed", "intake", "queue", "scorecard", "transitions", "sweep", "outbox", "realtime"}
    if unknown:
        parser.error(f"unknown benchmark(s) in --only: {', '.join(sorted(unknown))}")

    os.environ["DATABASE_URL"] = args.database_url
    # As in production: tasks go to the broker (the sweep queues its messages, it does not send them).
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    database = urllib.parse.urlparse(args.database_url).path.lstrip("/")
    seeding = "seed" in only and not args.skip_seed
    from bench.seed import fresh_database

    if seeding:
        fresh_database(args.database_url)  # its schema is today's code's, whatever ran before

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from knox.models import AuthToken

    from bench.seed import seed
    from complaints.models import Category, Complaint, HandlingUnit, Role, State, User

    results: dict = {
        "machine": machine_info(connection, args.redis_url),
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    logs = out_dir / "logs"
    logs.mkdir(exist_ok=True)

    if seeding:
        print(f"seeding {args.complaints:,} complaints …", flush=True)
        results["seed"] = seed(args.complaints)
    else:
        call_command("migrate", verbosity=0)

    def officer(username, role, unit_code):
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.unit = role, HandlingUnit.objects.get(code=unit_code)
        user.set_unusable_password()
        user.save()
        # Knox keeps only a digest, so each run makes a fresh key; last run's tokens go (knox reads
        # all of a user's tokens on every authenticated request).
        AuthToken.objects.filter(user=user).delete()
        _instance, key = AuthToken.objects.create(user)
        # A signed-in browser's session, made the way Django's login makes it (the configured
        # backend, the session hash), without a password round trip.
        browser = Client()
        browser.force_login(user)
        return user, key, browser.cookies["sessionid"].value

    # The busiest province's offices: the longest queues, so the slowest lists.
    busiest = (
        Complaint.objects.values("province_id").annotate(n=Count("id")).order_by("-n").first() or {}
    ).get("province_id", "31")
    intake_unit, case_unit = f"penerimaan-{busiest}", f"ombudsman-{busiest}"
    intake_user, intake_token, _ = officer("bench_intake", Role.INTAKE_OFFICER, intake_unit)
    handler, handler_token, handler_session = officer("bench_oki", Role.CASE_OFFICER, case_unit)
    results["units"] = {
        code: Complaint.objects.filter(unit__code=code).count() for code in (intake_unit, case_unit)
    }
    results["rows"] = Complaint.objects.count()
    print(f"{results['rows']:,} complaints in {database}", flush=True)

    port, ws_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SIGAP_THROTTLE_INTAKE": "100000000/hour",
        "SIGAP_THROTTLE_TRACK": "100000000/hour",
        "SIGAP_WEB_INTAKE_PER_HOUR": "100000000",
        "SIGAP_MESSAGE_SENDER": "console",
        "LOG_LEVEL": "WARNING",
    }
    rss: dict[str, float] = {}
    # As the deployment guide says: every process takes warm connections from a pool.
    server_env = {**env, "DATABASE_POOL_SIZE": "10"}
    with (
        running(
            gunicorn_cmd(port), env=server_env, log_path=logs / "gunicorn.log", stop_seconds=20
        ) as server,
        running(
            uvicorn_cmd(ws_port, 1), env=server_env, log_path=logs / "uvicorn-ws.log", stop_seconds=20
        ) as ws,
    ):
        wait_for_health(f"http://127.0.0.1:{port}", server, logs / "gunicorn.log", seconds=60)
        wait_for_health(f"http://127.0.0.1:{ws_port}", ws, logs / "uvicorn-ws.log", seconds=60)
        SERVER_PIDS[:] = worker_pids(server.pid)
        client = Http(port)
        api_headers = {"Authorization": f"Token {handler_token}"}

        if "intake" in only:

            def post_api(i):
                status, _, _ = client.request(
                    "POST", "/api/v1/complaints/", intake_body(i), {"Content-Type": "application/json"}
                )
                return status

            results["intake_api"] = run_load(
                post_api, expect=201, concurrency=8, count=100_000, seconds=args.seconds
            )
            print("intake api", results["intake_api"], flush=True)

            def post_form(i):
                status, headers, page = client.request("GET", "/lapor/")
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
                cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
                form = json.loads(intake_body(i))
                form["complained_to_agency_first"], form["consent_pdp"] = "1", "on"
                form["csrfmiddlewaretoken"] = token
                # The form's one-time token, as a browser sends it back (the complaint's idempotency key).
                form["submission_token"] = (
                    re.search(rb'name="submission_token" value="([^"]+)"', page).group(1).decode()
                )
                body = urllib.parse.urlencode(form).encode()
                status, _, _ = client.request(
                    "POST",
                    "/lapor/",
                    body,
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"csrftoken={cookie}",
                        "Referer": f"http://127.0.0.1:{port}/lapor/",
                    },
                )
                return status

            results["intake_web"] = run_load(
                post_form, expect=302, concurrency=8, count=100_000, seconds=args.seconds
            )
            print("intake web", results["intake_web"], flush=True)

        if "queue" in only:
            delay = Category.objects.filter(kind="maladministrasi").order_by("id").first()
            queries = {
                "default": "",
                "state=examination": "state=examination",
                "overdue=true": "overdue=true",
                # Urgent cases lead every page (docs/domain.md#urgency); this lists them alone.
                "urgent=true": "urgent=true",
                f"category={delay.code}": f"category={delay.pk}",
            }
            results["queue"] = {}
            for label, query in queries.items():

                def api(i, query=query):
                    status, _, _ = client.request("GET", f"/api/v1/complaints/?{query}", headers=api_headers)
                    return status

                def page(i, query=query):
                    status, _, _ = client.request(
                        "GET", f"/petugas/?{query}", headers={"Cookie": f"sessionid={handler_session}"}
                    )
                    return status

                results["queue"][f"api {label}"] = run_load(
                    api, expect=200, concurrency=2, count=400, seconds=args.seconds
                )
                results["queue"][f"page {label}"] = run_load(
                    page, expect=200, concurrency=2, count=400, seconds=args.seconds
                )
                print(
                    "queue",
                    label,
                    results["queue"][f"api {label}"]["p95_ms"],
                    results["queue"][f"page {label}"]["p95_ms"],
                    flush=True,
                )

        if "scorecard" in only:
            results["scorecard"] = scorecard(client, args.seconds)
            print("scorecard", results["scorecard"], flush=True)

        if "transitions" in only:
            ids = list(
                Complaint.objects.filter(unit__code=intake_unit, state=State.SUBMITTED).values_list(
                    "pk", flat=True
                )[:5000]
            )
            headers = {"Authorization": f"Token {intake_token}", "Content-Type": "application/json"}

            def transition(i):
                status, _, _ = client.request(
                    "POST", f"/api/v1/complaints/{ids[i]}/transitions/start_verification/", b"{}", headers
                )
                return status

            results["transitions"] = run_load(
                transition, expect=200, concurrency=8, count=len(ids), seconds=args.seconds
            )
            results["transitions"]["available"] = len(ids)
            print("transitions", results["transitions"], flush=True)

        if "realtime" in only:
            results["realtime"] = realtime(ws_port, handler_session, handler_token, client, unit=case_unit)
            print("realtime", results["realtime"], flush=True)

        rss["gunicorn (master)"] = peak_rss_mb(server.pid)
        for n, pid in enumerate(SERVER_PIDS, start=1):
            rss[f"gunicorn worker {n}"] = peak_rss_mb(pid)
        rss["uvicorn, websockets only"] = max(peak_rss_mb(pid) for pid in [ws.pid, *worker_pids(ws.pid)])

    if "intake" in only:
        # The same intake with uvicorn serving HTTP (2 workers), as the deployment guide had it.
        with running(
            uvicorn_cmd(port, 2), env=server_env, log_path=logs / "uvicorn.log", stop_seconds=20
        ) as server:
            wait_for_health(f"http://127.0.0.1:{port}", server, logs / "uvicorn.log", seconds=60)
            SERVER_PIDS[:] = worker_pids(server.pid)
            client = Http(port)
            results["intake_api_uvicorn"] = run_load(
                post_api, expect=201, concurrency=8, count=100_000, seconds=args.seconds
            )
            print("intake api (uvicorn)", results["intake_api_uvicorn"], flush=True)
            for n, pid in enumerate(SERVER_PIDS, start=1):
                rss[f"uvicorn worker {n} (intake only)"] = peak_rss_mb(pid)

    if "sweep" in only:
        results["sweep"] = sweep(env, due=SWEEP_DUE)
        print("sweep", results["sweep"], flush=True)

    if "outbox" in only:
        results["outbox"], worker_rss = outbox(args, env, logs)
        rss.update(worker_rss)
        print("outbox", results["outbox"], flush=True)

    results["peak_rss_mb"] = rss
    results["machine"]["load_average_at_end"] = Path("/proc/loadavg").read_text().split()[:3]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out_dir / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    print(markdown(results))


def gunicorn_cmd(port: int) -> list[str]:
    """Pages and the API, as docs/deploy/sigap.service serves them (2 workers here)."""
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--worker-class", "sync", "--log-level", "warning",
    ]  # fmt: skip


def uvicorn_cmd(port: int, workers: int) -> list[str]:
    """The ASGI application (docs/deploy/sigap-ws.service serves websockets with it)."""
    return [
        sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


def worker_pids(master: int) -> list[int]:
    return [pid for pid in children(master) if b"resource_tracker" not in cmdline(pid)]


def scorecard(client: Http, seconds: float) -> dict:
    """The public scorecard (/kinerja/): its snapshot built once as the beat's task builds it
    (complaints.tasks.refresh_scorecard: every figure of every scope, suppressed), then the pages
    read from the cache, as people read them, by 2 clients (docs/domain.md#public-scorecard)."""
    from django.db.models import Count

    from complaints.models import Agency, Complaint
    from complaints.scorecard import cache as scorecard_cache

    started = time.perf_counter()
    snapshot = scorecard_cache.refresh()  # into the server's Redis: the pages find it there
    built = time.perf_counter() - started
    busiest = (
        Complaint.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("agency_id", flat=True)
        .first()
    ) or Agency.objects.values_list("pk", flat=True).first()
    pages = {
        "national page": "/kinerja/",
        "national API": "/api/v1/kinerja/",
        "province page": "/kinerja/?provinsi=31",
        "agency page": f"/kinerja/instansi/{busiest}/",
    }
    result = {"build_s": built, "scopes": len(snapshot.cells)}
    for label, path in pages.items():
        # A scope's stage medians are computed on its first visit. A connection of its own: this
        # thread's kept one would have been closed by the server while the last load ran.
        first = http.client.HTTPConnection("127.0.0.1", client.port, timeout=120)
        first.request("GET", path)
        first.getresponse().read()
        first.close()

        def get(i, path=path):
            status, _, _ = client.request("GET", path)
            return status

        result[label] = run_load(get, expect=200, concurrency=2, count=2000, seconds=seconds)
    return result


# What comes due in one sweep: far more than the five minutes between two sweeps bring at
# national scale (SP4N-LAPOR! gathered ~1.5 million complaints in years).
SWEEP_DUE = {"awaiting_info": 500, "resolved": 500, "overdue": 2000}


def sweep(env: dict, *, due: dict) -> dict:
    """`manage.py sweep_deadlines` over every open case, after a known number came due."""
    from django.db import connection

    from complaints.models import Complaint

    open_states = ["submitted", "verifying", "awaiting_info", "referred", "examination", "resolved"]
    open_cases = Complaint.objects.filter(state__in=open_states).count()
    with connection.cursor() as cursor:
        for state, count in (("awaiting_info", due["awaiting_info"]), ("resolved", due["resolved"])):
            cursor.execute(
                "UPDATE complaints_complaint SET due_at = now() - interval '1 minute' WHERE id IN "
                "(SELECT id FROM complaints_complaint WHERE state = %s AND due_at > now() ORDER BY id LIMIT %s)",
                [state, count],
            )
        cursor.execute(
            "UPDATE complaints_complaint SET due_at = now() - interval '1 minute' WHERE id IN "
            "(SELECT id FROM complaints_complaint WHERE state IN ('submitted', 'verifying', 'referred', "
            "'examination') AND overdue_flagged_at IS NULL AND due_at > now() ORDER BY id LIMIT %s)",
            [due["overdue"]],
        )
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "sweep_deadlines"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    numbers = [int(n) for n in re.findall(r"\d+", done.stdout)]
    expired, closed, flagged = (numbers + [0, 0, 0])[:3]
    # The same again with nothing due: the cost of a sweep that finds nothing, every five minutes.
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "sweep_deadlines"], cwd=ROOT, env=env, capture_output=True, check=True
    )
    idle = time.perf_counter() - started
    return {
        "open_cases": open_cases,
        "seconds": seconds,
        "idle_seconds": idle,
        "expired": expired,
        "closed": closed,
        "flagged": flagged,
    }


def outbox(args, env, logs):
    """2,000 messages handed to two Celery workers, as a step's commit hands them; fake Twilio on loopback."""
    from notifications.models import Message, Status
    from notifications.tasks import send_message
    from tests.twilio_fake import FakeTwilio

    fake = FakeTwilio().start()
    count = 2000
    Message.objects.filter(template_key="bench").delete()
    ids = [
        m.pk
        for m in Message.objects.bulk_create(
            [
                Message(
                    channel="sms", recipient=f"+62812{i:08d}", template_key="bench", body=f"Sigap bench {i}"
                )
                for i in range(count)
            ]
        )
    ]
    # A Celery worker runs one task at a time in one thread: a kept connection is safe there.
    worker_env = {**env, **fake.environment(), "DATABASE_CONN_MAX_AGE": "60"}
    # Only this run's tasks on the broker (an earlier step's intake queued their messages there).
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=worker_env,
        capture_output=True,
        check=False,
    )
    rss = {}
    worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning"]
    with (
        running([*worker, "-n", "bench1@%h"], env=worker_env, log_path=logs / "worker1.log") as w1,
        running([*worker, "-n", "bench2@%h"], env=worker_env, log_path=logs / "worker2.log") as w2,
    ):
        wait_workers(worker_env, 2)
        cpu_before = cpu_seconds([w1.pid, w2.pid])
        started = time.perf_counter()
        for pk in ids:  # what outbox.enqueue does on commit
            send_message.delay(pk)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if Message.objects.filter(pk__in=ids, status=Status.SENT).count() == count:
                break
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        worker_cpu = cpu_seconds([w1.pid, w2.pid]) - cpu_before
        rss["celery worker 1"] = peak_rss_mb(w1.pid)
        rss["celery worker 2"] = peak_rss_mb(w2.pid)
    fake.stop()
    sent = Message.objects.filter(pk__in=ids, status=Status.SENT).count()
    return {
        "messages": count,
        "sent": sent,
        "seconds": seconds,
        "per_s": sent / seconds,
        "twilio_requests": len(fake.sent),
        "worker_cpu_ms": worker_cpu / max(sent, 1) * 1000,
    }, rss


def wait_workers(env: dict, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping", "-t", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.stdout.count("pong") >= count:
            return
    raise RuntimeError("the Celery workers did not start")


def realtime(port: int, session_key: str, token: str, client: Http, *, unit: str) -> dict:
    """200 officers' sockets; the time from a transition's commit to its event at each of them."""
    import websockets

    from complaints.models import Complaint, State

    cases = list(
        Complaint.objects.filter(unit__code=unit, state=State.REFERRED).values_list("pk", flat=True)[:5]
    )
    latencies: list[float] = []

    async def scenario():
        url = f"ws://127.0.0.1:{port}/ws/queue/"
        headers = {"Cookie": f"sessionid={session_key}"}
        sockets = []
        for _ in range(200):
            ws = await websockets.connect(url, origin=f"http://127.0.0.1:{port}", additional_headers=headers)
            await ws.recv()  # ready
            sockets.append(ws)

        async def listen(ws, received):
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") == "complaint" and event.get("event") == "accept_referral":
                    received.append((time.time(), event))
                    return

        for pk in cases:
            received: list = []
            tasks = [asyncio.create_task(listen(ws, received)) for ws in sockets]
            await asyncio.sleep(0.2)
            await asyncio.to_thread(
                client.request,
                "POST",
                f"/api/v1/complaints/{pk}/transitions/accept_referral/",
                b"{}",
                {"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
            for at, event in received:
                changed = datetime.datetime.fromisoformat(event["changed_at"]).timestamp()
                latencies.append(at - changed)
        for ws in sockets:
            await ws.close()

    asyncio.run(scenario())
    return {
        "sockets": 200,
        "transitions": len(cases),
        "events": len(latencies),
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "max_ms": max(latencies) * 1000 if latencies else float("nan"),
    }


def machine_info(connection, redis_url: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import django
    import redis

    redis_version = redis.Redis.from_url(redis_url).info().get("redis_version", "?")

    mem = Path("/proc/meminfo").read_text().split("\n")[0]
    return {
        # Other work on the machine while the benchmark ran (it shares its cores).
        "load_average_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "cpus": os.cpu_count(),
        "memory": f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg.split()[0],
        "redis": redis_version,
        "platform": platform.platform(),
    }


def errors(run: dict) -> str:
    kinds = ", ".join(f"{n}× {kind}" for kind, n in sorted(run.get("error_kinds", {}).items()))
    return f"{run['errors']} errors" + (f" ({kinds})" if kinds else "")


def markdown(results: dict) -> str:
    lines = [
        f"Command: `{results['command']}`",
        "Machine: {cpus} CPUs, {memory} memory, Python {python}, Django {django}, PostgreSQL {postgresql}, "
        "Redis {redis}; load average {start} at the start and {end} at the end (the machine is shared)".format(
            **results["machine"],
            start="/".join(results["machine"]["load_average_at_start"]),
            end="/".join(results["machine"].get("load_average_at_end", [])),
        ),
        "",
        "| benchmark | figure |",
        "| --- | --- |",
    ]
    if "seed" in results:
        s = results["seed"]
        lines.append(
            f"| seeding {s['complaints']:,} complaints (+{s['identities']:,} identities, {s['audit_rows']:,} audit rows, {s['messages']:,} messages) | {s['total_s']:.0f} s |"
        )
    for key, label in (
        ("intake_api", "intake, POST /api/v1/complaints/ (8 clients)"),
        ("intake_api_uvicorn", "intake, POST /api/v1/complaints/ (8 clients), uvicorn serving HTTP"),
        ("intake_web", "intake, web form GET+POST (8 clients)"),
        ("transitions", "transitions, POST …/transitions/start_verification/ (8 clients)"),
    ):
        if key in results:
            r = results[key]
            lines.append(
                f"| {label} | {r['per_s']:.0f}/s; p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms; {errors(r)}; server CPU {r['server_cpu_ms']:.1f} ms/request |"
            )
    for label, r in results.get("queue", {}).items():
        lines.append(
            f"| queue {label} (2 clients) | p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms ({r['requests']} requests, {errors(r)}; server CPU {r['server_cpu_ms']:.1f} ms/request) |"
        )
    if "scorecard" in results:
        r = results["scorecard"]
        lines.append(
            f"| scorecard snapshot (every scope's figures, suppressed), built by the beat's task | {r['build_s']:.1f} s ({r['scopes']:,} scopes) |"
        )
        for label in ("national page", "national API", "province page", "agency page"):
            s = r[label]
            lines.append(
                f"| scorecard {label}, from the cache (2 clients) | p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms ({s['requests']} requests, {errors(s)}; server CPU {s['server_cpu_ms']:.1f} ms/request) |"
            )
    if "sweep" in results:
        r = results["sweep"]
        lines.append(
            f"| `manage.py sweep_deadlines` over {r['open_cases']:,} open cases | {r['seconds']:.1f} s with {r['expired']:,} expired, {r['closed']:,} closed, {r['flagged']:,} newly overdue; {r['idle_seconds']:.1f} s with nothing due (process start included) |"
        )
    if "outbox" in results:
        r = results["outbox"]
        lines.append(
            f"| outbox → fake Twilio, 2 Celery workers | {r['per_s']:.0f} messages/s ({r['sent']}/{r['messages']} sent in {r['seconds']:.1f} s, {r['twilio_requests']} Twilio requests; worker CPU {r['worker_cpu_ms']:.1f} ms/message) |"
        )
    if "realtime" in results:
        r = results["realtime"]
        lines.append(
            f"| commit → event at {r['sockets']} websockets | p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms ({r['events']} events) |"
        )
    for name, mb in results.get("peak_rss_mb", {}).items():
        lines.append(f"| peak RSS {name} | {mb:.0f} MB |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
