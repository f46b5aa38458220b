"""The controls a test suite uses on a mock in another process, over HTTP under /_mock/: readiness,
the clock, scripted faults. No API key; never faulted; mistakes get the error envelope."""

import re
import subprocess
import sys

import httpx
import pytest

from videos_toolkit.mock import InProcessTransport, MockConfig, create_app
from videos_toolkit.mock.media import mp4_video
from videos_toolkit.paths import ROOT

KEY = {"Authorization": "Bearer sk-control"}


def client(**config) -> httpx.Client:
    app = create_app(MockConfig(api_keys=frozenset({"sk-control"}), **config))
    return httpx.Client(transport=InProcessTransport(app), base_url="http://mock")


@pytest.mark.parametrize("stateless", [False, True])
def test_health_answers_without_a_key_and_names_the_mode(stateless):
    with client(stateless=stateless) as c:
        health = c.get("/_mock/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["mode"] == (
        "stateless" if stateless else "stateful"
    )


def test_controls_draw_no_fault_so_a_readiness_probe_leaves_the_seeded_sequence_alone():
    with client(fault_rate=1.0, fault_statuses=(500,)) as c:
        assert c.get("/v1/videos", headers=KEY).status_code == 500
        assert all(c.get("/_mock/health").status_code == 200 for _ in range(5))


def test_advancing_the_clock_over_http_finishes_a_job():
    with client() as c:
        video = c.post("/v1/videos", headers=KEY, json={"prompt": "a cat"}).json()
        before = c.get("/_mock/health").json()["now"]
        advanced = c.post("/_mock/clock/advance", json={"seconds": 10})
        assert advanced.status_code == 200 and advanced.json()["now"] >= before + 10
        assert c.get(f"/v1/videos/{video['id']}", headers=KEY).json()["status"] == "completed"


def test_queued_faults_answer_the_next_requests_then_stop():
    with client() as c:
        queued = c.post("/_mock/faults", json={"status": 503, "count": 2, "retry_after_ms": 10})
        assert queued.json() == {"pending": 2}
        assert c.get("/_mock/faults").json() == {"pending": 2}
        answers = [c.get("/v1/videos", headers=KEY) for _ in range(3)]
        assert [a.status_code for a in answers] == [503, 503, 200]
        assert answers[0].json()["error"]["code"] == "service_unavailable"
        c.post("/_mock/faults", json={"status": 429})
        assert c.delete("/_mock/faults").json() == {"pending": 0}
        assert c.get("/v1/videos", headers=KEY).status_code == 200


def test_a_fault_aimed_at_an_operation_waits_for_its_requests_and_others_pass_it_by():
    # An app under test polls and lists between its creates: a fault meant for the create must
    # not be spent on them.
    with client() as c:
        aimed = c.post("/_mock/faults", json={"status": 500, "count": 2, "operation": "createVideo"})
        assert aimed.json() == {"pending": 2}
        c.post("/_mock/faults", json={"status": 429, "operation": "retrieveVideo"})
        assert c.get("/v1/videos", headers=KEY).status_code == 200
        assert c.get("/v1/videos/video_nope", headers=KEY).status_code == 429
        assert c.get("/v1/videos/video_nope", headers=KEY).status_code == 404
        creates = [c.post("/v1/videos", headers=KEY, json={"prompt": "a cat"}) for _ in range(3)]
        assert [a.status_code for a in creates] == [500, 500, 200]
        assert c.get("/_mock/faults").json() == {"pending": 0}
        # one aimed anywhere is served in turn with the aimed ones: each request takes the oldest
        # fault it matches
        c.post("/_mock/faults", json={"status": 503, "operation": "listVideos"})
        c.post("/_mock/faults", json={"status": 500})
        assert c.get(f"/v1/videos/{creates[2].json()['id']}", headers=KEY).status_code == 500
        assert c.get("/v1/videos", headers=KEY).status_code == 503
        assert c.get("/v1/videos", headers=KEY).status_code == 200


