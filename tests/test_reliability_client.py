"""``videos_client`` against the live mock (uvicorn on 127.0.0.1) under faults: injected 429, 500 and
503 (the mock's fault queue), connections reset before the request reaches the server or after the
server answered (a flaky proxy), and slow answers (``latency_ms``).

A batch of calls completes with exactly the expected retries (the injected ``sleep`` records each
wait), honours the server's retry hints, respects timeouts, never retries a 4xx, and never
creates twice: the client sends one ``Idempotency-Key`` per creating call, kept across its
retries, and the mock replays the first answer, so a POST whose answer was lost leaves one job.
"""

import asyncio
import time

import httpx
import pytest
import videos_client
from videos_client import errors
from videos_client.api.videos import create_video
from videos_client.models import CreateVideoJsonBody

from tests.reliability_support import FlakyProxy, serve
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.media import mp4_video

KEY = "sk-reliability-client"


class Waits:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture(scope="module")
def live():
    app = create_app(MockConfig(validate_responses=True, speed=50))
    with serve(app, log_level="warning") as served:
        yield served


@pytest.fixture
def waits():
    return Waits()


def client_for(base_url: str, waits: Waits, **options) -> videos_client.VideosClient:
    return videos_client.VideosClient(api_key=KEY, base_url=base_url, sleep=waits.sleep, **options)


def all_ids(base_url: str) -> list[str]:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"}) as raw:
        ids, after = [], None
        while True:
            params = {"limit": 100, **({"after": after} if after else {})}
            page = raw.get("/videos", params=params).json()
            ids += [v["id"] for v in page["data"]]
            if not page["has_more"]:
                return ids
            after = page["last_id"]


def test_a_batch_under_injected_faults(live, waits):
    faults = live.runtime.faults
    faults.clear()
    before = set(all_ids(live.base_url))
    created: list[str] = []
    with client_for(live.base_url, waits) as client:
        # 1. create through two 503s: two retries, the server's retry-after honoured (1 s)
        faults.enqueue(503, count=2)
        created.append(client.videos.create(prompt="through two 503s", seconds="4").id)
        assert waits.sleeps == [1.0, 1.0]
        # 2. create through a 429 asking for 50 ms: one retry after exactly that wait
        waits.sleeps.clear()
        faults.enqueue(429, retry_after_ms=50)
        created.append(client.videos.create(prompt="through a 429").id)
        assert waits.sleeps == [0.05]
        # 3. a 500 has no hint: one retry with the client's own backoff (0.5 s less up to 25 %)
        waits.sleeps.clear()
        faults.enqueue(500)
        created.append(client.videos.create(prompt="through a 500").id)
        assert len(waits.sleeps) == 1 and 0.375 <= waits.sleeps[0] <= 0.5
        # 4. three 500s exhaust max_retries=2: the error is raised, nothing was created
        waits.sleeps.clear()
        faults.enqueue(500, count=3)
        with pytest.raises(errors.InternalServerError):
            client.videos.create(prompt="never")
        assert len(waits.sleeps) == 2 and faults.pending() == 0
        # 5. extend, remix, retrieve, list, delete through one fault each
        live.runtime.clock.advance(10)
        source = created[0]
        for status, call in [
            (
                503,
                lambda: created.append(client.videos.extend(prompt="e", seconds=4, video={"id": source}).id),
            ),
            (429, lambda: created.append(client.videos.remix(source, prompt="r").id)),
            (500, lambda: client.videos.retrieve(source)),
            (503, lambda: list(client.videos.list(limit=2))),
            (429, lambda: client.videos.delete(created[1])),
        ]:
            waits.sleeps.clear()
            faults.enqueue(status, retry_after_ms=10)
            call()
            assert len(waits.sleeps) == 1, status
        created.remove(created[1])  # deleted in the step above
    now = set(all_ids(live.base_url)) - before
    assert sorted(now) == sorted(created)  # every create exactly once, nothing from the failed one


def test_a_4xx_is_never_retried(live, waits):
    live.runtime.faults.clear()
    with client_for(live.base_url, waits) as client:
        before = all_ids(live.base_url)
        with pytest.raises(errors.BadRequestError) as bad:
            client.videos.create(prompt="p", seconds="5")
        assert bad.value.param == "seconds"
        with pytest.raises(errors.NotFoundError):
            client.videos.retrieve("video_missing")
        with pytest.raises(errors.NotFoundError):
            client.videos.extend(prompt="p", seconds=4, video={"id": "video_missing"})
        running = client.videos.create(prompt="not yet")
        with pytest.raises(errors.BadRequestError) as early:
            client.videos.remix(running.id, prompt="too soon")
        assert early.value.code == "video_not_completed"
        # A key reused for another request: 409, which clients retry by default, but the mock
        # sends x-should-retry: false and the client honours it.
        body = CreateVideoJsonBody(prompt="one")
        first = create_video.sync_detailed(client=client.api_client, body=body, idempotency_key="mine")
        assert first.status_code == 200
        with pytest.raises(errors.ConflictError) as reused:
            create_video.sync_detailed(
                client=client.api_client, body=CreateVideoJsonBody(prompt="two"), idempotency_key="mine"
            )
        assert reused.value.code == "idempotency_key_reused"
    assert waits.sleeps == []  # not one retry
    assert len(all_ids(live.base_url)) == len(before) + 2


