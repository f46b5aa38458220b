"""scripts/generate: overlays applied, deterministic output, and a --check that catches drift."""

import shutil
from pathlib import Path

import pytest

from videos_toolkit.generate import generate_into, main, tree_diff
from videos_toolkit.paths import ROOT
from videos_toolkit.spec import effective_spec

PROJECT_INPUTS = ["openapi.yaml", "overlays", "templates", "openapi-python-client.yaml", "generated"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the files generation reads and writes."""
    root = tmp_path / "project"
    root.mkdir()
    for name in PROJECT_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    return root


def test_check_passes_on_the_committed_client(project, capsys):
    assert main(["--check"], root=project) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_fails_with_a_readable_diff_when_generated_is_edited_by_hand(project, capsys):
    model = project / "generated" / "videos_client" / "models" / "video.py"
    model.write_text(model.read_text() + "\nHAND_EDIT = True\n")

    assert main(["--check"], root=project) == 1
    diff = capsys.readouterr().out
    assert "a/generated/videos_client/models/video.py" in diff
    assert "-HAND_EDIT = True" in diff


def test_check_notices_added_and_deleted_files(project, capsys):
    (project / "generated" / "videos_client" / "stray.py").write_text("x = 1\n")
    (project / "generated" / "videos_client" / "models" / "video_size.py").unlink()

    assert main(["--check"], root=project) == 1
    diff = capsys.readouterr().out
    assert "a/generated/videos_client/stray.py" in diff
    assert "b/generated/videos_client/models/video_size.py" in diff


def test_two_runs_give_identical_bytes(tmp_path):
    generate_into(tmp_path / "one")
    generate_into(tmp_path / "two")
    assert tree_diff(tmp_path / "one", tmp_path / "two") == []


def test_an_overlay_changes_the_generated_client(project, capsys):
    (project / "overlays" / "20-longer-clips.yaml").write_text(
        "overlay: 1.0.0\n"
        "info: {title: longer clips, version: 1.0.0}\n"
        "actions:\n"
        "  - target: $.components.schemas.VideoSeconds\n"
        "    update: {enum: ['16'], x-enum-varnames: [SECONDS_16]}\n"
    )
    assert main([], root=project) == 0
    seconds = (project / "generated" / "videos_client" / "models" / "video_seconds.py").read_text()
    assert 'SECONDS_16 = "16"' in seconds
    assert 'SECONDS_4 = "4"' in seconds


def test_a_new_binary_download_type_needs_no_generator_config_edit(project, capsys):
    # openapi-python-client reads only JSON, text/* and application/octet-stream by itself.
    (project / "overlays" / "20-audio.yaml").write_text(
        "overlay: 1.0.0\n"
        "info: {title: audio, version: 1.0.0}\n"
        "actions:\n"
        "  - target: $.paths\n"
        "    update:\n"
        "      /videos/{video_id}/audio:\n"
        "        get:\n"
        "          operationId: downloadVideoAudio\n"
        "          parameters: [{name: video_id, in: path, required: true, schema: {type: string}}]\n"
        "          responses:\n"
        "            '200':\n"
        "              description: the soundtrack\n"
        "              content: {audio/mpeg: {schema: {type: string, format: binary}}}\n"
    )
    assert main([], root=project) == 0, capsys.readouterr().err
    audio = project / "generated" / "videos_client" / "api" / "default" / "download_video_audio.py"
    assert "File(payload=BytesIO(response.content))" in audio.read_text()


def test_a_schema_the_generator_cannot_take_is_named_first_not_under_its_knock_on_warnings(project, capsys):
    # "video_status" becomes the class VideoStatus, which the contract already has.
    (project / "overlays" / "20-clash.yaml").write_text(
        "overlay: 1.0.0\n"
        "info: {title: clash, version: 1.0.0}\n"
        "actions:\n"
        "  - target: $.components.schemas\n"
        "    update: {video_status: {type: object, properties: {a: {type: string}}}}\n"
        "  - target: $.components.schemas.Video.properties\n"
        "    update: {extra: {$ref: '#/components/schemas/video_status'}}\n"
    )
    assert main([], root=project) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith("scripts/generate: openapi-python-client failed (exit 1): ")
    assert (
        '#/components/schemas/video_status: Attempted to generate duplicate models with name "VideoStatus"'
        in first
    )


def test_a_broken_overlay_stops_generation_naming_the_file(project, capsys):
    (project / "overlays" / "30-typo.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: typo, version: 1.0.0}\n"
        "actions:\n  - target: $.components.schemas.VideoSecondz\n    update: {description: x}\n"
    )
    before = sorted(p.read_bytes() for p in (project / "generated").rglob("*.py"))

    assert main([], root=project) == 2
    err = capsys.readouterr().err
    assert "30-typo.yaml" in err and "action 0" in err
    assert sorted(p.read_bytes() for p in (project / "generated").rglob("*.py")) == before


def test_a_new_enum_value_without_its_varname_stops_generation(project, capsys):
    # One name short: the generator would silently rename every member VALUE_n.
    sizes = len(effective_spec()["components"]["schemas"]["VideoSize"]["enum"])
    (project / "overlays" / "20-bigger.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: bigger, version: 1.0.0}\n"
        "actions:\n  - target: $.components.schemas.VideoSize\n    update: {enum: ['1080x1920']}\n"
    )
    before = sorted(p.read_bytes() for p in (project / "generated").rglob("*.py"))

    assert main([], root=project) == 2
    err = capsys.readouterr().err
    assert err.startswith("scripts/generate: overlays/20-bigger.yaml: action 0"), err
    assert f"#/components/schemas/VideoSize has {sizes + 1} enum values but {sizes} x-enum-varnames" in err
    assert "add a name to x-enum-varnames for each new enum value" in err
    assert sorted(p.read_bytes() for p in (project / "generated").rglob("*.py")) == before


def test_a_dangling_ref_stops_generation_with_one_line(project, capsys):
    (project / "overlays" / "20-quality.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: quality, version: 1.0.0}\n"
        "actions:\n  - target: $.components.schemas.Video.properties\n"
        "    update: {quality: {$ref: '#/components/schemas/Nope'}}\n"
    )

    assert main([], root=project) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "'openapi': '3.1.0'" not in err, err
    assert err.startswith("scripts/generate: overlays/20-quality.yaml: action 0"), err
    assert "$ref '#/components/schemas/Nope' at #/components/schemas/Video/properties/quality" in err


def test_a_link_to_a_removed_operation_stops_generation_naming_it(project, capsys):
    # Left behind, it passed generation and the mock, then the fuzzer's whole stateful phase
    # stopped at an engine error.
    (project / "overlays" / "20-no-extend.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: no extend, version: 1.0.0}\n"
        "actions:\n  - target: $.paths['/videos/extensions']\n    remove: true\n"
    )

    assert main([], root=project) == 2
    err = capsys.readouterr().err
    assert err.startswith("scripts/generate: overlays/20-no-extend.yaml: action 0"), err
    assert "the link at #/components/links/ExtendVideo names operationId 'extendVideo'" in err


def test_a_client_that_does_not_import_stops_generation(project, capsys):
    # The hand-written templates/extras call create_video: without the operation, the package
    # would be written and fail only at a user's `import videos_client`.
    (project / "overlays" / "20-no-create.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: no create, version: 1.0.0}\n"
        "actions:\n  - target: $.paths['/videos'].post\n    remove: true\n"
    )
    before = sorted(p.read_bytes() for p in (project / "generated").rglob("*.py"))

    assert main([], root=project) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("scripts/generate: the generated client does not import: ImportError: "), err
    assert "create_video" in err and "at videos_client/_videos.py:" in err and "templates/extras/" in err
    assert sorted(p.read_bytes() for p in (project / "generated").rglob("*.py")) == before
