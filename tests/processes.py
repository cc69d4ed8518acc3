"""The processes tests and bench/run.py start (ASGI servers, Celery workers and beat): one way to
start them, to wait until they serve, and to stop them. Only the standard library, so the
benchmark can use it before Django is set up."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(log_path: Path, size: int = 4000) -> str:
    return log_path.read_text(errors="replace")[-size:]


@contextlib.contextmanager
def running(
    args: list[str], *, env: dict, log_path: Path, stop_seconds: float = 15
) -> Iterator[subprocess.Popen]:
    """`args` run from the repository root with `env`, their output in `log_path`; stopped after
    (SIGTERM, and SIGKILL if it has not exited within `stop_seconds`), and always waited for, so
    that nothing it held (a database connection) outlives the caller."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=stop_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_health(base_url: str, process: subprocess.Popen, log_path: Path, *, seconds: float = 30) -> None:
    """Until `base_url`/healthz answers 200; an error with the end of the log if the process exits
    first or never answers."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited early:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.args[:3]} did not answer in {seconds:.0f} s:\n{log_tail(log_path)}")
        time.sleep(0.1)


@contextlib.contextmanager
def serving(args: list[str], *, port: int, env: dict, log_path: Path, seconds: float = 30) -> Iterator[str]:
    """A server process listening on 127.0.0.1:`port`; yields its base URL once it is healthy."""
    with running(args, env=env, log_path=log_path) as process:
        base_url = f"http://127.0.0.1:{port}"
        wait_for_health(base_url, process, log_path, seconds=seconds)
        yield base_url
