"""Run tasks in worker processes, at most N at a time, and hand back what they send in task order.

Each task runs in a process of its own (forked on Linux, so it inherits the parent's imports and
warm caches for free; spawned elsewhere, which needs the task to be picklable). A task streams
messages back through a pipe; the parent yields them task by task in the order the tasks were
given, whatever order they finish in, so a run is as deterministic as its tasks are.

A worker that dies (a crash, ``os._exit``, a signal) or goes silent for longer than
``idle_limit`` seconds (neither a message nor a ``beat()``) is killed and ends its task with a
``WorkerFailure`` message: the run goes on. Leaving the iteration early, an exception or Ctrl-C
kills every worker still running (and on Linux a worker also dies with its parent).
"""

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class WorkerFailure:
    """The last message of a task whose worker crashed, hung or raised."""

    message: str


class Channel:
    """A worker's way back to the parent: ``send`` a picklable message, ``beat`` to say it is alive."""

    def __init__(self, conn: Any, pulse: Any) -> None:
        self._conn, self._pulse = conn, pulse

    def send(self, message: Any) -> None:
        self.beat()
        self._conn.send(("message", message))

    def beat(self) -> None:
        self._pulse.value = time.monotonic()


def context() -> Any:
    """fork where there is one (cheap, inherits warm caches), spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def run_in_processes(
    work: Callable[[T, Channel], None],
    tasks: Sequence[T],
    *,
    workers: int,
    idle_limit: float,
    order: Sequence[int] | None = None,
    after_fork: Callable[[], None] | None = None,
    on_arrival: Callable[[int, Any], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Run ``work(task, channel)`` for every task; yield ``(task index, message)`` in task order.

    ``order`` is the order tasks are started in (e.g. the longest first); it never changes what
    is yielded, nor its order. ``after_fork`` runs first thing in every worker. ``on_arrival``
    sees each ``(task index, message)`` as it arrives, a finished task's before an earlier task
    is done: what yields them in order holds them back (progress should not wait)."""
    ctx = context()
    waiting = list(order if order is not None else range(len(tasks)))
    running: dict[int, _Worker] = {}
    inbox: dict[int, list[Any]] = {i: [] for i in range(len(tasks))}
    finished: set[int] = set()
    next_out = 0
    try:
        while next_out < len(tasks):
            while waiting and len(running) < workers:
                index = waiting.pop(0)
                running[index] = _Worker.start(ctx, work, tasks[index], after_fork)
            handles = [h for w in running.values() for h in (w.conn, w.process.sentinel)]
            if handles:
                multiprocessing.connection.wait(handles, timeout=min(POLL_SECONDS, idle_limit))
            for index, worker in list(running.items()):
                seen = len(inbox[index])
                done = worker.collect(inbox[index], idle_limit)
                for message in inbox[index][seen:] if on_arrival else ():
                    on_arrival(index, message)
                if done:
                    finished.add(index)
                    del running[index]
            while next_out < len(tasks):
                messages, inbox[next_out] = inbox[next_out], []
                for message in messages:
                    yield next_out, message
                if next_out not in finished:
                    break
                next_out += 1
    finally:
        for worker in running.values():
            worker.stop()


@dataclass
class _Worker(Generic[T]):
    process: Any
    conn: Any
    pulse: Any

    @classmethod
    def start(
        cls, ctx: Any, work: Callable[[T, Channel], None], task: T, after_fork: Callable[[], None] | None
    ) -> "_Worker[T]":
        receiver, sender = ctx.Pipe(duplex=False)
        pulse = ctx.Value("d", time.monotonic(), lock=False)
        process = ctx.Process(
            target=_worker_main, args=(work, task, sender, pulse, after_fork, os.getpid()), daemon=True
        )
        process.start()
        sender.close()  # the worker holds the only writing end: its exit reads as end of file here
        return cls(process, receiver, pulse)

    def collect(self, inbox: list[Any], idle_limit: float) -> bool:
        """Move what arrived to ``inbox``; True once the task is over (done, died or hung)."""
        alive = self.process.is_alive()  # before reading: a worker dead by now has sent all it will
        try:
            while self.conn.poll():
                kind, payload = self.conn.recv()
                if kind == "message":
                    inbox.append(payload)
                    continue
                if kind == "failure":
                    inbox.append(WorkerFailure(payload))
                self.stop()
                return True
        except (EOFError, OSError):
            alive = False  # the pipe closed: the worker is gone
        except Exception as exc:  # a message that cannot be read back: say so, and stop there
            inbox.append(WorkerFailure(f"a worker's message could not be read: {type(exc).__name__}: {exc}"))
            self.stop()
            return True
        if not alive:
            self.process.join(1)
            inbox.append(WorkerFailure(f"the worker process exited (code {self.process.exitcode}) mid-task"))
            self.stop()
            return True
        if time.monotonic() - self.pulse.value > idle_limit:
            self.stop()
            silence = f"no progress for {idle_limit:.0f} s"
            inbox.append(WorkerFailure(f"the worker process hung ({silence}); it was killed"))
            return True
        return False

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


def _worker_main(
    work: Callable[[Any, Channel], None],
    task: Any,
    conn: Any,
    pulse: Any,
    after_fork: Callable[[], None] | None,
    parent: int,
) -> None:
    # Ctrl-C reaches the whole process group: the parent decides, and ends its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    code = 0
    try:
        if after_fork is not None:
            after_fork()
        work(task, Channel(conn, pulse))
        conn.send(("done", None))
    except BaseException as exc:
        code = 1
        with contextlib.suppress(Exception):
            conn.send(("failure", f"the worker raised {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        with contextlib.suppress(Exception):
            conn.close()
            sys.stdout.flush()
            sys.stderr.flush()
        # Not a normal exit: threads a task leaves behind (an event loop's) must not hold the process.
        os._exit(code)


def _die_with(parent: int) -> None:
    """On Linux, have the kernel kill this worker when its parent dies, however it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)
