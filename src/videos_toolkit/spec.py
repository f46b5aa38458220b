"""The effective spec: openapi.yaml with every overlay applied, validated."""

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from videos_toolkit.overlay import OverlayError, apply_overlays
from videos_toolkit.paths import ROOT, overlay_paths, spec_path


class SpecError(ValueError):
    """The contract, or the contract with its overlays, is not a valid OpenAPI document."""


def build_effective_spec(root: Path = ROOT) -> dict[str, Any]:
    """Load openapi.yaml, apply overlays/*.yaml in name order and validate the result."""
    path = spec_path(root)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read the contract: {exc}") from exc
    try:
        effective = apply_overlays(document, overlay_paths(root))
    except OverlayError as exc:
        raise SpecError(f"overlays/{exc}") from exc
    try:
        validate(effective)
    except OpenAPIValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "<root>"
        raise SpecError(f"{path} with overlays is not valid OpenAPI 3.1 at {where}: {exc.message}") from exc
    return effective


@cache
def effective_spec() -> dict[str, Any]:
    """The effective spec of this checkout, built once per process. Treat it as read-only."""
    return build_effective_spec()
