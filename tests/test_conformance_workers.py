"""``--workers N``: the stateless fuzzing phases in worker processes, one task per operation.

The results come back whole and in a fixed order whatever the number of workers; a worker that
crashes, raises or hangs becomes an ``engine_error`` result of its operation, and no worker outlives
the run."""

import multiprocessing
import os
import pickle
import time
from contextlib import closing
from dataclasses import replace

import pytest

from tests.broken_mocks import VARIANTS
from tests.progress_support import Steps
from videos_toolkit.conformance import fuzzing
from videos_toolkit.conformance.runner import Options, run
from videos_toolkit.conformance.target import MOCK_KEYS, Target, mock_target
from videos_toolkit.conformance.workers import WorkerFailure, run_in_processes
from videos_toolkit.mock.operations import operation_labels
from videos_toolkit.spec import effective_spec

FUZZING = Options(max_examples=3, seed=11, database=None, parts=("fuzzing",))
LIVE_MOCK_CONFIG = {"api_keys": frozenset(MOCK_KEYS), "speed": 20}


def outcomes(report):
    return [(r.operation, r.check, r.outcome.value) for r in report.results]


def test_results_and_cases_are_the_same_for_any_number_of_workers():
    spec = effective_spec()
    steps = Steps()
    two = run(
        spec, mock_target(), replace(FUZZING, workers=2), on_part=steps.on_part, on_progress=steps.on_progress
    )
    steps.assert_counted_to_the_end(FUZZING.parts)
    three = run(spec, mock_target(), replace(FUZZING, workers=3))
    assert two.ok, [(r.operation, r.check, r.detail) for r in two.failures[:5]]
    assert outcomes(two) == outcomes(three)
    assert two.cases == three.cases > 0 and two.scenarios == three.scenarios > 0
    # The oracle: the same jobs run one after another in this process, results concatenated.
    stateful = fuzzing.Job(spec, mock_target(), 3, 11, None, fuzzing.STATEFUL_PHASES)
    expected, cases = [], 0
    for job in fuzzing.worker_jobs(stateful):
        for batch in fuzzing._engine(replace(job, target=job.target.rebuilt())):
            expected += [(r.operation, r.check, r.outcome.value) for r in batch.results]
            cases += batch.cases
    assert outcomes(two) == expected and two.cases == cases
    # every operation's share came back, and the stateful chains ran (on one worker)
    assert {r.operation for r in two.results} >= set(operation_labels(spec))
    assert "stateful" in {r.family for r in two.results}


@pytest.mark.parametrize("variant", ["answers 500 to a bad input", "ignores auth"])
def test_a_defect_found_in_a_worker_process_fails_the_run(variant):
    wrap, check = VARIANTS[variant]
    report = run(effective_spec(), mock_target(wrap), replace(FUZZING, workers=2))
    assert check in report.failed_checks(), sorted(report.failed_checks())
    assert "engine_error" not in report.failed_checks()


def test_a_worker_that_crashes_raises_or_hangs_is_a_reported_failure(monkeypatch):
    real = fuzzing._run_job

    def flaky(job, channel):  # runs in the (forked) worker
        if job.label == "GET /videos":
            os._exit(3)
        if job.label == "DELETE /videos/{video_id}":
            time.sleep(3600)
        if job.label == "POST /videos/characters":
            raise RuntimeError("boom")
        real(job, channel)

    monkeypatch.setattr(fuzzing, "_run_job", flaky)
    results, steps = [], []
    started = time.monotonic()
    stats = fuzzing.run_fuzzing(
        effective_spec(),
        mock_target(),
        max_examples=2,
        seed=1,
        workers=2,
        database=None,
        on_result=results.append,
        on_step=lambda: steps.append(1),
        idle_limit=3,
    )
    # A job that died counts its steps all the same: the progress neither stalls nor overshoots.
    assert len(steps) == fuzzing.fuzzing_steps(effective_spec())
    assert time.monotonic() - started < 120
    errors = {r.operation: r.failure.rule for r in results if r.check == "engine_error"}
    assert set(errors) == {"GET /videos", "DELETE /videos/{video_id}", "POST /videos/characters"}
    assert "exited (code 3)" in errors["GET /videos"]
    assert "hung" in errors["DELETE /videos/{video_id}"]
    assert "RuntimeError: boom" in errors["POST /videos/characters"]
    assert {r.operation for r in results} >= {"POST /videos/extensions", "GET /videos/{video_id}"}
    assert stats.cases > 0
    assert multiprocessing.active_children() == []


