"""An operation a contract change adds, which the mock has no behaviour for, is served from the
contract: its example, or a value built from its schema, valid against it (the mock starts instead
of refusing the contract). In stateful mode the videos and characters its path names must exist
for the caller first, as for every other operation."""

import copy

import pytest
from starlette.testclient import TestClient

from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.schema_values import sample
from videos_toolkit.spec import effective_spec

KEY = "sk-new-ops"
VIDEO = {"$ref": "#/components/schemas/Video"}
THUMBNAIL = {  # no example anywhere: the answer is built from the schema
    "type": "object",
    "required": ["url", "width", "formats", "ready", "kind", "note"],
    "properties": {
        "url": {"type": "string", "format": "uri"},
        "width": {"type": "integer", "minimum": 16},
        "formats": {"type": "array", "minItems": 2, "items": {"type": "string", "enum": ["webp", "png"]}},
        "ready": {"type": "boolean"},
        "kind": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/VideoSize"}]},
        "note": {"type": "string", "minLength": 12, "maxLength": 20},
        "optional": {"type": "string"},
    },
}


ERRORS = {
    status: {"$ref": f"#/components/responses/{name}"}
    for status, name in [("400", "BadRequest"), ("401", "Unauthorized"), ("404", "NotFound")]
}


def _ok(schema: dict | None) -> dict:
    if schema is None:
        return {"204": {"description": "done"}, **ERRORS}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}, **ERRORS}


def _with_new_operations() -> dict:
    spec = copy.deepcopy(effective_spec())
    video_id = [
        {"name": "video_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
    ]
    spec["paths"]["/videos/{video_id}/cancel"] = {
        "post": {"operationId": "cancelVideo", "parameters": video_id, "responses": _ok(VIDEO)}
    }
    spec["paths"]["/videos/{video_id}/thumbnail"] = {
        "get": {"operationId": "getVideoThumbnail", "parameters": video_id, "responses": _ok(THUMBNAIL)},
        "delete": {"operationId": "deleteVideoThumbnail", "parameters": video_id, "responses": _ok(None)},
    }
    return spec


@pytest.fixture(params=["stateful", "stateless"])
def client(request):
    # validate_responses: every answer is checked against the changed contract (a violation raises)
    app = create_app(
        MockConfig(validate_responses=True, stateless=request.param == "stateless"), _with_new_operations()
    )
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def test_new_operations_answer_from_the_contract(client):
    video_id = client.post("/videos", json={"prompt": "a cat"}).json()["id"]

    cancelled = client.post(f"/videos/{video_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["object"] == "video"

    thumbnail = client.get(f"/videos/{video_id}/thumbnail")
    assert thumbnail.status_code == 200
    assert thumbnail.json() == {
        "url": "https://example.com/",
        "width": 16,
        "formats": ["webp", "webp"],
        "ready": False,
        "kind": "720x1280",
        "note": "stringxxxxxx",
    }

    gone = client.delete(f"/videos/{video_id}/thumbnail")
    assert (gone.status_code, gone.content) == (204, b"")


def test_new_operations_are_still_validated_and_authenticated(client):
    assert client.post("/videos/x/cancel", headers={"Authorization": ""}).status_code == 401
    too_long = client.get("/videos/" + "v" * 300 + "/thumbnail")
    assert too_long.status_code == 400 and too_long.json()["error"]["param"] == "video_id"


def test_a_stateful_new_operation_needs_a_video_visible_to_the_caller():
    app = create_app(MockConfig(validate_responses=True), _with_new_operations())
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        video_id = client.post("/videos", json={"prompt": "a cat"}).json()["id"]
        other = client.post(f"/videos/{video_id}/cancel", headers={"Authorization": "Bearer sk-someone-else"})
        assert other.status_code == 404 and other.json()["error"]["param"] == "video_id"
        assert client.get("/videos/video_nope/thumbnail").status_code == 404
        assert client.post(f"/videos/{video_id}/cancel").status_code == 200


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": ["null", "integer"], "exclusiveMinimum": 3}, 4),
        ({"type": "integer", "maximum": -5}, -5),
        ({"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"const": 1}}},
                    {"type": "object", "required": ["b"], "properties": {"b": {"default": "x"}}}]},
         {"a": 1, "b": "x"}),
        ({"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]}, "1970-01-01T00:00:00Z"),
        ({"type": "string", "examples": ["first", "second"]}, "first"),
    ],
)  # fmt: skip
def test_sample_builds_the_smallest_valid_value(schema, value):
    assert sample({}, schema) == value


def test_a_field_a_contract_change_makes_required_is_sent_in_every_video():
    spec = copy.deepcopy(effective_spec())
    video = spec["components"]["schemas"]["Video"]
    video["properties"]["quality"] = {"type": "string", "enum": ["standard", "high"]}
    video["required"] = [*video["required"], "quality"]
    app = create_app(MockConfig(validate_responses=True), spec)  # a Video without it would raise
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        created = client.post("/videos", json={"prompt": "a cat"}).json()
        assert created["quality"] == "standard"
        assert client.get(f"/videos/{created['id']}").json()["quality"] == "standard"
        assert [v["quality"] for v in client.get("/videos").json()["data"]] == ["standard"]


def _with_audio_variant() -> dict:
    spec = copy.deepcopy(effective_spec())
    spec["components"]["schemas"]["VideoContentVariant"]["enum"].append("audio")
    ok = spec["paths"]["/videos/{video_id}/content"]["get"]["responses"]["200"]
    ok["content"]["audio/mpeg"] = {"schema": {"type": "string", "contentMediaType": "audio/mpeg"}}
    return spec


def test_a_content_variant_a_contract_change_adds_is_served_as_its_own_media_type():
    spec = _with_audio_variant()
    app = create_app(MockConfig(instant=True, validate_responses=True), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        vid = client.post("/videos", json={"prompt": "a cat"}).json()["id"]
        assert client.get(f"/videos/{vid}").json()["status"] == "completed"
        audio = client.get(f"/videos/{vid}/content", params={"variant": "audio"})
        assert (audio.status_code, audio.headers["content-type"]) == (200, "audio/mpeg")
        video = client.get(f"/videos/{vid}/content")
        assert (video.headers["content-type"], video.content[4:8]) == ("video/mp4", b"ftyp")


def _with_new_fields() -> dict:
    spec = copy.deepcopy(effective_spec())
    for name in ("CreateVideoMultipartBody", "CreateVideoJsonBody"):
        spec["components"]["schemas"][name]["properties"].update(
            keyframes={"type": "array", "items": {"type": "integer"}},
            crop={"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+:[0-9]+$"}]},
        )
    spec["paths"]["/videos"]["get"]["parameters"].append(
        {"name": "seconds", "in": "query", "schema": {"type": "array", "items": {"type": "integer"}}}
    )
    return spec


