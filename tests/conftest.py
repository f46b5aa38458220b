"""Shared fixtures: the mock in-process (``mock``) and over real HTTP (``live_mock``)."""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from videos_toolkit.mock import MockConfig, MockRuntime, create_app

KEY = "sk-test-key-a"

# The tests' servers are on 127.0.0.1. A machine's proxy (there for the package registries) must
# not carry that traffic: the client, like httpx, honours HTTP(S)_PROXY unless NO_PROXY says no.
if any(
    os.environ.get(name)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
):
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, [os.environ.get(name, ""), "127.0.0.1", "localhost", "::1"]))


class MockHandle:
    """An in-process mock with response validation on, and a client authenticated as ``KEY``."""

    def __init__(self, **config: Any) -> None:
        self.app = create_app(MockConfig(validate_responses=True, **config))
        self.runtime: MockRuntime = self.app.state.mock
        self.client = TestClient(
            self.app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}
        )

    def create(
        self, prompt: str = "a calico cat playing piano", key: str = KEY, **fields: str
    ) -> dict[str, Any]:
        response = self.client.post(
            "/videos",
            files={name: (None, value) for name, value in {"prompt": prompt, **fields}.items()},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def completed(self, prompt: str = "a calico cat playing piano", **fields: str) -> dict[str, Any]:
        video = self.create(prompt, **fields)
        self.runtime.clock.advance(10)
        return self.client.get(f"/videos/{video['id']}").json()


@pytest.fixture
def mock() -> Iterator[MockHandle]:
    handle = MockHandle()
    yield handle
    handle.client.close()


@pytest.fixture
def make_mock() -> Iterator[Callable[..., MockHandle]]:
    made: list[MockHandle] = []

    def make(**config: Any) -> MockHandle:
        made.append(MockHandle(**config))
        return made[-1]

    yield make
    for handle in made:
        handle.client.close()


class LiveMock:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.runtime: MockRuntime = app.state.mock
        self.base_url = f"http://127.0.0.1:{port}/v1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_mock(request: pytest.FixtureRequest) -> Iterator[LiveMock]:
    """The mock served by uvicorn on a free 127.0.0.1 port in a background thread. A module sets
    its config with ``LIVE_MOCK_CONFIG = {...}``, or a test with an indirect parameter."""
    config = getattr(request, "param", None) or getattr(request.module, "LIVE_MOCK_CONFIG", {})
    app = create_app(MockConfig(validate_responses=True, **config))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock server did not start")
        time.sleep(0.01)
    yield LiveMock(app, port)
    server.should_exit = True
    thread.join(timeout=10)
