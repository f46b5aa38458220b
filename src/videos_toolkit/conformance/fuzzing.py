"""Contract fuzzing and stateful link chains: schemathesis's engine with all its checks.

The engine runs its phases (examples, coverage, fuzzing, stateful) in positive and negative modes;
each check it runs on each case becomes one CheckResult. Failing examples are stored in a
hypothesis database under the report folder, so a failure found once is replayed first next time.
"""

import contextlib
import gc
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import hypothesis.strategies as st
import jsonschema
import requests
import schemathesis
from requests.exceptions import ChunkedEncodingError
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.transport.serialization import Binary

from videos_toolkit.conformance.exchanges import (
    multipart_parts,
    refuses_unresolvable_reference,
    refuses_unserved_model,
)
from videos_toolkit.conformance.results import FILTERED, CheckResult, Failure, Outcome
from videos_toolkit.conformance.target import Target
from videos_toolkit.conformance.uploads import Uploads
from videos_toolkit.conformance.wire_view import fuzzing_view
from videos_toolkit.conformance.workers import Channel, WorkerFailure, run_in_processes
from videos_toolkit.conformance.workers import context as workers_context
from videos_toolkit.mock.errors import ApiError
from videos_toolkit.mock.handlers import ContractFacts
from videos_toolkit.mock.idempotency import REPLAYED_HEADER
from videos_toolkit.mock.operations import compile_spec, operation_labels
from videos_toolkit.mock.validation import nested_form

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
STATELESS_PHASES = ("examples", "coverage", "fuzzing")
STATEFUL_PHASES = ("stateful",)
# Request headers whose values are credentials: shown as schemathesis shows them in its curl lines.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"})
OUTCOMES = {Status.SUCCESS: Outcome.PASSED, Status.FAILURE: Outcome.FAILED, Status.SKIP: Outcome.SKIPPED}


@dataclass
class FuzzStats:
    """What the engine generated: test cases (as the schemathesis CLI counts them: the cases
    recorded in every finished scenario) and scenarios."""

    cases: int = 0
    scenarios: int = 0


@dataclass(frozen=True)
class Job:
    """One engine run: these phases over these operations (None: all of them)."""

    spec: dict[str, Any]
    target: Target
    max_examples: int
    seed: int
    database: Path | None
    phases: tuple[str, ...]
    operations: tuple[str, ...] | None = None
    workers: int = 1  # the engine's own (thread) workers

    @property
    def label(self) -> str:
        if self.operations is None:
            return "(stateful)" if self.phases == STATEFUL_PHASES else "(engine)"
        return self.operations[0] if len(self.operations) == 1 else "(engine)"


class Batch(NamedTuple):
    """One engine event as the run sees it."""

    results: list[CheckResult]
    cases: int = 0
    scenarios: int = 0  # 0 or 1
    steps: int = 0  # 1 when it ends a step of the run (see fuzzing_steps)


def _steps_of(job: "Job") -> int:
    """The steps a worker's job counts: one per stateless phase of its operation, or one for the
    stateful chains."""
    return len([phase for phase in job.phases if phase in STATELESS_PHASES]) or 1


def fuzzing_steps(spec: dict[str, Any]) -> int:
    """The steps of a run, for its progress: each operation's stateless phases, one step each,
    and the stateful chains as one more."""
    return len(operation_labels(spec)) * len(STATELESS_PHASES) + 1


