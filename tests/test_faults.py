"""Fault injection under load: nothing is lost when Redis, PostgreSQL or Twilio fails.

Real processes, as in production (docs/architecture.md#when-a-part-fails): uvicorn serving
Sigap, a Celery worker with its beat, a Redis of the test's own that is killed and started
again (losing what it held, as a restart does), a TCP proxy in front of PostgreSQL that cuts
every connection, and the fake Twilio server answering 500, 503, 429 with Retry-After and
timeouts. Time is shrunk sixty-fold for the outbox (SIGAP_MESSAGE_RETRY_BASE 0.5 s instead of
30 s, the re-queue every second instead of every minute): ten seconds of outage here are the
ten minutes the issue names.

Each test prints its figures (load, faults, deliveries, duplicates); run with ``-s`` to see them.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from twilio.request_validator import RequestValidator

from complaints.models import Complaint, Evidence, Identity
from notifications.models import Message, Status
from tests.asgi_server import database_url_for_subprocess
from tests.complaints.intake_data import PDF, valid
from tests.conftest import missing_service
from tests.faults import redis_server, supervised, tcp_proxy
from tests.processes import ROOT, free_port, log_tail, serving

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INTAKES = 200
CLIENTS = 12


def base_env(tmp_path: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        "SIGAP_MEDIA_ROOT": str(tmp_path / "media"),
        # Throttles would refuse one address filing 200 complaints: this is a load, not a flood.
        "SIGAP_THROTTLE_INTAKE": "100000/hour",
        "SIGAP_WEB_INTAKE_PER_HOUR": "100000",
        **extra,
    }


@contextlib.contextmanager
def uvicorn(env: dict, port: int, log_path: Path):
    args = [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with serving(args, port=port, env=env, log_path=log_path) as base_url:
        yield base_url


# --- the three intake channels, as a client would use them -------------------------------------
class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.codes: list[str] = []
        self.errors: list[str] = []

    def saw(self, channel: str, response: requests.Response) -> None:
        with self.lock:
            self.statuses[(channel, response.status_code)] += 1
            if response.status_code >= 500:
                self.errors.append(f"{channel} {response.status_code}: {response.text[:300]}")

    def filed(self, code: str) -> None:
        with self.lock:
            self.codes.append(code)

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)


def file_by_web(base_url: str, number: int, outcome: Outcome) -> None:
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/lapor/", timeout=30)
        outcome.saw("web", page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {**valid(phone=f"08129{number:07d}"), "csrfmiddlewaretoken": token}
        posted = browser.post(
            f"{base_url}/lapor/",
            data=data,
            files={"evidence": (f"bukti-{number}.pdf", PDF, "application/pdf")},
            allow_redirects=False,
            timeout=30,
        )
        outcome.saw("web", posted)
        assert posted.status_code == 302, posted.text[:500]
        receipt = browser.get(f"{base_url}/lapor/terkirim/", timeout=30)
        outcome.saw("web", receipt)
        code = re.search(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", receipt.text)
        assert code, receipt.text[:500]
        outcome.filed(code.group(0).replace("-", ""))


def file_by_api(base_url: str, number: int, outcome: Outcome) -> None:
    data = valid(phone=f"08128{number:07d}")
    response = requests.post(
        f"{base_url}/api/v1/complaints/",
        data=data,
        files={"evidence": (f"surat-{number}.pdf", PDF, "application/pdf")},
        timeout=30,
    )
    outcome.saw("api", response)
    assert response.status_code == 201, response.text[:500]
    body = response.json()
    assert re.fullmatch(r"\d{6}", body["pin"])
    outcome.filed(body["tracking_code"].replace("-", ""))


LAPOR = (
    "LAPOR",
    "1",
    "BPJS Kesehatan",
    "Kota Bandung",
    "Kartu BPJS saya ditolak di puskesmas tiga kali tanpa alasan.",
    "TIDAK",
    "1",
    "2",
    "Siti Aminah",
    "YA",
)


def file_by_sms(base_url: str, number: int, outcome: Outcome, token: str) -> None:
    url = f"{base_url}/webhooks/twilio/inbound/"
    phone = f"+62813{number:08d}"
    answer = ""
    for step, body in enumerate(LAPOR):
        params = {
            "MessageSid": f"SM{number:08d}{step:024d}",
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": "+15005550006",
            "Body": body,
            "NumMedia": "0",
        }
        signature = RequestValidator(token).compute_signature(url, params)
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        outcome.saw("sms", response)
        assert response.status_code == 200, response.text[:500]
        answer = html.unescape(response.text)
    found = re.search(r"Kode lacak (\w{4}-\w{4}), PIN (\d{6})", answer)
    assert found, answer
    outcome.filed(found.group(1).replace("-", ""))


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.25)


def test_intake_and_messages_survive_a_redis_restart_and_a_twilio_outage(postgres, fake_twilio, tmp_path):
    if not os.path.exists("/usr/bin/redis-server") and not any(
        os.path.exists(os.path.join(p, "redis-server")) for p in os.environ.get("PATH", "").split(":")
    ):
        missing_service("needs the redis-server binary to stop and start a Redis of its own")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with redis_server(free_port(), tmp_path / "redis.log") as redis:
        env = base_env(
            tmp_path,
            **fake_twilio.environment(),
            DATABASE_URL=database_url_for_subprocess(),
            REDIS_URL=redis.url,
            SIGAP_PUBLIC_URL=base_url,
            SIGAP_MESSAGE_RETRY_BASE="0.5",
            SIGAP_OUTBOX_REQUEUE_SECONDS="1",
            SIGAP_OUTBOX_LOST_TASK_AFTER="20",
            TWILIO_HTTP_TIMEOUT="1",
        )
        worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--pool=threads"]
        worker += ["--concurrency=8", "-l", "info", "-s", str(tmp_path / "beat-schedule")]
        with (
            uvicorn(env, port, tmp_path / "server.log"),
            # Restarted when it exits, as systemd does (Restart=always): a Celery worker may exit
            # when Redis goes away under it (a known kombu failure on connection loss).
            supervised(worker, env=env, log_path=tmp_path / "worker.log", cwd=ROOT) as worker_process,
        ):
            outcome = Outcome()
            done = itertools.count(1)
            phases: dict[str, float] = {}
            started = time.monotonic()

            def one(number: int) -> None:
                channel = ("web", "api", "sms")[number % 3]
                try:
                    if channel == "web":
                        file_by_web(base_url, number, outcome)
                    elif channel == "api":
                        file_by_api(base_url, number, outcome)
                    else:
                        file_by_sms(base_url, number, outcome, fake_twilio.auth_token)
                except Exception as exc:  # noqa: BLE001 - counted and reported below
                    with outcome.lock:
                        outcome.errors.append(f"{channel} #{number}: {exc!r}"[:400])
                finished = next(done)
                # Redis dies a quarter of the way in and comes back (empty) at 60 %; Twilio then
                # fails for ten "minutes" (ten seconds at this scale) while intake goes on.
                if finished == INTAKES // 4:
                    redis.stop()
                    phases["redis down"] = time.monotonic() - started
                elif finished == INTAKES * 6 // 10:
                    fake_twilio.outage(
                        10.0,
                        ("status", 500),
                        ("status", 503),
                        ("status", 429, {"Retry-After": "1"}),
                        ("hang", 1.5),
                    )
                    redis.start()
                    phases["redis up, twilio down"] = time.monotonic() - started

            with ThreadPoolExecutor(CLIENTS) as pool:
                list(pool.map(one, range(INTAKES)))
            load_seconds = time.monotonic() - started

            assert outcome.errors == [], outcome.errors[:5]
            assert outcome.server_errors == 0
            # Every intake answered with its code: 200 complaints, 200 distinct codes.
            assert len(outcome.codes) == len(set(outcome.codes)) == INTAKES
            assert set(Complaint.objects.values_list("tracking_code", flat=True)) == set(outcome.codes)
            # Every evidence file is on disk with the bytes sent.
            evidence = list(Evidence.objects.all())
            assert len(evidence) == sum(1 for n in range(INTAKES) if n % 3 != 2)  # web and API send one
            for item in evidence:
                assert (tmp_path / "media" / item.file.name).read_bytes() == PDF

            # Every queued message reaches Twilio once the outage is over.
            expected = Message.objects.count()
            assert expected == len(evidence)  # the web and API complainants get their code and PIN
            wait_until(
                lambda: not Message.objects.exclude(status__in=[Status.SENT, Status.DELIVERED]).exists(),
                180,
                f"every message sent: {Counter(Message.objects.values_list('status', flat=True))}\n"
                + log_tail(tmp_path / "worker.log"),
            )
            sent_sids = set(Message.objects.values_list("twilio_sid", flat=True))
            assert sent_sids <= set(fake_twilio.accepted)
            duplicates = len(fake_twilio.accepted) - len(sent_sids)
            # One message per phone number, and every number got its own.
            phones = Counter(identity.phone for identity in Identity.objects.all())
            assert len(phones) == INTAKES and max(phones.values()) == 1
            recipients = Counter(message.recipient for message in Message.objects.all())
            assert len(recipients) == expected
            server_log = (tmp_path / "server.log").read_text(errors="replace")
            assert "realtime: could not send" in server_log  # dropped with a log line, not an error
            print(  # noqa: T201 - the figures the closing note reports
                f"\nfault injection: {INTAKES} intakes by {CLIENTS} clients in {load_seconds:.1f} s "
                f"({dict(outcome.statuses)}); phases {phases}; {expected} messages delivered after the "
                f"outage ({fake_twilio.outage_count} sends refused during it), {duplicates} duplicate sends, "
                f"worker restarted {worker_process.restarts} times"
            )
            assert duplicates <= expected // 20  # at-least-once: a hang Twilio accepted late


def test_a_postgresql_restart_answers_503_then_recovers_with_no_half_written_row(postgres, tmp_path):
    from django.db import connection

    settings = connection.settings_dict
    target = (settings.get("HOST") or "127.0.0.1", int(settings.get("PORT") or 5432))
    proxy_port = free_port()
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    database_url = f"postgres://{user}{password}@127.0.0.1:{proxy_port}/{settings['NAME']}"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tcp_proxy(target, proxy_port) as proxy:
        env = base_env(tmp_path, DATABASE_URL=database_url, DATABASE_POOL_SIZE="4", SIGAP_PUBLIC_URL=base_url)
        env.pop("REDIS_URL", None)
        with uvicorn(env, port, tmp_path / "server.log"):
            stop = threading.Event()
            lock = threading.Lock()
            seen: Counter = Counter()
            filed: list[str] = []
            unavailable: list[requests.Response] = []

            def client(number: int) -> None:
                for attempt in itertools.count():
                    if stop.is_set():
                        return
                    data = {**valid(phone=f"08127{number:03d}{attempt:04d}"), "consent_pdp": True}
                    data["complained_to_agency_first"] = True
                    try:
                        response = requests.post(f"{base_url}/api/v1/complaints/", json=data, timeout=30)
                    except requests.RequestException as exc:
                        with lock:
                            seen[type(exc).__name__] += 1
                        continue
                    with lock:
                        seen[response.status_code] += 1
                        if response.status_code == 201:
                            filed.append(response.json()["tracking_code"].replace("-", ""))
                        elif response.status_code == 503:
                            unavailable.append(response)
                    if response.status_code == 503:
                        time.sleep(0.2)  # Retry-After says 30 s; a test waits less

            threads = [threading.Thread(target=client, args=(n,)) for n in range(6)]
            for thread in threads:
                thread.start()
            time.sleep(2)
            before = len(filed)
            proxy.down()  # every connection cut, new ones refused: PostgreSQL restarting
            time.sleep(1)
            page = requests.get(f"{base_url}/lapor/", headers={"Accept-Language": "en"}, timeout=30)
            health = requests.get(f"{base_url}/healthz", timeout=30)
            time.sleep(1.5)
            during = len(filed)
            proxy.up()
            recovered = time.monotonic()
            wait_until(lambda: len(filed) >= during + 10, 30, f"intake after PostgreSQL came back: {seen}")
            recovered = time.monotonic() - recovered
            stop.set()
            for thread in threads:
                thread.join(30)
            after = len(filed)

    assert seen[500] == 0, (seen, log_tail(tmp_path / "server.log"))
    assert unavailable, seen
    # A clear answer, in the client's language, with when to try again.
    answer = unavailable[0]
    assert answer.headers["Retry-After"] == "30"
    assert "gangguan sementara" in answer.json()["detail"]
    assert (page.status_code, page.headers.get("Retry-After")) == (503, "30")
    assert "temporar" in page.text.lower() and "Traceback" not in page.text
    assert health.status_code == 503
    # The server recovered by itself once PostgreSQL was back.
    assert after > during >= before > 0, (
        seen,
        before,
        during,
        after,
        log_tail(tmp_path / "server.log", 3000),
    )
    # No row half-written: every complaint has its identity, first audit row and clock; every
    # accepted code is there.
    complaints = Complaint.objects.all()
    assert set(filed) <= set(complaints.values_list("tracking_code", flat=True))
    for complaint in complaints:
        assert complaint.due_at is not None and Identity.objects.filter(complaint=complaint).exists()
    from workflow.models import TransitionLog

    assert TransitionLog.objects.filter(transition="submit").count() == complaints.count()
    print(  # noqa: T201
        f"\npostgresql restart: {dict(seen)}; {before} filed before, {after - during} after it came back "
        f"(the first {recovered:.1f} s after), "
        f"{complaints.count() - len(filed)} committed but not acknowledged"
    )