def test_an_unknown_operation_for_a_fault_is_refused_listing_the_known_ones():
    with client() as c:
        answer = c.post("/_mock/faults", json={"status": 500, "operation": "POST /videos"})
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error["param"] == "operation" and "createVideo" in error["message"], error
        assert c.get("/_mock/faults").json() == {"pending": 0}
    with pytest.raises(ValueError, match="createVideo"):
        create_app(MockConfig(api_keys=frozenset({"k"}))).state.mock.faults.enqueue(500, operation="create")


@pytest.mark.parametrize("state_file", [False, True])
def test_reset_forgets_videos_characters_answers_and_faults_but_not_the_time(state_file, tmp_path):
    config = {"state_file": tmp_path / "state.db"} if state_file else {}
    with client(**config) as c:
        keyed = {**KEY, "Idempotency-Key": "k-1"}
        video = c.post("/v1/videos", headers=keyed, json={"prompt": "a cat"}).json()
        c.post("/_mock/clock/advance", json={"seconds": 10})
        upload = {"video": ("c.mp4", mp4_video("720x1280", 2), "video/mp4")}
        character = c.post("/v1/videos/characters", headers=KEY, data={"name": "n"}, files=upload).json()
        deleted = c.post("/v1/videos", headers=KEY, json={"prompt": "gone"}).json()
        assert c.delete(f"/v1/videos/{deleted['id']}", headers=KEY).status_code == 200
        c.post("/_mock/faults", json={"status": 500, "count": 3})
        before = c.get("/_mock/health").json()["now"]

        assert c.post("/_mock/reset").json()["now"] >= before
        assert c.get("/_mock/faults").json() == {"pending": 0}
        assert c.get("/v1/videos", headers=KEY).json()["data"] == []
        assert c.get(f"/v1/videos/{video['id']}", headers=KEY).status_code == 404
        assert c.get(f"/v1/videos/characters/{character['id']}", headers=KEY).status_code == 404
        # A deleted video stays a valid cursor until a reset forgets it too.
        assert c.get("/v1/videos", headers=KEY, params={"after": deleted["id"]}).status_code == 404
        again = c.post("/v1/videos", headers=keyed, json={"prompt": "a dog"})  # the key is new again
        assert again.status_code == 200 and again.json()["id"] != video["id"]
        assert "idempotent-replayed" not in again.headers


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "param", "words"),
    [
        ("POST", "/_mock/clock/advance", {}, 400, "seconds", "Missing required field 'seconds'"),
        ("POST", "/_mock/clock/advance", {"seconds": -1}, 400, "seconds", "at least 0"),
        ("POST", "/_mock/clock/advance", {"seconds": "5"}, 400, "seconds", "must be a number"),
        ("POST", "/_mock/clock/advance", {"seconds": True}, 400, "seconds", "must be a number"),
        ("POST", "/_mock/faults", {"status": 404}, 400, "status", "one of 429, 500, 503"),
        ("POST", "/_mock/faults", {}, 400, "status", "one of 429, 500, 503"),
        ("POST", "/_mock/faults", {"status": 500, "count": 1.5}, 400, "count", "whole number"),
        ("POST", "/_mock/faults", {"status": 500, "retry_after_ms": -3}, 400, "retry_after_ms", "at least 0"),
        ("POST", "/_mock/faults", [1], 400, None, "JSON object"),
        ("PUT", "/_mock/faults", None, 405, None, "use GET or POST or DELETE"),
        ("GET", "/_mock/clock", None, 404, None, "The controls are: GET /_mock/health"),
        ("GET", "/_mock/reset", None, 405, None, "use POST"),
    ],
)
def test_a_control_mistake_is_a_4xx_with_the_envelope_naming_the_field(
    method, path, body, status, param, words
):
    with client() as c:
        answer = c.request(method, path, json=body)
        assert answer.status_code == status
        error = answer.json()["error"]
        assert error["param"] == param and words in error["message"], error
        assert c.get("/_mock/faults").json() == {"pending": 0}  # nothing was queued by a mistake


