"""Deliberately broken variants of the mock, to prove the conformance suite catches each defect.

Each variant wraps the clean mock app in a small ASGI layer that breaks exactly one rule, by
rewriting the request on its way in or the answer on its way out.
"""

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from videos_toolkit.conformance.target import MOCK_KEYS

Answer = tuple[int, dict[str, Any] | None]  # status, JSON body (None: not JSON, leave as is)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


async def read_whole_body(receive: Callable[[], Any]) -> tuple[bytes, Callable[[], Any]]:
    """A request's whole body, and a ``receive`` for the app behind that hands it over again."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def envelope(message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    """The API's error body."""
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


class Breaker:
    """ASGI wrapper. ``before(seen, app)`` may change the request headers or the app's state;
    ``after(seen, status, body)`` may return a new (status, body) for a JSON answer."""

    def __init__(
        self,
        app: Any,
        before: Callable[[Seen, Any], None] | None = None,
        after: Callable[[Seen, int, dict[str, Any]], Answer | None] | None = None,
    ) -> None:
        self.app, self.before, self.after = app, before, after
        self.state = app.state

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        seen = Seen(scope["method"], scope["path"], headers)
        if self.before is not None:
            self.before(seen, self.app)
            scope = {**scope, "headers": [(k.encode(), v.encode()) for k, v in seen.headers.items()]}
        if self.after is None:
            return await self.app(scope, receive, send)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body, status = b"".join(chunks), start["status"]
        response_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if any(k.lower() == b"content-type" and b"json" in v for k, v in response_headers):
            changed = self.after(seen, status, json.loads(body))
            if changed is not None:
                status, payload = changed
                body = json.dumps(payload).encode()
        response_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})


