"""Answers taken from the contract alone: an operation's documented success example, or, where the
contract has none, a value built from its schema. Stateless mode answers every operation this way;
the stateful mock answers so an operation it has no behaviour for (one a contract change added),
so that it starts and serves whatever contract it is given, as Prism and Steady do.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.responses import Response

from videos_toolkit.mock.operations import Operation, SpecIndex, pointer_get, resolve
from videos_toolkit.schema_values import completed, sample

# handlers.Handler, which imports this module: Call -> Response
Handler = Callable[[Any], Awaitable[Response]]


def first_example(index: SpecIndex, schema_pointer: str) -> Any:
    """The first example of the media object owning ``schema_pointer`` (``examples``, then ``example``)."""
    media_object = pointer_get(index.spec, schema_pointer.removesuffix("/schema"))
    for item in media_object.get("examples", {}).values():
        example, _ = resolve(index.spec, item, "")
        if "value" in example:
            return example["value"]
    return media_object.get("example")


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


def answers_video(index: SpecIndex, operation: Operation) -> bool:
    """Whether the operation's success answer is a Video (the contract's own schema)."""
    pointer = _success_schema(operation)
    return pointer is not None and index.schema(pointer) is index.schema("#/components/schemas/Video")


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
