"""Graceful shutdown of ``scripts/mock``: SIGTERM while requests are in flight lets them finish with
their normal answers, refuses new connections, and exits 0 (SIGINT is handled the same way)."""

import signal
import threading
import time

import httpx
import pytest

from tests.reliability_support import MockProcess

LATENCY_S = 1.5


def _slow_requests(base_url: str, count: int) -> tuple[list[threading.Thread], list[object]]:
    results: list[object] = []

    def one(i: int) -> None:
        try:
            with httpx.Client(base_url=base_url, timeout=10) as client:
                response = client.post(
                    "/videos", json={"prompt": f"in flight {i}"}, headers={"Authorization": "Bearer sk-stop"}
                )
            results.append(response)
        except httpx.HTTPError as exc:
            results.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def test_sigterm_finishes_in_flight_requests_and_exits_0(tmp_path):
    process = MockProcess(
        "--latency-ms",
        str(int(LATENCY_S * 1000)),
        "--state-file",
        str(tmp_path / "state.db"),
        log_path=tmp_path / "mock.log",
    )
    try:
        threads, results = _slow_requests(process.base_url, 4)
        time.sleep(LATENCY_S / 3)  # all four are inside the server, waiting out the latency
        sent_at = time.monotonic()
        process.signal(signal.SIGTERM)
        time.sleep(0.2)
        with pytest.raises(httpx.ConnectError):  # no new connections once stopping
            httpx.get(f"{process.base_url}/videos", timeout=2)
        code = process.wait(timeout=30)
        stopped_after = time.monotonic() - sent_at
        for thread in threads:
            thread.join(10)
    finally:
        process.kill()
    assert code == 0, process.log()
    assert len(results) == 4
    for result in results:
        assert isinstance(result, httpx.Response), result
        assert result.status_code == 200 and result.json()["status"] == "queued"
    assert stopped_after >= LATENCY_S / 2, "it exited without waiting for the requests"
    log = process.log()
    assert "Shutting down" in log and "Traceback" not in log
    # what was acknowledged before the stop is in the state file
    again = MockProcess("--state-file", str(tmp_path / "state.db"), log_path=tmp_path / "again.log")
    try:
        listed = httpx.get(f"{again.base_url}/videos", headers={"Authorization": "Bearer sk-stop"}).json()
        assert {v["id"] for v in listed["data"]} == {r.json()["id"] for r in results}
    finally:
        again.signal(signal.SIGTERM)
        assert again.wait() == 0
