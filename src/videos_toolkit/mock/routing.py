"""Request path -> operation, from the spec's path templates, compiled once.

Rules: the servers' base path (``/v1``) is optional; a literal segment wins over a templated one
at the same position (``/videos/characters/x`` is the character route, not a video id); a path
that matches no template is 404, and a known path with another method is 405 with ``Allow``.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from videos_toolkit.mock.errors import ApiError
from videos_toolkit.mock.operations import Operation, SpecIndex

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
# How many (method, path) matches the router remembers before it starts afresh.
MATCHES_KEPT = 4096
PATH_KEPT = 512  # characters: so the memo holds at most about 2 MB of paths


@dataclass(frozen=True)
class _Route:
    template: str
    segments: tuple[str | None, ...]  # a literal segment, or None for a {parameter}
    names: tuple[str, ...]  # parameter names, in the order of the None segments
    methods: dict[str, Operation]

    @property
    def literals(self) -> int:
        return sum(segment is not None for segment in self.segments)

    @property
    def specificity(self) -> tuple[int, ...]:
        # Sorting key: literal segments (0) before templated ones (1), position by position.
        return tuple(0 if segment is not None else 1 for segment in self.segments)


class Router:
    def __init__(self, index: SpecIndex) -> None:
        self._prefixes = index.base_paths
        by_length: dict[int, list[_Route]] = {}
        for template, methods in index.paths.items():
            parts = template.strip("/").split("/")
            segments = tuple(None if _TEMPLATE.fullmatch(part) else part for part in parts)
            names = tuple(m.group(1) for part in parts if (m := _TEMPLATE.fullmatch(part)))
            by_length.setdefault(len(parts), []).append(_Route(template, segments, names, methods))
        self._routes = {n: sorted(routes, key=lambda r: r.specificity) for n, routes in by_length.items()}
        # (method, path) -> what it matched: a poller asks for the same path until its job is done.
        # Only matches are kept (404 and 405 are computed each time), and the memo starts afresh
        # when full, so a client cycling through ids cannot grow it.
        self._matched: dict[tuple[str, str], tuple[Operation, tuple[tuple[str, str], ...]]] = {}

    def match(self, raw_path: str, method: str) -> tuple[Operation, dict[str, str]]:
        """The operation and its decoded path parameters; raises ApiError 404/405."""
        if (hit := self._matched.get((method, raw_path))) is not None:
            return hit[0], dict(hit[1])
        operation, params = self._match(raw_path, method)
        if len(raw_path) <= PATH_KEPT:  # ids are short: a huge path is matched, never kept
            if len(self._matched) >= MATCHES_KEPT:
                self._matched.clear()
            self._matched[method, raw_path] = (operation, tuple(params.items()))
        return operation, params

    def _match(self, raw_path: str, method: str) -> tuple[Operation, dict[str, str]]:
        path = raw_path
        for prefix in self._prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                path = path[len(prefix) :]
                break
        # Split before percent-decoding so an encoded "/" stays inside its segment.
        parts = path.strip("/").split("/") if path.strip("/") else []
        if path.endswith("/") and path != "/":
            parts = []  # a trailing slash names no resource of this API
        wrong_method: _Route | None = None
        for route in self._routes.get(len(parts), ()):
            values = []
            for segment, part in zip(route.segments, parts, strict=True):
                if segment is None:
                    if not part:
                        break
                    values.append(unquote(part))
                elif segment != part:
                    break
            else:
                operation = route.methods.get(method)
                if wrong_method is not None and route.literals < wrong_method.literals:
                    break  # a more literal route owns this path: the method is wrong there
                if operation is not None:
                    return operation, dict(zip(route.names, values, strict=True))
                # An id may spell a literal: "POST /videos/characters/remix" remixes a video whose
                # id is "characters", because an equally literal route takes POST there.
                wrong_method = wrong_method or route
        if wrong_method is not None:
            allowed = ", ".join(sorted(wrong_method.methods))
            raise ApiError(
                405,
                f"Method {method} is not allowed on {wrong_method.template}. Allowed: {allowed}.",
                code="method_not_allowed",
                headers={"allow": allowed},
            )
        raise ApiError(
            404, f"Unknown path {raw_path!r}: no operation of this API is there.", code="not_found"
        )
