"""The suite against servers that are not the mock at all: it must end, report what broke, and never
crash on an answer it did not expect (HTML error pages, empty objects, bytes, hangs)."""

import asyncio
import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from tests.broken_mocks import envelope, read_whole_body
from tests.client_support import serve
from videos_toolkit.conformance import fuzzing, properties
from videos_toolkit.conformance.cli import main, summary
from videos_toolkit.conformance.results import Outcome
from videos_toolkit.conformance.runner import Options, run
from videos_toolkit.conformance.target import IN_PROCESS_URL, MOCK_KEYS, Target, mock_target
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.spec import effective_spec

FAST = Options(max_examples=3, seed=3, database=None)


async def lifespan_or_drained(scope: dict, receive: Any, send: Any) -> bool:
    """Answer a lifespan scope (True: nothing more to do), or read a request's whole body."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return True
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    return False


def always(status: int, body: bytes, content_type: str, delay: float = 0.0) -> Any:
    async def app(scope: dict, receive: Any, send: Any) -> None:
        if await lifespan_or_drained(scope, receive, send):
            return
        await asyncio.sleep(delay)
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


STRANGE = {
    "an HTML 500 page for everything": always(
        500, b"<html><h1>Internal Server Error</h1></html>", "text/html"
    ),
    "200 with an empty object for everything": always(200, b"{}", "application/json"),
    "200 with bytes that are not JSON": always(200, b"\x00\xff\x10garbage", "application/json"),
    "a JSON list where objects belong": always(200, json.dumps([1, 2, 3]).encode(), "application/json"),
}


def lists_are_arrays(app: Any) -> Any:
    """The real mock, except that listing answers a bare JSON array."""
    array = always(200, b"[1, 2, 3]", "application/json")

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        listing = scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/videos")
        await (array if listing else app)(scope, receive, send)

    return wrapper


def test_a_mostly_working_server_with_one_strange_answer_is_judged_not_crashed():
    keys = frozenset(MOCK_KEYS)
    target = Target(
        IN_PROCESS_URL,
        *MOCK_KEYS,
        app=lists_are_arrays(create_app(MockConfig(api_keys=keys, speed=20))),
        fuzz_app=lists_are_arrays(create_app(MockConfig(api_keys=keys, instant=True))),
    )
    report = run(effective_spec(), target, FAST)
    assert "key_isolation" in report.failed_checks()
    assert "response_schema_conformance" in report.failed_checks()


@pytest.mark.parametrize("name", sorted(STRANGE))
def test_the_suite_reports_a_strange_server_without_crashing(name):
    app = STRANGE[name]
    target = Target(IN_PROCESS_URL, "sk-a", "sk-b", app=app, fuzz_app=app, wait_timeout=2)
    report = run(effective_spec(), target, FAST)
    assert not report.ok
    families = {r.family for r in report.failures}
    assert {"enums", "client"} <= families, families  # every part ran to its end and judged
    assert "engine" not in families, [r.detail for r in report.failures if r.family == "engine"][:3]


def test_the_properties_record_every_check_when_no_job_completes():
    # Their progress counts on one result per check: the checks that need a completed video are
    # skipped, saying why, not left out of the report.
    app = STRANGE["an HTML 500 page for everything"]
    target = Target(IN_PROCESS_URL, "sk-a", app=app, fuzz_app=app, wait_timeout=2)
    report = run(effective_spec(), target, replace(FAST, parts=("properties",)))
    assert len(report.results) == properties.CHECKS
    skipped = {r.check for r in report.results if r.detail == properties.NO_COMPLETED_VIDEO}
    assert skipped == {
        "stitched_seconds",
        "other_extension_seconds_rejected",
        "edit_keeps_duration",
        "remix_keeps_source",
    }


def test_a_server_that_hangs_fails_its_checks_instead_of_stalling_the_run(tmp_path, capsys):
    limits = [
        "--request-timeout",
        "0.2",
        "--wait-timeout",
        "0.5",
        "--max-examples",
        "2",
        "--report-dir",
        str(tmp_path),
    ]
    with serve(always(200, b"{}", "application/json", delay=1)) as base_url:
        code = main(["--base-url", base_url, "--api-key", "k", "--only", "properties", *limits])
    assert code == 1
    assert "ReadTimeout" in (tmp_path / "conformance.html").read_text()


def test_an_unreachable_url_is_a_clear_error(capsys):
    assert main(["--base-url", "http://127.0.0.1:9/v1", "--api-key", "k"]) == 2
    assert "Cannot reach http://127.0.0.1:9/v1" in capsys.readouterr().err


def test_a_failure_on_a_multipart_request_over_http_is_reported_not_a_crash(tmp_path):
    # Over HTTP httpx streams a multipart body and keeps no copy: showing the failing request once
    # crashed the run with RequestNotRead, and no report was written.
    from tests.broken_mocks import refuses_multipart_creates

    app = refuses_multipart_creates(create_app(MockConfig(api_keys=frozenset(MOCK_KEYS), speed=20)))
    with serve(app) as base_url:
        limits = ["--only", "properties", "--max-examples", "2", "--seed", "1"]
        code = main(
            ["--base-url", base_url, "--api-key", MOCK_KEYS[0], *limits, "--report-dir", str(tmp_path)]
        )
    assert code == 1
    page = (tmp_path / "conformance.html").read_text()
    assert "allowed_values_accepted" in page
    # Shown by its parts, and as a curl that sends them (re-read from the request, not kept).
    assert "prompt: A lighthouse" in page and "--form-string" in page


def test_a_server_that_limits_its_rate_is_not_failed_for_it(tmp_path):
    # The contract lets every operation answer 429 with a hint of when to come back: the suite's
    # own requests wait and retry, so the mock's own rate-limit faults do not fail the round trip.
    config = MockConfig(
        api_keys=frozenset(MOCK_KEYS),
        speed=20,
        fault_rate=0.25,
        fault_statuses=(429,),
        fault_retry_after_ms=50,
    )
    with serve(create_app(config)) as base_url:
        code = main(
            [
                "--base-url",
                base_url,
                "--api-key",
                MOCK_KEYS[0],
                "--only",
                "client",
                "--report-dir",
                str(tmp_path),
            ]
        )
    assert code == 0, (tmp_path / "conformance.html").read_text()[-3000:]


def rate_limited(app: Any, every: int, retry_after: str | None) -> Any:
    """The real mock, behind a limiter that answers every ``every``-th request 429 (envelope,
    ``Retry-After`` when given) before the mock sees it; ``every=1``: every request."""
    seen = 0
    body = json.dumps({"error": {"message": "slow down", "type": "requests", "param": None, "code": None}})
    hint = [(b"retry-after", retry_after.encode())] if retry_after is not None else []
    limited = always(429, body.encode(), "application/json")

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        nonlocal seen
        if scope["type"] != "http":
            return await app(scope, receive, send)
        seen += 1
        if seen % every:
            return await app(scope, receive, send)

        async def with_hint(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], *hint]}
            await send(message)

        await limited(scope, receive, with_hint)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def limited_target(every: int, retry_after: str | None) -> Target:
    keys = frozenset(MOCK_KEYS)
    return Target(
        IN_PROCESS_URL,
        *MOCK_KEYS,
        app=create_app(MockConfig(api_keys=keys, speed=20)),
        fuzz_app=rate_limited(create_app(MockConfig(api_keys=keys, instant=True)), every, retry_after),
    )


def test_a_judgement_the_server_never_gave_for_a_429_is_counted_as_skipped_not_passed():
    report = run(effective_spec(), limited_target(1, None), replace(FAST, parts=("fuzzing",)))
    judged = [r for r in report.results if r.check in fuzzing.NEEDS_JUDGEMENT]
    assert judged and all(r.outcome is Outcome.SKIPPED for r in judged), {
        (r.check, r.outcome.value) for r in judged
    }
    assert {r.detail for r in judged} == {fuzzing.RATE_LIMITED}
    assert "skipped (" in summary(report) and "429" in summary(report)


def test_a_429_with_retry_after_is_waited_out_and_the_request_judged():
    report = run(effective_spec(), limited_target(2, "0"), replace(FAST, parts=("fuzzing",)))
    judged = [r for r in report.results if r.check in fuzzing.NEEDS_JUDGEMENT]
    assert report.ok and judged
    # Only the 429s are this test's business: a download of a job the instant mock completes on
    # its first read (the fuzzer's look-up) is rightly skipped as unfinished, and once in CI was.
    assert not [r for r in judged if r.outcome is Outcome.SKIPPED and r.detail == fuzzing.RATE_LIMITED]


def test_valid_input_refused_for_an_unfinished_source_is_counted_as_skipped_not_passed():
    """Jobs slower than the fuzzer's chains: every remix, edit, extend or download of a video a
    chain just created is rightly refused, so the server never judged that valid input. The run
    says so."""
    keys = frozenset(MOCK_KEYS)
    slow = create_app(MockConfig(api_keys=keys, speed=0.0001))  # a job takes hours
    target = Target(
        IN_PROCESS_URL, *MOCK_KEYS, app=create_app(MockConfig(api_keys=keys, speed=20)), fuzz_app=slow
    )
    report = run(effective_spec(), target, replace(FAST, parts=("fuzzing",)))
    unjudged = [r for r in report.results if r.detail == fuzzing.UNFINISHED_SOURCE]
    assert report.ok and unjudged
    assert {(r.check, r.outcome) for r in unjudged} == {("positive_data_acceptance", Outcome.SKIPPED)}
    assert {r.operation for r in unjudged} <= {
        "POST /videos/extensions",
        "POST /videos/edits",
        "POST /videos/{video_id}/remix",
        "GET /videos/{video_id}/content",
    }
    assert "valid input not judged" in summary(report)


def test_a_server_that_serves_only_some_known_models_passes():
    """KnownVideoModel lists names a server may serve; one that serves sora-2 and sora-2-pro and
    refuses the dated snapshots with a 400 naming `model` is within the contract."""
    spec = effective_spec()
    served = copy.deepcopy(spec)
    known = served["components"]["schemas"]["KnownVideoModel"]
    known["enum"] = ["sora-2", "sora-2-pro"]
    known.pop("x-enum-varnames", None)
    report = run(spec, mock_target(spec=served), replace(FAST, parts=("fuzzing", "properties")))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})


def refuses_every_reference(app: Any) -> Any:
    """The mock behind a front that refuses every input_reference by file id or URL, as a server
    that looks them up and fetches them refuses the suite's (a generated id, example.com)."""

    async def front(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body, replay = await read_whole_body(receive)
        try:
            sent = json.loads(body)
        except ValueError:
            sent = None
        if isinstance(sent, dict) and isinstance(sent.get("input_reference"), dict):
            refusal = envelope(
                "Could not fetch the reference image.", "input_reference", "image_fetch_failed"
            )
            return await always(400, json.dumps(refusal).encode(), "application/json")(scope, replay, send)
        await app(scope, replay, send)

    front.state = app.state  # type: ignore[attr-defined]
    return front


def test_a_server_refusing_references_it_cannot_resolve_passes_with_those_cases_skipped():
    """A provider's review: a server that fetches image URLs and looks up file ids refused the
    suite's (the contract's example.com URL), and fuzzing failed it for refusing valid data."""
    report = run(effective_spec(), mock_target(refuses_every_reference), replace(FAST, parts=("fuzzing",)))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    skipped = [r for r in report.results if r.detail == fuzzing.UNRESOLVED_REFERENCE]
    assert skipped and {(r.operation, r.outcome) for r in skipped} == {("POST /videos", Outcome.SKIPPED)}


def keeps_running_jobs(app: Any) -> Any:
    """Refuses (400, with the envelope) to delete a video whose job has not ended yet."""

    async def status_of(scope: dict) -> str | None:
        chunks: list[bytes] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def capture(message: dict) -> None:
            chunks.append(message.get("body", b""))

        await app({**scope, "method": "GET", "query_string": b""}, receive, capture)
        try:
            return json.loads(b"".join(chunks)).get("status")
        except ValueError:
            return None

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        deleting = scope["type"] == "http" and scope["method"] == "DELETE"
        if deleting and await status_of(scope) in ("queued", "in_progress"):
            body = json.dumps(
                envelope("The video is still being generated.", None, "video_in_progress")
            ).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def test_a_server_that_refuses_to_delete_a_running_job_passes_and_deletes_it_once_ended():
    report = run(effective_spec(), mock_target(keeps_running_jobs), replace(FAST, parts=("properties",)))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})


