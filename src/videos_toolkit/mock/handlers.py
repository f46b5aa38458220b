"""What each operation does in stateful mode (the default). Requests reach these handlers already
routed, authenticated and validated against the contract; the handlers apply the rules the
contract cannot express (model served, source completed, owner isolation, stitched durations).

Source rules shared by extend and edit (``param: video``): a referenced video that is unknown,
deleted or another key's is 404; one that is queued, in progress or failed is 400
``video_not_completed``; an uploaded file must be an MP4 whose duration mutagen can read (400
otherwise). Remix and content apply the same rules to the path's ``video_id``.

An uploaded source counts as its duration in whole seconds (halves up, at least 1), its first video
track's frame size when that is a size the contract lists (else the default size), and the default
model (a file names no model).
"""

import functools
import hashlib
import logging
import math
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from videos_toolkit.mock import jobs, media
from videos_toolkit.mock.clock import MockClock
from videos_toolkit.mock.config import MockConfig
from videos_toolkit.mock.contract_answers import (
    answers_video,
    contract_answer,
    missing_required,
    success_status,
)
from videos_toolkit.mock.errors import ApiError, bad_request, not_found, shown
from videos_toolkit.mock.multipart_form import UploadedPart
from videos_toolkit.mock.operations import Operation, SpecIndex, resolve
from videos_toolkit.mock.store import CharacterRecord, MockStore, UnknownCursor, VideoRecord

log = logging.getLogger("videos_toolkit.mock")
PATH_IDS = frozenset({"video_id", "character_id"})  # the path parameters the handlers read
_WARNED: set[str] = set()  # the operations already warned of, in this process

# Used only where the contract states no `default` for the field (it says these in prose).
FALLBACK_DEFAULTS = {"model": "sora-2", "seconds": "4", "size": "720x1280"}


@dataclass(frozen=True)
class Call:
    operation: Operation
    owner: str
    path: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any] | None
    media_type: str | None


Handler = Callable[[Call], Awaitable[Response]]


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


