"""The official openai Node SDK (npm ``openai``, major 7) against the mock over HTTP on 127.0.0.1:
the calls of the SDK's own ``tests/api-resources/videos.test.ts`` against the stateless mock, and a
user's whole session against the stateful one (``tests/peers/node_sdk.mjs``). The package is
installed once from the npm registry under ``.venv/peer-suites/node-openai/``; without Node.js or
npm, or offline, the test is skipped."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".venv" / "peer-suites" / "node-openai"
SCRIPT = Path(__file__).parent / "peers" / "node_sdk.mjs"
PACKAGE = "openai@^7"


@pytest.fixture(scope="module")
def node_sdk() -> Path:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("Node.js and npm are not installed")
    if not (HOME / "node_modules" / "openai" / "package.json").exists():
        HOME.mkdir(parents=True, exist_ok=True)
        (HOME / "package.json").write_text('{"private": true}\n')
        install = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--fetch-retries", "1", PACKAGE],
            cwd=HOME,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if install.returncode != 0:
            pytest.skip(f"npm could not install {PACKAGE} (offline?): {install.stderr.strip()[-300:]}")
    script = HOME / SCRIPT.name  # beside node_modules, where Node resolves `import 'openai'`
    shutil.copyfile(SCRIPT, script)
    return script


@pytest.mark.parametrize(
    ("live_mock", "mode"),
    [({"stateless": True}, "suite"), ({"speed": 50}, "flow")],
    indirect=["live_mock"],
    ids=["sdk-suite-stateless", "session-stateful"],
)
def test_the_official_node_sdk_works_against_the_mock(node_sdk, live_mock, mode):
    run = subprocess.run(
        ["node", str(node_sdk), mode, live_mock.base_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    steps = run.stdout.splitlines()
    assert run.returncode == 0 and steps, run.stdout + run.stderr[-2000:]
    assert all(line.startswith("ok ") for line in steps), run.stdout
