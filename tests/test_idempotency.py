"""``Idempotency-Key`` on the creating operations: a retried POST never creates twice.

Same API key + same idempotency key + same request: the first answer again (same id, same status,
``idempotent-replayed: true``) and no new job. Same key, different request: 409
``idempotency_key_reused`` with ``x-should-retry: false``. Over real HTTP: a create whose answer is
lost (the connection reset after the server handled it) and then retried with the same key leaves
exactly one job; the same retry without a key leaves two, which is why the key exists."""

import asyncio
import uuid

import httpx
import pytest

from tests.conftest import KEY
from tests.reliability_support import FlakyProxy, serve
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock import store as store_module
from videos_toolkit.mock.media import mp4_video

OTHER = "sk-test-key-b"
MP4 = mp4_video("720x1280", 4)


def send(handle, operation: str, source: str | None, *, key: str | None, prompt: str = "p", auth: str = KEY):
    """One creating request of ``operation`` (a completed ``source`` for the ones that need it)."""
    headers = {"Authorization": f"Bearer {auth}", **({"Idempotency-Key": key} if key else {})}
    post = handle.client.post
    if operation == "create_json":
        return post("/videos", json={"prompt": prompt, "seconds": "4"}, headers=headers)
    if operation == "create_multipart":
        return post("/videos", files={"prompt": (None, prompt), "seconds": (None, "8")}, headers=headers)
    if operation == "remix":
        return post(f"/videos/{source}/remix", json={"prompt": prompt}, headers=headers)
    if operation == "edit":
        return post("/videos/edits", json={"prompt": prompt, "video": {"id": source}}, headers=headers)
    if operation == "extend_json":
        body = {"prompt": prompt, "seconds": "4", "video": {"id": source}}
        return post("/videos/extensions", json=body, headers=headers)
    if operation == "extend_upload":
        files = {"prompt": (None, prompt), "seconds": (None, "4"), "video": ("clip.mp4", MP4, "video/mp4")}
        return post("/videos/extensions", files=files, headers=headers)
    if operation == "character":
        files = {"name": (None, prompt), "video": ("clip.mp4", MP4, "video/mp4")}
        return post("/videos/characters", files=files, headers=headers)
    raise AssertionError(operation)


OPERATIONS = ["create_json", "create_multipart", "remix", "edit", "extend_json", "extend_upload", "character"]


