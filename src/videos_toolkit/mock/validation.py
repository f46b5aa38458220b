"""Request validation, compiled once per operation from the spec (JSON Schema Draft 2020-12).

Per request the mock only runs validators built at start-up: parameters are coerced from text by
the types their schemas admit, JSON bodies are parsed with orjson, multipart bodies read by
multipart_form.py. In multipart bodies bracket fields (``video[id]``) become nested objects and a file
part becomes an :class:`UploadedPart`, the only value that satisfies a ``format: binary`` schema
(see ``operations.FILE_TYPE``), so a text field where a file is expected, or a file where text is
expected, is a 400 naming the field. A part without a Content-Type header is an ordinary part.

Body size: Content-Length is checked first, then bytes are counted while they arrive, so a chunked
body cannot get past the limit and an oversized body is never held in memory.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import Headers
from starlette.types import Receive

from videos_toolkit.mock.errors import ApiError, bad_request, shown
from videos_toolkit.mock.multipart_form import Form, FormError, UploadedPart, read_form
from videos_toolkit.mock.operations import FILE_TYPE, SPEC_URI, Operation, Param, SpecIndex

if TYPE_CHECKING:
    from referencing._core import Resolver


FileAwareValidator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        FILE_TYPE, lambda _checker, value: isinstance(value, UploadedPart)
    ),
)


@dataclass(frozen=True)
class Received:
    """A request body as sent: its bytes, or the multipart form read as it arrived (its files
    closed once the request is answered), and its size (a form's: its text fields' characters)."""

    media_type: str
    raw: bytes
    form: Form | None
    size: int


def parse_json(raw: bytes) -> Any:
    """A JSON body (None when empty), or the 400 for one that is not JSON."""
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(
            f"The request body is not valid JSON ({exc.msg} at position {exc.pos}).", code="invalid_json"
        ) from exc


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    """The client closed the connection before its request body was complete."""


_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
    FILE_TYPE: "an uploaded file",
}


_BRACKETS = re.compile(r"([^\[\]]+)((?:\[[^\[\]]+\])*)")
_TEXT = frozenset({"string", "null"})
_NUMBER = re.compile(r"-?\d{1,300}(\.\d{1,300})?([eE][-+]?\d{1,4})?")


def _coerce(raw: str, types: frozenset[str]) -> Any:
    """Text of a query/path/form value -> the JSON value its schema's types call for; left as text
    when it does not parse, so the schema reports the type error with the client's own value. Where
    the schema admits text and another type too, text that reads as that type is taken as it."""
    if not types or types <= _TEXT:
        return raw
    if "integer" in types and re.fullmatch(r"-?\d{1,18}", raw):
        return int(raw)
    if "number" in types and _NUMBER.fullmatch(raw):  # float() would also take "nan" and "inf"
        number = float(raw)
        if math.isfinite(number):  # "1e999" stays text: no JSON number is infinite
            return number
    if "boolean" in types and raw in ("true", "false"):
        return raw == "true"
    return raw


def _param_name(prefix: str | None, path: Any) -> str | None:
    parts = [prefix] if prefix else []
    parts += [str(p) for p in path]
    return ".".join(parts) or None


def _type_list(schema: Mapping[str, Any]) -> list[str]:
    kinds = schema.get("type", [])
    return [kinds] if isinstance(kinds, str) else list(kinds)


def _reference_shape(schema: Mapping[str, Any]) -> str:
    """How a reference-object branch of a oneOf reads in a message: {"id": ...}."""
    required = schema.get("required") or []
    names = required or list(schema.get("properties", {}))
    if not names:
        return "an object"
    if required:
        return "{" + ", ".join(f'"{name}": ...' for name in names) + "}"
    return " or ".join("{" + f'"{name}": ...' + "}" for name in names)


def _deref(resolver: Resolver, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = resolver.lookup(schema["$ref"]).contents
    return schema


def explain(error: ValidationError, prefix: str | None, resolver: Resolver) -> ApiError:
    """One jsonschema error -> a 400 a person can act on, ``param`` naming the field."""
    param = _param_name(prefix, error.absolute_path)
    where = shown(param).strip() if param else "the request body"
    kind, value, schema = error.validator, error.instance, error.schema
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (value or {})]
        name = _param_name(param, [missing[0]]) if missing else param
        return bad_request(
            f"Missing required parameter: {shown(name)}.", param=name, code="missing_required_parameter"
        )
    if kind == "additionalProperties":
        allowed = set(schema.get("properties", {}))
        extra = sorted(key for key in value if key not in allowed) if isinstance(value, dict) else []
        name = _param_name(param, [extra[0]]) if extra else param
        return bad_request(
            f"Unrecognized request argument supplied: {shown(name)}.", param=name, code="unknown_parameter"
        )
    if kind in ("oneOf", "anyOf"):
        branches = [_deref(resolver, branch) for branch in error.validator_value]
        if isinstance(value, dict):
            # The value is an object: explain why the object branch rejected it (e.g. video.id).
            inner = [
                e
                for e in error.context or []
                if e.validator != "type" and e.validator not in ("oneOf", "anyOf")
            ]
            if inner:
                return explain(min(inner, key=_error_rank), prefix, resolver)
        objects = [b for b in branches if "object" in _type_list(b)]
        files = [b for b in branches if FILE_TYPE in _type_list(b)]
        if files and objects:
            shapes = " or ".join(_reference_shape(b) for b in objects)
            got = "a text field" if isinstance(value, str) else _show(value)
            first = (objects[0].get("required") or list(objects[0].get("properties", {})) or ["id"])[0]
            return bad_request(
                f"{where} must be an uploaded file or a reference object {shapes}; got {got}. In a multipart "
                f"body send a file part named {where} or bracket fields such as '{param}[{first}]'.",
                param=param,
                code="invalid_type",
            )
        expected = sorted({t for b in branches for t in _type_list(b)})
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected) or "one of the documented forms"
        text = f"Invalid value for {where}: expected {names}, got {_show(value)}."
        return bad_request(text, param=param, code="invalid_type")
    if kind == "enum":
        allowed = ", ".join(shown(v) if isinstance(v, str) else str(v) for v in error.validator_value)
        return bad_request(
            f"Invalid value for {where}: {_show(value)}. Expected one of {allowed}.",
            param=param,
            code="invalid_value",
        )
    if kind == "const":
        return bad_request(
            f"Invalid value for {where}: {_show(value)}. Expected {shown(error.validator_value)}.",
            param=param,
            code="invalid_value",
        )
    if kind == "type":
        expected = _type_list({"type": error.validator_value})
        if expected == [FILE_TYPE]:
            return bad_request(
                f"{where} must be an uploaded file (a multipart part with a filename), not a text field.",
                param=param,
                code="invalid_type",
            )
        if isinstance(value, UploadedPart):
            return bad_request(
                f"{where} must be a text field, not an uploaded file.", param=param, code="invalid_type"
            )
        if param is None:
            return bad_request("The request body must be a JSON object.", code="invalid_type")
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        return bad_request(
            f"Invalid type for {where}: expected {names}, got {_show(value)}.",
            param=param,
            code="invalid_type",
        )
    if kind in ("minLength", "maxLength"):
        bound = error.validator_value
        if kind == "minLength":
            text = "must not be empty" if bound == 1 else f"must be at least {bound} characters long"
            code = "string_below_min_length"
        else:
            text = f"must be at most {bound} characters long (got {len(value)})"
            code = "string_above_max_length"
        return bad_request(f"Invalid {where}: the value {text}.", param=param, code=code)
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        side = "below_min" if "inimum" in kind else "above_max"
        return bad_request(
            f"Invalid {where}: expected a value {relation} {error.validator_value}, "
            f"but got {_show(value)} instead.",
            param=param,
            code=f"integer_{side}_value",
        )
    if kind == "minProperties":
        names = ", ".join(shown(n) for n in schema.get("properties", {}))
        return bad_request(
            f"Invalid {where}: give at least one of {names}.", param=param, code="invalid_value"
        )
    return bad_request(f"Invalid value for {where}: {error.message}", param=param, code="invalid_value")


def _show(value: Any) -> str:
    if isinstance(value, UploadedPart):
        return "an uploaded file"
    if isinstance(value, str):
        return shown(value)
    try:
        # An uploaded file inside an object (multipart ``video[id]`` sent as a file) shows as <file>.
        text = orjson.dumps(value, default=_placeholder, option=orjson.OPT_PASSTHROUGH_DATACLASS).decode()
    except TypeError:
        text = type(value).__name__
    return text if len(text) <= 64 else text[:61] + "..."


def _placeholder(value: Any) -> str:
    if isinstance(value, UploadedPart):
        return "<file>"
    raise TypeError


def _error_rank(error: ValidationError) -> tuple[int, int, str]:
    # Missing fields first (the most actionable), then unknown fields, then the rest in field order.
    order = {"required": 0, "additionalProperties": 1}.get(error.validator, 2)
    return (order, len(error.absolute_path), ".".join(map(str, error.absolute_path)))


def first_error(validator: Any, instance: Any, prefix: str | None, resolver: Resolver) -> ApiError | None:
    errors = list(validator.iter_errors(instance))
    if not errors:
        return None
    return explain(min(errors, key=_error_rank), prefix, resolver)


# How many valid parameter values one operation remembers before it starts afresh.
VALID_PARAMS_KEPT = 4096


class OperationValidator:
    """Validators for one operation, built once."""

    def __init__(self, operation: Operation, index: SpecIndex) -> None:
        self.operation = operation
        self.resolver = index.registry.resolver(base_uri=SPEC_URI)

        def build(pointer: str) -> Any:
            return FileAwareValidator(index.validation_schema(pointer), registry=index.registry)

        self.params = [(param, build(param.schema_pointer)) for param in operation.params]
        self.query_names = frozenset(param.name for param, _ in self.params if param.location == "query")
        self.bodies = {mt: build(ptr) for mt, ptr in operation.body.content.items()} if operation.body else {}
        self.field_types = operation.body.field_types if operation.body else {}
        # (name, type, value) of parameter values already found valid: see _check_param.
        self._valid_params: dict[tuple[str, type, Any], None] = {}

    def check_params(
        self, path_values: dict[str, str], query: list[tuple[str, str]], headers: Headers
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        path: dict[str, Any] = {}
        found: dict[str, Any] = {}
        query_map: dict[str, list[str]] = {}
        for key, value in query:
            query_map.setdefault(key, []).append(value)
        if unknown := sorted(set(query_map) - self.query_names):
            raise bad_request(
                f"Unknown query parameter {shown(unknown[0])}. This operation takes: "
                f"{', '.join(sorted(self.query_names)) or 'none'}.",
                param=unknown[0],
                code="unknown_parameter",
            )
        for param, validator in self.params:
            if param.location == "path":
                raw: str | None = path_values.get(param.name)
            elif param.location == "query" and param.item_types and param.name in query_map:
                found[param.name] = self._query_array(param, validator, query_map[param.name])
                continue
            elif param.location == "query":
                values = query_map.get(param.name, [])
                if len(values) > 1:
                    raise bad_request(
                        f"Parameter {shown(param.name)} was given more than once.", param=param.name
                    )
                raw = values[0] if values else None
            else:
                raw = headers.get(param.name)
            if raw is None:
                if param.required:
                    raise bad_request(
                        f"Missing required parameter: {shown(param.name)}.",
                        param=param.name,
                        code="missing_required_parameter",
                    )
                if param.default is not None:
                    found[param.name] = param.default
                continue
            value = _coerce(raw, param.types)
            self._check_param(param.name, validator, value)
            (path if param.location == "path" else found)[param.name] = value
        return path, found

    def _query_array(self, param: Param, validator: Any, values: list[str]) -> list[Any]:
        """An array in the query: ``?k=1&k=2`` (form, explode: OpenAPI's default) or ``?k=1,2``."""
        if not param.explode:
            values = [item for value in values for item in value.split(",")]
        items = [_coerce(value, param.item_types) for value in values]
        if error := first_error(validator, items, param.name, self.resolver):
            raise error
        return items

    def _check_param(self, name: str, validator: Any, value: Any) -> None:
        """Raise the 400 for an invalid parameter value. A value found valid once is not validated
        again: the verdict depends on the value alone, and clients repeat the same few ids, limits
        and cursors (a poller asks for one id until it is done). Keyed by type too, as True == 1."""
        key = (name, type(value), value)
        if key in self._valid_params:
            return
        if error := first_error(validator, value, name, self.resolver):
            raise error
        if len(self._valid_params) >= VALID_PARAMS_KEPT:
            self._valid_params.clear()
        self._valid_params[key] = None

    async def receive_body(self, headers: Headers, receive: Receive, limit: int) -> Received | None:
        """The body as sent, read and parsed but not yet checked against the contract (a journal
        keeps what a refused request sent too); None for an operation that takes no body."""
        if self.operation.body is None:
            return None
        content_type = headers.get("content-type")
        media_type = content_type.split(";", 1)[0].strip().lower() if content_type else ""
        if media_type not in self.bodies:
            accepted = " or ".join(self.bodies)
            got = (
                f"Unsupported Content-Type {shown(content_type)}"
                if content_type
                else "Missing Content-Type header"
            )
            raise ApiError(415, f"{got}. Send {accepted}.", code="unsupported_media_type")
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise bad_request("Invalid Content-Length header.", code="invalid_request")
            if int(declared) > limit:
                raise _too_large(limit)
        stream = _limited_stream(receive, limit)
        try:
            if media_type == "multipart/form-data":
                try:
                    form = await read_form(content_type or "", stream, max_files=32, max_fields=256)
                except FormError as exc:
                    code = "invalid_multipart" if exc.field is None else "invalid_value"
                    message = f"Malformed multipart body: {exc.message}."
                    raise bad_request(message, param=exc.field, code=code) from exc
                return Received(
                    media_type, b"", form, sum(len(v) for _, v in form.items if isinstance(v, str))
                )
            raw = b"".join([chunk async for chunk in stream])
        except BodyTooLarge as exc:
            raise _too_large(limit) from exc
        return Received(media_type, raw, None, len(raw))

    def check_body(self, received: Received | None) -> Any:
        """The body as the handler takes it (multipart fields nested), or the 400 it deserves."""
        if received is None:
            return None
        if received.form is not None:
            instance = nested_form(received.form.items, self.field_types.get(received.media_type, {}))
        else:
            instance = parse_json(received.raw)
        if instance is None:
            if self.operation.body is not None and self.operation.body.required:
                raise bad_request("The request body is empty; this operation needs one.", code="missing_body")
            return None
        if error := first_error(self.bodies[received.media_type], instance, None, self.resolver):
            raise error
        return instance


def nested_form(items: Sequence[tuple[str, Any]], types: dict[str, frozenset[str]]) -> dict[str, Any]:
    """Flat multipart fields -> nested object: ``video[id]=x`` -> ``{"video": {"id": "x"}}``, each
    text read as its field's types call for (``types``: an operation's ``Body.field_types``), an
    array field's parts (``tags`` or ``tags[]``, once per item) gathered into a list. A conflict
    (a field sent twice, or as a value and as bracket fields) is a 400."""
    out: dict[str, Any] = {}
    for name, raw in items:
        listed = name.endswith("[]")  # `tags[]`: an array's item, as the openai SDK sends one
        match = _BRACKETS.fullmatch(name[:-2] if listed else name)
        keys = [match.group(1), *re.findall(r"\[([^\[\]]+)\]", match.group(2))] if match else [name]
        dotted = ".".join(keys)
        array = listed or "array" in types.get(dotted, ())
        value: Any = (
            raw
            if isinstance(raw, UploadedPart)
            else _coerce(raw, types.get(f"{dotted}[]" if array else dotted, frozenset()))
        )
        node = out
        for depth, key in enumerate(keys[:-1]):
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                field_name = ".".join(keys[: depth + 1])
                raise bad_request(
                    f"{shown(field_name)} was sent both as a value and as bracket fields ({name}); "
                    "send one form.",
                    param=field_name,
                )
            node = child
        if array:
            # An array field is sent as one part per item (as openapi-python-client and curl -F
            # do), each read as its items' schema calls for.
            node.setdefault(keys[-1], []).append(value)
            continue
        if keys[-1] in node:
            what = (
                "as a value and as bracket fields" if isinstance(node[keys[-1]], dict) else "more than once"
            )
            raise bad_request(f"Parameter {shown(dotted)} was given {what}.", param=dotted)
        node[keys[-1]] = value
    return out


def _too_large(limit: int) -> ApiError:
    mib = limit / (1024 * 1024)
    size = f"{mib:g} MiB" if mib >= 1 else f"{limit} bytes"
    return ApiError(413, f"Request body is larger than the {size} limit.", code="request_too_large")


async def _limited_stream(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone  # not the end of a body: nothing of a cut-off request is acted on
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return
