"""The job lifecycle, stepped with the mock's clock (no sleeping, no timing assertions)."""

import pytest

from videos_toolkit.mock import FAIL_MARKER

STATUS_ORDER = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


def walk(handle, video_id: str, step: float = 0.1, until: float = 4.0) -> list[dict]:
    """Retrieve the job every ``step`` mock seconds; return every observed video (with its headers)."""
    seen = []
    elapsed = 0.0
    while elapsed <= until:
        response = handle.client.get(f"/videos/{video_id}")
        assert response.status_code == 200
        seen.append({**response.json(), "_poll_after": response.headers.get("openai-poll-after-ms")})
        handle.runtime.clock.advance(step)
        elapsed += step
    return seen


def assert_consistent(video: dict) -> None:
    if video["status"] == "completed":
        assert video["progress"] == 100
        assert video["completed_at"] is not None and video["completed_at"] >= video["created_at"]
        assert video["expires_at"] == video["completed_at"] + 86400
        assert video["error"] is None
    else:
        assert video["completed_at"] is None and video["expires_at"] is None
    if video["status"] == "failed":
        assert video["error"]["code"] == "video_generation_failed" and video["error"]["message"]
    else:
        assert video["error"] is None
    if video["status"] == "queued":
        assert video["progress"] == 0
    if video["status"] == "in_progress":
        assert 0 < video["progress"] < 100


def test_creation_shows_queued_with_progress_0(mock):
    video = mock.create(seconds="8", size="1280x720", model="sora-2-pro")
    assert (video["status"], video["progress"], video["object"]) == ("queued", 0, "video")
    assert (video["seconds"], video["size"], video["model"]) == ("8", "1280x720", "sora-2-pro")
    assert video["id"].startswith("video_") and video["completed_at"] is None


def test_defaults_on_create(mock):
    video = mock.create()
    assert (video["model"], video["seconds"], video["size"]) == ("sora-2", "4", "720x1280")


def test_a_job_goes_queued_then_in_progress_then_completed_monotonically(mock):
    seen = walk(mock, mock.create()["id"])
    statuses = [v["status"] for v in seen]
    assert statuses[0] == "queued" and statuses[-1] == "completed"
    assert "in_progress" in statuses
    assert [STATUS_ORDER[s] for s in statuses] == sorted(STATUS_ORDER[s] for s in statuses)
    progress = [v["progress"] for v in seen]
    assert progress == sorted(progress)
    rising = {p for v, p in zip(seen, progress, strict=True) if v["status"] == "in_progress"}
    assert len(rising) > 5  # progress really rises while in progress
    for video in seen:
        assert_consistent(video)
        # the poll hint is sent exactly while the job is not terminal
        assert (video["_poll_after"] is not None) == (video["status"] in ("queued", "in_progress"))
    assert seen[0]["_poll_after"] == "250"


def test_the_fail_marker_makes_the_job_fail_deterministically(mock):
    seen = walk(mock, mock.create(f"a cat {FAIL_MARKER.upper()} on stage")["id"])
    statuses = [v["status"] for v in seen]
    assert statuses[-1] == "failed" and "completed" not in statuses
    assert "queued" in statuses and "in_progress" in statuses
    assert [STATUS_ORDER[s] for s in statuses] == sorted(STATUS_ORDER[s] for s in statuses)
    progress = [v["progress"] for v in seen]
    assert progress == sorted(progress) and progress[-1] < 100
    for video in seen:
        assert_consistent(video)
    assert "[fail]" in seen[-1]["error"]["message"]


@pytest.mark.parametrize(
    ("marker", "code"),
    [("[fail]", "video_generation_failed"), ("[FAIL:moderation_blocked]", "moderation_blocked")],
)
def test_the_fail_marker_may_name_the_error_code_a_test_needs(mock, marker, code):
    # An app may branch on the code (a moderation refusal is not a retryable failure).
    seen = walk(mock, mock.create(f"a cat {marker} on stage")["id"])
    assert seen[-1]["status"] == "failed" and seen[-1]["error"]["code"] == code


def test_a_failed_job_cannot_be_downloaded(mock):
    video = mock.create("[fail]")
    mock.runtime.clock.advance(10)
    response = mock.client.get(f"/videos/{video['id']}/content")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "video_not_completed"


def test_speed_scales_the_lifecycle_and_the_poll_hint(make_mock):
    handle = make_mock(speed=10)
    video = handle.create()
    response = handle.client.get(f"/videos/{video['id']}")
    assert response.headers["openai-poll-after-ms"] == "25"
    # 10x speed: the job's ~2.75 s of mock time is ~0.3 s of wall time; mock time is what counts.
    handle.runtime.clock.advance(3)
    assert handle.client.get(f"/videos/{video['id']}").json()["status"] == "completed"


def test_instant_jobs_are_terminal_on_first_read(make_mock):
    handle = make_mock(instant=True)
    video = handle.create()
    assert video["status"] == "queued"
    read = handle.client.get(f"/videos/{video['id']}")
    assert read.json()["status"] == "completed" and "openai-poll-after-ms" not in read.headers
    failing = handle.create("[fail]")
    assert handle.client.get(f"/videos/{failing['id']}").json()["status"] == "failed"


def test_the_clock_only_moves_forward(mock):
    with pytest.raises(ValueError):
        mock.runtime.clock.advance(-1)
    before = mock.runtime.clock.now()
    mock.runtime.clock.advance(2.5)
    assert mock.runtime.clock.now() >= before + 2.5
