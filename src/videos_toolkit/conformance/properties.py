"""Properties of the Videos API that schema fuzzing alone cannot see, checked with hypothesis.

- enums: every allowed `seconds` (create and extend, each its own set), `size` and `model` is
  accepted; any other string (near misses, unicode, very long) is rejected with a 4xx envelope
  naming the param (an unknown `model` may instead be echoed back by a live server);
- responses: every Video seen has a closed `status` and `size`, a positive integer `seconds`, a
  string `model`, timestamps in seconds;
- lifecycle: across polls status never goes backwards, progress is monotone in 0..100,
  `completed_at` is set iff completed and `error` iff failed; a deleted video is still 404 (to
  every use, a second delete included) and unlisted seconds later, and its id still a cursor;
  downloading an unfinished video is 400 `video_not_completed`;
- extension: the new job's `seconds` is source + requested; an edit keeps the duration, a remix
  the duration, model and size; extending, editing or remixing a video that is not completed is
  refused naming the param;
- idempotency: a replay is the first answer, marked; another body with the same key is 409 with
  `x-should-retry: false`;
- isolation: no key, a wrong key, or another key's video, character or Idempotency-Key gives
  401 / 404, never this key's;
- pagination: the `after` cursor moves through the list (no page repeats an id, three new videos
  are all found), no page is longer than its `limit`, `has_more` is exact, and `first_id` /
  `last_id` name a page's first and last items.

The allowed sets come from the effective spec, and every body carries any other field the
contract requires. Failing examples are kept in the hypothesis database, so they are tried first
on the next run. The requests and expectations themselves are in exchanges.py.
"""

import itertools
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from videos_toolkit.conformance.exchanges import (
    PropertyViolation,
    envelope_problem,
    expect_error_code,
    expect_not_found,
    expect_rejection,
    expect_video,
    list_page,
    listing,
    post,
    refuses_unserved_model,
    safe_json,
    shown_exchange,
    shown_with,
)
from videos_toolkit.conformance.request_bodies import RequiredFields
from videos_toolkit.conformance.results import CheckResult, Failure, Outcome
from videos_toolkit.conformance.target import Target
from videos_toolkit.mock.handlers import ContractFacts
from videos_toolkit.mock.operations import SpecIndex, compile_spec, operation_labels, operation_shape

STATUS_ORDER = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}
TERMINAL = frozenset({"completed", "failed"})
# A terminal job is read again this many times, this far apart (seconds of the server's time).
TERMINAL_READS = 8
TERMINAL_READ_GAP_S = 0.25
PROMPT = "A lighthouse on a cliff at dusk, waves below"
JOB_ATTEMPTS = 3  # jobs created in a row before "no job completes" is a failure
# What a properties run records, whatever the server answers: one result per check (the progress
# shown during a run counts on it, and a test holds it to it).
CHECKS = 22
NOT_IN_CONTRACT = "not in the contract"
CONTENT, REMIX, EXTEND = (
    "GET /videos/{video_id}/content",
    "POST /videos/{video_id}/remix",
    "POST /videos/extensions",
)
NO_COMPLETED_VIDEO = "needs a completed video, and no job completed (job_completes)"
LATEST_SECONDS = 10**11  # a Unix time in seconds stays below this until the year 5138; ms do not
Record = Callable[[CheckResult], None]
T = TypeVar("T")


@dataclass(frozen=True)
class Enums:
    """The value sets the properties work with, read from the effective spec."""

    create_seconds: tuple[str, ...]
    extension_seconds: tuple[str, ...]
    sizes: tuple[str, ...]
    statuses: tuple[str, ...]
    models: tuple[str, ...]
    variants: tuple[str, ...] = ()  # of a download; none when the contract has no such schema
    default_variant: str = "video"  # what a download without a variant serves

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "Enums":
        schemas = spec["components"]["schemas"]

        def values(name: str) -> tuple[str, ...]:
            return tuple(schemas[name]["enum"])

        return cls(
            values("VideoSeconds"),
            values("VideoExtensionSeconds"),
            values("VideoSize"),
            values("VideoStatus"),
            values("KnownVideoModel"),
            values("VideoContentVariant") if "VideoContentVariant" in schemas else (),
            schemas.get("VideoContentVariant", {}).get("default", "video"),
        )


def first_not_failed(job: Callable[[], T], status: Callable[[T], Any]) -> T:
    """Run a job to its end until one does not fail, at most JOB_ATTEMPTS times: a job may fail
    (moderation, say), which the contract allows, so only that many failures in a row tell."""
    for _ in range(JOB_ATTEMPTS - 1):
        ended = job()
        if str(status(ended)) != "failed":
            return ended
    return job()


def _list_limit(index: SpecIndex) -> int | None:
    """The largest `limit` the list operation takes, when the contract sets one (read from the
    parameters as the mock compiled them)."""
    listing = index.operations.get("listVideos")
    for param in listing.params if listing is not None else ():
        if param.name == "limit" and param.location == "query":
            maximum = index.schema(param.schema_pointer).get("maximum")
            return maximum if isinstance(maximum, int) else None
    return None


def same_value(name: str, asked: str, answered: Any) -> bool:
    """Whether a Video answered ``asked`` for the field: as sent, or, for ``model``, the dated
    snapshot an alias resolves to ("sora-2" answered as "sora-2-2025-12-08"; the contract does not
    say a Video echoes the name asked for)."""
    if answered == asked:
        return True
    return name == "model" and isinstance(answered, str) and answered.startswith(f"{asked}-")


