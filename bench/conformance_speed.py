"""Section ``conformance``: test cases per second of ``scripts/conformance`` (in-process, the
schemathesis engine inside our suite) vs the schemathesis CLI over HTTP against Prism, Steady and
our mock, on the same effective spec and example budget; and the default run's total wall time.

Test cases are counted alike on both sides: the cases recorded in every finished scenario of the
schemathesis engine (what the CLI prints as "N generated"); ours come from the run's own report,
which counts them in every worker process.
"""

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.common import (
    KEY,
    LOAD_CPU,
    PYTHON,
    ROOT,
    SERVER_CPU,
    Section,
    Server,
    Settings,
    Table,
    free_port,
    pinned,
    shell_join,
    timed_command,
    write_spec,
)
from bench.peers import PeerSetup
from videos_toolkit.conformance.cli import SUMMARY_PATTERN, default_workers

ST = str(Path(PYTHON).with_name("st"))


def _fuzzing_args(max_examples: int, workers: int) -> list[str]:
    return ["--only", "fuzzing", "--max-examples", str(max_examples), "--workers", str(workers)]


def _probe(args: list[str], report_dir: Path) -> list[str]:
    """``scripts/conformance``'s entry point with these arguments, reading its report."""
    return [PYTHON, "-m", "bench.conformance_probe", "--", *args, "--report-dir", str(report_dir)]


def ours(max_examples: int, workers: int, work: Path) -> tuple[dict, list[str]]:
    args = _fuzzing_args(max_examples, workers)
    command = _probe(args, work / f"reports-{max_examples}-{workers}")
    with fresh_folder("conformance-", work) as cwd:
        wall, code, output = _run_in(command, cwd)
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        return {"error": f"exit {code}: {output[-400:]}", "wall": wall}, command
    data = json.loads(line.removeprefix("BENCH_JSON "))
    data["wall"] = wall
    verdict = re.search(SUMMARY_PATTERN, output)  # the verdict and the total number of checks
    data["verdict"] = f"{verdict.group(1)} ({verdict.group(2)} checks)" if verdict else "?"
    return data, ["scripts/conformance", *args]


UNICODE_TABLES = Path(".hypothesis") / "unicode_data"


@contextlib.contextmanager
def fresh_folder(prefix: str, work: Path) -> Iterator[Path]:
    """An empty folder to run in (a fresh hypothesis database for every run, ours and the CLI's),
    given only hypothesis' Unicode tables from the warm-up run when there are some: every run in a
    folder after its first has them, and building them takes seconds, the same for both runners,
    that say nothing of either."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=work) as name:
        cwd = Path(name)
        if (work / "warm" / UNICODE_TABLES).is_dir():
            shutil.copytree(work / "warm" / UNICODE_TABLES, cwd / UNICODE_TABLES)
        yield cwd


def warm_up(work: Path) -> None:
    """One throwaway run of ours (one example) in ``work/warm``: it builds the Unicode tables that
    schemathesis' generation asks hypothesis for, ours and the CLI's alike."""
    (work / "warm").mkdir(exist_ok=True)
    _run_in(_probe(_fuzzing_args(1, 1), work / "warm-reports"), work / "warm")


def _run_in(command: list[str], cwd: Path, timeout: float = 900) -> tuple[float, int, str]:
    """Run in ``cwd`` (where hypothesis keeps its files), with bench importable."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return timed_command(command, cwd=cwd, timeout=timeout, env={"PYTHONPATH": path})


