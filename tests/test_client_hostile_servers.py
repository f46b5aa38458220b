"""What a user's review found the client doing with servers and networks nobody on the team wrote:
proxies from the environment, polls and pages that would never end, httpx exceptions that escaped
the client's own, and low-level POSTs retried without an Idempotency-Key."""

import asyncio
import gzip
import itertools
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import videos_client
from videos_client import errors
from videos_client.api.videos import create_video
from videos_client.models import CreateVideoMultipartBody

from tests.client_support import KEY, FakeTime, free_port, mock_app, serve

VIDEO = {
    "id": "video_1",
    "object": "video",
    "created_at": 1,
    "status": "in_progress",
    "progress": 10,
    "model": "sora-2",
    "seconds": "4",
    "size": "720x1280",
}


def scripted(handler) -> videos_client.VideosClient:
    fake = FakeTime()
    return videos_client.VideosClient(
        api_key=KEY,
        base_url="http://server.test/v1",
        transport=httpx.MockTransport(handler),
        sleep=fake.sleep,
        clock=fake.clock,
    )


@contextmanager
def raw_server(answers: Iterable[bytes]) -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 sending each connection the next raw answer as is, then closing it;
    yields its origin and the request line of each request (absolute-form when it is used as a
    proxy, as a client sends it to one)."""
    lines: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        for raw in answers:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head and (chunk := conn.recv(65536)):
                    head += chunk
                lines.append(head.split(b"\r\n", 1)[0].decode())
                conn.sendall(raw)

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", lines
    finally:
        listener.close()


def http_answer(
    body: bytes, declared: int | None = None, status: str = "200 OK", content_type: str = "application/json"
) -> bytes:
    length = len(body) if declared is None else declared
    head = f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\n"
    return (head + "connection: close\r\n\r\n").encode() + body


@pytest.fixture
def no_proxies(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_proxy_of_the_environment_is_used_as_httpx_and_the_openai_sdk_use_it(no_proxies, kind):
    refusal = b'{"error": {"message": "from the proxy", "type": "invalid_request_error"}}'
    with raw_server(itertools.repeat(http_answer(refusal, status="404 Not Found"))) as (proxy, lines):
        no_proxies.setenv("HTTP_PROXY", proxy)
        base_url = "http://videos.internal/v1"  # resolved by the proxy, never by this machine
        if kind == "sync":
            with pytest.raises(errors.NotFoundError) as caught:
                videos_client.VideosClient(api_key=KEY, base_url=base_url, max_retries=0).videos.retrieve(
                    "v_1"
                )
        else:

            async def retrieve() -> None:
                async with videos_client.AsyncVideosClient(
                    api_key=KEY, base_url=base_url, max_retries=0
                ) as c:
                    await c.videos.retrieve("v_1")

            with pytest.raises(errors.NotFoundError) as caught:
                asyncio.run(retrieve())
    assert lines == ["GET http://videos.internal/v1/videos/v_1 HTTP/1.1"]
    assert "from the proxy" in caught.value.message


def test_no_proxy_sends_straight_to_the_server(no_proxies):
    with serve(mock_app()) as base_url:
        no_proxies.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing listens there
        no_proxies.setenv("NO_PROXY", "127.0.0.1")
        client = videos_client.VideosClient(api_key=KEY, base_url=base_url, max_retries=0)
        assert client.videos.create(prompt="a cat").status == "queued"


def test_a_given_transport_is_used_as_given_whatever_the_environment(no_proxies):
    no_proxies.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    client = scripted(lambda request: httpx.Response(200, json={**VIDEO, "status": "completed"}))
    assert client.videos.retrieve("video_1").status == "completed"


@pytest.mark.parametrize(("header", "wait"), [("0", 0.1), ("-100", 1.0), ("abc", 1.0), ("10" * 20, 60.0)])
def test_a_poll_wait_the_server_asks_for_is_kept_between_a_tenth_of_a_second_and_a_minute(header, wait):
    answers = iter([*[{**VIDEO}] * 3, {**VIDEO, "status": "completed", "progress": 100}])
    fake = FakeTime()
    client = videos_client.VideosClient(
        api_key=KEY,
        base_url="http://server.test/v1",
        transport=httpx.MockTransport(
            lambda request: httpx.Response(200, json=next(answers), headers={"openai-poll-after-ms": header})
        ),
        sleep=fake.sleep,
        clock=fake.clock,
    )
    assert client.videos.poll("video_1").status == "completed"
    assert fake.sleeps == [wait] * 3


def page(ids: list[str], has_more: object, last_id: str | None = None) -> dict:
    data = [{**VIDEO, "id": vid, "status": "completed", "progress": 100} for vid in ids]
    return {
        "object": "list",
        "data": data,
        "first_id": ids[0] if ids else None,
        "last_id": last_id or (ids[-1] if ids else None),
        "has_more": has_more,
    }


@pytest.mark.parametrize(
    "pages",
    [
        [page(["video_1", "video_2"], True)] * 5,  # the same page again and again
        [page(["video_1"], True), page(["video_2"], True), page(["video_1"], True)],  # a cycle
    ],
    ids=["same cursor", "cycle"],
)
def test_walking_pages_whose_cursor_does_not_move_on_stops_with_a_clear_error(pages):
    calls = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params.get("after"))
        if len(calls) > len(pages):
            pytest.fail("the walk goes on past the pages the server has")
        return httpx.Response(200, json=pages[len(calls) - 1])

    with pytest.raises(errors.APIResponseValidationError, match="cursor does not move on"):
        list(scripted(server).videos.list())
    assert len(calls) <= 3


def same_page_always(body: dict, calls: list) -> httpx.MockTransport:
    """A server answering every list request with this page; fails the test past 5 requests."""

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) > 5:
            pytest.fail("the walk does not stop")
        return httpx.Response(200, json=body)

    return httpx.MockTransport(server)


def test_walking_async_pages_whose_cursor_does_not_move_on_stops_too():
    transport = same_page_always(page(["video_1"], True), [])

    async def walk() -> list:
        async with videos_client.AsyncVideosClient(
            api_key=KEY, base_url="http://server.test/v1", transport=transport
        ) as client:
            return [video async for video in client.videos.list()]

    with pytest.raises(errors.APIResponseValidationError, match="cursor does not move on"):
        asyncio.run(walk())


def test_has_more_sent_as_a_string_is_not_read_as_more_pages():
    calls: list = []
    transport = same_page_always(page(["video_1"], "false"), calls)
    first = scripted(transport.handler).videos.list()
    assert [video.id for video in first] == ["video_1"] and len(calls) == 1
    assert first.response.status_code == 200  # the raw answer, as with_raw_response gives


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            lambda request: httpx.Response(
                200, content=b"not gzip at all", headers={"content-encoding": "gzip"}
            ),
            "DecodingError",
        ),
        (
            lambda request: httpx.Response(302, headers={"location": str(request.url)}),
            "TooManyRedirects",
        ),
    ],
    ids=["broken gzip", "redirect loop"],
)
def test_an_undecodable_body_and_a_redirect_loop_are_api_connection_errors(answer, said):
    client = scripted(answer)
    with pytest.raises(errors.APIConnectionError) as caught:
        client.videos.retrieve("video_1")
    assert said in caught.value.message and not isinstance(caught.value, errors.APITimeoutError)
    with pytest.raises(errors.APIConnectionError):
        client.videos.download_content("video_1")


def test_a_good_gzip_body_is_read():
    body = gzip.compress(httpx.Response(200, json={**VIDEO, "status": "completed"}).content)
    client = scripted(lambda request: httpx.Response(200, content=body, headers={"content-encoding": "gzip"}))
    assert client.videos.retrieve("video_1").status == "completed"


def test_a_low_level_post_gets_one_idempotency_key_kept_by_its_retries():
    keys = []

    def flaky(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("idempotency-key"))
        if len(keys) == 1:
            return httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}})
        return httpx.Response(200, json={**VIDEO, "status": "queued", "progress": 0})

    client = scripted(flaky)
    body = CreateVideoMultipartBody(prompt="a cat")
    # The generated function, through the high-level client's connection (as the README shows).
    created = create_video.sync(client=client.api_client, body=body)
    assert created is not None and created.id == "video_1"
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert keys[0].startswith("videos-client-")


def test_a_key_the_caller_sends_is_kept():
    keys = []

    def server(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers.get("idempotency-key"))
        return httpx.Response(200, json={**VIDEO, "status": "queued", "progress": 0})

    client = scripted(server)
    create_video.sync(
        client=client.api_client, body=CreateVideoMultipartBody(prompt="a cat"), idempotency_key="mine"
    )
    client.http_client.post("/videos", json={"prompt": "a cat"})
    client.videos.retrieve("video_1")
    assert keys[0] == "mine" and keys[1].startswith("videos-client-") and keys[2] is None


@pytest.mark.parametrize("status", [300, 304])
def test_a_3xx_that_is_not_followed_is_an_api_status_error(status):
    client = scripted(
        lambda request: httpx.Response(status, json={"error": {"message": "moved", "type": "x"}})
    )
    with pytest.raises(errors.APIStatusError) as caught:
        client.videos.retrieve("video_1")
    assert caught.value.status_code == status and "moved" in caught.value.message


def test_an_error_body_with_a_stray_invalid_byte_keeps_its_message():
    body = b'{"error": {"message": "no such video \xff", "type": "invalid_request_error", "code": "gone"}}'
    client = scripted(
        lambda request: httpx.Response(404, content=body, headers={"content-type": "application/json"})
    )
    with pytest.raises(errors.NotFoundError) as caught:
        client.videos.retrieve("video_1")
    assert "no such video" in caught.value.message and caught.value.code == "gone"


def test_a_json_answer_cut_short_is_retried_like_a_lost_connection():
    whole = httpx.Response(200, json={**VIDEO, "status": "completed"}).content
    with raw_server([http_answer(whole[:20], declared=len(whole)), http_answer(whole)]) as (origin, lines):
        fake = FakeTime()
        client = videos_client.VideosClient(
            api_key=KEY, base_url=f"{origin}/v1", sleep=fake.sleep, clock=fake.clock
        )
        assert client.videos.retrieve("video_1").status == "completed"
    assert len(lines) == 2 and len(fake.sleeps) == 1


def test_a_json_answer_always_cut_short_is_an_api_connection_error_after_the_retries():
    whole = httpx.Response(200, json=VIDEO).content
    cut = http_answer(whole[:20], declared=len(whole))
    with raw_server([cut] * 3) as (origin, lines):
        client = videos_client.VideosClient(api_key=KEY, base_url=f"{origin}/v1", sleep=FakeTime().sleep)
        with pytest.raises(errors.APIConnectionError):
            client.videos.retrieve("video_1")
    assert len(lines) == 3


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_download_held_in_memory_cut_short_is_retried_like_a_lost_connection(sync):
    # As the openai SDK's download_content: its body is read inside the retry loop.
    clip = bytes(range(256)) * 40
    cut = http_answer(clip[:100], declared=len(clip), content_type="video/mp4")
    with raw_server([cut, http_answer(clip, content_type="video/mp4")]) as (origin, lines):
        fake = FakeTime()
        where = {"api_key": KEY, "base_url": f"{origin}/v1", "clock": fake.clock}
        if sync:
            with videos_client.VideosClient(**where, sleep=fake.sleep) as client:
                got = client.videos.download_content("video_1")
        else:

            async def download() -> bytes:
                async with videos_client.AsyncVideosClient(**where, sleep=fake.async_sleep) as client:
                    return await client.videos.download_content("video_1")

            got = asyncio.run(download())
    assert got == clip and len(lines) == 2


@pytest.mark.parametrize(
    ("error", "said"),
    [
        ({"code": "moderation_blocked"}, "the required field 'message' is missing from error: "),
        ("boom", "error is 'boom', not what the contract allows there"),
        ([{"code": "x", "message": "m"}], "error is [{'code': 'x', 'message': 'm'}], not what"),
    ],
)
def test_a_failed_videos_error_that_breaks_the_contract_is_raised_never_kept_as_a_dict(error, said):
    # A dict kept where the type says VideoCreateError crashed later, at `video.error.code`.
    failed = {**VIDEO, "status": "failed", "error": error}
    malformed = pytest.raises(errors.APIResponseValidationError, match="Malformed response")
    with scripted(lambda request: httpx.Response(200, json=failed)) as client, malformed as caught:
        client.videos.retrieve("video_1")
    assert said in str(caught.value), caught.value


def test_a_failed_videos_error_as_the_contract_has_it_is_a_video_create_error():
    failed = {**VIDEO, "status": "failed", "error": {"code": "moderation_blocked", "message": "no"}}
    with scripted(lambda request: httpx.Response(200, json=failed)) as client:
        video = client.videos.retrieve("video_1")
    assert isinstance(video.error, videos_client.models.VideoCreateError)
    assert (video.error.code, video.error.message) == ("moderation_blocked", "no")


def test_an_item_of_a_page_missing_a_required_field_is_named_by_its_place_and_id():
    items = [{**VIDEO, "id": f"video_{n}"} for n in range(5)]
    del items[3]["size"]
    page = {"object": "list", "data": items, "first_id": "video_0", "last_id": "video_4", "has_more": False}
    malformed = pytest.raises(errors.APIResponseValidationError)
    with scripted(lambda request: httpx.Response(200, json=page)) as client, malformed as caught:
        client.videos.list()
    assert "the required field 'size' is missing from data[3] (id 'video_3'): " in str(caught.value)
    assert '"id": "video_3"' in str(caught.value) and "video_0" not in str(caught.value)


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (lambda items: items[1].update(size=7), "data[1]: 7 is not a valid VideoSize, in data[1] (id"),
        (lambda items: items.__setitem__(2, "oops"), "data[2] is 'oops', not what the contract allows there"),
        (lambda items: items[1].update(error="boom"), "data[1].error is 'boom', not what the contract"),
        (lambda items: items[3].update(error={"code": "x"}), "'message' is missing from data[3].error"),
    ],
)
def test_an_item_of_a_page_holding_a_wrong_value_is_named_by_its_place(spoil, said):
    items = [{**VIDEO, "id": f"video_{n}"} for n in range(4)]
    spoil(items)
    page = {"object": "list", "data": items, "first_id": "video_0", "last_id": "video_3", "has_more": False}
    malformed = pytest.raises(errors.APIResponseValidationError)
    with scripted(lambda request: httpx.Response(200, json=page)) as client, malformed as caught:
        client.videos.list()
    assert said in str(caught.value), caught.value
