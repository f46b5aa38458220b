"""``scripts/conformance``: check an implementation of the Videos API against the contract."""

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from videos_toolkit.conformance.reports import write_reports
from videos_toolkit.conformance.results import FILTERED, CheckResult, Failure, Outcome, Report
from videos_toolkit.conformance.runner import PARTS, UNITS, Options, run
from videos_toolkit.conformance.target import PROBE_PATH, Probe, Target, mock_target
from videos_toolkit.conformance.uploads import SampleError, Uploads, sample_uploads
from videos_toolkit.spec import SpecError, contract_digest, effective_spec

MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One worker process per CPU this process may run on, at most MAX_DEFAULT_WORKERS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/conformance",
        description="Fuzz an implementation of the Videos API against the contract. "
        "With no --base-url it runs against the mock, in-process.",
    )
    p.add_argument("--base-url", help="the API under test, e.g. http://127.0.0.1:4010/v1 (default: the mock)")
    p.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"), help="default: $OPENAI_API_KEY")
    p.add_argument(
        "--other-api-key",
        default=os.environ.get("CONFORMANCE_OTHER_API_KEY"),
        help="a second key, for the isolation checks (skipped without one against a live URL); "
        "default: $CONFORMANCE_OTHER_API_KEY",
    )
    p.add_argument(
        "--max-examples",
        type=int,
        default=25,
        help="examples per operation and property, at least 1 (default 25)",
    )
    p.add_argument("--seed", type=int, default=0, help="makes the run reproducible (default 0)")
    p.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes for the stateless fuzzing phases, split by operation; at least 1, "
        f"1: all in this process (default: the CPUs, at most {MAX_DEFAULT_WORKERS}; "
        f"here {default_workers()})",
    )
    p.add_argument("--report-dir", type=Path, default=Path("reports"), help="default: reports/")
    p.add_argument(
        "--wait-timeout",
        type=float,
        default=120.0,
        help="longest wait for one job, seconds, > 0 (default 120)",
    )
    p.add_argument(
        "--request-timeout",
        type=float,
        default=30.0,
        help="longest wait for one answer, seconds, > 0 (default 30)",
    )
    p.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable)")
    p.add_argument(
        "--sample-video",
        type=Path,
        help="an MP4 to upload wherever a video file goes (e.g. H.264, for a server that reads nothing "
        "else): a whole number of seconds, at least 1, within 0.1 s, with any audio track as long as "
        "the movie; keep it small (it is uploaded often) and of a length other than 4, 8 and 12 s; "
        "default: small Motion-JPEG clips made to measure",
    )
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The options, or an argparse usage error (exit 2) naming any option out of its range."""
    p = parser()
    args = p.parse_args(argv)
    for option, value in (("--max-examples", args.max_examples), ("--workers", args.workers)):
        if value < 1:
            p.error(f"{option} must be at least 1 (got {value})")
    for option, value in (("--wait-timeout", args.wait_timeout), ("--request-timeout", args.request_timeout)):
        if not (0 < value < math.inf):  # also refuses nan
            p.error(f"{option} must be a finite number of seconds greater than 0 (got {value:g})")
    return args


def _refused_keys(target: Target, probe: Probe) -> str | None:
    """Why the keys cannot be used, when the server refuses one (401/403) to ``GET /videos``:
    every check would fail for that alone, each in its own words."""
    answers = [("--api-key", probe.status)]
    if target.other_api_key:
        answers.append(("--other-api-key", target.probe(target.other_api_key).status))
    for flag, status in answers:
        if status in (401, 403):
            return (
                f"GET {target.base_url}{PROBE_PATH}?limit=1 with {flag} answered {status}: check the key "
                "(and that the base URL is the API's). A server refusing valid keys fails every check."
            )
    return None


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a server's base URL (a typo, not an unreachable server)."""
    if url != url.strip() or any(char.isspace() for char in url):
        return "it holds spaces (quote it whole, without any)"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        return f"not a URL ({exc})"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "give an http:// or https:// URL with a host, such as http://127.0.0.1:8000/v1"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"port {parsed.port} is not a TCP port (1 to 65535)"
    if parsed.query or parsed.fragment:
        return "a base URL has no query or fragment: the suite appends paths to it (/videos, ...)"
    if parsed.userinfo:
        return "give the key with --api-key, not in the URL (the URL is printed in reports)"
    return None