def mislabels_downloads(app: Any) -> Any:
    """Sends every download's bytes as it should, but labelled ``application/json``."""

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/content"):
            return await app(scope, receive, send)

        async def relabel(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-type"]
                message = {**message, "headers": [*kept, (b"content-type", b"application/json")]}
            await send(message)

        await app(scope, receive, relabel)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def ignores_the_cursor(app: Any) -> Any:
    """Lists as if no ``after`` cursor had been sent: every page is the first one."""

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["query_string"]:
            kept = [p for p in scope["query_string"].split(b"&") if not p.startswith(b"after=")]
            scope = {**scope, "query_string": b"&".join(kept)}
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def refuses_multipart_creates(app: Any) -> Any:
    """Answers 400 (with the error envelope) to every multipart ``POST /videos``."""
    refusal = envelope("no")

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        headers = dict(scope.get("headers", []))
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].endswith("/videos")
            or not multipart
        ):
            return await app(scope, receive, send)
        await _whole_body(receive)  # drained, as a server would
        body = json.dumps(refusal).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def lists_for_the_other_key(app: Any) -> Any:
    """The first key's list is answered as if the second key had asked: it shows their videos."""
    first, second = (f"Bearer {key}".encode() for key in MOCK_KEYS)

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/videos"):
            headers = [
                (k, second if k == b"authorization" and v == first else v) for k, v in scope["headers"]
            ]
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def resurrects_deleted_videos(app: Any) -> Any:
    """Says a video is deleted, and answers 404 for it for a moment; then it is back (200)."""
    deleted: dict[str, float] = {}
    not_found = envelope("gone")

    async def answer(send: Callable, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        parts = scope["path"].rstrip("/").split("/") if scope["type"] == "http" else []
        vid = (
            parts[-1]
            if len(parts) >= 2 and parts[-2] == "videos" and parts[-1].startswith("video_")
            else None
        )
        if vid and scope["method"] == "DELETE":
            deleted[vid] = time.monotonic()
            return await answer(send, 200, {"id": vid, "object": "video.deleted", "deleted": True})
        if vid and scope["method"] == "GET" and time.monotonic() - deleted.get(vid, -1e9) < 0.5:
            return await answer(send, 404, not_found)
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


FAKE_VIDEO = {
    "id": "video_accepted_out_of_enum",
    "object": "video",
    "created_at": 1758941485,
    "completed_at": None,
    "expires_at": None,
    "status": "queued",
    "progress": 0,
    "model": "sora-2",
    "seconds": "4",
    "size": "720x1280",
    "prompt": "p",
    "remixed_from_video_id": None,
    "error": None,
}


def is_video(body: dict[str, Any]) -> bool:
    return body.get("object") == "video"


def accepts_out_of_enum_seconds(seen: Seen, status: int, body: dict) -> Answer | None:
    if status == 400 and body.get("error", {}).get("param") == "seconds":
        return 200, FAKE_VIDEO
    return None


def emits_unknown_status(seen: Seen, status: int, body: dict) -> Answer | None:
    return (status, {**body, "status": "cancelled"}) if is_video(body) else None


def server_error_on_bad_input(seen: Seen, status: int, body: dict) -> Answer | None:
    return (500, body) if status == 400 else None


def drops_required_field(seen: Seen, status: int, body: dict) -> Answer | None:
    return (status, {k: v for k, v in body.items() if k != "created_at"}) if is_video(body) else None


def wrong_stitched_seconds(seen: Seen, status: int, body: dict) -> Answer | None:
    if seen.path.endswith("/videos/extensions") and is_video(body):
        return status, {**body, "seconds": "4"}  # the extension alone, not the stitched total
    return None


def lists_videos_in_milliseconds(seen: Seen, status: int, body: dict) -> Answer | None:
    """Lists videos with created_at in milliseconds (retrieve stays right)."""
    if body.get("object") != "list":
        return None
    data = [{**item, "created_at": item["created_at"] * 1000} for item in body.get("data", [])]
    return status, {**body, "data": data}


def status_goes_backwards() -> Callable[[Seen, int, dict], Answer | None]:
    reads: Counter[str] = Counter()

    def after(seen: Seen, status: int, body: dict) -> Answer | None:
        if seen.method == "GET" and is_video(body) and body["status"] == "completed":
            reads[body["id"]] += 1
            if reads[body["id"]] % 2 == 0:
                return status, {
                    **body,
                    "status": "in_progress",
                    "progress": 100,
                    "completed_at": None,
                    "expires_at": None,
                }
        return None

    return after


def flaps_after_completing(app: Any) -> Any:
    """Reads lag behind writes (a replica): a completed video reads in_progress again during every
    other half-second of the mock's time, then completed again."""
    clock = app.state.mock.clock

    def after(seen: Seen, status: int, body: dict) -> Answer | None:
        if (
            seen.method == "GET"
            and is_video(body)
            and body["status"] == "completed"
            and int(clock.now() * 2) % 2
        ):
            return status, {
                **body,
                "status": "in_progress",
                "progress": 99,
                "completed_at": None,
                "expires_at": None,
            }
        return None

    return Breaker(app, after=after)


def completed_only_once(app: Any) -> Any:
    """A video reads completed once; from then on it reads in_progress again, and a remix or a
    download of it is refused as not completed (a replica that lost the write)."""
    answered: set[str] = set()
    unfinished = envelope("The video is not completed yet.", "video_id", "video_not_completed")

    def after(seen: Seen, status: int, body: dict) -> Answer | None:
        used = re.fullmatch(r"(?:/v1)?/videos/([^/]+)/(remix|content)", seen.path)
        if used and used.group(1) in answered and status < 300:
            return 400, unfinished
        if seen.method == "GET" and is_video(body) and body["status"] == "completed":
            if body["id"] in answered:
                return status, {**body, "status": "in_progress", "progress": 99, "completed_at": None}
            answered.add(body["id"])
        return None

    return Breaker(app, after=after)


def ignores_auth(seen: Seen, app: Any) -> None:
    seen.headers["authorization"] = f"Bearer {MOCK_KEYS[0]}"


def one_identity(seen: Seen, app: Any) -> None:
    if seen.headers.get("authorization") == f"Bearer {MOCK_KEYS[1]}":
        seen.headers["authorization"] = f"Bearer {MOCK_KEYS[0]}"


def characters_for_everyone(seen: Seen, app: Any) -> None:
    """Reads characters as the first key, whoever asks."""
    if "/characters/" in seen.path:
        one_identity(seen, app)


def ignores_idempotency_keys(seen: Seen, app: Any) -> None:
    seen.headers.pop("idempotency-key", None)


def uses_unfinished(action: str) -> Callable[[Any], Any]:
    """The mock lets a video that is not completed be ``action`` ("extended", "downloaded",
    "remixed"): its completion check passes the video through for that action. The video stays
    unfinished, so this cannot be told apart from a job that finished just in time by a race."""

    def wrap(app: Any) -> Any:
        api = app.state.mock.handlers["retrieveVideo"].__self__
        completed = api._completed

        def lenient(call: Any, video_id: str, param: str, done: str) -> Any:
            if done == action:
                return api._visible(call, video_id, param)
            return completed(call, video_id, param, done)

        api._completed = lenient
        return app

    return wrap


def edit_answers_4_seconds(seen: Seen, status: int, body: dict) -> Answer | None:
    if seen.path.endswith("/videos/edits") and is_video(body):
        return status, {**body, "seconds": "4"}  # not the source's duration
    return None


def timestamps_in_milliseconds(seen: Seen, status: int, body: dict) -> Answer | None:
    return (status, {**body, "created_at": body["created_at"] * 1000}) if is_video(body) else None


def downloads_deleted_videos(app: Any) -> Any:
    """Deletes as asked, but a deleted video's content is still served (200, an MP4 header)."""
    deleted: set[str] = set()

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        parts = scope["path"].rstrip("/").split("/") if scope["type"] == "http" else []
        if scope.get("method") == "DELETE" and len(parts) >= 2 and parts[-2] == "videos":
            deleted.add(parts[-1])
        if scope.get("method") == "GET" and parts[-1:] == ["content"] and parts[-2] in deleted:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"video/mp4")]}
            )
            await send({"type": "http.response.body", "body": b"\x00\x00\x00\x18ftypmp42"})
            return
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def remix_answers_4_seconds(seen: Seen, status: int, body: dict) -> Answer | None:
    if seen.path.endswith("/remix") and is_video(body):
        return status, {**body, "seconds": "4"}  # not the source's duration
    return None


