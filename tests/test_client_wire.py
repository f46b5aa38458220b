"""The generated client on the wire: exact parts and bodies sent, and responses it must survive."""

import asyncio
import io
import json

import httpx
import pytest
from videos_client import AuthenticatedClient
from videos_client.api.videos import (
    create_video,
    download_video_content,
    edit_video,
    extend_video,
    remix_video,
    retrieve_video,
)
from videos_client.models import (
    CreateVideoMultipartBody,
    EditVideoMultipartBody,
    ExtendVideoJsonBody,
    ExtendVideoMultipartBody,
    KnownVideoModel,
    RemixVideoBody,
    Video,
    VideoContentVariant,
    VideoCreateError,
    VideoExtensionSeconds,
    VideoReference,
    VideoSeconds,
    VideoSize,
    VideoStatus,
)
from videos_client.types import File, Unset, WrongAt

from tests.wire import Part, Recorder, json_body, multipart_parts
from videos_toolkit.spec import effective_spec

BASE_URL = "http://videos.test/v1"
SOURCE_ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5"
# Bytes that would end the body early if the client used the generator's fixed '+++' boundary.
UPLOAD = b"\x00\x00\x00\x18ftypmp42\r\n--+++\r\n--+++--\r\n\xff\xfe"
ASSETS = {
    "video": ("video/mp4", b"\x00\x00\x00\x18ftypmp42 fake mp4"),
    "thumbnail": ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 fake"),
    "spritesheet": ("image/jpeg", b"\xff\xd8\xff\xe0 fake jpeg"),
}


def queued_video() -> dict:
    return effective_spec()["components"]["examples"]["QueuedVideo"]["value"]


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/content"):
        content_type, data = ASSETS[request.url.params.get("variant", "video")]
        return httpx.Response(200, content=data, headers={"content-type": content_type})
    return httpx.Response(200, json=queued_video())


@pytest.fixture
def recorder() -> Recorder:
    return Recorder(answer)


@pytest.fixture
def client(recorder: Recorder) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE_URL, token="sk-test", httpx_args={"transport": httpx.MockTransport(recorder)}
    )


def test_create_sends_text_fields_in_order_with_bearer_auth(client, recorder):
    body = CreateVideoMultipartBody(
        prompt="A cat at a piano",
        model=KnownVideoModel.SORA_2_PRO,
        seconds=VideoSeconds.SECONDS_8,
        size=VideoSize.SIZE_1280X720,
    )
    video = create_video.sync(client=client, body=body)

    request = recorder.last
    assert (request.method, request.url.path) == ("POST", "/v1/videos")
    assert request.headers["authorization"] == "Bearer sk-test"
    assert multipart_parts(request) == [
        Part("prompt", b"A cat at a piano"),
        Part("model", b"sora-2-pro"),
        Part("seconds", b"8"),
        Part("size", b"1280x720"),
    ]
    assert isinstance(video, Video)
    assert video.id == queued_video()["id"]


def test_create_leaves_out_unset_fields_and_uploads_a_reference_image(client, recorder):
    image = File(payload=io.BytesIO(b"\x89PNG fake"), file_name="ref.png", mime_type="image/png")
    create_video.sync(client=client, body=CreateVideoMultipartBody(prompt="p", input_reference=image))

    assert multipart_parts(recorder.last) == [
        Part("prompt", b"p"),
        Part("input_reference", b"\x89PNG fake", "ref.png", "image/png"),
    ]


def test_extend_uploads_a_file_with_a_random_boundary(client, recorder):
    upload = File(payload=io.BytesIO(UPLOAD), file_name="source.mp4", mime_type="video/mp4")
    body = ExtendVideoMultipartBody(
        prompt="Keep going", seconds=VideoExtensionSeconds.SECONDS_8, video=upload
    )
    extend_video.sync(client=client, body=body)

    request = recorder.last
    assert (request.method, request.url.path) == ("POST", "/v1/videos/extensions")
    assert "boundary=+++" not in request.headers["content-type"]
    assert multipart_parts(request) == [
        Part("prompt", b"Keep going"),
        Part("seconds", b"8"),
        Part("video", UPLOAD, "source.mp4", "video/mp4"),
    ]


def test_extend_by_reference_sends_a_bracket_field_not_a_json_part(client, recorder):
    body = ExtendVideoMultipartBody(
        prompt="Keep going", seconds=VideoExtensionSeconds.SECONDS_16, video=VideoReference(id=SOURCE_ID)
    )
    extend_video.sync(client=client, body=body)

    assert multipart_parts(recorder.last) == [
        Part("prompt", b"Keep going"),
        Part("seconds", b"16"),
        Part("video[id]", SOURCE_ID.encode()),
    ]


def test_extend_by_reference_as_json(client, recorder):
    body = ExtendVideoJsonBody(
        prompt="Keep going", seconds=VideoExtensionSeconds.SECONDS_20, video=VideoReference(SOURCE_ID)
    )
    extend_video.sync(client=client, body=body)

    assert json_body(recorder.last) == {"prompt": "Keep going", "seconds": "20", "video": {"id": SOURCE_ID}}


