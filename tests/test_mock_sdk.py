"""The "must show" scenario over real HTTP: the official ``openai`` package, unmodified, pointed at
the mock by ``base_url``; then the same scenario through the generated client ``videos_client``.

The live mock runs at 50x speed (a job completes in ~55 ms of wall time) and accepts only the keys
below (``--api-key``), so a wrong key is an AuthenticationError.
"""

import asyncio
import io
import time
import uuid
from collections.abc import Iterator

import openai
import pytest
from mutagen.mp4 import MP4
from openai.types import Video
from PIL import Image
from videos_client import AuthenticatedClient
from videos_client.api.videos import (
    create_video,
    create_video_character,
    delete_video,
    download_video_content,
    edit_video,
    extend_video,
    get_video_character,
    list_videos,
    remix_video,
    retrieve_video,
)
from videos_client.models import (
    CreateVideoCharacterMultipartBody,
    CreateVideoMultipartBody,
    EditVideoMultipartBody,
    ErrorResponse,
    ExtendVideoJsonBody,
    ExtendVideoMultipartBody,
    KnownVideoModel,
    ListOrder,
    RemixVideoBody,
    VideoContentVariant,
    VideoExtensionSeconds,
    VideoReference,
    VideoSeconds,
    VideoSize,
    VideoStatus,
)
from videos_client.models import Video as GeneratedVideo
from videos_client.types import File

KEY, OTHER_KEY = "sk-sdk-a", "sk-sdk-b"
PAGER_KEYS = [f"sk-sdk-pager-{n}" for n in range(2)]
# Every client.videos method is marked deprecated (the hosted API was retired): expected here.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
LIVE_MOCK_CONFIG = {"speed": 50, "api_keys": [KEY, OTHER_KEY, *PAGER_KEYS]}


def mp4_seconds(data: bytes) -> float:
    return MP4(io.BytesIO(data)).info.length


def image_format(data: bytes) -> str:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.format


# -- the openai package ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk(live_mock) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=live_mock.base_url, api_key=KEY, max_retries=0) as client:
        yield client


def sdk_for(live_mock, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=live_mock.base_url, api_key=key, max_retries=0)


@pytest.fixture(scope="module")
def completed(sdk) -> Video:
    """An 8-second 1280x720 sora-2-pro video, created and polled to completion by the SDK."""
    video = sdk.videos.create_and_poll(
        prompt="a calico cat playing piano", model="sora-2-pro", seconds="8", size="1280x720"
    )
    assert video.status == "completed"
    return video


def test_create_and_poll_reaches_completed(completed):
    assert (completed.seconds, completed.size, completed.model) == ("8", "1280x720", "sora-2-pro")
    assert completed.progress == 100 and completed.completed_at and completed.expires_at
    assert completed.error is None


def test_create_and_poll_returns_a_failed_job_without_raising(sdk):
    video = sdk.videos.create_and_poll(prompt="a cat [fail]")
    assert video.status == "failed" and video.error is not None
    assert video.error.code == "video_generation_failed" and video.completed_at is None


def test_retrieve(sdk, completed):
    assert sdk.videos.retrieve(completed.id) == completed


def test_a_poller_sees_the_job_before_it_completes(sdk):
    raw = sdk.videos.with_raw_response.create(prompt="p")
    assert raw.parse().status == "queued"
    retrieved = sdk.videos.with_raw_response.retrieve(raw.parse().id)
    if retrieved.parse().status in ("queued", "in_progress"):  # at 50x it may already be done
        assert int(retrieved.headers["openai-poll-after-ms"]) == 5


def test_list_auto_paginates_over_several_pages(live_mock):
    with sdk_for(live_mock, PAGER_KEYS[0]) as client:
        created = [client.videos.create(prompt=f"clip {n}").id for n in range(7)]
        listed = [video.id for video in client.videos.list(limit=2)]
        assert listed == created[::-1]  # newest first, every video once
        pages = list(client.videos.list(limit=2, order="asc").iter_pages())
        assert len(pages) == 4 and [v.id for page in pages for v in page.data] == created
        assert pages[0].has_more is True and pages[-1].has_more is False


