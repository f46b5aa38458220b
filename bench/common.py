"""What every section shares: result tables, servers in subprocesses, loopback ports, timing."""

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"  # every server of the bench binds loopback only
KEY = "sk-bench"


@dataclass
class Table:
    """One results table: a title, column names, rows of cells, and notes printed under it."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: Any) -> None:
        self.rows.append(list(cells))


@dataclass
class Section:
    """What one section measured: its tables, the exact commands it ran, and headline figures."""

    name: str
    title: str
    tables: list[Table] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Machine-readable figures (written to results.json and used for the headline).
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """How hard a run pushes: ``quick`` is the smoke-test budget."""

    quick: bool = False
    loadgen: str = "auto"  # wrk, python or auto (wrk when installed)
    peers: bool = True  # install and measure Prism and Steady
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="videos-bench-")))
    # A git revision whose mock is measured beside the current one (``--baseline REV``), and the
    # folder it was unpacked into (its ``src`` goes first on PYTHONPATH for the baseline servers).
    baseline: str | None = None
    baseline_root: Path | None = None

    @property
    def duration(self) -> float:
        """Seconds per load point and round."""
        return 1.0 if self.quick else 2.0

    @property
    def rounds(self) -> int:
        """Rounds per load point (the best is kept)."""
        return 1 if self.quick else 3

    @property
    def concurrencies(self) -> tuple[int, ...]:
        return (1, 8) if self.quick else (1, 8, 32)


def unpack_revision(revision: str, target: Path) -> Path:
    """The mock, spec and overlays of a git revision, unpacked (``git archive``, the repository is
    left untouched) into ``target``; a server started with ``revision_env(target)`` runs that mock."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "src", "openapi.yaml", "overlays"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def revision_env(root: Path | None) -> dict[str, str] | None:
    if root is None:
        return None
    return {
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(root / "src"), str(ROOT), os.environ.get("PYTHONPATH")])
        )
    }


# On a machine with two cores or more, servers run on the last core and the load generator on the
# first, so the two never compete for one (``taskset``, from util-linux).
PINNING = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
SERVER_CPU = (os.cpu_count() or 1) - 1
LOAD_CPU = 0


def pinned(command: Sequence[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *command] if PINNING else list(command)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout:.0f} s")


class Server:
    """A server in its own process group (so a wrapper such as Steady's node launcher and its child
    stop together), logging to a file, reachable at ``url`` on loopback."""

    def __init__(
        self, name: str, command: Sequence[str], port: int, log_dir: Path, *, env: dict | None = None
    ):
        self.name = name
        self.command = list(command)
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.log_path = log_dir / f"{name.replace(' ', '_').replace('/', '_')}-{port}.log"
        self._env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "Server":
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=self._env,
            start_new_session=True,
        )
        log.close()
        try:
            wait_for_port(self.port, timeout, self.proc)
        except Exception:
            self.stop()
            raise
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_kib(self) -> int:
        """Resident memory of the server process and its children, KiB."""
        assert self.proc is not None
        total = 0
        for pid in [self.proc.pid, *_children(self.proc.pid)]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGINT)  # uvicorn shuts down cleanly on SIGINT
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    out = [int(p) for p in found]
    for child in list(out):
        out += _children(child)
    return out


def timed_command(
    command: Sequence[str], *, cwd: Path = ROOT, timeout: float = 900, env: dict[str, str] | None = None
) -> tuple[float, int, str]:
    """(wall seconds, exit code, combined output) of one command."""
    start = time.perf_counter()
    done = subprocess.run(
        list(command),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    return time.perf_counter() - start, done.returncode, done.stdout + done.stderr


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{ours / theirs:.2f}x"


def write_spec(path: Path) -> Path:
    """The effective spec (openapi.yaml + overlays) as JSON: what every server and tool is given."""
    from videos_toolkit.spec import effective_spec

    path.write_text(json.dumps(effective_spec()), encoding="utf-8")
    return path


def shell_join(command: Sequence[str]) -> str:
    import shlex

    return " ".join(shlex.quote(str(part)) for part in command).replace(str(ROOT) + "/", "")
