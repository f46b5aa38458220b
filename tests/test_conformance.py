"""The conformance suite: green on the clean mock, red on every broken variant, with the right check."""

import copy
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from tests.broken_mocks import VARIANTS
from tests.progress_support import Steps
from videos_toolkit.conformance.cli import main
from videos_toolkit.conformance.fuzzing import FAMILIES as FUZZING_FAMILIES
from videos_toolkit.conformance.properties import Properties
from videos_toolkit.conformance.results import Outcome
from videos_toolkit.conformance.roundtrip import run_steps
from videos_toolkit.conformance.runner import PARTS, Options, run
from videos_toolkit.conformance.target import MOCK_KEYS, Target, mock_target
from videos_toolkit.spec import effective_spec

FAST = Options(max_examples=5, seed=7, database=None)
# The fuzzing's stateless phases in worker processes (tests/test_conformance_workers.py has more).
PARALLEL = replace(FAST, workers=2)
LIVE_MOCK_CONFIG = {"api_keys": frozenset(MOCK_KEYS), "speed": 20}


@pytest.mark.parametrize("options", [FAST, PARALLEL], ids=["one worker", "two workers"])
def test_the_clean_mock_passes_every_check(options):
    steps = Steps()
    report = run(
        effective_spec(), mock_target(), options, on_part=steps.on_part, on_progress=steps.on_progress
    )
    assert report.ok, [(r.operation, r.check, r.detail) for r in report.failures[:5]]
    steps.assert_counted_to_the_end(PARTS)
    families = {r.family for r in report.results}
    assert {
        "server errors",
        "response schema",
        "negative data",
        "positive data",
        "stateful",
        "auth",
    } <= families
    assert {"enums", "lifecycle", "extension", "isolation", "pagination", "client"} <= families
    operations = {r.operation for r in report.results if r.family == "response schema"}
    assert {"POST /videos/extensions", "GET /videos/{video_id}", "GET /videos"} <= operations


def test_the_same_suite_passes_over_http_against_the_served_mock(live_mock):
    target = Target(live_mock.base_url, *MOCK_KEYS, wait_timeout=30)
    steps = Steps()
    report = run(effective_spec(), target, FAST, on_part=steps.on_part, on_progress=steps.on_progress)
    assert report.ok, [(r.operation, r.check, r.detail) for r in report.failures[:5]]
    steps.assert_counted_to_the_end(PARTS)
    assert {"positive data", "stateful", "extension", "isolation", "client"} <= {
        r.family for r in report.results
    }


def part_holding(check: str) -> str:
    """The part of the suite that runs ``check``: the fuzzing engine's, the client round trip or
    a property."""
    if check in FUZZING_FAMILIES:
        return "fuzzing"
    return "client" if check == "client_round_trip" else "properties"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_broken_variant_is_caught_by_its_check(variant):
    wrap, check = VARIANTS[variant]
    report = run(effective_spec(), mock_target(wrap), replace(PARALLEL, parts=(part_holding(check),)))
    assert not report.ok
    assert check in report.failed_checks(), sorted(report.failed_checks())
    # A person fixing the server sees the answer that broke the rule.
    shown = {bool(r.failure and r.failure.response) for r in report.failures if r.check == check}
    assert shown == {True}, [r.detail for r in report.failures if r.check == check]


