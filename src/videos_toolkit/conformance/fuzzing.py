"""Contract fuzzing and stateful link chains: schemathesis's engine with all its checks.

The engine runs its phases (examples, coverage, fuzzing, stateful) in positive and negative modes;
each check it runs on each case becomes one CheckResult. Failing examples are stored in a
hypothesis database under the report folder, so a failure found once is replayed first next time.
"""

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
import schemathesis
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.transport.serialization import Binary

from videos_toolkit.conformance.results import CheckResult, Failure, Outcome
from videos_toolkit.conformance.target import Target
from videos_toolkit.conformance.wire_view import fuzzing_view
from videos_toolkit.mock.media import mp4_video

load_all_checks()

# Check name -> matrix family.
FAMILIES = {
    "not_a_server_error": "server errors",
    "status_code_conformance": "status codes",
    "content_type_conformance": "content types",
    "response_schema_conformance": "response schema",
    "response_headers_conformance": "response schema",
    "negative_data_rejection": "negative data",
    "missing_required_header": "negative data",
    "unsupported_method": "negative data",
    "allow_header_conformance": "negative data",
    "positive_data_acceptance": "positive data",
    "use_after_free": "stateful",
    "ensure_resource_availability": "stateful",
    "ignored_auth": "auth",
    "object_level_authorization": "auth",
}
RACE_WINDOW = 5.0  # seconds
STATELESS_PHASES = ["examples", "coverage", "fuzzing"]
STATEFUL_PHASES = ["stateful"]
OUTCOMES = {Status.SUCCESS: Outcome.PASSED, Status.FAILURE: Outcome.FAILED, Status.SKIP: Outcome.SKIPPED}


def run_fuzzing(
    spec: dict[str, Any],
    target: Target,
    *,
    max_examples: int,
    seed: int,
    workers: int,
    database: Path | None,
    on_result: Callable[[CheckResult], None],
) -> None:
    # Stateful chains run on one worker whatever ``workers`` says: with one identity, a chain in
    # another worker (list -> retrieve the first -> delete) can delete what this one just created,
    # which schemathesis would report as a resource the server lost.
    passes = [(STATELESS_PHASES + STATEFUL_PHASES, 1)] if workers <= 1 else []
    passes = passes or [(STATELESS_PHASES, workers), (STATEFUL_PHASES, 1)]
    for phases, pass_workers in passes:
        schema = _schema(spec, target, max_examples, seed, pass_workers, database, phases)
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                for result in _results(event, seed):
                    on_result(result)
            elif isinstance(event, events.NonFatalError):
                on_result(_engine_error(event.label, event.info.message, seed))
            elif isinstance(event, events.FatalError):
                on_result(_engine_error("(engine)", str(event.exception), seed))


def _schema(
    spec: dict[str, Any],
    target: Target,
    max_examples: int,
    seed: int,
    workers: int,
    database: Path | None,
    phases: list[str],
) -> Any:
    config = SchemathesisConfig()
    config.update(seed=seed, max_failures=None)
    project = config.projects.override
    project.update(
        headers={"Authorization": f"Bearer {target.api_key}"},
        workers=workers,
        request_timeout=target.request_timeout,
    )
    project.phases.update(phases=phases)
    project.generation.update(
        max_examples=max_examples,
        database=str(database) if database else "none",
    )
    view = fuzzing_view(spec)
    schema = schemathesis.openapi.from_dict(view, config=config)
    schema.config.base_url = target.base_url
    if target.fuzz_app is not None:
        schema.app = target.fuzz_app
    _upload_real_videos(schema, seed)
    _drop_unrepresentable_negatives(schema, view)
    _allow_refusing_unfinished_sources(schema, target)
    return schema


def _upload_real_videos(schema: Any, seed: int) -> None:
    """A file part named ``video`` must hold an MP4 a server can read (random bytes are rightly
    rejected, which would look like a server refusing valid data)."""
    rng = random.Random(seed)
    videos = {seconds: mp4_video("720x1280", seconds) for seconds in (1, 4, 8)}

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        body = case.body
        multipart = (case.media_type or "").startswith("multipart/")
        if multipart and isinstance(body, dict) and isinstance(body.get("video"), bytes | Binary):
            case.body = {**body, "video": videos[rng.choice(sorted(videos))]}
        return case


