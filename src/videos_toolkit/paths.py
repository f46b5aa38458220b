"""Where the project's files are: everything is found relative to the repository root."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def spec_path(root: Path = ROOT) -> Path:
    return root / "openapi.yaml"


def overlay_paths(root: Path = ROOT) -> list[Path]:
    """The overlays, in file-name order: ``*.yaml`` and ``*.yml`` alike (a silently ignored
    overlay is how a variant rots)."""
    folder = root / "overlays"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")], key=lambda p: p.name)
