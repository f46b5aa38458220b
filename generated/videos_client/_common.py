"""What the sync and async halves of the high-level client share: configuration from arguments
and the environment, upload inputs, turning answers into models or exceptions."""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import IO, Any, TypeAlias, TypeVar

import httpx

from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
    make_status_error,
    malformed_response,
)
from .models.video import Video
from .models.video_reference import VideoReference
from .types import File

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "FileInput", "VideoInput"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# As the official SDK: 10 minutes overall, 5 seconds to connect.
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_POLL_INTERVAL_MS = 1000
MIN_POLL_AFTER_MS, MAX_POLL_AFTER_MS = 100, 60_000
POLL_AFTER_HEADER = "openai-poll-after-ms"

TimeoutTypes: TypeAlias = float | httpx.Timeout | None
#: An upload: raw bytes, a path, an open binary file, a ``types.File``, or a tuple
#: ``(file_name, content)`` / ``(file_name, content, content_type)``.
FileInput: TypeAlias = (
    bytes
    | os.PathLike[str]
    | IO[bytes]
    | File
    | tuple[str | None, bytes | IO[bytes]]
    | tuple[str | None, bytes | IO[bytes], str | None]
)
#: The video to extend or edit: an upload (see ``FileInput``) or a reference to a completed
#: video, ``VideoReference(id=...)`` or ``{"id": ...}``.
VideoInput: TypeAlias = FileInput | VideoReference | Mapping[str, str]

T = TypeVar("T")


def _version() -> str:
    try:
        return metadata.version("videos-client")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "0"


USER_AGENT = f"videos-client/{_version()} (python)"


def resolve_api_key(api_key: str | None) -> str:
    key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
    if not key or not key.strip():
        raise ConfigurationError(
            "No API key: pass api_key=... to the client or set the OPENAI_API_KEY environment variable."
        )
    return key.strip()


def resolve_base_url(base_url: str | httpx.URL | None) -> str:
    url = str(base_url) if base_url is not None else os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {url!r}.")
    return url


def resolve_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    return timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)


def check_max_retries(max_retries: int) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0 (0 turns retries off), got {max_retries!r}.")
    return max_retries


def environment_proxies(wrap: Callable[[str], T]) -> dict[str, T | None]:
    """httpx's mounts for the proxies of the environment (``HTTPS_PROXY``, ``ALL_PROXY``,
    ``NO_PROXY``, ...), each proxy's transport made by ``wrap(proxy_url)``. httpx reads them itself
    only when it builds its own transport; the client gives it the retrying one, so it reads
    them here, with httpx's own reader (the same rules as httpx and the openai SDK)."""
    from httpx._utils import get_environment_proxies  # stable since httpx 0.18; pinned <0.29

    return {pattern: None if url is None else wrap(url) for pattern, url in get_environment_proxies().items()}


def build_headers(api_key: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        **(extra or {}),
    }


def new_idempotency_key() -> str:
    """One key per creating call, kept by every retry of it (the same request is re-sent), so a
    server that honours ``Idempotency-Key`` starts one job however many times the POST is sent."""
    return f"videos-client-{uuid.uuid4()}"


def require_id(value: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"Expected a non-empty value for `{name}` but received {value!r}")
    return value


# --- answers --------------------------------------------------------------------------------------


def _failed(response: httpx.Response) -> bool:
    """A 4xx/5xx, or a 3xx that will not be followed (a 300, a 304, no Location): an error, as in
    the openai SDK. The hook also sees each redirect on the way, which must go through."""
    return response.status_code >= 400 or (response.status_code >= 300 and not response.has_redirect_location)


def raise_for_status(response: httpx.Response) -> None:
    """httpx response hook of the sync client: a failed answer raises its typed exception."""
    if _failed(response):
        response.read()
        raise make_status_error(response)


async def araise_for_status(response: httpx.Response) -> None:
    """httpx response hook of the async client."""
    if _failed(response):
        await response.aread()
        raise make_status_error(response)


