"""videos_client raises a typed exception for every non-2xx answer of the mock, carrying the
envelope, the request id and the raw response; unreadable bodies give clear exceptions too."""

import httpx
import pytest
import videos_client
from videos_client import errors
from videos_client.api.videos import retrieve_video

from tests.client_support import KEY, FakeTime, Scripts, async_client, mock_app, run, sync_client

LIVE_MOCK_CONFIG = {"speed": 100, "api_keys": [KEY]}


def completed_video(client: videos_client.VideosClient, app) -> videos_client.models.Video:
    video = client.videos.create(prompt="a calico cat playing piano")
    app.state.mock.clock.advance(10)
    return client.videos.retrieve(video.id)


def test_out_of_enum_seconds_is_a_bad_request_naming_the_param():
    app = mock_app()
    with sync_client(app) as client:
        source = completed_video(client, app)
        with pytest.raises(errors.BadRequestError) as caught:
            client.videos.extend(prompt="more", seconds="24", video={"id": source.id})
    error = caught.value
    assert isinstance(error, errors.APIStatusError) and isinstance(error, errors.APIError)
    assert error.status_code == 400 and error.response.status_code == 400
    assert error.param == "seconds"
    assert error.type == "invalid_request_error"
    assert error.code
    assert error.message.startswith("Error code: 400 - ") and "seconds" in error.message
    assert error.request_id and error.request_id == error.response.headers["x-request-id"]
    assert error.body == error.response.json()
    assert error.request.method == "POST" and error.request.url.path == "/v1/videos/extensions"


def test_a_wrong_key_is_an_authentication_error():
    app = mock_app(api_keys=["sk-the-right-one"])
    with sync_client(app, api_key="sk-wrong") as client, pytest.raises(errors.AuthenticationError) as caught:
        client.videos.list()
    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_api_key"


def test_a_malformed_authorization_header_is_an_authentication_error():
    app = mock_app()
    with (
        sync_client(app, default_headers={"Authorization": "Basic abc"}) as client,
        pytest.raises(errors.AuthenticationError) as caught,
    ):
        client.videos.retrieve("video_123")
    assert "Authorization" in caught.value.message


def test_an_unknown_id_is_not_found():
    app = mock_app()
    with sync_client(app) as client, pytest.raises(errors.NotFoundError) as caught:
        client.videos.retrieve("video_does_not_exist")
    assert caught.value.status_code == 404
    assert caught.value.param == "video_id"
    assert "video_does_not_exist" in str(caught.value)


def test_an_upload_over_the_limit_is_request_too_large():
    app = mock_app(upload_limit=10_000)
    with sync_client(app) as client, pytest.raises(errors.RequestTooLargeError) as caught:
        client.videos.extend(prompt="more", seconds=4, video=b"\0" * 20_000)
    assert caught.value.status_code == 413


def test_a_body_of_the_wrong_media_type_is_unsupported_media_type():
    # The client always sends what the contract accepts; its raw httpx client shares the hooks.
    app = mock_app()
    with sync_client(app) as client, pytest.raises(errors.UnsupportedMediaTypeError) as caught:
        client.http_client.post("/videos", content=b"prompt=x", headers={"Content-Type": "text/plain"})
    assert caught.value.status_code == 415


@pytest.mark.parametrize(
    ("status", "cls"),
    [(429, errors.RateLimitError), (500, errors.InternalServerError), (503, errors.InternalServerError)],
)
def test_injected_faults_map_to_their_classes(status, cls):
    app = mock_app()
    app.state.mock.faults.enqueue(status)
    with sync_client(app, max_retries=0) as client, pytest.raises(cls) as caught:
        client.videos.list()
    error = caught.value
    assert error.status_code == status
    assert error.type in {"requests", "server_error"}
    assert error.request_id
    if status == 429:
        assert error.retry_after == pytest.approx(1.0)  # retry-after-ms wins over retry-after


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (403, errors.PermissionDeniedError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (418, errors.APIStatusError),
        (502, errors.InternalServerError),
    ],
)
def test_statuses_the_mock_never_sends_map_too(status, cls):
    scripts = Scripts(mock_app())
    scripts.answer(status)
    with sync_client(scripts, max_retries=0) as client, pytest.raises(cls) as caught:
        client.videos.retrieve("video_123")
    assert type(caught.value) is cls
    assert caught.value.code == f"scripted_{status}"


def test_a_non_json_error_body_says_so():
    scripts = Scripts(mock_app())
    scripts.answer(502, raw=b"<html><body>Bad gateway</body></html>", content_type="text/html")
    with sync_client(scripts, max_retries=0) as client, pytest.raises(errors.InternalServerError) as caught:
        client.videos.retrieve("video_123")
    error = caught.value
    assert error.body is None and error.code is None
    assert "non-JSON error body (text/html)" in error.message and "Bad gateway" in error.message
    assert error.response.text.startswith("<html>")


