"""Run ``scripts/conformance``'s own entry point in this process and count the test cases its
schemathesis engine generates, the way the schemathesis CLI counts them (the cases recorded in
every finished scenario). Prints one JSON line: cases, seconds inside ``main``, exit code.

    python -m bench.conformance_probe -- --only fuzzing --max-examples 20 --workers 2 --report-dir DIR
"""

import json
import sys
import time
from typing import Any

from schemathesis.engine import events

import videos_toolkit.conformance.fuzzing as fuzzing
from videos_toolkit.conformance.cli import main as conformance_main


def main(argv: list[str]) -> int:
    counted = {"cases": 0, "scenarios": 0}
    original = fuzzing.from_schema

    class CountingEngine:
        def __init__(self, engine: Any) -> None:
            self.engine = engine

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            for event in self.engine.execute(*args, **kwargs):
                if isinstance(event, events.ScenarioFinished):
                    counted["cases"] += len(event.recorder.cases)
                    counted["scenarios"] += 1
                yield event

    def counting_from_schema(*args: Any, **kwargs: Any) -> Any:
        return CountingEngine(original(*args, **kwargs))

    fuzzing.from_schema = counting_from_schema
    start = time.perf_counter()
    code = conformance_main(argv)
    seconds = time.perf_counter() - start
    print("BENCH_JSON " + json.dumps({**counted, "seconds": seconds, "exit": code}), flush=True)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[1:] if args[:1] == ["--"] else args))
