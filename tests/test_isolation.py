"""Isolation between API keys, and API keys kept out of logs and answers.

A key never sees, lists, pages through, downloads, extends, edits, remixes or deletes another key's
videos, nor gets another key's characters: every operation that names a video or character is
tried with the other key's ids, each as the contract allows it to be sent (path, JSON body,
multipart ``video[id]``), and each is 404 on the right ``param``, leaving the owner's video intact.

Keys never appear in the mock's logs (its own logger and uvicorn's access and error logs, in-process
and from ``scripts/mock --log-level debug``), in any answer (including 401s and an internal error),
or in the ``--state-file`` database.
"""

import httpx
import pytest

from tests.reliability_support import captured_logs, mock_process, serve
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.media import mp4_video

OWNER = "sk-owner-4f0c1d2e3b4a59687766554433221100"
INTRUDER = "sk-intruder-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SECRETS = (OWNER, INTRUDER)
MP4 = mp4_video("720x1280", 4)


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def world(make_mock):
    """The owner has a completed video, a running one, a deleted one and a character."""
    handle = make_mock()
    client = handle.client
    done = handle.create("owner's finished video", key=OWNER)
    handle.runtime.clock.advance(10)
    running = handle.create("owner's running video", key=OWNER)
    gone = handle.create("owner's deleted video", key=OWNER)
    assert client.delete(f"/videos/{gone['id']}", headers=auth(OWNER)).status_code == 200
    files = {"name": (None, "Mossy"), "video": ("c.mp4", MP4, "video/mp4")}
    character = client.post("/videos/characters", files=files, headers=auth(OWNER)).json()
    handle.create("intruder's own video", key=INTRUDER)
    return handle, {"done": done["id"], "running": running["id"], "gone": gone["id"]}, character["id"]


def intruder_attempts(video_id: str) -> list[tuple[str, str, dict, str]]:
    """(method, path, request kwargs, the param a 404 must name) for every way to name a video."""
    ref = {"id": video_id}
    return [
        ("GET", f"/videos/{video_id}", {}, "video_id"),
        ("DELETE", f"/videos/{video_id}", {}, "video_id"),
        ("GET", f"/videos/{video_id}/content", {}, "video_id"),
        ("GET", f"/videos/{video_id}/content", {"params": {"variant": "thumbnail"}}, "video_id"),
        ("GET", f"/videos/{video_id}/content", {"params": {"variant": "spritesheet"}}, "video_id"),
        ("POST", f"/videos/{video_id}/remix", {"json": {"prompt": "mine now"}}, "video_id"),
        ("POST", "/videos/extensions", {"json": {"prompt": "p", "seconds": "4", "video": ref}}, "video"),
        (
            "POST",
            "/videos/extensions",
            {"files": {"prompt": (None, "p"), "seconds": (None, "4"), "video[id]": (None, video_id)}},
            "video",
        ),
        ("POST", "/videos/edits", {"json": {"prompt": "p", "video": ref}}, "video"),
        ("POST", "/videos/edits", {"files": {"prompt": (None, "p"), "video[id]": (None, video_id)}}, "video"),
        ("GET", "/videos", {"params": {"after": video_id}}, "after"),
        ("GET", "/videos", {"params": {"after": video_id, "order": "asc"}}, "after"),
    ]


@pytest.mark.parametrize("which", ["done", "running", "gone"])
def test_another_keys_video_is_not_found_by_any_operation(world, which):
    handle, videos, _ = world
    client = handle.client
    before = client.get("/videos", params={"limit": 100}, headers=auth(OWNER)).json()["data"]
    for method, path, kwargs, param in intruder_attempts(videos[which]):
        response = client.request(method, path, headers=auth(INTRUDER), **kwargs)
        assert response.status_code == 404, (method, path, kwargs, response.text)
        error = response.json()["error"]
        assert error["param"] == param and error["code"] == "not_found", (method, path, error)
    # nothing happened to the owner's videos: same list, the finished one still downloadable
    after = client.get("/videos", params={"limit": 100}, headers=auth(OWNER)).json()["data"]
    assert [v["id"] for v in after] == [v["id"] for v in before]
    assert client.get(f"/videos/{videos['done']}/content", headers=auth(OWNER)).status_code == 200


def test_another_keys_character_is_not_found(world):
    handle, _, character = world
    response = handle.client.get(f"/videos/characters/{character}", headers=auth(INTRUDER))
    assert response.status_code == 404 and response.json()["error"]["param"] == "character_id"
    assert handle.client.get(f"/videos/characters/{character}", headers=auth(OWNER)).status_code == 200