def deletes_twice(seen: Seen, status: int, body: dict) -> Answer | None:
    """A delete of a video already deleted answers 200 as if it had been there."""
    if seen.method == "DELETE" and status == 404:
        return 200, {"id": seen.path.rsplit("/", 1)[-1], "object": "video.deleted", "deleted": True}
    return None


def four_seconds_for_uploaded_edits(seen: Seen, status: int, body: dict) -> Answer | None:
    """An edit of an uploaded video answers 4 seconds, whatever the upload's length."""
    multipart = seen.headers.get("content-type", "").startswith("multipart/")
    if seen.path.endswith("/edits") and multipart and status == 200 and isinstance(body, dict):
        return status, {**body, "seconds": "4"}
    return None


def unsupported_media_as_400(seen: Seen, status: int, body: dict) -> Answer | None:
    """A body of a media type the operation does not take is answered 400, not 415."""
    return (400, body) if status == 415 else None


def bad_variant_as_404(seen: Seen, status: int, body: dict) -> Answer | None:
    """A download with a variant the contract does not list is answered 404, as a missing video."""
    error = body.get("error") if isinstance(body, dict) else None
    if (
        seen.path.endswith("/content")
        and status == 400
        and isinstance(error, dict)
        and error.get("param") == "variant"
    ):
        return 404, body
    return None