@pytest.mark.parametrize(
    ("fields", "status", "param"),
    [
        ([("keyframes", "1"), ("keyframes", "2")], 200, None),
        ([("keyframes", "1.5")], 400, "keyframes.0"),
        ([("crop", "5")], 200, None),
        ([("crop", "16:9")], 200, None),
        ([("crop", "wide")], 400, "crop"),
    ],
)
def test_new_multipart_fields_are_read_as_their_schema_says(fields, status, param):
    # Every multipart value is text on the wire: an integer array is one part per item, and a
    # field that is an integer or a string takes "5" as the integer.
    app = create_app(MockConfig(), _with_new_fields())
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        parts = [("prompt", (None, "a cat")), *((name, (None, value)) for name, value in fields)]
        response = client.post("/videos", files=parts)
        assert response.status_code == status, response.text
        if param:
            assert response.json()["error"]["param"] == param


@pytest.mark.parametrize(
    ("query", "status"),
    [("seconds=4&seconds=8", 200), ("seconds=4", 200), ("seconds=4&seconds=x", 400)],
)
def test_a_new_array_query_parameter_takes_repeated_keys(query, status):
    app = create_app(MockConfig(), _with_new_fields())
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        response = client.get(f"/videos?{query}")
        assert response.status_code == status, response.text
        if status == 400:
            assert response.json()["error"]["param"] == "seconds.1"


