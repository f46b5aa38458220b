"""A :class:`~videos_toolkit.mock.store.MockStore` kept in one SQLite file (standard library
``sqlite3``), so a restarted mock loses no job: ``MockConfig(state_file=path)`` or
``scripts/mock --state-file PATH``.

Same semantics as :class:`~videos_toolkit.mock.store.InMemoryStore`: videos are private to their
owner; every video gets a global, increasing sequence number (SQLite's ``AUTOINCREMENT`` never
reuses one, even after deletes and restarts); a page is the owner's live videos after (or before)
the cursor's sequence number in that order, so pagination is stable under inserts and deletes; a
deleted video leaves a tombstone (id and sequence number) so its id stays a valid cursor, and each
owner keeps only the newest ``TOMBSTONES_PER_OWNER`` of them.

Durability: every write is its own transaction, committed before the request is answered, in WAL
mode with ``synchronous=NORMAL``: an acknowledged job survives the mock being killed (SIGKILL)
at any moment; a power cut may lose the last transactions (the OS had not written them yet).

The clock anchor is kept too (see clock.py), so mock time resumes where it would be now and never
goes back: a job created before a restart keeps ageing and still completes.

One store per file: two mocks on one file would each keep their own clock and in-flight state, and
answer the same Idempotency-Key with two different jobs. So a store holds an exclusive ``flock`` on
a sibling lock file, ``PATH.lock``, from opening to :meth:`SqliteStore.close`, and a second store on
the same file (in another process or this one) raises :class:`StateFileInUse`. The kernel drops the
lock when the process exits, however it exits (SIGKILL included): a lock file left on disk blocks
nothing, only a held lock does. The file holds the holder's PID, for the message. Where ``fcntl`` is
missing (Windows) there is no lock and nothing is refused.
"""

import contextlib
import errno
import os
import sqlite3
import threading
import time
import warnings
from pathlib import Path
from typing import Literal

try:
    import fcntl
except ImportError:  # not a POSIX system: no lock, see the module's docstring
    fcntl = None  # type: ignore[assignment]

from videos_toolkit.mock.clock import ClockAnchor
from videos_toolkit.mock.store import (
    IDEMPOTENCY_LIMIT,
    IDEMPOTENCY_TTL,
    TOMBSTONES_PER_OWNER,
    CharacterRecord,
    StoredAnswer,
    UnknownCursor,
    VideoPage,
    VideoRecord,
)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS videos (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    owner TEXT NOT NULL,
    created_at REAL NOT NULL,
    prompt TEXT NOT NULL,
    model TEXT NOT NULL,
    seconds TEXT NOT NULL,
    size TEXT NOT NULL,
    remixed_from_video_id TEXT,
    run_time REAL NOT NULL,
    queued_for REAL NOT NULL,
    fails INTEGER NOT NULL,
    UNIQUE (owner, id)
);
CREATE INDEX IF NOT EXISTS videos_by_owner ON videos (owner, seq);
CREATE TABLE IF NOT EXISTS tombstones (
    deleted INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    UNIQUE (owner, id)
);
CREATE INDEX IF NOT EXISTS tombstones_by_owner ON tombstones (owner, deleted);
CREATE TABLE IF NOT EXISTS characters (
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (owner, id)
);
CREATE TABLE IF NOT EXISTS answers (
    stored INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    media_type TEXT NOT NULL,
    stored_at REAL NOT NULL,
    UNIQUE (owner, key)
);
CREATE INDEX IF NOT EXISTS answers_by_age ON answers (stored_at);
"""

_VIDEO_COLUMNS = (
    "id, owner, created_at, prompt, model, seconds, size, remixed_from_video_id, run_time, queued_for, fails"
)


class StateFileInUse(ValueError):
    """Another open store (in another process, or in this one) holds the state file."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.pid = pid
        if pid is not None and pid == os.getpid():
            holder = (
                "already open in this process, by another store: close that one first "
                "(app.state.mock.store.close())"
            )
        else:
            holder = "in use by another mock process" + (f" (PID {pid})" if pid is not None else "")
        super().__init__(f"{path}: this state file is {holder}; a state file serves one mock at a time")


def lock_path(path: Path) -> Path:
    """The lock file of a state file: next to the file that symlinks lead to, as SQLite's own
    ``-wal`` and ``-shm`` files, so two names for one file share one lock."""
    resolved = path.resolve()
    return resolved.with_name(resolved.name + ".lock")


def _holder(fd: int) -> int | None:
    """The PID written in the lock file by its holder, if it names a live process."""
    try:
        pid = int(os.pread(fd, 32, 0).decode().strip())
        if pid != os.getpid():
            os.kill(pid, 0)  # raises if there is no such process (a holder not done writing yet)
    except PermissionError:  # a live process of another user
        return pid
    except (OSError, ValueError):
        return None
    return pid


