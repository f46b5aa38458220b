"""``scripts/conformance`` as a new user meets it: its usage errors, how it tells an unreachable URL
from a reachable but broken server, and the summary line that ends every run."""

import contextlib
import functools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from rich.console import Console
from rich.progress import Progress

from tests.broken_mocks import VARIANTS
from videos_toolkit.conformance import properties, roundtrip, sdk_roundtrip
from videos_toolkit.conformance.cli import _Steps, _Waiting, main, run_cli
from videos_toolkit.conformance.fuzzing import fuzzing_steps
from videos_toolkit.conformance.results import Report
from videos_toolkit.conformance.target import CLOSED, NOT_HTTP, Target, WaitTimeout, mock_target
from videos_toolkit.paths import ROOT
from videos_toolkit.spec import effective_spec

QUICK = ["--only", "properties", "--max-examples", "1", "--seed", "1"]


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--max-examples", "0", "--max-examples must be at least 1 (got 0)"),
        ("--max-examples", "-2", "--max-examples must be at least 1 (got -2)"),
        ("--workers", "0", "--workers must be at least 1 (got 0)"),
        ("--workers", "-3", "--workers must be at least 1 (got -3)"),
        ("--wait-timeout", "0", "--wait-timeout must be a finite number of seconds greater than 0"),
        ("--wait-timeout", "inf", "--wait-timeout must be a finite number of seconds greater than 0"),
        ("--request-timeout", "-1", "--request-timeout must be a finite number of seconds greater than 0"),
        ("--request-timeout", "nan", "--request-timeout must be a finite number of seconds greater than 0"),
    ],
)
def test_an_option_out_of_its_range_is_a_usage_error_before_anything_runs(
    tmp_path, capsys, option, value, allowed
):
    # --only properties keeps the run short should the option be let through.
    argv = ["--only", "properties", "--max-examples", "1", "--report-dir", str(tmp_path), option, value]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert allowed in err, err
    assert "usage: scripts/conformance" in err
    assert "Conformance of" not in out  # no run started
    assert not (tmp_path / "conformance.junit.xml").exists()


