"""Reading YAML: PyYAML's safe loader on libyaml's C parser where PyYAML was built with it.

The contract parses in about 20 ms that way against about 180 ms in pure Python, paid by every
start of the mock, the conformance suite and the generator. Both build the same documents.
"""

import json
from typing import Any

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TWICE = "the key {!r} is given twice (the second would silently win)"


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader, refusing a key given twice in one mapping: YAML forbids it, and PyYAML
    silently keeps the last, so a hand-edited contract could lose a property without a word."""

    def construct_document(self, node: yaml.Node) -> Any:
        # On the document as written, before anything is built: building a mapping that merges
        # another (<<) copies that one's keys into it, beside its own, where an override is legal.
        _refuse_repeated_keys(node)
        return super().construct_document(node)


def _refuse_repeated_keys(root: yaml.Node) -> None:
    seen_nodes: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen_nodes or isinstance(node, yaml.ScalarNode):
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
            continue
        keys: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            pending.extend((key_node, value_node))
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = (key_node.tag, key_node.value)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    TWICE.format(key_node.value),
                    key_node.start_mark,
                )
            keys.add(key)


def load_json(text: str) -> Any:
    """Parse a JSON document, refusing a key given twice in one object as load_yaml does (JSON is
    not read as YAML: PyYAML refuses the surrogate pairs json.dumps writes for an emoji)."""

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise YamlSyntaxError(TWICE.format(key))
            found[key] = value
        return found

    try:
        return json.loads(text, object_pairs_hook=no_repeats)
    except json.JSONDecodeError as exc:
        raise YamlSyntaxError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc


class YamlSyntaxError(ValueError):
    """A malformed YAML document; the message is one line: 'line L, column C: what is wrong'."""


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the safe constructors."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(_one_line(exc)) from exc


def _one_line(exc: yaml.YAMLError) -> str:
    # PyYAML's own message spans several lines and names "<unicode string>" as the file.
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return " ".join(str(exc).split())
    mark = exc.problem_mark
    what = "; ".join(part for part in (exc.context, exc.problem) if part)
    return f"line {mark.line + 1}, column {mark.column + 1}: {what}"
