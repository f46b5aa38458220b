"""The mock in-process for a synchronous client: an ``httpx`` transport that hands each request
to the app, as ``httpx.ASGITransport`` does for async clients (httpx has no sync one for ASGI).

    client = videos_client.VideosClient(api_key="sk-test", base_url="http://mock/v1",
                                        transport=InProcessTransport(app))
"""

from typing import Any

import httpx
from starlette.testclient import TestClient


class InProcessTransport(httpx.BaseTransport):
    """Each request goes through Starlette's TestClient, which runs the ASGI app on a worker
    thread; exceptions of the app propagate, as tests want them to."""

    def __init__(self, app: Any) -> None:
        self._client = TestClient(app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._client.request(
            request.method,
            str(request.url),
            headers=list(request.headers.multi_items()),
            content=request.read(),
            follow_redirects=False,  # a transport answers what it got; following is the client's job
        )
        return httpx.Response(
            answer.status_code, headers=list(answer.headers.multi_items()), content=answer.content
        )

    def close(self) -> None:
        self._client.close()
