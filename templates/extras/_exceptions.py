"""The exceptions of ``videos_client`` (re-exported by ``videos_client.errors`` and the package).

Hierarchy, modelled on the official ``openai`` package::

    VideosClientError
    ├── ConfigurationError               no API key, or an option that cannot work
    ├── PollTimeoutError                 poll(..., poll_timeout=...) ran out (also a TimeoutError)
    ├── UnexpectedStatus                 generated functions, raise_on_unexpected_status=True
    └── APIError                         anything that went wrong talking to the API
        ├── APIConnectionError           no answer: DNS, refused, reset, ...
        │   └── APITimeoutError          no answer in time
        ├── APIResponseValidationError   a 2xx answer whose body does not match the contract
        └── APIStatusError               a 4xx/5xx answer (one subclass per status below)
"""

from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

from .types import WrongAt

if TYPE_CHECKING:
    from .models.video import Video

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RequestTooLargeError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "VideosClientError",
]

_SNIPPET = 200  # characters of an unexpected body quoted in a message


class VideosClientError(Exception):
    """Base class of every exception this package raises on purpose."""


class ConfigurationError(VideosClientError):
    """The client cannot be set up as asked, for example because no API key is available."""


class APIError(VideosClientError):
    """A request to the API failed. ``message`` is the human-readable reason.

    When the server answered with the API's error envelope ``{"error": {...}}``, ``body`` holds the
    decoded JSON and ``code``, ``param`` and ``type`` its fields; otherwise they are ``None``.
    """

    message: str
    request: httpx.Request
    body: object | None
    code: str | None
    param: str | None
    type: str | None

    def __init__(self, message: str, request: httpx.Request, *, body: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        fields: dict[str, Any] = error if isinstance(error, dict) else {}
        self.code = _text_or_none(fields.get("code"))
        self.param = _text_or_none(fields.get("param"))
        self.type = _text_or_none(fields.get("type"))


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status.

    ``status_code`` and ``response`` (the raw ``httpx.Response``, body already read) describe the
    answer; ``request_id`` is its ``x-request-id`` header, the value to quote to the API's operator.
    """

    response: httpx.Response
    status_code: int
    request_id: str | None

    def __init__(self, message: str, *, response: httpx.Response, body: object | None) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (``retry-after-ms`` or ``Retry-After``), if it did."""
        return server_requested_delay(self.response.headers)


class BadRequestError(APIStatusError):
    """400: the request broke a rule of the contract; ``param`` names the offending field."""


class AuthenticationError(APIStatusError):
    """401: no API key, a malformed ``Authorization`` header, or a key the server does not accept."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such video (or character) for this key."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state (retried by default)."""


class RequestTooLargeError(APIStatusError):
    """413: the request body is larger than the server accepts."""


class UnsupportedMediaTypeError(APIStatusError):
    """415: the request body's content type is not one the operation accepts."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests (retried by default, honouring ``retry-after-ms`` / ``Retry-After``)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed (retried by default)."""


class APIConnectionError(APIError):
    """No HTTP answer at all: the connection could not be made or broke (retried by default)."""

    def __init__(self, request: httpx.Request, *, message: str = "Connection error.") -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """No answer within the timeout (retried by default)."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request, message="Request timed out.")


class APIResponseValidationError(APIError):
    """A 2xx answer whose body the client cannot read as the contract says: not JSON, a missing
    required field, a value of the wrong shape. ``response`` is the raw answer."""

    response: httpx.Response
    status_code: int

    def __init__(self, message: str, *, response: httpx.Response, body: object | None = None) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class PollTimeoutError(VideosClientError, TimeoutError):
    """Polling gave up: the video was not ``completed`` or ``failed`` within ``poll_timeout`` seconds.
    ``video`` is the last state read; the job itself goes on on the server."""

    def __init__(self, video: Video, waited: float) -> None:
        super().__init__(
            f"Video {video.id} is still {video.status} ({video.progress}%) after polling for {waited:.1f} s."
        )
        self.video = video
        self.waited = waited


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def make_status_error(response: httpx.Response) -> APIStatusError:
    """The typed exception for a failed ``response`` (4xx/5xx, or a 3xx not followed) whose body
    has been read."""
    status = response.status_code
    cls = status_error_class(status)
    body = _json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        detail = error["message"]
    elif isinstance(body, dict):
        detail = f"error body without the API's envelope: {_snippet(response.text)}"
    else:
        detail = f"non-JSON error body ({_content_type(response)}): {_snippet(response.text)}"
    return cls(f"Error code: {status} - {detail}", response=response, body=body)


def malformed_response(response: httpx.Response, exc: Exception) -> APIResponseValidationError:
    """Explain why a 2xx body could not be parsed (``exc`` is what the parser raised)."""
    where = f"{response.request.method} {response.request.url.path} (HTTP {response.status_code})"
    body = _json_or_none(response)
    if isinstance(exc, json.JSONDecodeError) or (body is None and response.content):
        what = f"the body is not JSON ({_content_type(response)}): {_snippet(response.text)}"
    elif not isinstance(body, dict):
        what = f"the body is a JSON {type(body).__name__}, not an object: {_snippet(response.text)}"
    elif isinstance(exc, WrongAt) and exc.missing:
        what = _missing_field(body, exc.place, response.text)
    elif isinstance(exc, WrongAt):
        what = _wrong_value(body, exc, response.text)
    elif isinstance(exc, KeyError):
        what = _missing_field(body, str(exc.args[0]), response.text)
    else:
        what = f"{type(exc).__name__}: {exc} in {_snippet(response.text)}"
    return APIResponseValidationError(f"Malformed response to {where}: {what}", response=response, body=body)


def server_requested_delay(headers: httpx.Headers) -> float | None:
    """Seconds the server asked a client to wait: ``retry-after-ms`` first, then ``Retry-After``
    (delta-seconds or an HTTP date). ``None`` when neither header is present and readable."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _json_or_none(response: httpx.Response) -> object | None:
    try:
        # A stray invalid byte must not hide the envelope's message: decode it as a replacement.
        return json.loads(response.content.decode("utf-8", "replace")) if response.content else None
    except ValueError:
        return None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _content_type(response: httpx.Response) -> str:
    return response.headers.get("content-type") or "no content-type"


_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _missing_field(body: dict[str, Any], path: str, text: str) -> str:
    """Where a required field is missing: the models name its place (``data[1].size``, the
    second item of a page), so the message shows that object, not the start of the body."""
    place, _, field = path.rpartition(".")
    node = _at(body, place)
    if not place or not isinstance(node, dict):
        return f"the required field {path!r} is missing from {_snippet(text)}"
    return f"the required field {field!r} is missing from {place}{_named(node)}: {_snippet(json.dumps(node))}"


def _wrong_value(body: dict[str, Any], wrong: WrongAt, text: str) -> str:
    """A value the contract does not allow, shown in the nearest object that holds it."""
    value = _at(body, wrong.place)
    if value is not None and not isinstance(value, dict):  # no object at all: say what it is
        said = f"{wrong.place} is {value!r:.60}, not what the contract allows there"
    else:
        said = f"{wrong.place}: {wrong.problem}"
    where = wrong.place
    while where:
        node = _at(body, where)
        if isinstance(node, dict):
            return f"{said}, in {where}{_named(node)}: {_snippet(json.dumps(node))}"
        parent = _LAST_STEP.sub("", where, count=1)  # data[1].error -> data[1] -> data -> ""
        where = parent if parent != where else ""
    return f"{said}, in {_snippet(text)}"


def _at(body: Any, place: str) -> Any:
    """The value at ``place`` (``data[1].error``) in a parsed body; None when there is none."""
    node = body
    try:
        for name, index in _STEP.findall(place):
            node = node[int(index)] if index else node[name]
    except (KeyError, IndexError, TypeError):
        return None
    return node


def _named(node: dict[str, Any]) -> str:
    return f" (id {node['id']!r})" if isinstance(node.get("id"), str) else ""


def _snippet(text: str) -> str:
    if not text:
        return "an empty body"
    return repr(text if len(text) <= _SNIPPET else text[:_SNIPPET] + "...")