def test_the_cli_prints_the_matrix_and_writes_both_reports(tmp_path, capsys):
    code = main(["--max-examples", "3", "--seed", "1", "--report-dir", str(tmp_path), "--only", "properties"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASSED" in out and "lifecycle" in out and "POST /videos/extensions" in out
    suites = ET.parse(tmp_path / "conformance.junit.xml").getroot()
    assert {s.get("name") for s in suites} >= {"enums", "extension", "lifecycle"}
    # Test case names are the checks alone, the same in every run (CI keeps their history); how
    # many times each ran is a property.
    cases = suites.findall(".//testcase")
    assert ("POST /videos", "allowed_values_accepted") in {(c.get("classname"), c.get("name")) for c in cases}
    assert all(int(c.find("properties/property[@name='runs']").get("value")) >= 1 for c in cases)
    page = (tmp_path / "conformance.html").read_text()
    assert "Videos API conformance: PASSED" in page and "<table>" in page


def test_the_cli_exits_1_and_reports_the_failure(tmp_path, capsys, monkeypatch):
    wrap, _ = VARIANTS["returns wrong stitched seconds"]
    monkeypatch.setattr("videos_toolkit.conformance.cli.mock_target", lambda: mock_target(wrap))
    code = main(["--max-examples", "3", "--report-dir", str(tmp_path), "--only", "properties"])
    assert code == 1
    assert "stitched_seconds" in capsys.readouterr().out
    page = (tmp_path / "conformance.html").read_text()
    assert "stitched total" in page and "curl -X POST" in page
    failure = ET.parse(tmp_path / "conformance.junit.xml").getroot().find(".//failure")
    assert failure is not None and "stitched" in failure.get("message", "")


@pytest.mark.parametrize(
    "variant",
    [
        "says has_more false with one video left",
        "ignores the after cursor",
        "lists videos with timestamps in milliseconds",
    ],
)
def test_a_pagination_failure_shows_the_page_it_was_found_in(variant):
    """A person fixing their list needs the page as the server sent it, and a curl that fetches it."""
    wrap, _ = VARIANTS[variant]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("properties",)))
    [failure] = [r.failure for r in report.failures if r.check == "cursor_pagination"]
    assert failure is not None
    assert failure.response.startswith("200") and '"data"' in failure.response, failure.response
    assert "curl -X GET" in failure.reproduce and "/videos?" in failure.reproduce


def test_a_client_round_trip_failure_shows_its_exchange_and_a_download_by_its_size():
    wrap, _ = VARIANTS["labels downloads with the wrong media type"]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("client",)))
    [failure] = [r.failure for r in report.failures if r.check == "client_round_trip"]
    assert failure is not None
    assert failure.request.startswith("GET ") and "/content?variant=" in failure.request
    assert "bytes, not text, starting b'\\x00\\x00" in failure.response, failure.response
    assert "curl -X GET" in failure.reproduce


class ServesAnyModel:
    """A correct server for the open `model`: any name is accepted (here run as sora-2) and
    answered exactly as sent, spaces and capitals included."""

    def __init__(self, app):
        self.app, self.state = app, app.state

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or b"json" not in headers.get(b"content-type", b"")
        ):
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        data = json.loads(body or b"null")
        sent = data.get("model") if isinstance(data, dict) and scope["path"].endswith("/videos") else None
        if isinstance(sent, str):
            body = json.dumps({**data, "model": "sora-2"}).encode()
        headers[b"content-length"] = str(len(body)).encode()

        async def replay():
            return {"type": "http.request", "body": body, "more_body": False}

        async def answer(message):
            if isinstance(sent, str) and message["type"] == "http.response.body" and message.get("body"):
                video = json.loads(message["body"])
                if isinstance(video, dict) and video.get("object") == "video":
                    message = {**message, "body": json.dumps({**video, "model": sent}).encode()}
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [(k, v) for k, v in message["headers"] if k != b"content-length"],
                }
            await send(message)

        await self.app({**scope, "headers": list(headers.items())}, replay, answer)


def test_a_server_answering_an_open_model_name_exactly_as_sent_passes():
    report = run(effective_spec(), mock_target(ServesAnyModel), replace(FAST, parts=("properties",)))
    assert "other_model_rejected" not in report.failed_checks(), [r.detail for r in report.failures]
    assert report.ok, [r.detail for r in report.failures]


def test_an_unknown_status_is_named_as_such_not_as_a_step_backwards():
    wrap, _ = VARIANTS["emits an unknown status"]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("properties",)))
    details = {r.check: r.detail for r in report.failures}
    assert (
        "not one of" in details["lifecycle_invariants"] and "backwards" not in details["lifecycle_invariants"]
    )
    assert "which the contract does not list" in details["job_completes"]