def _without_password(url: str) -> str:
    """``url`` as it may be printed: a password in it masked."""
    return re.sub(r"^([a-zA-Z][\w+.-]*://[^/@:]*:)[^/@]*@", r"\1***@", url)


def _refuse(message: str) -> tuple[int, None]:
    """A run that cannot start: why, on stderr (stdout is the run's own output), and exit code 2."""
    Console(stderr=True).print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return 2, None


def main(argv: list[str] | None = None) -> int:
    return run_cli(argv)[0]


def run_cli(argv: list[str] | None = None) -> tuple[int, Report | None]:
    """``main``, also handing back the run's report (None when it did not run)."""
    args = parse_args(argv)
    console = Console()
    if not console.is_terminal:
        console = Console(width=180)  # CI logs: keep the matrix on one line per operation
    try:
        spec = effective_spec()  # first: the embedded mock is built from it too
    except SpecError as exc:
        return _refuse(str(exc))
    try:  # now, not after a run of minutes
        args.report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _refuse(f"--report-dir {args.report_dir}: cannot create it ({exc})")
    try:
        uploads = sample_uploads(args.sample_video) if args.sample_video else Uploads()
    except SampleError as exc:
        return _refuse(str(exc))
    if args.base_url:
        if problem := _url_problem(args.base_url):
            return _refuse(f"--base-url {_without_password(args.base_url)!r}: {problem}")
        if not args.api_key:
            return _refuse("--api-key (or OPENAI_API_KEY) is required with --base-url")
        if args.other_api_key and args.other_api_key == args.api_key:
            return _refuse("--other-api-key must be another key than --api-key: it is a second identity")
        target = Target(
            base_url=args.base_url.rstrip("/"),
            api_key=args.api_key,
            other_api_key=args.other_api_key,
            wait_timeout=args.wait_timeout,
            request_timeout=args.request_timeout,
            uploads=uploads,
        )
        probe = target.probe()
        if not probe.connected:
            return _refuse(f"Cannot reach {target.base_url}: {probe.problem or ''}")
        if refused := _refused_keys(target, probe):
            return _refuse(refused)
        if probe.status == 503:  # still, after waiting as its Retry-After asked, five times
            return _refuse(
                f"GET {target.base_url}{PROBE_PATH}?limit=1 answers 503 (unavailable): is "
                "the server still starting? Run again once it answers."
            )
        if probe.status == 404:
            console.print(
                f"[yellow]GET {escape(target.base_url)}{PROBE_PATH}?limit=1 answered 404: is "
                f"{escape(target.base_url)} the API's root (it usually ends in /v1)?[/] "
                "Running the checks anyway."
            )
        if probe.problem:
            # Reachable but broken: a finding about the server, not the network. The run goes on
            # (other operations may answer) and this stands as a failed check of its own.
            console.print(
                f"[red]GET {escape(target.base_url)}{PROBE_PATH}?limit=1: {escape(probe.problem)} "
                f"({escape(probe.error)}).[/] "
                "Running the checks anyway."
            )
    else:
        target = replace(mock_target(), uploads=uploads)
        probe = Probe(connected=True)
    options = Options(
        max_examples=args.max_examples, seed=args.seed, workers=args.workers, parts=tuple(args.only or PARTS)
    )
    sample = f", uploading {uploads.path} ({uploads.sample_seconds} s)" if uploads.path else ""
    console.print(
        f"Conformance of [bold]{escape(target.label)}[/] (seed {args.seed}, {args.max_examples} examples, "
        f"{args.workers} worker{'s' if args.workers != 1 else ''}{escape(sample)})"
    )
    if "client" in options.parts and (stale := _stale_client(spec)):
        console.print(f"[yellow]{escape(stale)}[/]", soft_wrap=True)
    report = _run_with_progress(console, spec, target, options)
    with _sigint_held():  # a second Ctrl-C (or a first one now) must not cost the run its reports
        if probe.problem:
            report.results.insert(0, probe_failure(target, probe))
        junit, page = write_reports(report, args.report_dir)  # first: nothing after may cost them
        if console.is_terminal:
            # No cell cut to "1…": as many tables as the terminal's width needs, each with some families.
            for table in matrix_tables(report, console):
                console.print(table)
        else:
            # A log has no width to keep to: the whole matrix, no header cut to "conte…".
            matrix = matrix_table(report)
            console.width = max(console.width, _width(console, matrix))
            console.print(matrix)
        # One line per distinct failure, with how many times it was seen: the same check failing the
        # same way on four cases is one finding (the HTML report has each case).
        distinct = Counter(f"{f.operation} · {f.check}: {f.detail}" for f in report.failures)
        # Every failed check gets a line before any gets a second: ten kinds of one check must not
        # hide another check below the cut.
        check_of = {f"{f.operation} · {f.check}: {f.detail}": f.check for f in report.failures}
        shown: set[str] = set()
        firsts: list[str] = []
        seconds: list[str] = []
        for line in distinct:
            (seconds if check_of[line] in shown else firsts).append(line)
            shown.add(check_of[line])
        for line in (firsts + seconds)[:10]:
            times = distinct[line]
            # Server text (an echoed body, a status line) is printed as it is, never read as markup.
            console.print(f"[red]✗[/] {escape(line)}" + (f" [dim](x{times})[/]" if times > 1 else ""))
        if len(distinct) > 10:
            console.print(f"  … {len(distinct) - 10} more kinds of failure in the HTML report")
        if uploads.path is None and _uploads_refused(report):
            console.print(
                "[yellow]The server refused uploaded videos (answers naming param 'video'). The suite's own "
                "clips are Motion-JPEG MP4s: for a server that reads only H.264, say, give one it reads "
                "with --sample-video.[/]"
            )
        # (an interrupted fuzzing part never said how many it made)
        generated = f" · {report.cases} test cases generated" if report.cases else ""
        colour = "green" if report.ok else "yellow" if report.interrupted else "red"
        verdict, rest = summary(report).split(":", 1)
        # One line whatever its length (soft_wrap): CI logs are searched for it, paths and all.
        console.print(
            f"[{colour}]{verdict}[/]:{escape(f'{rest}{generated} · reports: {junit}, {page}')}",
            soft_wrap=True,
        )
        return (INTERRUPTED_EXIT if report.interrupted else 0 if report.ok else 1), report