def _sleeper(task, channel):
    channel.send(os.getpid())
    time.sleep(600)


def test_leaving_the_run_early_ends_every_worker():
    pids = []
    stream = run_in_processes(_sleeper, [0, 1, 2], workers=2, idle_limit=60)
    with pytest.raises(KeyboardInterrupt), closing(stream):
        for _, pid in stream:
            pids.append(pid)
            raise KeyboardInterrupt
    assert multiprocessing.active_children() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


def _echo(task, channel):
    channel.send(task * 2)


def _late_echo(task, channel):
    time.sleep(task)
    channel.send(task)


def test_a_finished_tasks_messages_arrive_at_once_while_they_are_yielded_in_task_order():
    # The progress counts on arrival: a slow first operation held every other one's steps back,
    # and a run's "4 of 31" jumped to 30 a minute later.
    arrivals: list[int] = []
    stream = run_in_processes(
        _late_echo,
        [2.0, 0.0],
        workers=2,
        idle_limit=60,
        on_arrival=lambda index, message: arrivals.append(index),
    )
    assert [index for index, _ in stream] == [0, 1]
    assert arrivals == [1, 0]


def test_spawned_workers_get_the_task_by_pickling(monkeypatch):
    monkeypatch.setattr(
        "videos_toolkit.conformance.workers.context", lambda: multiprocessing.get_context("spawn")
    )
    messages = list(run_in_processes(_echo, [1, 2, 3], workers=2, idle_limit=60))
    assert messages == [(0, 2), (1, 4), (2, 6)]
    assert not any(isinstance(m, WorkerFailure) for _, m in messages)


def test_a_mock_targets_recipe_crosses_to_a_worker_without_its_apps():
    target = mock_target()
    portable = replace(target, app=None, fuzz_app=None)
    rebuilt = pickle.loads(pickle.dumps(portable)).rebuilt()
    assert rebuilt.in_process and rebuilt.fuzz_app is not target.fuzz_app


def test_worker_processes_fuzz_a_live_server_too(live_mock):
    target = Target(live_mock.base_url, *MOCK_KEYS, wait_timeout=30)
    steps = Steps()
    options = replace(FUZZING, workers=2)
    report = run(effective_spec(), target, options, on_part=steps.on_part, on_progress=steps.on_progress)
    assert report.ok, [(r.operation, r.check, r.detail) for r in report.failures[:5]]
    steps.assert_counted_to_the_end(options.parts)  # the stateful chains, run after the workers, too
    assert {"positive data", "stateful"} <= {r.family for r in report.results}
    assert report.cases > 0


class KeyLog:
    """In front of the mock: appends each request's Idempotency-Key and operation to the file
    named by $KEY_LOG (a file, since worker processes each have their own copy of this)."""

    def __init__(self, app):
        self.app, self.state = app, app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            key = dict(scope["headers"]).get(b"idempotency-key", b"").decode("latin-1")
            if key.startswith("conformance-"):
                with open(os.environ["KEY_LOG"], "a") as log:
                    log.write(f"{key} {scope['method']} {scope['path']}\n")
        await self.app(scope, receive, send)


def test_fuzzed_idempotency_keys_are_never_shared_across_operations_workers_or_runs(tmp_path, monkeypatch):
    runs = []
    for number in range(2):  # two runs with the same seed, as a user reruns against one server
        log = tmp_path / f"keys-{number}.log"
        log.touch()
        monkeypatch.setenv("KEY_LOG", str(log))
        run(effective_spec(), mock_target(KeyLog), replace(FUZZING, workers=2))
        runs.append([line.split(" ", 1) for line in log.read_text().splitlines()])
    operations: dict[str, set[str]] = {}
    for key, operation in runs[0]:
        operations.setdefault(key, set()).add(operation)
    assert len(runs[0]) > 20
    assert not {key: ops for key, ops in operations.items() if len(ops) > 1}
    assert not {key for key, _ in runs[0]} & {key for key, _ in runs[1]}
