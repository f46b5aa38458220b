"""Answers taken from the contract alone: an operation's documented success example, or, where the
contract has none, a value built from its schema. Stateless mode answers every operation this way;
the stateful mock answers so an operation it has no behaviour for (one a contract change added),
so that it starts and serves whatever contract it is given, as Prism and Steady do.
"""

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.responses import Response

from videos_toolkit.mock.operations import Operation, SpecIndex, pointer_get, resolve

# handlers.Handler, which imports this module: Call -> Response
Handler = Callable[[Any], Awaitable[Response]]

_MAX_DEPTH = 8  # a recursive schema ends in null rather than recursing forever
_STRING_FORMATS = {
    "date-time": "1970-01-01T00:00:00Z",
    "date": "1970-01-01",
    "time": "00:00:00Z",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "email": "user@example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def first_example(index: SpecIndex, schema_pointer: str) -> Any:
    """The first example of the media object owning ``schema_pointer`` (``examples``, then ``example``)."""
    media_object = pointer_get(index.spec, schema_pointer.removesuffix("/schema"))
    for item in media_object.get("examples", {}).values():
        example, _ = resolve(index.spec, item, "")
        if "value" in example:
            return example["value"]
    return media_object.get("example")


def sample(spec: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A value valid against ``schema``: its own const, default, example or first enum value where it
    has one, else the smallest one its keywords allow (required properties only, one array item)."""
    schema, _ = resolve(spec, schema, "")
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    for keyword in ("const", "default", "example"):
        if keyword in schema:
            return schema[keyword]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = sample(spec, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    for keyword in ("oneOf", "anyOf"):
        branches = [b for b in schema.get(keyword, []) if resolve(spec, b, "")[0].get("type") != "null"]
        if branches:
            return sample(spec, branches[0], depth + 1)
    types = schema.get("type", "object" if "properties" in schema else None)
    kind = next((t for t in types if t != "null"), None) if isinstance(types, list) else types
    if kind == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        return {name: sample(spec, properties.get(name, {}), depth + 1) for name in required}
    if kind == "array":
        count = max(1, schema.get("minItems", 0)) if depth < _MAX_DEPTH else 0
        return [sample(spec, schema.get("items", {}), depth + 1) for _ in range(count)]
    if kind == "string":
        if "pattern" in schema:
            return _matching(schema["pattern"], schema.get("minLength", 0), schema.get("maxLength"))
        text = _STRING_FORMATS.get(schema.get("format", ""), "string")
        text = text.ljust(schema.get("minLength", 0), "x")
        return text[: schema["maxLength"]] if "maxLength" in schema else text
    if kind in ("integer", "number"):
        if "minimum" in schema:
            low = schema["minimum"]
        elif "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        else:
            low = min(0, schema.get("maximum", 0))
        step = schema.get("multipleOf")
        return -(-low // step) * step if step else low  # the first multiple at or above the bound
    if kind == "boolean":
        return False
    return None


@functools.lru_cache(maxsize=256)
def _matching(pattern: str, min_length: int, max_length: int | None) -> str | None:
    """The simplest text matching ``pattern`` within the lengths (hypothesis shrinks to it, so the
    same pattern always gives the same text); None when there is none."""
    import hypothesis  # only a contract with a pattern and no example needs it: not at every start
    import hypothesis.errors
    from hypothesis import strategies as st

    texts = st.from_regex(pattern, fullmatch=True)
    try:
        return hypothesis.find(
            texts,
            lambda text: min_length <= len(text) <= (max_length if max_length is not None else len(text)),
            settings=hypothesis.settings(database=None, max_examples=500, derandomize=True),
        )
    except (hypothesis.errors.NoSuchExample, hypothesis.errors.InvalidArgument, re.error):
        return None


def completed(spec: dict[str, Any], schema: Any, value: Any, depth: int = 0) -> Any:
    """``value`` (an example) with each required property its schema asks for, at any depth, that
    it lacks filled in by ``sample``: examples written before a contract change made a field
    required still answer valid."""
    schema, _ = resolve(spec, schema, "")
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return value
    if isinstance(value, list) and "items" in schema:
        return [completed(spec, schema["items"], item, depth + 1) for item in value]
    if not isinstance(value, dict):
        return value
    for part in schema.get("allOf", []):
        value = completed(spec, part, value, depth + 1)
    for keyword in ("anyOf", "oneOf"):
        objects = [b for b in schema.get(keyword, []) if "object" in _kinds(spec, b)]
        if len(objects) == 1:  # a nullable object, say: the one branch this value can be
            value = completed(spec, objects[0], value, depth + 1)
    properties = schema.get("properties", {})
    filled = dict(value)
    for name in schema.get("required", []):
        if name not in filled:
            filled[name] = sample(spec, properties.get(name, {}))
    return {
        name: completed(spec, properties[name], item, depth + 1) if name in properties else item
        for name, item in filled.items()
    }


def _kinds(spec: dict[str, Any], schema: Any) -> set[str]:
    schema, _ = resolve(spec, schema, "")
    if not isinstance(schema, dict):
        return set()
    kinds = schema.get("type", "object" if "properties" in schema else None)
    return set(kinds) if isinstance(kinds, list) else {kinds} if kinds else set()


def required_headers(index: SpecIndex) -> dict[str, dict[str, tuple[tuple[str, str], ...]]]:
    """operation id -> response status key ("200", "4XX", "default") -> (name, value) of each
    header the contract requires there, valued from its schema: the mock adds those its handlers
    do not set. Only operations with such headers are listed."""
    found: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    for operation in index.operations.values():
        for status, response in operation.responses.items():
            headers = tuple(
                (name, _header_text(sample(index.spec, pointer_get(index.spec, pointer)) if pointer else "x"))
                for name, (required, pointer) in response.headers.items()
                if required
            )
            if headers:
                found.setdefault(operation.operation_id, {})[status] = headers
    return found


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else orjson.dumps(value).decode() if value is not None else ""


def missing_required(index: SpecIndex, operation_id: str, have: frozenset[str]) -> dict[str, Any]:
    """Values (``sample``) for the required properties of an operation's success answer that the
    mock's own objects (with keys ``have``) lack: a field a contract change made required."""
    operation = index.operations.get(operation_id)
    pointer = _success_schema(operation) if operation is not None else None
    if pointer is None:
        return {}
    schema, _ = resolve(index.spec, pointer_get(index.spec, pointer), pointer)
    required = [name for name in schema.get("required", []) if name not in have]
    properties = schema.get("properties", {})
    return {name: sample(index.spec, properties.get(name, {})) for name in required}


def success_status(operation: Operation) -> int:
    """The operation's lowest documented 2xx status (200 when it documents none)."""
    return int(min((s for s in operation.responses if s.isdigit() and s.startswith("2")), default="200"))


def _success_schema(operation: Operation) -> str | None:
    """The JSON schema pointer of the operation's success answer; None when it is not JSON."""
    spec = operation.responses.get(str(success_status(operation)))
    return next((p for p in spec.content.values() if p), None) if spec is not None else None


def json_answer(index: SpecIndex, operation: Operation) -> Any:
    """The JSON body of the operation's success answer: its example, else a sample of its schema;
    None when that answer is not JSON."""
    pointer = _success_schema(operation)
    if pointer is None:
        return None
    schema = pointer_get(index.spec, pointer)
    example = first_example(index, pointer)
    return completed(index.spec, schema, example) if example is not None else sample(index.spec, schema)


def contract_answer(index: SpecIndex, operation: Operation) -> Handler:
    """Answer with the operation's success status and ``json_answer``; for an answer that is not
    JSON, an empty body of its first media type, or no body when it documents none."""
    status = success_status(operation)
    payload = json_answer(index, operation)
    if payload is not None:
        body = orjson.dumps(payload)

        async def answer_json(call: Any) -> Response:
            return Response(body, status_code=status, media_type="application/json")

        return answer_json
    spec = operation.responses.get(str(status))
    media_type = next(iter(spec.content), None) if spec is not None else None

    async def answer_plain(call: Any) -> Response:
        return Response(b"", status_code=status, media_type=media_type)

    return answer_plain