REFUSED_UPLOAD = {"400", "413", "415", "422"}  # statuses that say what was sent is not taken


def _stale_client(spec: dict) -> str | None:
    """Why the client part judges a client made from another contract, if it does: the contract
    changed and scripts/generate was not run (the daily move it is easy to forget)."""
    try:
        from videos_client._contract import CONTRACT_SHA256
    except ImportError:  # made before clients said what they were made from
        return None
    if contract_digest(spec) == CONTRACT_SHA256:
        return None
    return (
        "videos_client was generated from another contract than this run's: run scripts/generate, "
        "or the client part judges the client as it was."
    )


_NAMES_VIDEO = re.compile(r'"param"\s*:\s*"video"')


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Ctrl-C ignored while the run's results are written and shown (in the main thread only,
    where Python lets a handler be set)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _uploads_refused(report: Report) -> bool:
    """Whether a failure shows a refusal naming the ``video`` part: the clips may be what it
    refused (a 404 naming it is about a source video by id, not an upload)."""
    return any(
        result.failure.response[:3] in REFUSED_UPLOAD and _NAMES_VIDEO.search(result.failure.response)
        for result in report.failures
        if result.failure is not None
    )


INTERRUPTED_EXIT = 130  # a shell's code for a command stopped by SIGINT
# The summary line's start, for whatever reads a run's output (bench/conformance_speed.py): the
# verdict, the number of checks run (skipped ones included) and the seconds the run took.
SUMMARY_PATTERN = r"(PASSED|FAILED): (?:all |\d+ of )?(\d+) checks\b[^·]*? in ([\d.]+) s"
# A skipped check's reason, in the words of this command's options.
SKIP_REASONS = {"no second API key given": "no --other-api-key given"}


