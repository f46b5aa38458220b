"""Where the mock keeps videos and characters, behind one small interface (:class:`MockStore`), so
a shared store could replace the in-memory one without touching the handlers.

Records are immutable: a job's status and progress are derived from the clock (see jobs.py), so
nothing is ever updated in place and no background task runs.

Lists are cursor-paginated per owner. Every video gets a global, increasing sequence number; each
owner keeps the sequence numbers of their videos in creation order, and a page is found by
bisecting that list, so a page costs the same wherever it starts. The sequence number of a
deleted video is kept as a tombstone (its id and sequence number, nothing else), so a cursor still
works after its item is deleted; each owner keeps only the newest ``TOMBSTONES_PER_OWNER``
tombstones, so memory stops growing once deleted jobs are gone (a cursor naming a video deleted
longer ago than that is an unknown cursor, 404).

The store also keeps the answers of creating requests sent with an ``Idempotency-Key`` (see
idempotency.py) and, for a persistent store, the clock's anchor (see clock.py).
"""

import bisect
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal, Protocol

from videos_toolkit.mock.clock import ClockAnchor

# Deleted videos whose id stays usable as an ``after`` cursor, per owner (the newest deletions).
TOMBSTONES_PER_OWNER = 1000
# How long, and how many, idempotent answers are kept (the oldest go first).
IDEMPOTENCY_TTL = 24 * 3600.0  # wall-clock seconds
IDEMPOTENCY_LIMIT = 10_000


@dataclass(frozen=True)
class VideoRecord:
    id: str
    owner: str
    created_at: float  # mock-clock unix seconds
    prompt: str
    model: str
    seconds: str
    size: str
    remixed_from_video_id: str | None = None
    # Mock-clock seconds from creation to the terminal state (0 in instant mode).
    run_time: float = 2.75
    queued_for: float = 0.5
    fails: bool = False


@dataclass(frozen=True)
class CharacterRecord:
    id: str
    owner: str
    created_at: int
    name: str


@dataclass(frozen=True)
class VideoPage:
    items: list[VideoRecord]
    has_more: bool


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a creating request sent with an ``Idempotency-Key``."""

    owner: str
    key: str
    fingerprint: str  # digest of the operation, its path parameters and its body
    status: int
    body: bytes
    media_type: str
    stored_at: float  # wall-clock unix seconds

    def expired(self, now: float) -> bool:
        return now - self.stored_at >= IDEMPOTENCY_TTL


class UnknownCursor(LookupError):
    """``after`` names no video this owner ever had."""


class MockStore(Protocol):
    def add_video(self, video: VideoRecord) -> None: ...

    def get_video(self, owner: str, video_id: str) -> VideoRecord | None: ...

    def delete_video(self, owner: str, video_id: str) -> bool: ...

    def list_videos(
        self, owner: str, *, after: str | None, limit: int, order: Literal["asc", "desc"]
    ) -> VideoPage: ...

    def add_character(self, character: CharacterRecord) -> None: ...

    def get_character(self, owner: str, character_id: str) -> CharacterRecord | None: ...

    def get_answer(self, owner: str, key: str) -> StoredAnswer | None:
        """The unexpired answer stored for this owner's idempotency key."""
        ...

    def put_answer(self, answer: StoredAnswer) -> None: ...

    def load_clock(self) -> ClockAnchor | None:
        """The persisted clock anchor (None: start mock time at wall time)."""
        ...

    def save_clock(self, anchor: ClockAnchor) -> None: ...

    def clear(self) -> None:
        """Forget every video (deleted ones too), character and stored answer; the clock stays."""
        ...

    def close(self) -> None: ...


class _OwnerVideos:
    __slots__ = ("by_seq", "live", "seqs", "tombstones")

    def __init__(self) -> None:
        self.seqs: list[int] = []  # live videos' sequence numbers, ascending
        self.by_seq: dict[int, VideoRecord] = {}
        self.live: dict[str, int] = {}  # id -> sequence number of live videos
        # id -> sequence number of deleted videos, oldest deletion first, at most TOMBSTONES_PER_OWNER
        self.tombstones: OrderedDict[str, int] = OrderedDict()

    def cursor(self, video_id: str) -> int | None:
        seq = self.live.get(video_id)
        return seq if seq is not None else self.tombstones.get(video_id)


