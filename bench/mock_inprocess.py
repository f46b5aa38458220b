"""Section ``dispatch``: microseconds our mock's ASGI app spends per request, in-process, with no
socket and no HTTP parser: the app (Starlette as ``create_app`` returns it) is called with an ASGI
scope and a ``receive`` that hands over the body, and the answer is collected from ``send``.

This is the part of a request's cost that the mock's own code decides, measured without the
noise of a load generator sharing the machine; the ``mock`` section gives the end-to-end figures.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bench.common import KEY, Section, Settings, Table
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


def run(settings: Settings, label: Callable[[], str] = lambda: "") -> Section:
    section = Section("dispatch", "The mock's own cost per request (in-process, no socket)")
    count, repeats = (100, 3) if settings.quick else (2000, 7)
    table = Table(
        f"µs per request through the ASGI app, best of {repeats} batches of {count}",
        ["operation", "stateful µs", "stateless µs"],
    )
    figures: dict[str, dict[str, float]] = {}
    for stateless in (False, True):
        app, video_id = stateful_app(stateless)
        for op, (scope, body) in requests(video_id).items():
            figures.setdefault(op, {})["stateless" if stateless else "stateful"] = measure(
                app, scope, body, count, repeats
            )
    for op, values in figures.items():
        table.add(op, f"{values['stateful']:.1f}", f"{values['stateless']:.1f}")
    section.tables.append(table)
    section.figures.update(
        {op: {k: round(v, 2) for k, v in values.items()} for op, values in figures.items()}
    )
    section.notes.append(
        "The app is the one `create_app` returns (the stateful one with two completed videos of the "
        "bench key, filled directly), called the way uvicorn calls it, minus the socket and the HTTP "
        "parser. Extend uploads the same 4-second MP4 as the `mock` section. This is the figure the "
        "hot-path changes below are judged by; it moves with the machine's speed too, so compare "
        "figures of one run."
    )
    return section