def summary(report: Report) -> str:
    """``PASSED: all 5616 checks passed in 22.7 s``, ``FAILED: 22 of 5616 checks failed in 22.7 s``;
    skipped checks are counted, by family and why: ``..., 1 skipped (isolation: no --other-api-key
    given) in 22.7 s``."""
    total, failed = len(report.results), len(report.failures)
    skipped = [r for r in report.results if r.outcome is Outcome.SKIPPED]
    if report.interrupted:
        counts = f"INTERRUPTED: {total} checks ran before Ctrl-C, {failed} failed"
    elif not total:
        counts = "FAILED: no checks ran"
    elif failed:
        counts = f"FAILED: {failed} of {total} checks failed"
    elif skipped:
        counts = f"PASSED: {total - len(skipped)} of {total} checks passed"
    else:
        counts = f"PASSED: all {total} checks passed"
    if skipped:
        reasons: dict[str, list[str]] = {}
        for result in skipped:
            why = SKIP_REASONS.get(result.detail, result.detail)
            family = reasons.setdefault(result.family, [])
            if why and why not in family:
                family.append(why)
        said = "; ".join(f"{family}: {', '.join(why)}" if why else family for family, why in reasons.items())
        counts += f", {len(skipped)} skipped ({said})"
    return f"{counts} in {report.elapsed:.1f} s"


def probe_failure(target: Target, probe: Probe) -> CheckResult:
    """The first request of the run, answered with no HTTP answer, as a failed check."""
    url = f"{target.base_url}{PROBE_PATH}?limit=1"
    failure = Failure(
        rule=f"{probe.problem}: every request must get an HTTP answer\n{probe.error}",
        request=f"GET {url}\nAuthorization: {FILTERED}",
        response="",
        reproduce=f"curl -v -H 'Authorization: Bearer $OPENAI_API_KEY' '{url}'",
    )
    return CheckResult(
        f"GET {PROBE_PATH}", "connection", "answers_over_http", Outcome.FAILED, failure, probe.problem or ""
    )


def _run_with_progress(console: Console, spec: dict, target: Target, options: Options) -> Report:
    if not console.is_terminal:
        return _run_with_log_lines(console, spec, target, options)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        _Steps(),
        TextColumn("{task.fields[counts]}"),
    )
    with Progress(
        *columns, TimeElapsedColumn(), _Waiting(target), console=console, transient=False
    ) as progress:
        # Every part from the start, so the run's length shows; each starts when it runs.
        tasks = {part: progress.add_task(part, total=None, start=False, counts="") for part in options.parts}
        running: list[int] = []
        counts = {"passed": 0, "failed": 0, "skipped": 0}  # the running part's own

        def finish() -> None:
            for task in running:
                progress.update(
                    task, total=progress.tasks[task].total or 1, completed=progress.tasks[task].total or 1
                )
            running.clear()

        def on_part(part: str) -> None:
            finish()
            running.append(tasks[part])
            progress.start_task(tasks[part])
            counts.update(passed=0, failed=0, skipped=0)

        def on_result(result: CheckResult) -> None:
            counts[result.outcome.value] += 1
            text = f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
            progress.update(running[-1], counts=text)

        def on_progress(done: int, total: int) -> None:
            progress.update(running[-1], completed=done, total=total)

        report = run(spec, target, options, on_part=on_part, on_result=on_result, on_progress=on_progress)
        if report.interrupted:  # the bars stay where the run stopped; the parts never run go
            for task in [task.id for task in progress.tasks if not task.started]:
                progress.remove_task(task)
        else:
            finish()
    return report


class _Steps(ProgressColumn):
    """``14 of 31 operation phases``: how far the part has got, in its own unit (runner.UNITS)."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text("")
        unit = UNITS[task.description]
        return Text(f"{task.completed:.0f} of {task.total:.0f} {unit}", style="progress.download")


class _Waiting(ProgressColumn):
    """The job the running part is waiting on, if any (see ``Target.waiting_on``)."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        self.target = target

    def render(self, task: Task) -> Text:
        return Text(
            "" if task.finished else self.target.waiting_on, style="dim", no_wrap=True, overflow="ellipsis"
        )


