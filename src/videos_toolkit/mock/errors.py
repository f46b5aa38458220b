"""The API's error envelope, ``{"error": {"message", "type", "param", "code"}}``, and the exception
that carries it from wherever a rule is broken to the response."""

from typing import Any

INVALID_REQUEST = "invalid_request_error"


class ApiError(Exception):
    """An answer with an error status. Client mistakes are 4xx with ``invalid_request_error``;
    only injected faults are 5xx."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        type: str = INVALID_REQUEST,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.type = type
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        return error_envelope(self.message, type=self.type, param=self.param, code=self.code)


def error_envelope(
    message: str, *, type: str = INVALID_REQUEST, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def bad_request(message: str, *, param: str | None = None, code: str | None = "invalid_value") -> ApiError:
    return ApiError(400, message, param=param, code=code)


def not_found(kind: str, ident: str, *, param: str) -> ApiError:
    return ApiError(404, f"{kind} with id {shown(ident)} not found.", param=param, code="not_found")


def shown(value: object, limit: int = 64) -> str:
    """A client value quoted for a message, cut short so a huge input cannot flood the answer."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return "'" + text.replace("'", "\\'") + "'"
