"""Run ``scripts/conformance``'s own entry point in this process and read from its report how many
test cases its schemathesis engine generated, counted the way the schemathesis CLI counts them (the
cases recorded in every finished scenario, in this process or a worker process). Prints one JSON
line: cases, scenarios, seconds inside the entry point, exit code.

    python -m bench.conformance_probe -- --only fuzzing --max-examples 20 --workers 2 --report-dir DIR
"""

import json
import sys
import time

from videos_toolkit.conformance.cli import run_cli


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    code, report = run_cli(argv)
    seconds = time.perf_counter() - start
    cases, scenarios = (report.cases, report.scenarios) if report is not None else (0, 0)
    line = {"cases": cases, "scenarios": scenarios, "seconds": seconds, "exit": code}
    print("BENCH_JSON " + json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[1:] if args[:1] == ["--"] else args))
