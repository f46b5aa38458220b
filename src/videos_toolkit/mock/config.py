"""Settings of one mock server instance (the CLI flags map onto these fields one to one)."""

from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
# The statuses the mock can inject: the contract documents these for every operation.
FAULT_STATUSES = (429, 500, 503)


def key_problem(key: str) -> str | None:
    """Why no request can ever authenticate with ``key`` (None: it can). The mock strips the key it
    reads from the Authorization header, and an empty one is refused."""
    if not key.strip():
        return "an API key must not be empty (nor whitespace only)"
    if key != key.strip():
        # Not echoed: it may be a real secret, and this message can end up in a CI log.
        return "an API key must not start or end with whitespace (no request could send it)"
    if not all(" " <= char <= "~" for char in key):
        # HTTP clients send header values as ASCII (the openai SDK raises on anything else).
        return "an API key must be printable ASCII (no client could send it in a header)"
    return None


@dataclass(frozen=True)
class MockConfig:
    """How the mock behaves. The defaults are those of ``scripts/mock`` with no flags."""

    # Answer every valid request from the spec's examples instead of keeping state.
    stateless: bool = False
    # Accepted API keys; empty means any non-empty bearer token is accepted.
    api_keys: frozenset[str] = field(default_factory=frozenset)
    # Mock time runs this many times faster than wall time (jobs finish sooner, polls are shorter);
    # 0: it stands still, and moves only when advanced (POST /_mock/clock/advance).
    speed: float = 1.0
    # Mock time starts here (unix seconds) instead of at wall time, and returns here on a reset.
    start_time: float | None = None
    # Video and character ids drawn from this seed: the same ids in the same order on every run
    # (and again after a reset), instead of at random.
    seed: int | None = None
    # Jobs are terminal as soon as they are read after creation.
    instant: bool = False
    # Largest request body accepted, in bytes (413 above it).
    upload_limit: int = 50 * MIB
    # openai-poll-after-ms sent while a job is not terminal, before scaling by ``speed``.
    poll_after_ms: int = 250
    # Fault injection: the share of requests (0..1) answered with one of ``fault_statuses``.
    fault_rate: float = 0.0
    fault_statuses: tuple[int, ...] = FAULT_STATUSES
    fault_seed: int = 0
    # The retry hint of injected faults: 429 sends it as retry-after-ms and as retry-after (whole
    # seconds, rounded up), 503 as retry-after only, 500 not at all.
    fault_retry_after_ms: int = 1000
    # Added to every request before it is answered, in milliseconds.
    latency_ms: int = 0
    # Check every response against the contract and raise on a violation (tests turn this on).
    validate_responses: bool = False
    # Keep the state (videos, characters, idempotent answers, the clock) in this SQLite file, so a
    # restarted mock loses no job. None: in memory, gone when the process ends.
    state_file: Path | None = None

    def __post_init__(self) -> None:
        if self.speed < 0:
            raise ValueError("speed must not be negative (0: mock time stands still)")
        if self.stateless and self.seed is not None:
            raise ValueError("a stateless mock makes no ids (it answers the contract's examples): no seed")
        if self.state_file is not None and (self.seed is not None or self.start_time is not None):
            # A restart would hand out the ids of stored videos again, or move their time back.
            raise ValueError("a state file keeps its own ids and mock time: no seed or start time with it")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.fault_rate and not self.fault_statuses:
            raise ValueError("fault_statuses must not be empty when fault_rate is set")
        if bad := [s for s in self.fault_statuses if s not in FAULT_STATUSES]:
            raise ValueError(f"fault statuses must be among {FAULT_STATUSES} (got {bad})")
        if self.upload_limit <= 0:
            raise ValueError("upload_limit must be positive")
        if self.poll_after_ms < 0 or self.latency_ms < 0 or self.fault_retry_after_ms < 0:
            raise ValueError("poll_after_ms, latency_ms and fault_retry_after_ms must not be negative")
        # Accept any iterable of keys (a list from the CLI) but keep the field hashable and immutable.
        object.__setattr__(self, "api_keys", frozenset(self.api_keys))
        for key in self.api_keys:
            if problem := key_problem(key):
                raise ValueError(problem)
        object.__setattr__(self, "fault_statuses", tuple(self.fault_statuses))
        if self.state_file is not None:
            object.__setattr__(self, "state_file", Path(self.state_file))
