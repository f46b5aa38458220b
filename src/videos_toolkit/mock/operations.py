"""The effective spec compiled once into plain records the mock reads per request.

Everything the mock knows about the API's shape comes from here: operations and their paths,
parameters, request bodies, security and documented responses, plus the JSON Schema registry the
validators resolve ``$ref``s against. No spec walking happens after start-up.
"""

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from videos_toolkit.json_pointer import pointer_escape, pointer_get, resolve

SPEC_URI = "urn:videos-toolkit:effective-spec"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_labels(spec: dict[str, Any]) -> list[str]:
    """Every operation as "METHOD /path" ("POST /videos", as schemathesis labels it), in the spec's order."""
    return [
        f"{method.upper()} {path}"
        for path, item in spec.get("paths", {}).items()
        for method in item
        if method in HTTP_METHODS
    ]


def operation_shape(label: str) -> str:
    """An operation's label with its path parameters unnamed (``GET /videos/{}/content``): the
    same operation whatever a contract names them (OpenAPI forbids two paths that differ only so)."""
    return re.sub(r"\{[^}/]*\}", "{}", label)


# The JSON Schema type that only an uploaded multipart file part satisfies (see validation.py).
FILE_TYPE = "file"


@dataclass(frozen=True)
class Param:
    name: str
    location: str  # path | query | header
    required: bool
    schema_pointer: str
    # JSON types the schema admits, used to coerce the raw text of a query/path/header value.
    types: frozenset[str]
    default: Any = None
    # For an array: the types its items admit, and whether items come as repeated keys (form,
    # explode: true, OpenAPI's default for query) or as one comma-separated value.
    item_types: frozenset[str] = frozenset()
    explode: bool = True


@dataclass(frozen=True)
class Body:
    required: bool
    # media type -> pointer of its schema
    content: dict[str, str]
    # media type -> {dotted field path: JSON types}, for coercing multipart text fields
    field_types: dict[str, dict[str, frozenset[str]]]


@dataclass(frozen=True)
class ResponseSpec:
    # media type -> schema pointer (None for a binary body that is not validated as JSON)
    content: dict[str, str | None]
    # header name (lower case) -> (required, schema pointer)
    headers: dict[str, tuple[bool, str | None]]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...]
    body: Body | None
    needs_auth: bool
    responses: dict[str, ResponseSpec]
    pointer: str

    def response_key(self, status: int) -> str | None:
        """The key of the documented response for ``status``: itself, then ``4XX``, then ``default``."""
        code = str(status)
        return next((key for key in (code, f"{code[0]}XX", "default") if key in self.responses), None)

    def response_for(self, status: int) -> ResponseSpec | None:
        key = self.response_key(status)
        return self.responses[key] if key is not None else None


@dataclass
class SpecIndex:
    spec: dict[str, Any]
    operations: dict[str, Operation]
    registry: Registry
    base_paths: tuple[str, ...]
    # path template -> {METHOD: Operation}
    paths: dict[str, dict[str, Operation]] = field(default_factory=dict)
    # the spec as validators see it: file schemas marked (see _mark_file_schemas)
    validation_spec: dict[str, Any] = field(default_factory=dict)

    def schema(self, pointer: str) -> dict[str, Any]:
        """A schema by pointer, refs followed (compile-time use only)."""
        node, _ = resolve(self.spec, pointer_get(self.spec, pointer), pointer)
        return node

    def validation_schema(self, pointer: str) -> Any:
        """The schema at ``pointer`` with its local ``$ref``s inlined, for building a validator at
        start-up: validating then follows no reference per request (compile-time use only)."""
        return inline_refs(pointer_get(self.validation_spec, pointer), self.validation_spec)


