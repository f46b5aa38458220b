"""A mock whose answers repeat from run to run, for snapshot tests: ids from --seed, mock time from
--start-time, and --speed 0 for a clock that moves only when a test moves it."""

import subprocess
import sys

import httpx
import pytest

from videos_toolkit.mock import InProcessTransport, MockConfig, create_app
from videos_toolkit.mock.cli import config_from, parser
from videos_toolkit.mock.clock import LATEST

KEY = {"Authorization": "Bearer sk-snap"}
START = 1_767_225_600  # 2026-01-01T00:00:00Z


def client(**config) -> httpx.Client:
    app = create_app(MockConfig(**config))
    return httpx.Client(transport=InProcessTransport(app), base_url="http://mock/v1", headers=KEY)


def session(c: httpx.Client) -> list[bytes]:
    """A short session of an app: create, extend, poll, list; the bodies as answered."""
    created = c.post("/videos", json={"prompt": "a cat", "seconds": "4"})
    video = created.json()
    c.post("http://mock/_mock/clock/advance", json={"seconds": 10})
    extend = {"prompt": "more", "seconds": "4", "video": {"id": video["id"]}}
    longer = c.post("/videos/extensions", json=extend)
    assert longer.status_code == 200, longer.text
    answers = [created, longer, c.get(f"/videos/{video['id']}"), c.get("/videos")]
    return [answer.content for answer in answers]


def test_the_same_seed_and_start_time_answer_the_same_bytes_run_after_run():
    frozen = {"seed": 7, "start_time": START, "speed": 0}
    with client(**frozen) as first, client(**frozen) as second:
        assert session(first) == session(second)
    with client(**frozen) as c:
        video = c.post("/videos", json={"prompt": "a cat"}).json()
    assert video["created_at"] == START and len(video["id"]) == len("video_") + 48


def test_without_a_seed_ids_are_drawn_at_random_and_another_seed_draws_others():
    with client() as a, client() as b, client(seed=1) as c, client(seed=2) as d:
        ids = [x.post("/videos", json={"prompt": "a cat"}).json()["id"] for x in (a, b, c, d)]
    assert len(set(ids)) == 4


def test_time_standing_still_moves_only_when_advanced():
    with client(speed=0, start_time=START) as c:
        video = c.post("/videos", json={"prompt": "a cat"}).json()
        polled = c.get(f"/videos/{video['id']}")
        assert polled.json()["status"] == "queued" and polled.headers["openai-poll-after-ms"] == "250"
        c.post("http://mock/_mock/clock/advance", json={"seconds": 60})
        done = c.get(f"/videos/{video['id']}").json()
    assert done["status"] == "completed" and START < done["completed_at"] < START + 60


def test_a_reset_starts_the_ids_and_the_clock_again():
    with client(seed=3, start_time=START, speed=0) as c:
        first = c.post("/videos", json={"prompt": "a cat"}).json()
        c.post("http://mock/_mock/clock/advance", json={"seconds": 100})
        assert c.post("http://mock/_mock/reset").json() == {"now": START}
        again = c.post("/videos", json={"prompt": "a cat"}).json()
    assert (again["id"], again["created_at"]) == (first["id"], START)


def test_a_seed_or_a_start_time_with_a_state_file_is_refused(tmp_path):
    # A restart would hand out the ids of stored videos again, or move their time back.
    for extra in ({"seed": 1}, {"start_time": START}):
        with pytest.raises(ValueError, match="a state file keeps its own ids and mock time"):
            MockConfig(state_file=tmp_path / "s.db", **extra)


@pytest.mark.parametrize(
    ("given", "start"),
    [("1767225600", START), ("2026-01-01T00:00:00Z", START), ("2026-01-01T01:00:00+01:00", START)],
)
def test_the_start_time_is_unix_seconds_or_iso_8601(given, start):
    assert config_from(parser().parse_args(["--start-time", given])).start_time == start


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--start-time", "yesterday"], "ISO 8601"),
        (["--start-time", "-5"], "from 1970 to the year 9999"),
        (["--speed", "0.0001"], "must be 0 (time stands still) or from 0.001"),
        (["--stateless", "--seed", "1"], "a stateless mock makes no ids"),
        (["--seed", "1", "--state-file", "x.db"], "a state file keeps its own ids"),
    ],
)
def test_bad_reproducibility_flags_are_one_line_and_exit_2(flags, said, tmp_path):
    command = [sys.executable, "-m", "videos_toolkit.mock", "--port", "0", *flags]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2 and said in result.stderr, result.stderr


def test_a_clock_started_near_the_year_9999_refuses_to_advance_past_it_in_words():
    with client(start_time=LATEST - 1, speed=1e6) as c:
        c.post("/videos", json={"prompt": "a cat"})  # time runs on, past the last second
        refused = c.post("http://mock/_mock/clock/advance", json={"seconds": 5})
    assert refused.status_code == 400 and "at most 0 more seconds" in refused.json()["error"]["message"]


def test_with_a_seed_request_ids_and_so_the_journal_repeat_too():
    frozen = {"seed": 5, "start_time": START, "speed": 0}
    journals, firsts = [], []
    for _ in range(2):
        with client(**frozen) as c:
            first = c.get("/videos").headers["x-request-id"]
            session(c)
            journals.append(c.get("http://mock/_mock/requests").content)
            c.post("http://mock/_mock/reset")
            assert c.get("/videos").headers["x-request-id"] == first  # a reset starts them again
            firsts.append(first)
    assert journals[0] == journals[1] and firsts[0] == firsts[1]