@pytest.mark.parametrize(
    ("plan", "server_saw_it"),
    [
        (["reset"], False),  # the request never reached the server
        (["drop_response"], True),  # the server created the job; its answer was lost
        (["drop_response", "reset"], True),
        (["drop_response", "drop_response"], True),  # two lost answers, then the replay
    ],
)
def test_connection_resets_never_duplicate_a_create(live, waits, plan, server_saw_it):
    before = set(all_ids(live.base_url))
    with FlakyProxy(live.port, plan) as proxy, client_for(proxy.base_url, waits) as client:
        video = client.videos.create(prompt=f"through {plan}")
        assert proxy.actions[: len(plan)] == plan
    assert len(waits.sleeps) == len(plan)  # one retry per broken connection
    assert set(all_ids(live.base_url)) - before == {video.id}  # exactly one job
    assert video.status == "queued"


@pytest.mark.parametrize("operation", ["extend", "remix", "edit", "character"])
def test_other_creating_calls_survive_a_lost_answer_without_duplicates(live, waits, operation):
    with client_for(live.base_url, waits) as client:
        source = client.videos.create(prompt="source")
        live.runtime.clock.advance(10)
        before = set(all_ids(live.base_url))
        with FlakyProxy(live.port, ["drop_response"]) as proxy, client_for(proxy.base_url, waits) as flaky:
            if operation == "extend":
                made = flaky.videos.extend(prompt="x", seconds=4, video={"id": source.id}).id
            elif operation == "remix":
                made = flaky.videos.remix(source.id, prompt="x").id
            elif operation == "edit":
                made = flaky.videos.edit(prompt="x", video={"id": source.id}).id
            else:
                made = flaky.videos.create_character(name="Mossy", video=mp4_video("720x1280", 2)).id
        assert len(waits.sleeps) == 1
        if operation == "character":
            assert client.videos.get_character(made).id == made
        else:
            assert set(all_ids(live.base_url)) - before == {made}


def test_slow_answers_respect_the_timeout_and_still_create_once(waits):
    app = create_app(MockConfig(latency_ms=600))
    with serve(app, log_level="warning") as served:
        with client_for(served.base_url, waits, timeout=0.2, max_retries=1) as client:
            started = time.monotonic()
            with pytest.raises(errors.APITimeoutError):
                client.videos.create(prompt="slow")
            elapsed = time.monotonic() - started
            assert len(waits.sleeps) == 1  # one retry, then the timeout is raised
            assert elapsed < 2 * 0.2 + 0.5, elapsed  # two attempts of 0.2 s, not two of 0.6 s
            time.sleep(0.9)  # both attempts reach the handler after the latency
        # Both timed-out attempts carried the same Idempotency-Key: at most one job exists.
        with httpx.Client(base_url=served.base_url, headers={"Authorization": f"Bearer {KEY}"}) as raw:
            assert len(raw.get("/videos").json()["data"]) <= 1
        with client_for(served.base_url, waits, timeout=2) as patient:
            assert patient.videos.create(prompt="patient").status == "queued"  # slow but within the timeout


def test_async_batch_under_faults(live, waits):
    faults = live.runtime.faults
    faults.clear()
    before = set(all_ids(live.base_url))

    async def main() -> list[str]:
        async with videos_client.AsyncVideosClient(
            api_key=KEY, base_url=live.base_url, sleep=waits.async_sleep
        ) as client:
            faults.enqueue(503, count=1, retry_after_ms=10)
            faults.enqueue(429, count=1, retry_after_ms=10)
            first = await client.videos.create(prompt="async through faults")
            with FlakyProxy(live.port, ["drop_response"]) as proxy:
                async with videos_client.AsyncVideosClient(
                    api_key=KEY, base_url=proxy.base_url, sleep=waits.async_sleep
                ) as flaky:
                    second = await flaky.videos.create(prompt="async, answer lost")
            return [first.id, second.id]

    made = asyncio.run(main())
    assert len(waits.sleeps) == 3
    assert set(all_ids(live.base_url)) - before == set(made)
