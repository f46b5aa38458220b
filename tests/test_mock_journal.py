"""The journal: GET /_mock/requests lists the API requests the mock answered, for a test to assert
what its app sent, refused requests included."""

import asyncio
import re
import textwrap

import httpx
import pytest

from videos_toolkit.mock import InProcessTransport, MockConfig, create_app, journal
from videos_toolkit.mock.media import mp4_video
from videos_toolkit.paths import ROOT

KEY = {"Authorization": "Bearer sk-journal"}


def client(**config) -> httpx.Client:
    return httpx.Client(
        transport=InProcessTransport(create_app(MockConfig(**config))), base_url="http://mock"
    )


def requests_seen(c: httpx.Client, **headers: str) -> list[dict]:
    answer = c.get("/_mock/requests", headers=headers)
    assert answer.status_code == 200 and answer.json()["object"] == "list"
    return answer.json()["data"]


def test_each_request_is_kept_as_sent_with_its_answer_oldest_first():
    with client() as c:
        created = c.post("/v1/videos", headers={**KEY, "Idempotency-Key": "k-1"}, json={"prompt": "a cat"})
        listed = c.get("/v1/videos", headers=KEY, params={"limit": 2, "order": "asc"})
        seen = requests_seen(c)
    assert [(e["method"], e["path"], e["operation"], e["status"]) for e in seen] == [
        ("POST", "/v1/videos", "createVideo", 200),
        ("GET", "/v1/videos", "listVideos", 200),
    ]
    first, second = seen
    assert first["body"] == {"prompt": "a cat"} and first["content_type"] == "application/json"
    assert first["idempotency_key"] == "k-1"
    assert second["query"] == [["limit", "2"], ["order", "asc"]] and second["body"] is None
    # The request id is the answer's, so a log line and a journal entry can be matched.
    assert [e["request_id"] for e in seen] == [
        created.headers["x-request-id"],
        listed.headers["x-request-id"],
    ]
    assert first["error"] is None and first["at"] <= second["at"]


def test_a_refused_request_is_kept_with_what_it_sent_and_why_it_was_refused():
    with client() as c:
        c.post("/v1/videos", headers=KEY, json={"prompt": "a cat", "seconds": "5"})
        c.get("/v1/nowhere", headers=KEY)
        c.get("/v1/videos")  # no key
        c.post("/v1/videos", headers={**KEY, "content-type": "application/json"}, content=b'{"prompt": ')
        invalid, unknown, unauthorized, broken = requests_seen(c)
    assert invalid["body"] == {"prompt": "a cat", "seconds": "5"} and invalid["status"] == 400
    assert invalid["error"]["param"] == "seconds" and "'5'" in invalid["error"]["message"]
    assert unknown["operation"] is None and unknown["status"] == 404
    assert unauthorized["status"] == 401 and unauthorized["error"]["code"] == "invalid_api_key"
    assert broken["status"] == 400 and broken["error"]["code"] == "invalid_json"
    assert broken["body"] == '{"prompt": ' and broken["content_type"] == "application/json"  # as sent


def test_a_form_is_kept_field_by_field_and_a_files_bytes_are_not_kept():
    clip = mp4_video("720x1280", 4)
    app = create_app(MockConfig())
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as c:
        c.post(
            "/v1/videos/extensions",
            headers=KEY,
            data={"prompt": "more", "seconds": "4"},
            files={"video": ("clip.mp4", clip, "video/mp4")},
        )
        (entry,) = requests_seen(c)
    assert entry["content_type"].startswith("multipart/form-data; boundary=")
    assert entry["body"] == {
        "prompt": "more",
        "seconds": "4",
        "video": {"filename": "clip.mp4", "content_type": "video/mp4", "size": len(clip)},
    }
    (kept,) = app.state.mock.journal._entries
    assert all(part._file.closed for _, part in kept.body.form.items if not isinstance(part, str))


def test_a_field_sent_more_than_once_has_its_values_in_order():
    with client() as c:
        form = [("prompt", "one"), ("seconds", "4"), ("prompt", "two"), ("prompt", "three")]
        c.post("/v1/videos", headers=KEY, files=[(name, (None, value.encode())) for name, value in form])
        (entry,) = requests_seen(c)
    assert entry["body"]["prompt"] == ["one", "two", "three"] and entry["body"]["seconds"] == "4"
    assert entry["status"] == 400 and entry["error"]["param"] == "prompt"


def test_a_body_too_large_to_keep_is_described_by_its_size(monkeypatch):
    monkeypatch.setattr(journal, "BODY_KEPT", 100)
    body = {"prompt": "x" * 200}
    with client() as c:
        size = len(c.post("/v1/videos", headers=KEY, json=body).request.content)
        (entry,) = requests_seen(c)
    assert entry["status"] == 200 and f"a body of {size} bytes" in entry["body"]["omitted"]


def test_only_the_last_requests_are_kept(monkeypatch):
    monkeypatch.setattr(journal, "KEPT", 3)
    with client() as c:
        for limit in range(1, 6):
            c.get("/v1/videos", headers=KEY, params={"limit": limit})
        assert [e["query"] for e in requests_seen(c)] == [
            [["limit", "3"]],
            [["limit", "4"]],
            [["limit", "5"]],
        ]


def test_a_key_sees_and_forgets_only_its_own_requests_and_reset_forgets_all():
    mine, theirs = {"Authorization": "Bearer sk-mine"}, {"Authorization": "Bearer sk-theirs"}
    with client() as c:
        c.get("/v1/videos", headers=mine)
        c.get("/v1/videos", headers=theirs)
        c.get("/_mock/health")  # controls are not API requests: never kept
        assert len(requests_seen(c)) == 2
        assert [e["status"] for e in requests_seen(c, **mine)] == [200]
        assert c.delete("/_mock/requests", headers=mine).json() == {"cleared": 1}
        assert requests_seen(c, **mine) == [] and len(requests_seen(c, **theirs)) == 1
        c.post("/_mock/reset")
        assert requests_seen(c) == []