def _lock(path: Path) -> int | None:
    """An open descriptor of ``path``'s lock file holding an exclusive flock, or None where
    locks are unavailable. Raises :class:`StateFileInUse` if another descriptor holds it."""
    if fcntl is None:
        return None
    where = lock_path(path)
    try:
        fd = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
        writable = True
    except PermissionError as denied:  # a lock file another user created: flock needs no write access
        try:
            fd = os.open(where, os.O_RDONLY)
        except FileNotFoundError:  # a directory this user cannot write to
            raise denied from None
        writable = False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            pid = _holder(fd)
            os.close(fd)
            raise StateFileInUse(path, pid) from None
        os.close(fd)
        warnings.warn(
            f"{path}: cannot lock {where} ({exc}), so another mock on this state file would not be refused",
            stacklevel=3,
        )
        return None
    if writable:
        with contextlib.suppress(OSError):  # the PID only serves the message of a refused store
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _video(row: tuple) -> VideoRecord:
    return VideoRecord(
        id=row[0],
        owner=row[1],
        created_at=row[2],
        prompt=row[3],
        model=row[4],
        seconds=row[5],
        size=row[6],
        remixed_from_video_id=row[7],
        run_time=row[8],
        queued_for=row[9],
        fails=bool(row[10]),
    )


