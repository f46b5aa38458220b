"""Extend (the heart of the mock), remix, edit and characters: what the contract says in prose.

A source is a completed video referenced by id (multipart ``video[id]`` or JSON ``{"video": {"id"}}``)
or an uploaded MP4 whose duration mutagen reads. The new job's ``seconds`` is the stitched total,
its ``model`` and ``size`` follow the source; a source that is not usable is a 4xx on ``video``.
"""

import io
import struct

import pytest
from mutagen.mp4 import MP4
from PIL import Image

OTHER_KEY = "sk-test-key-b"
EXTENSIONS = ["4", "8", "12", "16", "20"]


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"] and body["error"]["type"] == "invalid_request_error"
    return body["error"]


def extend_by_id(handle, video_id: str, seconds: str, form: str, prompt: str = "and then", key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else None
    if form == "json":
        body = {"prompt": prompt, "seconds": seconds, "video": {"id": video_id}}
        return handle.client.post("/videos/extensions", json=body, headers=headers)
    fields = {"prompt": prompt, "seconds": seconds, "video[id]": video_id}
    return handle.client.post(
        "/videos/extensions", files={k: (None, v) for k, v in fields.items()}, headers=headers
    )


def extend_by_upload(handle, data: bytes, seconds: str, filename: str = "clip.mp4", prompt: str = "and then"):
    files = {"prompt": (None, prompt), "seconds": (None, seconds), "video": (filename, data, "video/mp4")}
    return handle.client.post("/videos/extensions", files=files)


def download(handle, video_id: str, variant: str = "video") -> bytes:
    response = handle.client.get(f"/videos/{video_id}/content", params={"variant": variant})
    assert response.status_code == 200, response.text
    return response.content


def duration_of(data: bytes) -> float:
    return MP4(io.BytesIO(data)).info.length


def minimal_mp4(timescale: int, duration: int) -> bytes:
    """An MP4 written here, independently of the mock's media code: ftyp + moov(mvhd, version 1,
    64-bit times) + an empty mdat, with no track at all (so no frame size either)."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = box(
        b"mvhd",
        struct.pack(">I", 1 << 24)  # version 1, flags 0
        + struct.pack(">QQIQ", 0, 0, timescale, duration)
        + struct.pack(">IH", 0x10000, 0x100)
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 1),
    )
    return box(b"ftyp", b"mp42" + struct.pack(">I", 0) + b"mp42isom") + box(b"moov", mvhd) + box(b"mdat", b"")


# -- extend by reference ---------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["json", "multipart"])
@pytest.mark.parametrize("extension", EXTENSIONS)
def test_extend_by_id_stitches_seconds_and_follows_the_source(mock, form, extension):
    source = mock.completed(seconds="8", size="1792x1024", model="sora-2-pro")
    response = extend_by_id(mock, source["id"], extension, form, prompt="the curtain falls")
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["seconds"] == str(8 + int(extension))
    assert (video["model"], video["size"]) == ("sora-2-pro", "1792x1024")
    assert (video["status"], video["progress"], video["prompt"]) == ("queued", 0, "the curtain falls")
    assert video["id"] != source["id"] and video["remixed_from_video_id"] is None
    # the extension is a job of its own that completes with the stitched duration
    mock.runtime.clock.advance(10)
    done = mock.client.get(f"/videos/{video['id']}").json()
    assert (done["status"], done["seconds"]) == ("completed", str(8 + int(extension)))
    # the source is untouched
    assert mock.client.get(f"/videos/{source['id']}").json() == source


def test_an_extension_can_be_extended_again(mock):
    first = extend_by_id(mock, mock.completed(seconds="4")["id"], "8", "json").json()
    mock.runtime.clock.advance(10)
    second = extend_by_id(mock, first["id"], "20", "multipart").json()
    assert second["seconds"] == "32"


# -- extend by upload ------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_extend_a_downloaded_mp4_reads_its_duration_and_size(mock, extension):
    source = mock.completed(seconds="12", size="1280x720", model="sora-2-pro")
    data = download(mock, source["id"])
    assert round(duration_of(data)) == 12
    response = extend_by_upload(mock, data, extension)
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["seconds"] == str(12 + int(extension))
    # the frame size is read from the file; an upload names no model, so the default is used
    assert (video["size"], video["model"]) == ("1280x720", "sora-2")


@pytest.mark.parametrize(
    ("timescale", "duration", "extension", "expected"),
    [
        (600, 600 * 6, "4", "10"),  # 6 s, not a duration the mock ever makes
        (90000, 90000 * 30, "20", "50"),  # 30 s, a longer source than create allows
        (1000, 5400, "8", "13"),  # 5.4 s: whole seconds, rounded
        (48000, 48000 * 2 + 30000, "12", "15"),  # 2.625 s
        (1000, 2500, "4", "7"),  # 2.5 s: halves round up
        (1000, 300, "4", "5"),  # 0.3 s counts as 1 s
    ],
)
def test_extend_an_independent_mp4_uses_the_duration_mutagen_reads(
    mock, timescale, duration, extension, expected
):
    data = minimal_mp4(timescale, duration)
    assert duration_of(data) == pytest.approx(duration / timescale)
    response = extend_by_upload(mock, data, extension)
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["seconds"] == expected
    assert video["size"] == "720x1280"  # no video track: the contract's default size


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"this is not a video at all" * 4),
        ("truncated.mp4", minimal_mp4(600, 3600)[:40]),
        ("empty.mp4", b""),
    ],
)
def test_an_upload_that_is_not_a_readable_mp4_is_400_on_video(mock, name, content):
    error = error_of(extend_by_upload(mock, content, "4", filename=name), 400)
    assert (error["param"], error["code"]) == ("video", "invalid_video_file")


def test_an_image_upload_is_400_on_video(mock):
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    error = error_of(extend_by_upload(mock, png.getvalue(), "8", filename="frame.png"), 400)
    assert error["param"] == "video" and "MP4" in error["message"]


def test_an_mp4_with_no_duration_is_400_on_video(mock):
    error = error_of(extend_by_upload(mock, minimal_mp4(600, 0), "8"), 400)
    assert error["param"] == "video"


# -- length: the mock makes no video longer than an hour (media.MAX_SECONDS) ------------------------


@pytest.mark.parametrize("path", ["/videos/extensions", "/videos/edits"])
def test_a_source_longer_than_an_hour_is_400_on_video(mock, path):
    # A crafted header claiming 49 days: accepted, its downloads would need gigabytes.
    files = {
        "prompt": (None, "and then"),
        "seconds": (None, "4"),
        "video": ("long.mp4", minimal_mp4(1000, 0xFFFFFFFF), "video/mp4"),
    }
    if path == "/videos/edits":
        del files["seconds"]
    error = error_of(mock.client.post(path, files=files), 400)
    assert (error["param"], error["code"]) == ("video", "video_too_long")
    assert "3600 s" in error["message"]


def test_an_extension_past_an_hour_is_400_on_seconds(mock):
    error = error_of(extend_by_upload(mock, minimal_mp4(1, 3590), "12"), 400)
    assert (error["param"], error["code"]) == ("seconds", "video_too_long")
    assert "3602 s" in error["message"]


def test_an_hour_long_video_downloads_as_every_variant(mock):
    response = extend_by_upload(mock, minimal_mp4(1, 3580), "20")
    assert response.status_code == 200, response.text
    video = response.json()
    assert video["seconds"] == "3600"
    mock.runtime.clock.advance(10)
    assert duration_of(download(mock, video["id"])) == 3600
    sheet = Image.open(io.BytesIO(download(mock, video["id"], "spritesheet")))
    sheet.load()  # before the bound, one tile per second: 720 rows, past JPEG's 65,500 pixels
    tile_w, tile_h = 720 // 8, 1280 // 8  # the mock's default size for a trackless upload
    assert (sheet.size[0] // tile_w) * (sheet.size[1] // tile_h) == 100
    assert Image.open(io.BytesIO(download(mock, video["id"], "thumbnail"))).format == "WEBP"


# -- sources that cannot be extended ---------------------------------------------------------------


def _queued(mock):
    return mock.create()["id"]


def _in_progress(mock):
    video = mock.create()
    mock.runtime.clock.advance(1.0)
    assert mock.client.get(f"/videos/{video['id']}").json()["status"] == "in_progress"
    return video["id"]


def _failed(mock):
    video = mock.create("a cat [fail]")
    mock.runtime.clock.advance(10)
    assert mock.client.get(f"/videos/{video['id']}").json()["status"] == "failed"
    return video["id"]


def _deleted(mock):
    video = mock.completed()
    assert mock.client.delete(f"/videos/{video['id']}").status_code == 200
    return video["id"]


def _other_keys(mock):
    video = mock.create(key=OTHER_KEY)
    mock.runtime.clock.advance(10)
    return video["id"]


def _unknown(mock):
    return "video_does_not_exist"


@pytest.mark.parametrize("form", ["json", "multipart"])
@pytest.mark.parametrize(
    ("make_source", "status", "code"),
    [
        (_queued, 400, "video_not_completed"),
        (_in_progress, 400, "video_not_completed"),
        (_failed, 400, "video_not_completed"),
        (_deleted, 404, "not_found"),
        (_other_keys, 404, "not_found"),
        (_unknown, 404, "not_found"),
    ],
)
def test_extending_a_source_that_is_not_a_completed_video_of_mine(mock, form, make_source, status, code):
    source_id = make_source(mock)
    error = error_of(extend_by_id(mock, source_id, "8", form), status)
    assert (error["param"], error["code"]) == ("video", code)
    assert source_id in error["message"]
    # no job was made
    assert all(v["id"] == source_id for v in mock.client.get("/videos").json()["data"])


def test_the_other_key_can_extend_its_own_video(mock):
    source_id = _other_keys(mock)
    response = extend_by_id(mock, source_id, "4", "json", key=OTHER_KEY)
    assert response.status_code == 200 and response.json()["seconds"] == "8"


def test_an_extension_with_the_fail_marker_fails(mock):
    video = extend_by_id(mock, mock.completed()["id"], "4", "json", prompt="it all goes [FAIL]").json()
    mock.runtime.clock.advance(10)
    failed = mock.client.get(f"/videos/{video['id']}").json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "video_generation_failed"


# -- remix -----------------------------------------------------------------------------------------


def test_remix_keeps_the_source_and_sets_remixed_from(mock):
    source = mock.completed(seconds="12", size="1024x1792", model="sora-2-2025-12-08")
    response = mock.client.post(f"/videos/{source['id']}/remix", json={"prompt": "now in blue"})
    assert response.status_code == 200, response.text
    remix = response.json()
    assert remix["remixed_from_video_id"] == source["id"] and remix["id"] != source["id"]
    assert (remix["seconds"], remix["size"], remix["model"]) == ("12", "1024x1792", "sora-2-2025-12-08")
    assert (remix["status"], remix["prompt"]) == ("queued", "now in blue")
    mock.runtime.clock.advance(10)
    done = mock.client.get(f"/videos/{remix['id']}").json()
    assert (done["status"], done["remixed_from_video_id"]) == ("completed", source["id"])


def test_remix_of_an_extension_keeps_the_stitched_seconds(mock):
    extension = extend_by_id(mock, mock.completed(seconds="8")["id"], "16", "json").json()
    mock.runtime.clock.advance(10)
    remix = mock.client.post(f"/videos/{extension['id']}/remix", json={"prompt": "again"}).json()
    assert remix["seconds"] == "24" and remix["remixed_from_video_id"] == extension["id"]


@pytest.mark.parametrize(
    ("make_source", "status"),
    [(_queued, 400), (_in_progress, 400), (_failed, 400), (_deleted, 404), (_other_keys, 404)],
)
def test_remix_of_a_source_that_is_not_a_completed_video_of_mine(mock, make_source, status):
    source_id = make_source(mock)
    error = error_of(mock.client.post(f"/videos/{source_id}/remix", json={"prompt": "p"}), status)
    assert error["param"] == "video_id"


def test_remix_takes_json_only(mock):
    source = mock.completed()
    response = mock.client.post(f"/videos/{source['id']}/remix", files={"prompt": (None, "p")})
    assert error_of(response, 415)["code"] == "unsupported_media_type"


# -- edit ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["json", "multipart"])
def test_edit_by_id_keeps_the_source_duration_model_and_size(mock, form):
    source = mock.completed(seconds="8", size="1280x720", model="sora-2-pro")
    if form == "json":
        response = mock.client.post(
            "/videos/edits", json={"prompt": "at night", "video": {"id": source["id"]}}
        )
    else:
        files = {"prompt": (None, "at night"), "video[id]": (None, source["id"])}
        response = mock.client.post("/videos/edits", files=files)
    assert response.status_code == 200, response.text
    edit = response.json()
    assert (edit["seconds"], edit["size"], edit["model"]) == ("8", "1280x720", "sora-2-pro")
    assert edit["remixed_from_video_id"] is None and edit["prompt"] == "at night"


def test_edit_an_upload_keeps_its_duration(mock):
    data = download(mock, mock.completed(seconds="4", size="1792x1024")["id"])
    files = {"prompt": (None, "at night"), "video": ("clip.mp4", data, "video/mp4")}
    edit = mock.client.post("/videos/edits", files=files).json()
    assert (edit["seconds"], edit["size"]) == ("4", "1792x1024")
    files = {"prompt": (None, "at night"), "video": ("clip.mp4", minimal_mp4(1000, 7000), "video/mp4")}
    assert mock.client.post("/videos/edits", files=files).json()["seconds"] == "7"


@pytest.mark.parametrize(
    ("make_source", "status"),
    [(_queued, 400), (_in_progress, 400), (_failed, 400), (_deleted, 404), (_other_keys, 404)],
)
def test_edit_of_a_source_that_is_not_a_completed_video_of_mine(mock, make_source, status):
    source_id = make_source(mock)
    response = mock.client.post("/videos/edits", json={"prompt": "p", "video": {"id": source_id}})
    assert error_of(response, status)["param"] == "video"


def test_edit_takes_no_seconds(mock):
    source = mock.completed()
    body = {"prompt": "p", "seconds": "4", "video": {"id": source["id"]}}
    error = error_of(mock.client.post("/videos/edits", json=body), 400)
    assert (error["param"], error["code"]) == ("seconds", "unknown_parameter")


# -- characters ------------------------------------------------------------------------------------


def test_character_create_then_get(mock):
    clip = download(mock, mock.completed()["id"])
    files = {"name": (None, "Whiskers"), "video": ("cat.mp4", clip, "video/mp4")}
    response = mock.client.post("/videos/characters", files=files)
    assert response.status_code == 200, response.text
    character = response.json()
    assert character["name"] == "Whiskers" and character["id"].startswith("char_")
    assert isinstance(character["created_at"], int)
    fetched = mock.client.get(f"/videos/characters/{character['id']}")
    assert fetched.status_code == 200 and fetched.json() == character
    # characters are private to their key, like videos
    other = mock.client.get(
        f"/videos/characters/{character['id']}", headers={"Authorization": f"Bearer {OTHER_KEY}"}
    )
    assert error_of(other, 404)["param"] == "character_id"


def test_a_character_needs_a_readable_video(mock):
    files = {"name": (None, "Whiskers"), "video": ("cat.png", b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png")}
    error = error_of(mock.client.post("/videos/characters", files=files), 400)
    assert (error["param"], error["code"]) == ("video", "invalid_video_file")
    assert "MP4" in error["message"]


def test_unknown_character_is_404(mock):
    error = error_of(mock.client.get("/videos/characters/char_unknown"), 404)
    assert (error["param"], error["code"]) == ("character_id", "not_found")
