"""The mock's own clock: wall time scaled by ``speed`` from the moment the mock started, plus an
offset that in-process users move forward with :meth:`MockClock.advance`. Job lifecycles are read
from it, so tests can step a job through its states without sleeping.

A persistent store (``--state-file``) keeps a :class:`ClockAnchor` (a wall time, the mock time at
that wall time, and the speed) so that a restarted mock resumes mock time where the old process
would be now: a job created before the restart keeps ageing while the mock is down, and its status
never goes backwards across the restart, whatever ``--speed`` either process ran at.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Mock time stays before the year 10000: its timestamps are 64-bit integers in every answer (and
# in a state file), which a clock moved by 1e308 seconds broke for good.
LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class ClockAnchor:
    """Mock time was ``mock`` at unix wall time ``wall`` and runs ``speed`` times faster since."""

    wall: float
    mock: float
    speed: float

    def mock_at(self, wall: float) -> float:
        # A wall clock set back while the mock was down must not move mock time backwards.
        return self.mock + max(0.0, wall - self.wall) * self.speed


class MockClock:
    def __init__(
        self,
        speed: float = 1.0,
        *,
        wall: Callable[[], float] = time.time,
        resume: ClockAnchor | None = None,
        start: float | None = None,
    ) -> None:
        """``resume``: continue from a persisted anchor; ``start``: the mock time to start at;
        neither: start at wall time. Speed 0: mock time moves only when advanced."""
        if speed < 0:
            raise ValueError("speed must not be negative")
        self.speed = speed
        self._wall = wall
        if resume is not None:
            self._origin = resume.mock_at(wall())
        else:
            self._origin = start if start is not None else wall()
        # Monotonic time measures the elapsed part, so a wall-clock jump cannot move jobs backwards.
        self._mono_origin = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ClockAnchor], None]] = []

    def now(self) -> float:
        """Mock time in unix seconds."""
        return self._origin + (time.monotonic() - self._mono_origin) * self.speed + self._offset

    def anchor(self) -> ClockAnchor:
        """Where mock time stands now, to resume from after a restart."""
        return ClockAnchor(self._wall(), self.now(), self.speed)

    def on_advance(self, listener: Callable[[ClockAnchor], None]) -> None:
        """Call ``listener`` with the new anchor after every :meth:`advance` (a store persists it)."""
        self._listeners.append(listener)

    def restart(self, at: float) -> None:
        """Start mock time again at ``at`` (a reset with nothing stored: no job can see it go back)."""
        with self._lock:
            self._origin, self._mono_origin, self._offset = at, time.monotonic(), 0.0
            anchor = self.anchor()
            for listener in self._listeners:
                listener(anchor)

    def advance(self, seconds: float) -> None:
        """Move mock time forward (never backwards: job states must not regress)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            anchor = self.anchor()
            for listener in self._listeners:
                listener(anchor)