def is_binary_schema(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") == "string" and node.get("format") == "binary"


def _mark_file_schemas(node: Any) -> Any:
    """Rewrite every ``{type: string, format: binary}`` so that only an uploaded file matches it:
    a text field where a file is expected must fail, not pass as a string."""
    if isinstance(node, dict):
        out = {key: _mark_file_schemas(value) for key, value in node.items()}
        if is_binary_schema(node):
            out["type"] = FILE_TYPE
        return out
    if isinstance(node, list):
        return [_mark_file_schemas(item) for item in node]
    return node


def inline_refs(node: Any, root: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """A copy of ``node`` with every local ``$ref`` replaced by its target. A ``$ref`` with sibling
    keywords becomes ``allOf: [target]`` next to them (both apply in JSON Schema 2020-12). A
    recursive reference is kept, made absolute so that the registry resolves it."""
    if isinstance(node, list):
        return [inline_refs(item, root, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#")):
        return {key: inline_refs(value, root, seen) for key, value in node.items()}
    siblings = {key: inline_refs(value, root, seen) for key, value in node.items() if key != "$ref"}
    if ref in seen:
        return {**siblings, "$ref": SPEC_URI + ref}
    target = inline_refs(pointer_get(root, ref[1:]), root, (*seen, ref))
    if not siblings:
        return target
    return {**siblings, "allOf": [*siblings.get("allOf", []), target]}


def schema_types(spec: dict[str, Any], schema: Any, pointer: str = "") -> frozenset[str]:
    """The JSON types a schema admits (through refs, anyOf/oneOf/allOf, enum and const)."""
    schema, pointer = resolve(spec, schema, pointer)
    if not isinstance(schema, dict):
        return frozenset()
    kinds = schema.get("type")
    if isinstance(kinds, str):
        return frozenset({FILE_TYPE if is_binary_schema(schema) else kinds})
    if isinstance(kinds, list):
        return frozenset(kinds)
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for index, branch in enumerate(schema.get(key, [])):
            found |= schema_types(spec, branch, f"{pointer}/{key}/{index}")
    for value in schema.get("enum", []) + ([schema["const"]] if "const" in schema else []):
        found.add(
            {str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), "string")
        )
    return frozenset(found)


def item_types(spec: dict[str, Any], schema: Any, pointer: str = "") -> frozenset[str]:
    """The types the items of an array schema admit (empty when it is not an array)."""
    schema, pointer = resolve(spec, schema, pointer)
    if not isinstance(schema, dict) or "items" not in schema:
        return frozenset()
    return schema_types(spec, schema["items"], f"{pointer}/items")


def _iter_properties(
    spec: dict[str, Any], schema: Any, pointer: str, prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, frozenset[str]]]:
    """(dotted field name, the types it admits); an array field's items also as ``name[]``."""
    schema, pointer = resolve(spec, schema, pointer)
    if not isinstance(schema, dict) or depth > 4:
        return
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        sub_pointer = f"{pointer}/properties/{pointer_escape(name)}"
        yield path, schema_types(spec, sub, sub_pointer)
        if items := item_types(spec, sub, sub_pointer):
            yield f"{path}[]", items
        yield from _iter_properties(spec, sub, sub_pointer, f"{path}.", depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        for index, branch in enumerate(schema.get(key, [])):
            yield from _iter_properties(spec, branch, f"{pointer}/{key}/{index}", prefix, depth + 1)


def _base_paths(spec: dict[str, Any]) -> tuple[str, ...]:
    # The servers' path parts (e.g. /v1) are accepted as prefixes, and so are bare paths.
    prefixes = {urlsplit(server.get("url", "")).path.rstrip("/") for server in spec.get("servers", [])}
    prefixes.discard("")
    return tuple(sorted(prefixes, key=len, reverse=True))


def compile_spec(spec: dict[str, Any]) -> SpecIndex:
    validation_spec = _mark_file_schemas(copy.deepcopy(spec))
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(validation_spec, default_specification=DRAFT202012)
    )
    global_security = spec.get("security", [])
    index = SpecIndex(
        spec=spec,
        operations={},
        registry=registry,
        base_paths=_base_paths(spec),
        validation_spec=validation_spec,
    )
    for path, path_item in spec.get("paths", {}).items():
        path_pointer = f"/paths/{pointer_escape(path)}"
        path_item, path_pointer = resolve(spec, path_item, path_pointer)
        shared = _params(spec, path_item.get("parameters", []), f"{path_pointer}/parameters")
        for method in HTTP_METHODS:
            if method not in path_item:
                continue
            op_pointer = f"{path_pointer}/{method}"
            raw = path_item[method]
            own = _params(spec, raw.get("parameters", []), f"{op_pointer}/parameters")
            merged = {(p.name, p.location): p for p in shared} | {(p.name, p.location): p for p in own}
            security = raw.get("security", global_security)
            operation = Operation(
                operation_id=raw.get("operationId") or f"{method} {path}",
                method=method.upper(),
                path=path,
                params=tuple(merged.values()),
                body=_body(spec, raw.get("requestBody"), f"{op_pointer}/requestBody"),
                # An empty requirement object ({}) in the list makes auth optional.
                needs_auth=bool(security) and all(requirement for requirement in security),
                responses=_responses(spec, raw.get("responses", {}), f"{op_pointer}/responses"),
                pointer=op_pointer,
            )
            index.operations[operation.operation_id] = operation
            index.paths.setdefault(path, {})[operation.method] = operation
    return index


def _params(spec: dict[str, Any], raw: list[Any], pointer: str) -> list[Param]:
    params = []
    for position, item in enumerate(raw):
        node, node_pointer = resolve(spec, item, f"{pointer}/{position}")
        if node.get("in") not in ("path", "query", "header"):
            continue  # cookie parameters are not part of this API
        schema_pointer = f"{node_pointer}/schema"
        schema, resolved_pointer = resolve(spec, node.get("schema", {}), schema_pointer)
        params.append(
            Param(
                name=node["name"],
                location=node["in"],
                required=bool(node.get("required")) or node["in"] == "path",
                schema_pointer=schema_pointer,
                types=schema_types(spec, node.get("schema", {}), schema_pointer),
                default=schema.get("default") if isinstance(schema, dict) else None,
                item_types=item_types(spec, schema, resolved_pointer),
                explode=node.get("explode", node.get("style", "form") == "form"),
            )
        )
    return params


def _body(spec: dict[str, Any], raw: Any, pointer: str) -> Body | None:
    if raw is None:
        return None
    node, node_pointer = resolve(spec, raw, pointer)
    content: dict[str, str] = {}
    field_types: dict[str, dict[str, frozenset[str]]] = {}
    for media_type, media in node.get("content", {}).items():
        schema_pointer = f"{node_pointer}/content/{pointer_escape(media_type)}/schema"
        content[media_type.lower()] = schema_pointer
        field_types[media_type.lower()] = dict(
            _iter_properties(spec, media.get("schema", {}), schema_pointer)
        )
    return Body(required=bool(node.get("required")), content=content, field_types=field_types)


def _responses(spec: dict[str, Any], raw: dict[str, Any], pointer: str) -> dict[str, ResponseSpec]:
    responses: dict[str, ResponseSpec] = {}
    for status, item in raw.items():
        node, node_pointer = resolve(spec, item, f"{pointer}/{pointer_escape(str(status))}")
        content: dict[str, str | None] = {}
        for media_type, media in node.get("content", {}).items():
            schema_pointer = f"{node_pointer}/content/{pointer_escape(media_type)}/schema"
            schema, _ = resolve(spec, media.get("schema", {}), schema_pointer)
            binary = is_binary_schema(schema) or not re.search(r"[/+]json$", media_type.lower())
            content[media_type.lower()] = None if binary else schema_pointer
        headers: dict[str, tuple[bool, str | None]] = {}
        for name, header in node.get("headers", {}).items():
            header_node, header_pointer = resolve(
                spec, header, f"{node_pointer}/headers/{pointer_escape(name)}"
            )
            schema_pointer = f"{header_pointer}/schema" if "schema" in header_node else None
            headers[name.lower()] = (bool(header_node.get("required")), schema_pointer)
        responses[str(status).upper()] = ResponseSpec(content=content, headers=headers)
    return responses