@contextlib.contextmanager
def socket_server(answer: bytes | None) -> Iterator[str]:
    """A server that accepts every connection and closes it at once (``answer`` None), or reads the
    request and sends ``answer`` first: reachable, but never a valid HTTP answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection, contextlib.suppress(OSError):
                if answer is not None:
                    connection.settimeout(1)
                    connection.recv(65536)
                    connection.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (None, "the server accepted the connection and closed it without an answer"),
        (b"garbage\r\n\r\n", "the server accepted the connection and its answer could not be read as HTTP"),
        # What looks like rich markup in a server's answer is printed as it is, not read as markup.
        (b"[/x] [bold]garbage\r\n\r\n", "the server accepted the connection and its answer could not be"),
    ],
    ids=["closes at once", "answers garbage", "answers garbage that looks like markup"],
)
def test_a_server_that_connects_but_never_answers_is_reachable_and_fails_its_checks(
    tmp_path, capsys, answer, said
):
    argv = ["--api-key", "sk-a", "--only", "properties", "--max-examples", "1", "--report-dir", str(tmp_path)]
    with socket_server(answer) as base_url:
        code = main(["--base-url", base_url, *argv, "--request-timeout", "2", "--wait-timeout", "2"])
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert code == 1, out
    assert "Cannot reach" not in out
    assert f"GET {base_url}/videos?limit=1: {said}" in out
    assert f"GET /videos · answers_over_http: {said}" in out  # among the failures listed at the end
    junit = (tmp_path / "conformance.junit.xml").read_text()
    assert "answers_over_http" in junit and "sk-a" not in junit
    if answer is not None and b"[/x]" in answer:
        assert "b'[/x] [bold]garbage')" in out


@pytest.mark.parametrize(
    ("error", "connected", "problem"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            False,
            "ConnectError: [Errno 111] Connection refused",
        ),
        (httpx.ConnectError("[Errno -2] Name or service not known"), False, "ConnectError: [Errno -2] Name"),
        (httpx.ConnectTimeout("timed out"), False, "ConnectTimeout: timed out"),
        (httpx.UnsupportedProtocol("missing an 'http://'"), False, "UnsupportedProtocol"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), True, CLOSED),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), True, CLOSED),
        (httpx.WriteError("[Errno 32] Broken pipe"), True, CLOSED),
        (httpx.RemoteProtocolError("illegal status line: bytearray(b'garbage')"), True, NOT_HTTP),
        (httpx.ReadTimeout("timed out"), True, None),  # there, only slow: its checks say so
    ],
)
def test_only_a_connection_that_cannot_be_made_is_unreachable(monkeypatch, error, connected, problem):
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(httpx.Client, "get", fail)
    probe = Target("http://127.0.0.1:1/v1", "sk-a").probe()
    assert probe.connected is connected
    if problem is None:
        assert probe.problem is None
    else:
        assert probe.problem is not None and probe.problem.startswith(problem)


def summary_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Report, str]:
    code, report = run_cli(argv)
    assert report is not None
    lines = capsys.readouterr().out.splitlines()
    last = next(i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith(("PASSED", "FAILED")))
    assert last == len(lines) - 1, lines[last:]  # one line, however long: CI logs are searched for it
    return code, report, lines[last]


def test_a_passing_run_says_all_its_checks_passed(tmp_path, capsys):
    code, report, line = summary_of(capsys, [*QUICK, "--report-dir", str(tmp_path)])
    assert code == 0 and report.ok
    total = len(report.results)
    assert line.startswith(f"PASSED: all {total} checks passed in {report.elapsed:.1f} s · reports: "), line


def test_a_failing_run_says_how_many_of_its_checks_failed(tmp_path, capsys, monkeypatch):
    wrap, _ = VARIANTS["returns wrong stitched seconds"]
    monkeypatch.setattr("videos_toolkit.conformance.cli.mock_target", lambda: mock_target(wrap))
    code, report, line = summary_of(capsys, [*QUICK, "--report-dir", str(tmp_path)])
    failed, total = len(report.failures), len(report.results)
    assert code == 1 and 0 < failed < total
    assert line.startswith(f"FAILED: {failed} of {total} checks failed in {report.elapsed:.1f} s · "), line


def test_skipped_checks_are_counted_with_their_reason(tmp_path, capsys, monkeypatch):
    # As against a live URL given no --other-api-key: the isolation check is skipped.
    monkeypatch.setattr(
        "videos_toolkit.conformance.cli.mock_target", lambda: replace(mock_target(), other_api_key=None)
    )
    code, report, line = summary_of(capsys, [*QUICK, "--report-dir", str(tmp_path)])
    total = len(report.results)
    assert code == 0
    assert line.startswith(
        f"PASSED: {total - 1} of {total} checks passed, 1 skipped (isolation: no --other-api-key given) in "
    ), line


def test_the_bench_reads_the_verdict_and_the_total_from_the_summary_line(tmp_path, capsys, monkeypatch):
    from bench import conformance_speed

    wrap, _ = VARIANTS["returns wrong stitched seconds"]
    monkeypatch.setattr("videos_toolkit.conformance.cli.mock_target", lambda: mock_target(wrap))
    _, report, line = summary_of(capsys, [*QUICK, "--report-dir", str(tmp_path)])
    found = re.search(conformance_speed.SUMMARY_PATTERN, line)
    assert found is not None, line
    assert found.groups() == ("FAILED", str(len(report.results)), f"{report.elapsed:.1f}")
    assert (
        found.group(0)
        == f"FAILED: {len(report.failures)} of {len(report.results)} checks failed in {found[3]} s"
    )


def test_without_a_terminal_each_finished_part_prints_a_line_with_running_totals(tmp_path, capsys):
    # capsys is not a terminal, as a CI log is not: rich's live display is not shown there.
    code, report = run_cli([*QUICK, "--only", "client", "--report-dir", str(tmp_path)])
    assert code == 0 and report is not None
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if " done in " in line]
    assert [line.split(" done in ")[0] for line in lines] == ["properties", "client"], out
    pattern = r"(\w+) done in [\d.]+ s · so far (\d+) passed, 0 failed, 0 skipped · ([\d.]+) s elapsed"
    found = [re.fullmatch(pattern, line) for line in lines]
    assert all(found), lines
    properties = sum(1 for r in report.results if r.family != "client")
    assert [int(m[2]) for m in found] == [properties, len(report.results)]  # running totals
    assert float(found[0][3]) <= float(found[1][3])
    header, matrix = out.index("Conformance of"), out.index("checks per operation")
    assert header < out.index(lines[0]) < out.index(lines[1]) < matrix
    assert "━" not in out[:matrix]  # no progress bars


def test_on_a_terminal_the_live_display_is_unchanged(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(
        "videos_toolkit.conformance.cli.Console", functools.partial(Console, force_terminal=True, width=120)
    )
    code, _ = run_cli([*QUICK, "--report-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    live = out[: out.index("checks per operation")]  # before the matrix: rich's progress display
    assert "properties" in live and "━" in live and " done in " not in live


def test_a_failure_seen_on_several_cases_is_one_line_with_its_count(tmp_path, capsys, monkeypatch):
    from videos_toolkit.conformance.results import CheckResult, Outcome

    def failing(detail: str) -> CheckResult:
        return CheckResult(
            "POST /videos", "status codes", "status_code_conformance", Outcome.FAILED, None, detail
        )

    report = Report(results=[*[failing("Undocumented status code")] * 4, failing("Another finding")])
    monkeypatch.setattr("videos_toolkit.conformance.cli.run", lambda *args, **kwargs: report)
    assert main([*QUICK, "--report-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.count("Undocumented status code") == 1 and "(x4)" in out
    assert out.count("Another finding") == 1
    assert "FAILED: 5 of 5 checks failed" in out


def test_on_a_terminal_each_part_counts_its_own_checks(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(
        "videos_toolkit.conformance.cli.Console", functools.partial(Console, force_terminal=True, width=160)
    )
    code, report = run_cli(
        ["--only", "properties", "--only", "client", "--max-examples", "1", "--report-dir", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0 and report is not None
    client = sum(1 for r in report.results if r.family == "client")
    # The client part's line shows its own checks, not the running total of the run.
    assert re.search(rf"client\b.*\b{client} passed, 0 failed", out), out[-2000:]


def test_a_check_skipped_on_some_of_its_runs_says_why_in_both_reports():
    # 1 skipped of 80 showed nowhere in JUnit (skipped="0") nor in the HTML page's words.
    from videos_toolkit.conformance.reports import html_page, junit_xml
    from videos_toolkit.conformance.results import CheckResult, Outcome

    why = "refused because its source video was not completed yet: valid input not judged"
    runs = [
        CheckResult("POST /videos/extensions", "positive data", "positive_data_acceptance", Outcome.PASSED)
    ] * 79
    report = Report(results=[*runs, replace(runs[0], outcome=Outcome.SKIPPED, detail=why)])
    assert f"1 of 80 skipped: {why}" in junit_xml(report)
    failed = replace(runs[0], outcome=Outcome.FAILED, detail="boom")
    assert f"1 of 81 skipped: {why}" in junit_xml(replace(report, results=[*report.results, failed]))
    assert f"POST /videos/extensions · positive_data_acceptance: 1 of 80 skipped: {why}" in html_page(report)


def test_the_html_report_says_how_many_checks_failed_out_of_how_many(tmp_path):
    from videos_toolkit.conformance.reports import html_page
    from videos_toolkit.conformance.results import CheckResult, Outcome

    def result(outcome: Outcome) -> CheckResult:
        return CheckResult("GET /videos", "auth", "ignored_auth", outcome)

    page = html_page(Report(results=[result(Outcome.FAILED), *[result(Outcome.PASSED)] * 3]))
    assert "1 of 4 checks failed" in page
    page = html_page(Report(results=[result(Outcome.SKIPPED), *[result(Outcome.PASSED)] * 3]))
    assert "3 of 4 checks passed, 1 skipped" in page


def log_of(fake_run, heartbeat_s: float, tmp_path, capsys, monkeypatch) -> list[str]:
    """The log (no terminal) of a run whose parts ``fake_run`` plays, a heartbeat every heartbeat_s."""
    monkeypatch.setattr("videos_toolkit.conformance.cli.HEARTBEAT_S", heartbeat_s)
    monkeypatch.setattr("videos_toolkit.conformance.cli.run", fake_run)
    run_cli([*QUICK, "--report-dir", str(tmp_path)])
    return capsys.readouterr().out.splitlines()


def test_without_a_terminal_a_part_still_running_says_so(tmp_path, capsys, monkeypatch):
    # A part waiting on a server that does not answer reports nothing for minutes; the log still
    # shows the run is alive.
    def slow_run(spec, target, options, *, on_part, on_result, on_progress):
        on_part("fuzzing")
        on_progress(7, 31)
        time.sleep(0.5)
        return Report(results=[])

    lines = log_of(slow_run, 0.1, tmp_path, capsys, monkeypatch)
    beats = [i for i, line in enumerate(lines) if line.startswith("fuzzing still running after")]
    done = next(i for i, line in enumerate(lines) if line.startswith("fuzzing done in"))
    assert len(beats) >= 2 and max(beats) < done, lines
    assert re.fullmatch(
        r"fuzzing still running after \d+ s \(7 of 31 operation phases done\) · "
        r"so far 0 passed, 0 failed, 0 skipped · \d+ s elapsed",
        lines[beats[0]],
    )


def test_a_still_running_line_comes_a_heartbeat_after_the_last_line_not_on_the_runs_clock(
    tmp_path, capsys, monkeypatch
):
    # On the run's own clock a part started 0.8 beats in got "properties still running after 0 s".
    def two_parts(spec, target, options, *, on_part, on_result, on_progress):
        on_part("fuzzing")
        time.sleep(1.5)
        on_part("properties")
        time.sleep(0.8)
        return Report(results=[])

    lines = log_of(two_parts, 1.0, tmp_path, capsys, monkeypatch)
    assert [line.split(" (")[0] for line in lines if "still running" in line] == [
        "fuzzing still running after 1 s"
    ], lines


def test_a_part_held_by_a_slow_job_names_the_job_its_state_and_the_time_waited(tmp_path, capsys, monkeypatch):
    class Pending:  # a server whose job never ends
        def get(self, url: str) -> httpx.Response:
            body = {"id": "video_slow", "status": "in_progress", "progress": 40}
            return httpx.Response(200, json=body, headers={"openai-poll-after-ms": "50"})

    def slow_run(spec, target, options, *, on_part, on_result, on_progress):
        on_part("properties")
        target.wait_timeout = 0.6
        with pytest.raises(WaitTimeout):
            target.wait(Pending(), "video_slow")
        assert target.waiting_on == ""  # over once the wait is
        return Report(results=[])

    monkeypatch.setattr("videos_toolkit.conformance.cli.HEARTBEAT_S", 0.2)
    monkeypatch.setattr("videos_toolkit.conformance.cli.run", slow_run)
    run_cli([*QUICK, "--report-dir", str(tmp_path)])
    beats = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("properties still running")]
    assert beats and all(
        re.search(
            r" · waiting on video video_slow: in_progress, progress 40, \d s of --wait-timeout 0.6$", ln
        )
        for ln in beats
    ), beats

    target = Target("http://127.0.0.1:9/v1", "k")
    column = _Waiting(target)
    progress = Progress(column)
    progress.add_task("properties", total=None)
    task = progress.tasks[0]
    target.waiting_on = "waiting on video v"
    assert column.render(task).plain == "waiting on video v"
    target.waiting_on = ""
    assert column.render(task).plain == ""


def test_a_dropped_connection_during_fuzzing_is_the_servers_failure_not_the_engines(tmp_path):
    with socket_server(None) as base_url:
        code, report = run_cli(
            [
                "--base-url",
                base_url,
                "--api-key",
                "k",
                "--only",
                "fuzzing",
                "--max-examples",
                "1",
                "--workers",
                "1",
                "--report-dir",
                str(tmp_path),
            ]
        )
    assert code == 1 and report is not None
    dropped = [r for r in report.failures if r.check == "answers_over_http" and r.operation != "GET /videos"]
    assert dropped and all(r.family == "connection" for r in dropped), report.failed_checks()
    assert "engine_error" not in report.failed_checks(), [r.detail for r in report.failures][:5]


def test_the_script_writes_a_relative_report_dir_where_it_was_typed(tmp_path):
    import subprocess

    from videos_toolkit.paths import ROOT

    args = ["--only", "client", "--max-examples", "1", "--report-dir", "out"]
    done = subprocess.run(
        [ROOT / "scripts" / "conformance", *args], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (tmp_path / "out" / "conformance.html").exists()


@pytest.mark.parametrize("live_mock", [{"api_keys": frozenset({"sk-a", "sk-b"})}], indirect=True)
@pytest.mark.parametrize(
    ("keys", "said"),
    [
        (["--api-key", "sk-wrong"], "with --api-key answered 401: check the key"),
        (["--api-key", "sk-a", "--other-api-key", "sk-wrong"], "with --other-api-key answered 401"),
        (["--api-key", "sk-a", "--other-api-key", "sk-a"], "--other-api-key must be another key"),
    ],
)
def test_keys_the_server_refuses_stop_the_run_with_one_clear_line(live_mock, capsys, tmp_path, keys, said):
    # Instead of a dozen failures that each blame the server in their own words.
    code = main(["--base-url", live_mock.base_url, *keys, "--report-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and said in " ".join(err.split()) and said not in out, (out, err)
    assert not (tmp_path / "conformance.junit.xml").exists()  # nothing ran


def test_a_run_that_cannot_start_says_why_on_stderr_and_nothing_on_stdout(capsys, monkeypatch, tmp_path):
    # stdout is the run's own output (a CI step may keep it as the log of a run); a refusal is not one.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["--base-url", "http://127.0.0.1:9/v1", "--report-dir", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--api-key (or OPENAI_API_KEY) is required with --base-url" in err


@pytest.mark.parametrize(
    "url",
    [
        "not-a-url",
        "127.0.0.1:8000/v1",
        "ftp://host/v1",
        "http://",
        " http://127.0.0.1:8000/v1",
        "http://127.0.0.1:8000/v1 ",
        "http://127.0.0.1 :8000/v1",
        "http://127.0.0.1:99999/v1",
        "http://127.0.0.1:8000/v1?x=1",
        "http://user:secret@127.0.0.1:8000/v1",
    ],
)
def test_a_base_url_that_is_not_an_http_url_is_a_usage_error_not_an_unreachable_server(url, capsys, tmp_path):
    assert main(["--base-url", url, "--api-key", "k", "--report-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    shown = url.replace("secret", "***")  # a password in the URL is never printed
    assert f"--base-url {shown!r}" in err and "Cannot reach" not in err and "secret" not in err, err


def test_a_report_dir_that_cannot_be_made_stops_before_the_run(tmp_path, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["--only", "client", "--report-dir", str(blocked / "reports")]) == 2
    out, err = capsys.readouterr()
    assert f"--report-dir {blocked / 'reports'}: cannot create it" in err and "Conformance of" not in out


def test_a_base_url_the_api_is_not_under_is_named_as_the_likely_mistake(live_mock, capsys, tmp_path):
    base = live_mock.base_url.removesuffix("/v1") + "/api"
    main(["--base-url", base, "--api-key", "sk-a", "--only", "client", "--report-dir", str(tmp_path)])
    out = " ".join(capsys.readouterr().out.split())
    assert f"answered 404: is {base} the API's root (it usually ends in /v1)?" in out


def test_every_failed_check_gets_a_line_before_any_gets_a_second(monkeypatch, capsys, tmp_path):
    from videos_toolkit.conformance.results import CheckResult, Outcome

    many = [
        CheckResult("GET /videos", "pagination", "cursor_pagination", Outcome.FAILED, detail=f"way {n}")
        for n in range(12)
    ]
    other = CheckResult(
        "POST /videos", "enums", "other_seconds_rejected", Outcome.FAILED, detail="5 accepted"
    )
    monkeypatch.setattr(
        "videos_toolkit.conformance.cli._run_with_progress",
        lambda *args: Report(results=[*many, other]),
    )
    assert main(["--only", "properties", "--report-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "other_seconds_rejected: 5 accepted" in out and "3 more kinds of failure" in out


def test_a_server_still_warming_up_stops_the_run_with_one_clear_line(capsys, tmp_path, monkeypatch):
    from tests.client_support import serve
    from tests.test_conformance_strange_servers import always
    from videos_toolkit.conformance import target

    # 503 to every request, even after the start-up probe waited as asked (made instant here).
    monkeypatch.setattr(
        target, "PATIENCE", target.PATIENCE.copy_with(backoff_factor=0, max_backoff_wait=0.001)
    )
    unavailable = always(
        503, b'{"error": {"message": "warming up", "type": "server_error"}}', "application/json"
    )
    with serve(unavailable) as base_url:
        code = main(["--base-url", base_url, "--api-key", "sk-a", "--report-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "answers 503 (unavailable): is the server still starting?" in err, err
    assert not (tmp_path / "conformance.junit.xml").exists()


def test_without_a_terminal_the_matrix_is_printed_whole_however_many_families(tmp_path, capsys):
    # Every part at once has more families than 180 columns hold: a log has no width to keep to,
    # and a header cut to "conte…" names nothing.
    run_cli(["--max-examples", "1", "--seed", "1", "--workers", "1", "--report-dir", str(tmp_path)])
    out = capsys.readouterr().out
    header = out[out.index("┏") : out.index("┡")]
    assert "…" not in header and "openai" in header and "idempotency" in header, header


def test_a_parts_progress_says_how_far_it_got_in_its_unit_and_the_readme_gives_the_totals():
    progress = Progress(_Steps())
    waiting = progress.add_task("properties", total=None)
    running = progress.add_task("fuzzing", total=31, completed=14)
    assert _Steps().render(progress.tasks[waiting]).plain == ""  # not started: no total yet
    assert _Steps().render(progress.tasks[running]).plain == "14 of 31 operation phases"
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert sdk_roundtrip.STEPS == roundtrip.STEPS
    said = (
        f"the stateful chains, {fuzzing_steps(effective_spec())} steps for this contract; the properties "
        f"count their {properties.CHECKS} checks, the round trips their {roundtrip.STEPS} calls"
    )
    assert said in readme


def test_a_client_generated_from_another_contract_is_pointed_out(tmp_path, capsys, monkeypatch):
    # The contract changed and scripts/generate was not run: the client part judged the old client.
    import videos_client._contract

    limits = ["--only", "client", "--report-dir", str(tmp_path)]
    run_cli(limits)
    assert "generated from another contract" not in capsys.readouterr().out
    monkeypatch.setattr(videos_client._contract, "CONTRACT_SHA256", "0" * 64)
    run_cli(limits)
    out = " ".join(capsys.readouterr().out.split())
    assert "videos_client was generated from another contract than this run's: run scripts/generate" in out


@pytest.mark.parametrize("workers", ["2", "1"])
def test_ctrl_c_ends_the_run_with_a_report_of_what_ran_and_no_traceback(tmp_path, workers):
    # A traceback of 20 frames and an empty report folder was all a slow server's run left. With
    # one worker the engine took the Ctrl-C as its own, and the run went on to PASSED.
    command = [
        sys.executable,
        "-m",
        "videos_toolkit.conformance",
        "--report-dir",
        str(tmp_path),
        "--workers",
        workers,
    ]
    run = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out_lines = []
    for line in run.stdout:  # interrupted once the fuzzing part has started its workers
        out_lines.append(line)
        if line.startswith("Conformance of"):
            time.sleep(3)
            run.send_signal(signal.SIGINT)
            break
    out, err = run.communicate(timeout=120)
    out = "".join(out_lines) + out
    # Died of the SIGINT once the reports were written: a shell loop over runs stops too.
    assert run.returncode == -signal.SIGINT, (out[-2000:], err[-2000:])
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert re.search(r"INTERRUPTED: \d+ checks ran before Ctrl-C, 0 failed in [\d.]+ s", out), out[-1000:]
    assert re.search(r"^\w+ interrupted after [\d.]+ s", out, re.MULTILINE), out[-1000:]
    assert "INTERRUPTED by Ctrl-C" in (tmp_path / "conformance.html").read_text(encoding="utf-8")
    assert "interrupted by Ctrl-C after" in (tmp_path / "conformance.junit.xml").read_text(encoding="utf-8")


def test_a_ctrl_c_while_the_results_are_written_is_held_off():
    from videos_toolkit.conformance.cli import _sigint_held

    before = signal.getsignal(signal.SIGINT)
    with _sigint_held():
        os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt: the reports come first
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is before


def test_in_a_narrow_terminal_the_matrix_comes_in_parts_that_fit_with_no_cell_cut():
    # At 120 columns every count read "1…": the families did not fit.
    from videos_toolkit.conformance.cli import matrix_tables
    from videos_toolkit.conformance.results import CheckResult, Outcome

    families = [f"family {n}" for n in range(14)]
    results = [
        CheckResult(f"POST /videos/{{video_id}}/operation-{n}", family, "check", Outcome.PASSED)
        for n in range(3)
        for family in families
        for _ in range(1234)
    ]
    console = Console(width=120, record=True)
    tables = matrix_tables(Report(results=results), console)
    assert len(tables) > 1
    for table in tables:
        console.print(table)
    printed = console.export_text()
    assert "…" not in printed and "1234" in printed
    assert max(len(line) for line in printed.splitlines()) <= 120
    shown = [column.header for table in tables for column in table.columns if column.header != "operation"]
    assert shown == [family.replace(" ", "\n") for family in families]
