"""The effective spec: openapi.yaml with every overlay applied, validated."""

import hashlib
import json
from collections.abc import Callable, Hashable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from videos_toolkit.json_pointer import resolve
from videos_toolkit.overlay import OverlayError, apply_overlays, overlay_steps
from videos_toolkit.paths import ROOT, overlay_paths, spec_path
from videos_toolkit.schema_values import completed
from videos_toolkit.yaml_loader import YamlSyntaxError, load_yaml

# Maps whose keys are names the document chooses (a property called "value" or "example" is a
# schema, not data), as opposed to objects whose keys are keywords.
_NAME_MAPS = frozenset(
    {
        "$defs",
        "callbacks",
        "content",
        "dependentSchemas",
        "encoding",
        "examples",
        "headers",
        "links",
        "parameters",
        "pathItems",
        "paths",
        "patternProperties",
        "properties",
        "requestBodies",
        "responses",
        "schemas",
        "securitySchemes",
        "webhooks",
    }
)
_URI = "urn:videos-toolkit:effective-spec"  # the document's base, for resolving its local $refs
# Keywords whose value is literal data (an example, a default, an enum value), never a schema:
# a "$ref" key in there is data and is not resolved.
_DATA_KEYWORDS = frozenset({"const", "default", "enum", "example", "value"})


def _short(message: str, limit: int = 300) -> str:
    """A validator message on one line, cut short: some quote the whole document they reject."""
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class SpecError(ValueError):
    """The contract, or the contract with its overlays, is not a valid OpenAPI document."""


def build_effective_spec(root: Path = ROOT) -> dict[str, Any]:
    """Load openapi.yaml, apply overlays/*.yaml in name order and validate the result."""
    path = spec_path(root)
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlSyntaxError) as exc:
        raise SpecError(f"{path}: cannot read the contract: {exc}") from exc
    try:
        effective = apply_overlays(document, overlay_paths(root))
    except OverlayError as exc:
        raise SpecError(f"overlays/{exc}") from exc
    # Before the validator, which follows every $ref and fails on a dangling one with a traceback
    # quoting the whole document.
    dangling = dangling_refs(effective)
    if dangling:
        raise SpecError(_dangling_message(dangling, _introduced_by(document, root, dangling_refs)))
    try:
        validate(effective)
    except OpenAPIValidationError as exc:
        find = _holding(exc)
        if found := find(effective):  # where in the document, and the overlay action that put it there
            raise SpecError(_first_of(found, _introduced_by(document, root, find), "invalid value")) from None
        where = "/".join(str(part) for part in exc.absolute_path) or "<root>"
        raise SpecError(
            f"{path} with overlays is not valid OpenAPI 3.1 at {where}: {_short(exc.message)}"
        ) from exc
    except Unresolvable as exc:  # a reference dangling_refs does not follow (not within the document)
        raise SpecError(f"{path} with overlays: cannot resolve $ref {exc.ref!r}") from None
    mismatched = enum_varname_mismatches(effective)
    if mismatched:
        raise SpecError(_enum_message(mismatched, _introduced_by(document, root, enum_varname_mismatches)))
    if undefined := undefined_required(effective):
        message = _first_of(
            undefined, _introduced_by(document, root, undefined_required), "undefined required name"
        )
        raise SpecError(message)
    if stale := dangling_links(effective):
        raise SpecError(_first_of(stale, _introduced_by(document, root, dangling_links), "dangling link"))
    if wrong := example_mismatches(effective):
        raise SpecError(_first_of(wrong, _introduced_by(document, root, example_mismatches), "wrong example"))
    return effective


def contract_digest(spec: dict[str, Any]) -> str:
    """A digest of an effective spec: any change to the contract or an overlay changes it, and
    only that (key order and formatting do not)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@cache
def effective_spec() -> dict[str, Any]:
    """The effective spec of this checkout, built once per process. Treat it as read-only."""
    return build_effective_spec()


def dangling_refs(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Every local ``$ref`` (one starting with ``#``) that points to nothing, in document order:
    (JSON pointer of the object holding the $ref, the $ref) -> a readable description."""
    found: dict[tuple[str, str], str] = {}
    registry: Registry = Registry().with_resource(_URI, DRAFT202012.create_resource(document))
    for parts, node in _objects(document):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and not _resolves(registry, ref):
            site = _pointer(parts)
            found[(site, ref)] = f"$ref {ref!r} at {site} points to nothing"
    return found


