"""The mock's own clock: wall time scaled by ``speed`` from the moment the mock started, plus an
offset that in-process users move forward with :meth:`MockClock.advance`. Job lifecycles are read
from it, so tests can step a job through its states without sleeping."""

import threading
import time
from collections.abc import Callable


class MockClock:
    def __init__(self, speed: float = 1.0, *, wall: Callable[[], float] = time.time) -> None:
        if speed <= 0:
            raise ValueError("speed must be greater than 0")
        self.speed = speed
        self._origin = wall()
        # Monotonic time measures the elapsed part, so a wall-clock jump cannot move jobs backwards.
        self._mono_origin = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Mock time in unix seconds."""
        return self._origin + (time.monotonic() - self._mono_origin) * self.speed + self._offset

    def advance(self, seconds: float) -> None:
        """Move mock time forward (never backwards: job states must not regress)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