def test_the_junit_report_is_well_formed_xml_whatever_bytes_a_failure_quotes(tmp_path):
    # A failing request that carried an MP4 part quotes NULs and other control characters.
    from videos_toolkit.conformance.reports import write_reports
    from videos_toolkit.conformance.results import CheckResult, Failure, Outcome, Report

    binary = "".join(map(chr, range(32))) + "\ufffe\ud800 mdat"
    failure = Failure(rule="rule", request=f"POST /videos\r\n\r\n{binary}", response=binary, reproduce="curl")
    result = CheckResult("POST /videos", "schema", "a_check", Outcome.FAILED, failure, detail=binary)
    junit, _ = write_reports(Report(results=[result]), tmp_path)
    node = ET.parse(junit).getroot().find(".//failure")
    assert node is not None and "\\x00\\x01" in node.text and "\\ufffe\\ud800 mdat" in node.text
    assert "\t\n" in node.text  # what XML can hold is kept as it was


def answers_501_to_methods_it_does_not_implement(app):
    """A correct server built on Python's http.server: a method it has no handler for is 501."""

    async def server(scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in ("GET", "POST", "DELETE"):
            await send(
                {"type": "http.response.start", "status": 501, "headers": [(b"content-type", b"text/html")]}
            )
            await send({"type": "http.response.body", "body": b"<h1>Unsupported method</h1>"})
            return
        await app(scope, receive, send)

    server.state = app.state
    return server


def test_501_to_a_method_the_contract_does_not_list_is_not_a_failure():
    # RFC 9110 15.6.2: 501 is the answer for a method the server does not implement at all.
    report = run(
        effective_spec(),
        mock_target(answers_501_to_methods_it_does_not_implement),
        replace(FAST, parts=("fuzzing",)),
    )
    assert report.ok, sorted({(r.operation, r.check, r.detail[:80]) for r in report.failures})[:5]
    assert any(r.check == "unsupported_method" for r in report.results)


def fails_the_first_two_jobs_it_is_polled_for(app):
    """A correct server whose jobs may fail (moderation, say): the first two jobs a client reads
    at their end read failed, for good, instead of completed."""
    from tests.broken_mocks import Breaker, is_video

    failed: list[str] = []

    def after(seen, status, body):
        if seen.method != "GET" or not is_video(body):
            return None
        if body["status"] == "completed" and len(failed) < 2 and body["id"] not in failed:
            failed.append(body["id"])
        if body["id"] not in failed:
            return None
        error = {"code": "moderation_blocked", "message": "blocked"}
        return status, {
            **body,
            "status": "failed",
            "progress": 99,
            "completed_at": None,
            "expires_at": None,
            "error": error,
        }

    return Breaker(app, after=after)


@pytest.mark.parametrize("part", ["properties", "client"])
def test_a_failed_job_is_not_a_failure_when_the_next_one_completes(part):
    target = mock_target(fails_the_first_two_jobs_it_is_polled_for)
    report = run(effective_spec(), target, replace(FAST, parts=(part,)))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    needs_a_completed_video = {"properties": "stitched_seconds", "client": "client_round_trip"}[part]
    assert any(r.check == needs_a_completed_video for r in report.results)


def finishes_each_job_when_it_is_used(app):
    """A correct server that is fast: each job finishes just as a request uses it (mock time jumps
    a minute on every extend, remix and download), so an unfinished job is never seen in use."""
    from tests.broken_mocks import Breaker

    def before(seen, app):
        if seen.path.endswith(("/extensions", "/remix", "/content")):
            app.state.mock.clock.advance(60)

    return Breaker(app, before=before)


def test_a_job_that_finishes_just_as_it_is_used_is_a_skip_not_a_failure():
    # The race CI met on a busy machine: the job read unfinished, then finished before its use.
    report = run(
        effective_spec(), mock_target(finishes_each_job_when_it_is_used), replace(FAST, parts=("properties",))
    )
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    unfinished = {"source_must_be_completed", "remix_source_must_be_completed", "content_needs_completed"}
    skipped = {r.check: r.detail for r in report.results if r.check in unfinished}
    assert skipped.keys() == unfinished
    assert all("finished the job before it could be used unfinished" in why for why in skipped.values())


def test_a_field_the_contract_newly_requires_is_sent_by_every_property_and_the_sdk():
    # A contract change the checks know nothing about: every creating body now requires a quality
    # and a list of tags. The SDK's calls send them as a customer would, in extra_body (a list as
    # tags[] parts in multipart).
    spec = copy.deepcopy(effective_spec())
    schemas = spec["components"]["schemas"]
    for name in [name for name in schemas if name.endswith("Body")]:
        schemas[name]["properties"]["quality"] = {"type": "string", "enum": ["standard", "high"]}
        schemas[name]["properties"]["tags"] = {"type": "array", "items": {"type": "string"}, "minItems": 1}
        schemas[name]["required"] = [*schemas[name].get("required", []), "quality", "tags"]
    report = run(spec, mock_target(spec=spec), replace(FAST, parts=("properties", "sdk")))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    passed = {r.check for r in report.results if r.outcome.value == "passed"}
    assert {"allowed_values_accepted", "remix_source_must_be_completed", "idempotent_replay"} <= passed
    sdk = {
        r.operation
        for r in report.results
        if r.check == "openai_sdk_round_trip" and r.outcome.value == "passed"
    }
    assert {
        "POST /videos",
        "POST /videos/{video_id}/remix",
        "POST /videos/extensions",
        "POST /videos/edits",
    } <= sdk
    assert "POST /videos/characters" in sdk


def test_a_field_the_properties_set_themselves_that_the_contract_makes_required_is_always_sent():
    # size was optional: the checks left it out wherever they were not about it (16 false failures).
    spec = copy.deepcopy(effective_spec())
    schemas = spec["components"]["schemas"]
    for name in ("CreateVideoJsonBody", "CreateVideoMultipartBody"):
        schemas[name]["required"] = [*schemas[name].get("required", []), "size"]
    report = run(spec, mock_target(spec=spec), replace(FAST, parts=("properties",)))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    passed = {r.check for r in report.results if r.outcome.value == "passed"}
    assert {"allowed_values_accepted", "other_size_rejected", "defaults_applied"} <= passed


def test_the_properties_skip_what_a_contract_without_extend_and_with_a_moved_download_has_not():
    # A fork may leave an operation out or move it: the correct mock of that contract failed five
    # checks (a 405 for extend, a 404 for the old download path), though none was its fault.
    spec = copy.deepcopy(effective_spec())
    del spec["paths"]["/videos/extensions"]
    spec["paths"]["/videos/{id}/download"] = spec["paths"].pop("/videos/{video_id}/content")
    item = spec["paths"]["/videos/{id}/download"]
    item["parameters"] = [
        {**p, "name": "id"} if p.get("name") == "video_id" else p for p in item["parameters"]
    ]
    report = run(spec, mock_target(spec=spec), replace(FAST, parts=("properties",)))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    skipped = {r.check for r in report.results if r.detail == "not in the contract"}
    assert skipped == {
        "stitched_seconds",
        "other_extension_seconds_rejected",
        "source_must_be_completed",
        "content_needs_completed",
    }
    assert {"remix_source_must_be_completed", "key_isolation", "deleted_stays_deleted"} <= {
        r.check for r in report.results if r.outcome.value == "passed"
    }


def test_an_operation_whose_path_parameter_a_contract_names_otherwise_is_still_judged():
    # Against a provider's server, a remix at /videos/{id}/remix is the same operation: the
    # properties and the round trips judge it. The mock refuses such a contract at start-up (its
    # behaviour reads video_id) instead of answering 500 to every remix.
    spec = copy.deepcopy(effective_spec())
    item = spec["paths"].pop("/videos/{video_id}/remix")
    item["parameters"] = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    spec["paths"]["/videos/{id}/remix"] = item
    with pytest.raises(ValueError, match="names remixVideo's path parameter 'id'; the mock's behaviour"):
        mock_target(spec=spec)
    assert Properties(mock_target(), spec, max_examples=1, seed=0, database=None).serves(
        "POST /videos/{video_id}/remix"
    )
    recorded: list = []
    plan = [("POST /videos/{video_id}/remix", lambda: None)]
    run_steps(plan, spec, mock_target(), [], recorded.append, part="client", family="client", check="x")
    assert [r.outcome.value for r in recorded] == ["passed"]


def test_a_contract_without_4_second_clips_is_followed_by_the_properties_and_the_round_trip():
    spec = copy.deepcopy(effective_spec())
    for name in ("VideoSeconds", "VideoExtensionSeconds"):
        schema = spec["components"]["schemas"][name]
        schema["enum"], schema["x-enum-varnames"] = schema["enum"][1:], schema["x-enum-varnames"][1:]
    report = run(spec, mock_target(spec=spec), replace(FAST, parts=("properties", "client")))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    assert {"stitched_seconds", "client_round_trip"} <= {r.check for r in report.results}


def test_each_fuzzed_creating_request_sends_its_own_idempotency_key():
    # With the contract's example key on every case, each creating request after the first was a
    # replay or a 409 to a server that looks at the key before the body.
    from collections import Counter

    from tests.broken_mocks import Breaker

    keys: Counter[str] = Counter()

    def record(seen, app):
        key = seen.headers.get("idempotency-key")
        if seen.method == "POST" and key and len(key) <= 255:
            keys[key] += 1

    report = run(
        effective_spec(),
        mock_target(lambda app: Breaker(app, before=record)),
        replace(FAST, parts=("fuzzing",)),
    )
    assert report.results and len(keys) > 20, len(keys)
    example = effective_spec()["components"]["parameters"]["IdempotencyKey"]["example"]
    assert example not in keys
    assert [key for key, times in keys.items() if times > 1] == []


def test_a_fuzzing_failure_shows_a_curl_a_shell_can_run_with_the_key_from_the_environment():
    wrap, check = VARIANTS["answers 500 to a bad input"]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("fuzzing",)))
    repros = [r.failure.reproduce for r in report.failures if r.check == check and r.failure]
    assert repros, sorted(report.failed_checks())
    curls = [line for repro in repros for line in repro.splitlines() if line.startswith("curl ")]
    assert curls and all('"Authorization: Bearer $OPENAI_API_KEY"' in line for line in curls), curls[:2]
    # Idempotency-Key is no secret (a generated value equal to a key is, and is filtered).
    assert not any(re.search(r"idempotency-key: \[Filtered\]", line, re.IGNORECASE) for line in curls), curls[
        :2
    ]
    assert any("idempotency-key: " in line.lower() for line in curls), curls[:2]
    # The server keeps a key's first answer: the reproduction says to change it after a fix.
    keyed = [repro for repro in repros if "idempotency-key: " in repro.lower()]
    assert keyed and all("change its Idempotency-Key" in repro for repro in keyed)


