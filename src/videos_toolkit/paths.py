"""Where the project's files are: everything is found relative to the repository root. An
installed toolkit (``pip install path/to/checkout``, not editable) has no repository around it: it
finds the contract and overlays packaged with it, as they were when it was installed."""

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]
_PACKAGED = Path(__file__).resolve().parent / "contract"
ROOT = _CHECKOUT if (_CHECKOUT / "openapi.yaml").is_file() else _PACKAGED


def spec_path(root: Path = ROOT) -> Path:
    return root / "openapi.yaml"


OVERLAY_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


def overlay_paths(root: Path = ROOT) -> list[Path]:
    """The overlays, in file-name order: ``.yaml``, ``.yml`` and ``.json`` files alike, in any
    case (a silently ignored overlay is how a variant rots)."""
    folder = root / "overlays"
    found = folder.iterdir() if folder.is_dir() else iter(())
    return sorted(
        (p for p in found if p.is_file() and p.suffix.lower() in OVERLAY_SUFFIXES), key=lambda p: p.name
    )
