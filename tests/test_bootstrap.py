"""``scripts/bootstrap``'s arguments: --help prints a usage, anything else is a usage error. Neither
path creates or installs anything (its normal run, with no argument, is what every script does)."""

import subprocess
import sys
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


def test_a_venv_set_up_for_another_checkout_is_refused_not_used(tmp_path):
    # Shared (a symlink) or copied, it ran the other checkout's contract and client: scripts/generate
    # in one checkout wrote into the other's generated/.
    checkout = tmp_path / "copy"
    (checkout / "scripts").mkdir(parents=True)
    (checkout / "scripts" / "bootstrap").write_bytes(SCRIPT.read_bytes())
    (checkout / "scripts" / "bootstrap").chmod(0o755)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (checkout / ".venv" / ".bootstrap-checkout").write_text("/somewhere/else\n")
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PYTHON": sys.executable}
    result = subprocess.run(
        [checkout / "scripts" / "bootstrap"], capture_output=True, text=True, timeout=30, env=env
    )
    assert result.returncode == 1
    assert f".venv was set up for /somewhere/else, not {checkout.resolve()}" in result.stderr, result.stderr
    assert "rm -rf .venv" in result.stderr