def another_client_creates_before_each_list(app):
    """A correct server shared with another client of the same key, who creates a video just
    before every list request arrives."""
    from tests.broken_mocks import Breaker
    from videos_toolkit.mock.handlers import owner_of

    api = app.state.mock.handlers["retrieveVideo"].__self__

    def before(seen, app):
        if seen.method == "GET" and seen.path.endswith("/videos"):
            key = seen.headers.get("authorization", "").removeprefix("Bearer ")
            api._new_job(owner_of(key), "another client's", model="sora-2", seconds="4", size="720x1280")

    return Breaker(app, before=before)


def test_other_clients_creating_videos_meanwhile_fail_no_check():
    target = mock_target(another_client_creates_before_each_list)
    report = run(effective_spec(), target, replace(FAST, parts=("properties", "client")))
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})
    assert {"cursor_pagination", "client_round_trip"} <= {r.check for r in report.results}


def answers_aliases_as_snapshots(seen, status, body):
    """sora-2 is an alias: the Video names the dated snapshot it resolved to."""
    if body.get("object") == "video" and body.get("model") == "sora-2":
        return status, {**body, "model": "sora-2-2025-12-08"}
    return None


def failed_jobs_report_less_progress():
    """The first job read at its end fails, and reports the progress it had really made (3%)."""
    failed: list[str] = []

    def after(seen, status, body):
        if seen.method != "GET" or body.get("object") != "video":
            return None
        if body["status"] == "completed" and not failed:
            failed.append(body["id"])
        if body["id"] not in failed:
            return None
        error = {"code": "moderation_blocked", "message": "blocked"}
        gone = {"completed_at": None, "expires_at": None}
        return status, {**body, "status": "failed", "progress": 3, **gone, "error": error}

    return after


