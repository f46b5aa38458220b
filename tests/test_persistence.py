"""The mock's stores: the SQLite store (``--state-file``) behaves exactly as the in-memory one, and a
mock killed with SIGKILL mid-run and restarted on the same file loses no acknowledged job, whose
lifecycle continues (status never goes backwards across the restart, every job ends terminal)."""

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from tests.reliability_support import MockProcess
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.clock import ClockAnchor
from videos_toolkit.mock.sqlite_store import SqliteStore
from videos_toolkit.mock.store import (
    IDEMPOTENCY_TTL,
    CharacterRecord,
    InMemoryStore,
    StoredAnswer,
    UnknownCursor,
    VideoRecord,
)

STATUS_RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


def record(ident: str, owner: str = "o", created_at: float = 0.0) -> VideoRecord:
    return VideoRecord(ident, owner, created_at, "p", "sora-2", "4", "720x1280")


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request, tmp_path) -> Iterator:
    made = []

    def make(**options):
        if request.param == "memory":
            store = InMemoryStore(**options)
        else:
            store = SqliteStore(tmp_path / f"state{len(made)}.db", **options)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store):
    return make_store()


def walk(store, owner="o", order="asc", limit=3) -> list[str]:
    seen, after = [], None
    while True:
        page = store.list_videos(owner, after=after, limit=limit, order=order)
        seen += [v.id for v in page.items]
        if not page.has_more:
            return seen
        after = page.items[-1].id


# -- the same behaviour from both stores ---------------------------------------------------------


def test_round_trip_keeps_every_field(store):
    video = VideoRecord(
        "v1",
        "o",
        1234.5,
        "a cat",
        "sora-2-pro",
        "12",
        "1280x720",
        "v0",
        run_time=0.0,
        queued_for=0.0,
        fails=True,
    )
    store.add_video(video)
    assert store.get_video("o", "v1") == video


def test_ownership(store):
    store.add_video(record("mine", "a"))
    store.add_video(record("theirs", "b"))
    assert store.get_video("a", "theirs") is None and store.get_video("b", "mine") is None
    assert store.delete_video("a", "theirs") is False
    assert store.get_video("b", "theirs") is not None
    assert walk(store, "a") == ["mine"] and walk(store, "b") == ["theirs"]
    with pytest.raises(UnknownCursor):
        store.list_videos("a", after="theirs", limit=10, order="asc")  # another's id is no cursor
    store.add_character(CharacterRecord("char_1", "a", 5, "Mossy"))
    assert store.get_character("a", "char_1") == CharacterRecord("char_1", "a", 5, "Mossy")
    assert store.get_character("b", "char_1") is None


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 50])
def test_pages_cover_everything_once(store, order, limit):
    ids = [f"v{i}" for i in range(7)]
    for ident in ids:
        store.add_video(record(ident))
    assert walk(store, order=order, limit=limit) == (ids if order == "asc" else ids[::-1])
    empty = store.list_videos("o", after=None, limit=0, order=order)
    assert empty.items == [] and empty.has_more is True
    assert store.list_videos("nobody", after=None, limit=5, order=order).items == []


def test_pagination_is_stable_under_inserts_and_deletes(store):
    for i in range(6):
        store.add_video(record(f"v{i}"))
    first = store.list_videos("o", after=None, limit=3, order="asc")
    store.add_video(record("late"))
    assert store.delete_video("o", "v2")  # the cursor itself goes
    store.delete_video("o", "v4")
    rest = store.list_videos("o", after="v2", limit=10, order="asc")
    assert [v.id for v in first.items] == ["v0", "v1", "v2"]
    assert [v.id for v in rest.items] == ["v3", "v5", "late"] and not rest.has_more
    below = store.list_videos("o", after="v4", limit=10, order="desc")
    assert [v.id for v in below.items] == ["v3", "v1", "v0"]
    assert store.get_video("o", "v2") is None and store.delete_video("o", "v2") is False


def test_duplicate_ids_are_refused_even_after_deletion(store):
    store.add_video(record("v1"))
    with pytest.raises(ValueError):
        store.add_video(record("v1"))
    store.delete_video("o", "v1")
    with pytest.raises(ValueError):
        store.add_video(record("v1"))  # its tombstone still names it


def test_tombstones_are_bounded_per_owner(make_store):
    store = make_store(tombstones_per_owner=3)
    for i in range(8):
        store.add_video(record(f"v{i}"))
        store.add_video(record(f"w{i}", owner="other"))
    for i in range(5):
        assert store.delete_video("o", f"v{i}")
    assert store.footprint()["tombstones"] == 3
    for gone in ("v0", "v1"):  # the oldest deletions no longer work as cursors
        with pytest.raises(UnknownCursor):
            store.list_videos("o", after=gone, limit=10, order="asc")
    for kept in ("v2", "v3", "v4"):  # the newest still do
        assert [v.id for v in store.list_videos("o", after=kept, limit=10, order="asc").items] == [
            "v5",
            "v6",
            "v7",
        ]
    assert walk(store, "other") == [f"w{i}" for i in range(8)]  # another owner's tombstones are apart
    assert store.footprint()["videos"] == 3 + 8


