"""``scripts/bench``: run the sections, write ``bench/RESULTS.md``."""

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import report
from bench.common import ROOT, Section, Settings
from bench.loadgen import wrk_available, wrk_version

SECTIONS = ("mock", "dispatch", "instructions", "client", "conformance", "generate", "scale", "profile")
NEEDS_PEERS = {"mock", "conformance"}
CHANGES = ROOT / "bench" / "CHANGES.md"  # hand-kept notes (before/after, findings), shown in RESULTS.md


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Benchmark the mock, client, conformance suite and generator side by side with "
        "Prism, Steady, the openai SDK and the schemathesis CLI; write bench/RESULTS.md.",
    )
    p.add_argument("--only", choices=SECTIONS, action="append", help="run only this section (repeatable)")
    p.add_argument("--quick", action="store_true", help="smoke-test budget: short points, few requests")
    p.add_argument("--no-peers", action="store_true", help="measure ours only (no npm install, no st CLI)")
    p.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk (default when installed) or the asyncio fallback",
    )
    p.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure the mock of this git revision (sections mock and dispatch): before/after",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="default: bench/RESULTS.md, or bench/.quick/RESULTS.md with --quick (a smoke test's "
        "figures never replace the committed page)",
    )
    return p


def default_out(quick: bool) -> Path:
    """Where the page goes: a smoke test's figures never replace the committed bench/RESULTS.md."""
    return ROOT / "bench" / (".quick/RESULTS.md" if quick else "RESULTS.md")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.out = args.out or default_out(args.quick)
    chosen = tuple(args.only or SECTIONS)
    settings = Settings(
        quick=args.quick, loadgen=args.loadgen, peers=not args.no_peers, baseline=args.baseline
    )
    if args.baseline:
        from bench.common import unpack_revision

        revision = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", args.baseline],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        settings = dataclasses.replace(
            settings, baseline=revision, baseline_root=unpack_revision(revision, settings.work / "baseline")
        )
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    peers = None
    preface = ""
    if settings.peers and NEEDS_PEERS & set(chosen):
        from bench import peers as peer_setup

        print("bench: installing the peers from the npm registry into bench/.peers/ ...", flush=True)
        peers = peer_setup.install()
        if peers.problem:
            preface = f"**Peers:** {peers.problem}. Our figures are reported alone where a peer is missing."
            print(f"bench: {peers.problem}", file=sys.stderr)
    if not settings.peers:
        preface = "**Peers:** not measured in this run (`--no-peers`)."

    runners: dict[str, Callable[[], Section]] = {}
    if "mock" in chosen:
        from bench import mock_throughput

        runners["mock"] = lambda: mock_throughput.run(settings, _peers_or_empty(peers))
    if "dispatch" in chosen:
        from bench import mock_inprocess

        runners["dispatch"] = lambda: mock_inprocess.run(settings)
    if "instructions" in chosen:
        from bench import instructions

        runners["instructions"] = lambda: instructions.run(settings)
    if "client" in chosen:
        from bench import client_overhead

        runners["client"] = lambda: client_overhead.run(settings)
    if "conformance" in chosen:
        from bench import conformance_speed

        runners["conformance"] = lambda: conformance_speed.run(settings, _peers_or_empty(peers))
    if "generate" in chosen:
        from bench import regeneration

        runners["generate"] = lambda: regeneration.run(settings)
    if "scale" in chosen:
        from bench import scale

        runners["scale"] = lambda: scale.run(settings)
    if "profile" in chosen:
        from bench import profile_mock

        runners["profile"] = lambda: profile_mock.run(settings)

    sections: list[Section] = []
    try:
        for name, run in runners.items():
            print(f"bench: {name} ...", flush=True)
            begin = time.perf_counter()
            section = run()
            sections.append(section)
            print(f"bench: {name} done in {time.perf_counter() - begin:.0f} s", flush=True)
    finally:
        shutil.rmtree(settings.work, ignore_errors=True)

    extra = []
    if peers is not None:
        extra += [(f"{p.name} (npm)", p.version) for p in peers.peers]
    extra.append(
        ("load generator", wrk_version() if wrk_available() and args.loadgen != "python" else "python")
    )
    command = "scripts/bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    changes = CHANGES.read_text(encoding="utf-8").strip() if CHANGES.exists() and not args.quick else ""
    text = report.render(
        sections,
        headline=headline(sections),
        command=command.strip(),
        elapsed=time.perf_counter() - started,
        extra_versions=extra,
        preface=preface,
        load_at_start=load_at_start,
    )
    if changes:
        head, machine_part = text.split("\n## Machine\n", 1)
        text = f"{head}\n{changes}\n\n## Machine\n{machine_part}"
    report.write(args.out, text, sections)
    print(f"bench: wrote {args.out}")
    return 0


def _peers_or_empty(peers):
    from bench.peers import PeerSetup

    return peers if peers is not None else PeerSetup([])


def headline(sections: list[Section]) -> list[str]:
    lines: list[str] = []
    for section in sections:
        lines += section.figures.get("_headline", [])
    return lines