def names_the_id_inside_the_reference(seen, status, body):
    error = body.get("error")
    if seen.path.endswith("/videos/edits") and isinstance(error, dict) and error.get("param") == "video":
        return status, {"error": {**error, "param": "video.id"}}
    return None


@pytest.mark.parametrize(
    "after",
    [answers_aliases_as_snapshots, failed_jobs_report_less_progress(), names_the_id_inside_the_reference],
    ids=["model alias answered as its snapshot", "a failed job's progress drops", "param video.id"],
)
def test_what_the_contract_leaves_open_fails_no_property(after):
    from tests.broken_mocks import Breaker

    report = run(
        effective_spec(),
        mock_target(lambda app: Breaker(app, after=after)),
        replace(FAST, parts=("properties",)),
    )
    assert report.ok, sorted({(r.check, r.detail[:100]) for r in report.failures})


def test_neighbours_are_the_adjacent_integers_not_allowed():
    from videos_toolkit.conformance.properties import neighbours

    assert neighbours(("4", "8", "12")) == ["3", "5", "7", "9", "11", "13"]
    assert neighbours(("0", "1")) == ["2"] and neighbours(("720x1280",)) == []


def test_a_property_failure_shows_its_request_and_a_curl_command_a_shell_can_run():

    import httpx

    from videos_toolkit.conformance.exchanges import curl, shown_request

    request = httpx.Request(
        "POST",
        "http://127.0.0.1:4010/v1/videos",
        json={"prompt": "it's a cat"},
        headers={"Authorization": "Bearer sk-real", "Idempotency-Key": "k-1"},
    )
    target = Target("http://127.0.0.1:4010/v1", "sk-real", "sk-other")
    command = curl(request, target)
    assert "sk-real" not in command and '-H "Authorization: Bearer $OPENAI_API_KEY"' in command
    request.headers["Authorization"] = "Bearer sk-other"  # made with the second identity
    assert '-H "Authorization: Bearer $CONFORMANCE_OTHER_API_KEY"' in curl(request, target)
    argv = shlex.split(command)
    assert argv[:3] == ["curl", "-X", "POST"] and argv[-1] == "http://127.0.0.1:4010/v1/videos"
    assert argv[argv.index("--data-binary") + 1] == '{"prompt":"it\'s a cat"}'
    assert "idempotency-key: k-1" in [arg.lower() for arg in argv]
    assert shown_request(request).startswith("POST http://127.0.0.1:4010/v1/videos\n")


