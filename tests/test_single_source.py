"""One source of truth: change an enum through an overlay, regenerate, and the client, the mock and
the conformance suite all follow with no other edit."""

import subprocess
import sys

from starlette.testclient import TestClient

from tests.test_generate import project  # noqa: F401  (the fixture: a copy of the project)
from videos_toolkit.conformance.runner import Options, run
from videos_toolkit.conformance.target import mock_target
from videos_toolkit.generate import main as generate
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.spec import build_effective_spec

LONGER_CLIPS = """\
overlay: 1.0.0
info: {title: longer clips, version: 1.0.0}
actions:
  - target: $.components.schemas.VideoSeconds
    update: {enum: ['16'], x-enum-varnames: [SECONDS_16]}
"""
CLIENT_CHECK = """
from videos_client.models import CreateVideoJsonBody, VideoSeconds
seconds = VideoSeconds("16")
assert seconds.is_known, "16 should be a known member now"
assert CreateVideoJsonBody(prompt="p", seconds=seconds).to_dict()["seconds"] == "16"
print("client ok")
"""


def create_with_16_seconds(spec: dict | None) -> int:
    app = create_app(MockConfig(), spec)
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": "Bearer k"}) as client:
        return client.post("/videos", json={"prompt": "p", "seconds": "16"}).status_code


def test_an_enum_change_in_an_overlay_reaches_client_mock_and_suite(project):  # noqa: F811
    (project / "overlays" / "20-longer-clips.yaml").write_text(LONGER_CLIPS)
    assert generate([], root=project) == 0
    spec = build_effective_spec(project)

    client = subprocess.run(
        [sys.executable, "-c", CLIENT_CHECK],
        cwd=project,
        env={"PYTHONPATH": str(project / "generated")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert client.stdout.strip() == "client ok", client.stderr

    assert create_with_16_seconds(None) == 400  # this checkout's mock refuses it
    assert create_with_16_seconds(spec) == 200  # the mock built from the changed contract serves it

    only_properties = Options(max_examples=3, database=None, parts=("properties",))
    assert run(spec, mock_target(spec=spec), only_properties).ok
    stale = run(spec, mock_target(), only_properties)  # the suite now expects 16: an old server fails
    assert "allowed_values_accepted" in stale.failed_checks()
