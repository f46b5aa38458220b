"""One conformance run: contract fuzzing, the API's properties, the round trips of the generated
client and of the official openai SDK."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from videos_toolkit.conformance import properties, roundtrip, sdk_roundtrip
from videos_toolkit.conformance.fuzzing import fuzzing_steps, run_fuzzing
from videos_toolkit.conformance.properties import Properties
from videos_toolkit.conformance.results import CheckResult, Report
from videos_toolkit.conformance.roundtrip import run_round_trip
from videos_toolkit.conformance.sdk_roundtrip import run_sdk_round_trip
from videos_toolkit.conformance.target import Target

PARTS = ("fuzzing", "properties", "client", "sdk")
# What a part's progress counts: fuzzing's steps are each operation's phases (examples, coverage,
# fuzzing) and the stateful chains; the others' are their checks, one result each.
UNITS = {"fuzzing": "operation phases", "properties": "checks", "client": "calls", "sdk": "calls"}


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
    on_progress: Callable[[int, int], None] = lambda done, total: None,
) -> Report:
    """Run the parts ``options`` names. ``on_part`` says which part starts, ``on_result`` hands
    over each check's result, ``on_progress`` the running part's steps done of its total (see
    UNITS)."""
    report = Report(seed=options.seed, target=target.label)
    started = time.monotonic()

    keys = (target.api_key, target.other_api_key)
    steps = [0, 0]  # the running part's: done, total

    def begin(part: str, total: int) -> None:
        on_part(part)
        steps[:] = [0, total]
        on_progress(*steps)

    def step() -> None:
        steps[0] += 1  # not held to the total: a miscount shows ("33 of 31")
        on_progress(*steps)

    def end() -> None:
        if steps[0] < steps[1]:  # steps an engine error cut short: the part is over all the same
            steps[0] = steps[1]
            on_progress(*steps)

    def record(result: CheckResult) -> None:
        # Every part's results pass here: no key under test is quoted in a report or on screen.
        result = result.without(keys)
        report.results.append(result)
        on_result(result)

    def record_step(result: CheckResult) -> None:
        record(result)
        step()

    try:
        database = options.database
        if "fuzzing" in options.parts:
            begin("fuzzing", fuzzing_steps(spec))
            stats = run_fuzzing(
                spec,
                target,
                max_examples=options.max_examples,
                seed=options.seed,
                workers=options.workers,
                database=database / "schemathesis" if database else None,
                on_result=record,
                on_step=step,
            )
            report.cases, report.scenarios = stats.cases, stats.scenarios
            end()
        if "properties" in options.parts:
            begin("properties", properties.CHECKS)
            Properties(
                target,
                spec,
                max_examples=options.max_examples,
                seed=options.seed,
                database=database / "properties" if database else None,
            ).run(record_step)
        if "client" in options.parts:
            begin("client", roundtrip.STEPS)
            run_round_trip(target, spec, record_step)
        if "sdk" in options.parts:
            begin("sdk", sdk_roundtrip.STEPS)
            run_sdk_round_trip(target, spec, record_step)
    except KeyboardInterrupt:  # Ctrl-C: what ran is reported, and the run says it was cut short
        report.interrupted = True
    report.elapsed = time.monotonic() - started
    return report
