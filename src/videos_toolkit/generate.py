"""scripts/generate: effective spec -> openapi-python-client + templates/ -> ruff -> generated/.

After openapi-python-client runs, the hand-written layer in ``templates/extras/*.py`` is copied
into the generated package (before ruff), so the package users import is one tree.

The client is always generated into a temporary folder first, so that ``--check`` compares
whole trees (the generator's ``--overwrite`` only replaces some sub-folders) and a failed run
never leaves ``generated/`` half written.
"""

import argparse
import difflib
import filecmp
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from videos_toolkit.json_pointer import resolve
from videos_toolkit.paths import ROOT
from videos_toolkit.spec import SpecError, build_effective_spec, contract_digest
from videos_toolkit.yaml_loader import load_yaml

OUTPUT_DIR = "generated"
# In the generated package: the digest of the contract it was made from (see contract_digest).
CONTRACT_MODULE = "_contract.py"
CONFIG_FILE = "openapi-python-client.yaml"
TEMPLATES_DIR = "templates"
# Plain Python modules copied into the generated package: the hand-written client layer.
EXTRAS_DIR = "extras"
# Left in generated/ by installing it (pip install -e) or importing it; not generator output.
BUILD_LEFTOVERS = {".pdm-build", "__pycache__", ".pytest_cache", ".ruff_cache"}


class GenerationError(RuntimeError):
    """A generation step failed; the message carries the tool's own output."""


def _run(step: str, command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = f"{done.stdout}{done.stderr}"
        cause = _first_cause(output)
        lead = f": {cause} (the generator's whole output follows)" if cause else ""
        raise GenerationError(f"{step} failed (exit {done.returncode}){lead}:\n{output}")


# openapi-python-client reports a schema it cannot take as "Unable to parse schema <where>" then the
# reason; every warning after it (references to that schema that no longer resolve) follows from it.
_CAUSE = re.compile(
    r"Unable to parse schema (\S+)\s+Unable to parse this part of your OpenAPI document:[\s:]*(.+)"
)


def _first_cause(output: str) -> str | None:
    """The schema the generator could not take and why, from its output; None if it names none."""
    found = _CAUSE.search(output)
    return f"#{found.group(1)}: {found.group(2).strip()}" if found else None


def generate_into(out_dir: Path, root: Path = ROOT) -> None:
    """Generate the formatted client project into ``out_dir``, which must not exist yet."""
    spec = build_effective_spec(root)
    with tempfile.TemporaryDirectory(prefix="videos-spec-") as work:
        spec_file = Path(work) / "effective-openapi.json"
        spec_file.write_text(json.dumps(spec, indent=2, sort_keys=False), encoding="utf-8")
        config_file = Path(work) / "config.json"
        config_file.write_text(json.dumps(_config(spec, root)), encoding="utf-8")
        _run(
            "openapi-python-client",
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(spec_file),
                "--config",
                str(config_file),
                "--custom-template-path",
                str(root / TEMPLATES_DIR),
                "--meta",
                "pdm",
                "--output-path",
                str(out_dir),
                "--fail-on-warning",
            ],
            cwd=Path(work),
        )
    package = _package_name(root)
    _copy_extras(out_dir / package, root)
    (out_dir / package / CONTRACT_MODULE).write_text(
        '"""Written by scripts/generate: the effective contract this client was generated from."""\n\n'
        f'CONTRACT_SHA256 = "{contract_digest(spec)}"\n',
        encoding="utf-8",
    )
    # --no-cache: nothing is written outside the output folder.
    _run(
        "ruff check --fix", [sys.executable, "-m", "ruff", "check", "--no-cache", "--fix", "-q", "."], out_dir
    )
    _run("ruff format", [sys.executable, "-m", "ruff", "format", "--no-cache", "-q", "."], out_dir)
    _check_imports(out_dir, package)


def _config(spec: dict[str, Any], root: Path) -> dict[str, Any]:
    """The generator config, with every response media type the generator cannot read by itself
    (it reads JSON, text/* and application/octet-stream) read as bytes: a contract change that
    adds, say, an audio/mpeg download needs no config edit. The config file's own mappings win."""
    config = load_yaml((root / CONFIG_FILE).read_text(encoding="utf-8")) or {}
    overrides = dict(config.get("content_type_overrides") or {})
    for media_type in _response_media_types(spec):
        readable = media_type in ("application/json", "application/octet-stream")
        if not (readable or media_type.startswith("text/") or media_type.endswith("+json")):
            overrides.setdefault(media_type, "application/octet-stream")
    return {**config, "content_type_overrides": overrides} if overrides else config


