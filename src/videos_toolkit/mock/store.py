"""Where the mock keeps videos and characters, behind one small interface (:class:`MockStore`), so
a shared store could replace the in-memory one without touching the handlers.

Records are immutable: a job's status and progress are derived from the clock (see jobs.py), so
nothing is ever updated in place and no background task runs.

Lists are cursor-paginated per owner. Every video gets a global, increasing sequence number; each
owner keeps the sequence numbers of their videos in creation order, and a page is found by
bisecting that list, so a page costs the same wherever it starts. The sequence number of a
deleted video is kept, so a cursor still works after its item is deleted.
"""

import bisect
import threading
from dataclasses import dataclass
from typing import Literal, Protocol


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


class _OwnerVideos:
    __slots__ = ("by_seq", "cursors", "live", "seqs")

    def __init__(self) -> None:
        self.seqs: list[int] = []  # live videos' sequence numbers, ascending
        self.by_seq: dict[int, VideoRecord] = {}
        self.live: dict[str, int] = {}  # id -> sequence number of live videos
        self.cursors: dict[str, int] = {}  # id -> sequence number of every video ever created


class InMemoryStore:
    """The default store: one process, all state in dicts, one lock around every operation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._videos: dict[str, _OwnerVideos] = {}
        self._characters: dict[tuple[str, str], CharacterRecord] = {}

    def add_video(self, video: VideoRecord) -> None:
        with self._lock:
            owner = self._videos.setdefault(video.owner, _OwnerVideos())
            if video.id in owner.cursors:
                raise ValueError(f"duplicate video id {video.id}")
            self._seq += 1
            owner.seqs.append(self._seq)  # sequence numbers only grow: the list stays sorted
            owner.by_seq[self._seq] = video
            owner.live[video.id] = self._seq
            owner.cursors[video.id] = self._seq

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
            return True

    def list_videos(
        self, owner: str, *, after: str | None, limit: int, order: Literal["asc", "desc"]
    ) -> VideoPage:
        with self._lock:
            videos = self._videos.get(owner) or _OwnerVideos()
            seqs = videos.seqs
            if after is not None and after not in videos.cursors:
                raise UnknownCursor(after)
            if order == "asc":
                start = bisect.bisect_right(seqs, videos.cursors[after]) if after is not None else 0
                chosen = seqs[start : start + limit]
                has_more = start + limit < len(seqs)
            else:
                end = bisect.bisect_left(seqs, videos.cursors[after]) if after is not None else len(seqs)
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