def test_lists_show_only_ones_own_videos(world):
    handle, _, _ = world
    for key in (OWNER, INTRUDER):
        for order in ("asc", "desc"):
            seen, after = [], None
            while True:
                params = {"limit": 1, "order": order, **({"after": after} if after else {})}
                page = handle.client.get("/videos", params=params, headers=auth(key)).json()
                seen += page["data"]
                if not page["has_more"]:
                    break
                after = page["last_id"]
            prompts = {v["prompt"] for v in seen}
            if key == OWNER:
                assert prompts == {"owner's finished video", "owner's running video"}
            else:
                assert prompts == {"intruder's own video"}


def test_an_intruder_cannot_replay_anothers_idempotent_answer(world):
    handle, _, _ = world
    body = {"prompt": "p", "seconds": "4"}
    mine = handle.client.post("/videos", json=body, headers={**auth(OWNER), "Idempotency-Key": "k"})
    theirs = handle.client.post("/videos", json=body, headers={**auth(INTRUDER), "Idempotency-Key": "k"})
    assert mine.json()["id"] != theirs.json()["id"]


# -- keys stay out of logs, answers and the state file --------------------------------------------


def _exercise(base_url: str, wrong_key: str) -> list[httpx.Response]:
    """Requests touching every answer path: success, 401 (wrong, malformed, missing), 404, 400, 409."""
    answers = []
    with httpx.Client(base_url=base_url, timeout=10) as client:
        created = client.post("/videos", json={"prompt": "p"}, headers=auth(OWNER))
        answers.append(created)
        video = created.json()["id"]
        for headers in (
            auth(wrong_key),
            {"Authorization": f"Basic {OWNER}"},
            {"Authorization": f"Bearer{OWNER}"},
            {"Authorization": f"{OWNER}"},
            {},
        ):
            answers.append(client.get("/videos", headers=headers))
        answers.append(client.get(f"/videos/{video}", headers=auth(INTRUDER)))
        answers.append(client.post("/videos", json={"prompt": 3}, headers=auth(OWNER)))
        answers.append(client.get("/videos", params={"after": "video_unknown"}, headers=auth(OWNER)))
        keyed = {**auth(OWNER), "Idempotency-Key": "k"}
        answers.append(client.post("/videos", json={"prompt": "a"}, headers=keyed))
        answers.append(client.post("/videos", json={"prompt": "b"}, headers=keyed))
    return answers


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"an API key appears in {where}"
        assert secret[3:] not in text, f"an API key (without its prefix) appears in {where}"


def test_keys_appear_in_no_log_and_no_answer_in_process():
    app = create_app(MockConfig(api_keys=frozenset(SECRETS)))  # only these keys: a wrong one is a 401
    runtime = app.state.mock

    async def broken(call):
        raise RuntimeError("a bug in a handler")

    with serve(app, log_level="debug") as served:
        loggers = ("videos_toolkit", "uvicorn", "uvicorn.access", "uvicorn.error", "starlette", "")
        with captured_logs(*loggers) as logs:
            answers = _exercise(served.base_url, "sk-wrong-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0")
            runtime.handlers["retrieveVideo"] = broken  # the internal-error path logs a traceback
            failed = httpx.get(f"{served.base_url}/videos/video_x", headers=auth(OWNER))
    assert failed.status_code == 500
    answers.append(failed)
    statuses = sorted({a.status_code for a in answers})
    assert statuses == [200, 400, 401, 404, 409, 500], statuses
    text = logs.text()
    assert '"GET /v1/videos HTTP/1.1" 401' in text  # the access log did record the requests
    assert "mock bug while handling retrieveVideo" in text and "RuntimeError" in text
    _assert_no_secret(text, "the logs")
    for answer in answers:
        _assert_no_secret(answer.text, f"the answer {answer.status_code} {answer.request.url}")
        _assert_no_secret(str(answer.headers), "answer headers")
    assert "sk-wrong-key" not in text + "".join(a.text for a in answers)


def test_keys_appear_in_no_log_of_scripts_mock_nor_its_state_file(tmp_path):
    state = tmp_path / "state.db"
    with mock_process(
        "--log-level", "debug", "--state-file", str(state), log_path=tmp_path / "mock.log"
    ) as process:
        answers = _exercise(process.base_url, INTRUDER)
        log = process.log()
    assert "POST /v1/videos HTTP/1.1" in log  # uvicorn's access log was on
    _assert_no_secret(log, "the output of scripts/mock")
    for answer in answers:
        _assert_no_secret(answer.text, f"the answer {answer.status_code}")
    data = b"".join(path.read_bytes() for path in tmp_path.glob("state.db*"))
    assert data, "the state file was not written"
    for secret in SECRETS:
        assert secret.encode() not in data and secret[3:].encode() not in data