def listed(handle, auth: str = KEY) -> list[str]:
    response = handle.client.get(
        "/videos", params={"limit": 100}, headers={"Authorization": f"Bearer {auth}"}
    )
    return [v["id"] for v in response.json()["data"]]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_repeat_replays_the_first_answer_and_creates_nothing(make_mock, operation):
    handle = make_mock()
    source = handle.completed()["id"]
    before = listed(handle)
    key = str(uuid.uuid4())
    first = send(handle, operation, source, key=key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    handle.runtime.clock.advance(10)  # the job has completed meanwhile: the replay is still the first answer
    for _ in range(3):
        again = send(handle, operation, source, key=key)
        assert again.status_code == first.status_code
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
    if operation == "character":
        got = handle.client.get(f"/videos/characters/{first.json()['id']}")
        assert got.status_code == 200
    else:
        assert listed(handle) == [first.json()["id"], *before]  # exactly one new job


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_same_key_for_another_request_is_409(make_mock, operation):
    handle = make_mock()
    source = handle.completed()["id"]
    key = str(uuid.uuid4())
    assert send(handle, operation, source, key=key, prompt="first").status_code == 200
    before = listed(handle)
    for reused in (
        send(handle, operation, source, key=key, prompt="a different prompt"),
        send(handle, "create_json" if operation != "create_json" else "remix", source, key=key),
    ):
        assert reused.status_code == 409, reused.text
        assert reused.headers["x-should-retry"] == "false"
        error = reused.json()["error"]
        assert (error["code"], error["param"]) == ("idempotency_key_reused", "Idempotency-Key")
        assert "different request" in error["message"]
    assert listed(handle) == before


def test_keys_belong_to_one_api_key(mock):
    mine = send(mock, "create_json", None, key="shared-key")
    theirs = send(mock, "create_json", None, key="shared-key", auth=OTHER)
    assert mine.status_code == theirs.status_code == 200
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers
    assert listed(mock, OTHER) == [theirs.json()["id"]]


def test_without_a_key_every_request_creates(mock):
    ids = {send(mock, "create_json", None, key=None).json()["id"] for _ in range(3)}
    assert len(ids) == 3 and len(listed(mock)) == 3


def test_an_error_answer_is_not_kept(mock):
    running = mock.create()["id"]  # queued: not a valid source yet
    refused = send(mock, "extend_json", running, key="k")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "video_not_completed"
    mock.runtime.clock.advance(10)
    accepted = send(mock, "extend_json", running, key="k")  # the same request now succeeds, once
    assert accepted.status_code == 200 and "idempotent-replayed" not in accepted.headers
    assert send(mock, "extend_json", running, key="k").json()["id"] == accepted.json()["id"]


def test_an_injected_fault_is_not_kept_either(mock):
    mock.runtime.faults.enqueue(503)
    assert send(mock, "create_json", None, key="k").status_code == 503
    created = send(mock, "create_json", None, key="k")
    assert created.status_code == 200 and listed(mock) == [created.json()["id"]]


def test_answers_expire_after_24_hours(mock, monkeypatch):
    first = send(mock, "create_json", None, key="k").json()["id"]
    monkeypatch.setattr(store_module, "IDEMPOTENCY_TTL", 0.0)  # every stored answer is now too old
    second = send(mock, "create_json", None, key="k").json()["id"]
    assert first != second


@pytest.mark.parametrize("bad", ["x" * 256, "x" * 10_000, ""])
def test_the_key_is_validated_by_the_contract(mock, bad):
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": bad}
    response = mock.client.post("/videos", json={"prompt": "p"}, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "Idempotency-Key"
    assert listed(mock) == []


def test_concurrent_repeats_wait_for_the_first_and_share_its_answer():
    app = create_app(MockConfig(validate_responses=True))
    runtime = app.state.mock
    original = runtime.handlers["createVideo"]

    async def slow_create(call):
        await asyncio.sleep(0.2)  # the first request is still being handled when the others arrive
        return await original(call)

    runtime.handlers["createVideo"] = slow_create
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": "same"}

    async def main():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://mock/v1", headers=headers
        ) as client:
            answers = await asyncio.gather(
                *[client.post("/videos", json={"prompt": "once", "seconds": "4"}) for _ in range(8)]
            )
            page = (await client.get("/videos")).json()
        return answers, page

    answers, page = asyncio.run(main())
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 7
    assert [v["id"] for v in page["data"]] == [answers[0].json()["id"]]
    assert runtime.idempotency._locks == {}  # nothing left behind


def test_replays_survive_a_restart(tmp_path):
    from starlette.testclient import TestClient

    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": "k"}
    first_app = create_app(MockConfig(state_file=tmp_path / "state.db"))
    with TestClient(first_app, base_url="http://mock/v1", headers=headers) as client:
        first = client.post("/videos", json={"prompt": "p"}).json()
    first_app.state.mock.store.close()
    second_app = create_app(MockConfig(state_file=tmp_path / "state.db"))
    with TestClient(second_app, base_url="http://mock/v1", headers=headers) as client:
        again = client.post("/videos", json={"prompt": "p"})
        assert again.json() == first and again.headers["idempotent-replayed"] == "true"
        assert len(client.get("/videos").json()["data"]) == 1
    second_app.state.mock.store.close()


# -- over real HTTP: the answer is lost, the client retries ---------------------------------------


def _retrying_client(base_url: str, **headers: str) -> httpx.Client:
    from httpx_retries import Retry, RetryTransport

    retry = Retry(total=3, allowed_methods=["POST", "GET"], backoff_factor=0.01)
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {KEY}", **headers},
        transport=RetryTransport(retry=retry),
        timeout=5,
    )


@pytest.mark.parametrize("with_key", [True, False])
def test_a_create_retried_after_a_lost_answer(with_key):
    app = create_app(MockConfig(validate_responses=True))
    with (
        serve(app, log_level="warning") as served,
        FlakyProxy(served.port, ["drop_response", "reset"]) as proxy,
    ):
        headers = {"Idempotency-Key": str(uuid.uuid4())} if with_key else {}
        with _retrying_client(proxy.base_url, **headers) as client:
            created = client.post("/videos", json={"prompt": "exactly once", "seconds": "4"})
            assert created.status_code == 200
        assert proxy.actions[:3] == [
            "drop_response",
            "reset",
            "pass",
        ]  # two failed attempts, then one through
        with httpx.Client(base_url=served.base_url, headers={"Authorization": f"Bearer {KEY}"}) as direct:
            jobs = [v["id"] for v in direct.get("/videos").json()["data"]]
    if with_key:
        assert jobs == [created.json()["id"]]
        assert created.headers["idempotent-replayed"] == "true"  # the lost answer, replayed
    else:
        assert len(jobs) == 2  # the lost answer's job and the retry's: why the key is needed
