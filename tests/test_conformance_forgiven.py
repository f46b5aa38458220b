"""What the fuzzer does not hold against a server, each forgiven only in its narrow case:
a replayed creation of a video deleted since (the contract's idempotency), refusing a `video`
part that is not a video at all, a 429 where a check wanted to see acceptance or refusal, and
accepting a "negative" case that the contract itself finds valid (an open `model` name)."""

import copy

import pytest
from schemathesis.hooks import should_keep_failure
from schemathesis.openapi.checks import EnsureResourceAvailability, RejectedPositiveData

from tests.broken_mocks import completed_only_once
from videos_toolkit.conformance import fuzzing
from videos_toolkit.conformance.target import mock_target
from videos_toolkit.mock.media import mp4_video
from videos_toolkit.spec import effective_spec


def lost(operation: str) -> EnsureResourceAvailability:
    return EnsureResourceAvailability(
        operation=operation, message="gone", created_with="POST /videos", not_available_with=operation
    )


def test_a_replayed_creation_of_a_deleted_video_is_not_a_lost_resource():
    job = fuzzing.Job(effective_spec(), mock_target(), 1, 0, None, fuzzing.STATEFUL_PHASES)
    schema = fuzzing._schema(job)
    create = schema["/videos"]["POST"]
    delete = schema["/videos/{video_id}"]["DELETE"]
    auth = {"Authorization": f"Bearer {job.target.api_key}"}  # the engine adds it; here we call directly

    def created(key: str):
        case = create.Case(
            body={"prompt": "p"}, headers={**auth, "Idempotency-Key": key}, media_type="application/json"
        )
        return case.call()

    first = created("key-1")
    video_id = first.json()["id"]
    assert delete.Case(path_parameters={"video_id": video_id}, headers=auth).call().status_code == 200
    again = created("key-1")
    assert again.headers["idempotent-replayed"] == ["true"] and again.json()["id"] == video_id

    gone = delete.Case(path_parameters={"video_id": video_id})
    assert not should_keep_failure(lost(delete.label), gone, again)

    other_id = created("key-2").json()["id"]  # created once, never replayed
    assert should_keep_failure(lost(delete.label), delete.Case(path_parameters={"video_id": other_id}), again)


class Refusal:
    status_code = 400


def test_refusing_a_video_part_that_is_not_a_video_is_forgiven_and_only_that():
    job = fuzzing.Job(effective_spec(), mock_target(), 1, 0, None, fuzzing.STATELESS_PHASES)
    characters = fuzzing._schema(job)["/videos/characters"]["POST"]
    refused = RejectedPositiveData(
        operation=characters.label, message="m", status_code=400, allowed_statuses=["2xx"]
    )

    def upload(video: bytes):
        return characters.Case(body={"name": "n", "video": video}, media_type="multipart/form-data")

    png = b"\x89PNG\r\n\x1a\n" + bytes(40)  # what schemathesis's examples phase sends
    assert not should_keep_failure(refused, upload(png), Refusal())
    assert should_keep_failure(refused, upload(mp4_video("720x1280", 1)), Refusal())


class Answer:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def test_a_rate_limited_answer_is_not_judged_as_accepting_or_refusing_and_only_that():
    from schemathesis.openapi.checks import (
        AuthScenario,
        IgnoredAuth,
        MissingHeaderNotRejected,
        UndefinedStatusCode,
    )

    job = fuzzing.Job(effective_spec(), mock_target(), 1, 0, None, fuzzing.STATELESS_PHASES)
    listing = fuzzing._schema(job)["/videos"]["GET"]
    case = listing.Case()

    def ignored_auth(got: str) -> IgnoredAuth:
        message = f"Expected 401 or 403, got `{got}` for `GET /videos` (invalid credentials provided)"
        return IgnoredAuth(operation=listing.label, message=message, scenario=AuthScenario.INVALID_AUTH)

    # The probe without a valid key was answered 429: nothing is known about auth.
    assert not should_keep_failure(ignored_auth("429 Too Many Requests"), case, Answer(200))
    assert should_keep_failure(ignored_auth("200 OK"), case, Answer(200))  # accepted: still a failure

    def missing_header(status: int) -> MissingHeaderNotRejected:
        return MissingHeaderNotRejected(
            operation=listing.label,
            header_name="Authorization",
            status_code=status,
            expected_statuses=[401],
            message="m",
        )

    assert not should_keep_failure(missing_header(429), case, Answer(429))
    assert should_keep_failure(missing_header(200), case, Answer(200))
    # Other checks are judged on a 429 as on any answer.
    undocumented = UndefinedStatusCode(
        operation=listing.label,
        status_code=429,
        defined_status_codes=["200"],
        allowed_status_codes=[200],
        message="m",
    )
    assert should_keep_failure(undocumented, case, Answer(429))


class Accepted:
    """A 200 to ``case``, with the request as it went out (the hook reads multipart as sent)."""

    status_code = 200

    def __init__(self, case) -> None:
        import requests

        sent = case.as_transport_kwargs(base_url="http://mock/v1")
        self.request = requests.Request(
            method=sent["method"],
            url=sent["url"],
            headers=sent["headers"],
            data=sent.get("data"),
            json=sent.get("json"),
            files=sent.get("files"),
        ).prepare()


