"""The web form as a citizen uses it, GET then POST with the page's tokens, against Sigap's /lapor/
or django-helpdesk's /tickets/submit/ (as ../shared/peerbench serves it), with one client for both.

    .venv/bin/python bench/form_pairs.py sigap http://127.0.0.1:8103 --pids <worker pids>
    .venv/bin/python bench/form_pairs.py helpdesk http://127.0.0.1:8101 --pids <worker pids> [--post-only]

Each thread opens a connection per request (gunicorn's sync workers close it), as a first visit:
no cookies before the GET, the answer's cookies sent with the POST. ``--post-only``: helpdesk's
POST alone, its page fetched once per thread and its token reused, as the harness's wrk script
sends it. Prints pairs (or POSTs) a second after a 3 s warm-up and the server's CPU per pair read
from /proc for the given worker processes. The README's *Benchmarks* say how it was run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import threading
import time
import urllib.parse

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ONCE = re.compile(rb'name="submission_token" value="([^"]+)"')
TEXT = (
    "The streetlight in front of house number {} has been out for two weeks. "
    "It is very dark at night and unsafe for pedestrians. Please repair it."
)


def sigap_form(page: bytes, n: int) -> dict:
    return {
        "reporter_type": "warga",
        "confidentiality": "rahasia",
        "name": f"Citizen {n}",
        "phone": f"0812{n % 10**8:08d}",
        "kind": "maladministrasi",
        "agency_name": "Dinas Kependudukan",
        "province": "31",
        "regency": "31.71",
        "description": TEXT.format(n),
        "complained_to_agency_first": "1",
        "consent_pdp": "on",
        "notify_channel": "sms",
        "csrfmiddlewaretoken": TOKEN.search(page).group(1).decode(),
        "submission_token": ONCE.search(page).group(1).decode(),
    }


def helpdesk_form(page: bytes, n: int, queue: str) -> dict:
    return {
        "csrfmiddlewaretoken": TOKEN.search(page).group(1).decode(),
        "queue": queue,
        "title": f"Broken streetlight on Main Street {n}",
        "body": TEXT.format(n),
        "priority": "3",
        "due_date": "",
        "submitter_email": f"citizen{n % 50000}@example.com",
    }


class Load:
    def __init__(self, args):
        self.args = args
        address = urllib.parse.urlsplit(args.base)
        self.host, self.port = address.hostname, address.port
        self.path = "/lapor/" if args.stack == "sigap" else "/tickets/submit/"
        self.done = self.failed = 0
        self.lock = threading.Lock()
        self.stop = False

    def request(self, method: str, body: str | None = None, cookie: str = ""):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie} if body else {}
        connection.request(method, self.path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        cookies = "; ".join(value.split(";", 1)[0] for value in response.headers.get_all("Set-Cookie") or [])
        return response.status, cookies, content

    def run(self) -> None:
        kept = None
        while not self.stop:
            n = random.randint(1, 10**9)  # noqa: S311 - test data
            if self.args.post_only and kept:
                status, cookies, page = kept
            else:
                status, cookies, page = kept = self.request("GET")
            if self.args.stack == "sigap":
                form = sigap_form(page, n)
            else:
                form = helpdesk_form(page, n, self.args.queue)
            posted, _cookies, _content = self.request("POST", urllib.parse.urlencode(form), cookies)
            with self.lock:
                if status == 200 and posted == 302:
                    self.done += 1
                else:
                    self.failed += 1


def server_cpu(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stack", choices=["sigap", "helpdesk"])
    parser.add_argument("base")
    parser.add_argument("--pids", type=int, nargs="+", required=True, help="the app server's workers")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--queue", default="1", help="helpdesk's queue id")
    parser.add_argument("--post-only", action="store_true", help="helpdesk: its POST alone")
    args = parser.parse_args()
    load = Load(args)
    for _ in range(args.threads):
        threading.Thread(target=load.run, daemon=True).start()
    time.sleep(3)
    done, cpu, start = load.done, server_cpu(args.pids), time.monotonic()
    time.sleep(args.seconds)
    done, cpu, took = load.done - done, server_cpu(args.pids) - cpu, time.monotonic() - start
    load.stop = True
    what = "POSTs" if args.post_only else "pairs"
    print(
        f"{args.stack}: {done / took:.1f} {what}/s, {cpu / max(done, 1) * 1000:.2f} ms server CPU each, "
        f"{load.failed} failed"
    )


if __name__ == "__main__":
    main()
