"""Section ``dispatch``: microseconds our mock's ASGI app spends per request, in-process, with no
socket and no HTTP parser: the app (Starlette as ``create_app`` returns it) is called with an ASGI
scope and a ``receive`` that hands over the body, and the answer is collected from ``send``.

This is the part of a request's cost that the mock's own code decides, measured without the
noise of a load generator sharing the machine; the ``mock`` section gives the end-to-end figures.
"""

import asyncio
import json
import sys
import time
from typing import Any

from bench.common import (
    KEY,
    PYTHON,
    SERVER_CPU,
    Section,
    Settings,
    Table,
    pinned,
    revision_env,
    timed_command,
)
from bench.mock_throughput import upload_body

AUTH = (b"authorization", f"Bearer {KEY}".encode())


def _scope(method: str, path: str, query: str = "", headers: list[tuple[bytes, bytes]] | None = None) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), AUTH, *(headers or [])],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4010),
    }


def requests(video_id: str) -> dict[str, tuple[dict, bytes]]:
    body, content_type = upload_body()
    extend_headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    return {
        "retrieve": (_scope("GET", f"/videos/{video_id}"), b""),
        "list": (_scope("GET", "/videos", "limit=20"), b""),
        "extend": (_scope("POST", "/videos/extensions", headers=extend_headers), body),
    }


async def _call(app: Any, scope: dict, body: bytes) -> int:
    sent = False
    status = 0

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # a real server would report a disconnect; never reached here
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(dict(scope), receive, send)
    return status


def measure(app: Any, scope: dict, body: bytes, count: int, repeats: int) -> float:
    """Best µs per request over ``repeats`` batches of ``count`` requests."""

    async def batch() -> float:
        start = time.perf_counter()
        for _ in range(count):
            status = await _call(app, scope, body)
            if status != 200:
                raise RuntimeError(f"the mock answered {status} to {scope['method']} {scope['path']}")
        return (time.perf_counter() - start) / count * 1e6

    async def run() -> float:
        await batch()  # warm-up
        return min([await batch() for _ in range(repeats)])

    return asyncio.run(run())


def stateful_app(stateless: bool = False) -> tuple[Any, str]:
    from bench.serve import mock_app

    app = mock_app(stateless, 2, None)
    runtime = app.state.mock
    video = runtime.store.list_videos(_owner(), after=None, limit=1, order="asc").items[0]
    return app, video.id


def _owner() -> str:
    from videos_toolkit.mock.handlers import owner_of

    return owner_of(KEY)


def measure_all(stateless: bool, count: int, repeats: int) -> dict[str, float]:
    app, video_id = stateful_app(stateless)
    return {op: measure(app, scope, body, count, repeats) for op, (scope, body) in requests(video_id).items()}


def run(settings: Settings) -> Section:
    section = Section("dispatch", "The mock's own cost per request (in-process, no socket)")
    count, repeats, rounds = (100, 3, 1) if settings.quick else (500, 7, 5)
    variants = [("current", None)]
    if settings.baseline_root is not None:
        variants.append((f"at {settings.baseline} (before)", settings.baseline_root))
    columns = [f"{mode} µs, {name}" for name, _ in variants for mode in ("stateful", "stateless")]
    table = Table(
        f"µs per request through the ASGI app: best of {rounds} alternating round(s), each the best of "
        f"{repeats} batches of {count}",
        ["operation", *columns],
    )
    if len(variants) > 1:
        table.columns.append("stateful, before / now")
    figures: dict[str, dict[str, float]] = {}
    jobs = [(name, root, mode) for name, root in variants for mode in ("stateful", "stateless")]
    for r in range(rounds):
        # Alternating variants (each in a fresh process) spreads each over the run's busy spells.
        for name, root, mode in jobs[r % len(jobs) :] + jobs[: r % len(jobs)]:
            command = pinned(
                [PYTHON, "-m", "bench.mock_inprocess", mode, str(count), str(repeats)], SERVER_CPU
            )
            _wall, code, output = timed_command(command, env=revision_env(root), timeout=600)
            line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_JSON ")), None)
            if line is None:
                raise RuntimeError(f"dispatch bench ({name}, {mode}) failed (exit {code}): {output[-800:]}")
            for op, value in json.loads(line.removeprefix("BENCH_JSON ")).items():
                column = f"{mode} µs, {name}"
                known = figures.setdefault(op, {}).get(column)
                figures[op][column] = value if known is None else min(known, value)
    for op, values in figures.items():
        row = [op, *[f"{values[c]:.1f}" for c in columns]]
        if len(variants) > 1:
            row.append(f"{values[columns[2]] / values[columns[0]]:.2f}x")
        table.add(*row)
    section.tables.append(table)
    if len(variants) > 1:
        now, before = columns[0], columns[2]
        changes = ", ".join(
            f"{op} {values[before]:.0f} -> {values[now]:.0f} µs" for op, values in figures.items()
        )
        section.figures["_headline"] = [
            f"The mock's own cost per request (in-process, stateful), {variants[1][0]} -> now: {changes}"
        ]
    section.figures.update(
        {op: {k: round(v, 2) for k, v in values.items()} for op, values in figures.items()}
    )
    section.commands.append(
        f"taskset -c {SERVER_CPU} python -m bench.mock_inprocess stateful|stateless {count} {repeats}"
    )
    section.notes.append(
        "The app is the one `create_app` returns (with two completed videos of the bench key, filled "
        "directly), called the way uvicorn calls it, minus the socket and the HTTP parser, one "
        "request at a time, each variant in a fresh process. Extend uploads the same 4-second MP4 "
        "as the `mock` section. This is the figure the hot-path changes are judged by; it moves with "
        "the machine's load too, so compare figures of one run."
    )
    return section


if __name__ == "__main__":
    mode, count, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print("BENCH_JSON " + json.dumps(measure_all(mode == "stateless", count, repeats)), flush=True)
