"""Configuration: API key and base URL from arguments or OPENAI_API_KEY / OPENAI_BASE_URL, a clear
error without a key, timeouts per client and per call, the headers every request carries."""

import httpx
import pytest
import videos_client
from videos_client import errors

from tests.client_support import mock_app, sync_client


class Recorder(httpx.BaseTransport):
    """Answers every request with an empty list and keeps it (with the timeout it was sent with)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
        return httpx.Response(200, json=body)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_key_and_base_url_come_from_the_environment(clean_env):
    clean_env.setenv("OPENAI_API_KEY", "sk-from-env")
    clean_env.setenv("OPENAI_BASE_URL", "http://videos.internal:8080/v1/")
    transport = Recorder()
    client = videos_client.VideosClient(transport=transport)
    client.videos.list(limit=5)
    (request,) = transport.requests
    assert client.api_key == "sk-from-env" and client.base_url == "http://videos.internal:8080/v1"
    assert str(request.url) == "http://videos.internal:8080/v1/videos?limit=5"
    assert request.headers["authorization"] == "Bearer sk-from-env"
    assert request.headers["user-agent"].startswith("videos-client/")
    assert request.headers["accept"] == "application/json"


def test_arguments_win_over_the_environment(clean_env):
    clean_env.setenv("OPENAI_API_KEY", "sk-from-env")
    clean_env.setenv("OPENAI_BASE_URL", "http://ignored/v1")
    transport = Recorder()
    client = videos_client.VideosClient(api_key="sk-arg", base_url="http://chosen/v2", transport=transport)
    client.videos.list()
    assert str(transport.requests[0].url) == "http://chosen/v2/videos"
    assert transport.requests[0].headers["authorization"] == "Bearer sk-arg"


def test_the_default_base_url_is_the_official_one(clean_env):
    client = videos_client.VideosClient(api_key="sk-x")
    assert client.base_url == videos_client.DEFAULT_BASE_URL == "https://api.openai.com/v1"


@pytest.mark.parametrize("key", [None, "", "   "])
def test_no_key_is_a_clear_error_before_any_request(clean_env, key):
    for cls in (videos_client.VideosClient, videos_client.AsyncVideosClient):
        with pytest.raises(errors.ConfigurationError, match="OPENAI_API_KEY") as caught:
            cls(api_key=key)
        assert isinstance(caught.value, videos_client.VideosClientError)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_max_retries_must_be_a_non_negative_int(bad):
    with pytest.raises(errors.ConfigurationError, match="max_retries"):
        videos_client.VideosClient(api_key="sk-x", max_retries=bad)


def test_a_base_url_must_be_http():
    with pytest.raises(errors.ConfigurationError, match="base_url"):
        videos_client.VideosClient(api_key="sk-x", base_url="localhost:4010")


def test_timeouts_default_per_client_and_per_call():
    transport = Recorder()
    default = videos_client.VideosClient(api_key="sk-x", base_url="http://x/v1", transport=transport)
    default.videos.list()
    short = videos_client.VideosClient(
        api_key="sk-x", base_url="http://x/v1", transport=transport, timeout=7.5
    )
    short.videos.list()
    short.videos.list(timeout=httpx.Timeout(1.0, connect=0.5))
    short.with_options(timeout=3).videos.list()
    default.videos.list(timeout=None)
    timeouts = [request.extensions["timeout"] for request in transport.requests]
    assert timeouts[0] == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}
    assert timeouts[1] == dict.fromkeys(("connect", "read", "write", "pool"), 7.5)
    assert timeouts[2] == {"connect": 0.5, "read": 1.0, "write": 1.0, "pool": 1.0}
    assert timeouts[3] == dict.fromkeys(("connect", "read", "write", "pool"), 3)
    assert timeouts[4] == dict.fromkeys(("connect", "read", "write", "pool"))
    assert default.timeout == videos_client.DEFAULT_TIMEOUT


def test_a_timeout_on_the_wire_is_an_api_timeout_error():
    # A per-call timeout that is really applied: the mock waits 300 ms, the call allows 50 ms.
    from tests.client_support import serve

    with (
        serve(mock_app(latency_ms=300)) as base_url,
        videos_client.VideosClient(api_key="sk-x", base_url=base_url, max_retries=0) as client,
    ):
        with pytest.raises(errors.APITimeoutError):
            client.videos.list(timeout=0.05)
        assert client.videos.list(timeout=5).data == []


def test_downloads_accept_binary_like_the_official_sdk():
    transport = Recorder()
    client = videos_client.VideosClient(api_key="sk-x", base_url="http://x/v1", transport=transport)
    client.videos.download_content("video_1", variant="thumbnail")
    (request,) = transport.requests
    assert str(request.url) == "http://x/v1/videos/video_1/content?variant=thumbnail"
    assert request.headers["accept"] == "application/binary"


def test_default_headers_are_sent_with_every_request():
    transport = Recorder()
    client = videos_client.VideosClient(
        api_key="sk-x",
        base_url="http://x/v1",
        transport=transport,
        default_headers={"OpenAI-Project": "proj_1"},
    )
    client.videos.list()
    assert transport.requests[0].headers["openai-project"] == "proj_1"


def test_the_clients_close_their_connections():
    client = sync_client(mock_app())
    with client:
        client.videos.list()
    assert client.http_client.is_closed
