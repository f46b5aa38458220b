"""``scripts/mock``: serve the mock over HTTP with uvicorn."""

import argparse
import gc
import ipaddress
import signal
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from videos_toolkit.mock.clock import LATEST
from videos_toolkit.mock.config import FAULT_STATUSES, MIB, MockConfig, key_problem

# How long a stop (SIGTERM, SIGINT) waits for in-flight requests before closing their connections.
GRACEFUL_SHUTDOWN_S = 30
BACKLOG = 2048  # uvicorn's default


_FAULT_STATUS_LIST = ", ".join(map(str, FAULT_STATUSES))


def _statuses(text: str) -> tuple[int, ...]:
    try:
        statuses = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list such as 429,500,503, got {text!r}"
        ) from None
    if not statuses or any(s not in FAULT_STATUSES for s in statuses):
        raise argparse.ArgumentTypeError(f"fault statuses must be among {_FAULT_STATUS_LIST}")
    return statuses


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("the fault rate is a share between 0 and 1")
    return value


def _between(low: float, high: float) -> Callable[[str], float]:
    """A number from low to high: inf, nan and values no request could live with are refused at
    start-up (--speed 1e-300 would ask clients to wait 10^300 ms between polls)."""

    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:  # False for nan
            raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}, got {text!r}")
        return value

    return parse


def _speed(text: str) -> float:
    """0 (mock time stands still) or a speed from 0.001 to 1e6."""
    if text.strip() in ("0", "0.0"):
        return 0.0
    try:
        return _between(0.001, 1e6)(text)
    except (argparse.ArgumentTypeError, ValueError):
        message = f"must be 0 (time stands still) or from 0.001 to 1e6, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def _start_time(text: str) -> float:
    """Unix seconds, or an ISO 8601 date and time (UTC when it names no offset)."""
    try:
        value = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"give unix seconds or an ISO 8601 time such as 2026-01-01T00:00:00Z, got {text!r}"
            ) from None
        value = (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    if not 0 <= value <= LATEST:  # False for nan
        raise argparse.ArgumentTypeError(f"must be from 1970 to the year 9999, got {text!r}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a TCP port is from 1 to 65535 (0: any free one), got {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _api_key(text: str) -> str:
    # The same rule as MockConfig's, told at start-up: a key that no request can match would
    # otherwise make the mock answer 401 to every request.
    if problem := key_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/mock",
        description="Serve the stateful Videos API mock (driven by openapi.yaml + overlays). "
        "Point clients at http://HOST:PORT/v1 (bare paths work too). A prompt containing '[fail]' "
        "makes its job fail.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=_port,
        default=4010,
        help="port (default 4010; 0: any free port, named in the line printed once it takes connections)",
    )
    p.add_argument(
        "--allow-remote", action="store_true", help="required to bind anything but a loopback address"
    )
    p.add_argument(
        "--stateless", action="store_true", help="answer every valid request from the spec's examples"
    )
    p.add_argument(
        "--api-key", type=_api_key, action="append", default=[], metavar="KEY",
        help="accept only this key (repeatable); by default any non-empty bearer key is accepted",
    )  # fmt: skip
    p.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="mock time runs X times faster than wall time (default 1; 0: it stands still and moves "
        "only by POST /_mock/clock/advance)",
    )
    p.add_argument(
        "--start-time",
        type=_start_time,
        metavar="T",
        help="mock time starts at T (unix seconds, or ISO 8601 such as 2026-01-01T00:00:00Z) instead "
        "of now, and goes back to it on POST /_mock/reset",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="draw video and character ids from this seed: the same ids in the same order on every "
        "run and after every POST /_mock/reset (default: at random)",
    )
    p.add_argument("--instant", action="store_true", help="jobs are terminal when first read after creation")
    p.add_argument(
        "--upload-limit-mb",
        type=_between(0.001, 1024 * 1024),
        default=50,
        metavar="N",
        help="largest body, MiB (default 50)",
    )
    p.add_argument(
        "--poll-after-ms",
        type=_non_negative,
        default=250,
        metavar="N",
        help="openai-poll-after-ms (default 250, divided by --speed)",
    )
    p.add_argument(
        "--fault-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="share of requests answered with a fault (0..1)",
    )
    p.add_argument(
        "--fault-status",
        type=_statuses,
        default=FAULT_STATUSES,
        metavar="LIST",
        help=f"comma-separated statuses to inject, among {_FAULT_STATUS_LIST} (default: all of them)",
    )
    p.add_argument(
        "--fault-seed", type=int, default=0, metavar="N", help="seed of the fault sequence (default 0)"
    )
    p.add_argument(
        "--fault-retry-after-ms",
        type=_non_negative,
        default=1000,
        metavar="N",
        help="retry hint of injected 429s and 503s (retry-after-ms, and retry-after in whole seconds "
        "rounded up) (default 1000)",
    )
    p.add_argument(
        "--latency-ms", type=_non_negative, default=0, metavar="N", help="delay added to every request"
    )
    p.add_argument(
        "--validate-responses", action="store_true", help="check every response against the contract"
    )
    p.add_argument(
        "--state-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="keep videos, characters and idempotent answers in this SQLite file, so a restart "
        "loses no job (created if missing, with PATH.lock next to it; one mock per file: a second "
        "one exits 2; default: in memory)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level (default info; warning drops the access log)",
    )
    return p