def names_id_on_every_404(seen: Seen, status: int, body: dict) -> Answer | None:
    """Every 404 names param "id", a field no request has (extend's must name `video`)."""
    error = body.get("error") if isinstance(body, dict) else None
    if status == 404 and isinstance(error, dict):
        return 404, {"error": {**error, "param": "id"}}
    return None


def drops_header(name: bytes) -> Callable[[Any], Any]:
    """Sends every answer without the response header ``name``."""

    def wrap(app: Any) -> Any:
        async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
            async def without(message: dict) -> None:
                if message["type"] == "http.response.start":
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != name]
                    message = {**message, "headers": kept}
                await send(message)

            await app(scope, receive, without)

        wrapper.state = app.state  # type: ignore[attr-defined]
        return wrapper

    return wrap


def shares_idempotency_keys_across_keys(app: Any) -> Any:
    """Keeps Idempotency-Keys for all API keys together: one key's value replays another's answer."""
    keys = app.state.mock.idempotency
    run = keys.run

    async def shared(owner: str, key: str, fingerprint: str, handle: Callable) -> Any:
        return await run("everyone", key, fingerprint, handle)

    keys.run = shared
    return app


def forgets_deleted_cursors(app: Any) -> Any:
    """Answers 404 to a list whose ``after`` cursor names a video deleted since."""
    deleted: set[str] = set()
    gone = envelope("no such cursor", "after")

    def before(seen: Seen, app: Any) -> None:
        if seen.method == "DELETE":
            deleted.add(seen.path.rsplit("/", 1)[-1])

    def after(seen: Seen, status: int, body: dict) -> Answer | None:
        cursor = seen.headers.get(CURSOR)
        return (404, gone) if cursor in deleted else None

    inner = Breaker(app, before=before, after=after)

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        found = re.search(r"(?:^|&)after=([^&]+)", scope.get("query_string", b"").decode())
        if scope["type"] == "http" and found:
            scope = {**scope, "headers": [*scope["headers"], (CURSOR.encode(), found.group(1).encode())]}
        await inner(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


async def _whole_body(receive: Callable) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _once(body: bytes) -> Callable:
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def json_body_rewritten(rewrite: Callable[[str, dict], dict]) -> Callable[[Any], Any]:
    """Rewrites the JSON object body of each POST, given its path, before the mock reads it."""

    def wrap(app: Any) -> Any:
        async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
            headers = dict(scope.get("headers", []))
            json_post = (
                scope["type"] == "http"
                and scope["method"] == "POST"
                and headers.get(b"content-type", b"").startswith(b"application/json")
            )
            if not json_post:
                return await app(scope, receive, send)
            body = await _whole_body(receive)
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict):
                body = json.dumps(rewrite(scope["path"], data)).encode()
            headers[b"content-length"] = str(len(body)).encode()
            await app({**scope, "headers": list(headers.items())}, _once(body), send)

        wrapper.state = app.state  # type: ignore[attr-defined]
        return wrapper

    return wrap


def numbers_as_strings(path: str, data: dict) -> dict:
    """Reads a JSON body's numbers as the strings the contract wants: {"seconds": 4} passes as "4"."""
    return {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in data.items()}


def eight_seconds_by_default(path: str, data: dict) -> dict:
    """A create in JSON that leaves `seconds` out gets 8 (the contract's default is 4)."""
    return {**data, "seconds": "8"} if path.endswith("/videos") and "seconds" not in data else data


def on_replays(act: Callable[[Any, dict, bytes, list[dict]], Any]) -> Callable[[Any], Any]:
    """Runs the mock; when its answer is an idempotent replay, ``act(app, scope, body, answer)``
    sends instead (``answer``: the replay's ASGI messages)."""

    def wrap(app: Any) -> Any:
        async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] != "http" or scope["method"] != "POST":
                return await app(scope, receive, send)
            body = await _whole_body(receive)
            answer = await _served(app, scope, body)
            replayed = (b"idempotent-replayed", b"true") in answer[0].get("headers", [])
            for message in await act(app, scope, body, answer) if replayed else answer:
                await send(message)

        wrapper.state = app.state  # type: ignore[attr-defined]
        return wrapper

    return wrap