@pytest.mark.parametrize("stateless", [False, True])
def test_a_newly_required_video_field_with_a_pattern_gets_a_value_matching_it(stateless):
    # Stateless answers the contract's examples, written before the field existed: they are
    # completed, in lists too; stateful videos get the same value.
    spec = copy.deepcopy(effective_spec())
    video = spec["components"]["schemas"]["Video"]
    video["properties"]["checksum"] = {"type": "string", "pattern": "^[a-f0-9]{64}$"}
    video["properties"]["frames"] = {"type": "integer", "multipleOf": 7, "minimum": 1000}
    video["required"] = [*video["required"], "checksum", "frames"]
    app = create_app(MockConfig(validate_responses=True, stateless=stateless), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        created = client.post("/videos", json={"prompt": "a cat"})
        assert created.status_code == 200, created.text  # an invalid answer would be a 500
        listed = client.get("/videos").json()["data"]
        for answer in (created.json(), client.get(f"/videos/{created.json()['id']}").json(), *listed):
            assert (answer["checksum"], answer["frames"]) == ("0" * 64, 1001)


@pytest.mark.parametrize("stateless", [False, True])
def test_a_response_header_the_contract_makes_required_is_sent(stateless):
    spec = copy.deepcopy(effective_spec())
    ok = spec["paths"]["/videos/{video_id}"]["get"]["responses"]["200"]
    ok["headers"]["x-ratelimit-remaining-requests"] = {"required": True, "schema": {"type": "integer"}}
    app = create_app(MockConfig(validate_responses=True, stateless=stateless), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        vid = client.post("/videos", json={"prompt": "a cat"}).json()["id"]
        retrieved = client.get(f"/videos/{vid}")
        assert retrieved.headers["x-ratelimit-remaining-requests"] == "0"
        assert "x-ratelimit-remaining-requests" not in client.get("/videos").headers  # not required there


def test_a_default_the_contract_no_longer_allows_gives_way_to_the_first_it_does():
    # An overlay removed 720x1280 (the default) from the sizes, and 4 from create's seconds.
    spec = copy.deepcopy(effective_spec())
    for name, gone in (("VideoSize", "720x1280"), ("VideoSeconds", "4")):
        schema = spec["components"]["schemas"][name]
        at = schema["enum"].index(gone)
        del schema["enum"][at], schema["x-enum-varnames"][at]
    app = create_app(MockConfig(validate_responses=True), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        created = client.post("/videos", json={"prompt": "a cat"})
        assert created.status_code == 200, created.text  # an answer the contract forbids would raise
        sizes = spec["components"]["schemas"]["VideoSize"]["enum"]
        seconds = spec["components"]["schemas"]["VideoSeconds"]["enum"]
        assert (created.json()["size"], created.json()["seconds"]) == (sizes[0], seconds[0])


def test_a_new_operation_taking_an_idempotency_key_gets_replays_and_409s():
    spec = copy.deepcopy(effective_spec())
    spec["paths"]["/videos/{video_id}/cancel"] = {
        "post": {
            "operationId": "cancelVideo",
            "parameters": [
                {"name": "video_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"$ref": "#/components/parameters/IdempotencyKey"},
            ],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"reason": {"type": "string"}}}
                    }
                }
            },
            "responses": _ok(VIDEO),
        }
    }
    app = create_app(MockConfig(), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        vid = client.post("/videos", json={"prompt": "a cat"}).json()["id"]
        key = {"Idempotency-Key": "cancel-1"}
        first = client.post(f"/videos/{vid}/cancel", json={"reason": "a"}, headers=key)
        again = client.post(f"/videos/{vid}/cancel", json={"reason": "a"}, headers=key)
        other = client.post(f"/videos/{vid}/cancel", json={"reason": "b"}, headers=key)
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")


def labels_audio_as_mp4(app):
    """A server still answering its MP4 for the variant the contract added."""

    async def wrapper(scope, receive, send):
        async def relabel(message):
            if message["type"] == "http.response.start" and b"variant=audio" in scope.get(
                "query_string", b""
            ):
                kept = [(k, v) for k, v in message["headers"] if k.lower() != b"content-type"]
                message = {**message, "headers": [*kept, (b"content-type", b"video/mp4")]}
            await send(message)

        await app(scope, receive, relabel)

    wrapper.state = app.state
    return wrapper


def test_the_client_round_trip_downloads_a_variant_a_contract_change_adds():
    from videos_toolkit.conformance.runner import Options, run
    from videos_toolkit.conformance.target import mock_target

    spec = _with_audio_variant()
    options = Options(max_examples=1, database=None, parts=("client",))
    assert run(spec, mock_target(spec=spec), options).ok
    report = run(spec, mock_target(labels_audio_as_mp4, spec=spec), options)
    failed = {r.check: r.detail for r in report.failures}
    assert "variant=audio must be sent as audio/mpeg" in failed.get("client_round_trip", ""), failed


def test_the_operations_without_behaviour_are_named_once_a_process_however_many_mocks(caplog, monkeypatch):
    # A conformance run builds a mock per worker and per part: the same line came 30 times.
    monkeypatch.setattr("videos_toolkit.mock.handlers._WARNED", set())
    spec = _with_new_operations()
    with caplog.at_level("WARNING", logger="videos_toolkit.mock"):
        for _ in range(3):
            create_app(MockConfig(api_keys=frozenset({KEY})), spec)
    lines = [r.getMessage() for r in caplog.records if "no stateful behaviour" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "no stateful behaviour for cancelVideo, deleteVideoThumbnail, getVideoThumbnail"
    )
    assert "a new or renamed one has none" in lines[0]


def test_a_new_operation_answering_a_video_about_the_one_its_path_names_answers_that_video():
    # A cancel answered the schema's stand-in ({"id": "string", ...}): an id no poll could follow.
    app = create_app(MockConfig(validate_responses=True, api_keys=frozenset({KEY})), _with_new_operations())
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": f"Bearer {KEY}"}) as client:
        video_id = client.post("/videos", json={"prompt": "a cat"}).json()["id"]
        cancelled = client.post(f"/videos/{video_id}/cancel")
        assert cancelled.status_code == 200
        retrieved = client.get(f"/videos/{video_id}").json()
        assert cancelled.json()["id"] == video_id
        assert {k: cancelled.json()[k] for k in ("prompt", "seconds", "size")} == {
            k: retrieved[k] for k in ("prompt", "seconds", "size")
        }