def cli(spec: Path, server: Server, max_examples: int, work: Path) -> tuple[dict, list[str]]:
    command = [
        ST,
        "run",
        str(spec),
        "--url",
        server.url,
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
    ]
    command = pinned([*command, "--seed", "0", "-H", f"Authorization: Bearer {KEY}"], LOAD_CPU)
    with fresh_folder("st-", work) as cwd:
        try:
            wall, code, output = timed_command(command, cwd=cwd, timeout=900)
        except Exception as exc:  # a hung peer: report it, keep going
            return {"error": f"{type(exc).__name__}: {exc}", "alive": server.alive}, command
    generated = re.search(r"(\d+) generated", output)
    seconds = re.findall(r" in ([\d.]+)s", output)
    codes = re.findall(r"(ST\d+) ([^\n:]+): (\d+)", output)
    data = {
        "cases": int(generated.group(1)) if generated else None,
        "seconds": float(seconds[-1]) if seconds else wall,
        "wall": wall,
        "exit": code,
        "failures": [f"{c} {title.strip()} ({n})" for c, title, n in codes],
        "alive": server.alive,
    }
    if not generated:
        data["error"] = output.strip().splitlines()[-1][:200] if output.strip() else f"exit {code}"
    return data, command


def _our_http(settings: Settings) -> Server:
    port = free_port()
    command = [
        PYTHON,
        "-m",
        "videos_toolkit.mock",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--api-key",
        KEY,
    ]
    return Server("ours-http", pinned(command, SERVER_CPU), port, settings.work)