def run_fuzzing(
    spec: dict[str, Any],
    target: Target,
    *,
    max_examples: int,
    seed: int,
    workers: int,
    database: Path | None,
    on_result: Callable[[CheckResult], None],
    on_step: Callable[[], None] = lambda: None,
    idle_limit: float | None = None,
) -> FuzzStats:
    """Run the engine; with ``workers`` > 1 the stateless phases run in worker processes, one task
    per operation (each with its own engine and, in-process, its own mock), so the results are the
    same for any number of workers > 1 and come back in the spec's operation order.

    Stateful chains run on one worker whatever ``workers`` says: with one identity, a chain in
    another worker (list -> retrieve the first -> delete) can delete what this one just created,
    which schemathesis would report as a resource the server lost. In-process that worker is one
    more process with a mock of its own, so it runs beside the stateless tasks; against a live
    server it runs in this process after them, alone."""
    stats = FuzzStats()

    def emit(batch: Batch) -> None:
        stats.cases += batch.cases
        stats.scenarios += batch.scenarios
        for result in batch.results:
            on_result(result)
        for _ in range(batch.steps):
            on_step()

    def job(phases: tuple[str, ...], operations: tuple[str, ...] | None = None, workers: int = 1) -> Job:
        return Job(spec, target, max_examples, seed, database, phases, operations, workers)

    if workers <= 1:
        for batch in _engine(job(STATELESS_PHASES + STATEFUL_PHASES)):
            emit(batch)
        return stats
    stateful = job(STATEFUL_PHASES)
    jobs = worker_jobs(stateful)
    if workers_context().get_start_method() != "fork" and not _picklable(jobs):
        # A spawned worker needs the job pickled (a mock target's recipe, not its apps); when it
        # does not pickle, the engine's own threads it is, as before.
        for one in (job(STATELESS_PHASES, workers=workers), stateful):
            for batch in _engine(one):
                emit(batch)
        return stats
    # Longest first, for an even finish: the stateful chains, then the operations with bodies.
    order = sorted(range(len(jobs)), key=lambda i: -_weight(jobs[i]))
    # A worker beats once per case; a case is a few requests (the call, the checks' own, a
    # filter's look-up), each bounded by the request timeout. Silence far beyond that is a hang.
    limit = idle_limit if idle_limit is not None else max(120.0, 8 * target.request_timeout)
    forking = workers_context().get_start_method() == "fork"
    if forking:
        _warm_up(jobs[0])  # what the workers inherit
        # Python's recipe before forking: a worker's garbage collections then leave the inherited
        # objects' pages alone instead of copying them (about 15% of the workers' CPU here).
        gc.collect()
        gc.freeze()
    counted = [0] * len(jobs)  # each job's steps so far: a job that dies is counted whole

    def arrived(index: int, message: Any) -> None:
        # Steps count as they arrive: the results wait for the jobs before theirs, progress not.
        failed = isinstance(message, WorkerFailure)
        steps = max(0, _steps_of(jobs[index]) - counted[index]) if failed else message.steps
        counted[index] += steps
        for _ in range(steps):
            on_step()

    stream = run_in_processes(
        _run_job,
        jobs,
        workers=workers,
        idle_limit=limit,
        order=order,
        after_fork=_after_fork,
        on_arrival=arrived,
    )
    try:
        with contextlib.closing(stream):  # however this ends (Ctrl-C included), no worker outlives it
            for index, message in stream:
                if isinstance(message, WorkerFailure):
                    emit(Batch([_engine_error(jobs[index].label, message.message, seed)]))
                else:
                    emit(message._replace(steps=0))  # counted on arrival
    finally:
        if forking:
            gc.unfreeze()  # a caller that runs the suite again in this process collects them again
    if not target.in_process:
        for batch in _engine(stateful):
            emit(batch)
    return stats


def worker_jobs(stateful: Job) -> list[Job]:
    """What worker processes run, in the order their results are reported: the stateless phases
    of each operation, then (in-process only) the stateful chains. A worker builds its own target
    from the recipe (never the apps: they neither pickle nor should share state); a target
    without one is used as is (in a forked worker, a copy)."""
    target = stateful.target
    portable = replace(target, app=None, fuzz_app=None) if target.recipe is not None else target
    jobs = [
        replace(stateful, target=portable, phases=STATELESS_PHASES, operations=(label,))
        for label in operation_labels(stateful.spec)
    ]
    return [*jobs, replace(stateful, target=portable)] if target.in_process else jobs


