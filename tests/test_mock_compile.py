"""What the mock compiles from the spec at start-up, so that requests do no spec work."""

import json

from videos_toolkit.mock.operations import SPEC_URI, compile_spec, inline_refs
from videos_toolkit.mock.validation import FileAwareValidator
from videos_toolkit.spec import effective_spec


def test_refs_are_inlined_with_their_siblings():
    root = {
        "components": {
            "schemas": {
                "Seconds": {"type": "string", "enum": ["4", "8"]},
                "Body": {
                    "type": "object",
                    "properties": {
                        "plain": {"$ref": "#/components/schemas/Seconds"},
                        "described": {"description": "d", "$ref": "#/components/schemas/Seconds"},
                    },
                },
            }
        }
    }
    body = inline_refs(root["components"]["schemas"]["Body"], root)
    assert body["properties"]["plain"] == {"type": "string", "enum": ["4", "8"]}
    assert body["properties"]["described"] == {
        "description": "d",
        "allOf": [{"type": "string", "enum": ["4", "8"]}],
    }
    assert "$ref" in root["components"]["schemas"]["Body"]["properties"]["plain"]  # the input is untouched


def test_a_recursive_ref_is_kept_and_still_resolves():
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {"child": {"$ref": "#/components/schemas/Node"}, "n": {"type": "integer"}},
                }
            }
        },
    }
    index = compile_spec(spec)
    schema = index.validation_schema("/components/schemas/Node")
    assert schema["properties"]["child"]["properties"]["child"] == {
        "$ref": f"{SPEC_URI}#/components/schemas/Node"
    }
    validator = FileAwareValidator(schema, registry=index.registry)
    assert validator.is_valid({"child": {"child": {"child": {"n": 1}}}})
    assert not validator.is_valid({"child": {"child": {"child": {"n": "x"}}}})


def test_the_contracts_validators_follow_no_reference():
    index = compile_spec(effective_spec())
    pointers = [param.schema_pointer for op in index.operations.values() for param in op.params]
    pointers += [ptr for op in index.operations.values() if op.body for ptr in op.body.content.values()]
    pointers += [
        ptr
        for op in index.operations.values()
        for spec in op.responses.values()
        for ptr in spec.content.values()
        if ptr
    ]
    assert len(pointers) > 30
    for pointer in pointers:
        assert "$ref" not in json.dumps(index.validation_schema(pointer)), pointer


def test_the_router_remembers_matches_without_sharing_or_growing_them(monkeypatch):
    import videos_toolkit.mock.routing as routing
    from videos_toolkit.mock.errors import ApiError

    monkeypatch.setattr(routing, "MATCHES_KEPT", 8)
    router = routing.Router(compile_spec(effective_spec()))
    operation, params = router.match("/v1/videos/video_a%2Fb", "GET")
    params["video_id"] = "changed by the caller"
    again, params_again = router.match("/v1/videos/video_a%2Fb", "GET")
    assert (again.operation_id, params_again) == (operation.operation_id, {"video_id": "video_a/b"})
    assert router.match("/v1/videos/video_a%2Fb", "DELETE")[0].operation_id == "deleteVideo"

    for n in range(50):  # a client walking through many ids
        assert router.match(f"/v1/videos/video_{n}", "GET")[1] == {"video_id": f"video_{n}"}
    assert len(router._matched) <= 8
    huge = "/v1/videos/" + "v" * (routing.PATH_KEPT + 1)
    assert router.match(huge, "GET")[0].operation_id == "retrieveVideo"
    assert ("GET", huge) not in router._matched
    for _ in range(2):  # refusals are not remembered: each is decided again
        try:
            router.match("/v1/videos/video_a", "PUT")
        except ApiError as error:
            assert error.status == 405
        else:
            raise AssertionError("PUT on a video must be 405")