def test_extend_with_an_uploaded_file(sdk, completed):
    data = sdk.videos.download_content(completed.id).content
    assert mp4_seconds(data) == pytest.approx(8)
    extension = sdk.videos.extend(
        prompt="the curtain falls", seconds="4", video=("clip.mp4", data, "video/mp4")
    )
    assert (extension.seconds, extension.size, extension.status) == ("12", "1280x720", "queued")
    # bare bytes (filename "upload", application/octet-stream) and a length the SDK's type omits
    longer = sdk.videos.extend(prompt="and on", seconds="20", video=data)  # type: ignore[arg-type]
    assert longer.seconds == "28"
    done = sdk.videos.poll(longer.id)
    assert done.status == "completed"
    assert mp4_seconds(sdk.videos.download_content(done.id).content) == pytest.approx(28)


def test_extend_a_completed_video_by_id_with_a_json_body(sdk, completed):
    body = {"prompt": "the cat bows", "seconds": "16", "video": {"id": completed.id}}
    extension = sdk.post("/videos/extensions", body=body, cast_to=Video)
    assert isinstance(extension, Video)
    assert (extension.seconds, extension.model, extension.size) == ("24", "sora-2-pro", "1280x720")
    done = sdk.videos.poll(extension.id)
    assert mp4_seconds(sdk.videos.download_content(done.id, variant="video").content) == pytest.approx(24)


def test_extend_by_id_of_a_video_that_is_not_completed_or_not_mine(sdk, live_mock):
    queued = sdk.videos.create(prompt="p")
    body = {"prompt": "p", "seconds": "4", "video": {"id": queued.id}}
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.post("/videos/extensions", body=body, cast_to=Video)
    assert (caught.value.param, caught.value.code) == ("video", "video_not_completed")
    with sdk_for(live_mock, OTHER_KEY) as other:
        theirs = other.videos.create_and_poll(prompt="theirs")
    body["video"] = {"id": theirs.id}
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.post("/videos/extensions", body=body, cast_to=Video)
    assert caught.value.param == "video"


def test_remix(sdk, completed):
    remix = sdk.videos.remix(completed.id, prompt="now in blue")
    assert remix.remixed_from_video_id == completed.id
    assert (remix.seconds, remix.size, remix.model) == (completed.seconds, completed.size, completed.model)
    assert sdk.videos.poll(remix.id).status == "completed"


def test_edit_and_characters(sdk, completed):
    data = sdk.videos.download_content(completed.id).content
    edit = sdk.videos.edit(prompt="at night", video=("clip.mp4", data, "video/mp4"))
    assert (edit.seconds, edit.size) == ("8", "1280x720")
    character = sdk.videos.create_character(name="Whiskers", video=("cat.mp4", data, "video/mp4"))
    assert character.id and character.name == "Whiskers"
    assert sdk.videos.get_character(character.id).model_dump() == character.model_dump()


def test_download_content_for_every_variant(sdk, completed):
    assert mp4_seconds(sdk.videos.download_content(completed.id).content) == pytest.approx(8)
    assert image_format(sdk.videos.download_content(completed.id, variant="thumbnail").content) == "WEBP"
    assert image_format(sdk.videos.download_content(completed.id, variant="spritesheet").content) == "JPEG"


def test_delete_then_not_found(sdk):
    video = sdk.videos.create_and_poll(prompt="short-lived")
    deleted = sdk.videos.delete(video.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (video.id, True, "video.deleted")
    for call in (sdk.videos.retrieve, sdk.videos.delete, sdk.videos.download_content):
        with pytest.raises(openai.NotFoundError) as caught:
            call(video.id)
        assert caught.value.param == "video_id"
    assert video.id not in [v.id for v in sdk.videos.list()]


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"seconds": "5"}, "seconds", "invalid_value"),
        ({"seconds": "16"}, "seconds", "invalid_value"),  # an extension length, not a create length
        ({"size": "640x480"}, "size", "invalid_value"),
        ({"model": "sora-9-ultra"}, "model", "model_not_found"),
    ],
)
def test_bad_requests(sdk, fields, param, code):
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.videos.create(prompt="p", **fields)
    assert (caught.value.param, caught.value.code, caught.value.type) == (
        param,
        code,
        "invalid_request_error",
    )
    assert caught.value.status_code == 400


def test_every_known_model_is_served(sdk):
    for model in ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"):
        assert sdk.videos.create(prompt="p", model=model).model == model


def test_authentication_errors(live_mock, sdk):
    with (
        sdk_for(live_mock, "sk-not-a-key-of-this-mock") as wrong,
        pytest.raises(openai.AuthenticationError) as caught,
    ):
        wrong.videos.list()
    assert caught.value.code == "invalid_api_key"
    # no Authorization header at all (the SDK refuses to start without a key, so drop the header)
    with pytest.raises(openai.AuthenticationError):
        sdk.videos.list(extra_headers={"Authorization": openai.omit})


