"""What the mock reads from an uploaded MP4: its duration and frame size, or a clear refusal."""

import io
import struct

import pytest

from videos_toolkit.mock import media


def probe(data: bytes) -> media.Mp4Probe:
    return media.probe_mp4(io.BytesIO(data))


@pytest.mark.parametrize(("size", "seconds"), [("720x1280", 4), ("1280x720", 8), ("1792x1024", 12)])
def test_duration_and_frame_size_of_a_valid_mp4(size, seconds):
    found = probe(media.mp4_video(size, seconds))
    assert found.duration == pytest.approx(seconds)
    assert f"{found.width}x{found.height}" == size


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"not an mp4" * 10, id="not ISO BMFF"),
        pytest.param(_box(b"ftyp", b"isom\x00\x00\x02\x00isom"), id="no moov"),
        pytest.param(
            _box(b"ftyp", b"isom\x00\x00\x02\x00isom") + _box(b"moov", b""), id="moov without tracks"
        ),
        pytest.param(media.mp4_video("720x1280", 4)[:200], id="cut short"),
    ],
)
def test_what_is_not_a_readable_mp4_is_refused(data):
    with pytest.raises(media.MediaError):
        probe(data)


def test_a_movie_of_zero_length_is_refused():
    data = media.mp4_video("720x1280", 4)
    mvhd = data.index(b"mvhd")
    # mvhd v0 after its type: version and flags, created, modified, timescale, duration
    at = mvhd + 4 + 4 + 4 + 4 + 4
    zeroed = data[:at] + struct.pack(">I", 0) + data[at + 4 :]
    # The track's own media header still says 4 s; the probe reads the movie's length when the
    # file has no audio track, as mutagen does.
    with pytest.raises(media.MediaError, match="no duration"):
        probe(zeroed)
