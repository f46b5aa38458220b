"""``VideosClient`` and ``AsyncVideosClient``: configuration, connection pool, retries, errors.

    import videos_client
    client = videos_client.VideosClient()          # OPENAI_API_KEY, OPENAI_BASE_URL
    video = client.videos.create_and_poll(prompt="A calico cat playing piano")

Below the facade sits one ``httpx`` client whose transport is httpx-retries' ``RetryTransport``
(see ``_retries.py``) and whose response hook raises the typed exceptions of ``errors``. The
generated ``api.videos`` functions can use the same connection, retries and errors through
``client.api_client``.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self

import httpx

from ._common import (
    DEFAULT_TIMEOUT,
    TimeoutTypes,
    araise_for_status,
    build_headers,
    check_max_retries,
    environment_proxies,
    raise_for_status,
    resolve_api_key,
    resolve_base_url,
    resolve_timeout,
)
from ._retries import DEFAULT_MAX_RETRIES, AsyncRetryingTransport, RetryingTransport, RetryPolicy
from ._videos import AsyncVideos, Videos
from .client import AuthenticatedClient
from .types import UNSET, Unset

__all__ = ["AsyncVideosClient", "VideosClient"]


class _Settings:
    api_key: str
    base_url: str
    timeout: httpx.Timeout
    max_retries: int
    retry_policy: RetryPolicy
    api_client: AuthenticatedClient

    def _configure(
        self,
        api_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: TimeoutTypes,
        max_retries: int,
    ) -> None:
        self.api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        self.timeout = resolve_timeout(timeout)
        self.max_retries = check_max_retries(max_retries)

    # A copy made by with_options() shares its parent's connections and leaves closing them to it.
    _shares_connections = False

    def _copy_with(self, timeout: TimeoutTypes | Unset, max_retries: int | Unset) -> Self:
        clone = copy.copy(self)
        clone._shares_connections = True
        if not isinstance(timeout, Unset):
            clone.timeout = resolve_timeout(timeout)
        if not isinstance(max_retries, Unset):
            clone.max_retries = check_max_retries(max_retries)
            clone.retry_policy = self.retry_policy.copy_with(total=max_retries)
        return clone


class VideosClient(_Settings):
    """A synchronous client of the Videos API.

    Args:
        api_key: the bearer token; defaults to ``$OPENAI_API_KEY``. Without one,
            :class:`~videos_client.errors.ConfigurationError` is raised.
        base_url: defaults to ``$OPENAI_BASE_URL``, then ``https://api.openai.com/v1``.
        timeout: seconds or an ``httpx.Timeout`` for each request (default: 600 s, 5 s to
            connect); every method also takes ``timeout=`` for one call.
        max_retries: retries of connection errors, 408, 409, 429 and 5xx (default 2; 0: none).
        default_headers: extra headers sent with every request.
        transport: the ``httpx`` transport to send through (a test app, a proxy as
            ``httpx.HTTPTransport(proxy=...)``, ...); the retry layer wraps it. Without one, the
            proxies of the environment (``HTTPS_PROXY``, ``NO_PROXY``, ...) are used, as httpx does.
        sleep, clock: how to wait and to read monotonic time, for retries and polling; tests
            inject fakes so nothing waits on the wall clock.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configure(api_key, base_url, timeout, max_retries)
        self.sleep, self.clock = sleep, clock
        self.retry_policy = RetryPolicy(self.max_retries, sleep=sleep)
        self.http_client = httpx.Client(
            base_url=self.base_url,
            headers=build_headers(self.api_key, default_headers),
            timeout=self.timeout,
            transport=RetryingTransport(transport or httpx.HTTPTransport(), self.retry_policy),
            mounts={} if transport else environment_proxies(self._proxied),
            follow_redirects=True,  # as the openai SDK does
            event_hooks={"response": [raise_for_status]},
        )
        self.api_client = AuthenticatedClient(
            base_url=self.base_url, token=self.api_key, raise_on_unexpected_status=True
        ).set_httpx_client(self.http_client)
        self.videos = Videos(self)

    def _proxied(self, proxy: str) -> httpx.BaseTransport:
        return RetryingTransport(httpx.HTTPTransport(proxy=proxy), self.retry_policy)

    def with_options(
        self, *, timeout: TimeoutTypes | Unset = UNSET, max_retries: int | Unset = UNSET
    ) -> VideosClient:
        """A client sharing this one's connections, with another default timeout or retry count
        (closing it, or leaving its ``with`` block, leaves the connections open for this one)."""
        clone = self._copy_with(timeout, max_retries)
        clone.videos = Videos(clone)
        return clone

    def close(self) -> None:
        """Close the connections; a copy from with_options() leaves them to its parent."""
        if not self._shares_connections:
            self.http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncVideosClient(_Settings):
    """The asyncio twin of :class:`VideosClient` (same arguments; ``sleep`` is a coroutine
    function such as ``asyncio.sleep``)."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configure(api_key, base_url, timeout, max_retries)
        self.sleep, self.clock = sleep, clock
        self.retry_policy = RetryPolicy(self.max_retries, async_sleep=sleep)
        self.http_client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=build_headers(self.api_key, default_headers),
            timeout=self.timeout,
            transport=AsyncRetryingTransport(transport or httpx.AsyncHTTPTransport(), self.retry_policy),
            mounts={} if transport else environment_proxies(self._proxied),
            follow_redirects=True,  # as the openai SDK does
            event_hooks={"response": [araise_for_status]},
        )
        self.api_client = AuthenticatedClient(
            base_url=self.base_url, token=self.api_key, raise_on_unexpected_status=True
        ).set_async_httpx_client(self.http_client)
        self.videos = AsyncVideos(self)

    def _proxied(self, proxy: str) -> httpx.AsyncBaseTransport:
        return AsyncRetryingTransport(httpx.AsyncHTTPTransport(proxy=proxy), self.retry_policy)

    def with_options(
        self, *, timeout: TimeoutTypes | Unset = UNSET, max_retries: int | Unset = UNSET
    ) -> AsyncVideosClient:
        clone = self._copy_with(timeout, max_retries)
        clone.videos = AsyncVideos(clone)
        return clone

    async def close(self) -> None:
        """Close the connections; a copy from with_options() leaves them to its parent."""
        if not self._shares_connections:
            await self.http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