def test_an_error_body_without_the_envelope_says_so():
    scripts = Scripts(mock_app())
    scripts.answer(400, body={"detail": "nope"})
    with sync_client(scripts) as client, pytest.raises(errors.BadRequestError) as caught:
        client.videos.retrieve("video_123")
    assert "without the API's envelope" in caught.value.message
    assert caught.value.body == {"detail": "nope"}


def test_a_2xx_body_missing_a_required_field_names_the_field():
    scripts = Scripts(mock_app())
    scripts.answer(200, body={"id": "video_123", "object": "video", "created_at": 1})
    with sync_client(scripts) as client, pytest.raises(errors.APIResponseValidationError) as caught:
        client.videos.retrieve("video_123")
    error = caught.value
    assert not isinstance(error, KeyError)
    assert "required field 'model' is missing" in str(error)
    assert "GET /v1/videos/video_123 (HTTP 200)" in str(error)
    assert error.status_code == 200 and error.body == {"id": "video_123", "object": "video", "created_at": 1}


VIDEO = {
    "id": "video_123",
    "object": "video",
    "created_at": 1,
    "status": "queued",
    "model": "sora-2",
    "progress": 0,
    "seconds": "4",
    "size": "720x1280",
}


@pytest.mark.parametrize("bad_id", [None, "", 7])
def test_a_video_without_a_usable_id_is_malformed_not_a_value_error_later(bad_id):
    # create_and_poll used to raise ValueError("Expected a non-empty value for `video_id`...") from
    # its first poll, a message about the caller's argument, not about the server's answer.
    scripts = Scripts(mock_app())
    scripts.answer(200, body={**VIDEO, "id": bad_id})
    with sync_client(scripts) as client, pytest.raises(errors.APIResponseValidationError) as caught:
        client.videos.create_and_poll(prompt="a cat")
    assert (
        f"POST /v1/videos (HTTP 200): ValueError: a Video's id must be a non-empty string, not {bad_id!r}"
        in str(caught.value)
    )


def test_other_values_of_the_wrong_type_are_kept_as_sent_as_the_openai_sdk_keeps_them():
    scripts = Scripts(mock_app())
    scripts.answer(200, body={**VIDEO, "created_at": None, "progress": "0", "seconds": 4})
    with sync_client(scripts) as client:
        video = client.videos.retrieve("video_123")
    assert (video.created_at, video.progress, video.seconds) == (None, "0", 4)


def test_a_2xx_body_that_is_not_json_says_so():
    scripts = Scripts(mock_app())
    scripts.answer(200, raw=b"<html>maintenance</html>", content_type="text/html")
    with sync_client(scripts) as client, pytest.raises(errors.APIResponseValidationError) as caught:
        client.videos.list()
    assert not isinstance(caught.value, ValueError)
    assert "the body is not JSON (text/html)" in str(caught.value)


def test_a_2xx_body_of_the_wrong_shape_says_so():
    scripts = Scripts(mock_app())
    scripts.answer(200, body=["not", "an", "object"])
    with sync_client(scripts) as client, pytest.raises(errors.APIResponseValidationError) as caught:
        client.videos.retrieve("video_123")
    assert 'the body is a JSON list, not an object: \'["not", "an", "object"]' in str(caught.value)


def test_an_undocumented_2xx_status_is_not_silently_none():
    scripts = Scripts(mock_app())
    scripts.answer(202, body={"accepted": True})
    with sync_client(scripts) as client, pytest.raises(errors.VideosClientError):
        client.videos.retrieve("video_123")


def test_the_generated_functions_raise_the_same_typed_errors_through_api_client():
    scripts = Scripts(mock_app())
    with sync_client(scripts) as client:
        with pytest.raises(errors.NotFoundError):
            retrieve_video.sync("video_missing", client=client.api_client)
        scripts.answer(200, raw=b"{", content_type="application/json")
        with pytest.raises(errors.APIResponseValidationError, match="not JSON"):
            retrieve_video.sync("video_123", client=client.api_client)


def test_a_plain_generated_client_raises_a_clear_error_for_a_malformed_body_too():
    scripts = Scripts(mock_app())
    scripts.answer(200, body={"id": "video_123"})
    client = videos_client.AuthenticatedClient(base_url="http://mock/v1", token=KEY)
    client.set_httpx_client(httpx.Client(base_url="http://mock/v1", transport=_sync_bridge(scripts)))
    with pytest.raises(errors.APIResponseValidationError, match="'object' is missing"):
        retrieve_video.sync("video_123", client=client)


def _sync_bridge(app):
    from videos_toolkit.mock import InProcessTransport

    return InProcessTransport(app)


