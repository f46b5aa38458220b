"""Retries as the official ``openai`` package does them, on top of ``httpx-retries``' transport.

* What is retried: connection errors and timeouts, and answers 408, 409, 429 and 5xx, for every
  method (POST included, like the official SDK: see "Retries and idempotency" in the project
  README). Other 4xx are never retried.
* How long to wait: the server's ``retry-after-ms``, else its ``Retry-After`` (seconds or HTTP
  date), when that is more than 0 and at most ``max_retry_after`` (60 s). Otherwise exponential
  backoff: 0.5 s, 1 s, 2 s, ... capped at 8 s, each shortened by a random jitter of up to 25 %.
* When not to retry at all: the server asks for a wait longer than ``max_retry_after``, or sends
  ``x-should-retry: false``. The answer is then returned at once (and raised as its typed error).
  An error answer with ``x-should-retry: true`` is retried whatever its status (a 400, say), as
  the official SDK obeys the header both ways.
* ``total`` is the number of retries (default 2, so at most 3 attempts); 0 turns retries off.
* A JSON answer whose body is cut short (the connection drops half-way) is retried too, and so is
  any answer to a request marked ``extensions[READ_WHOLE_BODY]`` (a download held in memory).
* A POST sent without an ``Idempotency-Key`` (through the low-level ``api`` functions, say) gets
  one here, before the first attempt, so its retries cannot start a second job.

``sleep`` / ``async_sleep`` are injectable so tests can record the waits instead of sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import httpx
from httpx_retries import Retry, RetryTransport

from ._common import new_idempotency_key
from ._exceptions import server_requested_delay

__all__ = ["DEFAULT_MAX_RETRIES", "READ_WHOLE_BODY", "RetryPolicy"]

DEFAULT_MAX_RETRIES = 2
# A request extension: read the answer's body inside the retry loop whatever its type, so one cut
# short is retried (download_content holds the bytes anyway; download_to_file streams instead).
READ_WHOLE_BODY = "videos_client.read_whole_body"
RETRY_STATUSES = frozenset({408, 409, 429, *range(500, 600)})
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


class _RetryAsked(httpx.TransportError):
    """An error answer the server marked ``x-should-retry: true``: retried like a lost connection."""


def _obey_should_retry(response: httpx.Response) -> None:
    # httpx-retries calls this for the answers its status list does not retry.
    if response.status_code >= 400 and response.headers.get("x-should-retry", "").lower() == "true":
        raise _RetryAsked(f"HTTP {response.status_code} with x-should-retry: true")


class RetryPolicy(Retry):
    """``httpx_retries.Retry`` with the official SDK's defaults, ``retry-after-ms`` support and an
    injectable sleep. Instances are immutable in use: each attempt works on a copy."""

    def __init__(
        self,
        total: int = DEFAULT_MAX_RETRIES,
        *,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        max_retry_after: float = 60.0,
        **options: Any,
    ) -> None:
        options.setdefault("allowed_methods", ALL_METHODS)
        options.setdefault("status_forcelist", RETRY_STATUSES)
        # backoff = factor * 2 ** attempt (attempt is 1 on the first retry): 0.5 s, 1 s, 2 s, ...
        options.setdefault("backoff_factor", 0.25)
        options.setdefault("backoff_jitter", 0.25)
        options.setdefault("max_backoff_wait", 8.0)
        options.setdefault("validate_response", _obey_should_retry)
        options.setdefault("retry_on_exceptions", (*Retry.RETRYABLE_EXCEPTIONS, _RetryAsked))
        super().__init__(total=total, **options)
        self.sleep_function: Callable[[float], None] = sleep or time.sleep
        self.async_sleep_function: Callable[[float], Awaitable[None]] = async_sleep or asyncio.sleep
        self.max_retry_after = max_retry_after

    def copy_with(self, *args: Any, **kwargs: Any) -> RetryPolicy:
        new = cast(RetryPolicy, super().copy_with(*args, **kwargs))
        new.sleep_function = self.sleep_function
        new.async_sleep_function = self.async_sleep_function
        new.max_retry_after = self.max_retry_after
        return new

    def delay(self, response: httpx.Response | Exception) -> float:
        """Seconds to wait before the next attempt, after ``response`` (or a connection error)."""
        if isinstance(response, httpx.Response):
            wanted = server_requested_delay(response.headers)
            if wanted is not None and 0 < wanted <= self.max_retry_after:
                return wanted
        return self.backoff_strategy()

    def refuses(self, response: httpx.Response) -> bool:
        """True when the server said not to retry this answer, or asked for too long a wait."""
        if response.headers.get("x-should-retry", "").lower() == "false":
            return True
        wanted = server_requested_delay(response.headers)
        return wanted is not None and wanted > self.max_retry_after

    def sleep(self, response: httpx.Response | Exception) -> None:
        seconds = self.delay(response)
        self.sleep_function(seconds)
        self.elapsed_sleep += seconds

    async def asleep(self, response: httpx.Response | Exception) -> None:
        seconds = self.delay(response)
        await self.async_sleep_function(seconds)
        self.elapsed_sleep += seconds


def _keyed(request: httpx.Request) -> None:
    if request.method == "POST" and "idempotency-key" not in request.headers:
        request.headers["Idempotency-Key"] = new_idempotency_key()


class _NoRetry(Exception):
    """Carries an answer the server said must not be retried out of httpx-retries' loop."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response