def test_a_body_that_is_not_json_is_named_so():
    with client() as c:
        answer = c.post(
            "/_mock/faults", content=b"{status: 500", headers={"content-type": "application/json"}
        )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_json"


def readme_mock_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[
        text.index("**From a test suite, in another process.**") : text.index("## The conformance suite")
    ]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readmes_fixture_for_a_mock_in_another_process_runs_as_a_test_suite(tmp_path):
    suite = tmp_path / "test_readme_fixture.py"
    suite.write_text(readme_mock_snippets()[0])
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::DeprecationWarning",
    ]
    result = subprocess.run([*command, str(suite)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "2 passed" in result.stdout, (
        result.stdout[-2000:] + result.stderr[-2000:]
    )


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_readmes_openai_sdk_in_process_snippet_runs():
    namespace: dict = {}
    exec(readme_mock_snippets()[-1], namespace)
    assert namespace["video"].status == "completed"


def test_a_clock_advance_past_the_year_9999_is_refused_and_the_mock_keeps_working():
    # 1e308 seconds used to be taken: every later create was a 500 (a timestamp past 64 bits),
    # even after a restart with --state-file, which keeps the clock.
    with client() as c:
        refused = c.post("/_mock/clock/advance", json={"seconds": 1e308})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "seconds"
        assert "year 9999" in refused.json()["error"]["message"]
        assert c.post("/v1/videos", headers=KEY, json={"prompt": "a cat"}).status_code == 200


def test_a_huge_fault_count_is_one_queued_run_not_a_500():
    # count 1e18 used to be a plain-text 500 (OverflowError), and 2e7 took 166 MB: one entry per request.
    with client() as c:
        assert c.post("/_mock/faults", json={"status": 503, "count": 1e12}).json() == {"pending": 10**12}
        assert [c.get("/v1/videos", headers=KEY).status_code for _ in range(3)] == [503, 503, 503]
        assert c.get("/_mock/faults").json() == {"pending": 10**12 - 3}
        # Past 1e12 it is refused: a count of 1e30 was queued, then every GET /_mock/faults was a
        # 500 (a sum past 64 bits) until the queue was cleared.
        refused = c.post("/_mock/faults", json={"status": 503, "count": 1e30})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "count"
        assert c.get("/_mock/faults").json() == {"pending": 10**12 - 3}
        assert c.delete("/_mock/faults").json() == {"pending": 0}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"status": 503, "operation": ["createVideo"]}, "operation"),
        ({"status": 503, "operation": {"a": 1}}, "operation"),
        ({"status": 503, "operationId": "createVideo"}, "operationId"),
        ({"status": 503, "op": "createVideo"}, "op"),
    ],
)
def test_a_fault_aimed_wrongly_is_refused_never_queued_for_any_request(body, param):
    # A list was a plain 500; a misspelt key queued a fault that hit whatever request came next.
    with client() as c:
        answer = c.post("/_mock/faults", json=body)
        assert answer.status_code == 400 and answer.json()["error"]["param"] == param
        assert c.get("/_mock/faults").json() == {"pending": 0}
    faults = create_app(MockConfig(api_keys=frozenset({"k"}))).state.mock.faults
    for wrong in ({"operation": ["createVideo"]}, {"count": 1.5}):
        with pytest.raises(ValueError):
            faults.enqueue(503, **wrong)


def test_a_probe_may_ask_for_health_with_head():
    with client() as c:
        assert c.head("/_mock/health").status_code == 200


def test_the_start_up_line_names_a_bracketed_ipv6_host_once():
    from videos_toolkit.mock.cli import _url

    assert _url("[::1]", 4010) == _url("::1", 4010) == "http://[::1]:4010/v1"
