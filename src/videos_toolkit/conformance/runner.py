"""One conformance run: contract fuzzing, the API's properties, the round trips of the generated
client and of the official openai SDK."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from videos_toolkit.conformance.fuzzing import run_fuzzing
from videos_toolkit.conformance.properties import Properties
from videos_toolkit.conformance.results import CheckResult, Report
from videos_toolkit.conformance.roundtrip import run_round_trip
from videos_toolkit.conformance.sdk_roundtrip import run_sdk_round_trip
from videos_toolkit.conformance.target import Target

PARTS = ("fuzzing", "properties", "client", "sdk")


@dataclass(frozen=True)
class Options:
    max_examples: int = 25
    seed: int = 0
    # > 1: the stateless fuzzing phases run in that many worker processes, split by operation
    # (the stateful chains always on one worker: see run_fuzzing).
    workers: int = 1
    # Where failing examples are kept so the next run tries them first; None: not kept.
    database: Path | None = Path(".hypothesis/conformance")
    parts: tuple[str, ...] = PARTS


def run(
    spec: dict[str, Any],
    target: Target,
    options: Options,
    *,
    on_part: Callable[[str], None] = lambda part: None,
    on_result: Callable[[CheckResult], None] = lambda result: None,
) -> Report:
    report = Report(seed=options.seed, target=target.label)
    started = time.monotonic()

    keys = (target.api_key, target.other_api_key)

    def record(result: CheckResult) -> None:
        # Every part's results pass here: no key under test is quoted in a report or on screen.
        result = result.without(keys)
        report.results.append(result)
        on_result(result)

    database = options.database
    if "fuzzing" in options.parts:
        on_part("fuzzing")
        stats = run_fuzzing(
            spec,
            target,
            max_examples=options.max_examples,
            seed=options.seed,
            workers=options.workers,
            database=database / "schemathesis" if database else None,
            on_result=record,
        )
        report.cases, report.scenarios = stats.cases, stats.scenarios
    if "properties" in options.parts:
        on_part("properties")
        properties = Properties(
            target,
            spec,
            max_examples=options.max_examples,
            seed=options.seed,
            database=database / "properties" if database else None,
        )
        properties.run(record)
    if "client" in options.parts:
        on_part("client")
        run_round_trip(target, spec, record)
    if "sdk" in options.parts:
        on_part("sdk")
        run_sdk_round_trip(target, spec, record)
    report.elapsed = time.monotonic() - started
    return report
