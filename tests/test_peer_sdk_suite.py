"""The official openai SDK's own test file for this API, ``tests/api_resources/test_videos.py`` from the
openai sdist on PyPI (the version installed in this venv), run unchanged against the stateless mock served
over HTTP on 127.0.0.1, as the SDK team runs it against a Prism/Steady mock: sync and async clients, loose
and strict response validation, ``with_raw_response``, ``with_streaming_response``, the aiohttp transport.

The sdist's tests need packages this venv does not have (pytest-asyncio, pytest-xdist, the aiohttp extra),
and their pytest settings (``filterwarnings = error``, ``asyncio_mode = auto``) must not leak into ours, so
they run in a subprocess from a throwaway venv built once under ``.venv/peer-suites/openai-<version>/``
(pip, PyPI only) and reused while the version stays the same. Offline, the test is skipped.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

LIVE_MOCK_CONFIG = {"stateless": True}
ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv" / "peer-suites"
SUITE = "tests/api_resources/test_videos.py"
PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input"]
DOWNLOAD = ["--no-binary", "openai", "--retries", "1", "--timeout", "20", "-d"]  # fails fast offline
# The SDK's own conftest skips these itself: respx cannot intercept the aiohttp transport.
EXPECTED_SKIPS = {"aiohttp client is not compatible with respx2_mock"}
# What the suite imports or configures (addopts has -n auto); versions come from the sdist's dev group.
ESSENTIAL = ["pytest", "pytest-asyncio", "pytest-xdist", "rich"]
OPTIONAL = ["respx", "dirty-equals"]  # older sdists, before respx2 was vendored into tests/


@dataclass
class PeerSuite:
    python: Path
    tree: Path
    aiohttp: bool


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _run(cmd: list[str], timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)


def _tail(proc: subprocess.CompletedProcess, lines: int = 15) -> str:
    return "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-lines:])


def _dev_requirements(pyproject: Path, vendored_respx: bool) -> list[str]:
    import tomllib

    group = tomllib.loads(pyproject.read_text()).get("dependency-groups", {}).get("dev", [])
    by_name = {}
    for spec in group:
        if isinstance(spec, str) and (match := re.match(r"\s*([A-Za-z0-9._-]+)", spec)):
            by_name[_norm(match.group(1))] = spec
    wanted = [by_name.get(name, name) for name in ESSENTIAL]
    wanted += [by_name[name] for name in OPTIONAL if name in by_name]
    if not vendored_respx and "respx" not in by_name:
        wanted.append("respx")
    return wanted


def _build(home: Path, openai_version: str) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    sdist_dir = home / "sdist"
    download = _run(
        [
            sys.executable,
            *PIP,
            "download",
            "--no-deps",
            *DOWNLOAD,
            str(sdist_dir),
            f"openai=={openai_version}",
        ],
        timeout=300,
    )
    archives = sorted(sdist_dir.glob("openai-*.tar.gz")) if download.returncode == 0 else []
    if not archives:
        shutil.rmtree(home, ignore_errors=True)
        pytest.skip(
            f"cannot obtain the openai {openai_version} sdist from PyPI (offline?):\n{_tail(download, 5)}"
        )
    tree = home / "tree"
    with tarfile.open(archives[0]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        members = [
            member
            for member in sdist.getmembers()
            if member.name == f"{top}/pyproject.toml" or member.name.startswith(f"{top}/tests/")
        ]
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.11.4+
        sdist.extractall(home, members=members, **safe)
    (home / top).rename(tree)
    if not (tree / SUITE).is_file():
        pytest.fail(f"the openai {openai_version} sdist has no {SUITE}")

    venv = home / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    assert made.returncode == 0, _tail(made)
    python = venv / "bin" / "python"
    requirements = _dev_requirements(tree / "pyproject.toml", (tree / "tests" / "respx2").is_dir())
    install = [str(python), *PIP, "install", "--quiet", "--retries", "2", "--timeout", "30"]
    aiohttp = True
    proc = _run([*install, f"openai[aiohttp]=={openai_version}", *requirements])
    if proc.returncode != 0:  # the aiohttp extra may have no wheel here: run without its variants
        aiohttp = False
        proc = _run([*install, f"openai=={openai_version}", *requirements])
    # PyPI answered the download above, so a failing install is a real problem, not a skip.
    assert proc.returncode == 0, f"installing the peer suite's dependencies failed:\n{_tail(proc)}"
    ready = {"openai": openai_version, "aiohttp": aiohttp}
    (home / "ready.json").write_text(json.dumps(ready))
    return ready


@pytest.fixture(scope="module")
def peer_suite() -> Iterator[PeerSuite]:
    """The sdist's tests and a venv to run them, built once per openai version (a lock keeps concurrent
    runs from building the same one twice)."""
    openai_version = version("openai")
    home = CACHE / f"openai-{openai_version}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"openai-{openai_version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            ready = json.loads((home / "ready.json").read_text())
        except (OSError, ValueError):
            ready = _build(home, openai_version)
    yield PeerSuite(home / "venv" / "bin" / "python", home / "tree", ready["aiohttp"])


def test_official_sdk_videos_suite_passes_against_the_stateless_mock(peer_suite, live_mock, tmp_path):
    report = tmp_path / "junit.xml"
    # The suite's own base URL has no /v1 (the SDK team's Prism serves the spec's paths at the root).
    base_url = live_mock.base_url.removesuffix("/v1")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "PYTEST_", "PYTHON")) and name != "VIRTUAL_ENV"
    }
    env["TEST_API_BASE_URL"] = base_url
    cmd = [str(peer_suite.python), "-m", "pytest", SUITE, "-n", "0", "-p", "no:cacheprovider", "-q"]
    cmd += ["-c", "pyproject.toml", "--rootdir", ".", f"--junitxml={report}", "-rfEs"]
    if not peer_suite.aiohttp:
        cmd += ["-k", "not aiohttp"]  # the aiohttp extra could not be installed here
    proc = _run(cmd, timeout=300, cwd=peer_suite.tree, env=env)
    if proc.returncode != 0:
        lines = proc.stdout.splitlines()
        first = next((i for i, line in enumerate(lines) if "= FAILURES =" in line or "= ERRORS =" in line), 0)
        shown = "\n".join([*lines[first : first + 40], "[...]", *lines[-3:]])
        pytest.fail(f"the openai SDK's {SUITE} failed against the stateless mock:\n{shown}")

    cases = ET.parse(report).getroot().iter("testcase")
    passed, skipped = 0, []
    for case in cases:
        outcome = [child for child in case if child.tag in ("failure", "error", "skipped")]
        assert not [o for o in outcome if o.tag != "skipped"], ET.tostring(case, encoding="unicode")
        if outcome:
            skipped.append(outcome[0].get("message", ""))
        else:
            passed += 1
    # 188 in openai 3.57.0 (76 sync, 110 async of which 34 over aiohttp, 2 more): a floor, not an exact count.
    assert passed >= (150 if peer_suite.aiohttp else 100), proc.stdout[-2000:]
    unexpected = [reason for reason in skipped if not any(known in reason for known in EXPECTED_SKIPS)]
    assert not unexpected, unexpected