class InMemoryStore:
    """The default store: one process, all state in dicts, one lock around every operation."""

    def __init__(self, *, tombstones_per_owner: int = TOMBSTONES_PER_OWNER) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._videos: dict[str, _OwnerVideos] = {}
        self._characters: dict[tuple[str, str], CharacterRecord] = {}
        self._answers: OrderedDict[tuple[str, str], StoredAnswer] = OrderedDict()  # oldest first
        self._tombstones_per_owner = tombstones_per_owner

    def add_video(self, video: VideoRecord) -> None:
        with self._lock:
            owner = self._videos.setdefault(video.owner, _OwnerVideos())
            if owner.cursor(video.id) is not None:
                raise ValueError(f"duplicate video id {video.id}")
            self._seq += 1
            owner.seqs.append(self._seq)  # sequence numbers only grow: the list stays sorted
            owner.by_seq[self._seq] = video
            owner.live[video.id] = self._seq

    def get_video(self, owner: str, video_id: str) -> VideoRecord | None:
        with self._lock:
            videos = self._videos.get(owner)
            if videos is None or (seq := videos.live.get(video_id)) is None:
                return None
            return videos.by_seq[seq]

    def delete_video(self, owner: str, video_id: str) -> bool:
        with self._lock:
            videos = self._videos.get(owner)
            if videos is None or (seq := videos.live.pop(video_id, None)) is None:
                return False
            del videos.by_seq[seq]
            del videos.seqs[bisect.bisect_left(videos.seqs, seq)]
            videos.tombstones[video_id] = seq
            while len(videos.tombstones) > self._tombstones_per_owner:
                videos.tombstones.popitem(last=False)
            return True

    def list_videos(
        self, owner: str, *, after: str | None, limit: int, order: Literal["asc", "desc"]
    ) -> VideoPage:
        with self._lock:
            videos = self._videos.get(owner) or _OwnerVideos()
            seqs = videos.seqs
            cursor = videos.cursor(after) if after is not None else None
            if after is not None and cursor is None:
                raise UnknownCursor(after)
            if order == "asc":
                start = bisect.bisect_right(seqs, cursor) if cursor is not None else 0
                chosen = seqs[start : start + limit]
                has_more = start + limit < len(seqs)
            else:
                end = bisect.bisect_left(seqs, cursor) if cursor is not None else len(seqs)
                begin = max(0, end - limit)
                chosen = seqs[begin:end][::-1]
                has_more = begin > 0
            return VideoPage([videos.by_seq[seq] for seq in chosen], has_more)

    def add_character(self, character: CharacterRecord) -> None:
        with self._lock:
            self._characters[(character.owner, character.id)] = character

    def get_character(self, owner: str, character_id: str) -> CharacterRecord | None:
        with self._lock:
            return self._characters.get((owner, character_id))

    def get_answer(self, owner: str, key: str) -> StoredAnswer | None:
        with self._lock:
            answer = self._answers.get((owner, key))
            return answer if answer is not None and not answer.expired(time.time()) else None

    def put_answer(self, answer: StoredAnswer) -> None:
        with self._lock:
            self._answers.pop((answer.owner, answer.key), None)
            self._answers[(answer.owner, answer.key)] = answer
            now = time.time()
            while self._answers:
                oldest = next(iter(self._answers.values()))
                if len(self._answers) <= IDEMPOTENCY_LIMIT and not oldest.expired(now):
                    break
                self._answers.popitem(last=False)

    def load_clock(self) -> ClockAnchor | None:
        return None  # nothing survives the process: mock time starts at wall time

    def save_clock(self, anchor: ClockAnchor) -> None:
        pass

    def clear(self) -> None:
        with self._lock:
            self._videos.clear()
            self._characters.clear()
            self._answers.clear()

    def close(self) -> None:
        pass

    def footprint(self) -> dict[str, int]:
        """How many records of each kind are held (tests check that deletions free memory)."""
        with self._lock:
            return {
                "videos": sum(len(v.live) for v in self._videos.values()),
                "tombstones": sum(len(v.tombstones) for v in self._videos.values()),
                "characters": len(self._characters),
                "answers": len(self._answers),
            }
