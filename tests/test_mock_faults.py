"""Fault injection: a scripted queue (in-process) and a seeded rate, with retry hints and latency."""

import asyncio
import time
import warnings

import openai
import pytest

from videos_toolkit.mock import MockConfig


def envelope_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_enqueued_faults_answer_the_next_requests_then_stop(mock):
    mock.runtime.faults.enqueue(503, count=2)
    assert mock.runtime.faults.pending() == 2
    first, second = mock.client.get("/videos"), mock.client.post("/videos", files={"prompt": (None, "p")})
    assert (first.status_code, second.status_code) == (503, 503)
    # A hint under a second is kept in retry-after-ms (read first by the openai SDK): with
    # retry-after alone, every retry of a 503 waited at least a whole second.
    assert (first.headers["retry-after"], first.headers["retry-after-ms"]) == ("1", "1000")
    assert envelope_of(first)["code"] == "service_unavailable"
    assert mock.runtime.faults.pending() == 0
    assert mock.client.get("/videos").status_code == 200
    # the faulted create made no job
    assert mock.client.get("/videos").json()["data"] == []


def test_enqueued_faults_are_served_in_order_with_their_retry_hints(mock):
    faults = mock.runtime.faults
    faults.enqueue(429, retry_after_ms=2500)
    faults.enqueue(500)
    faults.enqueue(429)
    rate_limited = mock.client.get("/videos")
    assert rate_limited.status_code == 429
    assert (rate_limited.headers["retry-after"], rate_limited.headers["retry-after-ms"]) == ("3", "2500")
    error = envelope_of(rate_limited)
    assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
    server_error = mock.client.get("/videos")
    assert server_error.status_code == 500 and "retry-after" not in server_error.headers
    assert envelope_of(server_error)["type"] == "server_error"
    default_hint = mock.client.get("/videos")
    assert (default_hint.headers["retry-after"], default_hint.headers["retry-after-ms"]) == ("1", "1000")
    assert mock.client.get("/videos").status_code == 200


def test_clear_drops_pending_faults(mock):
    mock.runtime.faults.enqueue(500, count=5)
    mock.runtime.faults.clear()
    assert mock.client.get("/videos").status_code == 200


@pytest.mark.parametrize(("status", "count"), [(404, 1), (400, 1), (429, -1)])
def test_enqueue_rejects_what_the_contract_cannot_carry(mock, status, count):
    with pytest.raises(ValueError):
        mock.runtime.faults.enqueue(status, count=count)


def test_auth_comes_before_a_queued_fault(mock):
    mock.runtime.faults.enqueue(429)
    assert mock.client.get("/videos", headers={"Authorization": ""}).status_code == 401
    assert mock.runtime.faults.pending() == 1  # the unauthenticated request did not use it up
    assert mock.client.get("/videos").status_code == 429


def test_a_queued_fault_comes_before_validation(mock):
    mock.runtime.faults.enqueue(500)
    assert mock.client.post("/videos", files={"seconds": (None, "5")}).status_code == 500
    assert mock.client.post("/videos", files={"seconds": (None, "5")}).status_code == 400


# -- rate and seed ---------------------------------------------------------------------------------


def fault_sequence(handle, requests: int = 60) -> list[int]:
    return [handle.client.get("/videos").status_code for _ in range(requests)]


def test_the_same_seed_gives_the_same_faults(make_mock):
    first = fault_sequence(make_mock(fault_rate=0.4, fault_seed=7))
    again = fault_sequence(make_mock(fault_rate=0.4, fault_seed=7))
    other = fault_sequence(make_mock(fault_rate=0.4, fault_seed=8))
    assert first == again
    assert first != other
    assert set(first) == {200, 429, 500, 503}
    # the share is the rate's, give or take (the sequence is fixed by the seed, so this cannot flake)
    assert 10 <= sum(status != 200 for status in first) <= 40


def test_rate_0_and_1(make_mock):
    assert set(fault_sequence(make_mock(fault_rate=0.0), 20)) == {200}
    assert set(fault_sequence(make_mock(fault_rate=1.0, fault_statuses=(503,)), 20)) == {503}


def test_only_the_chosen_statuses_with_the_configured_retry_hint(make_mock):
    handle = make_mock(fault_rate=1.0, fault_statuses=(429,), fault_retry_after_ms=1500)
    for _ in range(5):
        response = handle.client.get("/videos")
        assert response.status_code == 429
        assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("2", "1500")
        assert envelope_of(response)["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize(
    "config",
    [
        {"fault_rate": 1.5},
        {"fault_rate": -0.1},
        {"fault_rate": 0.5, "fault_statuses": ()},
        {"fault_statuses": (404,)},
    ],
)
def test_bad_fault_settings_are_refused(config):
    with pytest.raises(ValueError):
        MockConfig(**config)


# -- latency ---------------------------------------------------------------------------------------


def test_latency_is_added_to_every_request(make_mock, monkeypatch):
    handle = make_mock(latency_ms=40)
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay, *args, **kwargs):
        slept.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    monkeypatch.setattr("videos_toolkit.mock.app.asyncio.sleep", recording_sleep)
    started = time.monotonic()
    assert handle.client.get("/videos").status_code == 200
    assert handle.client.get("/nowhere").status_code == 404
    assert time.monotonic() - started >= 0.08  # a lower bound: the delay really happened
    assert slept == [0.04, 0.04]


# -- the openai SDK over HTTP retries what the queue injects ---------------------------------------


@pytest.fixture
def sdk(live_mock):
    live_mock.runtime.faults.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with openai.OpenAI(base_url=live_mock.base_url, api_key="sk-faults") as client:
            yield client
    live_mock.runtime.faults.clear()


def test_the_sdk_retries_queued_faults_and_honours_retry_after_ms(sdk, live_mock):
    # (a 503 carries whole-second retry-after only, so the SDK would wait a full second: 429s here)
    live_mock.runtime.faults.enqueue(429, count=2, retry_after_ms=20)
    raw = sdk.videos.with_raw_response.list()
    assert raw.http_request.headers["x-stainless-retry-count"] == "2"
    assert raw.parse().data == [] and live_mock.runtime.faults.pending() == 0


def test_without_retries_the_sdk_surfaces_the_fault(sdk, live_mock):
    live_mock.runtime.faults.enqueue(429, retry_after_ms=20)
    with pytest.raises(openai.RateLimitError) as caught:
        sdk.with_options(max_retries=0).videos.retrieve("video_x")
    assert caught.value.response.headers["retry-after-ms"] == "20"
    assert caught.value.code == "rate_limit_exceeded"
    live_mock.runtime.faults.enqueue(500)
    with pytest.raises(openai.InternalServerError):
        sdk.with_options(max_retries=0).videos.list()