def _drop_unrepresentable_negatives(schema: Any, view: dict[str, Any]) -> None:
    """In multipart every text field is a string on the wire: a "negative" case that changed a
    string field's *type* (null, false, 3) reaches the server as the valid text "null", "false",
    "3". Such a case is not schema-violating as sent; accepting it is right, so that failure is
    dropped. The test: read the body back as a server must (text fields as strings, file parts as
    bytes) and validate it against the operation's schema; only if it is then valid is it dropped."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if "negative_data_rejection" not in getattr(failure, "checks", ()):
            return True
        if not (case.media_type or "").startswith("multipart/") or not isinstance(case.body, dict):
            return True
        wire = {}
        for name, value in case.body.items():
            if isinstance(value, list):
                return True  # repeated parts: not a question of text encoding
            wire[name] = (
                "" if isinstance(value, bytes) else value if isinstance(value, str) else json.dumps(value)
            )
        body_schema = case.operation.definition.raw["requestBody"]["content"][case.media_type.split(";")[0]]
        validator = jsonschema.Draft202012Validator(
            {**body_schema["schema"], "components": view["components"]}
        )
        return not validator.is_valid(wire)


def _allow_refusing_unfinished_sources(schema: Any, target: Target) -> None:
    """extend, edit and remix need a *completed* source, a state no schema can express. A stateful
    chain often extends a video it has just created; refusing that is right. A refusal of valid
    data is forgiven only when retrieving the source shows it is not completed (or only just)."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if "positive_data_acceptance" not in getattr(failure, "checks", ()) or response.status_code != 400:
            return True
        source = (case.path_parameters or {}).get("video_id")
        if source is None and isinstance(case.body, dict) and isinstance(case.body.get("video"), dict):
            source = case.body["video"].get("id")
        if not isinstance(source, str):
            return True
        with target.client(app=target.fuzz_app) as client:
            video = client.get(f"/videos/{quote(source, safe='')}").json()
        # It may have completed between the refusal and this look: allow a few seconds for that.
        completed_at = video.get("completed_at")
        just_completed = isinstance(completed_at, int) and completed_at >= time.time() - RACE_WINDOW
        return video.get("status") == "completed" and not just_completed


def _results(event: events.ScenarioFinished, seed: int) -> list[CheckResult]:
    recorder = event.recorder
    results = []
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else (event.label or "(stateful)")
        for check in checks:
            outcome = OUTCOMES.get(check.status, Outcome.FAILED)
            failure = None
            if outcome is Outcome.FAILED:
                failure = _failure(recorder, case_id, check, seed)
            results.append(
                CheckResult(
                    operation=operation,
                    family=FAMILIES.get(check.name, "other checks"),
                    check=check.name,
                    outcome=outcome,
                    failure=failure,
                    detail=failure.rule.splitlines()[0] if failure else "",
                )
            )
    return results


def _failure(recorder: Any, case_id: str, check: Any, seed: int) -> Failure:
    info = check.failure_info
    interaction = recorder.interactions.get(case_id)
    request = response = ""
    if interaction is not None:
        sent = interaction.request
        body = (sent.body or b"")[:2000].decode("utf-8", "replace")
        headers = "\n".join(f"{k}: {', '.join(v)}" for k, v in sent.headers.items())
        request = f"{sent.method} {sent.uri}\n{headers}\n\n{body}"
        if interaction.response is not None:
            got = interaction.response
            headers = "\n".join(f"{k}: {', '.join(v)}" for k, v in got.headers.items())
            response = (
                f"{got.status_code}\n{headers}\n\n{(got.content or b'')[:2000].decode('utf-8', 'replace')}"
            )
    rule = f"{info.failure.title}\n{info.failure.message}" if info else check.name
    reproduce = (
        "\n".join(step.curl for step in info.steps)
        if info and info.steps
        else (info.code_sample if info else "")
    )
    return Failure(rule=rule, request=request, response=response, reproduce=f"# seed {seed}\n{reproduce}")


def _engine_error(label: str | None, message: str, seed: int) -> CheckResult:
    return CheckResult(
        operation=label or "(engine)",
        family="engine",
        check="engine_error",
        outcome=Outcome.FAILED,
        failure=Failure(rule=message, request="", response="", reproduce=f"# seed {seed}"),
        detail=message.splitlines()[0] if message else "engine error",
    )
