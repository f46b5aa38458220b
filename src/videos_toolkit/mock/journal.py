"""The mock's journal: the last requests it answered, for a test to ask what its app sent.

``GET /_mock/requests`` (or ``app.state.mock.journal.entries()`` in-process) lists them oldest
first: method, path, query, the operation, the status answered, the request id (the answer's
``x-request-id``), a creating request's ``Idempotency-Key``, the body as sent and, for a 4xx or
5xx, the error's message, param and code. A refused request is kept too: "why was this a 400?"
is what it is for.

Recording costs one append per request; what a body looked like is worked out only when asked.
Memory is bounded: the last ``KEPT`` requests, and a body larger than ``BODY_KEPT`` is described
by its size instead (a form's files are always described: their bytes are never kept).
"""

from collections import deque
from typing import Any
from urllib.parse import parse_qsl

import orjson

from videos_toolkit.mock.handlers import bearer_key, owner_of
from videos_toolkit.mock.multipart_form import UploadedPart
from videos_toolkit.mock.validation import Received

KEPT = 500
BODY_KEPT = 64 * 1024


class Entry:
    """One request, filled in as the mock learns about it."""

    __slots__ = (
        "at",
        "body",
        "error",
        "headers",
        "idempotency_key",
        "method",
        "omitted",
        "operation",
        "owner",
        "path",
        "query",
        "request_id",
        "status",
    )

    def __init__(
        self,
        request_id: str,
        at: float,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        self.request_id, self.at, self.method, self.path, self.query = request_id, at, method, path, query
        self.headers = headers  # the request's own list, kept for its Content-Type (never shown)
        self.operation: str | None = None
        self.owner: str | None = None  # whose API key, once it was found valid
        self.idempotency_key: str | None = None
        self.body: Received | None = None
        self.omitted = 0  # the size of a body too large to keep
        self.status = 0
        self.error: bytes | None = None

    def view(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in parse_qsl(self.query.decode("latin-1"), keep_blank_values=True)],
            "operation": self.operation,
            "idempotency_key": self.idempotency_key,
            "content_type": _header(self.headers, b"content-type"),
            "body": _body_view(self.body, self.omitted),
            "status": self.status,
            "error": _error_view(self.error),
        }


class Journal:
    def __init__(self) -> None:
        self._entries: deque[Entry] = deque(maxlen=KEPT)

    def record(self, entry: Entry) -> None:
        body = entry.body
        if body is not None and body.size > BODY_KEPT:
            entry.omitted, entry.body = body.size, None
        if entry.owner is None and entry.status >= 400:
            # Refused before its key was looked at (an unknown path, a 405, a 401): whose it was
            # still matters to the test asking why (only refusals pay for this look-up).
            entry.owner = _owner(_header(entry.headers, b"authorization"))
        self._entries.append(entry)

    def entries(self, api_key: str | None = None) -> list[dict[str, Any]]:
        """Every request kept, oldest first; with ``api_key``, only those sent with that key."""
        owner = None if api_key is None else owner_of(api_key)
        return [entry.view() for entry in list(self._entries) if owner is None or entry.owner == owner]

    def clear(self, api_key: str | None = None) -> int:
        """Forget the requests kept (with ``api_key``, that key's); how many were forgotten."""
        owner = None if api_key is None else owner_of(api_key)
        kept = [] if owner is None else [entry for entry in self._entries if entry.owner != owner]
        count = len(self._entries) - len(kept)
        self._entries.clear()
        self._entries.extend(kept)
        return count


def _owner(header: str | None) -> str | None:
    key = bearer_key(header)
    return owner_of(key) if key else None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    return next((value.decode("latin-1") for key, value in headers if key.lower() == name), None)


def _body_view(body: Received | None, omitted: int) -> Any:
    if omitted:
        return {"omitted": f"a body of {omitted} bytes, more than the {BODY_KEPT} the journal keeps"}
    if body is None:
        return None
    if body.form is None:
        if not body.raw:
            return None
        try:
            return orjson.loads(body.raw)  # parsed when asked: a fresh copy each time
        except orjson.JSONDecodeError:
            return body.raw.decode("utf-8", "replace")  # not JSON: the text as sent
    # A form reads like a JSON body (field -> value, bracket names as sent), so a test asserts
    # body["seconds"] whichever way its client sent it; a name sent more than once has a list.
    fields: dict[str, Any] = {}
    repeated: set[str] = set()
    for name, value in body.form.items:
        shown = _file(value) if isinstance(value, UploadedPart) else value
        if name not in fields:
            fields[name] = shown
            continue
        if name not in repeated:
            fields[name] = [fields[name]]
            repeated.add(name)
        fields[name].append(shown)
    return fields


def _file(part: UploadedPart) -> dict[str, Any]:
    return {"filename": part.filename, "content_type": part.content_type, "size": part.size}


def _error_view(raw: bytes | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        error = orjson.loads(raw)["error"]
        return {"message": error.get("message"), "param": error.get("param"), "code": error.get("code")}
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        return {"message": raw[:500].decode("utf-8", "replace"), "param": None, "code": None}
