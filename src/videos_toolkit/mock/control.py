"""Controls for a mock in another process (a test suite's subprocess), over HTTP under ``/_mock/``:
what in-process tests reach through ``app.state.mock``. No API key, never delayed or faulted, and
outside the API's paths (``/v1/...`` and the bare ``/videos...``), so no client of the API meets them.

    GET    /_mock/health          -> {"status": "ok", "mode": "stateful", "now": <mock unix time>}
    POST   /_mock/clock/advance   {"seconds": 5} -> {"now": ...}
    GET    /_mock/faults          -> {"pending": n}
    POST   /_mock/faults          {"status": 503, "count": 2, "retry_after_ms": 50} -> {"pending": n}
                                    (+ "operation": "createVideo": only that operation's requests)
    DELETE /_mock/faults          -> {"pending": 0}
    GET    /_mock/requests        -> {"object": "list", "data": [...]}: the last API requests
                                     answered, oldest first (see journal.py); sent with an
                                     API key, only that key's
    DELETE /_mock/requests        -> {"cleared": n} (with an API key, that key's)
    POST   /_mock/reset           -> {"now": ...}: every video, character, stored Idempotency-Key
                                     answer, queued fault and journal entry forgotten (mock time goes on)

A mistake is a 4xx with the API's error envelope naming the field, as everywhere in the mock.
"""

import math
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from videos_toolkit.mock.clock import LATEST
from videos_toolkit.mock.errors import ApiError, bad_request
from videos_toolkit.mock.faults import FaultError
from videos_toolkit.mock.handlers import bearer_key, json_response

PREFIX = "/_mock/"
MAX_BODY = 64 * 1024


def is_control(path: str) -> bool:
    return path.startswith(PREFIX)


async def control(runtime: Any, request: Request) -> Response:
    """Answer one request under ``/_mock/``."""
    name = request.url.path[len(PREFIX) :].rstrip("/")
    methods = ROUTES.get(name)
    try:
        if methods is None:
            raise ApiError(
                404,
                f"Unknown control {PREFIX}{name}. The controls are: "
                + ", ".join(f"{m} {PREFIX}{n}" for n, ms in ROUTES.items() for m in ms)
                + ".",
                code="not_found",
            )
        action = methods.get("GET" if request.method == "HEAD" else request.method)  # a probe's curl -I
        if action is None:
            raise ApiError(
                405,
                f"{request.method} is not allowed on {PREFIX}{name}; use {' or '.join(methods)}.",
                code="method_not_allowed",
                headers={"allow": ", ".join(methods)},
            )
        body = await _body(request) if request.method == "POST" else {}
        return json_response(action(runtime, body, request.headers.get("authorization")))
    except ApiError as error:
        return json_response(error.envelope(), error.status, dict(error.headers))


async def _body(request: Request) -> dict[str, Any]:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise ApiError(
                413, f"A control's body is at most {MAX_BODY // 1024} KiB.", code="request_too_large"
            )
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"The body is not valid JSON ({exc.msg}).", code="invalid_json") from exc
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.", code="invalid_json")
    return body


def _whose(authorization: str | None) -> str | None:
    """The API key a journal control asks about (None: every key's requests)."""
    if authorization is None:
        return None
    if (key := bearer_key(authorization)) is None:
        raise bad_request(
            "Send 'Authorization: Bearer <api key>' to see one key's requests, or no Authorization "
            "header for every key's.",
            param="Authorization",
        )
    return key


def _only(body: dict[str, Any], *names: str) -> None:
    """A misspelt field must not pass unnoticed: an ``operationId`` for ``operation`` would queue
    a fault for any request instead of the one meant."""
    if unknown := sorted(set(body) - set(names)):
        raise bad_request(
            f"Unrecognized field {unknown[0]!r}; this control takes {', '.join(names)}.",
            param=unknown[0],
            code="unknown_parameter",
        )


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if value is None:
        raise bad_request(f"Missing required field {name!r}.", param=name, code="missing_required_parameter")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise bad_request(f"{name!r} must be a number of at least 0, got {value!r}.", param=name)
    return value


def _health(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    return {
        "status": "ok",
        "mode": "stateless" if runtime.config.stateless else "stateful",
        "now": runtime.clock.now(),
    }


# "Every request from now on" is far below this, and the sum of queued faults stays a 64-bit
# integer in GET /_mock/faults (a count of 1e30 was queued and then broke every later GET).
MAX_FAULTS = 10**12


def _advance(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    _only(body, "seconds")
    seconds = _number(body, "seconds")
    if runtime.clock.now() + seconds > LATEST:
        room = max(0.0, LATEST - runtime.clock.now())  # a start time near it may have run past it
        raise bad_request(
            f"'seconds' would move mock time past the year 9999 (at most {room:.0f} more seconds).",
            param="seconds",
        )
    runtime.clock.advance(seconds)
    return {"now": runtime.clock.now()}


def _pending(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    return {"pending": runtime.faults.pending()}


def _enqueue(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    _only(body, "status", "count", "retry_after_ms", "operation")
    count = _number(body, "count", 1)
    if count != int(count) or count > MAX_FAULTS:
        raise bad_request(
            f"'count' must be a whole number up to {MAX_FAULTS:.0e}, got {count!r}.", param="count"
        )
    hint = body.get("retry_after_ms")
    retry_after_ms = None if hint is None else int(_number(body, "retry_after_ms"))
    try:
        runtime.faults.enqueue(
            body.get("status"), int(count), retry_after_ms=retry_after_ms, operation=body.get("operation")
        )
    except FaultError as exc:  # the injector's own checks of the status and the operation
        raise bad_request(str(exc), param=exc.param) from exc
    return {"pending": runtime.faults.pending()}


def _clear(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    runtime.faults.clear()
    return {"pending": 0}


def _requests(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    # Sent with a test's own API key, only that key's requests: tests sharing one mock, each with
    # a key of its own, see their own.
    return {"object": "list", "data": runtime.journal.entries(_whose(authorization))}


def _forget_requests(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    return {"cleared": runtime.journal.clear(_whose(authorization))}


def _reset(runtime: Any, body: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    runtime.reset()
    return {"now": runtime.clock.now()}


# control name -> method -> action
ROUTES: dict[str, dict[str, Any]] = {
    "health": {"GET": _health},
    "clock/advance": {"POST": _advance},
    "faults": {"GET": _pending, "POST": _enqueue, "DELETE": _clear},
    "requests": {"GET": _requests, "DELETE": _forget_requests},
    "reset": {"POST": _reset},
}
