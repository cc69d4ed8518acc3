"""Parts that fail on command, for the fault-injection tests: a Redis server of the test's own
(stopped and started again, losing what it held, as a real restart does) and a TCP proxy in
front of PostgreSQL (its connections cut and new ones refused, as while the server restarts).
Only the standard library and the redis-server binary."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class RedisServer:
    """redis-server on a loopback port, without persistence (as on these machines)."""

    def __init__(self, port: int, log_path: Path):
        self.port, self.log_path = port, log_path
        self.process: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = self.log_path.open("ab")
        args = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # what a crash does; nothing is saved
            self.process.wait()
            self.process = None


@contextlib.contextmanager
def redis_server(port: int, log_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(port, log_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``down()`` cuts every connection and refuses new
    ones until ``up()``."""

    def __init__(self, target: tuple[str, int], port: int):
        self.target, self.port = target, port
        self.listener: socket.socket | None = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.refused = 0

    def up(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self.lock:
            connections, self.connections = self.connections, set()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # went down meanwhile
                    client.close()
                    upstream.close()
                    return
                self.connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self.lock:
                self.connections -= {source, sink}


@contextlib.contextmanager
def tcp_proxy(target: tuple[str, int], port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target, port)
    proxy.up()
    try:
        yield proxy
    finally:
        proxy.down()


class Supervised:
    """A process started again whenever it exits, as systemd's Restart=always does in production
    (docs/deploy/sigap-worker.service): a Celery worker may exit when its broker goes away."""

    def __init__(self, args: list[str], *, env: dict, log_path: Path, cwd: Path):
        self.args, self.env, self.log_path, self.cwd = args, env, log_path, cwd
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            self.args, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def _watch(self) -> None:
        while not self.stopping.is_set():
            if self.process is not None and self.process.poll() is not None:
                self.restarts += 1
                time.sleep(1)  # systemd's RestartSec, shortened
                if not self.stopping.is_set():
                    self._start()
            time.sleep(0.2)

    def stop(self, seconds: float = 15) -> None:
        self.stopping.set()
        self.thread.join(5)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def supervised(args: list[str], *, env: dict, log_path: Path, cwd: Path) -> Iterator[Supervised]:
    process = Supervised(args, env=env, log_path=log_path, cwd=cwd)
    process._start()
    process.thread.start()
    try:
        yield process
    finally:
        process.stop()
