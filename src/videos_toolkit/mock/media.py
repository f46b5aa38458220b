"""Downloadable assets of a completed video, and reading uploaded MP4s.

* ``video``: a small, valid MP4 (ISO BMFF: ftyp, moov with mvhd/trak/tkhd/mdia/mdhd/hdlr/minf/stbl,
  mdat). Its one video track holds one Motion-JPEG frame per second (sample entry ``mp4v`` with
  object type 0x6C, JPEG); every sample points at the same frame bytes, so the file stays a few
  kilobytes whatever its duration. mvhd/mdhd durations equal the video's ``seconds`` and tkhd's
  width/height equal its ``size``.
* ``thumbnail``: a WebP image; ``spritesheet``: a JPEG grid with one tile per second, or
  ``SPRITESHEET_TILES`` tiles evenly spread over a longer video.

Assets are generated once per (size, seconds) and cached. The mock makes no video longer than
``MAX_SECONDS`` (the handlers refuse a longer source or stitched total), which keeps every
asset a few hundred kilobytes at most and every MP4 field within its 32 bits.
"""

import contextlib
import io
import math
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

from mutagen.mp4 import Atoms, MP4Info, MP4NoTrackError
from PIL import Image, ImageDraw

CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
TIMESCALE = 1000
MAX_SECONDS = 3600  # one hour: far beyond any clip this API makes, small enough to serve
SPRITESHEET_TILES = 100
_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)


class MediaError(ValueError):
    """An uploaded file is not a readable MP4 video."""


@dataclass(frozen=True)
class Mp4Probe:
    duration: float  # seconds, as read by mutagen
    width: int | None  # from the first video track's tkhd
    height: int | None


def parse_size(size: str) -> tuple[int, int]:
    width, height = size.split("x")
    return int(width), int(height)


def _box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def _descriptor(tag: int, body: bytes) -> bytes:
    # MPEG-4 descriptors: tag, then the length as 7-bit groups (always 4 bytes here, which is valid).
    size = len(body)
    length = bytes(
        [0x80 | (size >> 21) & 0x7F, 0x80 | (size >> 14) & 0x7F, 0x80 | (size >> 7) & 0x7F, size & 0x7F]
    )
    return bytes([tag]) + length + body


def _esds_jpeg(frame_size: int) -> bytes:
    decoder_config = _descriptor(
        0x04,
        bytes([0x6C, (0x04 << 2) | 1])  # object type: JPEG; stream type: visual
        + frame_size.to_bytes(3, "big")  # bufferSizeDB
        + struct.pack(">II", frame_size * 8, frame_size * 8),  # max and average bitrate at 1 fps
    )
    sl_config = _descriptor(0x06, b"\x02")
    return _full_box(b"esds", 0, 0, _descriptor(0x03, struct.pack(">HB", 1, 0) + decoder_config + sl_config))


def _sample_entry(width: int, height: int, frame_size: int) -> bytes:
    name = b"mock mjpeg"
    return _box(
        b"mp4v",
        b"\x00" * 6 + struct.pack(">H", 1),  # reserved, data_reference_index
        b"\x00" * 16,  # pre_defined, reserved
        struct.pack(">HHIIIH", width, height, 0x00480000, 0x00480000, 0, 1),
        bytes([len(name)]) + name + b"\x00" * (31 - len(name)),
        struct.pack(">Hh", 0x0018, -1),
        _esds_jpeg(frame_size),
    )


def _moov(width: int, height: int, seconds: int, frame_size: int, frame_offset: int) -> bytes:
    duration = seconds * TIMESCALE
    mvhd = _full_box(
        b"mvhd", 0, 0,
        struct.pack(">IIII", 0, 0, TIMESCALE, duration),
        struct.pack(">IH", 0x00010000, 0x0100) + b"\x00" * 10,  # rate 1.0, volume 1.0, reserved
        _MATRIX, b"\x00" * 24, struct.pack(">I", 2),  # pre_defined, next_track_ID
    )  # fmt: skip
    tkhd = _full_box(
        b"tkhd", 0, 0x3,  # track enabled, in movie
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        b"\x00" * 8, struct.pack(">hhhH", 0, 0, 0, 0), _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, 0, struct.pack(">I", 0), b"vide", b"\x00" * 12, b"VideoHandler\x00")
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), _sample_entry(width, height, frame_size)),
        _full_box(b"stts", 0, 0, struct.pack(">III", 1, seconds, TIMESCALE)),  # one frame per second
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1)),  # one sample per chunk
        _full_box(b"stsz", 0, 0, struct.pack(">II", frame_size, seconds)),
        _full_box(b"stco", 0, 0, struct.pack(">I", seconds), struct.pack(">I", frame_offset) * seconds),
    )
    minf = _box(
        b"minf",
        _full_box(b"vmhd", 0, 1, b"\x00" * 8),
        _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))),
        stbl,
    )
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"moov", mvhd, trak)


