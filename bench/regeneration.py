"""Section ``generate``: wall time of ``scripts/generate`` and ``scripts/generate --check`` vs a bare
``openapi-python-client generate`` on the same effective spec.

``--check`` only reads the checkout, so it runs as typed. ``scripts/generate`` rewrites
``generated/``, so the bench runs the same code (``videos_toolkit.generate.main``) on a copy of
the files generation reads and writes, never on the checkout; the cost of ``scripts/bootstrap``'s
up-to-date check, which the script adds in front, is timed on its own.
"""

import shutil
from pathlib import Path

from bench.common import PYTHON, ROOT, Section, Settings, Table, median, shell_join, timed_command, write_spec

PROJECT_INPUTS = ["openapi.yaml", "overlays", "templates", "openapi-python-client.yaml", "generated"]
GENERATE_IN_COPY = (
    "import sys, pathlib; from videos_toolkit.generate import main; "
    "sys.exit(main([], root=pathlib.Path(sys.argv[1])))"
)
IN_COPY = "scripts/generate (its code, on a copy of the project)"


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in PROJECT_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", ".pdm-build"))
        else:
            shutil.copy2(source, target / name)
    return target


def run(settings: Settings) -> Section:
    section = Section("generate", "Regeneration")
    repeats = 1 if settings.quick else 3
    spec = write_spec(settings.work / "effective-openapi.json")
    copy = copy_project(settings.work / "project-copy")
    bare_out = settings.work / "bare-client"
    client_bin = str(Path(PYTHON).with_name("openapi-python-client"))
    commands = {
        "scripts/generate --check": (["scripts/generate", "--check"], ROOT),
        "scripts/generate (its code, on a copy of the project)": (
            [PYTHON, "-c", GENERATE_IN_COPY, str(copy)],
            ROOT,
        ),
        "scripts/bootstrap (up-to-date check only)": (["scripts/bootstrap"], ROOT),
        "bare openapi-python-client generate": (
            [client_bin, "generate", "--path", str(spec), "--output-path", str(bare_out), "--overwrite"],
            settings.work,
        ),
    }
    table = Table(
        f"Wall time, median of {repeats} run(s)",
        ["command", "seconds", "vs bare openapi-python-client", "exit"],
    )
    times: dict[str, float] = {}
    codes: dict[str, int] = {}
    for name, (command, cwd) in commands.items():
        runs = []
        for _ in range(repeats):
            wall, code, output = timed_command(command, cwd=cwd, timeout=600)
            runs.append(wall)
            codes[name] = code
            if code != 0 and name != "scripts/generate --check":
                section.notes.append(f"`{name}` exited {code}: {output.strip().splitlines()[-1:]}")
        times[name] = median(runs)
        shown = shell_join(command).replace(str(settings.work), "$WORK")
        section.commands.append(shown)
    bare = times["bare openapi-python-client generate"]
    for name, seconds in times.items():
        table.add(name, f"{seconds:.2f}", f"{seconds / bare:.2f}x", codes[name])
        section.figures[name] = {"seconds": round(seconds, 3), "exit": codes[name]}
    if codes["scripts/generate --check"] == 1:
        table.notes.append("`--check` exited 1: `generated/` was stale in this checkout when the bench ran.")
    section.tables.append(table)
    section.notes.append(
        "Both of ours do what the bare run does (the same generator on the same effective spec) plus "
        "applying the overlays and validating the contract, the project's config and templates, "
        "copying the hand-written layer in, `ruff check --fix` and `ruff format` over the package, and "
        "(`--check`) a byte-for-byte tree comparison. The bare run uses the generator's defaults."
    )
    section.figures["_headline"] = [
        f"Regeneration: scripts/generate {times[IN_COPY]:.1f} s, "
        f"--check {times['scripts/generate --check']:.1f} s, bare openapi-python-client {bare:.1f} s"
    ]
    return section