async def _served(app: Any, scope: dict, body: bytes) -> list[dict]:
    answer: list[dict] = []

    async def keep(message: dict) -> None:
        answer.append(message)

    await app(scope, _once(body), keep)
    return answer


async def starts_another_job(app: Any, scope: dict, body: bytes, answer: list[dict]) -> list[dict]:
    """Answers the replay, but starts the job again behind it (the key dropped)."""
    unkeyed = [(k, v) for k, v in scope["headers"] if k.lower() != b"idempotency-key"]
    await _served(app, {**scope, "headers": unkeyed}, body)
    return answer


async def replays_the_current_state(app: Any, scope: dict, body: bytes, answer: list[dict]) -> list[dict]:
    """Answers a replay with the job as it is now, not with the first answer."""
    video_id = json.loads(b"".join(m.get("body", b"") for m in answer[1:]))["id"]
    current = {
        **scope,
        "method": "GET",
        "path": (path := scope["path"][: scope["path"].index("/videos")] + f"/videos/{video_id}"),
        "raw_path": path.encode(),
        "query_string": b"",
    }
    now = await _served(app, current, b"")
    return [{**now[0], "headers": [*now[0]["headers"], (b"idempotent-replayed", b"true")]}, *now[1:]]


def query_rewritten(rewrite: Callable[[str, str], str]) -> Callable[[Any], Any]:
    """Rewrites the query string of each request, given its path, before the mock reads it."""

    def wrap(app: Any) -> Any:
        async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] == "http":
                query = rewrite(scope["path"], scope.get("query_string", b"").decode())
                scope = {**scope, "query_string": query.encode()}
            await app(scope, receive, send)

        wrapper.state = app.state  # type: ignore[attr-defined]
        return wrapper

    return wrap


def limit_zero_as_default(path: str, query: str) -> str:
    return re.sub(r"(^|&)limit=0(?=&|$)", r"\g<1>limit=20", query)  # the `limit or 20` bug


def oldest_first_by_default(app: Any) -> Any:
    """Lists in ascending order when no order is asked (the contract's default is desc)."""

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        query = scope.get("query_string", b"").decode()
        listing = scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/videos")
        if listing and "order=" not in query:
            scope = {**scope, "query_string": (f"{query}&order=asc" if query else "order=asc").encode()}
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def pages_cut_at_20(path: str, query: str) -> str:
    return re.sub(r"(^|&)limit=(2[1-9]|[3-9]\d|100)(?=&|$)", r"\g<1>limit=20", query)


def thumbnail_by_default(path: str, query: str) -> str:
    if path.endswith("/content") and "variant=" not in query:
        return f"{query}&variant=thumbnail" if query else "variant=thumbnail"
    return query


def created_at_drifts() -> Callable[[Seen, int, dict], Answer | None]:
    reads: Counter[str] = Counter()

    def after(seen: Seen, status: int, body: dict) -> Answer | None:
        if seen.method == "GET" and is_video(body):
            reads[body["id"]] += 1
            return status, {**body, "created_at": body["created_at"] + reads[body["id"]]}
        return None

    return after


def completed_before_created(seen: Seen, status: int, body: dict) -> Answer | None:
    if is_video(body) and body.get("completed_at") is not None:
        return status, {**body, "completed_at": body["created_at"] - 10}
    return None


def untyped_401(seen: Seen, status: int, body: dict) -> Answer | None:
    if status == 401:
        return status, {"error": {**body.get("error", {}), "type": None}}
    return None


