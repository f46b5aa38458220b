"""Retries: 408, 409, 429, 5xx and connection errors are retried with the waits the server asks
for (retry-after-ms, then Retry-After) or exponential backoff with jitter; other 4xx never are.
Waits are recorded by an injected sleep, never spent."""

import io
from email.utils import format_datetime

import httpx
import pytest
import videos_client
from videos_client import errors
from videos_client.api.videos import list_videos

from tests.client_support import KEY, FakeTime, Scripts, async_client, mock_app, run, sync_client


def video_gets(scripts: Scripts) -> int:
    return sum(1 for method, path in scripts.seen if method == "GET")


def test_a_429_is_retried_after_the_retry_after_ms_the_mock_sends():
    app = mock_app()
    app.state.mock.faults.enqueue(429, retry_after_ms=1500)  # retry-after: 2, retry-after-ms: 1500
    fake = FakeTime()
    with sync_client(app, fake) as client:
        page = client.videos.list()
    assert page.data == []
    assert fake.sleeps == [1.5]
    assert app.state.mock.faults.pending() == 0


def test_a_503_is_retried_after_its_retry_after_seconds():
    app = mock_app()
    app.state.mock.faults.enqueue(503, count=2, retry_after_ms=3000)  # retry-after: 3 only
    fake = FakeTime()
    with sync_client(app, fake) as client:
        client.videos.list()
    assert fake.sleeps == [3.0, 3.0]


def test_a_500_without_hints_backs_off_exponentially_with_jitter():
    app = mock_app()
    app.state.mock.faults.enqueue(500, count=2)
    fake = FakeTime()
    with sync_client(app, fake) as client:
        client.videos.list()
    first, second = fake.sleeps
    assert 0.375 <= first <= 0.5  # 0.5 s shortened by up to 25 % jitter
    assert 0.75 <= second <= 1.0  # then 1 s


def test_a_retry_after_http_date_is_honoured():
    scripts = Scripts(mock_app())
    from datetime import UTC, datetime, timedelta

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    scripts.answer(503, headers={"retry-after": when})
    fake = FakeTime()
    with sync_client(scripts, fake) as client:
        client.videos.list()
    assert len(fake.sleeps) == 1 and 27 <= fake.sleeps[0] <= 30


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(status):
    scripts = Scripts(mock_app())
    scripts.answer(status, headers={"retry-after-ms": "250"})
    fake = FakeTime()
    with sync_client(scripts, fake) as client:
        client.videos.list()
    assert fake.sleeps == [0.25]
    assert video_gets(scripts) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 415, 422])
def test_other_4xx_are_never_retried(status):
    scripts = Scripts(mock_app())
    scripts.answer(status, count=3, headers={"retry-after-ms": "250"})
    fake = FakeTime()
    with sync_client(scripts, fake) as client, pytest.raises(errors.APIStatusError) as caught:
        client.videos.list()
    assert caught.value.status_code == status
    assert fake.sleeps == [] and video_gets(scripts) == 1


def test_a_real_bad_request_from_the_mock_is_sent_once():
    scripts = Scripts(mock_app())
    fake = FakeTime()
    with sync_client(scripts, fake) as client, pytest.raises(errors.BadRequestError):
        client.videos.create(prompt="x", seconds="16")
    assert scripts.seen == [("POST", "/v1/videos")] and fake.sleeps == []


def test_retries_give_up_after_max_retries_with_the_last_answer():
    app = mock_app(fault_rate=1.0, fault_statuses=(429,), fault_retry_after_ms=700)
    fake = FakeTime()
    with sync_client(app, fake) as client, pytest.raises(errors.RateLimitError) as caught:
        client.videos.list()
    assert fake.sleeps == [0.7, 0.7]  # 2 retries by default: 3 attempts
    assert caught.value.retry_after == pytest.approx(0.7)


def test_max_retries_is_configurable_per_client_and_with_options():
    app = mock_app()
    fake = FakeTime()
    with sync_client(app, fake, max_retries=4) as client:
        app.state.mock.faults.enqueue(500, count=4)
        client.videos.list()
        assert len(fake.sleeps) == 4
        app.state.mock.faults.enqueue(500, count=2)
        with pytest.raises(errors.InternalServerError):
            client.with_options(max_retries=1).videos.list()
        assert len(fake.sleeps) == 5
        app.state.mock.faults.clear()


def test_zero_retries_turns_retrying_off():
    app = mock_app()
    app.state.mock.faults.enqueue(503)
    fake = FakeTime()
    with sync_client(app, fake, max_retries=0) as client, pytest.raises(errors.InternalServerError):
        client.videos.list()
    assert fake.sleeps == []


def test_a_wait_longer_than_a_minute_is_not_retried():
    scripts = Scripts(mock_app())
    scripts.answer(429, count=3, headers={"retry-after": "3600"})
    fake = FakeTime()
    with sync_client(scripts, fake) as client, pytest.raises(errors.RateLimitError) as caught:
        client.videos.list()
    assert fake.sleeps == [] and video_gets(scripts) == 1
    assert caught.value.retry_after == 3600
    assert caught.value.code == "scripted_429"  # the body survives the retry layer


