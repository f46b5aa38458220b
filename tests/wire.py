"""Capture what a client puts on the wire, decoded with the same form parser the mock uses."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.datastructures import UploadFile
from starlette.requests import Request


@dataclass(frozen=True)
class Part:
    """One multipart part: a text field (``filename`` None) or a file."""

    name: str
    value: bytes
    filename: str | None = None
    content_type: str | None = None


async def _parse_form(request: httpx.Request) -> list[Part]:
    scope = {
        "type": "http",
        "method": request.method,
        "path": request.url.path,
        "query_string": request.url.query,
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": request.content, "more_body": False}

    form = await Request(scope, receive).form()
    parts = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            parts.append(Part(name, await value.read(), value.filename, value.content_type))
        else:
            parts.append(Part(name, value.encode()))
    await form.close()
    return parts


def multipart_parts(request: httpx.Request) -> list[Part]:
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    return asyncio.run(_parse_form(request))


def json_body(request: httpx.Request) -> Any:
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


@dataclass
class Recorder:
    """An httpx transport handler that records requests and answers with canned responses."""

    respond: Any
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.respond(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]