@functools.lru_cache(maxsize=1024)  # clients send the same key with every request
def owner_of(api_key: str) -> str:
    # Records are keyed by a digest, so the key itself is never stored or printed with them.
    return hashlib.sha256(api_key.encode()).hexdigest()[:32]


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header; None for any other header. Any
    non-empty key is a key, spaces included: the openai SDK's own test suite sends "Bearer My API
    Key" to mocks."""
    scheme, _, key = (header or "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(24)}"


class ContractFacts:
    """Values the handlers need from the spec, read once: served models, allowed sizes, defaults."""

    def __init__(self, index: SpecIndex) -> None:
        create = index.operations["createVideo"]
        assert create.body is not None, "createVideo must have a request body"
        schemas = [index.schema(pointer) for pointer in create.body.content.values()]
        self.models = self._enum_of(index, schemas, "model")
        self.sizes = self._enum_of(index, schemas, "size")
        if not self.models or not self.sizes:
            raise ValueError("the contract must list the known models and the video sizes for createVideo")
        self.defaults = {}
        for name, fallback in FALLBACK_DEFAULTS.items():
            # A default the contract no longer allows (a change removed it from the enum, say) gives
            # way to the first value it does allow.
            allowed = self._enum_of(index, schemas, name)
            default = self._default_of(index, schemas, name, fallback)
            self.defaults[name] = default if not allowed or default in allowed else allowed[0]

    @staticmethod
    def _enum_of(index: SpecIndex, schemas: list[dict[str, Any]], name: str) -> tuple[str, ...]:
        found: list[str] = []
        pending = [s.get("properties", {}).get(name) for s in schemas]
        while pending:
            node, _ = resolve(index.spec, pending.pop(0), "")
            if not isinstance(node, dict):
                continue
            found += [value for value in node.get("enum", []) if value not in found]
            pending += node.get("anyOf", []) + node.get("oneOf", [])
        return tuple(found)

    @staticmethod
    def _default_of(index: SpecIndex, schemas: list[dict[str, Any]], name: str, fallback: str) -> str:
        for schema in schemas:
            node = schema.get("properties", {}).get(name)
            while isinstance(node, dict):
                if "default" in node:
                    return str(node["default"])
                node = resolve(index.spec, {"$ref": node["$ref"]}, "")[0] if "$ref" in node else None
        return fallback


def check_model(facts: ContractFacts, model: str) -> None:
    """Only the contract's known model names are served (the schema itself is open to any name)."""
    if model not in facts.models:
        served = ", ".join(shown(m) for m in facts.models)
        raise bad_request(
            f"The model {shown(model)} does not exist or is not served by this mock. Use one of {served}.",
            param="model",
            code="model_not_found",
        )


class StatefulApi:
    def __init__(self, config: MockConfig, clock: MockClock, store: MockStore, index: SpecIndex) -> None:
        self.config = config
        self.clock = clock
        self.store = store
        self.restart_ids()
        self.index, self.facts = index, ContractFacts(index)
        self.video_extras = missing_required(index, "retrieveVideo", jobs.VIDEO_FIELDS)
        self.list_defaults = {p.name: p.default for p in index.operations["listVideos"].params}
        download = index.operations["downloadVideoContent"]
        self.variant_default = next((p.default for p in download.params if p.name == "variant"), "video")
        # A variant the contract added is served as the documented media type no built-in one uses.
        ok = download.responses.get("200")
        self.other_variant_type = next(
            (t for t in (ok.content if ok else {}) if t not in media.CONTENT_TYPES.values()),
            "application/octet-stream",
        )
        self.handlers: dict[str, Handler] = {
            "createVideo": self.create_video,
            "listVideos": self.list_videos,
            "retrieveVideo": self.retrieve_video,
            "deleteVideo": self.delete_video,
            "downloadVideoContent": self.download_content,
            "remixVideo": self.remix_video,
            "editVideo": self.edit_video,
            "extendVideo": self.extend_video,
            "createVideoCharacter": self.create_character,
            "getVideoCharacter": self.get_character,
        }
        for op_id in set(self.handlers) & set(index.operations):
            named = {p.name for p in index.operations[op_id].params if p.location == "path"}
            if renamed := sorted(named - PATH_IDS):
                raise ValueError(
                    f"the contract names {op_id}'s path parameter {renamed[0]!r}; the mock's behaviour "
                    f"for it reads {' or '.join(sorted(PATH_IDS))}: name it so, or change "
                    "src/videos_toolkit/mock/handlers.py"
                )
        if missing := sorted(set(index.operations) - set(self.handlers)):
            if (named := ", ".join(missing)) not in _WARNED:  # once a process: a run builds many mocks
                _WARNED.add(named)
                log.warning(
                    "no stateful behaviour for %s (the mock's behaviour follows operationIds: a new "
                    "or renamed one has none): answered from the contract, its example or a value "
                    "made from its schema",
                    named,
                )
            for op_id in missing:
                self.handlers[op_id] = self._from_contract(index.operations[op_id])

    # -- helpers -------------------------------------------------------------------------------

    def _new_job(self, owner: str, prompt: str, **fields: Any) -> Response:
        instant = self.config.instant
        video = VideoRecord(
            id=self.new_id("video"),
            owner=owner,
            created_at=self.clock.now(),
            prompt=prompt,
            run_time=0.0 if instant else jobs.RUN_TIME,
            queued_for=0.0 if instant else jobs.QUEUED_FOR,
            fails=jobs.should_fail(prompt),
            **fields,
        )
        self.store.add_video(video)
        return json_response(jobs.video_object(video, jobs.CREATED, self.video_extras))

    def _visible(self, call: Call, video_id: str, param: str) -> VideoRecord:
        video = self.store.get_video(call.owner, video_id)
        if video is None:
            raise not_found("Video", video_id, param=param)
        return video

    def _completed(self, call: Call, video_id: str, param: str, action: str) -> VideoRecord:
        video = self._visible(call, video_id, param)
        state = jobs.state_at(video, self.clock.now())
        if state.status != "completed":
            raise bad_request(
                f"Video {shown(video_id)} is not completed (status: {state.status}); only a completed video "
                f"can be {action}. Poll it until its status is 'completed'.",
                param=param,
                code="video_not_completed",
            )
        return video

    def _source(self, call: Call, action: str) -> tuple[int, str, str]:
        """(seconds, model, size) of the ``video`` of an edit or extend: a reference or an upload."""
        assert call.body is not None
        source = call.body["video"]
        if isinstance(source, UploadedPart):
            probe = _readable_video(source)
            if probe.duration > media.MAX_SECONDS:
                raise bad_request(
                    f"The uploaded 'video' is {probe.duration:.0f} s long; this mock takes source videos of "
                    f"at most {media.MAX_SECONDS} s.",
                    param="video",
                    code="video_too_long",
                )
            size = f"{probe.width}x{probe.height}"
            size = size if size in self.facts.sizes else self.facts.defaults["size"]
            # Whole seconds, halves rounded up (round() would send 2.5 s to 2).
            return max(1, math.floor(probe.duration + 0.5)), self.facts.defaults["model"], size
        video = self._completed(call, source["id"], "video", action)
        return int(video.seconds), video.model, video.size

    def _from_contract(self, operation: Operation) -> Handler:
        """An operation a contract change added, which has no behaviour here, answers from the
        contract once the video or character its path names is found visible to the caller (404
        otherwise, as everywhere). One that answers a Video about the video its path names (a
        cancel, say) answers that video as it stands: an id the caller can go on polling."""
        answer = contract_answer(self.index, operation)
        the_video = answers_video(self.index, operation)
        status = success_status(operation)

        async def answer_if_visible(call: Call) -> Response:
            video = None
            if "video_id" in call.path:
                video = self._visible(call, call.path["video_id"], "video_id")
            if "character_id" in call.path:
                self._visible_character(call)
            if the_video and video is not None:
                state = jobs.state_at(video, self.clock.now())
                return json_response(jobs.video_object(video, state, self.video_extras), status)
            return await answer(call)

        return answer_if_visible

    def _visible_character(self, call: Call) -> CharacterRecord:
        character = self.store.get_character(call.owner, call.path["character_id"])
        if character is None:
            raise not_found("Character", call.path["character_id"], param="character_id")
        return character

    def restart_ids(self) -> None:
        """Ids from the start of the seed's sequence again (a reset); at random without a seed."""
        seed = self.config.seed
        self._ids = random.Random(seed) if seed is not None else None

    def new_id(self, prefix: str) -> str:
        if self._ids is None:
            return new_id(prefix)
        return f"{prefix}_{self._ids.getrandbits(192):048x}"  # as long as a random one

    # -- operations ----------------------------------------------------------------------------

    async def create_video(self, call: Call) -> Response:
        body = call.body or {}
        model = body.get("model", self.facts.defaults["model"])
        check_model(self.facts, model)
        return self._new_job(
            call.owner,
            body["prompt"],
            model=model,
            seconds=body.get("seconds", self.facts.defaults["seconds"]),
            size=body.get("size", self.facts.defaults["size"]),
        )

    async def list_videos(self, call: Call) -> Response:
        after = call.query.get("after")
        try:
            page = self.store.list_videos(
                call.owner,
                after=after,
                limit=call.query.get("limit", self.list_defaults.get("limit") or 20),
                order=call.query.get("order", self.list_defaults.get("order") or "desc"),
            )
        except UnknownCursor:
            # 404, not 400: the cursor is well formed, it names nothing this key can see.
            raise ApiError(
                404,
                f"No video with id {shown(after)} was listed for this API key, so it cannot be the 'after' "
                "cursor. Pass the 'last_id' of the previous page.",
                param="after",
                code="not_found",
            ) from None
        now = self.clock.now()
        data = [
            jobs.video_object(video, jobs.state_at(video, now), self.video_extras) for video in page.items
        ]
        return json_response(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": page.has_more,
            }
        )

    async def retrieve_video(self, call: Call) -> Response:
        video = self._visible(call, call.path["video_id"], "video_id")
        state = jobs.state_at(video, self.clock.now())
        headers = None
        if not state.terminal:
            speed = self.clock.speed or 1.0  # time standing still: the unscaled hint
            poll_ms = max(1, round(self.config.poll_after_ms / speed))
            headers = {"openai-poll-after-ms": str(poll_ms)}
        return json_response(jobs.video_object(video, state, self.video_extras), headers=headers)

    async def delete_video(self, call: Call) -> Response:
        video_id = call.path["video_id"]
        if not self.store.delete_video(call.owner, video_id):
            raise not_found("Video", video_id, param="video_id")
        return json_response({"id": video_id, "object": "video.deleted", "deleted": True})

    async def download_content(self, call: Call) -> Response:
        video = self._completed(call, call.path["video_id"], "video_id", "downloaded")
        variant = call.query.get("variant", self.variant_default)
        if variant not in media.CONTENT_TYPES:  # no asset to make: a placeholder of the right type
            return Response(f"{variant} of {video.id}".encode(), media_type=self.other_variant_type)
        content, content_type = media.asset(variant, video.size, int(video.seconds))
        return Response(content, media_type=content_type)

    async def remix_video(self, call: Call) -> Response:
        source = self._completed(call, call.path["video_id"], "video_id", "remixed")
        assert call.body is not None
        return self._new_job(
            call.owner,
            call.body["prompt"],
            model=source.model,
            seconds=source.seconds,
            size=source.size,
            remixed_from_video_id=source.id,
        )

    async def edit_video(self, call: Call) -> Response:
        assert call.body is not None
        seconds, model, size = self._source(call, "edited")
        return self._new_job(call.owner, call.body["prompt"], model=model, seconds=str(seconds), size=size)

    async def extend_video(self, call: Call) -> Response:
        assert call.body is not None
        seconds, model, size = self._source(call, "extended")
        total = seconds + int(call.body["seconds"])  # the stitched duration
        if total > media.MAX_SECONDS:
            raise bad_request(
                f"The extended video would be {total} s long (the source's {seconds} s + "
                f"{call.body['seconds']} s); this mock makes videos of at most {media.MAX_SECONDS} s.",
                param="seconds",
                code="video_too_long",
            )
        return self._new_job(call.owner, call.body["prompt"], model=model, seconds=str(total), size=size)

    async def create_character(self, call: Call) -> Response:
        assert call.body is not None
        _readable_video(call.body["video"])  # a character is cut from a real clip, as for extend
        character = CharacterRecord(
            id=self.new_id("char"),
            owner=call.owner,
            created_at=math.floor(self.clock.now()),
            name=call.body["name"],
        )
        self.store.add_character(character)
        return json_response(_character_object(character))

    async def get_character(self, call: Call) -> Response:
        return json_response(_character_object(self._visible_character(call)))


def _readable_video(part: UploadedPart) -> media.Mp4Probe:
    try:
        return media.probe_mp4(part.file)
    except media.MediaError as exc:
        raise bad_request(
            f"The uploaded 'video' could not be read as an MP4 video: {exc}.",
            param="video",
            code="invalid_video_file",
        ) from exc


def _character_object(character: CharacterRecord) -> dict[str, Any]:
    return {"id": character.id, "created_at": character.created_at, "name": character.name}
