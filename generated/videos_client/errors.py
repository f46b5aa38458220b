"""Exceptions raised by videos_client: catch ``APIError`` for anything the API did, or a subclass.

``APIStatusError`` subclasses map the status of a 4xx/5xx answer; each carries ``status_code``,
the error envelope's ``message``, ``type``, ``param`` and ``code``, ``request_id`` and ``response``.
"""

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    RateLimitError,
    RequestTooLargeError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    VideosClientError,
)


class UnexpectedStatus(VideosClientError):
    """Raised by the generated api functions when the answer's status is not documented in the
    contract and ``Client.raise_on_unexpected_status`` is True."""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RequestTooLargeError",
    "UnexpectedStatus",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "VideosClientError",
]