class SqliteStore:
    """The mock's state in a SQLite file; one connection, one lock around every operation.

    Holds the file's lock (see the module's docstring) until :meth:`close`: a second store on the
    same file raises :class:`StateFileInUse` (a ``ValueError``)."""

    def __init__(self, path: str | Path, *, tombstones_per_owner: int = TOMBSTONES_PER_OWNER) -> None:
        self.path = Path(path)
        self._tombstones_per_owner = tombstones_per_owner
        self._lock = threading.Lock()
        # Before SQLite opens the file: a refused store must not write to a file in use.
        try:
            self._file_lock = _lock(self.path)
        except OSError as exc:
            raise ValueError(f"{self.path}: cannot be used as the mock's state file: {exc}") from exc
        # Autocommit mode: each statement outside an explicit BEGIN commits at once.
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            self._unlock()
            raise ValueError(f"{self.path}: cannot be used as the mock's state file: {exc}") from exc
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._create_schema()
        except BaseException as exc:
            self.close()
            if isinstance(exc, sqlite3.Error):
                raise ValueError(f"{self.path}: cannot be used as the mock's state file: {exc}") from exc
            raise

    # -- plumbing ------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        with self._lock:
            tables = sorted(
                row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            )
            if tables and "meta" not in tables:
                # Someone else's database: adding the mock's tables to it would be a surprise.
                raise ValueError(
                    f"{self.path}: a SQLite database of something else (tables: {', '.join(tables[:5])}), "
                    "not a state file of this mock; pass a path of its own (it is created if missing)"
                )
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) != SCHEMA_VERSION:
                raise ValueError(
                    f"{self.path}: state file schema version {row[0]}, this mock reads {SCHEMA_VERSION}"
                )

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type: object, *_: object) -> None:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")

    def _transaction(self) -> "SqliteStore._Tx":
        return SqliteStore._Tx(self._db)

    def _unlock(self) -> None:
        fd, self._file_lock = self._file_lock, None
        if fd is not None:
            os.close(fd)  # releases the flock; the file stays, blocking nothing

    def close(self) -> None:
        """Closes the database, then releases the state file to another store."""
        with self._lock:
            self._db.close()
            self._unlock()

    def clear(self) -> None:
        with self._lock, self._transaction() as db:
            for table in ("videos", "tombstones", "characters", "answers"):
                db.execute(f"DELETE FROM {table}")

    # -- videos --------------------------------------------------------------------------------

    def add_video(self, video: VideoRecord) -> None:
        with self._lock, self._transaction() as db:
            taken = db.execute(
                "SELECT 1 FROM videos WHERE owner = ? AND id = ? "
                "UNION ALL SELECT 1 FROM tombstones WHERE owner = ? AND id = ?",
                (video.owner, video.id, video.owner, video.id),
            ).fetchone()
            if taken:
                raise ValueError(f"duplicate video id {video.id}")
            db.execute(
                f"INSERT INTO videos ({_VIDEO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    video.id,
                    video.owner,
                    video.created_at,
                    video.prompt,
                    video.model,
                    video.seconds,
                    video.size,
                    video.remixed_from_video_id,
                    video.run_time,
                    video.queued_for,
                    int(video.fails),
                ),
            )

    def get_video(self, owner: str, video_id: str) -> VideoRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_VIDEO_COLUMNS} FROM videos WHERE owner = ? AND id = ?", (owner, video_id)
            ).fetchone()
        return _video(row) if row else None

    def delete_video(self, owner: str, video_id: str) -> bool:
        with self._lock, self._transaction() as db:
            row = db.execute(
                "SELECT seq FROM videos WHERE owner = ? AND id = ?", (owner, video_id)
            ).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM videos WHERE seq = ?", (row[0],))
            db.execute("INSERT INTO tombstones (owner, id, seq) VALUES (?, ?, ?)", (owner, video_id, row[0]))
            db.execute(
                "DELETE FROM tombstones WHERE owner = ? AND deleted <= ("
                " SELECT deleted FROM tombstones WHERE owner = ? ORDER BY deleted DESC LIMIT 1 OFFSET ?)",
                (owner, owner, self._tombstones_per_owner),
            )
            return True

    def list_videos(
        self, owner: str, *, after: str | None, limit: int, order: Literal["asc", "desc"]
    ) -> VideoPage:
        with self._lock:
            db = self._db
            cursor: int | None = None
            if after is not None:
                row = db.execute(
                    "SELECT seq FROM videos WHERE owner = ? AND id = ? "
                    "UNION ALL SELECT seq FROM tombstones WHERE owner = ? AND id = ?",
                    (owner, after, owner, after),
                ).fetchone()
                if row is None:
                    raise UnknownCursor(after)
                cursor = row[0]
            if order == "asc":
                where, direction = ("AND seq > ?", "ASC")
                bound = cursor if cursor is not None else -1
            else:
                where, direction = ("AND seq < ?", "DESC")
                bound = cursor if cursor is not None else 2**63 - 1
            # One row more than asked says whether there is more.
            rows = db.execute(
                f"SELECT {_VIDEO_COLUMNS} FROM videos "
                f"WHERE owner = ? {where} ORDER BY seq {direction} LIMIT ?",
                (owner, bound, limit + 1),
            ).fetchall()
        return VideoPage([_video(row) for row in rows[:limit]], len(rows) > limit)

    # -- characters ----------------------------------------------------------------------------

    def add_character(self, character: CharacterRecord) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO characters (owner, id, created_at, name) VALUES (?, ?, ?, ?)",
                (character.owner, character.id, character.created_at, character.name),
            )

    def get_character(self, owner: str, character_id: str) -> CharacterRecord | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, owner, created_at, name FROM characters WHERE owner = ? AND id = ?",
                (owner, character_id),
            ).fetchone()
        return CharacterRecord(*row) if row else None

    # -- idempotent answers --------------------------------------------------------------------

    def get_answer(self, owner: str, key: str) -> StoredAnswer | None:
        with self._lock:
            row = self._db.execute(
                "SELECT owner, key, fingerprint, status, body, media_type, stored_at FROM answers "
                "WHERE owner = ? AND key = ?",
                (owner, key),
            ).fetchone()
        if row is None:
            return None
        answer = StoredAnswer(row[0], row[1], row[2], row[3], bytes(row[4]), row[5], row[6])
        return None if answer.expired(time.time()) else answer

    def put_answer(self, answer: StoredAnswer) -> None:
        with self._lock, self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers "
                "(owner, key, fingerprint, status, body, media_type, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    answer.owner,
                    answer.key,
                    answer.fingerprint,
                    answer.status,
                    answer.body,
                    answer.media_type,
                    answer.stored_at,
                ),
            )
            db.execute("DELETE FROM answers WHERE stored_at <= ?", (time.time() - IDEMPOTENCY_TTL,))
            db.execute(
                "DELETE FROM answers WHERE stored <= ("
                " SELECT stored FROM answers ORDER BY stored DESC LIMIT 1 OFFSET ?)",
                (IDEMPOTENCY_LIMIT,),
            )

    # -- clock ---------------------------------------------------------------------------------

    def load_clock(self) -> ClockAnchor | None:
        """The saved anchor, moved forward if needed so mock time is never before the newest
        record's creation (a guard against a wall clock set back between runs)."""
        with self._lock:
            rows = dict(
                self._db.execute(
                    "SELECT name, value FROM meta WHERE name IN ('clock_wall', 'clock_mock', 'clock_speed')"
                ).fetchall()
            )
            newest = self._db.execute("SELECT MAX(created_at) FROM videos").fetchone()[0]
        if len(rows) < 3:
            return None
        anchor = ClockAnchor(float(rows["clock_wall"]), float(rows["clock_mock"]), float(rows["clock_speed"]))
        if newest is not None and anchor.mock_at(time.time()) < newest:
            anchor = ClockAnchor(time.time(), newest, anchor.speed)
        return anchor

    def save_clock(self, anchor: ClockAnchor) -> None:
        with self._lock, self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                [
                    ("clock_wall", repr(anchor.wall)),
                    ("clock_mock", repr(anchor.mock)),
                    ("clock_speed", repr(anchor.speed)),
                ],
            )

    def footprint(self) -> dict[str, int]:
        with self._lock:
            return {
                table: self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("videos", "tombstones", "characters", "answers")
            }