def test_concurrent_requests_are_each_kept_once():
    app = create_app(MockConfig())

    async def burst() -> tuple[set[str], list[dict]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as c:
            answers = await asyncio.gather(
                *(c.post("/v1/videos", headers=KEY, json={"prompt": f"cat {n}"}) for n in range(100))
            )
            seen = (await c.get("/_mock/requests")).json()["data"]
        return {a.headers["x-request-id"] for a in answers}, seen

    ids, seen = asyncio.run(burst())
    assert len(ids) == 100 and {e["request_id"] for e in seen} == ids
    assert sorted(e["body"]["prompt"] for e in seen) == sorted(f"cat {n}" for n in range(100))


@pytest.mark.parametrize("stateless", [False, True])
def test_a_stateless_mock_keeps_a_journal_too(stateless):
    with client(stateless=stateless) as c:
        c.get("/v1/videos/video_123", headers=KEY)
        (entry,) = requests_seen(c)
    assert entry["operation"] == "retrieveVideo" and entry["path"] == "/v1/videos/video_123"


def test_the_readmes_async_in_process_snippet_runs():
    """The mock section's snippet that drives the app's state (clock, faults, journal) from a test."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "mock.clock.advance(5)" in b]
    setup, _, body = block.partition("# inside an async test:\n")
    assert body, "the snippet no longer marks where the async test starts"
    wrapped = setup + "async def _test():\n" + textwrap.indent(body, "    ") + "\nasyncio.run(_test())\n"
    exec(compile(wrapped, "README.md (async in-process snippet)", "exec"), {"asyncio": asyncio})


def test_a_refusal_before_the_body_is_read_still_names_the_content_type():
    with client(upload_limit=100) as c:
        c.post("/v1/videos", headers={**KEY, "content-type": "text/plain"}, content=b"prompt=a cat")
        c.post("/v1/videos", headers=KEY, json={"prompt": "x" * 200})
        unsupported, too_large = requests_seen(c)
    assert (unsupported["status"], unsupported["content_type"]) == (415, "text/plain")
    assert (too_large["status"], too_large["content_type"]) == (413, "application/json")


def test_a_keys_requests_include_those_refused_before_its_key_was_looked_at():
    # A typo in a path is what a test most wants to find in its own requests.
    mine = {"Authorization": "Bearer sk-mine"}
    with client(api_keys=frozenset({"sk-other"})) as c:
        c.get("/v1/video", headers=mine)  # unknown path: 404 before any key is read
        c.put("/v1/videos", headers=mine)  # 405
        c.get("/v1/videos", headers=mine)  # a key this mock does not take: 401
        c.get("/v1/videos", headers={"Authorization": "Bearer sk-other"})
        assert [e["status"] for e in requests_seen(c, **mine)] == [404, 405, 401]


def test_a_journal_control_with_an_authorization_that_names_no_key_is_refused():
    with client() as c:
        c.get("/v1/videos", headers=KEY)
        refused = c.get("/_mock/requests", headers={"Authorization": "sk-journal"})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "Authorization"
        assert c.delete("/_mock/requests", headers={"Authorization": "Basic eDp5"}).status_code == 400
        assert len(requests_seen(c)) == 1  # nothing was cleared


def test_the_memory_a_body_holds_is_its_bytes_not_its_parsed_objects(monkeypatch):
    # 64 KiB of empty objects parse to about 1.5 MB of Python objects: 500 of them were 750 MiB.
    import tracemalloc

    many_objects = b"[" + b"{}," * 20_000 + b"{}]"
    app = create_app(MockConfig())
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as c:
        send = {"headers": {**KEY, "content-type": "application/json"}, "content": many_objects}
        c.post("/v1/videos", **send)  # warm up
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            c.post("/v1/videos", **send)
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    assert grown < 20 * 3 * len(many_objects), grown  # the bytes, and a little more
    (entry, *_) = app.state.mock.journal.entries()
    assert entry["body"] == [{}] * 20_001


def test_the_in_process_journal_takes_the_api_key_and_hands_out_copies():
    app = create_app(MockConfig())
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as c:
        c.post("/v1/videos", headers=KEY, json={"prompt": "a cat", "seconds": "8"})
        c.get("/v1/videos", headers={"Authorization": "Bearer sk-else"})
    journal = app.state.mock.journal
    (mine,) = journal.entries("sk-journal")
    mine["body"]["seconds"] = "4"
    assert journal.entries("sk-journal")[0]["body"]["seconds"] == "8"


@pytest.mark.parametrize(
    ("content_type", "first_part"),
    [
        ("application/json", b'{"prompt": "a cat"'),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na'),
    ],
)
def test_a_client_gone_before_its_body_ended_is_journalled_so_and_nothing_made(content_type, first_part):
    app = create_app(MockConfig())
    messages = [
        {"type": "http.request", "body": first_part, "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        pass

    headers = [(b"authorization", b"Bearer sk-journal"), (b"content-type", content_type.encode())]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/videos",
        "raw_path": b"/v1/videos",
        "query_string": b"",
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("mock", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    (entry,) = app.state.mock.journal.entries()
    assert entry["status"] == 499 and "closed the connection" in entry["error"]["message"]
    with httpx.Client(transport=InProcessTransport(app), base_url="http://mock") as c:
        assert c.get("/v1/videos", headers=KEY).json()["data"] == []  # no job from a cut-off body