@contextlib.contextmanager
def connection_errors() -> Iterator[None]:
    """Turn httpx's exceptions (raised once retries are used up) into ours: a timeout, a lost
    connection, and also an answer that cannot be decoded (a broken gzip body) or redirects
    without end, as the openai SDK does."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise APITimeoutError(exc.request) from exc
    except httpx.RequestError as exc:
        what = "Connection error" if isinstance(exc, httpx.TransportError) else type(exc).__name__
        raise APIConnectionError(exc.request, message=f"{what}: {exc or type(exc).__name__}") from exc


def expect(parsed: object, cls: type[T], response: httpx.Response) -> T:
    """``parsed`` when it is a ``cls``; otherwise the answer was not what the contract promises."""
    if isinstance(parsed, Video) and not (isinstance(parsed.id, str) and parsed.id):
        # Other values of the wrong type are kept as sent; a video is polled, downloaded, extended
        # and deleted by its id, so one without an id is unusable.
        problem = ValueError(f"a Video's id must be a non-empty string, not {parsed.id!r}")
        raise malformed_response(response, problem)
    if isinstance(parsed, cls):
        return parsed
    raise APIResponseValidationError(
        f"Unexpected answer to {response.request.method} {response.request.url.path}: HTTP "
        f"{response.status_code} with {response.headers.get('content-type') or 'no content-type'}, "
        f"expected a {cls.__name__}.",
        response=response,
    )


def poll_wait(response: httpx.Response, poll_interval_ms: int | None) -> float:
    """Seconds to wait before the next poll: the caller's interval, else the server's
    ``openai-poll-after-ms`` kept between 0.1 s and 60 s (a 0 would poll a thousand times a
    second, a huge one sleep for years), else one second (no header, or not a number >= 0)."""
    if poll_interval_ms is not None:
        return max(0, poll_interval_ms) / 1000
    header = response.headers.get(POLL_AFTER_HEADER, "").strip()
    if not header.isdigit():
        return DEFAULT_POLL_INTERVAL_MS / 1000
    return min(max(int(header), MIN_POLL_AFTER_MS), MAX_POLL_AFTER_MS) / 1000


# --- uploads --------------------------------------------------------------------------------------


def _guess_type(name: str | None) -> str:
    return (mimetypes.guess_type(name)[0] if name else None) or "application/octet-stream"


def _as_binary(content: bytes | IO[bytes]) -> IO[bytes]:
    return io.BytesIO(content) if isinstance(content, bytes | bytearray) else content


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


class _Unsized(io.RawIOBase):
    """A pipe (stdin, a subprocess's stdout) read through ``read`` alone. With its ``fileno``,
    httpx would declare the size ``fstat`` gives, which for a pipe is not the data's, and the
    upload would fail half-way; without one it is sent chunked."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def to_file(value: FileInput, stack: contextlib.ExitStack, name: str) -> File:
    """A ``types.File`` for an upload argument; files opened here are closed by ``stack``."""
    if isinstance(value, File):
        return value
    if isinstance(value, bytes | bytearray):
        return File(payload=io.BytesIO(value), file_name="upload", mime_type="application/octet-stream")
    if isinstance(value, os.PathLike):
        path = Path(value)
        return File(
            payload=stack.enter_context(path.open("rb")),
            file_name=path.name,
            mime_type=_guess_type(path.name),
        )
    if isinstance(value, tuple):
        file_name, content, *rest = value
        content_type = rest[0] if rest and rest[0] else _guess_type(file_name)
        # Without a file name a multipart part is a text field, not a file: name it, as for bytes.
        return File(payload=_as_binary(content), file_name=file_name or "upload", mime_type=content_type)  # type: ignore[arg-type]
    if isinstance(value, str):
        raise TypeError(
            f"`{name}` got a str: pass pathlib.Path({value!r}) to upload a file"
            + (", or {'id': ...} to refer to a completed video." if name == "video" else ".")
        )
    if hasattr(value, "read"):
        raw_name = getattr(value, "name", None)
        file_name = os.path.basename(raw_name) if isinstance(raw_name, str) else "upload"
        payload = value if _seekable(value) or not hasattr(value, "fileno") else _Unsized(value)
        return File(payload=payload, file_name=file_name, mime_type=_guess_type(file_name))  # type: ignore[arg-type]
    raise TypeError(
        f"`{name}` must be bytes, a path, a binary file or a (name, content[, type]) tuple, got {type(value)!r}"
    )


def to_video_source(value: VideoInput, stack: contextlib.ExitStack) -> File | VideoReference:
    if isinstance(value, VideoReference):
        return value
    if isinstance(value, Mapping):
        if set(value) != {"id"} or not isinstance(value["id"], str) or not value["id"]:
            raise ValueError(f"A video reference must be {{'id': '<video id>'}}, got {dict(value)!r}")
        return VideoReference(id=value["id"])
    return to_file(value, stack, "video")


def replayable(*files: Any) -> bool:
    """Whether a request carrying these uploads can be sent again (a retry re-reads each file
    from the start, which a pipe or socket cannot do)."""
    for file in files:
        if isinstance(file, File):
            seekable = getattr(file.payload, "seekable", None)
            if not callable(seekable) or not seekable():
                return False
    return True