def _response_media_types(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for item in spec.get("paths", {}).values():
        for operation in item.values() if isinstance(item, dict) else ():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for response in responses.values():
                response, _ = resolve(spec, response, "")
                for media_type in response.get("content", {}) if isinstance(response, dict) else ():
                    name = media_type.split(";", 1)[0].strip().lower()
                    if name not in found:
                        found.append(name)
    return found


def _package_name(root: Path) -> str:
    config = load_yaml((root / CONFIG_FILE).read_text(encoding="utf-8")) or {}
    return str(config.get("package_name_override", "videos_client"))


def _check_imports(out_dir: Path, package: str) -> None:
    """Import the generated package in a fresh interpreter. The hand-written ``templates/extras``
    name generated modules and functions; a contract change that renames or removes one would
    otherwise give a client that fails only when a user imports it."""
    done = subprocess.run(
        [sys.executable, "-B", "-c", f"import sys; sys.path.insert(0, '.'); import {package}"],
        cwd=out_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return
    lines = done.stderr.strip().splitlines()
    places = re.findall(r'File "([^"]+)", line (\d+)', done.stderr)
    ours = [(path, line) for path, line in places if Path(path).resolve().is_relative_to(out_dir.resolve())]
    where = f" at {Path(ours[-1][0]).resolve().relative_to(out_dir.resolve())}:{ours[-1][1]}" if ours else ""
    raise GenerationError(
        f"the generated client does not import: {lines[-1] if lines else 'exit ' + str(done.returncode)}"
        f"{where}. The hand-written {TEMPLATES_DIR}/{EXTRAS_DIR}/*.py use names the contract generates "
        "(models, operations): update them with the contract change."
    )


def _copy_extras(package: Path, root: Path) -> None:
    """Copy ``templates/extras/*.py`` into the generated package; never over a generated file."""
    for source in sorted((root / TEMPLATES_DIR / EXTRAS_DIR).glob("*.py")):
        target = package / source.name
        if target.exists():
            raise GenerationError(
                f"{TEMPLATES_DIR}/{EXTRAS_DIR}/{source.name} would replace a generated file: rename it"
            )
        shutil.copyfile(source, target)


def _files(folder: Path) -> set[Path]:
    return {
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not BUILD_LEFTOVERS & set(path.relative_to(folder).parts)
    }


def tree_diff(expected: Path, actual: Path) -> list[str]:
    """A unified diff of two folders, in path order; empty when they are identical."""
    lines: list[str] = []
    expected_files, actual_files = _files(expected), _files(actual)
    for rel in sorted(expected_files | actual_files):
        old, new = actual / rel, expected / rel
        if old.is_file() and new.is_file() and filecmp.cmp(old, new, shallow=False):
            continue
        old_text = old.read_text(encoding="utf-8", errors="replace").splitlines(True) if old.is_file() else []
        new_text = new.read_text(encoding="utf-8", errors="replace").splitlines(True) if new.is_file() else []
        label = f"{OUTPUT_DIR}/{rel}"
        if not old_text and not new_text:
            lines.append(f"binary or empty file differs: {label}\n")
            continue
        lines.extend(difflib.unified_diff(old_text, new_text, f"a/{label}", f"b/{label}"))
    return lines


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/generate",
        description="Apply overlays, validate the contract and regenerate the client into generated/.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 and print the diff when generated/ is stale",
    )
    args = parser.parse_args(argv)
    target = root / OUTPUT_DIR
    with tempfile.TemporaryDirectory(prefix="videos-client-") as tmp:
        fresh = Path(tmp) / "out"
        try:
            generate_into(fresh, root)
        except (SpecError, GenerationError) as exc:
            print(f"scripts/generate: {exc}", file=sys.stderr)
            return 2
        if args.check:
            diff = tree_diff(fresh, target)
            if diff:
                sys.stdout.writelines(diff)
                print(
                    f"\n{OUTPUT_DIR}/ is stale: run scripts/generate and commit the result.",
                    file=sys.stderr,
                )
                return 1
            print(f"{OUTPUT_DIR}/ is up to date.")
            return 0
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(fresh, target)
    print(f"Generated {OUTPUT_DIR}/videos_client from the effective spec.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
