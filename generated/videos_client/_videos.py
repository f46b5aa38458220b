"""``client.videos``: the Videos API as methods, on top of the generated ``api.videos`` functions.

Each method builds its request with the generated operation's ``_get_kwargs`` and reads the
answer with its ``_build_response``, so the contract stays the single source of truth; this module
adds what the generator cannot: friendly arguments, typed exceptions, per-call timeouts,
polling, streamed downloads and lazy pagination.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._common import (
    FileInput,
    TimeoutTypes,
    VideoInput,
    connection_errors,
    expect,
    poll_wait,
    replayable,
    require_id,
    resolve_timeout,
    to_file,
    to_video_source,
)
from ._exceptions import APIResponseValidationError, PollTimeoutError
from ._retries import READ_WHOLE_BODY
from .api.videos import (
    create_video,
    delete_video,
    download_video_content,
    edit_video,
    extend_video,
    list_videos,
    remix_video,
    retrieve_video,
)
from .models.create_video_multipart_body import CreateVideoMultipartBody
from .models.edit_video_multipart_body import EditVideoMultipartBody
from .models.extend_video_multipart_body import ExtendVideoMultipartBody
from .models.image_input_reference import ImageInputReference
from .models.known_video_model import KnownVideoModel
from .models.list_order import ListOrder
from .models.remix_video_body import RemixVideoBody
from .models.video import Video
from .models.video_content_variant import VideoContentVariant
from .models.video_delete_response import VideoDeleteResponse
from .models.video_extension_seconds import VideoExtensionSeconds
from .models.video_list_response import VideoListResponse
from .models.video_seconds import VideoSeconds
from .models.video_size import VideoSize
from .models.video_status import VideoStatus
from .types import UNSET, Response, Unset

if TYPE_CHECKING:
    from ._client import AsyncVideosClient, VideosClient
    from .models.create_video_character_multipart_body import CreateVideoCharacterMultipartBody
    from .models.video_character import VideoCharacter

CREATE_CHARACTER = "POST /videos/characters"
GET_CHARACTER = "GET /videos/characters/{character_id}"


def _optional(name: str, operation: str) -> Any:
    """Character operations are optional (a provider speaking this API may not have them, and an
    overlay may remove them): imported when used, so a client generated without them still imports
    and says why such a call cannot work."""
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError:
        raise NotImplementedError(f"this client was generated from a contract without {operation}") from None


__all__ = ["AsyncVideoPage", "AsyncVideoPager", "AsyncVideos", "VideoPage", "Videos"]

T = TypeVar("T")
E = TypeVar("E", bound=VideoSeconds | VideoExtensionSeconds | VideoSize | ListOrder | VideoContentVariant)

#: Statuses in which a job is still running; ``poll`` returns on any other (``completed``,
#: ``failed``, or a status this client does not know).
PENDING = frozenset({VideoStatus.QUEUED, VideoStatus.IN_PROGRESS})
ProgressCallback = Callable[[Video], object]
CHUNK_SIZE = 1024 * 1024


def _enum(cls: type[E], value: E | str | int | Unset) -> E | Unset:
    """Accept the enum or its plain value. Values the contract does not list are sent anyway
    (the server judges them), as the official SDK does."""
    if isinstance(value, Unset | cls):
        return value
    return cls(str(value))


def _model(value: KnownVideoModel | str | Unset) -> KnownVideoModel | str | Unset:
    if isinstance(value, str) and not isinstance(value, KnownVideoModel):
        return KnownVideoModel(value) if value in KnownVideoModel._value2member_map_ else value
    return value


def _create_body(
    stack: contextlib.ExitStack,
    *,
    prompt: str,
    model: KnownVideoModel | str | Unset,
    seconds: VideoSeconds | str | int | Unset,
    size: VideoSize | str | Unset,
    input_reference: FileInput | ImageInputReference | Unset,
) -> CreateVideoMultipartBody:
    reference: Any = input_reference
    if not isinstance(input_reference, Unset | ImageInputReference):
        reference = to_file(input_reference, stack, "input_reference")
    return CreateVideoMultipartBody(
        prompt=prompt,
        model=_model(model),
        seconds=_enum(VideoSeconds, seconds),
        size=_enum(VideoSize, size),
        input_reference=reference,
    )


def _extend_body(
    stack: contextlib.ExitStack, *, prompt: str, seconds: VideoExtensionSeconds | str | int, video: VideoInput
) -> ExtendVideoMultipartBody:
    seconds_value = _enum(VideoExtensionSeconds, seconds)
    assert not isinstance(seconds_value, Unset)
    return ExtendVideoMultipartBody(prompt=prompt, seconds=seconds_value, video=to_video_source(video, stack))


def _edit_body(stack: contextlib.ExitStack, *, prompt: str, video: VideoInput) -> EditVideoMultipartBody:
    return EditVideoMultipartBody(prompt=prompt, video=to_video_source(video, stack))


def _character_body(stack: contextlib.ExitStack, *, name: str, video: FileInput) -> CreateVideoCharacterMultipartBody:
    model = _optional("models.create_video_character_multipart_body", CREATE_CHARACTER)
    body: CreateVideoCharacterMultipartBody = model.CreateVideoCharacterMultipartBody(
        name=name, video=to_file(video, stack, "video")
    )
    return body


def _list_kwargs(params: Mapping[str, Any]) -> dict[str, Any]:
    return list_videos._get_kwargs(
        after=params.get("after", UNSET),
        limit=params.get("limit", UNSET),
        order=_enum(ListOrder, params.get("order", UNSET)),
    )


def _download_kwargs(video_id: str, variant: VideoContentVariant | str | Unset) -> dict[str, Any]:
    kwargs = download_video_content._get_kwargs(
        require_id(video_id, "video_id"), variant=_enum(VideoContentVariant, variant)
    )
    # What the official SDK sends for downloads, so servers built against it answer the same way.
    kwargs["headers"] = {**kwargs.get("headers", {}), "Accept": "application/binary"}
    return kwargs


def _whole(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A download read into memory: its body is read inside the retry loop, so one cut short is
    sent again like a lost connection (as the openai SDK's own download_content is)."""
    return {**kwargs, "extensions": {**kwargs.get("extensions", {}), READ_WHOLE_BODY: True}}