def test_videos_are_private_to_their_key(live_mock, sdk, completed):
    with sdk_for(live_mock, OTHER_KEY) as other:
        with pytest.raises(openai.NotFoundError):
            other.videos.retrieve(completed.id)
        assert completed.id not in [v.id for v in other.videos.list()]


async def _async_scenario(base_url: str) -> Video:
    async with openai.AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client:
        video = await client.videos.create_and_poll(prompt="async cat", seconds="4")
        body = {"prompt": "more", "seconds": "8", "video": {"id": video.id}}
        extension = await client.post("/videos/extensions", body=body, cast_to=Video)
        return await client.videos.poll(extension.id)


def test_the_async_client_too(live_mock):
    import asyncio

    done = asyncio.run(_async_scenario(live_mock.base_url))
    assert (done.status, done.seconds) == ("completed", "12")


# -- the generated client --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gen(live_mock) -> Iterator[AuthenticatedClient]:
    with AuthenticatedClient(base_url=live_mock.base_url, token=KEY) as client:
        yield client


def poll(client: AuthenticatedClient, video_id: str) -> GeneratedVideo:
    deadline = time.monotonic() + 10
    while True:
        response = retrieve_video.sync_detailed(video_id, client=client)
        video = response.parsed
        assert isinstance(video, GeneratedVideo), response.content
        if video.status in (VideoStatus.COMPLETED, VideoStatus.FAILED):
            return video
        assert time.monotonic() < deadline, "the job never finished"
        time.sleep(int(response.headers.get("openai-poll-after-ms", "100")) / 1000)


def assert_error(response, status: int, param: str | None) -> None:
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, ErrorResponse)
    assert response.parsed.error.param == param


@pytest.fixture(scope="module")
def gen_completed(gen) -> GeneratedVideo:
    body = CreateVideoMultipartBody(
        prompt="a calico cat",
        model=KnownVideoModel.SORA_2_PRO,
        seconds=VideoSeconds.SECONDS_8,
        size=VideoSize.SIZE_1280X720,
    )
    created = create_video.sync(client=gen, body=body)
    assert isinstance(created, GeneratedVideo) and created.status == VideoStatus.QUEUED
    return poll(gen, created.id)


def test_generated_create_poll_retrieve(gen, gen_completed):
    assert gen_completed.status == VideoStatus.COMPLETED and gen_completed.seconds == "8"
    assert gen_completed.model == KnownVideoModel.SORA_2_PRO
    assert retrieve_video.sync(gen_completed.id, client=gen) == gen_completed


def test_generated_list_pages(live_mock):
    with AuthenticatedClient(base_url=live_mock.base_url, token=PAGER_KEYS[1]) as client:
        created = [
            create_video.sync(client=client, body=CreateVideoMultipartBody(prompt=f"n{n}")).id
            for n in range(5)
        ]
        seen, after, pages = [], None, 0
        while True:
            kwargs = {"after": after} if after else {}
            page = list_videos.sync(client=client, limit=2, order=ListOrder.ASC, **kwargs)
            pages += 1
            seen += [video.id for video in page.data]
            if not page.has_more:
                break
            after = page.last_id
        assert seen == created and pages == 3


@pytest.mark.parametrize("extension", ["4", "20"])
def test_generated_extend_by_upload_by_reference_and_by_json(gen, gen_completed, extension):
    data = download_video_content.sync(gen_completed.id, client=gen)
    assert isinstance(data, File)
    payload = data.payload.read()
    seconds = VideoExtensionSeconds(extension)
    total = str(8 + int(extension))
    upload = File(payload=io.BytesIO(payload), file_name="clip.mp4", mime_type="video/mp4")
    bodies = [
        ExtendVideoMultipartBody(prompt="more", seconds=seconds, video=upload),
        ExtendVideoMultipartBody(prompt="more", seconds=seconds, video=VideoReference(id=gen_completed.id)),
        ExtendVideoJsonBody(prompt="more", seconds=seconds, video=VideoReference(id=gen_completed.id)),
    ]
    for body in bodies:
        extension_video = extend_video.sync(client=gen, body=body)
        assert isinstance(extension_video, GeneratedVideo), extension_video
        assert (extension_video.seconds, extension_video.size) == (total, gen_completed.size)
    done = poll(gen, extension_video.id)
    assert done.model == KnownVideoModel.SORA_2_PRO  # by reference: the source's model
    content = download_video_content.sync(done.id, client=gen)
    assert mp4_seconds(content.payload.read()) == pytest.approx(int(total))


