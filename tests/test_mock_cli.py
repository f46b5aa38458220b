"""``python -m videos_toolkit.mock`` (what ``scripts/mock`` runs): help, a real server on a free
loopback port, the loopback-only rule, and flags mapping onto :class:`MockConfig`."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from videos_toolkit.mock import MockConfig, cli
from videos_toolkit.mock.config import FAULT_STATUSES, MIB
from videos_toolkit.mock.faults import injected

COMMAND = [sys.executable, "-m", "videos_toolkit.mock"]


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_help_lists_the_options():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    for flag in (
        "--host",
        "--port",
        "--allow-remote",
        "--stateless",
        "--api-key",
        "--speed",
        "--instant",
        "--upload-limit-mb",
        "--fault-rate",
        "--fault-status",
        "--fault-seed",
        "--latency-ms",
    ):
        assert flag in result.stdout
    assert "[fail]" in result.stdout  # the failure rule is discoverable from --help


def test_it_serves_the_api_on_a_loopback_port():
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*COMMAND, "--port", str(port), "--api-key", "sk-cli", "--instant", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(
                    f"{base}/v1/videos", headers={"Authorization": "Bearer sk-cli"}, timeout=2
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the mock did not start within 20 s"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.json() == {
            "object": "list",
            "data": [],
            "first_id": None,
            "last_id": None,
            "has_more": False,
        }
        with httpx.Client(
            base_url=f"{base}/v1", headers={"Authorization": "Bearer sk-cli"}, timeout=5
        ) as client:
            video = client.post("/videos", files={"prompt": (None, "p")}).json()
            assert client.get(f"/videos/{video['id']}").json()["status"] == "completed"  # --instant
            assert client.get("/videos", headers={"Authorization": "Bearer sk-other"}).status_code == 401
        # bare paths too
        assert httpx.get(f"{base}/videos", headers={"Authorization": "Bearer sk-cli"}).status_code == 200
    finally:
        process.terminate()
        try:
            _, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert f"http://127.0.0.1:{port}/v1" in stderr


def test_port_0_takes_a_free_port_and_the_banner_names_it_once_it_takes_connections():
    process = subprocess.Popen(
        [*COMMAND, "--port", "0", "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = process.stderr.readline()
        match = re.search(r"on http://127\.0\.0\.1:(\d+)/v1$", banner.strip())
        assert match and match.group(1) != "0", banner
        # At once, no retry: a test suite that starts the mock waits for this line and goes.
        health = httpx.get(f"http://127.0.0.1:{match.group(1)}/_mock/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_a_non_loopback_host_is_refused_without_allow_remote():
    # 192.0.2.10 (TEST-NET-1) is on no interface here: were the rule broken, nothing could be bound.
    result = run_cli("--host", "192.0.2.10", "--port", str(free_port()))
    assert result.returncode == 2
    assert "refusing to bind" in result.stderr and "--allow-remote" in result.stderr


class FakeSocket:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def getsockname(self) -> tuple[str, int]:
        return self.host, self.port

    def close(self) -> None:
        pass


@pytest.fixture
def served(monkeypatch) -> list[dict]:
    """The uvicorn servers cli.main runs, by their config and where they listen (nothing is bound:
    4010 may be in use here)."""
    calls: list[dict] = []

    def fake_run(server, sockets):
        (sock,) = sockets
        config = server.config
        calls.append(
            {
                "app": config.app,
                "host": sock.host,
                "port": sock.port,
                "proxy_headers": config.proxy_headers,
                "server_header": config.server_header,
            }
        )

    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(cli, "_listen", FakeSocket)
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "example.com"])
def test_other_non_loopback_hosts_are_refused_too(served, capsys, host):
    assert cli.main(["--host", host]) == 2
    assert not served and "refusing to bind" in capsys.readouterr().err


def test_allow_remote_binds_with_a_warning(served, capsys):
    assert cli.main(["--host", "0.0.0.0", "--allow-remote", "--port", "4999"]) == 0
    assert served[0]["host"] == "0.0.0.0" and served[0]["port"] == 4999
    assert "WARNING" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2", "127.1.2.3"])
def test_loopback_hosts_need_no_flag_and_print_no_warning(served, capsys, host):
    assert cli.main(["--host", host]) == 0
    assert served[0]["host"] == host and served[0]["port"] == 4010
    assert "WARNING" not in capsys.readouterr().err


def test_stateless_flag_builds_a_stateless_mock(served):
    cli.main(["--stateless"])
    assert served[0]["app"].state.mock.config.stateless is True


def test_flags_map_onto_the_config():
    flags = (
        "--api-key a --api-key b --speed 10 --instant --upload-limit-mb 2 --poll-after-ms 100 "
        "--fault-rate 0.25 --fault-status 429,503 --fault-seed 9 --fault-retry-after-ms 300 --latency-ms 5 "
        "--validate-responses"
    )
    args = cli.parser().parse_args(flags.split())
    assert cli.config_from(args) == MockConfig(
        api_keys=frozenset({"a", "b"}),
        speed=10.0,
        instant=True,
        upload_limit=2 * MIB,
        poll_after_ms=100,
        fault_rate=0.25,
        fault_statuses=(429, 503),
        fault_seed=9,
        fault_retry_after_ms=300,
        latency_ms=5,
        validate_responses=True,
    )
    assert cli.config_from(cli.parser().parse_args([])) == MockConfig()


@pytest.mark.parametrize(
    "args",
    [
        ["--fault-rate", "2"],
        ["--fault-status", "404"],
        ["--fault-status", "x"],
        ["--speed", "-1"],
        ["--latency-ms", "-1"],
        ["--port", "http"],
        ["--port", "70000"],  # the kernel would take it modulo 65536, as 4464
        ["--port", "-1"],
        ["--speed", "inf"],  # every request would be a 500 (OverflowError)
        ["--speed", "nan"],
        ["--speed", "1e-300"],  # openai-poll-after-ms of 300 digits
        ["--speed", "1e308"],
        ["--upload-limit-mb", "inf"],
        ["--upload-limit-mb", "nan"],
        ["--upload-limit-mb", "1e-9"],  # under one byte
        ["--fault-status", "429,,"],
    ],
)
def test_bad_flag_values_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.parser().parse_args(args)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_uvicorn_serves_the_app_without_proxy_header_rewriting(served):
    # The mock reads neither the client's address nor the scheme; the middleware would only cost.
    cli.main([])
    assert served[0]["proxy_headers"] is False and served[0]["server_header"] is False


def test_an_empty_api_key_is_refused_at_start_up():
    # It would start, then answer every request 401: no bearer key is empty.
    result = run_cli("--api-key", "sk-good", "--api-key", "", "--port", str(free_port()))
    assert result.returncode == 2
    assert "argument --api-key" in result.stderr and "empty" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("   ", "empty"),
        ("\t", "empty"),
        (" sk-a", "whitespace"),
        ("sk-a\n", "whitespace"),
        ("sk-\u00e9", "printable ASCII"),  # the SDK raises UnicodeEncodeError; curl's UTF-8 never matches
        ("sk-\x01a", "printable ASCII"),
    ],
)
def test_api_keys_no_request_can_match_are_refused(served, capsys, key, why):
    # The mock strips the key it reads from the Authorization header: such a key could never match.
    with pytest.raises(SystemExit) as exited:
        cli.main(["--api-key", key])
    assert exited.value.code == 2 and not served
    assert why in capsys.readouterr().err


@pytest.mark.parametrize("key", ["", "  ", " sk-a"])
def test_the_config_refuses_keys_no_request_can_match(key):
    with pytest.raises(ValueError, match="key"):
        MockConfig(api_keys=["sk-good", key])


def test_the_remote_refusal_says_any_key_is_accepted_only_when_it_is(served, capsys):
    assert cli.main(["--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "accepts any" in err and "--api-key" in err and "--allow-remote" in err
    assert cli.main(["--host", "0.0.0.0", "--api-key", "sk-a"]) == 2
    err = capsys.readouterr().err
    assert "any key" not in err and "accepts any" not in err
    assert "plain HTTP" in err and "--allow-remote" in err
    assert "sk-a" not in err  # a key is never echoed
    assert not served


def test_the_remote_warning_says_any_key_is_accepted_only_when_it_is(served, capsys):
    assert cli.main(["--host", "0.0.0.0", "--allow-remote"]) == 0
    assert "accepts any" in capsys.readouterr().err
    assert cli.main(["--host", "0.0.0.0", "--allow-remote", "--api-key", "sk-a"]) == 0
    err = capsys.readouterr().err
    assert "WARNING" in err and "accepts any" not in err and "plain HTTP" in err


def option_help(flag: str) -> str:
    """The --help text of one option, its line breaks and indentation undone."""
    (action,) = [a for a in cli.parser()._actions if flag in a.option_strings]
    text = " ".join(cli.parser().format_help().split())
    assert " ".join(action.help.split()) in text  # what --help prints
    return action.help


def test_help_of_fault_status_lists_the_accepted_statuses():
    text = re.sub(r"\(default[^)]*\)", "", option_help("--fault-status"))  # not just the default
    for status in FAULT_STATUSES:
        assert str(status) in text


def test_help_of_fault_retry_after_ms_names_every_status_that_sends_the_hint():
    text = option_help("--fault-retry-after-ms")
    for status in FAULT_STATUSES:
        sends_hint = "retry-after" in injected(status, 1500).headers
        assert (str(status) in text) == sends_hint, (status, text)


def test_a_relative_state_file_is_relative_to_where_the_command_was_typed(tmp_path):
    from tests.reliability_support import MockProcess

    mock = MockProcess("--state-file", "mine.db", log_path=tmp_path / "mock.log", cwd=tmp_path)
    try:
        assert (tmp_path / "mine.db").exists(), mock.log()
    finally:
        mock.kill()


def test_stateless_with_a_state_file_is_refused(served, capsys, tmp_path):
    # A stateless mock keeps nothing: the file would be created, locked and never used.
    with pytest.raises(SystemExit) as exited:
        cli.main(["--stateless", "--state-file", str(tmp_path / "s.db")])
    assert exited.value.code == 2 and not served
    assert "--stateless" in capsys.readouterr().err and not (tmp_path / "s.db").exists()


def test_an_ipv6_host_is_shown_as_a_url(served, capsys):
    assert cli.main(["--host", "::1", "--port", "4999"]) == 0
    assert "on http://[::1]:4999/v1" in capsys.readouterr().err


def test_a_port_in_use_is_one_line_before_any_banner():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"scripts/mock: cannot listen on http://127.0.0.1:{port}/v1: Address already in use. "
        "Stop what is using it, or pass another --port."
    )


def test_with_validate_responses_an_answer_breaking_the_contract_is_a_500_with_the_envelope(served):
    # Over HTTP uvicorn would answer a bare text/plain 500; in-process the error is raised.
    from starlette.testclient import TestClient

    cli.main(["--validate-responses", "--api-key", "sk-a"])
    app = served[0]["app"]
    app.state.mock.handlers["listVideos"] = _answers_a_page_without_data
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": "Bearer sk-a"}) as client:
        broken = client.get("/videos")
    assert broken.status_code == 500 and broken.headers["content-type"] == "application/json"
    error = broken.json()["error"]
    assert error["code"] == "mock_contract_violation" and "listVideos answered 200" in error["message"]


async def _answers_a_page_without_data(call):
    from starlette.responses import JSONResponse

    return JSONResponse({"object": "list"})
