"""``scripts/bootstrap``'s arguments: --help prints a usage, anything else is a usage error. Neither
path creates or installs anything (its normal run, with no argument, is what every script does)."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bootstrap"


def run(*args: str) -> subprocess.CompletedProcess:
    # PYTHON names no interpreter: were the arguments ignored, the script would fail (exit 1) at
    # its version check instead of going on to create .venv or install.
    env = {"PATH": "/usr/bin:/bin", "PYTHON": "/nonexistent/python3"}
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=30, env=env)


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_a_usage_and_exits_0(flag):
    result = run(flag)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: scripts/bootstrap")
    assert ".venv" in result.stdout and "idempotent" in result.stdout.lower()
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["--bogus"], ["install"], ["--help", "extra"]])
def test_an_unknown_argument_is_a_usage_error(args):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage: scripts/bootstrap" in result.stderr and args[-1] in result.stderr