def test_x_should_retry_false_is_obeyed():
    scripts = Scripts(mock_app())
    scripts.answer(500, count=3, headers={"x-should-retry": "false"})
    fake = FakeTime()
    with sync_client(scripts, fake) as client, pytest.raises(errors.InternalServerError):
        client.videos.list()
    assert fake.sleeps == [] and video_gets(scripts) == 1


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_x_should_retry_true_is_obeyed_for_an_answer_not_otherwise_retried(sync):
    # The openai SDK obeys the header both ways: a 400 it marks retryable is retried.
    scripts = Scripts(mock_app())
    scripts.answer(400, count=2, headers={"x-should-retry": "true", "retry-after-ms": "250"})
    fake = FakeTime()

    async def listed() -> object:
        async with async_client(scripts, fake) as client:
            return await client.videos.list()

    if sync:
        with sync_client(scripts, fake) as client:
            page = client.videos.list()
    else:
        page = run(listed())
    assert page.data == [] and fake.sleeps == [0.25, 0.25] and video_gets(scripts) == 3


def test_x_should_retry_true_stops_when_the_retries_are_spent():
    scripts = Scripts(mock_app())
    scripts.answer(400, count=5, headers={"x-should-retry": "true"})
    fake = FakeTime()
    with sync_client(scripts, fake) as client, pytest.raises(errors.BadRequestError):
        client.videos.list()
    assert video_gets(scripts) == 3 and len(fake.sleeps) == 2


def test_a_create_is_retried_and_makes_one_job():
    app = mock_app()
    app.state.mock.faults.enqueue(500)
    fake = FakeTime()
    with sync_client(app, fake) as client:
        video = client.videos.create(prompt="a cat", input_reference=("ref.png", b"\x89PNG....", "image/png"))
        listed = [v.id for v in client.videos.list()]
    assert len(fake.sleeps) == 1 and listed == [video.id]


def test_an_upload_from_a_path_is_replayed_whole_on_retry(tmp_path):
    app = mock_app()
    with sync_client(app) as client:
        source = client.videos.create(prompt="a cat")
        app.state.mock.clock.advance(10)
        clip = tmp_path / "clip.mp4"
        clip.write_bytes(client.videos.download_content(source.id))
        app.state.mock.faults.enqueue(503)
        job = client.videos.extend(prompt="more", seconds=4, video=clip)
    assert job.seconds == "8"  # the mock probed the whole re-sent MP4 (4 s) and stitched 4 more


class Pipe(io.RawIOBase):
    """A read-once stream: a retry could not send it again."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_non_seekable_upload_is_not_retried():
    app = mock_app()
    app.state.mock.faults.enqueue(503)
    fake = FakeTime()
    with sync_client(app, fake) as client, pytest.raises(errors.InternalServerError):
        client.videos.extend(prompt="more", seconds=4, video=Pipe(b"not really an mp4"))
    assert fake.sleeps == []


def test_connection_errors_are_retried_until_the_server_answers():
    app = mock_app()
    inner = httpx.ASGITransport(app)
    failures = [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")]

    async def flaky(request: httpx.Request) -> httpx.Response:
        if failures:
            raise failures.pop(0)
        return await inner.handle_async_request(request)

    fake = FakeTime()

    async def scenario():
        async with videos_client.AsyncVideosClient(
            api_key=KEY,
            base_url="http://mock/v1",
            transport=httpx.MockTransport(flaky),
            sleep=fake.async_sleep,
        ) as client:
            return await client.videos.list()

    assert run(scenario()).data == []
    assert len(fake.sleeps) == 2 and 0.375 <= fake.sleeps[0] <= 0.5


def test_the_async_client_retries_with_the_waits_asked_for():
    app = mock_app()
    app.state.mock.faults.enqueue(429, retry_after_ms=1200)
    app.state.mock.faults.enqueue(503, retry_after_ms=2000)
    fake = FakeTime()

    async def scenario():
        async with async_client(app, fake) as client:
            return await client.videos.create(prompt="a cat")

    assert run(scenario()).status == "queued"
    assert fake.sleeps == [1.2, 2.0]


def test_the_generated_functions_retry_through_api_client():
    app = mock_app()
    app.state.mock.faults.enqueue(429, retry_after_ms=100)
    fake = FakeTime()
    with sync_client(app, fake) as client:
        listing = list_videos.sync(client=client.api_client)
    assert listing is not None and fake.sleeps == [0.1]


def test_retries_over_http(live_mock):
    live_mock.runtime.faults.enqueue(429, retry_after_ms=50)
    live_mock.runtime.faults.enqueue(500)
    fake = FakeTime()
    with videos_client.VideosClient(api_key=KEY, base_url=live_mock.base_url, sleep=fake.sleep) as client:
        client.videos.list()
    assert fake.sleeps[0] == 0.05 and 0.75 <= fake.sleeps[1] <= 1.0


def test_an_upload_from_an_os_pipe_is_sent_whole_over_http(live_mock):
    # httpx would declare the pipe's fstat size as Content-Length (not its data's) and h11 would
    # stop half-way with LocalProtocolError; sent chunked, the mock reads the whole MP4.
    import os
    import threading

    from videos_toolkit.mock.media import mp4_video

    clip = mp4_video("720x1280", 4)
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(clip)

    threading.Thread(target=feed, daemon=True).start()
    with (
        videos_client.VideosClient(api_key=KEY, base_url=live_mock.base_url) as client,
        os.fdopen(read_end, "rb") as pipe,
    ):
        job = client.videos.extend(prompt="more", seconds=4, video=pipe)
    assert job.seconds == "8"  # all 4 s of the clip arrived, and 4 more were asked for
