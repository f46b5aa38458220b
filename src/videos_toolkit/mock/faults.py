"""Fault injection, so clients can test retries and timeouts.

Two sources of faults, both answered before the request is validated (after auth):

* a **queue** for scripted tests (in-process, or ``POST /_mock/faults``):
  ``app.state.mock.faults.enqueue(503, count=2)`` makes the next two requests answer 503, whatever
  they are; ``operation="createVideo"`` (a contract operationId) aims them at that operation's
  requests only, and the others pass them by. Queued faults are served first, each request taking
  the oldest one aimed at it;
* a **rate** with a seed (``--fault-rate``, ``--fault-status``, ``--fault-seed``): that share of
  requests gets one of the statuses; the same seed and the same sequence of requests give the same
  faults.

Every injected answer carries the error envelope. 429 and 503 send ``retry-after`` (whole
seconds, rounded up) and ``retry-after-ms`` (so a hint under a second is kept: clients such as the
openai SDK read it first); 500 sends neither. Added latency
(``--latency-ms``) is applied by the app to every request.
"""

import math
import random
import threading
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

from videos_toolkit.mock.config import FAULT_STATUSES, MockConfig
from videos_toolkit.mock.errors import ApiError

_FAULTS = {
    429: ("Rate limit reached for requests (injected by the mock).", "requests", "rate_limit_exceeded"),
    500: (
        "The server had an error while processing your request (injected by the mock).",
        "server_error",
        None,
    ),
    503: (
        "The engine is currently overloaded (injected by the mock).",
        "server_error",
        "service_unavailable",
    ),
}


def injected(status: int, retry_after_ms: int) -> ApiError:
    """The answer of one injected fault."""
    message, kind, code = _FAULTS[status]
    headers = {}
    if status in (429, 503):
        headers["retry-after"] = str(math.ceil(retry_after_ms / 1000))
        headers["retry-after-ms"] = str(retry_after_ms)
    return ApiError(status, message, type=kind, code=code, headers=headers)


class FaultError(ValueError):
    """A fault that cannot be queued; ``param`` names the argument at fault (the HTTP control's
    400 names it too)."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(slots=True)
class _Run:
    """One enqueue: a count of a billion ("fail everything from now on") is one entry."""

    status: int
    retry_after_ms: int
    left: int
    operation: str | None  # None: any operation


class FaultInjector:
    def __init__(self, config: MockConfig, operations: Collection[str] = ()) -> None:
        self.rate = config.fault_rate
        self.statuses = config.fault_statuses
        self.retry_after_ms = config.fault_retry_after_ms
        self.operations = frozenset(operations)  # the operationIds a fault can be aimed at
        self._random = random.Random(config.fault_seed)
        self._queue: deque[_Run] = deque()
        self._lock = threading.Lock()

    def enqueue(
        self, status: int, count: int = 1, *, retry_after_ms: int | None = None, operation: str | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (429, 500 or 503), after any faults
        already queued. ``retry_after_ms`` overrides the configured retry hint for these answers;
        ``operation`` (an operationId of the contract) aims them at that operation's requests."""
        if status not in FAULT_STATUSES or isinstance(status, bool):
            statuses = ", ".join(map(str, FAULT_STATUSES))
            raise FaultError(
                f"'status' must be one of {statuses} (the contract documents no other), got {status!r}.",
                "status",
            )
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise FaultError(f"'count' must be a whole number of at least 0, got {count!r}.", "count")
        hint = self.retry_after_ms if retry_after_ms is None else retry_after_ms
        if hint < 0:
            raise FaultError(f"'retry_after_ms' must be at least 0, got {hint!r}.", "retry_after_ms")
        if operation is not None and (not isinstance(operation, str) or operation not in self.operations):
            known = ", ".join(sorted(self.operations))
            raise FaultError(
                f"'operation' must be an operationId of the contract ({known}), got {operation!r}.",
                "operation",
            )
        if count:
            with self._lock:
                self._queue.append(_Run(status, hint, count, operation))

    def pending(self) -> int:
        """How many queued faults are still to be served."""
        with self._lock:
            return sum(run.left for run in self._queue)

    def clear(self) -> None:
        """Drop the queued faults that were not served yet."""
        with self._lock:
            self._queue.clear()

    def draw(self, operation: str) -> ApiError | None:
        """The fault for the next request, to ``operation`` (its operationId), or None."""
        if not self._queue and not self.rate:
            return None  # the common case, without taking the lock
        with self._lock:
            for run in self._queue:
                if run.operation is None or run.operation == operation:
                    run.left -= 1
                    if not run.left:
                        self._queue.remove(run)
                    return injected(run.status, run.retry_after_ms)
            if not self.rate or self._random.random() >= self.rate:
                return None
            status = self.statuses[self._random.randrange(len(self.statuses))]
        return injected(status, self.retry_after_ms)
