"""Idempotent creation: a retried POST never creates a second job.

A creating request (create, remix, edit, extend, create a character) may carry an
``Idempotency-Key`` header (1 to 255 characters, documented in the contract). For the same API key
and the same idempotency key within 24 hours:

* the first request runs; a 2xx answer is stored (status, body) with a fingerprint of the
  operation, its path parameters and its body (uploaded files by their SHA-256, so a client's new
  multipart boundary on a retry does not matter);
* a repeat with the same fingerprint gets the stored answer again (same id, same status) with
  ``idempotent-replayed: true``, and nothing new is created;
* a repeat with another fingerprint is 409 ``idempotency_key_reused`` (``param:
  Idempotency-Key``) with ``x-should-retry: false``: the key was already used for a different
  request (409, as a conflict with the server's state, not a malformed request; clients retry 409
  by default, hence the header, which the official SDK and ``videos_client`` honour);
* a repeat that arrives while the first is still being handled waits for it, then gets its answer.

An error answer is not stored (it created nothing), so a retry with the same key runs again. Keys
are per API key: another key's identical idempotency key is unrelated. Answers live in the store,
so a ``--state-file`` mock replays them after a restart too.
"""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.responses import Response

from videos_toolkit.mock.errors import ApiError
from videos_toolkit.mock.multipart_form import UploadedPart
from videos_toolkit.mock.operations import SpecIndex
from videos_toolkit.mock.store import MockStore, StoredAnswer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "idempotent-replayed"


def keyed_operations(index: SpecIndex) -> frozenset[str]:
    """The operations whose contract takes an ``Idempotency-Key`` header (the creating ones, and
    any a contract change adds with it): the only ones where a key means anything."""
    return frozenset(
        op_id
        for op_id, operation in index.operations.items()
        if any(p.location == "header" and p.name.lower() == HEADER.lower() for p in operation.params)
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, UploadedPart):
        digest = hashlib.sha256()
        stream = value.file
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
        stream.seek(0)
        return {"file_sha256": digest.hexdigest(), "filename": value.filename}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(operation_id: str, path: dict[str, Any], body: dict[str, Any] | None) -> str:
    """What makes two requests "the same request" for an idempotency key."""
    document = {"operation": operation_id, "path": path, "body": _canonical(body)}
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


class IdempotencyKeys:
    def __init__(self, store: MockStore) -> None:
        self.store = store
        # (owner, key) -> [lock, users]: serialises requests sharing a key; dropped when unused.
        self._locks: dict[tuple[str, str], list[Any]] = {}

    async def run(
        self, owner: str, key: str, fingerprint: str, handle: Callable[[], Awaitable[Response]]
    ) -> Response:
        slot = self._locks.setdefault((owner, key), [asyncio.Lock(), 0])
        slot[1] += 1
        try:
            async with slot[0]:
                return await self._run_locked(owner, key, fingerprint, handle)
        finally:
            slot[1] -= 1
            if slot[1] == 0:
                del self._locks[(owner, key)]

    async def _run_locked(
        self, owner: str, key: str, fingerprint: str, handle: Callable[[], Awaitable[Response]]
    ) -> Response:
        stored = self.store.get_answer(owner, key)
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise ApiError(
                    409,
                    f"This {HEADER} was already used for a different request (another operation, "
                    "video or body) in the last 24 hours. Use a new key for a new request, and the same "
                    "key only to retry the very same request.",
                    param=HEADER,
                    code="idempotency_key_reused",
                    headers={"x-should-retry": "false"},
                )
            return Response(
                stored.body,
                status_code=stored.status,
                media_type=stored.media_type,
                headers={REPLAYED_HEADER: "true"},
            )
        response = await handle()
        if 200 <= response.status_code < 300:
            self.store.put_answer(
                StoredAnswer(
                    owner=owner,
                    key=key,
                    fingerprint=fingerprint,
                    status=response.status_code,
                    # A copy of exactly the body's size: orjson's output keeps a ~4 KiB buffer, and
                    # up to IDEMPOTENCY_LIMIT answers are kept.
                    body=bytes(memoryview(response.body)),
                    media_type=response.media_type or "application/json",
                    stored_at=time.time(),
                )
            )
        return response