def test_idempotent_answers(store):
    now = time.time()
    answer = StoredAnswer("a", "k1", "fp", 200, b'{"id": "v1"}', "application/json", now)
    store.put_answer(answer)
    assert store.get_answer("a", "k1") == answer
    assert store.get_answer("b", "k1") is None  # keys are per owner
    store.put_answer(
        StoredAnswer("a", "old", "fp", 200, b"{}", "application/json", now - IDEMPOTENCY_TTL - 1)
    )
    assert store.get_answer("a", "old") is None  # older than 24 h: forgotten


def test_clock_anchor(store):
    if isinstance(store, InMemoryStore):
        assert store.load_clock() is None
        return
    assert store.load_clock() is None
    store.save_clock(ClockAnchor(1000.0, 5000.0, 10.0))
    assert store.load_clock() == ClockAnchor(1000.0, 5000.0, 10.0)


# -- SQLite only: across processes and restarts ----------------------------------------------------


def test_a_wall_clock_set_back_never_moves_mock_time_back(tmp_path):
    anchor = ClockAnchor(wall=1000.0, mock=5000.0, speed=10.0)
    assert anchor.mock_at(1010.0) == 5100.0
    assert anchor.mock_at(900.0) == 5000.0  # the wall clock went back while the mock was down
    store = SqliteStore(tmp_path / "state.db")
    newest = time.time() + 3600
    store.add_video(record("v", created_at=newest))  # made while mock time ran ahead
    store.save_clock(ClockAnchor(time.time(), time.time(), 1.0))  # an anchor behind that job
    assert store.load_clock().mock_at(time.time()) >= newest  # floored at the newest job
    store.close()


def test_state_survives_reopening(tmp_path):
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    for i in range(5):
        store.add_video(record(f"v{i}", created_at=float(i)))
    store.delete_video("o", "v1")
    store.add_character(CharacterRecord("char_1", "o", 3, "Mossy"))
    store.close()
    again = SqliteStore(path)
    assert walk(again) == ["v0", "v2", "v3", "v4"]
    assert [v.id for v in again.list_videos("o", after="v1", limit=10, order="asc").items] == [
        "v2",
        "v3",
        "v4",
    ]
    again.add_video(record("v5"))  # sequence numbers continue: the new video sorts last
    assert walk(again, order="desc")[0] == "v5"
    assert again.get_character("o", "char_1") is not None
    again.close()


def test_a_restart_resumes_the_clock_and_no_status_goes_back(tmp_path):
    """At speed 50 mock time runs far ahead of wall time; a restarted mock (at another speed) must
    resume from there, not from wall time, or completed jobs would read queued again."""
    path = tmp_path / "state.db"
    headers = {"Authorization": "Bearer sk-persist"}
    first = create_app(MockConfig(speed=50, state_file=path, validate_responses=True))
    with TestClient(first, base_url="http://mock/v1", headers=headers) as client:
        done = client.post("/videos", json={"prompt": "done before"}).json()
        first.state.mock.clock.advance(100)  # persisted: advance() saves the anchor
        late = client.post("/videos", json={"prompt": "created just before the restart"}).json()
        assert client.get(f"/videos/{done['id']}").json()["status"] == "completed"
        before = first.state.mock.clock.now()
    first.state.mock.store.close()

    second = create_app(MockConfig(speed=1, state_file=path, validate_responses=True))
    assert second.state.mock.clock.now() >= before
    with TestClient(second, base_url="http://mock/v1", headers=headers) as client:
        assert client.get(f"/videos/{done['id']}").json()["status"] == "completed"
        assert client.get(f"/videos/{late['id']}").json()["status"] in ("queued", "in_progress", "completed")
        second.state.mock.clock.advance(3)
        assert client.get(f"/videos/{late['id']}").json()["status"] == "completed"
    second.state.mock.store.close()


def test_the_mock_runs_its_http_behaviour_on_sqlite(make_mock, tmp_path):
    handle = make_mock(state_file=tmp_path / "state.db")
    ids = [handle.create(f"v{i}")["id"] for i in range(5)]
    assert handle.client.delete(f"/videos/{ids[1]}").status_code == 200
    page = handle.client.get("/videos", params={"order": "asc", "limit": 2, "after": ids[1]}).json()
    assert [v["id"] for v in page["data"]] == ids[2:4] and page["has_more"]
    assert (
        handle.client.get(f"/videos/{ids[0]}", headers={"Authorization": "Bearer other"}).status_code == 404
    )
    done = handle.completed()
    assert handle.client.get(f"/videos/{done['id']}/content").status_code == 200


