"""--sample-video: a clip of the user's uploaded wherever the suite sends a video file, its length
expected by the checks; a clip the checks could not use is refused before the run."""

import functools
from dataclasses import replace

import pytest

from tests.broken_mocks import read_whole_body
from videos_toolkit.conformance import uploads as uploads_module
from videos_toolkit.conformance.cli import run_cli
from videos_toolkit.conformance.runner import Options, run
from videos_toolkit.conformance.target import mock_target
from videos_toolkit.conformance.uploads import SampleError, sample_uploads
from videos_toolkit.mock import media
from videos_toolkit.spec import effective_spec

# A length and frame size that no clip made to measure has (those are 1, 4, 8 s or a video's own).
SAMPLE = media.mp4_video("1280x720", 3)


def recording(app, bodies: list[bytes]):
    """The app, keeping every POST body it is sent."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body, replay = await read_whole_body(receive)
        bodies.append(body)
        return await app(scope, replay, send)

    return wrapped


def test_every_uploaded_video_is_the_sample_and_the_checks_expect_its_length(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(SAMPLE)
    bodies: list[bytes] = []
    target = mock_target(wrap=functools.partial(recording, bodies=bodies))
    target = replace(target, uploads=sample_uploads(path))
    options = Options(max_examples=3, workers=1, database=None)
    report = run(effective_spec(), target, options)
    failed = [f"{r.operation} {r.check}: {r.detail}" for r in report.results if r.outcome.value == "failed"]
    assert not failed
    uploads = [body for body in bodies if b"ftyp" in body]
    assert len(uploads) >= 10  # fuzzing, the properties, the client and the SDK all upload
    assert all(SAMPLE in body for body in uploads)
    # The extension by upload was judged against the sample's 3 s (the property and both round trips).
    extension_checks = [r for r in report.results if r.family == "extension" and r.outcome.value == "passed"]
    assert extension_checks


def test_the_rerun_line_carries_the_sample(tmp_path):
    path = tmp_path / "my clip.mp4"
    path.write_bytes(SAMPLE)
    target = replace(mock_target(), uploads=sample_uploads(path))
    assert f"--sample-video '{path}'" in target.rerun("properties", 0)
    assert "--sample-video" in target.rebuilt().rerun("fuzzing", 0)  # a worker's rebuilt target keeps it


def test_a_clip_the_checks_cannot_use_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    not_mp4 = tmp_path / "notes.txt"
    not_mp4.write_bytes(b"not a video")
    with pytest.raises(SampleError, match="give an MP4 file"):
        sample_uploads(not_mp4)
    with pytest.raises(SampleError, match="cannot read it"):
        sample_uploads(tmp_path / "missing.mp4")
    code, report = run_cli(["--sample-video", str(not_mp4), "--report-dir", str(tmp_path / "r")])
    assert (code, report) == (2, None)
    assert "give an MP4 file" in capsys.readouterr().err
    good = tmp_path / "good.mp4"
    good.write_bytes(SAMPLE)
    argv = ["--sample-video", str(good), "--only", "client", "--report-dir", str(tmp_path / "r")]
    assert run_cli(argv)[0] == 0
    assert f"uploading {good} (3 s)" in capsys.readouterr().out  # the run says what it uploads
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(SAMPLE)
    monkeypatch.setattr(uploads_module.media, "movie_seconds", lambda f: None)
    monkeypatch.setattr(uploads_module.media, "probe_mp4", lambda f: media.Mp4Probe(4.37, 1280, 720))
    with pytest.raises(SampleError, match=r"lasts 4\.37 s.*whole number of seconds"):
        sample_uploads(clip)
    # mutagen's length is the first audio track's: one shorter than the movie (a 4 s video with
    # 2 s of sound) would have the checks expect 2 s where a server may say 4.
    monkeypatch.undo()
    monkeypatch.setattr(uploads_module.media, "probe_mp4", lambda f: media.Mp4Probe(2.0, 1280, 720))
    with pytest.raises(SampleError, match=r"audio track lasts 2\.00 s and the movie 3\.00 s"):
        sample_uploads(clip)
