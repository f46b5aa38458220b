"""The implementation under test: a live base URL, or the mock in-process (no socket)."""

import functools
import shlex
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from httpx_retries import Retry, RetryTransport
from starlette.testclient import TestClient

from videos_toolkit.conformance.uploads import Uploads
from videos_toolkit.mock import MockConfig, create_app

ASGIApp = Any
IN_PROCESS_URL = "http://mock.local/v1"
MOCK_KEYS = ("sk-conformance-a", "sk-conformance-b")
PENDING = {"queued", "in_progress"}
PROBE_PATH = "/videos"
# What stops a request before a connection is made: refused, no such host, connect timeout, a TLS
# handshake that fails, a proxy, or not a URL at all. The URL cannot be reached (exit 2).
NO_CONNECTION = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    ValueError,
)
# The contract lets any operation answer 429 (rate limited) or 503 (unavailable), saying when to
# come back: the properties' and the round trip's own requests wait (Retry-After, else a short
# backoff) and try again, up to 5 times and a minute each (a per-minute limit), so a server that
# limits its rate is not judged on refusals it is allowed to make. Nothing else is retried: not a
# 500, not a timeout.
PATIENCE = Retry(
    total=5,
    status_forcelist=(429, 503),
    allowed_methods=("GET", "POST", "DELETE"),
    retry_on_exceptions=(),
    backoff_factor=0.5,
    max_backoff_wait=65.0,  # a per-minute limit says "come back in up to a minute"
)
CLOSED = "the server accepted the connection and closed it without an answer"
NOT_HTTP = "the server accepted the connection and its answer could not be read as HTTP"


class WaitTimeout(AssertionError):
    pass