def test_a_live_target_failure_says_how_to_rerun_it_against_that_target(live_mock):
    wrap_free = Target(live_mock.base_url, *MOCK_KEYS, wait_timeout=30)
    from videos_toolkit.conformance.exchanges import PropertyViolation
    from videos_toolkit.conformance.properties import Properties

    properties = Properties(wrap_free, effective_spec(), max_examples=1, seed=5, database=None)
    result = properties._failed("GET /videos", "pagination", "x", PropertyViolation("broken"))
    assert result.failure is not None
    # What the run's inputs depend on goes with it: the budget and the live target's timeouts.
    assert result.failure.reproduce.startswith(
        "# rerun: scripts/conformance --only properties --seed 5 --max-examples 1 "
        f'--base-url {live_mock.base_url} --api-key "$OPENAI_API_KEY" '
        '--other-api-key "$CONFORMANCE_OTHER_API_KEY" --wait-timeout 30 --request-timeout 30\n'
    )
    # The client round trip's failure says the same, for its part (it has no seed).
    assert wrap_free.rerun("client") == (
        f'scripts/conformance --only client --base-url {live_mock.base_url} --api-key "$OPENAI_API_KEY" '
        '--other-api-key "$CONFORMANCE_OTHER_API_KEY" --wait-timeout 30 --request-timeout 30'
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_fuzzing_failure_says_how_to_rerun_it(workers):
    wrap, _ = VARIANTS["answers 500 to a bad input"]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("fuzzing",), workers=workers))
    reruns = {r.failure.reproduce.splitlines()[0] for r in report.failures if r.failure}
    expected = (
        f"# rerun: scripts/conformance --only fuzzing --seed 7 --max-examples 5 --workers {min(workers, 2)}"
    )
    assert reruns and reruns <= {expected}, reruns