def _frame_image(width: int, height: int, shade: int = 0) -> Image.Image:
    image = Image.new("RGB", (width, height), (20 + shade % 200, 40, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 3, width * 7 // 8, height * 2 // 3), fill=(230, 180, 60))
    return image


@lru_cache(maxsize=8)
def _jpeg_frame(size: str) -> bytes:
    width, height = parse_size(size)
    out = io.BytesIO()
    _frame_image(width, height).save(out, "JPEG", quality=40)
    return out.getvalue()


@lru_cache(maxsize=64)
def mp4_video(size: str, seconds: int) -> bytes:
    """A valid MP4 of ``seconds`` duration whose track is ``size`` (e.g. "1280x720")."""
    if not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be between 1 and {MAX_SECONDS}")
    width, height = parse_size(size)
    frame = _jpeg_frame(size)
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"mp41")
    # stco needs the absolute offset of the frame inside mdat; moov's size does not depend on it.
    moov_size = len(_moov(width, height, seconds, len(frame), 0))
    offset = len(ftyp) + moov_size + 8
    return ftyp + _moov(width, height, seconds, len(frame), offset) + _box(b"mdat", frame)


@lru_cache(maxsize=16)
def webp_thumbnail(size: str) -> bytes:
    width, height = parse_size(size)
    out = io.BytesIO()
    _frame_image(max(1, width // 4), max(1, height // 4)).save(out, "WEBP", quality=60)
    return out.getvalue()


@lru_cache(maxsize=64)
def jpeg_spritesheet(size: str, seconds: int) -> bytes:
    width, height = parse_size(size)
    tile_w, tile_h = max(1, width // 8), max(1, height // 8)
    tiles = max(1, min(seconds, SPRITESHEET_TILES))
    columns = min(tiles, 5)
    rows = math.ceil(tiles / columns)
    sheet = Image.new("RGB", (tile_w * columns, tile_h * rows))
    for index in range(tiles):
        second = index * seconds // tiles  # the second this tile shows
        sheet.paste(
            _frame_image(tile_w, tile_h, shade=second * 17),
            ((index % columns) * tile_w, (index // columns) * tile_h),
        )
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=60)
    return out.getvalue()


def asset(variant: str, size: str, seconds: int) -> tuple[bytes, str]:
    """(bytes, content type) of a completed video's downloadable asset."""
    if variant == "thumbnail":
        return webp_thumbnail(size), CONTENT_TYPES[variant]
    if variant == "spritesheet":
        return jpeg_spritesheet(size, seconds), CONTENT_TYPES[variant]
    return mp4_video(size, seconds), CONTENT_TYPES["video"]


# Uploads up to this size are probed from a copy in memory: mutagen makes a few hundred small seeks
# and reads per file, each a Python-level call on an upload's spooled temporary file.
PROBE_IN_MEMORY = 8 * 1024 * 1024


def probe_mp4(fileobj: BinaryIO) -> Mp4Probe:
    """Duration (mutagen) and frame size (the first video track's tkhd) of an uploaded MP4."""
    try:
        if fileobj.seek(0, io.SEEK_END) <= PROBE_IN_MEMORY:
            fileobj.seek(0)
            fileobj = io.BytesIO(fileobj.read())
        fileobj.seek(0)
        atoms = Atoms(fileobj)  # parsed once for both figures; tags and chapters are not needed
        duration = _duration(atoms, fileobj)
        width, height = _video_track_size(atoms, fileobj)
    except Exception as exc:
        # Any failure to parse client bytes is the client's mistake (a 400), never a server error.
        raise MediaError(f"not a readable MP4 video ({type(exc).__name__}: {exc})") from exc
    if not math.isfinite(duration) or duration <= 0:
        raise MediaError("the MP4 has no duration")
    return Mp4Probe(duration, width, height)


def _duration(atoms: Atoms, fileobj: BinaryIO) -> float:
    """mutagen's stream length: the first audio track's, else the movie header's (as ``MP4`` does,
    a file with neither has length 0)."""
    info = MP4Info()
    with contextlib.suppress(MP4NoTrackError):
        info.load(atoms, fileobj)
    return float(info.length)


def movie_seconds(fileobj: BinaryIO) -> float | None:
    """The movie header's duration (the longest track's), which ``probe_mp4`` reads only when the
    file has no audio track; None when there is no readable one."""
    try:
        fileobj.seek(0)
        ok, mvhd = Atoms(fileobj)[b"moov", b"mvhd"].read(fileobj)
    except Exception:
        return None
    if not ok or len(mvhd) < 20:
        return None
    if mvhd[0] == 1 and len(mvhd) >= 32:  # version 1: 64-bit times and duration
        timescale, duration = struct.unpack(">IQ", mvhd[20:32])
    else:
        timescale, duration = struct.unpack(">II", mvhd[12:20])
    return duration / timescale if timescale else None


def _video_track_size(atoms: Atoms, fileobj: BinaryIO) -> tuple[int | None, int | None]:
    for trak in atoms[b"moov"].findall(b"trak"):
        ok, hdlr = trak[b"mdia", b"hdlr"].read(fileobj)
        if not ok or hdlr[8:12] != b"vide":
            continue
        ok, tkhd = trak[(b"tkhd",)].read(fileobj)
        if ok and len(tkhd) >= 84:
            width, height = struct.unpack(">II", tkhd[-8:])
            return width >> 16, height >> 16
    return None, None
