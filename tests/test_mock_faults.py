"""Fault injection: a scripted queue (in-process) and a seeded rate, with retry hints and latency."""

import pytest


def envelope_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]


def test_enqueued_faults_answer_the_next_requests_then_stop(mock):
    mock.runtime.faults.enqueue(503, count=2)
    assert mock.runtime.faults.pending() == 2
    first, second = mock.client.get("/videos"), mock.client.post("/videos", files={"prompt": (None, "p")})
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.headers["retry-after"] == "1" and "retry-after-ms" not in first.headers
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