def _policy(request: httpx.Request, default: Retry) -> Retry:
    retry = request.extensions.get("retry", default)
    return retry if isinstance(retry, Retry) else default


def _read_here(request: httpx.Request, response: httpx.Response) -> bool:
    if request.extensions.get(READ_WHOLE_BODY):
        return True
    return "json" in response.headers.get("content-type", "").lower()


class _Guard(httpx.BaseTransport):
    """Below the retry loop: lifts an answer the server forbids retrying out of it, body read; and
    reads a JSON answer's body, so one cut short is retried like a lost connection (as the openai
    SDK retries it). Downloads are left to stream: reading them here would hold them in memory."""

    def __init__(self, inner: httpx.BaseTransport, default: Retry) -> None:
        self.inner, self.default = inner, default

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        retry = _policy(request, self.default)
        if (
            isinstance(retry, RetryPolicy)
            and retry.is_retryable_status_code(response.status_code)
            and retry.refuses(response)
        ):
            response.read()
            raise _NoRetry(response)
        if _read_here(request, response):
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        return response

    def close(self) -> None:
        self.inner.close()


class _AsyncGuard(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, default: Retry) -> None:
        self.inner, self.default = inner, default

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        retry = _policy(request, self.default)
        if (
            isinstance(retry, RetryPolicy)
            and retry.is_retryable_status_code(response.status_code)
            and retry.refuses(response)
        ):
            await response.aread()
            raise _NoRetry(response)
        if _read_here(request, response):
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class RetryingTransport(RetryTransport):
    """httpx-retries' ``RetryTransport`` around a sync transport, honouring ``RetryPolicy.refuses``.
    A request's ``extensions["retry"]`` (a ``Retry``) overrides the default policy for it."""

    def __init__(self, inner: httpx.BaseTransport, retry: RetryPolicy) -> None:
        super().__init__(transport=_Guard(inner, retry), retry=retry)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _keyed(request)
        try:
            return super().handle_request(request)
        except _NoRetry as stop:
            return stop.response


class AsyncRetryingTransport(RetryTransport):
    """The async counterpart of :class:`RetryingTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, retry: RetryPolicy) -> None:
        super().__init__(transport=_AsyncGuard(inner, retry), retry=retry)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        _keyed(request)
        try:
            return await super().handle_async_request(request)
        except _NoRetry as stop:
            return stop.response
