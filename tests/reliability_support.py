"""Helpers of the reliability tests: ``scripts/mock`` as a subprocess on a free 127.0.0.1 port, and
uvicorn in a background thread with its log records captured."""

import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "mock"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MockProcess:
    """``scripts/mock`` serving on 127.0.0.1 in a subprocess; stdout+stderr go to ``log_path``."""

    def __init__(self, *args: str, log_path: Path, port: int | None = None, cwd: Path = ROOT) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 (closed in wait/kill)
        self.process = subprocess.Popen(
            [str(SCRIPT), "--host", "127.0.0.1", "--port", str(self.port), *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
        )
        self._wait_until_serving()

    def _wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/mock exited with {self.process.returncode}: {self.log()}")
            try:  # a TCP connect, not a request: --latency-ms may slow every answer
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"scripts/mock did not start: {self.log()}")

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.wait()


@contextmanager
def mock_process(*args: str, log_path: Path) -> Iterator[MockProcess]:
    process = MockProcess(*args, log_path=log_path)
    try:
        yield process
    finally:
        process.kill()


class ServedApp:
    def __init__(self, app: Any, port: int, server: uvicorn.Server) -> None:
        self.app = app
        self.runtime = app.state.mock
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.server = server


@contextmanager
def serve(app: Any, *, log_level: str = "info", **options: Any) -> Iterator[ServedApp]:
    """Serve an ASGI app with uvicorn on a free 127.0.0.1 port in a background thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield ServedApp(app, port, server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Captured(logging.Handler):
    """Every record of the named loggers, formatted, while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.lines.append(text)

    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def captured_logs(*names: str) -> Iterator[Captured]:
    handler = Captured()
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


class FlakyProxy:
    """A TCP proxy on 127.0.0.1 in front of ``upstream_port`` that breaks the connections it is told
    to, in order (one action per accepted connection; then every connection passes):

    * ``"reset"``: read the start of the request, then reset the connection (RST) without
      forwarding anything: the server never sees the request;
    * ``"drop_response"``: forward the request, wait for the server's answer to start, then reset
      the client's connection instead of relaying it: the server did the work, the client never
      hears of it (the case that makes a retried POST dangerous);
    * ``"pass"``: relay both ways.
    """

    def __init__(self, upstream_port: int, plan: list[str] | None = None) -> None:
        self.upstream_port = upstream_port
        self.plan = list(plan or [])
        self.actions: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def __enter__(self) -> "FlakyProxy":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                action = self.plan.pop(0) if self.plan else "pass"
                self.actions.append(action)
            threading.Thread(target=self._serve, args=(client, action), daemon=True).start()

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _read_request(client: socket.socket) -> bytes:
        """One whole HTTP/1.1 request with a Content-Length body (what httpx sends)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _serve(self, client: socket.socket, action: str) -> None:
        if action == "reset":
            client.recv(1024)
            self._reset(client)
            return
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        if action == "drop_response":
            upstream.sendall(self._read_request(client))
            with suppress(OSError):
                upstream.recv(1)  # the server has answered: the work is done
            self._reset(client)
            upstream.close()
            return
        threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
        self._pipe(upstream, client)
        client.close()
        upstream.close()