def test_generated_extend_of_a_queued_video_is_400_on_video(gen):
    queued = create_video.sync(client=gen, body=CreateVideoMultipartBody(prompt="p"))
    body = ExtendVideoJsonBody(
        prompt="p", seconds=VideoExtensionSeconds.SECONDS_4, video=VideoReference(id=queued.id)
    )
    assert_error(extend_video.sync_detailed(client=gen, body=body), 400, "video")


def test_generated_remix_edit_and_characters(gen, gen_completed):
    remix = remix_video.sync(gen_completed.id, client=gen, body=RemixVideoBody(prompt="blue"))
    assert remix.remixed_from_video_id == gen_completed.id
    data = download_video_content.sync(gen_completed.id, client=gen).payload.read()
    edit = edit_video.sync(
        client=gen,
        body=EditVideoMultipartBody(prompt="night", video=File(payload=io.BytesIO(data), file_name="c.mp4")),
    )
    assert edit.seconds == "8"
    character = create_video_character.sync(
        client=gen,
        body=CreateVideoCharacterMultipartBody(
            name="Bob", video=File(payload=io.BytesIO(data), file_name="b.mp4")
        ),
    )
    assert get_video_character.sync(character.id, client=gen) == character


def test_generated_download_every_variant(gen, gen_completed):
    def fetch(variant):
        return download_video_content.sync(gen_completed.id, client=gen, variant=variant).payload.read()

    assert mp4_seconds(fetch(VideoContentVariant.VIDEO)) == pytest.approx(8)
    assert image_format(fetch(VideoContentVariant.THUMBNAIL)) == "WEBP"
    assert image_format(fetch(VideoContentVariant.SPRITESHEET)) == "JPEG"


def test_generated_delete_then_404(gen):
    video = create_video.sync(client=gen, body=CreateVideoMultipartBody(prompt="gone"))
    deleted = delete_video.sync(video.id, client=gen)
    assert (deleted.id, deleted.deleted) == (video.id, True)
    assert_error(retrieve_video.sync_detailed(video.id, client=gen), 404, "video_id")


def test_generated_bad_requests_and_auth(gen, live_mock):
    # the generated enums are open (they keep unknown values), so out-of-enum values reach the mock
    for body, param in [
        (CreateVideoMultipartBody(prompt="p", seconds=VideoSeconds("5")), "seconds"),
        (CreateVideoMultipartBody(prompt="p", size=VideoSize("640x480")), "size"),
        (CreateVideoMultipartBody(prompt="p", model="sora-9-ultra"), "model"),
    ]:
        assert_error(create_video.sync_detailed(client=gen, body=body), 400, param)
    with AuthenticatedClient(base_url=live_mock.base_url, token=f"sk-{uuid.uuid4().hex}") as wrong:
        response = list_videos.sync_detailed(client=wrong)
    assert_error(response, 401, None)
    assert response.parsed.error.code == "invalid_api_key"


def test_the_sdk_reaches_the_mock_in_process_through_its_own_http_library():
    # openai 3 sends through httpx2, whose clients refuse an httpx transport (AssertionError).
    from videos_toolkit.mock import MockConfig, create_app, openai_async_transport, openai_transport

    app = create_app(MockConfig(instant=True))
    sdk = openai.OpenAI(
        base_url="http://mock/v1",
        api_key="sk-test",
        http_client=openai.DefaultHttpxClient(transport=openai_transport(app)),
    )
    video = sdk.videos.create_and_poll(prompt="a cat", poll_interval_ms=0)
    assert video.status == "completed"
    assert MP4(io.BytesIO(sdk.videos.download_content(video.id).content)).info.length == 4
    app.state.mock.faults.enqueue(429, retry_after_ms=1)
    assert sdk.with_options(max_retries=1).videos.retrieve(video.id).id == video.id  # retried

    async def listed() -> list[str]:
        async_sdk = openai.AsyncOpenAI(
            base_url="http://mock/v1",
            api_key="sk-test",
            http_client=openai.DefaultAsyncHttpxClient(transport=openai_async_transport(app)),
        )
        return [v.id async for v in async_sdk.videos.list()]

    assert asyncio.run(listed()) == [video.id]
