"""Smoke test of the bench harness: its quickest mode against our mock only (no peers, the Python
load generator, a few hundred requests) produces a well-formed results table. No timing is
asserted: speed goals are met in ``scripts/bench``, never in unit tests."""

import json
import re

import pytest

from bench import instructions
from bench.cli import main
from bench.common import ROOT, Settings
from bench.mock_throughput import EXAMPLE_ID, requests_for

OPERATIONS = ("retrieve", "list", "extend")
SERVERS = ("ours, stateful", "ours, stateless")
COLUMNS = ["server", "concurrency", "req/s", "p50 ms", "p99 ms", "answers >= 400", "vs Prism", "vs Steady"]


def tables(markdown: str) -> dict[str, list[list[str]]]:
    """Title (the bold line before a table) -> rows of cells, the header row first."""
    found: dict[str, list[list[str]]] = {}
    title = None
    for line in markdown.splitlines():
        if line.startswith("**") and line.endswith("**"):
            title = line.strip("*")
        elif line.startswith("|") and title is not None:
            if not line.startswith("|---"):
                found.setdefault(title, []).append([cell.strip() for cell in line.strip("|").split("|")])
        elif title in found:
            title = None  # the table ended
    return found


def test_quick_mock_bench_writes_a_well_formed_results_table(tmp_path):
    out = tmp_path / "RESULTS.md"
    argv = ["--quick", "--only", "mock", "--no-peers", "--loadgen", "python", "--out", str(out)]
    assert main(argv) == 0

    text = out.read_text()
    assert text.startswith("# Benchmark results")
    assert "## Mock server throughput and latency" in text
    assert "## Machine" in text and "## Versions" in text
    found = tables(text)
    for op in OPERATIONS:
        title = next(t for t in found if t.startswith(f"{op}: requests per second"))
        header, *rows = found[title]
        assert header == COLUMNS
        assert {row[0] for row in rows} == set(SERVERS)
        for row in rows:
            assert len(row) == len(COLUMNS)
            assert int(row[1]) in (1, 8)
            assert re.fullmatch(r"[\d,]+", row[2]) and int(row[2].replace(",", "")) > 0, row
            assert float(row[3]) > 0 and float(row[4]) >= float(row[3]), row
            assert row[5] == "0", f"our mock refused a valid {op} request: {row}"
            assert row[6] == row[7] == "n/a"  # no peer measured

    answers = found["What each server answers to the measured requests"]
    assert answers[0] == ["server", *OPERATIONS]
    assert all(cells[1:] == ["200", "200", "200"] for cells in answers[1:])

    figures = json.loads((tmp_path / "results.json").read_text())
    assert set(figures) == {"mock"}
    assert figures["mock"]["retrieve.ours, stateful.c1"]["rps"] > 0


@pytest.mark.skipif(instructions.available() is not None, reason="valgrind is not installed")
def test_instruction_counts_of_a_server_under_callgrind(tmp_path):
    # The bare app, a few requests: the harness starts it under valgrind, counts only the requests
    # (start-up is left out) and reads one figure per operation.
    server = instructions._server("bare", ["bare"], Settings(work=tmp_path))
    server.start(timeout=300)
    try:
        counts = instructions.count(server, requests_for(EXAMPLE_ID), 20)
    finally:
        server.stop()
    assert set(counts) == set(OPERATIONS)
    # Python's start-up alone is hundreds of millions of instructions; a request through uvicorn
    # and a small app is a few hundred thousand.
    assert all(20_000 < n < 20_000_000 for n in counts.values()), counts


def test_a_quick_run_never_replaces_the_committed_results_page():
    from bench.cli import default_out

    assert default_out(quick=False).relative_to(ROOT).as_posix() == "bench/RESULTS.md"
    assert default_out(quick=True).relative_to(ROOT).as_posix() == "bench/.quick/RESULTS.md"


def test_a_mock_that_does_not_start_is_reported_not_a_crash(tmp_path, monkeypatch):
    from bench import mock_throughput
    from bench.common import PYTHON, Server

    def broken(stateless, settings, *, baseline=False):
        return Server("broken", [PYTHON, "-c", "raise SystemExit(3)"], 9, settings.work)

    monkeypatch.setattr(mock_throughput, "our_mock", broken)
    out = tmp_path / "RESULTS.md"
    assert main(["--quick", "--only", "mock", "--no-peers", "--loadgen", "python", "--out", str(out)]) == 0
    text = out.read_text()
    assert "No server started, so nothing was measured" in text and "did not start" in text
