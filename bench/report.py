"""``bench/RESULTS.md`` (and ``results.json`` beside it): figures, ratios, machine, versions, commands."""

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.common import ROOT, Section, Table

PACKAGES = (
    "uvicorn", "uvloop", "httptools", "starlette", "orjson", "jsonschema", "httpx", "httpx-retries",
    "attrs", "openai", "pydantic", "schemathesis", "hypothesis", "openapi-python-client",
)  # fmt: skip


def machine(load_at_start: tuple[float, float, float] | None = None) -> list[tuple[str, str]]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("memory", mem),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Node.js", _first_line(["node", "--version"])),
        ("git commit", _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])),
        (
            "load average (1, 5, 15 min) at start / end",
            f"{_load(load_at_start)} / {_load(os.getloadavg())} (other work on the machine shows here)",
        ),
    ]


def _load(values: tuple[float, float, float] | None) -> str:
    return ", ".join(f"{v:.2f}" for v in values) if values else "?"


def versions(extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    found = []
    for name in PACKAGES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return [*found, *extra]


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "not found"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table_markdown(table: Table) -> str:
    lines = [f"**{table.title}**", "", "| " + " | ".join(table.columns) + " |"]
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    lines += [f"\n{note}" for note in table.notes]
    return "\n".join(lines)


def render(
    sections: Sequence[Section],
    *,
    headline: Sequence[str],
    command: str,
    elapsed: float,
    extra_versions: Sequence[tuple[str, str]] = (),
    preface: str = "",
    load_at_start: tuple[float, float, float] | None = None,
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {now} in {elapsed:.0f} s. Every figure on this page was measured in "
        "that one run, ours and any peers' alike, on the same machine, spec and load generator; "
        "ratios compare figures of the same run.",
        "",
    ]
    if preface:
        out += [preface, ""]
    if headline:
        out += ["## Headline", "", *[f"- {line}" for line in headline], ""]
    for section in sections:
        out += [f"## {section.title}", ""]
        for note in section.notes:
            out += [note, ""]
        for table in section.tables:
            out += [table_markdown(table), ""]
        if section.commands:
            out += ["Commands:", "", "```bash", *section.commands, "```", ""]
    out += [
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {_cell(v)} |" for k, v in machine(load_at_start)],
        "",
    ]
    out += ["## Versions", "", "| | |", "|---|---|"]
    out += [f"| {k} | {_cell(v)} |" for k, v in versions(extra_versions)]
    return "\n".join(out) + "\n"


def write(path: Path, text: str, sections: Sequence[Section]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    figures = {section.name: section.figures for section in sections}
    path.with_name(path.stem.lower() + ".json").write_text(
        json.dumps(figures, indent=2, sort_keys=True) + "\n"
    )