def run(settings: Settings, peers: PeerSetup) -> Section:
    section = Section("conformance", "Conformance speed")
    budget = 3 if settings.quick else 20
    spec = write_spec(settings.work / "effective-openapi.json")
    table = Table(
        f"Test cases per second, --max-examples {budget}, seed 0, all phases, all checks "
        f"(best of {1 if settings.quick else 2} alternating round(s))",
        [
            "runner",
            "target",
            "test cases",
            "seconds",
            "cases/s",
            "vs st CLI on Prism",
            "vs st CLI on Steady",
            "outcome",
        ],
    )
    rounds = 1 if settings.quick else 2
    jobs: list[tuple[str, str, Callable[[], Server] | int]] = [
        (f"scripts/conformance --only fuzzing --workers {w}", "our mock, in-process", w)
        for w in sorted({1, 2, default_workers()})
    ]
    if settings.peers:
        for peer in peers.peers:
            jobs.append(
                (
                    "st run (schemathesis CLI)",
                    f"{peer.name} {peer.version}",
                    lambda p=peer: p.server(spec, settings.work),
                )
            )
        jobs.append(
            (
                "st run (schemathesis CLI)",
                "our mock over HTTP (scripts/mock --api-key)",
                lambda: _our_http(settings),
            )
        )
    warm_up(settings.work)
    found: dict[tuple[str, str], list[dict]] = {}
    for r in range(rounds):
        # Alternating, each round starting with the next job: a busy spell hits every runner alike.
        for runner, label, job in jobs[r % len(jobs) :] + jobs[: r % len(jobs)]:
            if isinstance(job, int):
                data, command = ours(budget, job, settings.work)
            else:
                server = job()
                try:
                    server.start()
                except Exception as exc:
                    found.setdefault((runner, label), []).append({"error": f"did not start: {exc}"})
                    continue
                try:
                    data, command = cli(spec, server, budget, settings.work)
                    if not data.get("alive", True):
                        lines = [ln.strip() for ln in server.log_tail(80).splitlines() if ln.strip()]
                        # The exception that ended it (e.g. "TypeError: ..."), not per-request log lines.
                        crash = [i for i, ln in enumerate(lines) if re.match(r"^\w*(Error|Exception)\b", ln)]
                        tail = " / ".join(lines[crash[-1] : crash[-1] + 2] if crash else lines[-3:])[:600]
                        note = f"{label} exited during the st run; the end of its log: `{tail}`"
                        if note not in table.notes:
                            table.notes.append(note)
                finally:
                    server.stop()
                section.commands.append(shell_join(server.command))
                command = [c.replace(server.url, "http://127.0.0.1:PORT") for c in command]
            if r == 0:
                section.commands.append(shell_join(command))
            found.setdefault((runner, label), []).append(data)
    section.commands = list(dict.fromkeys(section.commands))

    def best(runs: list[dict]) -> dict:
        measured = [d for d in runs if d.get("cases") and d.get("seconds")]
        if not measured:
            return runs[0]
        top = dict(max(measured, key=lambda d: d["cases"] / d["seconds"]))
        top["alive"] = all(d.get("alive", True) for d in runs)  # a crash in any round is reported
        return top

    rows = [(runner, label, best(runs)) for (runner, label), runs in found.items()]

    def rate(data: dict) -> float | None:
        return data["cases"] / data["seconds"] if data.get("cases") and data.get("seconds") else None

    prism = next((rate(d) for _, label, d in rows if label.startswith("Prism")), None)
    steady = next((rate(d) for _, label, d in rows if label.startswith("Steady")), None)
    for runner, label, data in rows:
        speed = rate(data)
        outcome = data.get("error") or data.get("verdict") or _cli_outcome(data)
        table.add(
            runner,
            label,
            data.get("cases", ""),
            f"{data['seconds']:.1f}" if data.get("seconds") else "",
            f"{speed:.0f}" if speed else "",
            f"{speed / prism:.2f}x" if speed and prism else "n/a",
            f"{speed / steady:.2f}x" if speed and steady else "n/a",
            outcome,
        )
        section.figures[f"{runner} @ {label}"] = {k: v for k, v in data.items() if k != "failures"}
    section.tables.append(table)

    # The default run, as a user types it: every part (fuzzing, properties, client round trip).
    default = ["scripts/conformance", "--report-dir", str(settings.work / "reports-default")]
    if settings.quick:
        default += ["--max-examples", str(budget)]
    wall, code, output = timed_command(default, timeout=900)
    verdict = re.search(SUMMARY_PATTERN, output)
    generated = re.search(r"(\d+) test cases generated", output)
    section.tables.append(
        Table(
            "The default run ("
            + ("quick budget" if settings.quick else "no flags: 25 examples")
            + f", {default_workers()} worker processes)",
            ["command", "wall time s", "exit", "result"],
            [
                [
                    shell_join(default[:1] + default[3:]),
                    f"{wall:.1f}",
                    code,
                    verdict.group(0) if verdict else "?",
                ]
            ],
        )
    )
    section.figures["default_run"] = {
        "wall": round(wall, 2),
        "exit": code,
        "workers": default_workers(),
        "cases": int(generated.group(1)) if generated else None,
    }
    section.commands.append(shell_join(default))
    ours_best = max((rate(d) or 0) for r, _, d in rows if r.startswith("scripts/conformance"))
    best_peer = max((x for x in (prism, steady) if x), default=None)
    line = f"Conformance: {ours_best:.0f} test cases/s in-process"
    if best_peer:
        line += (
            f" vs {best_peer:.0f}/s for the st CLI over HTTP (best peer): "
            f"{ours_best / best_peer:.2f}x (target >= 3x)"
        )
    section.figures["_headline"] = [
        line,
        f"Default `scripts/conformance` run: {wall:.0f} s wall (target < 120 s)",
    ]
    section.notes.append(
        "Ours runs `scripts/conformance`'s own entry point with `--only fuzzing` (the part that is the "
        "schemathesis engine; properties and the client round trip are extra checks the CLI does not "
        "have) through `bench/conformance_probe.py`, which reads the number of test cases from the "
        "run's report (counted in every worker process). The CLI runs "
        "`st run` on the plain effective spec against each server over HTTP; our suite fuzzes a wire "
        "view of the same spec (file parts carry real MP4s), so the two do not generate identical "
        "cases, which is why the comparison is in cases per second. A failure column of the CLI lists "
        "what schemathesis found in that server; a peer that exits during the run is marked. Every "
        "run starts in an empty folder holding only hypothesis' Unicode tables, built once by a "
        "throwaway run before the table (as in any folder after its first run): a first run in a "
        "fresh folder spends about 3 s more building them, ours before it starts its worker "
        "processes, the CLI within the time it reports."
    )
    return section


def _cli_outcome(data: dict) -> str:
    parts = []
    if not data.get("alive", True):
        parts.append("SERVER DIED during the run")
    if data.get("failures"):
        parts.append("failures: " + "; ".join(data["failures"]))
    elif data.get("exit") == 0:
        parts.append("passed")
    return ", ".join(parts) or f"exit {data.get('exit')}"
