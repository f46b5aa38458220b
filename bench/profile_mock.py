"""Section ``profile``: where our stateful mock spends its time on retrieve, list and extend.

One server per operation runs under cProfile (``bench/serve.py --profile``) while the load
generator sends that operation at concurrency 8; the profile is written when the server stops.
cProfile slows Python code down, so the shares matter here, not the absolute times.
"""

import json
import pstats
import re
from typing import Any

from bench.common import (
    KEY,
    PYTHON,
    SERVER_CPU,
    Section,
    Server,
    Settings,
    Table,
    free_port,
    pinned,
    shell_join,
)
from bench.loadgen import Request, make_loadgen
from bench.mock_throughput import upload_body

AUTH = {"Authorization": f"Bearer {KEY}"}
# asyncio.run's frame: the C event loop (uvloop) runs under it, so its "own" time is the loop,
# socket I/O and the idle time before and after the load. Left out of the shares.
IDLE = "event loop (C), I/O and idle"


def _where(filename: str) -> str:
    """A function's file -> the component it belongs to."""
    if filename.startswith("~") or filename.startswith("{"):
        return "builtins (C)"
    if filename.endswith("asyncio/runners.py"):
        return IDLE
    if m := re.search(r"videos_toolkit/mock/(\w+)\.py", filename):
        return f"mock/{m.group(1)}.py"
    if m := re.search(r"site-packages/([\w]+)", filename):
        return m.group(1)
    if m := re.search(r"python3\.\d+/(\w+)", filename):
        return f"stdlib {m.group(1)}"
    return filename.rsplit("/", 1)[-1]


def _short(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    filename = re.sub(r".*/site-packages/", "", filename)
    filename = re.sub(r".*/src/videos_toolkit/", "videos_toolkit/", filename)
    filename = re.sub(r".*/python3\.\d+/", "", filename)
    return f"{filename}:{line}({name})"


def profile_op(op: str, settings: Settings, loadgen: Any, duration: float) -> tuple[pstats.Stats, int, str]:
    port = free_port()
    out = settings.work / f"profile-{op}.prof"
    ids_file = settings.work / f"profile-ids-{op}.json"
    command = [PYTHON, "-m", "bench.serve", "mock", "--port", str(port), "--prefill", "2"]
    command += ["--ids-file", str(ids_file), "--profile", str(out)]
    server = Server(f"profile-{op}", pinned(command, SERVER_CPU), port, settings.work)
    with server:
        video_id = json.loads(ids_file.read_text())[0]
        body, content_type = upload_body()
        request = {
            "retrieve": Request("GET", f"/videos/{video_id}", AUTH),
            "list": Request("GET", "/videos?limit=20", AUTH),
            "extend": Request("POST", "/videos/extensions", AUTH, body, content_type),
        }[op]
        result = loadgen.run(server.url, request, 8, duration, 200 if settings.quick else None)
    stats = pstats.Stats(str(out))
    return stats, result.requests, shell_join(command).replace(str(settings.work), "$WORK")


def run(settings: Settings) -> Section:
    section = Section("profile", "Profile of the mock's hot paths (cProfile under load)")
    loadgen = make_loadgen(settings.loadgen, settings.work)
    duration = 1.0 if settings.quick else 4.0
    for op in ("retrieve", "list", "extend"):
        stats, requests, command = profile_op(op, settings, loadgen, duration)
        section.commands.append(command)
        raw = stats.stats  # type: ignore[attr-defined]
        by_part: dict[str, float] = {}
        for func, (_, _, tt, _, _) in raw.items():
            by_part[_where(func[0])] = by_part.get(_where(func[0]), 0.0) + tt
        by_part.pop(IDLE, None)
        total = sum(by_part.values()) or 1.0
        parts = Table(
            f"{op}: share of profiled time by component ({requests:,} requests)",
            ["component", "share of own time", "µs per request (profiled)"],
        )
        for name, tt in sorted(by_part.items(), key=lambda kv: -kv[1])[:12]:
            parts.add(name, f"{tt / total:.1%}", f"{tt / max(requests, 1) * 1e6:.1f}")
        top = Table(
            f"{op}: functions by cumulative time per request (top 15 under the mock's dispatch)",
            ["function", "calls per request", "cumulative µs per request", "own µs per request"],
        )
        ranked = sorted(raw.items(), key=lambda kv: -kv[1][3])
        shown = 0
        for func, (_, ncalls, tt, ct, _) in ranked:
            name = _short(func)
            if not any(
                key in name for key in ("videos_toolkit", "starlette", "jsonschema", "multipart", "mutagen")
            ):
                continue
            top.add(
                name,
                f"{ncalls / max(requests, 1):.1f}",
                f"{ct / max(requests, 1) * 1e6:.1f}",
                f"{tt / max(requests, 1) * 1e6:.1f}",
            )
            shown += 1
            if shown == 15:
                break
        section.tables += [parts, top]
        section.figures[op] = {name: round(tt / total, 4) for name, tt in by_part.items()}
    section.notes.append(
        "Each operation is profiled in its own server process (stateful, two completed videos of the "
        "bench key) under the load generator at concurrency 8. Shares are of the Python-visible time: "
        "the event loop (uvloop), httptools and socket writes are C code whose time is either left "
        "out (the loop itself, idle time) or counted in the Python function that called it (e.g. "
        "uvicorn's `send`). cProfile roughly doubles the cost of Python calls, so read the µs as "
        "relative weights."
    )
    return section