def neighbours(allowed: tuple[str, ...]) -> list[str]:
    """The integers next to allowed integer values that are not allowed themselves, in order."""
    numbers = {int(v) for v in allowed if v.isdigit()}
    return [str(n) for n in sorted({m for v in numbers for m in (v - 1, v + 1)} - numbers) if n >= 0]


def near_misses(allowed: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Strings that are almost, but not, an allowed value; plus arbitrary and huge ones."""
    values = st.sampled_from(allowed)
    return st.one_of(
        values.map(lambda v: f" {v}"),
        values.map(lambda v: f"{v} "),
        values.map(lambda v: f"{v}.0"),
        values.map(str.upper),
        values.map(lambda v: v[:-1]),
        values.map(lambda v: f"{v}{v}"),
        st.sampled_from(["", "0", "-4", "5", "16", "4.0", "720X1280", "\u0664", "\u2163", "null", "sora"]),
        st.text(max_size=30),
        st.text(alphabet="0123456789x", min_size=1, max_size=12),
        st.text(min_size=3000, max_size=6000),
    ).filter(lambda v: v not in allowed)


def _violation_in(exc: Exception) -> PropertyViolation:
    """What to report for an exception a property raised. Hypothesis groups the failures of an
    example that was answered otherwise when sent again (FlakyFailure: a server answering at random,
    with injected faults say): the first violation inside is shown, with its answer, rather than
    the group's own words, which show none."""
    for inner in getattr(exc, "exceptions", ()):
        found = inner if isinstance(inner, PropertyViolation) else _violation_in(inner)
        if found.response is not None:
            first, _, rest = found.rule.partition("\n")
            note = " (the same request, sent again by hypothesis, was answered otherwise)"
            return PropertyViolation(f"{first}{note}\n{rest}".rstrip("\n"), found.request, found.response)
    return PropertyViolation(f"{type(exc).__name__}: {exc}", "", getattr(exc, "response", None))


class Properties:
    def __init__(
        self, target: Target, spec: dict[str, Any], *, max_examples: int, seed: int, database: Path | None
    ) -> None:
        self.target = target
        self.enums = Enums.from_spec(spec)
        # What create gives a field left out: the contract's `default`, or its prose (where the
        # mock reads it too, in one place).
        index = compile_spec(spec)
        self.defaults = ContractFacts(index).defaults
        self.list_limit = _list_limit(index)
        self.required = RequiredFields.from_spec(spec)
        self.operations = {operation_shape(label) for label in operation_labels(spec)}
        self.has_characters = self.serves("POST /videos/characters") and self.serves(
            "GET /videos/characters/{character_id}"
        )
        self.max_examples = max_examples
        self.seed = seed
        self.database = DirectoryBasedExampleDatabase(str(database)) if database else None
        self._transport_failure: httpx.TransportError | None = None

    # -- running -------------------------------------------------------------------------------

    def run(self, record: Record) -> None:
        with self.target.client() as client:
            deleted = self._deleted_early(client)  # looked at again after every other property
            self._check(
                record,
                "POST /videos",
                "enums",
                "allowed_values_accepted",
                lambda: self._create_accepts(client),
            )
            for field, allowed in (
                ("seconds", self.enums.create_seconds),
                ("size", self.enums.sizes),
                ("model", self.enums.models),
            ):
                self._check(
                    record,
                    "POST /videos",
                    "enums",
                    f"other_{field}_rejected",
                    lambda f=field, a=allowed: self._create_rejects(client, f, a),
                )
            self._check(
                record, "POST /videos", "enums", "defaults_applied", lambda: self._defaults_applied(client)
            )
            self._check(
                record,
                "GET /videos/{video_id}",
                "lifecycle",
                "lifecycle_invariants",
                lambda: self._lifecycle(client),
            )
            self._check(
                record, "GET /videos", "pagination", "cursor_pagination", lambda: self._pagination(client)
            )
            source = self._completed_video(client, record)
            self._check_with(
                source,
                record,
                "POST /videos/extensions",
                "extension",
                "stitched_seconds",
                lambda video: self._extension_seconds(client, video),
            )
            self._check_with(
                source,
                record,
                "POST /videos/extensions",
                "enums",
                "other_extension_seconds_rejected",
                lambda video: self._extension_rejects(client, video),
            )
            for operation, family, check in (
                ("POST /videos/extensions", "extension", "source_must_be_completed"),
                ("POST /videos/{video_id}/remix", "extension", "remix_source_must_be_completed"),
                ("GET /videos/{video_id}/content", "lifecycle", "content_needs_completed"),
                ("POST /videos/edits", "extension", "edit_source_must_be_completed"),
            ):
                self._check(record, operation, family, check, lambda o=operation: self._unfinished(client, o))
            self._check(
                record,
                "POST /videos",
                "errors",
                "unsupported_media_type",
                lambda: self._unsupported_media_type(client),
            )
            self._check(
                record,
                "GET /videos",
                "errors",
                "bad_parameters_named",
                lambda: self._bad_parameters(client, source),
            )
            self._check_with(
                source,
                record,
                "POST /videos/edits",
                "extension",
                "edit_keeps_duration",
                lambda video: self._edit_keeps_duration(client, video),
            )
            self._check_with(
                source,
                record,
                "POST /videos/{video_id}/remix",
                "extension",
                "remix_keeps_source",
                lambda video: self._remix_keeps_source(client, video),
            )
            self._check(
                record, "POST /videos", "idempotency", "idempotent_replay", lambda: self._idempotency(client)
            )
            self._check(record, "(auth)", "isolation", "auth_required", lambda: self._auth_required())
            if self.target.other_api_key:
                self._check(
                    record, "(all)", "isolation", "key_isolation", lambda: self._isolation(client, source)
                )
            else:
                record(self._skip("(all)", "isolation", "key_isolation", "no second API key given"))
            self._check(
                record,
                "DELETE /videos/{video_id}",
                "lifecycle",
                "deleted_stays_deleted",
                lambda: self._still_deleted(client, deleted),
            )

    def _check(
        self, record: Record, operation: str, family: str, check: str, body: Callable[[], str | None]
    ) -> None:
        self._transport_failure = None
        if operation[:1] != "(" and not self.serves(operation):
            record(self._skip(operation, family, check, NOT_IN_CONTRACT))
            return
        try:
            skipped = body()
        except PropertyViolation as violation:
            record(self._failed(operation, family, check, violation))
        except Exception as exc:  # a server we did not write can answer anything: report, never crash
            record(self._failed(operation, family, check, _violation_in(exc)))
        else:
            if skipped:
                record(self._skip(operation, family, check, skipped))
            else:
                record(CheckResult(operation, family, check, Outcome.PASSED))

    def _check_with(
        self,
        source: dict[str, Any] | None,
        record: Record,
        operation: str,
        family: str,
        check: str,
        body: Callable[[dict[str, Any]], str | None],
    ) -> None:
        """A check that needs the completed video job_completes made: skipped, saying so, without it."""
        if source is None:
            record(self._skip(operation, family, check, NO_COMPLETED_VIDEO))
        else:
            self._check(record, operation, family, check, lambda: body(source))

    def _guarded(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """A transport failure (timeout, reset) ends a property at once: hypothesis would otherwise
        shrink the example, re-sending to a server that does not answer, many times over."""
        if self._transport_failure is not None:
            raise self._transport_failure
        try:
            return send()
        except httpx.TransportError as exc:
            self._transport_failure = exc
            raise

    def _failed(self, operation: str, family: str, check: str, violation: PropertyViolation) -> CheckResult:
        response = violation.response
        sent, got, command = violation.request, "", ""
        if response is not None:
            shown, got, command = shown_exchange(response, self.target)
            sent = sent or shown
        rerun = self.target.rerun("properties", self.seed, max_examples=self.max_examples)
        reproduce = f"# rerun: {rerun}\n{command}"
        failure = Failure(rule=violation.rule, request=sent, response=got, reproduce=reproduce)
        return CheckResult(operation, family, check, Outcome.FAILED, failure, failure.rule.splitlines()[0])

    @staticmethod
    def _skip(operation: str, family: str, check: str, why: str) -> CheckResult:
        return CheckResult(operation, family, check, Outcome.SKIPPED, detail=why)

    @contextmanager
    def _hypothesis(self) -> Iterator[settings]:
        yield settings(
            max_examples=self.max_examples,
            database=self.database,
            deadline=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        )

    def post(
        self,
        client: httpx.Client,
        path: str,
        body: dict[str, Any],
        form: str,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST ``body``, with any field the contract requires that the checks do not set (a contract
        change may add one) filled in from the contract."""
        return post(client, path, {**self.required.extra(path, form), **body}, form, headers)

    def uses_of(self, client: httpx.Client, vid: str) -> list[tuple[str, httpx.Response]]:
        """The requests that use an existing video, each with its answer: its content, a remix of it,
        an extension of it by id."""
        extend = {"prompt": PROMPT, "seconds": self.enums.extension_seconds[0], "video": {"id": vid}}
        uses: list[tuple[str, str, Callable[[], httpx.Response]]] = [
            ("content", CONTENT, lambda: client.get(f"/videos/{vid}/content")),
            ("remix", REMIX, lambda: self.post(client, f"/videos/{vid}/remix", {"prompt": PROMPT}, "json")),
            ("extend", EXTEND, lambda: self.post(client, "/videos/extensions", extend, "json")),
        ]
        return [(name, send()) for name, operation, send in uses if self.serves(operation)]

    def serves(self, operation: str) -> bool:
        """Whether the contract has ``operation`` (``POST /videos/{video_id}/remix``), whatever it
        names its path parameters: a contract may leave out (or move) what this one has."""
        return operation_shape(operation) in self.operations

    # -- the properties ------------------------------------------------------------------------

    def _create_accepts(self, client: httpx.Client) -> None:
        cases = [{"seconds": s} for s in self.enums.create_seconds]
        cases += [{"size": s} for s in self.enums.sizes] + [{"model": m} for m in self.enums.models]
        for fields in cases:
            for form in ("json", "multipart"):
                response = self.post(client, "/videos", {"prompt": PROMPT, **fields}, form)
                if refuses_unserved_model(
                    fields.get("model"), self.defaults.get("model"), response.status_code, safe_json(response)
                ):
                    continue
                video = expect_video(response, f"create with {fields} ({form})")
                for name, value in fields.items():
                    if not same_value(name, value, video.get(name)):
                        raise PropertyViolation(
                            f"create with {name}={value!r} answered {name}={video.get(name)!r}", "", response
                        )
                self.check_video(video, response)

    def _create_rejects(self, client: httpx.Client, field: str, allowed: tuple[str, ...]) -> None:
        # The likeliest mistakes, always tried: "5" for seconds, and 4 (a JSON number) for "4".
        for value in [*neighbours(allowed), *(int(v) for v in allowed if v.isdigit())]:
            response = self.post(client, "/videos", {"prompt": PROMPT, field: value}, "json")
            expect_rejection(response, field, f"create with {field}={value!r} (json)")
        with self._hypothesis() as config:

            @seed(self.seed)
            @config
            @given(value=near_misses(allowed), form=st.sampled_from(["json", "multipart"]))
            def rejected(value: str, form: str) -> None:
                response = self._guarded(
                    lambda: self.post(client, "/videos", {"prompt": PROMPT, field: value}, form)
                )
                if field == "model" and response.is_success:
                    # An open enum: a live server may run a model we do not know, if it says so.
                    video = expect_video(response, f"create with model={value!r}")
                    answered = str(video.get("model"))
                    # As sent, or as the server spells the name it understood ("Sora-2 " as sora-2).
                    if answered != value and not same_value("model", value.strip().lower(), answered.lower()):
                        raise PropertyViolation(
                            f"model {value!r} accepted but answered as {video.get('model')!r}", "", response
                        )
                    return
                expect_rejection(response, field, f"create with {field}={value!r} ({form})")

            rejected()

    def _extension_rejects(self, client: httpx.Client, source: dict[str, Any]) -> None:
        for value in neighbours(self.enums.extension_seconds):
            body = {"prompt": PROMPT, "seconds": value, "video": {"id": source["id"]}}
            expect_rejection(
                self.post(client, "/videos/extensions", body, "json"),
                "seconds",
                f"extend with seconds={value!r}",
            )
        with self._hypothesis() as config:

            @seed(self.seed)
            @config
            @given(
                value=near_misses(self.enums.extension_seconds), form=st.sampled_from(["json", "multipart"])
            )
            def rejected(value: str, form: str) -> None:
                body = {"prompt": PROMPT, "seconds": value, "video": {"id": source["id"]}}
                response = self._guarded(lambda: self.post(client, "/videos/extensions", body, form))
                expect_rejection(response, "seconds", f"extend with seconds={value!r} ({form})")

            rejected()

    @staticmethod
    def _unsupported_media_type(client: httpx.Client) -> None:
        """A body of a media type the operation does not accept is 415, with the envelope."""
        response = client.post("/videos", content=b"prompt=a cat", headers={"Content-Type": "text/plain"})
        problem = envelope_problem(response)
        if response.status_code != 415 or problem:
            got = f"{response.status_code}" + (f": {problem}" if response.status_code == 415 else "")
            raise PropertyViolation(
                f"create with Content-Type text/plain: expected 415 with the error envelope, got {got}",
                "",
                response,
            )

    def _bad_parameters(self, client: httpx.Client, source: dict[str, Any] | None) -> None:
        """A query value outside its enum or range is 400 naming the parameter (not a 404, which
        says the video does not exist)."""
        probes: list[tuple[str, str, Any]] = [("order", "/videos", "sideways")]
        if self.list_limit is not None:
            probes.append(("limit", "/videos", self.list_limit + 1))
        if source is not None and self.enums.variants and self.serves(CONTENT):
            probes.append(("variant", f"/videos/{source['id']}/content", "poster"))
        for param, path, value in probes:
            answer = client.get(path, params={param: value})
            what = f"GET {path} with {param}={value!r}"
            expect_rejection(answer, param, what)
            if answer.status_code != 400:
                raise PropertyViolation(
                    f"{what}: a bad parameter is 400, got {answer.status_code}", "", answer
                )

    def _defaults_applied(self, client: httpx.Client) -> None:
        """A create that leaves out `model`, `seconds` and `size` gets the contract's defaults (but
        for those the contract requires: a create must send them)."""
        for form in ("json", "multipart"):
            response = self.post(client, "/videos", {"prompt": PROMPT}, form)
            video = expect_video(response, f"create with only a prompt ({form})")
            required = self.required.extra("/videos", form)
            for name, default in self.defaults.items():
                if name not in required and not same_value(name, default, video.get(name)):
                    raise PropertyViolation(
                        f"create without {name} ({form}): the contract's default is {default!r}, the "
                        f"video says {video.get(name)!r}",
                        "",
                        response,
                    )

    def _lifecycle(self, client: httpx.Client) -> None:
        answers = [self.post(client, "/videos", {"prompt": PROMPT}, "json")]
        created = expect_video(answers[0], "create")
        self.target.wait(client, created["id"], answers.append)
        # A terminal state must stay terminal, read again over a few seconds: a server whose reads
        # lag behind its writes (a replica) can answer in_progress for a while after completed.
        for _ in range(TERMINAL_READS):
            self.target.pause(TERMINAL_READ_GAP_S)
            answers.append(client.get(f"/videos/{created['id']}"))
        seen = [(expect_video(answer, "create or retrieve"), answer) for answer in answers]
        for video, answer in seen:  # first: a status or progress the contract does not allow is named as such
            self.check_video(video, answer)
        for (before, _), (after, answer) in itertools.pairwise(seen):
            terminal_changed = before["status"] in TERMINAL and after["status"] != before["status"]
            if terminal_changed or STATUS_ORDER.get(after["status"], -1) < STATUS_ORDER.get(
                before["status"], -1
            ):
                why = ", read again after it was terminal, which it must stay" if terminal_changed else ""
                raise PropertyViolation(
                    f"status went backwards: {before['status']} -> {after['status']} ({created['id']}{why}; "
                    "see the contract's VideoStatus)",
                    "",
                    answer,
                )
            # Progress measures work done; a job that fails may report less (the contract's own
            # failed example is at 12), so only an unfailed job's progress must never go down.
            if after["progress"] < before["progress"] and after.get("status") != "failed":
                raise PropertyViolation(
                    f"progress went down: {before['progress']} -> {after['progress']} ({created['id']}; "
                    "the contract's Video.progress never goes down unless the job fails)",
                    "",
                    answer,
                )
            if after.get("created_at") != before.get("created_at"):
                raise PropertyViolation(
                    f"created_at changed between polls: {before.get('created_at')} -> "
                    f"{after.get('created_at')} ({created['id']})",
                    "",
                    answer,
                )

    def _deleted_early(self, client: httpx.Client) -> str | Exception:
        """A video created and deleted before the other properties run: its id, or what went wrong
        (reported by ``deleted_stays_deleted``)."""
        try:
            vid = expect_video(self.post(client, "/videos", {"prompt": PROMPT}, "json"), "create")["id"]
            gone = client.delete(f"/videos/{vid}")
            if gone.status_code == 400 and isinstance(safe_json(gone).get("error"), dict):
                # The contract's delete may answer 400 ("a video that cannot be deleted answers an
                # error"): a server may keep a job until it ends. Once it has, it must delete it.
                self.target.wait(client, vid)
                gone = client.delete(f"/videos/{vid}")
            if gone.status_code != 200 or safe_json(gone).get("deleted") is not True:
                raise PropertyViolation(
                    f"delete {vid}: expected 200 with deleted: true, got {gone.status_code} with "
                    f"deleted: {safe_json(gone).get('deleted')!r}",
                    "",
                    gone,
                )
            self._expect_gone(client, vid, "right after its delete")
        except Exception as exc:  # judged with the check, at the end
            return exc
        return vid

    def _still_deleted(self, client: httpx.Client, deleted: str | Exception) -> None:
        """Deleted stays deleted: a video deleted before every other property (seconds ago) is
        still 404, and in no list; its id still works as a cursor."""
        if isinstance(deleted, Exception):
            raise deleted
        self._expect_gone(client, deleted, "seconds after its delete")
        if (shown := listing(client, deleted)) is not None:
            raise PropertyViolation(f"the deleted video {deleted} is listed again", "", shown)
        again = [("delete", client.delete(f"/videos/{deleted}")), *self.uses_of(client, deleted)]
        expect_not_found(again, f"the deleted {deleted}")
        # Its id still works as a list cursor: a walk through the pages survives deletions.
        list_page(client, {"after": deleted, "limit": 1})

    @staticmethod
    def _expect_gone(client: httpx.Client, vid: str, when: str) -> None:
        again = client.get(f"/videos/{vid}")
        if again.status_code != 404:
            raise PropertyViolation(
                f"retrieve of deleted {vid} {when}: expected 404, got {again.status_code}", "", again
            )

    def _pagination(self, client: httpx.Client) -> None:
        """Three new videos, each created in a later second than the one before, so creation time
        alone orders them in either direction (what a server does with ties is its own), then
        pages of two, newest first: the cursor must move on and reach all three, newest first.
        Other clients may create videos on the same key meanwhile: theirs may show among ours."""
        created: list[str] = []
        for index in range(3):
            if index:
                self.target.pause(1.1)
            newest = expect_video(self.post(client, "/videos", {"prompt": PROMPT}, "json"), "create")
            created.append(newest["id"])
        list_page(client, {"limit": 0})  # the contract: an empty page (a `limit or 20` gives 20)
        list_page(client, {"limit": 21})  # not cut at the default of 20 (the key has made more by now)
        self._newest_first_by_default(client, newest)
        seen: list[str] = []
        listed: list[tuple[Any, Any]] = []  # (created_at, id) through the pages so far
        after: str | None = None
        for number in range(10):  # pages of 2 until the three are reached (others' may be newer)
            page = list_page(client, {"limit": 2, **({"after": after} if after else {})})
            with shown_with(page.response):
                for item in page["data"]:  # a listed Video holds what a retrieved one does
                    self.check_video(item)
            ids = [item.get("id") for item in page["data"]]
            listed += [(item.get("created_at"), item.get("id")) for item in page["data"]]
            for (newer, first), (older, then) in itertools.pairwise(listed):
                if isinstance(newer, int) and isinstance(older, int) and older > newer:
                    raise PropertyViolation(
                        f"the list is newest first by default, but {then} (created_at {older}) comes "
                        f"after {first} (created_at {newer})",
                        "",
                        page.response,
                    )
            if set(ids) & set(seen):
                raise PropertyViolation(
                    f"the page after last_id {after} repeats ids of the pages before it", "", page.response
                )
            if number == 0 and not page.get("has_more"):
                raise PropertyViolation(
                    "the first page of 2, with 3 new videos listed, must say has_more: true",
                    "",
                    page.response,
                )
            seen += ids
            if set(created) <= set(seen) or not page.get("has_more"):
                break
            after = page["last_id"]
        if missing := set(created) - set(seen):
            raise PropertyViolation(
                f"pages of 2, newest first, never reach new videos {sorted(missing)} (the last page shown)",
                "",
                page.response,
            )
        if (ours := [vid for vid in seen if vid in created]) != created[::-1]:
            raise PropertyViolation(
                f"newest first, the new videos must come as {created[::-1]}, got {ours} (last page shown)",
                "",
                page.response,
            )
        end = list_page(client, {"limit": 2, "order": "asc", "after": created[-1]})
        if any(item.get("id") in created for item in end["data"]):
            raise PropertyViolation(
                f"ascending after the newest new video {created[-1]}, older ones are listed again: "
                f"{[item.get('id') for item in end['data']]}",
                "",
                end.response,
            )
        if not end["data"] and end.get("has_more") is not False:
            raise PropertyViolation(
                "an empty page at the end of the list must say has_more: false", "", end.response
            )
        # has_more counts exactly: with one video left after a page it is true, with none false.
        probe = list_page(client, {"limit": 3, "order": "asc", "after": created[0]})
        if [item.get("id") for item in probe["data"]] != created[1:]:
            return  # another client's videos are among or after ours: nothing to count exactly
        for after, follows, left in ((created[0], created[1], True), (created[1], created[2], False)):
            page = list_page(client, {"limit": 1, "order": "asc", "after": after})
            got = ([item.get("id") for item in page["data"]], page.get("has_more"))
            if got != ([follows], left):
                raise PropertyViolation(
                    f"ascending after {after}, limit 1: expected [{follows}] with has_more {left}, "
                    f"got {got[0]} with has_more {got[1]!r} ({int(left)} of the 3 new videos left after it)",
                    "",
                    page.response,
                )

    @staticmethod
    def _newest_first_by_default(client: httpx.Client, newest: dict[str, Any]) -> None:
        """Without `order` the list starts with the key's newest video: one created no earlier
        than the newest of ours (other clients' videos made since are newer still)."""
        page = list_page(client, {"limit": 1})
        top = page["data"][0] if page["data"] else {}
        first, ours = top.get("created_at"), newest.get("created_at")
        if isinstance(first, int) and isinstance(ours, int) and first < ours:
            raise PropertyViolation(
                f"without order the list must be newest first, but it starts with {top.get('id')} "
                f"(created_at {first}), older than {newest['id']} (created_at {ours}) created just before",
                "",
                page.response,
            )

    def _completed_video(self, client: httpx.Client, record: Record) -> dict[str, Any] | None:
        """A completed 8 s video (an edit keeping 4 s would not tell), or of the longest duration
        the contract allows if not 8. A job may fail (moderation, say): a server is allowed that, so
        it takes JOB_ATTEMPTS failed jobs in a row to fail."""
        seconds = "8" if "8" in self.enums.create_seconds else self.enums.create_seconds[-1]

        def job() -> dict[str, Any]:
            body = {"prompt": PROMPT, "seconds": seconds}
            created = expect_video(self.post(client, "/videos", body, "multipart"), "create")
            return self.target.wait(client, created["id"])

        try:
            video = first_not_failed(job, lambda v: v.get("status"))
        except Exception as exc:  # see _check
            violation = _violation_in(exc)
            record(self._failed("POST /videos", "lifecycle", "job_completes", violation))
            return None
        if video.get("status") != "completed":
            record(
                self._failed(
                    "POST /videos",
                    "lifecycle",
                    "job_completes",
                    PropertyViolation(
                        f"{JOB_ATTEMPTS} jobs in a row ended failed, the last with {video.get('error')}"
                        if video.get("status") == "failed"
                        else f"job ended {video.get('status')}: {video.get('error')}"
                        if video.get("status") in self.enums.statuses
                        else f"job reached status {video.get('status')!r}, which the contract does not list "
                        f"(one of {', '.join(self.enums.statuses)})"
                    ),
                )
            )
            return None
        record(CheckResult("POST /videos", "lifecycle", "job_completes", Outcome.PASSED))
        return video

    def _extension_seconds(self, client: httpx.Client, source: dict[str, Any]) -> None:
        forms = ("json", "multipart", "file")
        for index, extra in enumerate(self.enums.extension_seconds):
            form = forms[index % len(forms)]
            body: dict[str, Any] = {"prompt": PROMPT, "seconds": extra}
            source_seconds = int(source["seconds"])
            if form == "file":
                body["video"], source_seconds = self.target.uploads.clip(source["size"], source_seconds)
                response = self.post(client, "/videos/extensions", body, "multipart")
            else:
                body["video"] = {"id": source["id"]}
                response = self.post(client, "/videos/extensions", body, form)
            video = expect_video(response, f"extend by {form} with seconds={extra!r}")
            self.check_video(video, response)
            want = str(source_seconds + int(extra))
            fetched = client.get(f"/videos/{video['id']}").json()
            for where, got in (("extend answer", video), ("retrieve", fetched)):
                if got.get("seconds") != want:
                    raise PropertyViolation(
                        f"extending a {source_seconds} s video by {extra} s ({form}): the {where} says "
                        f"seconds={got.get('seconds')!r}, expected the stitched total {want!r}",
                        "",
                        response,
                    )
            if form != "file" and (video.get("model"), video.get("size")) != (
                source.get("model"),
                source.get("size"),
            ):
                raise PropertyViolation("the extension's model and size must follow the source", "", response)

    def _unfinished(self, client: httpx.Client, operation: str) -> str | None:
        """Extending, remixing, editing or downloading a video that is not completed is refused.

        A fast server may finish the job between its creation and its use. The use is made right
        after creating the job, and a wrong answer counts only if the job is still unfinished
        afterwards (status never goes backwards); otherwise it is tried again with a new job."""
        for _ in range(JOB_ATTEMPTS):
            vid = expect_video(self.post(client, "/videos", {"prompt": PROMPT}, "json"), "create")["id"]
            try:
                self._use_unfinished(client, operation, vid)
                return None
            except PropertyViolation:
                if safe_json(client.get(f"/videos/{vid}")).get("status") not in ("completed", "failed"):
                    raise
        return f"the server finished the job before it could be used unfinished ({JOB_ATTEMPTS} tries)"

    def _use_unfinished(self, client: httpx.Client, operation: str, vid: str) -> None:
        if operation == "POST /videos/extensions":
            body = {"prompt": PROMPT, "seconds": self.enums.extension_seconds[0], "video": {"id": vid}}
            expect_rejection(
                self.post(client, "/videos/extensions", body, "json"),
                "video",
                "extending an unfinished video",
            )
        elif operation == "POST /videos/{video_id}/remix":
            response = self.post(client, f"/videos/{vid}/remix", {"prompt": PROMPT}, "json")
            expect_rejection(response, "video_id", "remixing an unfinished video")
        elif operation == "POST /videos/edits":
            response = self.post(client, "/videos/edits", {"prompt": PROMPT, "video": {"id": vid}}, "json")
            expect_rejection(response, "video", "editing an unfinished video")
        else:
            response = client.get(f"/videos/{vid}/content")
            expect_error_code(response, 400, "video_not_completed", f"downloading the unfinished {vid}")

    def _edit_keeps_duration(self, client: httpx.Client, source: dict[str, Any]) -> None:
        """By id and by upload (of another length than the source's), an edit keeps the length of
        the video it edits."""
        # A length the contract lets a video have, other than the source's (the longest such).
        others = [int(v) for v in self.enums.create_seconds if v != source.get("seconds") and v.isdigit()]
        upload, upload_seconds = self.target.uploads.clip(
            source["size"], max(others, default=int(source["seconds"]) + 2)
        )
        edits = [
            ("edit by id", source.get("seconds"), {"video": {"id": source["id"]}}, "json"),
            ("edit by upload", str(upload_seconds), {"video": upload}, "multipart"),
        ]
        for what, seconds, video, form in edits:
            response = self.post(client, "/videos/edits", {"prompt": PROMPT, **video}, form)
            edit = expect_video(response, what)
            if edit.get("seconds") != seconds:
                raise PropertyViolation(
                    f"{what} of a {seconds} s video answered seconds={edit.get('seconds')!r}: an edit "
                    "keeps the duration of the video it edits",
                    "",
                    response,
                )

    def _remix_keeps_source(self, client: httpx.Client, source: dict[str, Any]) -> None:
        response = self.post(client, f"/videos/{source['id']}/remix", {"prompt": PROMPT}, "json")
        remix = expect_video(response, "remix")
        for name in ("seconds", "model", "size"):
            if remix.get(name) != source.get(name):
                raise PropertyViolation(
                    f"a remix of {source['id']} answered {name}={remix.get(name)!r}: a remix keeps the "
                    f"source's {name} ({source.get(name)!r})",
                    "",
                    response,
                )

    def _idempotency(self, client: httpx.Client) -> None:
        """The same Idempotency-Key with the same request answers the first answer, creates
        nothing new, and is still the first answer once the job has moved on; with another request
        it is 409 idempotency_key_reused."""
        key = {"Idempotency-Key": f"conformance-{uuid.uuid4()}"}
        body = {"prompt": f"{PROMPT} (idempotency {key['Idempotency-Key']})"}  # its own prompt: countable
        first = expect_video(self.post(client, "/videos", body, "json", headers=key), "create")
        self._replayed(client, body, key, first, "at once")
        # Nothing new was started behind the replay: this prompt is listed once (when the server
        # echoes prompts; without them, another client's videos could not be told from a copy).
        if (shown := listing(client, first["id"])) is not None:
            copies = [
                v
                for v in safe_json(shown).get("data", [])
                if isinstance(v, dict) and v.get("prompt") == body["prompt"]
            ]
            if first.get("prompt") == body["prompt"] and len(copies) != 1:
                raise PropertyViolation(
                    f"the same Idempotency-Key sent twice started {len(copies)} jobs: the list shows "
                    f"{[v.get('id') for v in copies]} for the one request",
                    "",
                    shown,
                )
        # Still the first answer once the job has moved on, not the job as it is now.
        self.target.wait(client, first["id"])
        self._replayed(client, body, key, first, "after the job ended")
        other = self.post(client, "/videos", {"prompt": PROMPT + " (another request)"}, "json", headers=key)
        expect_error_code(other, 409, "idempotency_key_reused", "the same Idempotency-Key with another body")
        if other.headers.get("x-should-retry") != "false":
            raise PropertyViolation(
                "409 idempotency_key_reused must say x-should-retry: false (clients would retry it), got "
                f"{other.headers.get('x-should-retry')!r}",
                "",
                other,
            )

    def _replayed(
        self,
        client: httpx.Client,
        body: dict[str, Any],
        key: dict[str, str],
        first: dict[str, Any],
        when: str,
    ) -> None:
        again = self.post(client, "/videos", body, "json", headers=key)
        second = expect_video(again, f"create again with the same Idempotency-Key, {when}")
        if second.get("id") != first["id"]:
            raise PropertyViolation(
                f"the same Idempotency-Key sent twice created two videos ({first['id']}, {second.get('id')})",
                "",
                again,
            )
        if second.get("status") != first.get("status") or again.headers.get("idempotent-replayed") != "true":
            raise PropertyViolation(
                f"a replay ({when}) must be the first answer (status {first.get('status')!r}, got "
                f"{second.get('status')!r}) marked idempotent-replayed: true "
                f"(got {again.headers.get('idempotent-replayed')!r})",
                "",
                again,
            )

    def _auth_required(self) -> None:
        with self.target.client() as client:
            for headers in ({"Authorization": ""}, {"Authorization": "Bearer sk-conformance-not-a-key"}):
                response = client.get("/videos", headers=headers)
                error = safe_json(response).get("error")
                envelope = isinstance(error, dict) and all(
                    isinstance(error.get(k), str) for k in ("message", "type")
                )
                if response.status_code != 401 or not envelope:
                    raise PropertyViolation(
                        f"GET /videos, Authorization {headers['Authorization']!r}: expected 401 with the "
                        "error envelope (error.message and error.type strings)",
                        "",
                        response,
                    )

    def _isolation(self, client: httpx.Client, source: dict[str, Any] | None) -> None:
        video = source or expect_video(self.post(client, "/videos", {"prompt": PROMPT}, "json"), "create")
        with self.target.client(self.target.other_api_key) as other:
            vid = video["id"]
            attempts = [
                ("retrieve", other.get(f"/videos/{vid}")),
                *self.uses_of(other, vid),
                ("delete", other.delete(f"/videos/{vid}")),
            ]
            expect_not_found(attempts, vid, by="another key's ")
            cursor = other.get("/videos", params={"after": vid, "limit": 1})
            if cursor.status_code != 404:
                raise PropertyViolation(
                    f"another key listing after this key's video {vid}: the cursor names no video of "
                    f"theirs, so 404, got {cursor.status_code}",
                    "",
                    cursor,
                )
            # Read with .json(): a list that is not JSON fails here, as a list must be JSON.
            page = other.get("/videos", params={"limit": 100})
            if any(item.get("id") == vid for item in page.json().get("data", [])):
                raise PropertyViolation(f"another key's list shows {vid}", "", page)
            # The other way round too: a video of the other key never shows in this key's list.
            theirs = expect_video(
                self.post(other, "/videos", {"prompt": PROMPT}, "json"), "create (other key)"
            )["id"]
            # Idempotency keys are per API key: the other key's use of the same one is its own.
            key = {"Idempotency-Key": f"conformance-{uuid.uuid4()}"}
            mine = expect_video(
                self.post(client, "/videos", {"prompt": PROMPT}, "json", headers=key), "create"
            )
            reused = self.post(other, "/videos", {"prompt": PROMPT}, "json", headers=key)
            if safe_json(reused).get("id") == mine["id"]:
                raise PropertyViolation(
                    f"another key sending this key's Idempotency-Key got this key's video {mine['id']}",
                    "",
                    reused,
                )
            if self.has_characters:  # a character is private to its key too (the contract says so)
                upload = {"name": "conformance", "video": self.target.uploads.clip(self.enums.sizes[0], 1)[0]}
                character = safe_json(self.post(client, "/videos/characters", upload, "multipart")).get("id")
                if isinstance(character, str):
                    expect_not_found(
                        [("retrieve", other.get(f"/videos/characters/{character}"))],
                        f"this key's character {character}",
                        by="another key's ",
                        param="character_id",
                    )
        if (kept := client.get(f"/videos/{vid}")).status_code != 200:
            raise PropertyViolation(f"{vid} was lost after another key tried to delete it", "", kept)
        if (read := client.get(f"/videos/{theirs}")).status_code != 404:
            raise PropertyViolation(f"this key reads the other key's video {theirs} (must be 404)", "", read)
        if (shown := listing(client, theirs)) is not None:
            raise PropertyViolation(f"this key's list shows the other key's video {theirs}", "", shown)

    def check_video(self, video: dict[str, Any], response: httpx.Response | None = None) -> None:
        """The response invariants every Video must hold."""
        problems = []
        if video.get("status") not in self.enums.statuses:
            problems.append(f"status {video.get('status')!r} is not one of {self.enums.statuses}")
        if video.get("size") not in self.enums.sizes:
            problems.append(f"size {video.get('size')!r} is not one of {self.enums.sizes}")
        seconds = video.get("seconds")
        if not (isinstance(seconds, str) and seconds.isdigit() and int(seconds) > 0):
            problems.append(f"seconds {seconds!r} is not a positive integer string")
        if not isinstance(video.get("model"), str):
            problems.append(f"model {video.get('model')!r} is not a string")
        progress = video.get("progress")
        if not (isinstance(progress, int) and 0 <= progress <= 100):
            problems.append(f"progress {progress!r} is not in 0..100")
        for name in ("created_at", "completed_at", "expires_at"):
            value = video.get(name)
            if value is not None and not (isinstance(value, int) and 0 < value < LATEST_SECONDS):
                problems.append(f"{name} {value!r} is not a Unix time in seconds")
        if (video.get("completed_at") is not None) != (video.get("status") == "completed"):
            problems.append("completed_at must be set exactly when the status is completed")
        if (video.get("error") is not None) != (video.get("status") == "failed"):
            problems.append("error must be set exactly when the status is failed")
        times = [(name, video.get(name)) for name in ("created_at", "completed_at", "expires_at")]
        known = [(name, value) for name, value in times if isinstance(value, int)]
        for (earlier, before), (later, after) in itertools.pairwise(known):
            if after < before:
                problems.append(f"{later} {after} is before {earlier} {before}")
        if problems:
            raise PropertyViolation(f"video {video.get('id')}: " + "; ".join(problems), "", response)