def test_a_job_wait_that_runs_out_says_where_the_job_was_and_what_to_raise():
    import httpx

    from videos_toolkit.conformance.target import WaitTimeout

    queued = {"id": "video_1", "object": "video", "status": "in_progress", "progress": 40}
    answer = httpx.MockTransport(
        lambda request: httpx.Response(200, json=queued, headers={"openai-poll-after-ms": "1"})
    )
    target = Target("http://server.test/v1", *MOCK_KEYS, wait_timeout=0.05)
    with (
        httpx.Client(base_url=target.base_url, transport=answer) as client,
        pytest.raises(WaitTimeout) as caught,
    ):
        target.wait(client, "video_1")
    said = str(caught.value)
    assert "'in_progress' at progress 40" in said and "--wait-timeout" in said and "0.05 s" in said


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_a_multipart_request_is_shown_by_its_parts_and_its_curl_sends_it_again(live_mock, tmp_path):
    """Run the printed curl, as a person would, in a folder holding the file it names."""
    import httpx

    from videos_toolkit.conformance.exchanges import curl, post, shown_request
    from videos_toolkit.mock.media import mp4_video

    target = Target(live_mock.base_url, MOCK_KEYS[0], None)
    sent = []
    recorder = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    body = {"prompt": "@not-a-file <neither", "seconds": "8", "video": mp4_video("720x1280", 4)}
    with httpx.Client(base_url=target.base_url, transport=recorder) as client:
        post(
            client,
            "/videos/extensions",
            body,
            "multipart",
            headers={"Authorization": f"Bearer {MOCK_KEYS[0]}"},
        )
    [request] = sent
    shown = shown_request(request)
    assert "prompt: @not-a-file <neither" in shown and "video: (file 'video.mp4', video/mp4, " in shown
    command = curl(request, target)
    assert "video.mp4 (" in command.split("#", 1)[1]
    (tmp_path / "video.mp4").write_bytes(body["video"])
    done = subprocess.run(
        ["bash", "-c", command.split("  #", 1)[0] + " -s"],  # the shell fills in $OPENAI_API_KEY
        cwd=tmp_path,
        env={**os.environ, "OPENAI_API_KEY": MOCK_KEYS[0]},
        capture_output=True,
        timeout=30,
    )
    answer = json.loads(done.stdout)
    assert answer.get("object") == "video" and answer.get("seconds") == "12", answer
    assert answer.get("prompt") == "@not-a-file <neither"


def test_the_openai_sdk_round_trip_fails_on_an_answer_the_sdks_models_cannot_read():
    wrap, _ = VARIANTS["drops a required Video field"]
    report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("sdk",)))
    failed = [r for r in report.failures if r.check == "openai_sdk_round_trip"]
    assert failed and failed[0].operation == "POST /videos", sorted(report.failed_checks())
    # The SDK's own words say only "invalid for expected schema"; pydantic's say which field.
    assert "APIResponseValidationError" in failed[0].detail and "Field required" in failed[0].detail
    assert failed[0].failure.response.startswith("200")


def test_the_openai_sdk_round_trip_passes_every_step_on_the_mock_and_is_skipped_without_the_sdk(monkeypatch):
    report = run(effective_spec(), mock_target(), replace(FAST, parts=("sdk",)))
    assert report.ok and len(report.results) == 9, [(r.operation, r.detail) for r in report.failures]
    monkeypatch.setitem(sys.modules, "openai", None)  # import openai raises ImportError
    report = run(effective_spec(), mock_target(), replace(FAST, parts=("sdk",)))
    assert {r.outcome for r in report.results} == {Outcome.SKIPPED}
    assert {r.detail for r in report.results} == {"the openai package is not installed (pip install openai)"}


