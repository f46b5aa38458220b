"""The job lifecycle: a video's status and progress, derived from the mock clock.

Nothing runs in the background. A job created at mock time ``t0`` is

* ``queued`` (progress 0) until ``t0 + 0.5 s``,
* ``in_progress`` with progress rising linearly from 1 to 99 until ``t0 + 2.75 s``,
* then ``completed`` (progress 100, ``completed_at``, ``expires_at = completed_at + 86400``).

At ``--speed 1`` that is about 2.75 s of wall time, long enough for a poller (``openai-poll-after-ms``
is 250 ms) to see both ``queued`` and ``in_progress``. ``--speed X`` divides every duration by X;
``--instant`` makes a job terminal the first time it is read after creation. Creation responses
always show ``queued`` with progress 0. Status never goes backwards and progress never decreases,
because both are monotone functions of a clock that only moves forward.

Deterministic failure: a job whose prompt contains the marker ``[fail]`` (any letter case) fails
instead of completing: it stops rising at 40% of its running time and then reads ``failed`` with
``error: {"code": "video_generation_failed", "message": ...}`` (``[fail:moderation_blocked]`` gives
that code instead), progress frozen where it stopped,
``completed_at`` and ``expires_at`` null. This holds for create, remix, edit and extend alike.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from videos_toolkit.mock.store import VideoRecord

FAIL_MARKER = "[fail]"
FAILURE_CODE = "video_generation_failed"
QUEUED_FOR = 0.5  # mock-clock seconds
RUN_TIME = 2.75  # mock-clock seconds from creation to the terminal state
FAIL_AT = 0.4  # share of the running time after which a failing job fails
ASSETS_TTL = 86400  # seconds the downloadable assets live after completion
TERMINAL = frozenset({"completed", "failed"})
EMPTY: Mapping[str, Any] = MappingProxyType({})


# "[fail]", or "[fail:<code>]" to fail with that error code (a team's code may branch on it).
_FAILURE = re.compile(r"\[fail(?::([a-z0-9_.-]{1,64}))?\]", re.IGNORECASE)


def should_fail(prompt: str) -> bool:
    return _FAILURE.search(prompt) is not None


def failure_code(prompt: str | None) -> str:
    found = _FAILURE.search(prompt or "")
    return found.group(1) if found and found.group(1) else FAILURE_CODE


@dataclass(frozen=True)
class JobState:
    status: str
    progress: int
    completed_at: int | None = None
    expires_at: int | None = None
    error: dict[str, Any] | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


def _progress(video: VideoRecord, elapsed: float) -> int:
    span = video.run_time - video.queued_for
    if span <= 0:
        return 0  # instant mode: the job never shows in_progress
    return min(99, 1 + math.floor(98 * (elapsed - video.queued_for) / span))


def state_at(video: VideoRecord, now: float) -> JobState:
    elapsed = now - video.created_at
    if video.fails:
        fail_after = video.queued_for + FAIL_AT * (video.run_time - video.queued_for)
        if elapsed >= fail_after:
            message = (
                f"Video generation failed: the prompt contains the mock's failure marker {FAIL_MARKER!r}. "
                "Remove it to get a completed video."
            )
            error = {"code": failure_code(video.prompt), "message": message}
            return JobState("failed", _progress(video, fail_after), error=error)
    elif elapsed >= video.run_time:
        completed_at = math.floor(video.created_at + video.run_time)
        return JobState("completed", 100, completed_at, completed_at + ASSETS_TTL)
    if elapsed < video.queued_for:
        return JobState("queued", 0)
    return JobState("in_progress", _progress(video, elapsed))


CREATED = JobState("queued", 0)


def video_object(video: VideoRecord, state: JobState, extras: Mapping[str, Any] = EMPTY) -> dict[str, Any]:
    """The ``Video`` resource as the API sends it; ``extras`` are required fields a contract change
    added, which the mock has no state for (see ``contract_answers.missing_required``)."""
    return {
        **extras,
        "id": video.id,
        "object": "video",
        "created_at": math.floor(video.created_at),
        "completed_at": state.completed_at,
        "expires_at": state.expires_at,
        "status": state.status,
        "progress": state.progress,
        "model": video.model,
        "seconds": video.seconds,
        "size": video.size,
        "prompt": video.prompt,
        "remixed_from_video_id": video.remixed_from_video_id,
        "error": state.error,
    }


# The fields video_object sends from the mock's own state.
VIDEO_FIELDS = frozenset(video_object(VideoRecord("", "", 0.0, "", "", "", ""), CREATED))