def undefined_required(document: dict[str, Any]) -> dict[tuple[str], str]:
    """Every schema that requires a property it does not define (a typo, or a property renamed or
    removed and still required): the generator drops it without a word, and the mock, filling in
    required fields, sends it as null. A schema whose required names may be defined elsewhere
    (allOf, ..., additionalProperties with a schema) is left alone."""
    combining = (
        *("allOf", "anyOf", "oneOf", "$ref", "patternProperties", "if", "then", "else"),
        *("dependentSchemas", "unevaluatedProperties"),
    )
    found: dict[tuple[str], str] = {}
    for parts, node in _objects(document):
        properties, required = node.get("properties"), node.get("required")
        if not isinstance(properties, dict) or not isinstance(required, list):
            continue
        extra = node.get("additionalProperties")
        if any(key in node for key in combining) or extra is True or isinstance(extra, dict):
            continue  # what it requires may come from elsewhere
        for name in required:
            if isinstance(name, str) and name not in properties:
                site = _pointer(parts)
                found[(site,)] = (
                    f"{site} requires {name!r}, which its properties do not define (defined: "
                    f"{', '.join(properties) or 'none'})"
                )
                break
    return found


def dangling_links(document: dict[str, Any]) -> dict[tuple[str], str]:
    """Every link whose operationId names no operation: one left behind when its operation was
    removed, which the fuzzer's stateful phase stops at (an engine error, every chain lost)."""
    operations = {
        operation.get("operationId")
        for item in document.get("paths", {}).values()
        if isinstance(item, dict)
        for operation in item.values()
        if isinstance(operation, dict)
    }
    found: dict[tuple[str], str] = {}
    for parts, node in _objects(document):
        target = node.get("operationId")
        if parts[-2:-1] == ("links",) and isinstance(target, str) and target not in operations:
            site = _pointer(parts)
            found[(site,)] = (
                f"the link at {site} names operationId {target!r}, which no operation has "
                "(remove or change the links to an operation along with it)"
            )
    return found


def enum_varname_mismatches(document: dict[str, Any]) -> dict[tuple[str], str]:
    """Every schema whose ``x-enum-varnames`` does not name each (non-null) ``enum`` value once,
    and every enum that repeats a value or a name.

    openapi-python-client uses the names only when the counts are equal; otherwise it silently
    names every member VALUE_0, VALUE_1, ..., renaming the members client code already uses. A
    repeated value or name stops it with a long traceback instead.
    """
    found: dict[tuple[str], str] = {}
    for parts, node in _objects(document):
        names, values = node.get("x-enum-varnames"), node.get("enum")
        if not isinstance(values, list):
            continue
        where = _pointer(parts)
        if repeated := _repeated(values):
            found[(where,)] = f"{where} lists the enum value {repeated!r} twice: list each value once"
            continue
        if names is None:
            continue
        if isinstance(names, list) and (repeated := _repeated(names)):
            found[(where,)] = (
                f"{where} has the x-enum-varnames name {repeated!r} twice: give each value its own name"
            )
            continue
        count = sum(value is not None for value in values)  # null becomes Optional, not a member
        named = len(names) if isinstance(names, list) else 0
        if named == count:
            continue
        fix = (
            "add a name to x-enum-varnames for each new enum value"
            if named < count
            else "remove from x-enum-varnames the names of removed enum values"
        )
        found[(where,)] = (
            f"{where} has {count} enum values but {named} x-enum-varnames, so the generated client "
            f"would silently rename every member to VALUE_0..VALUE_{max(count - 1, 0)}: {fix} "
            f"(one name per value, in the same order: all {count}; where the schema had no "
            "x-enum-varnames, leave them out)"
        )
    return found


def _repeated(items: list[Any]) -> Any:
    """The first item that comes again later in ``items`` (compared as JSON: 1 and True differ)."""
    seen: set[str] = set()
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            return item
        seen.add(key)
    return None


