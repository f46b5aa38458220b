"""Downloads: content to bytes, or streamed to a file without holding it in memory; a failed
download leaves no file behind."""

import hashlib
import tracemalloc

import pytest
import videos_client
from videos_client import errors

from tests.client_support import KEY, FakeTime, async_client, mock_app, run, serve, sync_client

MIB = 1024 * 1024
BIG = 48 * MIB
CHUNK = bytes(range(256)) * 4096  # 1 MiB, reused: the server side allocates almost nothing


class BigContent:
    """The mock, except that every ``/content`` download is a ``BIG``-byte MP4-typed stream."""

    def __init__(self, app, size: int = BIG, break_after: int | None = None) -> None:
        self.app, self.size, self.break_after = app, size, break_after

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].endswith("/content"):
            await self.app(scope, receive, send)
            return
        headers = [(b"content-type", b"video/mp4"), (b"content-length", str(self.size).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index in range(self.size // len(CHUNK)):
            if self.break_after is not None and index == self.break_after:
                raise RuntimeError("connection dropped mid-download (test)")
            await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def expected_digest(size: int) -> str:
    digest = hashlib.sha256()
    for _ in range(size // len(CHUNK)):
        digest.update(CHUNK)
    return digest.hexdigest()


def peak_during(action) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_download_content_and_download_to_file_give_the_same_bytes(tmp_path):
    app = mock_app()
    with sync_client(app, FakeTime(app.state.mock)) as client:
        video = client.videos.create_and_poll(prompt="a cat", seconds=8)
        data = client.videos.download_content(video.id)
        path = client.videos.download_to_file(video.id, tmp_path / "cat.mp4")
        thumbnail = client.videos.download_content(video.id, variant="thumbnail")
        sheet = client.videos.download_to_file(video.id, str(tmp_path / "sheet.jpg"), variant="spritesheet")
    assert data[4:8] == b"ftyp" and path.read_bytes() == data
    assert path == tmp_path / "cat.mp4" and not (tmp_path / "cat.mp4.part").exists()
    assert thumbnail[:4] == b"RIFF" and thumbnail[8:12] == b"WEBP"
    assert sheet.read_bytes()[:2] == b"\xff\xd8"


def test_downloading_an_unfinished_video_raises_and_leaves_no_file(tmp_path):
    app = mock_app()
    with sync_client(app) as client:
        job = client.videos.create(prompt="a cat")
        with pytest.raises(errors.BadRequestError) as caught:
            client.videos.download_to_file(job.id, tmp_path / "cat.mp4")
        with pytest.raises(errors.NotFoundError):
            client.videos.download_content("video_missing")
    assert caught.value.code == "video_not_completed"
    assert list(tmp_path.iterdir()) == []


def test_a_target_that_cannot_be_replaced_leaves_no_part_file(tmp_path):
    app = mock_app(instant=True)
    (tmp_path / "taken").mkdir()  # a directory where the file should go
    with sync_client(app) as client:
        job = client.videos.create(prompt="a cat")
        client.videos.retrieve(job.id)
        with pytest.raises(OSError):
            client.videos.download_to_file(job.id, tmp_path / "taken")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_streamed_download_keeps_memory_flat_over_http(tmp_path):
    app = mock_app(instant=True)
    with (
        serve(BigContent(app)) as base_url,
        videos_client.VideosClient(api_key=KEY, base_url=base_url) as client,
    ):
        video = client.videos.create(prompt="a long cat")
        target = tmp_path / "big.mp4"
        streamed = peak_during(lambda: client.videos.download_to_file(video.id, target))
        buffered = peak_during(lambda: client.videos.download_content(video.id))
    assert target.stat().st_size == BIG
    with target.open("rb") as saved:
        assert hashlib.file_digest(saved, "sha256").hexdigest() == expected_digest(BIG)
    # Generous bounds: streaming holds a chunk or two; the in-memory download holds all of it,
    # which shows the measurement would catch a streamed download that buffered.
    assert streamed < 16 * MIB, f"streaming peaked at {streamed / MIB:.1f} MiB"
    assert buffered > BIG


def test_a_download_cut_off_midway_leaves_no_file(tmp_path):
    app = mock_app(instant=True)
    target = tmp_path / "big.mp4"
    with (
        serve(BigContent(app, size=8 * MIB, break_after=3)) as base_url,
        videos_client.VideosClient(api_key=KEY, base_url=base_url) as client,
    ):
        video = client.videos.create(prompt="a cat")
        with pytest.raises(errors.APIConnectionError):
            client.videos.download_to_file(video.id, target)
    assert list(tmp_path.iterdir()) == []


def test_the_async_client_downloads_too(tmp_path):
    app = mock_app(instant=True)

    async def scenario():
        async with async_client(app) as client:
            video = await client.videos.create(prompt="a cat")
            data = await client.videos.download_content(video.id)
            path = await client.videos.download_to_file(video.id, tmp_path / "cat.mp4")
            return data, path

    data, path = run(scenario())
    assert path.read_bytes() == data and data[4:8] == b"ftyp"


def test_the_async_client_streams_over_http(tmp_path):
    app = mock_app(instant=True)

    async def scenario(base_url):
        async with videos_client.AsyncVideosClient(api_key=KEY, base_url=base_url) as client:
            video = await client.videos.create(prompt="a long cat")
            return await client.videos.download_to_file(video.id, tmp_path / "big.mp4", chunk_size=256 * 1024)

    with serve(BigContent(app, size=8 * MIB)) as base_url:
        path = run(scenario(base_url))
    assert path.stat().st_size == 8 * MIB
