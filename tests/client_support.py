"""Helpers for the tests of the high-level client (tests/test_client_*.py): the mock in-process for
the sync and async clients, a scripted-answer wrapper for statuses the mock never sends, a fake
clock, and a uvicorn server for apps other than the plain mock."""

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
import videos_client

from videos_toolkit.mock import InProcessTransport, MockConfig, MockRuntime, create_app

KEY = "sk-client-test"
BASE_URL = "http://mock/v1"


class FakeTime:
    """Injectable ``sleep``/``clock``: records each wait and moves a fake monotonic clock (and the
    mock's own clock, when given) instead of waiting."""

    def __init__(self, runtime: MockRuntime | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.runtime = runtime

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.runtime is not None:
            self.runtime.clock.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def clock(self) -> float:
        return self.now


@dataclass
class Scripted:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class Scripts:
    """ASGI wrapper in front of the mock: the next scripted answers replace the mock's (for the
    statuses and bodies the mock never sends: 403, 408, 409, 422, HTML 502s, malformed 200s...).
    Every request's method and path is recorded in ``seen``."""

    app: Any
    queue: deque[Scripted] = field(default_factory=deque)
    seen: list[tuple[str, str]] = field(default_factory=list)

    def answer(
        self,
        status: int,
        count: int = 1,
        *,
        body: object = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        if raw is None:
            payload = body if body is not None else envelope(f"scripted {status}", code=f"scripted_{status}")
            raw = json.dumps(payload).encode()
        all_headers = {
            "content-type": content_type,
            "x-request-id": f"req_scripted_{status}",
            **(headers or {}),
        }
        self.queue.extend([Scripted(status, raw, all_headers)] * count)

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.seen.append((scope["method"], scope["path"]))
        if not self.queue:
            await self.app(scope, receive, send)
            return
        scripted = self.queue.popleft()
        more = True
        while more:  # drain the request body, as a server would
            message = await receive()
            more = message.get("more_body", False)
        headers = [(k.encode(), v.encode()) for k, v in scripted.headers.items()]
        headers.append((b"content-length", str(len(scripted.body)).encode()))
        await send({"type": "http.response.start", "status": scripted.status, "headers": headers})
        await send({"type": "http.response.body", "body": scripted.body})


def envelope(
    message: str, *, type: str = "invalid_request_error", param: str | None = None, code: str | None = None
):
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def mock_app(**config: Any) -> Any:
    return create_app(MockConfig(validate_responses=True, **config))


def sync_client(app: Any, fake: FakeTime | None = None, **options: Any) -> videos_client.VideosClient:
    fake = fake or FakeTime()
    options.setdefault("api_key", KEY)
    return videos_client.VideosClient(
        base_url=BASE_URL, transport=InProcessTransport(app), sleep=fake.sleep, clock=fake.clock, **options
    )


def async_client(app: Any, fake: FakeTime | None = None, **options: Any) -> videos_client.AsyncVideosClient:
    fake = fake or FakeTime()
    options.setdefault("api_key", KEY)
    return videos_client.AsyncVideosClient(
        base_url=BASE_URL,
        transport=httpx.ASGITransport(app),
        sleep=fake.async_sleep,
        clock=fake.clock,
        **options,
    )


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` over real HTTP on 127.0.0.1; yields the base URL (``.../v1``)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
