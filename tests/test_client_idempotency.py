"""A retried POST never starts a second job: every creating call sends one Idempotency-Key, the
same on each retry, and the mock replays the first answer for it."""

import json
from typing import Any

import pytest

from tests.client_support import FakeTime, async_client, mock_app, run, sync_client


class LosesFirstAnswers:
    """ASGI wrapper: the request reaches the mock (the job is created), but the first ``count``
    answers to POSTs are replaced by a 500, as when a proxy fails after the server did the work.
    Every Idempotency-Key seen is recorded."""

    def __init__(self, app: Any, count: int = 1) -> None:
        self.app, self.count = app, count
        self.keys: list[str | None] = []

    @property
    def state(self) -> Any:
        return self.app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key")
        self.keys.append(key.decode() if key else None)
        if self.count <= 0:
            return await self.app(scope, receive, send)
        self.count -= 1

        async def swallow(message: dict) -> None:
            pass

        await self.app(scope, receive, swallow)
        body = json.dumps({"error": {"message": "lost", "type": "server_error", "param": None, "code": None}})
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def listed_ids(app: Any) -> list[str]:
    client = sync_client(app)
    return [video.id for video in client.videos.list(limit=100)]


CALLS = {
    "create": lambda videos, source: videos.create(prompt="once only", seconds="4"),
    "extend": lambda videos, source: videos.extend(prompt="once", seconds="4", video={"id": source}),
    "edit": lambda videos, source: videos.edit(prompt="once", video={"id": source}),
    "remix": lambda videos, source: videos.remix(source, prompt="once"),
}


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_a_post_whose_answer_was_lost_is_retried_without_a_second_job(operation):
    mock = mock_app(instant=True)
    source = sync_client(mock).videos.create(prompt="source").id
    before = set(listed_ids(mock))
    flaky = LosesFirstAnswers(mock, count=2)
    client = sync_client(flaky, FakeTime())

    video = CALLS[operation](client.videos, source)

    new = set(listed_ids(mock)) - before
    assert new == {video.id}, f"{operation} started {len(new)} jobs"
    assert len(flaky.keys) == 3 and len(set(flaky.keys)) == 1 and flaky.keys[0], flaky.keys


def test_each_call_gets_its_own_key():
    flaky = LosesFirstAnswers(mock_app(instant=True), count=0)
    client = sync_client(flaky)
    first = client.videos.create(prompt="one")
    second = client.videos.create(prompt="two")
    assert first.id != second.id
    assert len(set(flaky.keys)) == 2


def test_the_async_client_retries_with_the_same_key():
    mock = mock_app(instant=True)
    flaky = LosesFirstAnswers(mock, count=1)

    async def scenario() -> str:
        async with async_client(flaky, FakeTime()) as client:
            return (await client.videos.create(prompt="async once")).id

    video_id = run(scenario())
    assert listed_ids(mock) == [video_id]
    assert len(flaky.keys) == 2 and flaky.keys[0] == flaky.keys[1]
