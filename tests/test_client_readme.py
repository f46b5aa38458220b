"""Every python snippet of the README's "Using the client" section (and of the generated package's
own README) runs, in order, against the mock over HTTP (OPENAI_BASE_URL pointed at it), so they
cannot rot."""

import re

from videos_toolkit.paths import ROOT

LIVE_MOCK_CONFIG = {"speed": 100}
SECTION = "## Using the client"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def client_snippets() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION + "\n")
    end = text.find("\n## ", start + len(SECTION))
    return python_blocks(text[start : end if end != -1 else len(text)])


def run_snippets(snippets: list[str], source: str, live_mock, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", live_mock.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-readme")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for index, snippet in enumerate(snippets):
        exec(compile(snippet, f"{source} (python snippet {index + 1})", "exec"), namespace)


def test_the_section_has_the_promised_snippets():
    code = "\n".join(client_snippets())
    for needle in (
        "VideosClient(",
        "create_and_poll",
        'video={"id"',
        "video=Path(",
        "download_to_file",
        "poll(",
        "except errors.",
        "AsyncVideosClient",
        "list(",
    ):
        assert needle in code, needle


def test_every_snippet_runs_against_the_mock(live_mock, tmp_path, monkeypatch, capsys):
    run_snippets(client_snippets(), "README.md", live_mock, tmp_path, monkeypatch)
    out = capsys.readouterr().out
    assert "completed 100%" in out
    assert "\n12\n" in out  # the stitched total of the extension by id
    assert "completed 16" in out  # ... and of the extension by file
    assert re.search(r"^400 seconds invalid_value req_\w+$", out, flags=re.MULTILINE)
    assert "True" in out  # the async remix
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


def test_the_generated_packages_readme_runs_too(live_mock, tmp_path, monkeypatch, capsys):
    snippets = python_blocks((ROOT / "generated" / "README.md").read_text(encoding="utf-8"))
    assert snippets
    run_snippets(snippets, "generated/README.md", live_mock, tmp_path, monkeypatch)
    assert re.search(r"^404 .*video_missing.* req_\w+$", capsys.readouterr().out, flags=re.MULTILINE)
    assert (tmp_path / "cat.mp4").is_file()


def test_the_in_process_snippet_of_the_mock_section_runs(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (snippet,) = [block for block in python_blocks(text) if "InProcessTransport(app)" in block]
    exec(compile(snippet, "README.md (in-process snippet)", "exec"), {"__name__": "readme"})
    status, size = capsys.readouterr().out.split()
    assert status == "completed" and int(size) > 1000
