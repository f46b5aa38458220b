"""Types: ``mypy --strict`` passes on the generated package and on an example user script (and
fails on a script that misuses the client); the package ships ``py.typed``; the example runs."""

import runpy
import subprocess
import sys
import tomllib

import pytest

from videos_toolkit.paths import ROOT

PACKAGE = ROOT / "generated" / "videos_client"
EXAMPLE = ROOT / "examples" / "extend.py"
LIVE_MOCK_CONFIG = {"speed": 100}


def mypy_strict(*paths) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            *map(str, paths),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_mypy_strict_passes_on_the_package_and_the_example():
    done = mypy_strict(PACKAGE, EXAMPLE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_mypy_strict_catches_a_misused_client(tmp_path):
    script = tmp_path / "wrong.py"
    script.write_text(
        "import videos_client\n"
        "client = videos_client.VideosClient()\n"
        "video = client.videos.extend(prompt='x', seconds=8.5, video={'id': 'v'})\n"
        "count: int = client.videos.retrieve('v').status\n"
    )
    done = mypy_strict(script)
    assert done.returncode == 1
    assert 'Argument "seconds" to "extend"' in done.stdout
    assert "Incompatible types in assignment" in done.stdout


def test_the_package_ships_py_typed_and_declares_its_dependencies():
    assert (PACKAGE / "py.typed").is_file()
    project = tomllib.loads((ROOT / "generated" / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("<")[0].split("=")[0] for dep in project["dependencies"]}
    assert {"httpx", "httpx-retries", "attrs"} <= names


def test_the_example_runs_against_the_mock(live_mock, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", live_mock.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-example")
    example = runpy.run_path(str(EXAMPLE), run_name="example")
    assert example["main"]([str(tmp_path)]) == 0
    assert (tmp_path / "extended.mp4").read_bytes()[4:8] == b"ftyp"
    assert (tmp_path / "extended-again.mp4").is_file()


@pytest.mark.parametrize("name", ["VideosClient", "AsyncVideosClient", "APIStatusError", "RateLimitError"])
def test_one_import_surface(name):
    import videos_client
    from videos_client import errors

    assert getattr(videos_client, name)
    assert name in videos_client.__all__
    if name.endswith("Error"):
        assert getattr(errors, name) is getattr(videos_client, name)
