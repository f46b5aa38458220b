"""The mock in-process for a synchronous client: an ``httpx`` transport that hands each request
to the app, as ``httpx.ASGITransport`` does for async clients (httpx has no sync one for ASGI).

    client = videos_client.VideosClient(api_key="sk-test", base_url="http://mock/v1",
                                        transport=InProcessTransport(app))

The official openai SDK sends through its own HTTP library (``httpx2`` in openai 3, ``httpx`` in
openai 2), whose clients take only that library's transports: ``openai_transport(app)`` and
``openai_async_transport(app)`` give the ones it takes.

    client = openai.OpenAI(base_url="http://mock/v1", api_key="sk-test",
                           http_client=openai.DefaultHttpxClient(transport=openai_transport(app)))
"""

import functools
import importlib
from types import ModuleType
from typing import Any

import httpx
from starlette.testclient import TestClient


class _ToApp:
    """Each request goes through Starlette's TestClient, which runs the ASGI app on a worker
    thread; exceptions of the app propagate, as tests want them to. ``response_class`` is the
    HTTP library's own response."""

    response_class: Any

    def __init__(self, app: Any) -> None:
        self._client = TestClient(app)

    def handle_request(self, request: Any) -> Any:
        answer = self._client.request(
            request.method,
            str(request.url),
            headers=list(request.headers.multi_items()),
            content=request.read(),
            follow_redirects=False,  # a transport answers what it got; following is the client's job
        )
        return self.response_class(
            answer.status_code, headers=list(answer.headers.multi_items()), content=answer.content
        )

    def close(self) -> None:
        self._client.close()


class InProcessTransport(_ToApp, httpx.BaseTransport):
    """The mock in-process for an ``httpx.Client`` (the generated client's, for one)."""

    response_class = httpx.Response


def _sdk_http_library() -> ModuleType:
    """The HTTP library the installed openai SDK sends through: its default client's base."""
    import openai

    return importlib.import_module(openai.DefaultHttpxClient.__mro__[1].__module__.partition(".")[0])


@functools.cache
def _transport_class(library: ModuleType) -> type:
    if library is httpx:
        return InProcessTransport
    attributes = {"response_class": library.Response, "__doc__": InProcessTransport.__doc__}
    return type("InProcessTransport", (_ToApp, library.BaseTransport), attributes)


def openai_transport(app: Any) -> Any:
    """The mock in-process for the official openai SDK's sync client (``http_client=``)."""
    return _transport_class(_sdk_http_library())(app)


def openai_async_transport(app: Any) -> Any:
    """The mock in-process for the official openai SDK's async client: its library's own
    ``ASGITransport``."""
    return _sdk_http_library().ASGITransport(app=app)