def test_accepting_what_the_contract_finds_valid_as_sent_is_not_accepting_negative_data():
    # The fuzzer's view narrows `model` to the served names, so the engine calls any other name
    # negative; the contract itself takes any name. And in multipart every field is text: a list
    # generated for a string field arrives as text (or as parts) a server may rightly take.
    from schemathesis.core.failures import AcceptedNegativeData

    job = fuzzing.Job(effective_spec(), mock_target(), 1, 0, None, fuzzing.STATELESS_PHASES)
    create = fuzzing._schema(job)["/videos"]["POST"]
    accepted = AcceptedNegativeData(
        operation=create.label, message="m", status_code=200, expected_statuses=["400"]
    )

    def kept(media_type: str, **fields) -> bool:
        case = create.Case(body={"prompt": "p", **fields}, media_type=media_type)
        return should_keep_failure(accepted, case, Accepted(case))

    for media_type in ("application/json", "multipart/form-data"):
        assert not kept(media_type, model="__not_in_enum__")
        assert kept(media_type, seconds="5")  # still negative
    # A list for the string `prompt`, as a user's server saw it: one text part, a valid prompt.
    case = create.Case(body={"prompt": [False, False, True]}, media_type="multipart/form-data")
    one_part = Accepted(case)
    import requests

    one_part.request = requests.Request(
        "POST", "http://mock/v1/videos", files={"prompt": (None, "[false, false, true]")}
    ).prepare()
    assert not should_keep_failure(accepted, case, one_part)


def test_refusing_a_source_this_run_saw_completed_is_not_forgiven():
    """Refusing a source that is not completed yet is forgiven; one an answer of this run showed
    completed is a status gone back (a replica that lost the write), and the failure says so."""
    sources = fuzzing.SourceVerdicts()
    job = fuzzing.Job(
        effective_spec(), mock_target(completed_only_once), 1, 0, None, fuzzing.STATELESS_PHASES
    )
    schema = fuzzing._schema(job, sources=sources)
    auth = {"Authorization": f"Bearer {job.target.api_key}"}
    create = schema["/videos"]["POST"].Case(body={"prompt": "p"}, headers=auth, media_type="application/json")
    vid = create.call().json()["id"]
    seen = schema["/videos/{video_id}"]["GET"].Case(path_parameters={"video_id": vid}, headers=auth).call()
    assert seen.json()["status"] == "completed" and vid in sources.completed
    remix = schema["/videos/{video_id}/remix"]["POST"]
    case = remix.Case(
        path_parameters={"video_id": vid}, body={"prompt": "p"}, headers=auth, media_type="application/json"
    )
    refused = case.call()
    assert refused.json()["error"]["code"] == "video_not_completed"
    failure = RejectedPositiveData(
        operation=remix.label, message="m", status_code=400, allowed_statuses=["2xx"]
    )
    assert should_keep_failure(failure, case, refused)
    assert case.id in sources.regressed and case.id not in sources.unjudged


def test_a_case_whose_path_is_another_operations_path_is_not_judged():
    # GET /videos/{video_id} with the id "characters" is GET /videos/characters: OpenAPI matches the
    # concrete path first, and the contract's /videos/characters has no GET, so the mock's 405 is
    # right; the engine (from a stored example) held it against GET /videos/{video_id}.
    spec = copy.deepcopy(effective_spec())  # the cached one is shared by every test
    spec["components"]["parameters"]["VideoId"]["example"] = "characters"
    spec["components"]["parameters"]["VideoId"].pop("examples", None)
    job = fuzzing.Job(spec, mock_target(spec=spec), 5, 0, None, ("examples",), ("GET /videos/{video_id}",))
    results = [result for batch in fuzzing._engine(job) for result in batch.results]
    assert results and not [r for r in results if r.outcome.value == "failed"], [r.detail for r in results]

    retrieve = fuzzing._schema(job)["/videos/{video_id}"]["GET"]
    refused = RejectedPositiveData(
        operation=retrieve.label, message="m", status_code=405, allowed_statuses=["2xx"]
    )
    not_allowed = type("NotAllowed", (), {"status_code": 405})()
    elsewhere = retrieve.Case(path_parameters={"video_id": "characters"})
    assert not should_keep_failure(refused, elsewhere, not_allowed)
    assert should_keep_failure(refused, retrieve.Case(path_parameters={"video_id": "video_1"}), not_allowed)
    # /videos/characters/remix belongs to /videos/characters/{character_id} (a literal segment
    # before a templated one), which has no POST: its 405 and "Allow: GET" are right too.
    remix = fuzzing._schema(job)["/videos/{video_id}/remix"]["POST"]
    assert not should_keep_failure(
        refused, remix.Case(path_parameters={"video_id": "characters"}), not_allowed
    )
    assert should_keep_failure(refused, remix.Case(path_parameters={"video_id": "video_1"}), not_allowed)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_multipart_array_or_integer_field_is_judged_as_the_server_reads_it(seed):
    # A fork adds tags (array) and fps (integer) to create. In multipart, "tags" sent as one part
    # is a one-item list and fps "3" is 3, as the mock reads them: accepting such a "negative"
    # case is right, and judging the text as sent failed the correct mock.
    spec = copy.deepcopy(effective_spec())
    for name in ("CreateVideoJsonBody", "CreateVideoMultipartBody"):
        properties = spec["components"]["schemas"][name]["properties"]
        properties["tags"] = {"type": "array", "items": {"type": "string"}}
        properties["fps"] = {"type": "integer", "minimum": 1, "maximum": 60}
    phases = fuzzing.STATELESS_PHASES
    job = fuzzing.Job(spec, mock_target(spec=spec), 3, seed, None, phases, ("POST /videos",))
    results = [result for batch in fuzzing._engine(job) for result in batch.results]
    failed = [r.detail for r in results if r.outcome.value == "failed"]
    assert results and not failed, failed