# Without a terminal, a part still running says so this often (seconds): against a server that
# does not answer, a part can wait minutes for its timeouts with no result to report.
HEARTBEAT_S = 60.0


def _run_with_log_lines(console: Console, spec: dict, target: Target, options: Options) -> Report:
    """Not a terminal (a CI log, a file): no live display, but one plain line per finished part
    with the running totals and the time elapsed, and one every HEARTBEAT_S while a part runs, so a
    long run shows how far it got."""
    started = time.monotonic()
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    current: list[tuple[str, float]] = []  # the part running, and when it started
    steps = [0, 0]  # the running part's: done, total
    stop = threading.Event()

    def totals() -> str:
        return f"so far {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"

    said = [started]  # when the last line was printed: a line comes HEARTBEAT_S after the last one

    def heartbeat() -> None:
        while not stop.wait(min(1.0, HEARTBEAT_S / 4)):
            for part, since in current[-1:]:  # a copy: the run may switch parts meanwhile
                now = time.monotonic()
                if now - max(said[0], since) < HEARTBEAT_S:
                    continue
                said[0] = now
                waiting = f" · {target.waiting_on}" if target.waiting_on else ""
                done = f"{steps[0]} of {steps[1]} {UNITS[part]} done"
                console.print(
                    f"{part} still running after {now - since:.0f} s ({done}) · {totals()} · "
                    f"{now - started:.0f} s elapsed{waiting}",
                    highlight=False,
                    soft_wrap=True,  # one line in a log, however long: a wrapped one reads as two
                )

    def finished(how: str = "done in") -> None:
        if not current:
            return
        part, since = current.pop()
        now = said[0] = time.monotonic()
        console.print(
            f"{part} {how} {now - since:.1f} s · {totals()} · {now - started:.1f} s elapsed",
            highlight=False,
            soft_wrap=True,
        )

    def on_part(part: str) -> None:
        finished()
        current.append((part, time.monotonic()))

    def on_result(result: CheckResult) -> None:
        counts[result.outcome.value] += 1

    def on_progress(done: int, total: int) -> None:
        steps[:] = [done, total]

    beating = threading.Thread(target=heartbeat, name="conformance-heartbeat", daemon=True)
    beating.start()
    try:
        report = run(spec, target, options, on_part=on_part, on_result=on_result, on_progress=on_progress)
    finally:
        stop.set()
        beating.join()
    finished("interrupted after" if report.interrupted else "done in")
    return report


def _width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update(max_width=1_000), table).maximum


def matrix_tables(report: Report, console: Console) -> list[Table]:
    """The matrix as tables that each fit the console's width, the families shared out in order."""
    matrix = report.matrix()  # once: a pass over every result
    shares: list[list[str]] = [[]]
    for family in matrix[1]:
        if shares[-1] and _width(console, _table(matrix, [*shares[-1], family])) > console.width:
            shares.append([])
        shares[-1].append(family)
    tables = [_table(matrix, share) for share in shares]
    for table in tables[1:]:
        table.title = None  # one matrix, in parts
    return tables


def matrix_table(report: Report) -> Table:
    matrix = report.matrix()
    return _table(matrix, matrix[1])


def _table(matrix: tuple[list[str], list[str], dict[tuple[str, str], Any]], families: list[str]) -> Table:
    operations, _, cells = matrix
    table = Table(title="checks per operation and family: passed (✗ failed, · skipped)")
    table.add_column("operation", style="bold", no_wrap=True)
    for family in families:
        table.add_column(family.replace(" ", "\n"), justify="right")
    for operation in operations:
        row = []
        for family in families:
            cell = cells.get((operation, family))
            if cell is None:
                row.append("")
            elif cell.failed:
                row.append(f"[red bold]✗{cell.failed}[/] {cell.passed}")
            else:
                row.append(f"[green]{cell.passed}[/]" + (f" ·{cell.skipped}" if cell.skipped else ""))
        table.add_row(operation, *row)
    return table


if __name__ == "__main__":
    sys.exit(main())
