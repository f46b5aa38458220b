"""Polling: poll / create_and_poll / extend_and_poll / edit_and_poll / remix_and_poll, sync and
async, wait what openai-poll-after-ms asks, stop on completed or failed, give up after poll_timeout
and report progress. The injected sleep moves the mock's clock, so nothing waits."""

import pytest
import videos_client
from videos_client.models import VideoStatus

from tests.client_support import KEY, FakeTime, async_client, mock_app, run, sync_client
from videos_toolkit.mock import FAIL_MARKER

LIVE_MOCK_CONFIG = {"speed": 50}


def test_poll_reaches_completed_waiting_what_the_server_asks():
    app = mock_app(poll_after_ms=400)
    fake = FakeTime(app.state.mock)
    seen = []
    with sync_client(app, fake) as client:
        job = client.videos.create(prompt="a calico cat playing piano", seconds=8)
        video = client.videos.poll(job.id, on_progress=seen.append)
    assert video.status == VideoStatus.COMPLETED and video.progress == 100
    assert fake.sleeps and set(fake.sleeps) == {0.4}
    statuses = [v.status for v in seen]
    assert statuses[0] == "queued" and "in_progress" in statuses and statuses[-1] == "completed"
    assert statuses.count("completed") == 1
    progress = [v.progress for v in seen]
    assert progress == sorted(progress)
    assert len(seen) == len(fake.sleeps) + 1


def test_poll_returns_a_failed_video_with_its_error():
    app = mock_app()
    fake = FakeTime(app.state.mock)
    with sync_client(app, fake) as client:
        video = client.videos.create_and_poll(prompt=f"a cat {FAIL_MARKER}")
    assert video.status == VideoStatus.FAILED
    assert video.error is not None and video.error.code == "video_generation_failed"
    assert FAIL_MARKER in video.error.message


def test_poll_interval_ms_overrides_the_header():
    app = mock_app(poll_after_ms=5000)
    fake = FakeTime(app.state.mock)
    with sync_client(app, fake) as client:
        client.videos.create_and_poll(prompt="a cat", poll_interval_ms=100)
    assert set(fake.sleeps) == {0.1} and len(fake.sleeps) >= 20


def test_poll_timeout_gives_up_with_the_last_state():
    app = mock_app(poll_after_ms=1000)
    fake = FakeTime()  # the mock's clock does not move: the job never finishes
    with sync_client(app, fake) as client:
        job = client.videos.create(prompt="a cat")
        with pytest.raises(videos_client.PollTimeoutError) as caught:
            client.videos.poll(job.id, poll_timeout=2.5)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.video.id == job.id and caught.value.video.status == "queued"
    assert fake.sleeps == [1.0, 1.0, 0.5]  # the last wait is cut to the deadline
    assert caught.value.waited == pytest.approx(2.5)
    assert "still queued" in str(caught.value)


def test_an_already_terminal_video_is_returned_without_waiting():
    app = mock_app(instant=True)
    fake = FakeTime()
    with sync_client(app, fake) as client:
        job = client.videos.create(prompt="a cat")
        assert client.videos.poll(job.id).status == "completed"
    assert fake.sleeps == []


def test_extend_remix_and_edit_and_poll():
    app = mock_app()
    fake = FakeTime(app.state.mock)
    with sync_client(app, fake) as client:
        source = client.videos.create_and_poll(prompt="a cat", seconds=4)
        by_id = client.videos.extend_and_poll(prompt="the cat bows", seconds=16, video={"id": source.id})
        clip = client.videos.download_content(source.id)
        by_file = client.videos.extend_and_poll(prompt="the cat bows", seconds="8", video=("clip.mp4", clip))
        remixed = client.videos.remix_and_poll(source.id, prompt="a blue cat")
        edited = client.videos.edit_and_poll(prompt="add a hat", video={"id": source.id})
    assert (by_id.status, by_id.seconds) == ("completed", "20")
    assert (by_file.status, by_file.seconds) == ("completed", "12")
    assert remixed.status == "completed" and remixed.remixed_from_video_id == source.id
    assert edited.status == "completed"


def test_an_upload_tuple_without_a_file_name_is_still_a_file():
    # (None, content) is a FileInput too; without a name a multipart part would be a text field.
    app = mock_app(instant=True)
    with sync_client(app) as client:
        source = client.videos.create_and_poll(prompt="a cat", seconds=4)
        clip = client.videos.download_content(source.id)
        extended = client.videos.extend(prompt="the cat bows", seconds=4, video=(None, clip))
    assert extended.seconds == "8"


def test_the_async_client_polls_too_with_an_async_progress_callback():
    app = mock_app(poll_after_ms=300)
    fake = FakeTime(app.state.mock)
    seen = []

    async def record(video):
        seen.append(video.status)

    async def scenario():
        async with async_client(app, fake) as client:
            done = await client.videos.create_and_poll(prompt="a cat", on_progress=record)
            failed = await client.videos.create_and_poll(prompt=f"a dog {FAIL_MARKER}")
            extended = await client.videos.extend_and_poll(prompt="more", seconds=4, video={"id": done.id})
            remixed = await client.videos.remix_and_poll(done.id, prompt="blue")
            edited = await client.videos.edit_and_poll(prompt="hat", video={"id": done.id})
            with pytest.raises(videos_client.PollTimeoutError):
                job = await client.videos.create(prompt="slow")
                await client.videos.poll(job.id, poll_timeout=0)
            return done, failed, extended, remixed, edited

    done, failed, extended, remixed, edited = run(scenario())
    assert done.status == "completed" and failed.status == "failed"
    assert extended.seconds == "8" and remixed.status == edited.status == "completed"
    assert seen[0] == "queued" and seen[-1] == "completed"
    assert 0.3 in fake.sleeps


def test_polling_over_http_with_the_default_sleep(live_mock):
    seen = []
    with videos_client.VideosClient(api_key=KEY, base_url=live_mock.base_url) as client:
        video = client.videos.create_and_poll(prompt="a cat", on_progress=seen.append, poll_timeout=30)
    assert video.status == "completed" and seen[-1].status == "completed"