def _weight(job: Job) -> int:
    """A guess at a job's length, only to start the long ones first."""
    if job.operations is None:
        return 1_000
    method, path = job.operations[0].split(" ", 1)
    operation = job.spec["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    return 10 * len(content) + ("multipart/form-data" in content) * 5 + len(operation.get("parameters", []))


def _run_job(job: Job, channel: Channel) -> None:
    """In a worker process: run one job against a fresh build of the target, streaming batches."""
    job = replace(job, target=job.target.rebuilt())
    for batch in _engine(job, beat=channel.beat):
        channel.send(batch)


def _engine(job: Job, beat: Callable[[], None] | None = None) -> Iterator[Batch]:
    sources = SourceVerdicts()
    schema = _schema(job, beat, sources)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            step = int(event.phase in STATELESS_PHASES)
            yield Batch(_results(event, job, sources), len(event.recorder.cases), 1, step)
        elif isinstance(event, events.PhaseFinished) and event.phase.name in STATEFUL_PHASES:
            yield Batch([], steps=int(event.phase.name in job.phases))
        elif isinstance(event, events.NonFatalError):
            yield Batch([_non_fatal(event, job.seed)])
        elif isinstance(event, events.FatalError):
            yield Batch([_engine_error("(engine)", str(event.exception), job.seed)])
        elif isinstance(event, events.Interrupted):
            # The engine takes Ctrl-C as its own and stops; the run must stop with it.
            raise KeyboardInterrupt


def _picklable(value: Any) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


def _warm_up(job: Job) -> None:
    """Pay once, before forking, what every worker would pay again: hypothesis' table of the
    characters a codec can encode (seconds in a fresh folder), and the first-use costs of an
    engine run (lazy imports, caches), by a throwaway run of one example of one GET operation
    against a fresh build of the target (no database: nothing is stored, nothing counted)."""
    for codec in ("utf-8", "ascii"):
        st.characters(codec=codec).validate()
    reads = [label for label in operation_labels(job.spec) if label.startswith("GET ")]
    probe = replace(
        job,
        target=job.target.rebuilt(),
        max_examples=1,
        database=None,
        phases=STATELESS_PHASES + STATEFUL_PHASES,
        operations=tuple(reads[-1:]) or None,
    )
    with contextlib.suppress(Exception):
        for _ in _engine(probe):
            pass


# What a forked worker inherited from schemathesis' in-process transport, kept alive: collecting
# it would close the inherited event-loop portal, which waits for a thread that is not there.
_INHERITED: list[Any] = []


def _after_fork() -> None:
    """A forked worker inherits schemathesis' in-process ASGI event-loop thread as a dead handle
    (only the forking thread survives a fork): set it aside, so the worker starts its own."""
    from schemathesis.python import asgi

    if all(hasattr(asgi, name) for name in ("_LOCK", "_STACK", "_PORTAL", "_LIFESPANS", "_STARTUP_LOCKS")):
        _INHERITED.append((asgi._STACK, asgi._PORTAL, dict(asgi._LIFESPANS)))
        asgi._LOCK = threading.Lock()
        asgi._STACK = contextlib.ExitStack()
        asgi._PORTAL = None
        asgi._LIFESPANS.clear()
        asgi._STARTUP_LOCKS.clear()


def _schema(job: Job, beat: Callable[[], None] | None = None, sources: "SourceVerdicts | None" = None) -> Any:
    target = job.target
    config = SchemathesisConfig()
    config.update(seed=job.seed, max_failures=None)
    project = config.projects.override
    project.update(
        headers={"Authorization": f"Bearer {target.api_key}"},
        workers=job.workers,
        request_timeout=target.request_timeout,
        rate_limit="auto",  # a 429 with Retry-After is waited out and sent again (3 times, <= 60 s)
    )
    # "key" in a header name marks it secret by default: Idempotency-Key is not, and a repro that
    # hides it cannot show an idempotency failure. The credentials (Authorization) stay hidden.
    sanitization = project.output.sanitization
    sanitization.sensitive_markers = tuple(m for m in sanitization.sensitive_markers if m != "key")
    project.phases.update(phases=list(job.phases))
    project.generation.update(
        max_examples=job.max_examples,
        database=str(job.database) if job.database else "none",
    )
    view = fuzzing_view(job.spec)
    schema = schemathesis.openapi.from_dict(view, config=config)
    if job.operations is not None:
        schema = schema.include(name=list(job.operations))
    schema.config.base_url = target.base_url
    if target.fuzz_app is not None:
        schema.app = target.fuzz_app
    _upload_real_videos(schema, target.uploads, beat)
    _drop_unrepresentable_negatives(schema, job.spec)
    sources = sources if sources is not None else SourceVerdicts()
    _allow_refusing_unfinished_sources(schema, target, sources)
    _allow_replays_of_deleted_videos(schema)
    _skip_paths_of_other_operations(schema, job.spec)
    _allow_rate_limits(schema)
    _allow_unserved_models(schema, ContractFacts(compile_spec(job.spec)).defaults.get("model"))
    _allow_unresolvable_references(schema, sources)
    _allow_not_implemented_methods(schema, view)
    return schema


def _upload_real_videos(schema: Any, uploads: Uploads, beat: Callable[[], None] | None = None) -> None:
    """A file part named ``video`` must hold an MP4 a server can read (random bytes are rightly
    rejected, which would look like a server refusing valid data): clips of 1, 4 and 8 seconds, or
    the user's sample. In a worker process, every case also ``beat``s: proof of life for the parent.

    The clip goes in while the body is generated (``map_body``), not once the case is made: a case
    whose body a hook changes afterwards is validated again, and schemathesis counts a body holding
    bytes as invalid, so every upload case became a negative one and no valid upload was ever
    judged (positive data passed without one being sent)."""
    videos: list[bytes] = []
    for seconds in (1, 4, 8):
        data, _ = uploads.clip("720x1280", seconds)
        if data not in videos:
            videos.append(data)

    @schema.hook
    def map_body(context: Any, body: Any) -> Any:
        video = body.get("video") if isinstance(body, dict) else None
        generated = video.data if isinstance(video, Binary) else video
        if not isinstance(generated, bytes):
            return body
        # Chosen by the generated bytes, so the same generated case always uploads the same clip.
        return {**body, "video": Binary(videos[len(generated) % len(videos)])}

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        if beat is not None:
            beat()
        _fresh_idempotency_key(case)
        return case

    # The examples phase does not pass its cases through map_case: for an operation with no
    # example of its upload, schemathesis sends a placeholder image as the `video` part. Refusing
    # a `video` that is not a video at all is not refusing valid data.
    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not _refused_valid_data(failure, response):
            return True
        video = case.body.get("video") if isinstance(case.body, dict) else None
        data = video.data if isinstance(video, Binary) else video
        return not isinstance(data, bytes) or _is_mp4(data)


def _fresh_idempotency_key(case: Any) -> None:
    """A valid ``Idempotency-Key`` the engine generated is made unique to its case: generated
    strings repeat ("0", "00"), and a key used before makes the request a replay or a 409 that
    never reaches validation. Unique across worker processes and across runs too (a server keeps
    keys for a day; a seeded key would repeat in every worker and every run with that seed), and
    its value is not what a case is about, so it is not drawn from the seed. An invalid key
    (empty, too long) stays: that case is about it."""
    for name, value in list((case.headers or {}).items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and 0 < len(value) <= 255:
            case.headers[name] = f"conformance-{uuid.uuid4().hex}"


def _reported_by(failure: Any, check: str) -> bool:
    return check in getattr(failure, "checks", ())


def _refused_valid_data(failure: Any, response: Any) -> bool:
    return _reported_by(failure, "positive_data_acceptance") and response.status_code == 400


def _is_mp4(data: bytes) -> bool:
    """An ISO media file starts with its ``ftyp`` box: 4 bytes of size, then the type."""
    return data[4:8] == b"ftyp"


def _drop_unrepresentable_negatives(schema: Any, spec: dict[str, Any]) -> None:
    """A "negative" case the engine made can be valid as it reaches the server, and accepting it
    is then right, so that failure is dropped:

    * in multipart every text field is a string on the wire: a case that changed a string field's
      *type* (null, false, 3) arrives as the valid text "null", "false", "3";
    * the engine fuzzes a view of the contract that narrows ``model`` to the served names (see
      wire_view.py), so "not one of them" is a negative case there, but the contract leaves
      ``model`` open to any name.

    The test: read the body as a server must (multipart text fields as their schema's types call
    for, an array field's parts as a list, file parts as bytes: the mock's reading, in
    ``nested_form``) and validate it against the operation's schema in the contract itself."""
    index = compile_spec(spec)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not _reported_by(failure, "negative_data_rejection"):
            return True
        media_type = (case.media_type or "").split(";")[0]
        body = case.body
        if media_type.startswith("multipart/"):
            # What went out, read as a server reads it: schemathesis sends a list one part per item
            # or as one JSON text part, depending on the field.
            compiled = index.paths.get(case.operation.path, {}).get(case.method.upper())
            types = compiled.body.field_types.get(media_type, {}) if compiled and compiled.body else {}
            body = _form_as_read(getattr(response, "request", None), types)
        if not isinstance(body, dict):
            return True
        operation = spec["paths"].get(case.operation.path, {}).get(case.method.lower(), {})
        content = operation.get("requestBody", {}).get("content", {}).get(media_type)
        if content is None:
            return True
        validator = jsonschema.Draft202012Validator({**content["schema"], "components": spec["components"]})
        return not validator.is_valid(body)


def _form_as_read(request: Any, types: dict[str, frozenset[str]]) -> dict[str, Any] | None:
    """The multipart body of a sent request as a server reads it (see ``nested_form``), file parts
    as empty strings; None when it cannot be read, or a server must refuse it (a field sent twice)."""
    body, content_type = (
        getattr(request, "body", None),
        (getattr(request, "headers", None) or {}).get("Content-Type"),
    )
    if not isinstance(body, bytes) or not content_type:
        return None
    parts = multipart_parts(body, content_type)
    if parts is None:
        return None
    items = [
        (part.name, "" if part.file_name is not None else part.data.decode("utf-8", "replace"))
        for part in parts
    ]
    try:
        return nested_form(items, types)
    except ApiError:
        return None


@dataclass
class SourceVerdicts:
    """What the refusals of unfinished sources showed, by case id (see _results)."""

    completed: set[str] = field(default_factory=set)  # video ids answered completed in this run
    unjudged: set[str] = field(default_factory=set)  # valid input rightly refused: not judged
    unresolved: set[str] = field(default_factory=set)  # an input_reference the server could not use
    regressed: set[str] = field(default_factory=set)  # refused a video answered completed before


REGRESSED = (
    "the source video was answered completed earlier in this run and is now refused as not "
    "completed: its status went back (see the contract's VideoStatus)"
)


def _allow_refusing_unfinished_sources(schema: Any, target: Target, sources: SourceVerdicts) -> None:
    """extend, edit, remix and download need a *completed* source, a state no schema can express.
    A stateful chain often extends a video it has just created; refusing that is right. A refusal of
    valid data is forgiven only when retrieving the source shows it is not completed (or only just)
    and no answer of this run said it was, and the case goes into ``sources.unjudged``: the server
    never judged its input, so the check is counted as skipped, not passed (with jobs slower than a
    chain, every such case is). A source answered completed before is not forgiven: its status went
    back (a server whose reads lag behind its writes)."""

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        if b'"completed"' not in (response.content or b""):
            return  # most answers: no need to parse them
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and body.get("status") == "completed" and isinstance(body.get("id"), str):
            sources.completed.add(body["id"])

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not _refused_valid_data(failure, response):
            return True
        source = (case.path_parameters or {}).get("video_id")
        if source is None and isinstance(case.body, dict) and isinstance(case.body.get("video"), dict):
            source = case.body["video"].get("id")
        if not isinstance(source, str):
            return True
        try:
            with target.client(app=target.fuzz_app) as client:
                video = client.get(f"/videos/{quote(source, safe='')}").json()
        except Exception:  # no answer, or not JSON: nothing shows the refusal was right, so it stands
            return True
        if not isinstance(video, dict) or video.get("id") != source:
            return True  # not the video (a 429, an error envelope): nothing shows the refusal was right
        # It may have completed between the refusal and this look: allow a few seconds for that.
        completed_at = video.get("completed_at")
        just_completed = isinstance(completed_at, int) and completed_at >= time.time() - RACE_WINDOW
        if video.get("status") == "completed" and not just_completed:
            return True
        if source in sources.completed:
            sources.regressed.add(case.id)
            return True
        sources.unjudged.add(case.id)
        return False


# Checks that judge whether a server accepted or refused a request (their own probe, or the case
# itself): a 429 is neither, the server asked to be asked again later.
JUDGE_ACCEPTANCE = (
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
    "positive_data_acceptance",
)


# Checks that judge what the server makes of the request itself. A 429 (the contract allows it on
# every operation, before the server looks at the request) shows them nothing: such a case is
# counted as skipped, so a run whose every judgement was rate limited does not read as a pass.
NEEDS_JUDGEMENT = frozenset({*JUDGE_ACCEPTANCE, "negative_data_rejection"})
RATE_LIMITED = "answered 429 (rate limited): the request was not judged"
UNFINISHED_SOURCE = "refused because its source video was not completed yet: valid input not judged"
UNRESOLVED_REFERENCE = (
    "refused an input_reference the server could not resolve (a file id or image URL no suite can "
    "make real): valid input not judged"
)


def _allow_rate_limits(schema: Any) -> None:
    """The contract lets every operation answer 429 (rate limited). A server may limit its rate
    before it looks at the key or the request, so "got 429" to a request without a key, with a
    missing header or with valid data says nothing about auth, headers or validation: such a
    failure is dropped (and the check counted as skipped: see ``_results``). Only for 429, only
    for those checks; an accepted (2xx) probe still fails."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not any(_reported_by(failure, check) for check in JUDGE_ACCEPTANCE):
            return True
        answered = {getattr(response, "status_code", None), getattr(failure, "status_code", None)}
        # ignored_auth sends its own probe and names its answer only in its message.
        return 429 not in answered and "got `429 " not in str(getattr(failure, "message", ""))


def _refusal_answer(failure: Any, response: Any) -> Any:
    """The JSON answer of a refusal of valid data, for a rule to judge; None when the failure is
    another one, or the answer is not JSON (or there is none): no rule forgives those."""
    if not _refused_valid_data(failure, response):
        return None
    try:
        return response.json()
    except (ValueError, AttributeError):
        return None


def _allow_unresolvable_references(schema: Any, sources: SourceVerdicts) -> None:
    """An ``input_reference`` by file id or image URL names something the server must resolve,
    which the generated value never is (nor the contract's example.com URL): a 400 naming it is
    the server's right (see ``refuses_unresolvable_reference``). The case is counted as skipped:
    the rest of its input was never judged."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        answer = _refusal_answer(failure, response)
        if answer is None or not refuses_unresolvable_reference(case.body, response.status_code, answer):
            return True
        sources.unresolved.add(case.id)
        return False


def _allow_unserved_models(schema: Any, default: str | None) -> None:
    """Refusing valid data that asks for a known model other than the default, with a 400 naming
    `model`, is a server's choice (see ``refuses_unserved_model``; the properties demand the default)."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        answer = _refusal_answer(failure, response)
        if answer is None:
            return True
        model = case.body.get("model") if isinstance(case.body, dict) else None
        return not refuses_unserved_model(model, default, response.status_code, answer)


def _allow_not_implemented_methods(schema: Any, view: dict[str, Any]) -> None:
    """The engine also sends methods the contract does not list for a path (TRACE, QUERY, PUT...)
    and expects 405. The contract says nothing about those, and RFC 9110 (15.6.2) makes 501 the
    answer for a method the server does not implement at all (Python's http.server gives it), so
    a 501 to an undocumented method is forgiven, as a wrong answer and as a server error alike."""

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if getattr(response, "status_code", None) != 501:
            return True
        documented = view["paths"].get(case.operation.path, {})
        return case.method.lower() in documented


def _skip_paths_of_other_operations(schema: Any, spec: dict[str, Any]) -> None:
    """``GET /videos/{video_id}`` with the id ``characters`` is the request ``GET /videos/characters``,
    and OpenAPI matches a concrete path before a templated one: that request belongs to the
    contract's ``/videos/characters``, which may have no GET (a 405 is then right); so does
    ``/videos/characters/remix`` to ``/videos/characters/{character_id}``. Such a case says nothing
    about the operation it was made for: it is not sent, and if a phase sends it anyway, what the
    checks say of it is dropped."""
    templates = [path.strip("/").split("/") for path in spec.get("paths", {})]

    def elsewhere(case: Any) -> bool:
        owner = _path_owner(case.formatted_path.strip("/").split("/"), templates)
        return owner is not None and "/" + "/".join(owner) != case.operation.path

    @schema.hook
    def filter_case(context: Any, case: Any) -> bool:
        return not elsewhere(case)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return not elsewhere(case)


def _path_owner(segments: list[str], templates: list[list[str]]) -> list[str] | None:
    """The path template a request path belongs to: of those it matches, the one whose first
    literal segment comes earliest where they differ (concrete before templated, segment by segment)."""

    def templated(segment: str) -> bool:
        return segment.startswith("{") and segment.endswith("}")

    matching = [
        template
        for template in templates
        if len(template) == len(segments)
        and all(templated(t) or t == s for t, s in zip(template, segments, strict=True))
    ]
    return max(matching, key=lambda t: [not templated(segment) for segment in t], default=None)


def _allow_replays_of_deleted_videos(schema: Any) -> None:
    """The contract's Idempotency-Key: a creating request sent again with the same key is answered
    with the first answer (same id), marked ``idempotent-replayed: true``, even once that video is
    deleted. A stateful chain that reuses a generated key after a delete then "creates" a video
    that is gone, which ``ensure_resource_availability`` reports as lost. That failure is forgiven
    only for the ids such a marked replay returned."""
    replayed: set[str] = set()

    @schema.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        if response.headers.get(REPLAYED_HEADER) != ["true"]:
            return
        try:
            video_id = response.json().get("id")
        except (ValueError, AttributeError):
            return
        if isinstance(video_id, str):
            replayed.add(video_id)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if not _reported_by(failure, "ensure_resource_availability"):
            return True
        return (case.path_parameters or {}).get("video_id") not in replayed


def _results(event: events.ScenarioFinished, job: Job, sources: SourceVerdicts) -> list[CheckResult]:
    recorder = event.recorder
    results = []
    for case_id, checks in recorder.checks.items():
        node = recorder.cases.get(case_id)
        operation = node.value.operation.label if node is not None else (event.label or "(stateful)")
        interaction = recorder.interactions.get(case_id)
        limited = getattr(getattr(interaction, "response", None), "status_code", None) == 429
        for check in checks:
            outcome = OUTCOMES.get(check.status, Outcome.FAILED)
            failure, detail = None, ""
            if outcome is Outcome.FAILED:
                failure = _failure(recorder, case_id, check, job)
                if case_id in sources.regressed and check.name == "positive_data_acceptance":
                    failure = replace(failure, rule=f"{REGRESSED}\n{failure.rule}")
                detail = _one_line(failure.rule, failure.response.split("\n", 1)[0])
            elif outcome is Outcome.PASSED and limited and check.name in NEEDS_JUDGEMENT:
                outcome, detail = Outcome.SKIPPED, RATE_LIMITED
            elif outcome is Outcome.PASSED and check.name == "positive_data_acceptance":
                if case_id in sources.unjudged:
                    outcome, detail = Outcome.SKIPPED, UNFINISHED_SOURCE
                elif case_id in sources.unresolved:
                    outcome, detail = Outcome.SKIPPED, UNRESOLVED_REFERENCE
            results.append(
                CheckResult(
                    operation=operation,
                    family=FAMILIES.get(check.name, "other checks"),
                    check=check.name,
                    outcome=outcome,
                    failure=failure,
                    detail=detail,
                )
            )
    return results


INVALID_COMPONENT = "Invalid component:"


def _one_line(rule: str, status: str = "") -> str:
    """A failure's title and the first line of its message (or the answer's status): "Server
    error" alone, or "Response violates schema" without saying where, gives a person nothing to
    act on."""
    title, *rest = rule.splitlines()
    lines = [line.strip() for line in rest if line.strip()]
    # What was invalid about a request accepted anyway says more than "Invalid data should have
    # been rejected": "in body - size: Invalid enum value".
    component = next((line for line in lines if line.startswith(INVALID_COMPONENT)), "")
    first = component.removeprefix(INVALID_COMPONENT).strip() or next(iter(lines), "")
    if first and first != title:
        line = f"{title}: {first}"
    else:
        line = f"{title} (HTTP {status})" if status.isdigit() else title
    return line if len(line) <= 200 else line[:197] + "..."


def _failure(recorder: Any, case_id: str, check: Any, job: Job) -> Failure:
    info = check.failure_info
    interaction = recorder.interactions.get(case_id)
    request = response = ""
    if interaction is not None:
        sent = interaction.request
        body = (sent.body or b"")[:2000].decode("utf-8", "replace")
        headers = "\n".join(
            f"{k}: {FILTERED if k.lower() in CREDENTIAL_HEADERS else ', '.join(v)}"
            for k, v in sent.headers.items()
        )
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
    # The key from the environment, as in the properties' curl lines (double quotes: the shell fills it).
    reproduce = reproduce.replace(f"'Authorization: {FILTERED}'", '"Authorization: Bearer $OPENAI_API_KEY"')
    # The cases follow from the seed, the budget and the split: one engine for every operation
    # (--workers 1) or one per operation (any --workers above 1, alike).
    workers = 2 if job.operations is not None or job.phases == STATEFUL_PHASES else 1
    rerun = job.target.rerun("fuzzing", job.seed, max_examples=job.max_examples, workers=workers)
    if "idempotency-key:" in reproduce.lower():
        # A server keeps a key's first answer (a day, says the contract): sent again unchanged
        # after a fix, this curl would be answered with the old answer, marked idempotent-replayed.
        reproduce = f"# to send it as a new request after a fix, change its Idempotency-Key\n{reproduce}"
    return Failure(rule=rule, request=request, response=response, reproduce=f"# rerun: {rerun}\n{reproduce}")


def _non_fatal(event: events.NonFatalError, seed: int) -> CheckResult:
    """An error that stopped an operation's cases: the server's doing when its connection broke
    (reset, closed, a broken answer) or an answer never came, the engine's otherwise."""
    if isinstance(event.value, requests.Timeout):
        check, why = "answers_in_time", "no answer within --request-timeout"
    elif isinstance(event.value, requests.ConnectionError | ChunkedEncodingError):
        check, why = "answers_over_http", "the server dropped the connection or sent a broken answer"
    else:
        return _engine_error(event.label, event.info.message, seed)
    return _engine_error(event.label, f"{why}: {event.info.message}", seed, "connection", check)


def _engine_error(
    label: str | None, message: str, seed: int, family: str = "engine", check: str = "engine_error"
) -> CheckResult:
    return CheckResult(
        operation=label or "(engine)",
        family=family,
        check=check,
        outcome=Outcome.FAILED,
        failure=Failure(rule=message, request="", response="", reproduce=f"# seed {seed}"),
        detail=message.splitlines()[0] if message else "engine error",
    )
