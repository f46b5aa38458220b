"""The mock checking its own responses against the contract (on in tests: ``validate_responses``).

For every response to a known operation: the status must be documented, the content type must be
one documented for that status, a JSON body must match its schema, documented headers must match
theirs and required ones must be present. A violation raises :class:`ResponseContractError`: it is
a bug in the mock (or in the contract), never something to smooth over.
"""

import logging
from typing import Any

import orjson

from videos_toolkit.mock.errors import error_envelope
from videos_toolkit.mock.operations import Operation, SpecIndex
from videos_toolkit.mock.validation import FileAwareValidator

log = logging.getLogger("videos_toolkit.mock")


class ResponseContractError(AssertionError):
    pass


class ResponseChecker:
    def __init__(self, index: SpecIndex) -> None:
        self._validators: dict[str, Any] = {}
        for operation in index.operations.values():
            for response in operation.responses.values():
                pointers = [p for p in response.content.values() if p]
                pointers += [p for _, p in response.headers.values() if p]
                for pointer in pointers:
                    if pointer not in self._validators:
                        self._validators[pointer] = FileAwareValidator(
                            index.validation_schema(pointer), registry=index.registry
                        )

    def check(self, operation: Operation, status: int, headers: dict[str, str], body: bytes) -> None:
        where = f"{operation.operation_id} answered {status}"
        spec = operation.response_for(status)
        if spec is None:
            raise ResponseContractError(f"{where}: status {status} is not documented for this operation")
        content_type = headers.get("content-type")
        if spec.content:
            if content_type is None:
                raise ResponseContractError(f"{where}: no Content-Type, documented: {sorted(spec.content)}")
            media_type = content_type.split(";", 1)[0].strip().lower()
            if media_type not in spec.content:
                raise ResponseContractError(
                    f"{where}: Content-Type {media_type!r} is not documented ({sorted(spec.content)})"
                )
            pointer = spec.content[media_type]
            if pointer is not None:
                try:
                    document = orjson.loads(body)
                except orjson.JSONDecodeError as exc:
                    raise ResponseContractError(f"{where}: the body is not JSON: {exc}") from exc
                self._validate(pointer, document, f"{where}: body")
            elif not body:
                raise ResponseContractError(f"{where}: empty {media_type} body")
        elif body:
            raise ResponseContractError(f"{where}: a body was sent where none is documented")
        for name, (required, pointer) in spec.headers.items():
            value = headers.get(name)
            if value is None:
                if required:
                    raise ResponseContractError(f"{where}: required header {name!r} is missing")
                continue
            if pointer is not None:
                self._validate(pointer, _header_value(value), f"{where}: header {name!r}")

    def _validate(self, pointer: str, document: Any, where: str) -> None:
        errors = sorted(self._validators[pointer].iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            details = "; ".join(f"at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
            raise ResponseContractError(f"{where} does not match the contract: {details}")


def _header_value(raw: str) -> Any:
    # Header schemas here are integers; a text that is one is checked as one.
    stripped = raw.strip()
    if stripped.lstrip("-").isdigit():
        return int(stripped)
    return stripped


def answered_as_500(app: Any) -> Any:
    """``app`` served over HTTP with ``--validate-responses``: a mock answer that breaks the
    contract is logged and answered 500 with the error envelope, naming what broke, instead of
    uvicorn's plain-text 500 (in-process, the error is raised, for tests to fail on)."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except ResponseContractError as exc:  # raised before the answer's first byte was sent
            log.error("the mock's answer breaks the contract: %s", exc)
            message = (
                f"The mock's answer would break the contract ({exc}): a mock bug, or a contract it "
                "cannot follow."
            )
            body = orjson.dumps(error_envelope(message, type="server_error", code="mock_contract_violation"))
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    wrapper.state = app.state  # type: ignore[attr-defined]  # app.state.mock, as on the app itself
    return wrapper