def _partial_path(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    target = Path(path)
    return target, target.with_name(target.name + ".part")


def _not_ok(response: httpx.Response) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"Unexpected answer to {response.request.method} {response.request.url.path}: HTTP "
        f"{response.status_code}, expected 200 with the file.",
        response=response,
    )


class _Resource:
    def __init__(self, client: VideosClient | AsyncVideosClient) -> None:
        self._options = client

    def _prepare(self, kwargs: dict[str, Any], timeout: TimeoutTypes | Unset, *, retry: bool = True) -> dict[str, Any]:
        """The generated request kwargs plus this call's timeout and retry policy."""
        options = self._options
        policy = options.retry_policy if retry else options.retry_policy.copy_with(total=0)
        return {
            **kwargs,
            "timeout": options.timeout if isinstance(timeout, Unset) else resolve_timeout(timeout),
            "extensions": {**kwargs.get("extensions", {}), "retry": policy},
        }

    def _parse(self, build: Callable[..., Response[Any]], cls: type[T], response: httpx.Response) -> T:
        """The answer as a ``cls``, read by the generated operation's ``_build_response``."""
        return expect(build(client=self._options.api_client, response=response).parsed, cls, response)


# --- sync ------------------------------------------------------------------------------------------


class Videos(_Resource):
    """The Videos API, synchronously: ``VideosClient(...).videos``."""

    _options: VideosClient

    def _send(self, kwargs: dict[str, Any], timeout: TimeoutTypes | Unset, *, retry: bool = True) -> httpx.Response:
        with connection_errors():
            return self._options.http_client.request(**self._prepare(kwargs, timeout, retry=retry))

    def _call(
        self,
        kwargs: dict[str, Any],
        build: Callable[..., Response[Any]],
        cls: type[T],
        timeout: TimeoutTypes | Unset,
        *,
        retry: bool = True,
    ) -> T:
        response = self._send(kwargs, timeout, retry=retry)
        return self._parse(build, cls, response)

    def create(
        self,
        *,
        prompt: str,
        model: KnownVideoModel | str | Unset = UNSET,
        seconds: VideoSeconds | str | int | Unset = UNSET,
        size: VideoSize | str | Unset = UNSET,
        input_reference: FileInput | ImageInputReference | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """Start a video job (``POST /videos``); it starts ``queued``: see :meth:`create_and_poll`."""
        with contextlib.ExitStack() as stack:
            body = _create_body(
                stack, prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference
            )
            kwargs = create_video._get_kwargs(body=body)
            return self._call(
                kwargs, create_video._build_response, Video, timeout, retry=replayable(body.input_reference)
            )

    def retrieve(self, video_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        """The job's current state (``GET /videos/{video_id}``)."""
        kwargs = retrieve_video._get_kwargs(require_id(video_id, "video_id"))
        return self._call(kwargs, retrieve_video._build_response, Video, timeout)

    def list(
        self,
        *,
        after: str | Unset = UNSET,
        limit: int | Unset = UNSET,
        order: ListOrder | str | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> VideoPage:
        """The first page of the caller's videos. Iterating the page yields every video across all
        pages, fetching the next page only when needed."""
        params: dict[str, Any] = {"after": after, "limit": limit, "order": order}
        response = self._send(_list_kwargs(params), timeout)
        listing = self._parse(list_videos._build_response, VideoListResponse, response)
        return VideoPage(self, listing, params, timeout, response)

    def delete(self, video_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> VideoDeleteResponse:
        kwargs = delete_video._get_kwargs(require_id(video_id, "video_id"))
        return self._call(kwargs, delete_video._build_response, VideoDeleteResponse, timeout)

    def extend(
        self,
        *,
        prompt: str,
        seconds: VideoExtensionSeconds | str | int,
        video: VideoInput,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """Extend a completed video by ``seconds`` (4, 8, 12, 16 or 20). ``video`` is an upload
        (bytes, a path, a binary file) or a reference to a completed video, ``{"id": ...}``."""
        with contextlib.ExitStack() as stack:
            body = _extend_body(stack, prompt=prompt, seconds=seconds, video=video)
            kwargs = extend_video._get_kwargs(body=body)
            return self._call(kwargs, extend_video._build_response, Video, timeout, retry=replayable(body.video))

    def edit(self, *, prompt: str, video: VideoInput, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        """Edit a video: an upload or a reference to a completed video, ``{"id": ...}``."""
        with contextlib.ExitStack() as stack:
            body = _edit_body(stack, prompt=prompt, video=video)
            kwargs = edit_video._get_kwargs(body=body)
            return self._call(kwargs, edit_video._build_response, Video, timeout, retry=replayable(body.video))

    def remix(self, video_id: str, *, prompt: str, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        """Remix a completed video with a new prompt."""
        kwargs = remix_video._get_kwargs(
            require_id(video_id, "video_id"),
            body=RemixVideoBody(prompt=prompt),
        )
        return self._call(kwargs, remix_video._build_response, Video, timeout)

    def create_character(self, *, name: str, video: FileInput, timeout: TimeoutTypes | Unset = UNSET) -> VideoCharacter:
        with contextlib.ExitStack() as stack:
            body = _character_body(stack, name=name, video=video)
            operation = _optional("api.videos.create_video_character", CREATE_CHARACTER)
            kwargs = operation._get_kwargs(body=body)
            cls: type[VideoCharacter] = _optional("models.video_character", CREATE_CHARACTER).VideoCharacter
            return self._call(kwargs, operation._build_response, cls, timeout, retry=replayable(body.video))

    def get_character(self, character_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> VideoCharacter:
        operation = _optional("api.videos.get_video_character", GET_CHARACTER)
        kwargs = operation._get_kwargs(require_id(character_id, "character_id"))
        cls: type[VideoCharacter] = _optional("models.video_character", GET_CHARACTER).VideoCharacter
        return self._call(kwargs, operation._build_response, cls, timeout)

    def download_content(
        self,
        video_id: str,
        *,
        variant: VideoContentVariant | str | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> bytes:
        """The MP4 (or ``variant="thumbnail"`` / ``"spritesheet"`` image) in memory. For large
        files prefer :meth:`download_to_file`, which streams."""
        response = self._send(_whole(_download_kwargs(video_id, variant)), timeout)
        if response.status_code != 200:
            raise _not_ok(response)
        return response.content

    def download_to_file(
        self,
        video_id: str,
        path: str | os.PathLike[str],
        *,
        variant: VideoContentVariant | str | Unset = UNSET,
        chunk_size: int = CHUNK_SIZE,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Path:
        """Stream the content to ``path`` chunk by chunk (memory stays flat whatever the size).
        The file appears only when complete: it is written to ``<path>.part`` and renamed."""
        target, partial = _partial_path(path)
        kwargs = self._prepare(_download_kwargs(video_id, variant), timeout)
        try:
            with connection_errors(), self._options.http_client.stream(**kwargs) as response:
                if response.status_code != 200:
                    response.read()
                    raise _not_ok(response)
                with partial.open("wb") as out:
                    for chunk in response.iter_bytes(chunk_size):
                        out.write(chunk)
            os.replace(partial, target)  # inside: a target that cannot be replaced leaves no .part
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    def poll(
        self,
        video_id: str,
        *,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """Fetch the video until it is no longer ``queued`` or ``in_progress`` and return it.

        A ``failed`` video is returned, not raised: check ``video.status`` and ``video.error``.
        Waits ``poll_interval_ms`` between fetches when given, else what the server's
        ``openai-poll-after-ms`` header asks, else 1 s. ``on_progress(video)`` is called after every
        fetch. After ``poll_timeout`` seconds, raises :class:`PollTimeoutError` (the job goes on).
        """
        require_id(video_id, "video_id")
        clock, sleep = self._options.clock, self._options.sleep
        started = clock()
        while True:
            response = self._send(retrieve_video._get_kwargs(video_id), timeout)
            video = self._parse(retrieve_video._build_response, Video, response)
            if on_progress is not None:
                on_progress(video)
            if video.status not in PENDING:
                return video
            wait = poll_wait(response, poll_interval_ms)
            if poll_timeout is not None:
                left = started + poll_timeout - clock()
                if left <= 0:
                    raise PollTimeoutError(video, clock() - started)
                wait = min(wait, left)
            sleep(wait)

    def create_and_poll(
        self,
        *,
        prompt: str,
        model: KnownVideoModel | str | Unset = UNSET,
        seconds: VideoSeconds | str | int | Unset = UNSET,
        size: VideoSize | str | Unset = UNSET,
        input_reference: FileInput | ImageInputReference | Unset = UNSET,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """:meth:`create`, then :meth:`poll` until the job is ``completed`` or ``failed``."""
        video = self.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            timeout=timeout,
        )
        return self.poll(
            video.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    def extend_and_poll(
        self,
        *,
        prompt: str,
        seconds: VideoExtensionSeconds | str | int,
        video: VideoInput,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """:meth:`extend`, then :meth:`poll` until the job is ``completed`` or ``failed``."""
        job = self.extend(prompt=prompt, seconds=seconds, video=video, timeout=timeout)
        return self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    def edit_and_poll(
        self,
        *,
        prompt: str,
        video: VideoInput,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """:meth:`edit`, then :meth:`poll` until the job is ``completed`` or ``failed``."""
        job = self.edit(prompt=prompt, video=video, timeout=timeout)
        return self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    def remix_and_poll(
        self,
        video_id: str,
        *,
        prompt: str,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """:meth:`remix`, then :meth:`poll` until the job is ``completed`` or ``failed``."""
        job = self.remix(video_id, prompt=prompt, timeout=timeout)
        return self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )


class _Page:
    """What a sync and an async page share: the page's own fields, and its raw ``response``."""

    def __init__(
        self,
        videos: Any,  # the resource that fetches the next page: Videos or AsyncVideos
        listing: VideoListResponse,
        params: dict[str, Any],
        timeout: TimeoutTypes | Unset,
        response: httpx.Response,
    ) -> None:
        self._videos, self._params, self._timeout = videos, params, timeout
        self.listing, self.response = listing, response
        self.data: list[Video] = listing.data
        self.has_more: bool = listing.has_more
        self.first_id: str | None = listing.first_id
        self.last_id: str | None = listing.last_id

    def has_next_page(self) -> bool:
        # `is True`: a has_more sent as the string "false" must not read as more pages.
        return self.has_more is True and bool(self.data) and isinstance(self.last_id, str) and bool(self.last_id)

    def _moved_on(self, cursors: set[str | None]) -> None:
        """Walking pages: a cursor seen before means the list would never end."""
        if self.last_id in cursors:
            raise APIResponseValidationError(
                f"The list page after a cursor ended at {self.last_id!r} again: the server's cursor does "
                "not move on, so walking the pages would never end.",
                response=self.response,
            )
        cursors.add(self.last_id)


class VideoPage(_Page):
    """One page of ``videos.list()``. ``data``, ``has_more``, ``first_id`` and ``last_id`` are the
    page's own, ``response`` its raw answer; iterating the page yields every video from here to
    the last page, lazily."""

    _videos: Videos

    def get_next_page(self) -> VideoPage:
        if not self.has_next_page() or self.last_id is None:
            raise RuntimeError("This is the last page: check has_next_page() first.")
        params = {**self._params, "after": self.last_id}
        return self._videos.list(**params, timeout=self._timeout)

    def iter_pages(self) -> Iterator[VideoPage]:
        page, cursors = self, {self.last_id}
        yield page
        while page.has_next_page():
            page = page.get_next_page()
            page._moved_on(cursors)
            yield page

    def __iter__(self) -> Iterator[Video]:
        for page in self.iter_pages():
            yield from page.data


# --- async -----------------------------------------------------------------------------------------


class AsyncVideos(_Resource):
    """The Videos API, asynchronously: ``AsyncVideosClient(...).videos``."""

    _options: AsyncVideosClient

    async def _send(
        self, kwargs: dict[str, Any], timeout: TimeoutTypes | Unset, *, retry: bool = True
    ) -> httpx.Response:
        with connection_errors():
            return await self._options.http_client.request(**self._prepare(kwargs, timeout, retry=retry))

    async def _call(
        self,
        kwargs: dict[str, Any],
        build: Callable[..., Response[Any]],
        cls: type[T],
        timeout: TimeoutTypes | Unset,
        *,
        retry: bool = True,
    ) -> T:
        response = await self._send(kwargs, timeout, retry=retry)
        return self._parse(build, cls, response)

    async def create(
        self,
        *,
        prompt: str,
        model: KnownVideoModel | str | Unset = UNSET,
        seconds: VideoSeconds | str | int | Unset = UNSET,
        size: VideoSize | str | Unset = UNSET,
        input_reference: FileInput | ImageInputReference | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """Start a video job (``POST /videos``); it starts ``queued``: see :meth:`create_and_poll`."""
        with contextlib.ExitStack() as stack:
            body = _create_body(
                stack, prompt=prompt, model=model, seconds=seconds, size=size, input_reference=input_reference
            )
            kwargs = create_video._get_kwargs(body=body)
            retry = replayable(body.input_reference)
            return await self._call(kwargs, create_video._build_response, Video, timeout, retry=retry)

    async def retrieve(self, video_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        kwargs = retrieve_video._get_kwargs(require_id(video_id, "video_id"))
        return await self._call(kwargs, retrieve_video._build_response, Video, timeout)

    def list(
        self,
        *,
        after: str | Unset = UNSET,
        limit: int | Unset = UNSET,
        order: ListOrder | str | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> AsyncVideoPager:
        """``async for video in client.videos.list(): ...`` walks every video across pages,
        lazily; ``page = await client.videos.list()`` gives the first page."""
        return AsyncVideoPager(self, {"after": after, "limit": limit, "order": order}, timeout)

    async def _page(self, params: dict[str, Any], timeout: TimeoutTypes | Unset) -> AsyncVideoPage:
        response = await self._send(_list_kwargs(params), timeout)
        listing = self._parse(list_videos._build_response, VideoListResponse, response)
        return AsyncVideoPage(self, listing, params, timeout, response)

    async def delete(self, video_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> VideoDeleteResponse:
        kwargs = delete_video._get_kwargs(require_id(video_id, "video_id"))
        return await self._call(kwargs, delete_video._build_response, VideoDeleteResponse, timeout)

    async def extend(
        self,
        *,
        prompt: str,
        seconds: VideoExtensionSeconds | str | int,
        video: VideoInput,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """Extend a completed video by ``seconds`` (4, 8, 12, 16 or 20). ``video`` is an upload
        (bytes, a path, a binary file) or a reference to a completed video, ``{"id": ...}``."""
        with contextlib.ExitStack() as stack:
            body = _extend_body(stack, prompt=prompt, seconds=seconds, video=video)
            kwargs = extend_video._get_kwargs(body=body)
            retry = replayable(body.video)
            return await self._call(kwargs, extend_video._build_response, Video, timeout, retry=retry)

    async def edit(self, *, prompt: str, video: VideoInput, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        with contextlib.ExitStack() as stack:
            body = _edit_body(stack, prompt=prompt, video=video)
            kwargs = edit_video._get_kwargs(body=body)
            retry = replayable(body.video)
            return await self._call(kwargs, edit_video._build_response, Video, timeout, retry=retry)

    async def remix(self, video_id: str, *, prompt: str, timeout: TimeoutTypes | Unset = UNSET) -> Video:
        kwargs = remix_video._get_kwargs(
            require_id(video_id, "video_id"),
            body=RemixVideoBody(prompt=prompt),
        )
        return await self._call(kwargs, remix_video._build_response, Video, timeout)

    async def create_character(
        self, *, name: str, video: FileInput, timeout: TimeoutTypes | Unset = UNSET
    ) -> VideoCharacter:
        with contextlib.ExitStack() as stack:
            body = _character_body(stack, name=name, video=video)
            operation = _optional("api.videos.create_video_character", CREATE_CHARACTER)
            kwargs = operation._get_kwargs(body=body)
            cls: type[VideoCharacter] = _optional("models.video_character", CREATE_CHARACTER).VideoCharacter
            return await self._call(kwargs, operation._build_response, cls, timeout, retry=replayable(body.video))

    async def get_character(self, character_id: str, *, timeout: TimeoutTypes | Unset = UNSET) -> VideoCharacter:
        operation = _optional("api.videos.get_video_character", GET_CHARACTER)
        kwargs = operation._get_kwargs(require_id(character_id, "character_id"))
        cls: type[VideoCharacter] = _optional("models.video_character", GET_CHARACTER).VideoCharacter
        return await self._call(kwargs, operation._build_response, cls, timeout)

    async def download_content(
        self,
        video_id: str,
        *,
        variant: VideoContentVariant | str | Unset = UNSET,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> bytes:
        response = await self._send(_whole(_download_kwargs(video_id, variant)), timeout)
        if response.status_code != 200:
            raise _not_ok(response)
        return response.content

    async def download_to_file(
        self,
        video_id: str,
        path: str | os.PathLike[str],
        *,
        variant: VideoContentVariant | str | Unset = UNSET,
        chunk_size: int = CHUNK_SIZE,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Path:
        """Stream the content to ``path`` chunk by chunk; written to ``<path>.part``, then renamed."""
        target, partial = _partial_path(path)
        kwargs = self._prepare(_download_kwargs(video_id, variant), timeout)
        try:
            with connection_errors():
                async with self._options.http_client.stream(**kwargs) as response:
                    if response.status_code != 200:
                        await response.aread()
                        raise _not_ok(response)
                    with partial.open("wb") as out:
                        async for chunk in response.aiter_bytes(chunk_size):
                            out.write(chunk)
            os.replace(partial, target)  # inside: a target that cannot be replaced leaves no .part
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return target

    async def poll(
        self,
        video_id: str,
        *,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        """As :meth:`Videos.poll`; ``on_progress`` may also be a coroutine function."""
        require_id(video_id, "video_id")
        clock, sleep = self._options.clock, self._options.sleep
        started = clock()
        while True:
            response = await self._send(retrieve_video._get_kwargs(video_id), timeout)
            video = self._parse(retrieve_video._build_response, Video, response)
            if on_progress is not None:
                outcome = on_progress(video)
                if inspect.isawaitable(outcome):
                    await outcome
            if video.status not in PENDING:
                return video
            wait = poll_wait(response, poll_interval_ms)
            if poll_timeout is not None:
                left = started + poll_timeout - clock()
                if left <= 0:
                    raise PollTimeoutError(video, clock() - started)
                wait = min(wait, left)
            await sleep(wait)

    async def create_and_poll(
        self,
        *,
        prompt: str,
        model: KnownVideoModel | str | Unset = UNSET,
        seconds: VideoSeconds | str | int | Unset = UNSET,
        size: VideoSize | str | Unset = UNSET,
        input_reference: FileInput | ImageInputReference | Unset = UNSET,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        video = await self.create(
            prompt=prompt,
            model=model,
            seconds=seconds,
            size=size,
            input_reference=input_reference,
            timeout=timeout,
        )
        return await self.poll(
            video.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    async def extend_and_poll(
        self,
        *,
        prompt: str,
        seconds: VideoExtensionSeconds | str | int,
        video: VideoInput,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        job = await self.extend(prompt=prompt, seconds=seconds, video=video, timeout=timeout)
        return await self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    async def edit_and_poll(
        self,
        *,
        prompt: str,
        video: VideoInput,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        job = await self.edit(prompt=prompt, video=video, timeout=timeout)
        return await self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )

    async def remix_and_poll(
        self,
        video_id: str,
        *,
        prompt: str,
        poll_interval_ms: int | None = None,
        poll_timeout: float | None = None,
        on_progress: Callable[[Video], object] | None = None,
        timeout: TimeoutTypes | Unset = UNSET,
    ) -> Video:
        job = await self.remix(video_id, prompt=prompt, timeout=timeout)
        return await self.poll(
            job.id,
            poll_interval_ms=poll_interval_ms,
            poll_timeout=poll_timeout,
            on_progress=on_progress,
            timeout=timeout,
        )


class AsyncVideoPage(_Page):
    """One page of ``await client.videos.list()``; ``async for`` over it walks every later page too."""

    _videos: AsyncVideos

    async def get_next_page(self) -> AsyncVideoPage:
        if not self.has_next_page() or self.last_id is None:
            raise RuntimeError("This is the last page: check has_next_page() first.")
        return await self._videos._page({**self._params, "after": self.last_id}, self._timeout)

    async def iter_pages(self) -> AsyncIterator[AsyncVideoPage]:
        page, cursors = self, {self.last_id}
        yield page
        while page.has_next_page():
            page = await page.get_next_page()
            page._moved_on(cursors)
            yield page

    async def __aiter__(self) -> AsyncIterator[Video]:
        async for page in self.iter_pages():
            for video in page.data:
                yield video


class AsyncVideoPager:
    """What ``AsyncVideos.list`` returns: awaitable (the first page) and async-iterable (every video)."""

    def __init__(self, videos: AsyncVideos, params: dict[str, Any], timeout: TimeoutTypes | Unset) -> None:
        self._videos, self._params, self._timeout = videos, params, timeout

    def __await__(self) -> Generator[Any, None, AsyncVideoPage]:
        return self._videos._page(self._params, self._timeout).__await__()

    async def __aiter__(self) -> AsyncIterator[Video]:
        page = await self
        async for video in page:
            yield video