def test_a_fuzzing_failures_line_says_more_than_its_title():
    # "Server error" or "Response violates schema" alone gives a person nothing to act on.
    for variant, words in (
        ("answers 500 to a bad input", "Server error (HTTP 500)"),
        ("drops a required Video field", 'Response violates schema: "created_at" is a required property'),
    ):
        wrap, check = VARIANTS[variant]
        report = run(effective_spec(), mock_target(wrap), replace(FAST, parts=("fuzzing",)))
        assert words in {r.detail for r in report.failures if r.check == check}, variant


@pytest.mark.parametrize(("status", "passes"), [(500, False), (503, True), (429, True)])
def test_the_sdk_part_fails_a_5xx_its_retries_hid_but_not_a_come_back_later(status, passes):
    target = mock_target()
    target.app.state.mock.faults.enqueue(status, retry_after_ms=1)  # the create's first try
    report = run(effective_spec(), target, replace(FAST, parts=("sdk",)))
    assert report.ok is passes, [(r.operation, r.detail) for r in report.failures]
    if not passes:
        (failed,) = report.failures
        assert failed.operation == "POST /videos" and f"answered {status} to POST /v1/videos" in failed.detail
        assert failed.failure.response.startswith(str(status))
        # Nothing after a failed create can run: each later step says so, none is left out.
        skipped = [r for r in report.results if r.outcome is Outcome.SKIPPED]
        assert len(skipped) == 8 and {r.detail for r in skipped} == {
            "needs the video the create step could not make"
        }


def test_the_sdk_part_reads_other_videos_in_a_list_as_the_sdk_does_by_default_and_its_own_strictly():
    # A fork adds a size the SDK's types do not know; a video of that size made before (by an
    # earlier part, or on a provider's account) failed the list step of a full run, not of --only sdk.
    from tests.broken_mocks import Breaker

    spec = copy.deepcopy(effective_spec())
    schema = spec["components"]["schemas"]["VideoSize"]
    schema["enum"] = [*schema["enum"], "1920x1080"]
    schema["x-enum-varnames"] = [*schema["x-enum-varnames"], "SIZE_1920X1080"]
    target = mock_target(spec=spec)
    with TestClient(target.app) as http:
        made = http.post(
            "/v1/videos",
            json={"prompt": "wide", "size": "1920x1080"},
            headers={"Authorization": f"Bearer {target.api_key}"},
        )
    assert made.status_code == 200, made.text
    report = run(spec, target, replace(FAST, parts=("sdk",)))
    assert report.ok, [(r.operation, r.detail) for r in report.failures]

    # Its own video, listed with a size the contract does not have, still fails the step.
    def wrong_size_in_lists(seen, status, body):
        if seen.method == "GET" and seen.path == "/v1/videos" and body.get("data"):
            return status, {**body, "data": [{**body["data"][0], "size": "999x999"}, *body["data"][1:]]}
        return None

    target = mock_target(lambda app: Breaker(app, after=wrong_size_in_lists))
    report = run(effective_spec(), target, replace(FAST, parts=("sdk",)))
    assert [r.operation for r in report.failures] == ["GET /videos"], [r.detail for r in report.failures]


def test_the_sdk_part_does_not_retry_a_5xx_it_fails_anyway():
    # Its backoff (about 15 s over five retries) bought nothing but a wait for the same verdict.
    target = mock_target()
    target.app.state.mock.faults.enqueue(500, count=3, operation="createVideo")
    report = run(effective_spec(), target, replace(FAST, parts=("sdk",)))
    assert [r.operation for r in report.failures] == ["POST /videos"]
    creates = [e for e in target.app.state.mock.journal.entries() if e["operation"] == "createVideo"]
    assert [e["status"] for e in creates] == [500]
