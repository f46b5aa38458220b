"""A client library for accessing Videos API"""

from . import errors
from ._client import AsyncVideosClient, VideosClient
from ._common import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, FileInput, VideoInput
from ._retries import DEFAULT_MAX_RETRIES, RetryPolicy
from ._videos import AsyncVideoPage, AsyncVideoPager, AsyncVideos, VideoPage, Videos
from .client import AuthenticatedClient, Client
from .errors import (
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
    UnexpectedStatus,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    VideosClientError,
)

__all__ = (
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncVideoPage",
    "AsyncVideoPager",
    "AsyncVideos",
    "AsyncVideosClient",
    "AuthenticatedClient",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "FileInput",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "RateLimitError",
    "RequestTooLargeError",
    "RetryPolicy",
    "UnexpectedStatus",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "VideoInput",
    "VideoPage",
    "Videos",
    "VideosClient",
    "VideosClientError",
    "errors",
)