def example_mismatches(document: dict[str, Any]) -> dict[tuple[str], str]:
    """Every example of a request or response body that states something its schema forbids (the
    mock answers with examples, and the client's docs show them). A required property an example
    leaves out is not counted: the mock fills it in (schema_values.completed), so a contract change
    that makes a field required does not mean editing every example."""
    found: dict[tuple[str], str] = {}
    components = document.get("components", {})
    for parts, media in _objects(document):
        schema = media.get("schema")
        if not isinstance(schema, dict) or not ("example" in media or "examples" in media):
            continue
        validator = Draft202012Validator({**schema, "components": components})
        named = [("example", media["example"])] if "example" in media else []
        for name, item in (media.get("examples") or {}).items():
            item, _ = resolve(document, item, "")
            if isinstance(item, dict) and "value" in item:  # not an externalValue: one to check
                named.append((f"examples/{name}", item["value"]))
        for where, value in named:
            error = best_match(validator.iter_errors(completed(document, schema, value)))
            if error is not None:
                pointer = _pointer((*parts, *where.split("/")))
                at = "/" + "/".join(str(p) for p in error.absolute_path)
                found[(pointer,)] = f"{pointer} does not match its schema at {at}: {_short(error.message)}"
    return found


def _holding(exc: OpenAPIValidationError) -> Callable[[dict[str, Any]], dict[tuple[str], str]]:
    """A finder of the places in a document holding what the validator rejected. Its path is
    relative to the schema object it was validating (``properties/fps/type``, not which schema),
    so every object the path leads from to the rejected value is a candidate."""
    relative = [str(part) for part in exc.absolute_path]
    message = _short(exc.message)

    def find(document: dict[str, Any]) -> dict[tuple[str], str]:
        found: dict[tuple[str], str] = {}
        for parts, node in _objects(document):
            value: Any = node
            for key in relative:
                if isinstance(value, dict) and key in value:
                    value = value[key]
                elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                    value = value[int(key)]
                else:
                    break
            else:
                if value == exc.instance:
                    where = _pointer((*parts, *relative))
                    found[(where,)] = f"{where} is not valid OpenAPI 3.1: {message}"
        return found

    return find


def _objects(
    node: Any, parts: tuple[str, ...] = (), names: bool = False
) -> Iterator[tuple[tuple[str, ...], dict]]:
    """Every object of the document that OpenAPI gives meaning to, with its location; literal
    data (examples, defaults, enum values, x- extensions) is not entered."""
    if isinstance(node, dict):
        if not names:
            yield parts, node
        for key, value in node.items():
            key = str(key)
            if not names and (key in _DATA_KEYWORDS or key.startswith("x-")):
                continue
            if not names and key == "examples" and isinstance(value, list):  # JSON Schema's list
                continue
            yield from _objects(value, (*parts, key), names=not names and key in _NAME_MAPS)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _objects(item, (*parts, str(index)))


def _resolves(registry: Registry, ref: str) -> bool:
    """Whether a local JSON pointer (``~0``/``~1`` escapes and percent-encoding decoded, as
    ``referencing`` does for the validator) lands on something in the document."""
    try:
        registry.resolver(_URI).lookup(ref)
    except Unresolvable:
        return False
    return True


def _pointer(parts: tuple[str, ...]) -> str:
    return "#" + "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _introduced_by(
    document: dict[str, Any], root: Path, find: Callable[[dict[str, Any]], dict[Any, str]]
) -> dict[Hashable, str]:
    """For each problem `find` reports on the effective spec, the overlay action (or the
    contract) after which it appeared and stayed. Replays the overlays: only on the error path."""
    origin = {key: str(spec_path(root).name) for key in find(document)}
    present = set(origin)
    for where, step in overlay_steps(document, overlay_paths(root)):
        now = set(find(step))
        for key in now - present:
            origin[key] = f"overlays/{where}"
        present = now
    return origin


def _dangling_message(dangling: dict[tuple[str, str], str], origin: dict[Hashable, str]) -> str:
    return _first_of(dangling, origin, "unresolvable $ref")


def _enum_message(mismatched: dict[tuple[str], str], origin: dict[Hashable, str]) -> str:
    return _first_of(mismatched, origin, "schema with mismatched x-enum-varnames")


def _first_of(problems: dict[Any, str], origin: dict[Hashable, str], kind: str) -> str:
    key, text = next(iter(problems.items()))
    message = f"{origin.get(key, 'openapi.yaml')}: {text}"
    others = len(problems) - 1
    if others:
        rest = ", ".join(k[0] if len(k) == 1 else f"{k[1]!r} at {k[0]}" for k in list(problems)[1:4])
        more = ", ..." if others > 3 else ""
        message += f" (and {others} more {kind}{'s' if others > 1 else ''}: {rest}{more})"
    return message
