"""Values built from a schema alone: the smallest valid one (``sample``), and an example completed
with the required properties it lacks (``completed``). The mock answers with them where the
contract has no example; the contract checks (spec.py) use them too, so nothing here loads the
mock's server stack."""

import functools
import re
from typing import Any

from videos_toolkit.json_pointer import resolve

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
