"""One source of truth: change an enum through an overlay, regenerate, and the client, the mock and
the conformance suite all follow with no other edit."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from starlette.testclient import TestClient

from tests.test_generate import project  # noqa: F401  (the fixture: a copy of the project)
from videos_toolkit.conformance.runner import Options, run
from videos_toolkit.conformance.target import mock_target
from videos_toolkit.generate import main as generate
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.paths import ROOT
from videos_toolkit.spec import build_effective_spec


def readme_overlay() -> str:
    """The overlay example of the README, so the front door's promise is what is tested."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(overlay: 1\.0\.0\n.*?)```", readme, re.DOTALL)
    assert match, "the README has no overlay example"
    return match.group(1)


CLIENT_CHECK = """
from videos_client.models import CreateVideoJsonBody, VideoSeconds
seconds = VideoSeconds("16")
assert seconds.is_known, "16 should be a known member now"
assert CreateVideoJsonBody(prompt="p", seconds=seconds).to_dict()["seconds"] == "16"
import videos_client
client = videos_client.VideosClient(api_key="k", base_url="http://127.0.0.1:9/v1")
try:
    client.videos.create_character(name="n", video=b"x")
except NotImplementedError as error:  # the overlay removed the operation: said, not crashed at import
    assert "POST /videos/characters" in str(error), error
else:
    raise AssertionError("create_character should not be callable without the operation")
print("client ok")
"""


def with_regenerated_client(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports the project copy's regenerated client."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={"PYTHONPATH": str(root / "generated")},
        capture_output=True,
        text=True,
        check=False,
    )


def create_with_16_seconds(spec: dict | None) -> int:
    app = create_app(MockConfig(), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": "Bearer k"}) as client:
        return client.post("/videos", json={"prompt": "p", "seconds": "16"}).status_code


def test_an_enum_change_in_an_overlay_reaches_client_mock_and_suite(project):  # noqa: F811
    (project / "overlays" / "20-my-variant.yaml").write_text(readme_overlay())
    assert generate([], root=project) == 0
    spec = build_effective_spec(project)

    client = with_regenerated_client(project, CLIENT_CHECK)
    assert client.stdout.strip() == "client ok", client.stderr

    assert create_with_16_seconds(None) == 400  # this checkout's mock refuses it
    assert create_with_16_seconds(spec) == 200  # the mock built from the changed contract serves it

    properties_and_client = Options(max_examples=3, database=None, parts=("properties", "client"))
    report = run(spec, mock_target(spec=spec), properties_and_client)
    assert report.ok, [(r.check, r.detail) for r in report.failures]
    skipped = {r.operation for r in report.results if r.outcome.value == "skipped"}
    assert "POST /videos/characters" in skipped  # the overlay removed it: the suite does not ask for it
    stale = run(spec, mock_target(), properties_and_client)  # the suite now expects 16: an old server fails
    assert "allowed_values_accepted" in stale.failed_checks()


def test_scripts_conformance_runs_on_the_regenerated_client(project, tmp_path):  # noqa: F811
    """The user's own move after the README's overlay: the suite, run from the changed project,
    imports the client generated without the character operations (the test above runs in this
    process, on this checkout's client)."""
    (project / "overlays" / "20-my-variant.yaml").write_text(readme_overlay())
    assert generate([], root=project) == 0
    shutil.copytree(ROOT / "src", project / "src")
    done = subprocess.run(
        [sys.executable, "-m", "videos_toolkit.conformance", "--max-examples", "2", "--workers", "1",
         "--report-dir", str(tmp_path / "reports")],
        cwd=project,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(project / "src"), str(project / "generated")])},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "PASSED" in done.stdout + done.stderr


FLAGS_OVERLAY = """overlay: 1.0.0
info: {title: a boolean and an array in the multipart create, version: 1.0.0}
actions:
  - target: $.components.schemas.CreateVideoMultipartBody.properties
    update:
      loop: {type: boolean}
      tags: {type: array, items: {type: string}}
"""
MULTIPART_CHECK = """
import json
from videos_client.models import CreateVideoMultipartBody
parts = CreateVideoMultipartBody(prompt="p", loop=True, tags=["a", "b"]).to_multipart()
print(json.dumps([(name, value[1].decode()) for name, value in parts]))
"""


def test_booleans_and_arrays_in_a_multipart_body_agree_between_client_and_mock(project):  # noqa: F811
    (project / "overlays" / "20-flags.yaml").write_text(FLAGS_OVERLAY)
    assert generate([], root=project) == 0
    client = with_regenerated_client(project, MULTIPART_CHECK)
    assert client.returncode == 0, client.stderr
    sent = [tuple(pair) for pair in json.loads(client.stdout)]
    assert sorted(sent) == [("loop", "true"), ("prompt", "p"), ("tags", "a"), ("tags", "b")]

    app = create_app(MockConfig(validate_responses=True), build_effective_spec(project))
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": "Bearer k"}) as mock:
        assert mock.post("/videos", files=[(name, (None, value)) for name, value in sent]).status_code == 200
        one_tag = mock.post("/videos", files=[("prompt", (None, "p")), ("tags", (None, "solo"))])
        assert one_tag.status_code == 200, one_tag.text
        python_bool = mock.post("/videos", files=[("prompt", (None, "p")), ("loop", (None, "True"))])
        assert python_bool.status_code == 400 and python_bool.json()["error"]["param"] == "loop"