def config_from(args: argparse.Namespace) -> MockConfig:
    return MockConfig(
        stateless=args.stateless,
        api_keys=frozenset(args.api_key),
        speed=args.speed,
        start_time=args.start_time,
        seed=args.seed,
        instant=args.instant,
        upload_limit=int(args.upload_limit_mb * MIB),
        poll_after_ms=args.poll_after_ms,
        fault_rate=args.fault_rate,
        fault_statuses=args.fault_status,
        fault_seed=args.fault_seed,
        fault_retry_after_ms=args.fault_retry_after_ms,
        latency_ms=args.latency_ms,
        validate_responses=args.validate_responses,
        state_file=args.state_file,
    )


def _exposure(api_keys: list[str]) -> str:
    """What a non-loopback bind exposes to other machines (--allow-remote only lifts the refusal)."""
    if not api_keys:
        return "It accepts any bearer key (no --api-key was given), so anyone who can reach it can use it."
    return "It serves plain HTTP, so the --api-key keys would cross the network unencrypted."


def _url(host: str, port: int) -> str:
    host = host.strip("[]")  # "--host [::1]" as well as "--host ::1"
    return f"http://[{host}]:{port}/v1" if ":" in host else f"http://{host}:{port}/v1"


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: a free one), bound as uvicorn binds (SO_REUSEADDR).
    Listening before the banner is printed means a client that connects as soon as it reads the
    banner is queued, not refused, while uvicorn starts. OSError when it cannot listen there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _serve(app: Any, sock: socket.socket, log_level: str) -> None:
    """Run uvicorn on ``sock`` until a signal stops it."""
    import uvicorn  # imported here: --help and argument errors do not need it

    config = uvicorn.Config(
        app,
        log_level=log_level,
        server_header=False,
        # Nothing in the mock reads the client's address or scheme, so uvicorn's middleware
        # that rewrites them from X-Forwarded-* would be a layer of cost on every request.
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        backlog=BACKLOG,
    )
    config.load()  # uvicorn's protocol, loop and middleware imports, before the freeze below
    # What start-up built (modules, the compiled contract and its validators: about 75k objects)
    # lives as long as the process, yet every full garbage collection walked it: a 30 ms pause,
    # which a store growing with every create set off again and again (extend's p99 at
    # concurrency 8: 23 ms). Frozen, a collection walks only what came after.
    gc.collect()
    gc.freeze()
    uvicorn.Server(config).run(sockets=[sock])


def _loopback(host: str) -> bool:
    """Whether ``host`` is this machine only: localhost, or any address of 127.0.0.0/8 or ::1."""
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args = cli.parse_args(argv)
    if args.stateless and args.state_file is not None:
        cli.error(
            "--state-file keeps a stateful mock's jobs; a --stateless mock keeps nothing: pass one of them"
        )
    if not _loopback(args.host):
        if not args.allow_remote:
            print(
                f"scripts/mock: refusing to bind {args.host}, not a loopback address: the mock is meant "
                f"for local tests. {_exposure(args.api_key)} Pass --allow-remote to bind it anyway.",
                file=sys.stderr,
            )
            return 2
        print(
            f"scripts/mock: WARNING: binding {args.host}; the mock is reachable from other machines. "
            f"{_exposure(args.api_key)}",
            file=sys.stderr,
        )

    import sqlite3

    from videos_toolkit.mock.app import create_app
    from videos_toolkit.mock.responses import answered_as_500
    from videos_toolkit.mock.sqlite_store import StateFileInUse
    from videos_toolkit.spec import SpecError

    try:
        app = create_app(config_from(args))
    except StateFileInUse as exc:
        # Two mocks on one file would answer one Idempotency-Key with two jobs (see sqlite_store.py).
        print(f"scripts/mock: {exc}. Stop that process, or pass another --state-file.", file=sys.stderr)
        return 2
    except (SpecError, ValueError, OSError, sqlite3.Error) as exc:
        print(f"scripts/mock: {exc}", file=sys.stderr)
        return 2
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        app.state.mock.store.close()
        print(
            f"scripts/mock: cannot listen on {_url(args.host, args.port)}: {exc.strerror or exc}. "
            "Stop what is using it, or pass another --port.",
            file=sys.stderr,
        )
        return 2
    mode = "stateless" if args.stateless else "stateful"
    where = f", state in {args.state_file}" if args.state_file else ""
    # Printed once the port takes connections, naming the port (the free one --port 0 got).
    print(
        f"Videos API mock ({mode}{where}) on {_url(args.host, sock.getsockname()[1])}",
        file=sys.stderr,
        flush=True,
    )
    # Graceful shutdown: on SIGTERM or SIGINT uvicorn stops accepting connections, lets in-flight
    # requests finish (up to GRACEFUL_SHUTDOWN_S), then re-raises the signal with the handler it
    # found installed. These handlers make that re-raise a no-op, so a requested stop exits 0.
    stopped: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda number, _frame: stopped.append(number))
    try:
        _serve(answered_as_500(app) if args.validate_responses else app, sock, args.log_level)
    finally:
        sock.close()
        app.state.mock.store.close()
    return 0