@pytest.mark.parametrize("seconds", ["4", "8", "12", "16", "20"])
def test_extend_accepts_every_extension_length(seconds, client, recorder):
    body = ExtendVideoMultipartBody(
        prompt="p", seconds=VideoExtensionSeconds(seconds), video=VideoReference("v")
    )
    extend_video.sync(client=client, body=body)

    assert Part("seconds", seconds.encode()) in multipart_parts(recorder.last)


def test_edit_by_file_and_by_reference(client, recorder):
    upload = File(payload=io.BytesIO(b"mp4 bytes"), file_name="in.mp4", mime_type="video/mp4")
    edit_video.sync(client=client, body=EditVideoMultipartBody(prompt="Night", video=upload))
    edit_video.sync(
        client=client, body=EditVideoMultipartBody(prompt="Night", video=VideoReference(SOURCE_ID))
    )

    by_file, by_reference = (multipart_parts(r) for r in recorder.requests)
    assert recorder.requests[0].url.path == "/v1/videos/edits"
    assert by_file == [Part("prompt", b"Night"), Part("video", b"mp4 bytes", "in.mp4", "video/mp4")]
    assert by_reference == [Part("prompt", b"Night"), Part("video[id]", SOURCE_ID.encode())]


def test_remix_sends_json_to_the_video_path(client, recorder):
    remix_video.sync(SOURCE_ID, client=client, body=RemixVideoBody(prompt="Make it blue"))

    request = recorder.last
    assert (request.method, request.url.path) == ("POST", f"/v1/videos/{SOURCE_ID}/remix")
    assert json_body(request) == {"prompt": "Make it blue"}


@pytest.mark.parametrize("variant", ["video", "thumbnail", "spritesheet"])
def test_download_returns_the_bytes_of_every_variant(variant, client, recorder):
    asset = download_video_content.sync(SOURCE_ID, client=client, variant=VideoContentVariant(variant))

    assert recorder.last.url.params["variant"] == variant
    assert isinstance(asset, File)
    assert asset.payload.read() == ASSETS[variant][1]


def newer_server(request: httpx.Request) -> httpx.Response:
    video = dict(queued_video(), status="cancelled", size="3840x2160", model="sora-3", watermark={"on": True})
    return httpx.Response(200, json=video)


def test_a_newer_server_with_unknown_values_and_fields_does_not_break_parsing():
    client = AuthenticatedClient(
        base_url=BASE_URL, token="k", httpx_args={"transport": httpx.MockTransport(newer_server)}
    )
    video = retrieve_video.sync(SOURCE_ID, client=client)

    assert isinstance(video, Video)
    assert (video.status, video.size, video.model) == ("cancelled", "3840x2160", "sora-3")
    assert not video.status.is_known and not video.size.is_known
    assert isinstance(video.status, VideoStatus)
    assert video.additional_properties == {"watermark": {"on": True}}
    # Unknown values survive a round trip unchanged.
    assert video.to_dict()["status"] == "cancelled"
    assert json.loads(json.dumps(video.to_dict()))["size"] == "3840x2160"


def test_parsing_keeps_as_sent_what_does_not_parse_where_the_type_allows_it():
    # The generated from_dict parses unions in place (templates/property_templates/union_property):
    # the member parses when the value has its JSON type, else the value stays as it came, where
    # the union has a member that keeps values (`KnownVideoModel | str`). Where the others are only
    # null (`VideoCreateError | None`), a value that does not parse is raised, naming its place.
    failed = dict(queued_video(), status="failed", error={"code": "moderation", "message": "no"})
    video = Video.from_dict(failed)
    assert isinstance(video.error, VideoCreateError)
    assert (video.error.code, video.error.message) == ("moderation", "no")
    assert video.status is VideoStatus.FAILED

    video = Video.from_dict(dict(queued_video(), model=7, prompt=None))
    assert video.model == 7
    assert video.prompt is None
    with pytest.raises(WrongAt, match=r"error\.code"):
        Video.from_dict(dict(queued_video(), error={"detail": "no code"}))
    assert Video.from_dict(dict(queued_video(), error=None)).error is None
    without_error = {k: v for k, v in queued_video().items() if k != "error"}
    assert isinstance(Video.from_dict(without_error).error, Unset)


def test_an_unknown_value_stays_unknown_after_parsing_it_again():
    for _ in range(2):
        video = Video.from_dict(dict(queued_video(), status="paused", model="sora-9"))
        assert not video.status.is_known and video.status == "paused"
        assert not video.model.is_known and video.model == "sora-9"
    assert VideoStatus.from_wire("completed") is VideoStatus.COMPLETED


def test_known_values_are_the_enum_members():
    assert VideoStatus("completed") is VideoStatus.COMPLETED
    assert VideoStatus.COMPLETED.is_known
    assert VideoSize("720x1280") is VideoSize.SIZE_720X1280


def test_async_extend_by_reference(client, recorder):
    body = ExtendVideoMultipartBody(
        prompt="p", seconds=VideoExtensionSeconds.SECONDS_4, video=VideoReference("v")
    )
    video = asyncio.run(extend_video.asyncio(client=client, body=body))

    assert isinstance(video, Video)
    assert multipart_parts(recorder.last)[-1] == Part("video[id]", b"v")
