"""Local JSON pointers and ``$ref`` chains in a spec: plain dict walking, no imports, so the
contract checks (spec.py) and the mock share them without loading the mock's server stack."""

from typing import Any


def pointer_escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_get(document: Any, pointer: str) -> Any:
    node = document
    for raw in pointer.lstrip("#").split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def resolve(spec: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local ``$ref`` chains; return the target and its JSON pointer in the spec."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        pointer = node["$ref"][1:]
        if pointer in seen:
            raise ValueError(f"circular $ref at #{pointer}")
        seen.add(pointer)
        node = pointer_get(spec, pointer)
    return node, pointer