# -- a real process, killed mid-run ----------------------------------------------------------------


def _creator(base_url: str, acknowledged: list[str], stop: threading.Event, key: str) -> None:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=5) as client:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                response = client.post("/videos", json={"prompt": f"job {i}", "seconds": "4"})
            except httpx.TransportError:
                return  # the server is gone: what was acknowledged is what counts
            if response.status_code == 200:
                acknowledged.append(response.json()["id"])


def test_sigkill_mid_run_loses_no_acknowledged_job(tmp_path):
    state = tmp_path / "state.db"
    keys = ["sk-persist-a", "sk-persist-b", "sk-persist-c"]
    acknowledged: dict[str, list[str]] = {key: [] for key in keys}
    seen_before: dict[str, str] = {}
    first = MockProcess("--state-file", str(state), "--speed", "20", "--log-level", "warning",
                        log_path=tmp_path / "first.log")  # fmt: skip
    stop = threading.Event()
    try:
        threads = [
            threading.Thread(target=_creator, args=(first.base_url, acknowledged[key], stop, key))
            for key in keys
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        # Read some states before the kill, to check none goes backwards afterwards.
        with httpx.Client(base_url=first.base_url, timeout=5) as client:
            for key in keys:
                for ident in acknowledged[key][:20]:
                    got = client.get(f"/videos/{ident}", headers={"Authorization": f"Bearer {key}"})
                    seen_before[ident] = got.json()["status"]
        first.signal(signal.SIGKILL)  # while the creators are still sending
        assert first.wait() == -signal.SIGKILL
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        first.kill()
    assert sum(map(len, acknowledged.values())) > 30, "the run created too few jobs to mean anything"
    assert "completed" in seen_before.values()

    second = MockProcess("--state-file", str(state), "--speed", "5", "--log-level", "warning",
                         log_path=tmp_path / "second.log")  # fmt: skip
    try:
        with httpx.Client(base_url=second.base_url, timeout=5) as client:
            for key in keys:
                auth = {"Authorization": f"Bearer {key}"}
                listed, after = [], None
                while True:
                    params = {"order": "asc", "limit": 100, **({"after": after} if after else {})}
                    page = client.get("/videos", params=params, headers=auth).json()
                    listed += [v["id"] for v in page["data"]]
                    if not page["has_more"]:
                        break
                    after = page["last_id"]
                assert len(listed) == len(set(listed)), "a job is listed twice"
                # every acknowledged job is there, in creation order (an unacknowledged one may be too)
                missing = set(acknowledged[key]) - set(listed)
                assert not missing, f"{len(missing)} acknowledged jobs lost"
                assert [i for i in listed if i in set(acknowledged[key])] == acknowledged[key]
                for ident in acknowledged[key]:
                    status = client.get(f"/videos/{ident}", headers=auth).json()["status"]
                    if ident in seen_before:
                        assert STATUS_RANK[status] >= STATUS_RANK[seen_before[ident]], (ident, status)
            deadline = time.monotonic() + 10
            pending = {(key, ident) for key in keys for ident in acknowledged[key]}
            while pending and time.monotonic() < deadline:
                for key, ident in list(pending):
                    video = client.get(f"/videos/{ident}", headers={"Authorization": f"Bearer {key}"}).json()
                    if video["status"] in ("completed", "failed"):
                        pending.discard((key, ident))
                time.sleep(0.1)
            assert not pending, f"{len(pending)} jobs never reached a terminal state"
    finally:
        second.signal(signal.SIGTERM)
        assert second.wait() == 0, second.log()


def test_cli_passes_the_state_file():
    from videos_toolkit.mock import cli

    config = cli.config_from(cli.parser().parse_args(["--state-file", "/tmp/x.db"]))
    assert config.state_file == Path("/tmp/x.db")
    assert cli.config_from(cli.parser().parse_args([])).state_file is None


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path, capsys):
    from videos_toolkit.mock import cli

    bad = tmp_path / "not.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert cli.main(["--state-file", str(bad), "--port", "1"]) == 2
    assert f"{bad}: cannot be used as the mock's state file" in capsys.readouterr().err
    assert cli.main(["--state-file", str(tmp_path / "missing" / "dir" / "s.db"), "--port", "1"]) == 2


def test_another_programs_database_is_refused_and_left_alone(tmp_path, capsys, monkeypatch):
    import sqlite3

    import uvicorn

    from videos_toolkit.mock import cli

    def serve(*args, **kwargs):
        raise AssertionError("the mock started on another program's database")

    monkeypatch.setattr(uvicorn, "run", serve)

    theirs = tmp_path / "app.db"
    with sqlite3.connect(theirs) as db:
        db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, owner TEXT)")
    assert cli.main(["--state-file", str(theirs), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{theirs}: a SQLite database of something else (tables: users)" in err, err
    with sqlite3.connect(theirs) as db:  # none of the mock's tables were added to it
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["users"]