def foreign_cursor_gives_empty_page(seen: Seen, status: int, body: dict) -> Answer | None:
    """A cursor naming no video of this key lists nothing instead of answering 404."""
    error = body.get("error")
    if status == 404 and isinstance(error, dict) and error.get("param") == "after":
        return 200, {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    return None


def says_not_deleted(seen: Seen, status: int, body: dict) -> Answer | None:
    if seen.method == "DELETE" and status == 200:
        return status, {**body, "deleted": False}
    return None


CURSOR = "x-seen-cursor"


def one_more_than_the_limit(app: Any) -> Any:
    """Lists one more video than ``limit`` asks for."""

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        query = scope.get("query_string", b"").decode() if scope["type"] == "http" else ""
        if re.search(r"(?:^|&)limit=\d+", query):
            query = re.sub(r"(^|&)limit=(\d+)", lambda m: f"{m.group(1)}limit={int(m.group(2)) + 1}", query)
            scope = {**scope, "query_string": query.encode()}
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


ASKED = "x-asked-limit"


def has_more_off_by_one(app: Any) -> Any:
    """Fetches limit + 1 items, answers limit of them, and takes has_more from beyond those: it
    says false when exactly one video is left after the page."""

    def trim(seen: Seen, status: int, body: dict) -> Answer | None:
        if ASKED not in seen.headers or body.get("object") != "list":
            return None
        data = body["data"][: int(seen.headers[ASKED])]
        ends = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return status, {**body, "data": data, "first_id": ends[0], "last_id": ends[1]}

    inner = Breaker(app, after=trim)

    async def wrapper(scope: dict, receive: Callable, send: Callable) -> None:
        query = scope.get("query_string", b"").decode()
        asked = re.search(r"(?:^|&)limit=(\d+)", query)
        if scope["type"] == "http" and scope["path"].endswith("/videos") and asked:
            limit = int(asked.group(1))
            query = re.sub(r"(^|&)limit=\d+", rf"\g<1>limit={limit + 1}", query)
            headers = [*scope["headers"], (ASKED.encode(), str(limit).encode())]
            scope = {**scope, "query_string": query.encode(), "headers": headers}
        await inner(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


# variant -> (how to wrap the mock, a check that must catch it)
VARIANTS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "accepts an out-of-enum seconds": (
        lambda app: Breaker(app, after=accepts_out_of_enum_seconds),
        "other_seconds_rejected",
    ),
    "emits an unknown status": (
        lambda app: Breaker(app, after=emits_unknown_status),
        "response_schema_conformance",
    ),
    "answers 500 to a bad input": (
        lambda app: Breaker(app, after=server_error_on_bad_input),
        "not_a_server_error",
    ),
    "drops a required Video field": (
        lambda app: Breaker(app, after=drops_required_field),
        "response_schema_conformance",
    ),
    "extends a video that is not completed": (
        uses_unfinished("extended"),
        "source_must_be_completed",
    ),
    "returns wrong stitched seconds": (
        lambda app: Breaker(app, after=wrong_stitched_seconds),
        "stitched_seconds",
    ),
    "ignores auth": (lambda app: Breaker(app, before=ignores_auth), "ignored_auth"),
    "lets one key read another's video": (lambda app: Breaker(app, before=one_identity), "key_isolation"),
    "labels downloads with the wrong media type": (mislabels_downloads, "client_round_trip"),
    "ignores the after cursor": (ignores_the_cursor, "cursor_pagination"),
    "lists another key's videos": (lists_for_the_other_key, "key_isolation"),
    "resurrects deleted videos": (resurrects_deleted_videos, "deleted_stays_deleted"),
    "lets status go backwards": (
        lambda app: Breaker(app, after=status_goes_backwards()),
        "lifecycle_invariants",
    ),
    "reads a completed video as in progress again for a while": (
        flaps_after_completing,
        "lifecycle_invariants",
    ),
    "starts the job again on an idempotent replay": (on_replays(starts_another_job), "idempotent_replay"),
    "replays the job's current state": (on_replays(replays_the_current_state), "idempotent_replay"),
    "ignores Idempotency-Key": (
        lambda app: Breaker(app, before=ignores_idempotency_keys),
        "idempotent_replay",
    ),
    "serves the content of an unfinished video": (
        uses_unfinished("downloaded"),
        "content_needs_completed",
    ),
    "remixes an unfinished video": (
        uses_unfinished("remixed"),
        "remix_source_must_be_completed",
    ),
    "serves the content of a deleted video": (downloads_deleted_videos, "deleted_stays_deleted"),
    "changes the duration on edit": (
        lambda app: Breaker(app, after=edit_answers_4_seconds),
        "edit_keeps_duration",
    ),
    "sends timestamps in milliseconds": (
        lambda app: Breaker(app, after=timestamps_in_milliseconds),
        "lifecycle_invariants",
    ),
    "says has_more false with one video left": (has_more_off_by_one, "cursor_pagination"),
    "edits an unfinished video": (uses_unfinished("edited"), "edit_source_must_be_completed"),
    "changes the duration on remix": (
        lambda app: Breaker(app, after=remix_answers_4_seconds),
        "remix_keeps_source",
    ),
    "answers 200 to deleting a deleted video": (
        lambda app: Breaker(app, after=deletes_twice),
        "deleted_stays_deleted",
    ),
    "replays without idempotent-replayed": (drops_header(b"idempotent-replayed"), "idempotent_replay"),
    "sends 409 idempotency_key_reused without x-should-retry": (
        drops_header(b"x-should-retry"),
        "idempotent_replay",
    ),
    "shares Idempotency-Keys across API keys": (shares_idempotency_keys_across_keys, "key_isolation"),
    "lists one more video than the limit": (one_more_than_the_limit, "cursor_pagination"),
    "forgets a deleted video's id as a cursor": (forgets_deleted_cursors, "deleted_stays_deleted"),
    "lists videos with timestamps in milliseconds": (
        lambda app: Breaker(app, after=lists_videos_in_milliseconds),
        "cursor_pagination",
    ),
    "accepts a JSON number for a seconds string": (
        json_body_rewritten(numbers_as_strings),
        "other_seconds_rejected",
    ),
    "lists 20 videos for limit=0": (query_rewritten(limit_zero_as_default), "cursor_pagination"),
    "lists oldest first by default": (oldest_first_by_default, "cursor_pagination"),
    "cuts pages at 20 whatever the limit": (query_rewritten(pages_cut_at_20), "cursor_pagination"),
    "makes 8-second videos when seconds is left out": (
        json_body_rewritten(eight_seconds_by_default),
        "defaults_applied",
    ),
    "answers 4 seconds to every edit of an upload": (
        lambda app: Breaker(app, after=four_seconds_for_uploaded_edits),
        "edit_keeps_duration",
    ),
    "answers 400 to an unsupported Content-Type": (
        lambda app: Breaker(app, after=unsupported_media_as_400),
        "unsupported_media_type",
    ),
    "answers 404 to an unknown download variant": (
        lambda app: Breaker(app, after=bad_variant_as_404),
        "bad_parameters_named",
    ),
    "serves the thumbnail when no variant is asked": (
        query_rewritten(thumbnail_by_default),
        "client_round_trip",
    ),
    "changes created_at between polls": (
        lambda app: Breaker(app, after=created_at_drifts()),
        "lifecycle_invariants",
    ),
    "completes a video before it was created": (
        lambda app: Breaker(app, after=completed_before_created),
        "lifecycle_invariants",
    ),
    "answers 401 without the error type": (lambda app: Breaker(app, after=untyped_401), "auth_required"),
    "takes another key's video as a list cursor": (
        lambda app: Breaker(app, after=foreign_cursor_gives_empty_page),
        "key_isolation",
    ),
    "answers deleted: false to a delete": (
        lambda app: Breaker(app, after=says_not_deleted),
        "deleted_stays_deleted",
    ),
    "lets another key read a character": (
        lambda app: Breaker(app, before=characters_for_everyone),
        "key_isolation",
    ),
    "names param 'id' on every 404": (
        lambda app: Breaker(app, after=names_id_on_every_404),
        "deleted_stays_deleted",
    ),
}
