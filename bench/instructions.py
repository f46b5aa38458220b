"""Section ``instructions``: machine instructions per request through the whole server (uvicorn,
httptools, uvloop and the app), counted by callgrind, for our mock and the bare Starlette ceiling
on the same uvicorn.

Requests per second on a shared two-core machine move by tens of percent from one round to the
next; an instruction count repeats to within a fraction of a percent, so it is the figure that
tells what the mock adds to the server it runs on. It leaves out the kernel's share (the socket
calls), which is the same for every app on this server.

Each server runs under ``valgrind --tool=callgrind --instr-atstart=no``: start-up is not counted.
After a warm-up, for each operation the counters are zeroed, ``COUNT`` requests are sent one after
another on one keep-alive connection, and the counters are read (``callgrind_control``).
"""

import json
import re
import shutil
import socket
import subprocess
from pathlib import Path

from bench.common import HOST, PYTHON, Section, Server, Settings, Table, free_port, revision_env, shell_join
from bench.loadgen import Request, raw_request
from bench.mock_throughput import EXAMPLE_ID, OPERATIONS, requests_for

VALGRIND = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null"]
WARM_UP = 50


def available() -> str | None:
    """Why this section cannot run here, or None."""
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found (Debian: apt-get install valgrind)" if missing else None


def _server(name: str, args: list[str], settings: Settings, root: Path | None = None) -> Server:
    port = free_port()
    command = [*VALGRIND, PYTHON, "-m", "bench.serve", *args, "--port", str(port)]
    env = {**(revision_env(root) or {}), "PYTHONHASHSEED": "0"}
    return Server(name, command, port, settings.work, env=env)


def _exchange(conn: socket.socket, raw: bytes, pending: bytes) -> tuple[int, bytes]:
    """Send one request, read its whole answer: (status, bytes already read of the next)."""
    conn.sendall(raw)
    data = pending
    while b"\r\n\r\n" not in data:
        data += _recv(conn)
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(v) for n, _, v in (ln.partition(":") for ln in lines[1:]) if n.lower() == "content-length"
    )
    while len(rest) < length:
        rest += _recv(conn)
    return int(lines[0].split(" ", 2)[1]), rest[length:]


def _recv(conn: socket.socket) -> bytes:
    chunk = conn.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection")
    return chunk


def _control(pid: int, *args: str) -> str:
    done = subprocess.run(["callgrind_control", *args, str(pid)], capture_output=True, text=True, timeout=60)
    return done.stdout


def _instructions(pid: int) -> int:
    """Instructions counted since the last zeroing, all threads."""
    found = re.findall(r"^\s*Th\s+\d+\s+([\d,]+)", _control(pid, "-e", "Ir"), re.MULTILINE)
    if not found:
        raise RuntimeError("callgrind_control printed no counters")
    return sum(int(n.replace(",", "")) for n in found)


def count(server: Server, requests: dict[str, Request], n: int) -> dict[str, int]:
    """Instructions per request of each operation, on one keep-alive connection."""
    assert server.proc is not None
    pid = server.proc.pid  # valgrind runs the program in its own process
    per_request: dict[str, int] = {}
    with socket.create_connection((HOST, server.port), timeout=120) as conn:
        pending = b""
        for op, request in requests.items():
            raw = raw_request(request, server.port)
            for _ in range(WARM_UP):
                status, pending = _exchange(conn, raw, pending)
            if status >= 400:
                raise RuntimeError(f"{server.name} answered {status} to {op}")
            _control(pid, "--instr=on")
            _control(pid, "--zero")
            for _ in range(n):
                _status, pending = _exchange(conn, raw, pending)
            per_request[op] = _instructions(pid) // n
            _control(pid, "--instr=off")
    return per_request


def run(settings: Settings) -> Section:
    section = Section("instructions", "Instructions per request through the whole server (callgrind)")
    if problem := available():
        section.notes.append(f"Not measured: {problem}.")
        return section
    n = 100 if settings.quick else 500
    servers = [
        (
            "ours, stateful",
            ["mock", "--prefill", "2", "--ids-file", str(settings.work / "ids-ir.json")],
            None,
        ),
        ("ours, stateless", ["mock", "--stateless"], None),
        ("bare Starlette (ceiling)", ["bare"], None),
    ]
    if settings.baseline_root is not None:
        ids = str(settings.work / "ids-ir-baseline.json")
        servers.append(
            (
                f"ours, stateful, at {settings.baseline} (before)",
                ["mock", "--prefill", "2", "--ids-file", ids],
                settings.baseline_root,
            )
        )
    table = Table(
        f"Instructions per request, {n} requests per operation on one keep-alive connection, after {WARM_UP} "
        "warm-up requests (callgrind; the kernel's share left out)",
        ["server", *[f"{op}" for op in OPERATIONS], *[f"{op} vs ceiling" for op in OPERATIONS]],
    )
    figures: dict[str, dict[str, int]] = {}
    for name, args, root in servers:
        server = _server(name, args, settings, root)
        server.start(timeout=300)
        try:
            ids_file = next((Path(a) for a in args if a.endswith(".json")), None)
            video_id = json.loads(ids_file.read_text())[0] if ids_file else EXAMPLE_ID
            figures[name] = count(server, requests_for(video_id), n)
        finally:
            server.stop()
        section.commands.append(shell_join(server.command).replace(str(server.port), "PORT"))
    ceiling = figures["bare Starlette (ceiling)"]
    for name, values in figures.items():
        ratios = [f"{values[op] / ceiling[op]:.2f}x" for op in OPERATIONS]
        table.add(name, *[f"{values[op]:,}" for op in OPERATIONS], *ratios)
    section.tables.append(table)
    section.figures.update(figures)
    ours = figures["ours, stateful"]
    section.figures["_headline"] = [
        "Instructions per request through the whole server, stateful mock vs the bare Starlette "
        "ceiling on the same uvicorn: "
        + ", ".join(
            f"{op} {ours[op] / 1000:.0f}k vs {ceiling[op] / 1000:.0f}k ({ours[op] / ceiling[op]:.2f}x)"
            for op in OPERATIONS
        )
    ]
    section.notes.append(
        "The bare app answers a fixed Video with no checks and stores nothing; ours authenticates, "
        "validates, looks the video up (retrieve), pages the key's videos (list) or reads the "
        "uploaded MP4 and stores a new job (extend). The servers are `bench/serve.py`'s, on uvicorn "
        "as `scripts/mock` runs it; each is started once, under valgrind, with PYTHONHASHSEED=0."
    )
    return section
