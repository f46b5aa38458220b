"""The load generator: one neutral tool for every server.

``wrk`` (Debian's package; one thread, keep-alive connections, a Lua script sets the method and the
body and prints the figures as JSON) is the default. Without wrk, a small asyncio generator over
raw keep-alive sockets stands in (``--loadgen python``): it is count- and time-bounded, which suits
the smoke test, but on a 2-core machine a Python generator saturates its own core long before a
fast server does, so its figures are a floor, never a comparison with the wrk figures.
"""

import asyncio
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import HOST, LOAD_CPU, pinned

WRK_SCRIPT = r"""
local req
function init(args)
  wrk.method = args[1]
  if args[2] ~= nil and args[2] ~= "" then
    local f = assert(io.open(args[2], "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = args[3]
  end
  req = wrk.format()
end
function request() return req end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclass(frozen=True)
class Request:
    """One request shape, repeated: method, path (with query), headers and an optional body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    content_type: str = ""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad_status: int  # answers with status >= 400
    socket_errors: int  # connect/read/write errors and timeouts

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout or done.stderr else "wrk"


class Wrk:
    name = "wrk"

    def __init__(self, work: Path) -> None:
        self.work = work
        self.script = work / "bench.lua"
        self.script.write_text(WRK_SCRIPT)

    def command(self, base_url: str, request: Request, concurrency: int, duration: float) -> list[str]:
        args = [request.method]
        if request.body:
            body_file = self.work / f"body-{abs(hash(request.body))}.bin"
            if not body_file.exists():
                body_file.write_bytes(request.body)
            args += [str(body_file), request.content_type]
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--timeout", "5s"]
        for name, value in request.headers.items():
            command += ["-H", f"{name}: {value}"]
        return pinned([*command, "-s", str(self.script), base_url + request.path, "--", *args], LOAD_CPU)

    def run(
        self,
        base_url: str,
        request: Request,
        concurrency: int,
        duration: float,
        max_requests: int | None = None,
    ) -> LoadResult:
        command = self.command(base_url, request, concurrency, duration)
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no figures (exit {done.returncode}): {done.stdout}{done.stderr}")
        data = json.loads(line.removeprefix("BENCH_JSON "))
        return LoadResult(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            bad_status=data["status"],
            socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        )


class PythonLoad:
    """A count- and time-bounded asyncio generator over raw HTTP/1.1 keep-alive sockets."""

    name = "python-asyncio"

    def command(self, base_url: str, request: Request, concurrency: int, duration: float) -> list[str]:
        return [f"(in-process asyncio generator) {request.method} {base_url}{request.path} c={concurrency}"]

    def run(
        self,
        base_url: str,
        request: Request,
        concurrency: int,
        duration: float,
        max_requests: int | None = None,
    ) -> LoadResult:
        port = int(base_url.rsplit(":", 1)[1])
        return asyncio.run(_load(port, request, concurrency, duration, max_requests))


def raw_request(request: Request, port: int) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {HOST}:{port}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if request.body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(request.body)}")
        if request.content_type:
            lines.append(f"Content-Type: {request.content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, server closes the connection) after consuming one whole response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status, headers.get("connection", "").lower() == "close"


async def _load(
    port: int, request: Request, concurrency: int, duration: float, max_requests: int | None
) -> LoadResult:
    raw = raw_request(request, port)
    latencies: list[int] = []
    bad = errors = 0
    remaining = [max_requests if max_requests is not None else 1 << 62]
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal bad, errors
        reader = writer = None
        while time.perf_counter() < deadline and remaining[0] > 0:
            remaining[0] -= 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(HOST, port)
                assert reader is not None
                start = time.perf_counter_ns()
                writer.write(raw)
                status, closing = await asyncio.wait_for(_read_response(reader), 5)
                latencies.append(time.perf_counter_ns() - start)
                bad += status >= 400
                if closing:
                    writer.close()
                    writer = None
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begin
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] / 1e6

    return LoadResult(len(latencies), elapsed, pct(50), pct(99), bad, errors)


def make_loadgen(kind: str, work: Path) -> Wrk | PythonLoad:
    if kind == "wrk" or (kind == "auto" and wrk_available()):
        if not wrk_available():
            raise RuntimeError("wrk is not installed (Debian: apt-get install -y wrk); use --loadgen python")
        return Wrk(work)
    return PythonLoad()


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str | None]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, as an HTTP client would send it."""
    boundary = "benchboundary7d3f1c2a9e"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, ctype) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        parts.append(head.encode() + b"\r\n" + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
