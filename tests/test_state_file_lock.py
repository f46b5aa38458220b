"""One mock per state file: a second ``scripts/mock --state-file`` on a file in use exits 2 at once,
naming the file and the PID of the mock using it; a second store on one file in one process raises
:class:`StateFileInUse`. The lock dies with its holder: after a SIGKILL, or a close, the file opens
again at once, though the lock file stays on disk."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.reliability_support import ROOT, MockProcess, free_port
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.sqlite_store import SqliteStore, StateFileInUse, lock_path
from videos_toolkit.mock.store import VideoRecord

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no flock: nothing is refused there")

HEADERS = {"Authorization": "Bearer sk-lock"}


def second_mock(state: os.PathLike, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "videos_toolkit.mock", "--host", "127.0.0.1", "--port", str(free_port()),
         "--state-file", str(state)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip


def test_a_second_mock_on_a_file_in_use_exits_2_at_once_and_one_starts_after_a_sigkill(tmp_path):
    state = tmp_path / "state.db"
    first = MockProcess("--state-file", str(state), "--log-level", "warning", log_path=tmp_path / "first.log")
    try:
        created = httpx.post(f"{first.base_url}/videos", json={"prompt": "p"}, headers=HEADERS).json()
        started = time.monotonic()
        refused = second_mock(state)
        took = time.monotonic() - started
        assert refused.returncode == 2, refused.stderr
        assert (
            f"scripts/mock: {state}: this state file is in use by another mock process "
            f"(PID {first.process.pid}); a state file serves one mock at a time. "
            "Stop that process, or pass another --state-file." in refused.stderr
        )
        assert "Traceback" not in refused.stderr
        assert took < 15, f"the refusal took {took:.1f} s"  # start-up and imports only, no waiting
        # the refused mock wrote nothing: the first one still serves its job
        got = httpx.get(f"{first.base_url}/videos/{created['id']}", headers=HEADERS)
        assert got.status_code == 200
        first.signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    finally:
        first.kill()
    assert lock_path(state).exists()  # left behind by the kill: it must not block the next start
    again = MockProcess("--state-file", str(state), "--log-level", "warning", log_path=tmp_path / "again.log")
    try:
        got = httpx.get(f"{again.base_url}/videos/{created['id']}", headers=HEADERS)
        assert got.status_code == 200
    finally:
        again.signal(signal.SIGTERM)
        assert again.wait() == 0, again.log()


def test_two_stores_on_one_file_in_one_process(tmp_path):
    state = tmp_path / "state.db"
    first = SqliteStore(state)
    first.add_video(VideoRecord("v1", "o", 0.0, "p", "sora-2", "4", "720x1280"))
    with pytest.raises(StateFileInUse) as refused:
        SqliteStore(state)
    assert isinstance(refused.value, ValueError)  # what create_app's callers already catch
    assert str(refused.value) == (
        f"{state}: this state file is already open in this process, by another store: close that "
        "one first (app.state.mock.store.close()); a state file serves one mock at a time"
    )
    # another name for the same file (a symlink) is the same file
    link = tmp_path / "link.db"
    link.symlink_to(state)
    with pytest.raises(StateFileInUse):
        SqliteStore(link)
    # the refusals changed nothing, and closing the first store releases the file
    first.close()
    second = SqliteStore(link)
    assert second.get_video("o", "v1") is not None
    second.close()


def test_two_apps_on_one_state_file(tmp_path):
    state = tmp_path / "state.db"
    first = create_app(MockConfig(state_file=state))
    with pytest.raises(StateFileInUse, match="already open in this process"):
        create_app(MockConfig(state_file=state))
    first.state.mock.store.close()
    second = create_app(MockConfig(state_file=state))
    second.state.mock.store.close()
    second.state.mock.store.close()  # closing twice is harmless


def test_the_pid_of_a_holder_from_another_process_is_named(tmp_path):
    state = tmp_path / "state.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from videos_toolkit.mock.sqlite_store import SqliteStore; "
         "s = SqliteStore(sys.argv[1]); print('open', flush=True); time.sleep(60)", str(state)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StateFileInUse, match=rf"in use by another mock process \(PID {holder.pid}\)"):
            SqliteStore(state)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    SqliteStore(state).close()  # the holder's death released it


def test_a_refused_cli_start_is_a_clean_exit_2(tmp_path, capsys, monkeypatch):
    import uvicorn

    from videos_toolkit.mock import cli

    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: pytest.fail("a second mock started serving"))
    state = tmp_path / "state.db"
    holder = SqliteStore(state)
    try:
        assert cli.main(["--state-file", str(state), "--port", str(free_port())]) == 2
    finally:
        holder.close()
    err = capsys.readouterr().err
    assert f"{state}: this state file is already open in this process" in err
    assert "pass another --state-file" in err


def test_without_fcntl_stores_open_unlocked(tmp_path, monkeypatch):
    """Where there is no ``fcntl`` (Windows), the store works, only unprotected."""
    from videos_toolkit.mock import sqlite_store

    monkeypatch.setattr(sqlite_store, "fcntl", None)
    first, second = SqliteStore(tmp_path / "state.db"), SqliteStore(tmp_path / "state.db")
    assert not lock_path(tmp_path / "state.db").exists()
    first.close()
    second.close()
