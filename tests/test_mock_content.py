"""Downloadable content: a valid MP4 whose duration is the video's ``seconds`` (read with mutagen, also
for stitched extensions), a WebP thumbnail and a JPEG spritesheet (opened with Pillow), and a clear
4xx for a job that is not completed."""

import io
import struct

import pytest
from mutagen.mp4 import MP4
from PIL import Image

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the ISO BMFF boxes in data[start:end]; they must tile it."""
    end = len(data) if end is None else end
    found = []
    while start < end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        assert size >= 8 and start + size <= end, f"box {kind!r} overruns its parent"
        found.append((kind, start + 8, start + size))
        start += size
    assert start == end
    return found


def walk(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Every box by type (first occurrence), descending into the containers."""
    seen: dict[bytes, tuple[int, int]] = {}
    pending = boxes(data)
    while pending:
        kind, begin, finish = pending.pop(0)
        seen.setdefault(kind, (begin, finish))
        if kind in CONTAINERS:
            pending += boxes(data, begin, finish)
    return seen


def content(handle, video_id: str, variant: str | None) -> tuple[bytes, str]:
    params = {"variant": variant} if variant else {}
    response = handle.client.get(f"/videos/{video_id}/content", params=params)
    assert response.status_code == 200, response.text
    return response.content, response.headers["content-type"]


@pytest.mark.parametrize("seconds", ["4", "8", "12"])
@pytest.mark.parametrize("size", ["720x1280", "1280x720", "1024x1792", "1792x1024"])
def test_the_video_variant_is_an_mp4_of_the_videos_duration_and_size(mock, seconds, size):
    video = mock.completed(seconds=seconds, size=size)
    data, content_type = content(mock, video["id"], "video")
    assert content_type == "video/mp4"
    assert MP4(io.BytesIO(data)).info.length == pytest.approx(int(seconds))
    # a well-formed file: boxes tile it, ftyp first, the track is a video track of the right size
    top = [kind for kind, _, _ in boxes(data)]
    assert top[0] == b"ftyp" and b"moov" in top and b"mdat" in top
    found = walk(data)
    hdlr_start, _ = found[b"hdlr"]
    assert data[hdlr_start + 8 : hdlr_start + 12] == b"vide"
    _, tkhd_end = found[b"tkhd"]
    width, height = struct.unpack(">II", data[tkhd_end - 8 : tkhd_end])
    assert f"{width >> 16}x{height >> 16}" == size
    # every chunk offset points into mdat at a JPEG frame
    stco_start, _ = found[b"stco"]
    (count,) = struct.unpack(">I", data[stco_start + 4 : stco_start + 8])
    offsets = struct.unpack(f">{count}I", data[stco_start + 8 : stco_start + 8 + 4 * count])
    mdat_start, mdat_end = found[b"mdat"]
    assert count == int(seconds)
    for offset in offsets:
        assert mdat_start <= offset < mdat_end and data[offset : offset + 2] == b"\xff\xd8"
    Image.open(io.BytesIO(data[offsets[0] : mdat_end])).verify()


def test_the_default_variant_is_the_video(mock):
    video = mock.completed(seconds="8")
    data, content_type = content(mock, video["id"], None)
    assert content_type == "video/mp4" and MP4(io.BytesIO(data)).info.length == pytest.approx(8)


@pytest.mark.parametrize(("source", "extension"), [("4", "20"), ("12", "16"), ("8", "4")])
def test_an_extensions_mp4_lasts_the_stitched_total(mock, source, extension):
    video = mock.completed(seconds=source)
    body = {"prompt": "on and on", "seconds": extension, "video": {"id": video["id"]}}
    extended = mock.client.post("/videos/extensions", json=body).json()
    mock.runtime.clock.advance(10)
    data, _ = content(mock, extended["id"], "video")
    total = int(source) + int(extension)
    assert extended["seconds"] == str(total)
    assert MP4(io.BytesIO(data)).info.length == pytest.approx(total)


def test_the_thumbnail_is_a_webp_image(mock):
    video = mock.completed(size="1280x720")
    data, content_type = content(mock, video["id"], "thumbnail")
    assert content_type == "image/webp"
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    image.load()
    width, height = image.size
    assert width > height  # landscape, like the video


def test_the_spritesheet_is_a_jpeg_image_with_a_tile_per_second(mock):
    video = mock.completed(size="720x1280", seconds="12")
    data, content_type = content(mock, video["id"], "spritesheet")
    assert content_type == "image/jpeg"
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    tile_w, tile_h = 720 // 8, 1280 // 8
    assert image.size[0] % tile_w == 0 and image.size[1] % tile_h == 0
    assert (image.size[0] // tile_w) * (image.size[1] // tile_h) >= 12


@pytest.mark.parametrize("variant", ["video", "thumbnail", "spritesheet"])
@pytest.mark.parametrize(
    ("prompt", "advance", "status"), [("p", 0, "queued"), ("p", 1, "in_progress"), ("[fail]", 10, "failed")]
)
def test_content_of_a_job_that_is_not_completed_is_400(mock, variant, prompt, advance, status):
    video = mock.create(prompt)
    mock.runtime.clock.advance(advance)
    assert mock.client.get(f"/videos/{video['id']}").json()["status"] == status
    response = mock.client.get(f"/videos/{video['id']}/content", params={"variant": variant})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        "video_id",
        "video_not_completed",
    )
    assert status in error["message"] and "completed" in error["message"]


def test_content_of_a_deleted_video_is_404(mock):
    video = mock.completed()
    mock.client.delete(f"/videos/{video['id']}")
    response = mock.client.get(f"/videos/{video['id']}/content")
    assert response.status_code == 404 and response.json()["error"]["param"] == "video_id"