def test_connection_errors_are_retried_then_raised_as_api_connection_error():
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    fake = FakeTime()
    client = videos_client.VideosClient(
        api_key=KEY, base_url="http://127.0.0.1:9/v1", transport=httpx.MockTransport(refuse), sleep=fake.sleep
    )
    with pytest.raises(errors.APIConnectionError) as caught:
        client.videos.retrieve("video_123")
    assert not isinstance(caught.value, errors.APITimeoutError)
    assert "connection refused" in caught.value.message
    assert len(calls) == 3 and len(fake.sleeps) == 2
    assert caught.value.request.url.path == "/v1/videos/video_123"


def test_timeouts_are_api_timeout_errors():
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = videos_client.VideosClient(
        api_key=KEY, base_url="http://127.0.0.1:9/v1", transport=httpx.MockTransport(slow), max_retries=0
    )
    with pytest.raises(errors.APITimeoutError) as caught:
        client.videos.retrieve("video_123")
    assert isinstance(caught.value, errors.APIConnectionError)


def test_the_async_client_raises_the_same_classes():
    app = mock_app()

    async def scenario():
        async with async_client(app, max_retries=0) as client:
            with pytest.raises(errors.NotFoundError):
                await client.videos.retrieve("video_nope")
            app.state.mock.faults.enqueue(429)
            with pytest.raises(errors.RateLimitError):
                await client.videos.list()
            with pytest.raises(errors.BadRequestError) as caught:
                await client.videos.create(prompt="x", seconds="16")
            return caught.value

    error = run(scenario())
    assert error.param == "seconds"


def test_errors_over_http(live_mock):
    with videos_client.VideosClient(api_key=KEY, base_url=live_mock.base_url, max_retries=0) as client:
        with pytest.raises(errors.NotFoundError) as caught:
            client.videos.retrieve("video_nope")
        assert caught.value.request_id.startswith("req_")
        with pytest.raises(errors.BadRequestError) as bad:
            client.videos.create(prompt="x", size="1x1")
        assert bad.value.param == "size"
        live_mock.runtime.faults.enqueue(503)
        with pytest.raises(errors.InternalServerError) as unavailable:
            client.videos.list()
        assert unavailable.value.status_code == 503 and unavailable.value.retry_after == 1.0
    with (
        videos_client.VideosClient(api_key="sk-other", base_url=live_mock.base_url) as stranger,
        pytest.raises(errors.AuthenticationError),
    ):
        stranger.videos.list()


def test_nothing_is_sent_for_an_empty_id_or_a_str_where_a_file_or_reference_belongs():
    scripts = Scripts(mock_app())
    with sync_client(scripts) as client:
        with pytest.raises(ValueError, match="video_id"):
            client.videos.retrieve("")
        with pytest.raises(TypeError, match=r"pathlib.Path\('clip.mp4'\)"):
            client.videos.extend(prompt="x", seconds=4, video="clip.mp4")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="video reference"):
            client.videos.extend(prompt="x", seconds=4, video={"name": "clip"})
    assert scripts.seen == []


def test_an_undocumented_2xx_with_the_documented_body_is_read_like_the_documented_one():
    # A newer server answering 201 Created or 202 Accepted: the openai SDK reads any 2xx.
    app = mock_app()
    scripts = Scripts(app)
    with sync_client(scripts) as client:
        video = completed_video(client, app)
        scripts.answer(201, body=video.to_dict())
        assert client.videos.retrieve(video.id).id == video.id
        scripts.answer(202, body={**video.to_dict(), "status": "queued"})
        assert run(_async_retrieve(scripts, video.id)) == "queued"


async def _async_retrieve(app, video_id: str) -> str:
    async with async_client(app) as client:
        return str((await client.videos.retrieve(video_id)).status)


def test_redirects_are_followed_as_the_openai_sdk_does():
    app = mock_app()
    scripts = Scripts(app)
    with sync_client(scripts) as client:
        video = completed_video(client, app)
        scripts.answer(307, raw=b"", headers={"location": f"/v1/videos/{video.id}"})
        assert client.videos.retrieve("video_moved").id == video.id
    assert scripts.seen[-2:] == [("GET", "/v1/videos/video_moved"), ("GET", f"/v1/videos/{video.id}")]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_closing_a_with_options_copy_leaves_the_parent_working(kind):
    app = mock_app()
    if kind == "sync":
        with sync_client(app) as client:
            with client.with_options(timeout=100) as patient:
                patient.videos.list()
            assert client.videos.list().data == []
        assert client.http_client.is_closed  # the parent still closes them
        return

    async def scenario() -> bool:
        async with async_client(app) as client:
            async with client.with_options(timeout=100) as patient:
                await patient.videos.list()
            assert (await client.videos.list()).data == []
        return client.http_client.is_closed

    assert run(scenario())