class WrongAnswer(AssertionError):
    """An answer a check could not go on with, kept so that the report can show it."""

    def __init__(self, message: str, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response


@dataclass(frozen=True)
class Probe:
    """What one request showed of a live URL."""

    connected: bool  # False: the URL cannot be reached at all
    problem: str | None = None  # None: an HTTP answer came back (any status, or only slowly)
    error: str = ""  # the exception behind the problem, when it is not in ``problem`` already
    status: int | None = None  # the answer's status, when one came


def _named(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


@dataclass
class Target:
    base_url: str
    api_key: str
    # A second identity for isolation checks; without one they are skipped.
    other_api_key: str | None = None
    # In-process only: the app the properties use, and one whose jobs finish at once for the fuzzer
    # (its stateful chains extend a video right after creating it).
    app: ASGIApp | None = None
    fuzz_app: ASGIApp | None = None
    wait_timeout: float = 60.0
    # Longest wait for one answer: a server that hangs fails its checks instead of stalling the run.
    request_timeout: float = 30.0
    # In-process only: how to build this target afresh (new apps, empty state), e.g. in a worker
    # process; a picklable recipe is what crosses to a spawned worker, never the apps themselves.
    recipe: Callable[[], "Target"] | None = None
    # The MP4s to upload: made to measure, or the user's --sample-video.
    uploads: Uploads = field(default_factory=Uploads)
    # What a wait is waiting on right now ("" when none): progress lines show it, so a run held by a
    # slow job says which job, in what state, and for how long.
    waiting_on: str = field(default="", compare=False, repr=False)

    def rebuilt(self) -> "Target":
        """The same target with fresh apps (from its recipe), or itself when it has none."""
        return replace(self.recipe(), uploads=self.uploads) if self.recipe is not None else self

    @property
    def in_process(self) -> bool:
        return self.app is not None

    def pause(self, seconds: float) -> None:
        """Let ``seconds`` pass on the server's clock: the in-process mock's clock is moved on (no
        one waits), a live server is waited for."""
        mock = getattr(getattr(self.app, "state", None), "mock", None)
        if mock is not None:
            mock.clock.advance(seconds)
        else:
            time.sleep(seconds)

    def probe(self, api_key: str | None = None) -> "Probe":
        """Send one request (``GET /videos?limit=1``): was a connection made, and did an HTTP
        answer (any status) come back on it?"""
        try:
            with self.client(api_key) as client:
                status = client.get(PROBE_PATH, params={"limit": 1}).status_code
        except NO_CONNECTION as exc:
            return Probe(connected=False, problem=_named(exc))
        except (httpx.ReadTimeout, httpx.WriteTimeout):
            return Probe(connected=True)  # it is there, only slow: its checks will say so
        except httpx.RemoteProtocolError as exc:
            # h11's words for a connection closed before any answer; anything else is a bad answer.
            closed = "without sending a response" in str(exc)
            return Probe(connected=True, problem=CLOSED if closed else NOT_HTTP, error=_named(exc))
        except (httpx.ReadError, httpx.WriteError, httpx.LocalProtocolError) as exc:
            return Probe(connected=True, problem=CLOSED, error=_named(exc))
        except httpx.HTTPError:
            return Probe(connected=True)  # an answer came, only not a readable one: its checks judge it
        return Probe(connected=True, status=status)

    def rerun(
        self,
        part: str,
        seed: int | None = None,
        *,
        max_examples: int | None = None,
        workers: int | None = None,
    ) -> str:
        """The command that runs ``part`` of the suite again against this target, with what the
        run's inputs depend on, keys from the environment (double quotes, so the shell fills them
        in: set OPENAI_API_KEY, and CONFORMANCE_OTHER_API_KEY, to the keys under test)."""
        flags = {"--seed": seed, "--max-examples": max_examples, "--workers": workers}
        command = f"scripts/conformance --only {part}" + "".join(
            f" {flag} {value}" for flag, value in flags.items() if value is not None
        )
        if self.uploads.path is not None:
            command += f" --sample-video {shlex.quote(self.uploads.path)}"
        if not self.in_process:
            command += f' --base-url {shlex.quote(self.base_url)} --api-key "$OPENAI_API_KEY"'
            if self.other_api_key:
                command += ' --other-api-key "$CONFORMANCE_OTHER_API_KEY"'
            command += f" --wait-timeout {self.wait_timeout:g} --request-timeout {self.request_timeout:g}"
        return command

    @property
    def label(self) -> str:
        return "the mock, in-process" if self.in_process else self.base_url

    @contextmanager
    def client(self, api_key: str | None = None, app: ASGIApp | None = None) -> Iterator[httpx.Client]:
        headers = {"Authorization": f"Bearer {api_key or self.api_key}"}
        app = app or self.app
        if app is not None:
            with TestClient(app, base_url=self.base_url, headers=headers, raise_server_exceptions=False) as c:
                yield c
        else:
            transport = RetryTransport(retry=PATIENCE)
            with httpx.Client(
                base_url=self.base_url, headers=headers, timeout=self.request_timeout, transport=transport
            ) as c:
                yield c

    def wait(
        self, client: httpx.Client, video_id: str, on_poll: Callable[[httpx.Response], None] | None = None
    ) -> dict:
        """Poll until the job is terminal, honouring openai-poll-after-ms, within ``wait_timeout``;
        ``on_poll`` sees every answer (a 200)."""
        try:
            return self._wait(client, video_id, on_poll)
        finally:
            self.waiting_on = ""

    def _wait(
        self, client: httpx.Client, video_id: str, on_poll: Callable[[httpx.Response], None] | None
    ) -> dict:
        started = time.monotonic()
        deadline = started + self.wait_timeout
        while True:
            response = client.get(f"/videos/{video_id}")
            if response.status_code != 200:
                raise WrongAnswer(
                    f"retrieve {video_id} gave {response.status_code}: {response.text[:300]}", response
                )
            video = response.json()
            if on_poll is not None:
                on_poll(response)
            if video.get("status") not in PENDING:
                return video  # terminal, or a status this suite does not know: the caller judges it
            self.waiting_on = (
                f"waiting on video {video_id}: {video.get('status')}, progress {video.get('progress')}, "
                f"{time.monotonic() - started:.0f} s of --wait-timeout {self.wait_timeout:g}"
            )
            if time.monotonic() > deadline:
                raise WaitTimeout(
                    f"video {video_id} not terminal after {self.wait_timeout:g} s (last seen "
                    f"{video.get('status')!r} at progress {video.get('progress')!r}): if the server's "
                    "jobs take longer, raise --wait-timeout"
                )
            hint = response.headers.get("openai-poll-after-ms", "")
            time.sleep(min(int(hint) / 1000 if hint.isdigit() else 0.5, 5.0))


def unwrapped(app: ASGIApp) -> ASGIApp:
    return app


def mock_target(
    wrap: Callable[[ASGIApp], ASGIApp] = unwrapped,
    speed: float = 20.0,
    spec: dict[str, Any] | None = None,
) -> Target:
    """The embedded mock with two known keys; ``wrap`` lets tests put a broken variant in front,
    ``spec`` serves another effective spec than this checkout's. Its recipe builds it again (it
    pickles when ``wrap`` does, i.e. a module-level function rather than a lambda)."""
    keys = frozenset(MOCK_KEYS)
    return Target(
        base_url=IN_PROCESS_URL,
        api_key=MOCK_KEYS[0],
        other_api_key=MOCK_KEYS[1],
        app=wrap(create_app(MockConfig(api_keys=keys, speed=speed), spec)),
        fuzz_app=wrap(create_app(MockConfig(api_keys=keys, instant=True), spec)),
        wait_timeout=30.0,
        recipe=functools.partial(mock_target, wrap, speed, spec),
    )
