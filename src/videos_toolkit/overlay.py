"""OpenAPI Overlay 1.0 applier: `actions` with RFC 9535 JSONPath targets, `update` and `remove`.

Semantics (Overlay Specification 1.0.0, section 4.4.3):
- `update` on an object is merged recursively into it (objects merge, other values replace,
  arrays are appended to); `update` on an array appends the value (or each item of a list);
- `remove: true` deletes every matched node from its parent;
- a target that matches nothing is an error here, because a silent no-op is how overlays rot.
Every error names the overlay file and the action index, so a user can find the line to fix.
"""

import copy
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonpath_rfc9535 as jsonpath

from videos_toolkit.yaml_loader import YamlSyntaxError, load_json, load_yaml

_VERSION = re.compile(r"^1\.0\.\d+$")


class OverlayError(ValueError):
    """An overlay document is malformed or one of its actions cannot be applied."""


def load_overlay(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        loaded = load_json(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (OSError, YamlSyntaxError) as exc:
        raise OverlayError(f"{path.name}: cannot read the overlay: {exc}") from exc
    if not isinstance(loaded, dict):
        raise OverlayError(f"{path.name}: an overlay must be a YAML mapping, got {type(loaded).__name__}")
    return loaded


def apply_overlays(document: dict[str, Any], paths: Iterable[Path]) -> dict[str, Any]:
    """Apply the overlay files in file-name order; the input document is left untouched."""
    result: dict[str, Any] | None = None
    for _where, step in overlay_steps(document, paths):
        result = step
    return copy.deepcopy(document) if result is None else result


def overlay_steps(document: dict[str, Any], paths: Iterable[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Apply the overlay files like `apply_overlays`, yielding after each action its label
    ("20-x.yaml: action 0 (target '$.info')") and the document so far.

    The yielded document is one working copy that later actions go on changing: look at it
    before asking for the next step. Used to tell which action introduced a problem.
    """
    result = copy.deepcopy(document)
    for path in sorted(paths, key=lambda p: p.name):
        actions = _checked_actions(load_overlay(path), path.name)
        for index, action in enumerate(actions):
            where = _action_label(path.name, index, action)
            result = _apply_action(result, action, where)
            yield where, result


def apply_overlay(
    document: dict[str, Any], overlay: dict[str, Any], source: str = "<overlay>"
) -> dict[str, Any]:
    """Return a copy of `document` with every action of `overlay` applied in order."""
    actions = _checked_actions(overlay, source)
    result = copy.deepcopy(document)
    for index, action in enumerate(actions):
        result = _apply_action(result, action, _action_label(source, index, action))
    return result


def _action_label(source: str, index: int, action: dict[str, Any]) -> str:
    return f"{source}: action {index} (target {action.get('target')!r})"


# Overlay 1.0.0's fields; any other is a mistake (an `updat:` would otherwise be read as an
# action with no update), except the specification extensions, x-*.
OVERLAY_FIELDS = ("overlay", "info", "extends", "actions")
ACTION_FIELDS = ("target", "description", "update", "remove")


def _known_fields(mapping: dict[str, Any], known: tuple[str, ...], where: str, what: str) -> None:
    for name in mapping:
        if name not in known and not (isinstance(name, str) and name.startswith("x-")):
            raise OverlayError(
                f"{where}: unknown field {name!r} ({what} has {', '.join(known)}, and x- extensions)"
            )


def _checked_actions(overlay: dict[str, Any], source: str) -> list[dict[str, Any]]:
    version = overlay.get("overlay")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise OverlayError(f"{source}: 'overlay' must be a 1.0.x version string, got {version!r}")
    info = overlay.get("info")
    if not isinstance(info, dict) or not info.get("title") or not info.get("version"):
        raise OverlayError(f"{source}: 'info' must have a 'title' and a 'version'")
    _known_fields(overlay, OVERLAY_FIELDS, source, "an overlay")
    actions = overlay.get("actions")
    if not isinstance(actions, list) or not actions:
        raise OverlayError(f"{source}: 'actions' must be a non-empty list")
    for index, action in enumerate(actions):
        where = f"{source}: action {index}"
        if not isinstance(action, dict):
            raise OverlayError(f"{where}: an action must be a mapping")
        _known_fields(action, ACTION_FIELDS, where, "an action")
        if not isinstance(action.get("target"), str) or not action["target"]:
            raise OverlayError(f"{where}: 'target' must be a JSONPath string")
        removes = action.get("remove", False)
        if not isinstance(removes, bool):
            raise OverlayError(f"{where}: 'remove' must be true or false")
        if removes == ("update" in action):
            raise OverlayError(f"{where}: give exactly one of 'update' or 'remove: true'")
    return actions


_SIMPLE_PATH = re.compile(r"\$((?:\.[A-Za-z_][\w-]*|\['[^']*'\]|\[\"[^\"]*\"\])+)")
_STEP = re.compile(r"\.([A-Za-z_][\w-]*)|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def _ref_in_the_way(document: dict[str, Any], target: str) -> str:
    """A hint when a plain path (names only) runs into a ``$ref`` on its way: JSONPath matches the
    document as written and does not follow references, a common surprise."""
    if not (simple := _SIMPLE_PATH.fullmatch(target)):
        return ""
    node: Any = document
    for dotted, single, double in _STEP.findall(simple.group(1)):
        name = dotted or single or double
        if isinstance(node, dict) and name not in node and isinstance(node.get("$ref"), str):
            return (
                f" (the path reaches {{'$ref': {node['$ref']!r}}} before {name!r}: a target does not follow "
                "references; aim at the schema the $ref names)"
            )
        if not isinstance(node, dict) or name not in node:
            return ""
        node = node[name]
    return ""


def _apply_action(document: dict[str, Any], action: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        query = jsonpath.compile(action["target"])
    except jsonpath.JSONPathError as exc:
        raise OverlayError(f"{where}: invalid JSONPath: {exc}") from exc
    locations = [node.location for node in query.finditer(document)]
    if not locations:
        hint = _ref_in_the_way(document, action["target"])
        raise OverlayError(f"{where}: the target matched no node{hint}")
    if action.get("remove"):
        return _remove_all(document, locations, where)
    for location in locations:
        target = _resolve(document, location)
        if isinstance(target, dict):
            if not isinstance(action["update"], dict):
                raise OverlayError(f"{where}: an object can only be updated with an object")
            _merge(target, action["update"])
        elif isinstance(target, list):
            _append(target, action["update"])
        else:
            raise OverlayError(
                f"{where}: matched a {type(target).__name__}; only objects and arrays can be updated"
            )
    return document


def _resolve(document: Any, location: tuple[str | int, ...]) -> Any:
    node = document
    for key in location:
        node = node[key]
    return node


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    # Each match gets its own copy, so two matched nodes never share (alias) one update value.
    for key, value in update.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            _merge(current, value)
        elif isinstance(current, list) and isinstance(value, list):
            current.extend(copy.deepcopy(value))
        else:
            target[key] = copy.deepcopy(value)


def _append(target: list[Any], update: Any) -> None:
    target.extend(copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)])


def _remove_all(
    document: dict[str, Any], locations: list[tuple[str | int, ...]], where: str
) -> dict[str, Any]:
    if any(not location for location in locations):
        raise OverlayError(f"{where}: cannot remove the document root")
    # Deepest and highest list index first, so earlier removals do not shift later locations.
    for location in sorted(locations, key=_removal_order, reverse=True):
        parent = _resolve(document, location[:-1])
        del parent[location[-1]]
    return document


def _removal_order(location: tuple[str | int, ...]) -> tuple[int, tuple[Any, ...]]:
    return len(location), tuple((0, k) if isinstance(k, int) else (1, k) for k in location)