def test_with_random_server_errors_every_property_failure_shows_the_answer_behind_it():
    # A 500 at random made hypothesis report "FlakyFailure: ... produces unreliable results" with
    # no answer, and a job wait's 500 showed none either.
    keys = frozenset(MOCK_KEYS)
    app = create_app(MockConfig(api_keys=keys, speed=20, fault_rate=0.3, fault_statuses=(500,)))
    target = Target(IN_PROCESS_URL, *MOCK_KEYS, app=app, fuzz_app=app, wait_timeout=5)
    report = run(effective_spec(), target, replace(FAST, seed=1, max_examples=5, parts=("properties",)))
    assert report.failures
    assert [r.check for r in report.failures if not r.failure.response] == []
    assert not [r.detail for r in report.failures if r.detail.startswith("FlakyFailure")]


def refusing_uploads(app: Any) -> Any:
    """The real mock, except that every multipart request carrying an MP4 is refused as a file it
    cannot read (a server that reads only H.264, say): valid uploads refused."""

    async def wrapper(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body, replay = await read_whole_body(receive)
        if b"ftyp" in body:
            refusal = envelope(
                "The uploaded 'video' could not be read.", param="video", code="invalid_video_file"
            )
            return await always(400, json.dumps(refusal).encode(), "application/json")(scope, replay, send)
        await app(scope, replay, send)

    wrapper.state = app.state  # type: ignore[attr-defined]
    return wrapper


def test_fuzzing_judges_valid_uploads_so_refusing_them_fails():
    # A hook that put the real MP4 into a generated case made schemathesis validate the case again,
    # and it counts a body holding bytes as invalid: every upload case became a negative one, and
    # a server refusing every valid upload passed fuzzing's positive-data checks.
    report = run(effective_spec(), mock_target(wrap=refusing_uploads), replace(FAST, parts=("fuzzing",)))
    refused = {
        r.operation
        for r in report.results
        if r.check == "positive_data_acceptance" and r.outcome is Outcome.FAILED
    }
    assert {"POST /videos/characters", "POST /videos/extensions", "POST /videos/edits"} <= refused


def test_a_run_whose_uploads_were_refused_points_to_sample_video(tmp_path, capsys):
    # A provider's H.264-only server failed the upload checks with nothing saying the suite's own
    # clips were the cause, nor that --sample-video exists.
    app = refusing_uploads(create_app(MockConfig(api_keys=frozenset(MOCK_KEYS), speed=20)))
    with serve(app) as base_url:
        limits = ["--only", "client", "--report-dir", str(tmp_path)]
        assert main(["--base-url", base_url, "--api-key", MOCK_KEYS[0], *limits]) == 1
    assert "--sample-video" in capsys.readouterr().out
    # A run whose failures have nothing to do with uploads says nothing of it.
    with serve(always(200, b"{}", "application/json")) as base_url:
        main(["--base-url", base_url, "--api-key", "k", *limits])
    assert "--sample-video" not in capsys.readouterr().out
    # Nor does a 404 naming `video` (a source video by id it does not have): no upload was refused.
    not_found = json.dumps(envelope("No video found with id 'video_x'.", "video", "not_found")).encode()
    with serve(always(404, not_found, "application/json")) as base_url:
        main(["--base-url", base_url, "--api-key", "k", *limits])
    assert "--sample-video" not in capsys.readouterr().out


def test_a_request_accepted_though_invalid_is_reported_with_what_was_invalid():
    """'Invalid data should have been rejected' alone sent a provider to the HTML report."""
    from tests.broken_mocks import Breaker

    video = {"id": "video_x", "object": "video", "created_at": 1, "status": "queued", "model": "sora-2"}
    video |= {"progress": 0, "seconds": "4", "size": "720x1280"}

    def accepts_anything(seen: Any, status: int, body: dict) -> Any:
        if seen.method == "POST" and seen.path.endswith("/videos") and status == 400:
            return 200, video
        return None

    target = mock_target(lambda app: Breaker(app, after=accepts_anything))
    report = run(effective_spec(), target, replace(FAST, parts=("fuzzing",)))
    details = {r.detail for r in report.failures if r.check == "negative_data_rejection"}
    assert any(d.startswith("Schema-violating request accepted: in body - ") for d in details), details


def test_an_error_without_the_envelope_is_named_so_not_just_its_status():
    """'expected 400 with code video_not_completed, got 400' hid that the body had no "error"."""
    from tests.broken_mocks import Breaker

    def flattens_errors(seen: Any, status: int, body: dict) -> Any:
        return (status, body["error"]) if status >= 400 and isinstance(body.get("error"), dict) else None

    target = mock_target(lambda app: Breaker(app, after=flattens_errors))
    report = run(effective_spec(), target, replace(FAST, parts=("properties",)))
    said = {r.detail for r in report.failures}
    expected = [d for d in said if "expected 415 with the error envelope" in d or "with code " in d]
    assert expected and all('has no "error" object' in d for d in expected), said
