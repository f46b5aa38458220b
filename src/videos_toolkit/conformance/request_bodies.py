"""The fields a request body must carry that the properties may not set themselves.

The properties send the fields they are about (a prompt, seconds, a size, a model, a source
video). A contract change may make another field required, a new ``quality`` on create, or one
that was optional, ``size``; a server that follows the contract then refuses every body without
it. So each POST gets every required field but the prompt and the source video (which the checks
always send), with a value taken from the contract (its example, default or first enum value, else
the smallest value its schema allows); a value a check sets itself wins.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from videos_toolkit.json_pointer import resolve
from videos_toolkit.schema_values import sample

CHECKED = frozenset({"prompt", "video"})  # fields every check sets itself, each its own way
FORMS = {"application/json": "json", "multipart/form-data": "multipart"}


@dataclass(frozen=True)
class RequiredFields:
    # (path pattern, form) -> {field: value}; only bodies that need something are kept
    fields: dict[tuple[re.Pattern[str], str], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> "RequiredFields":
        found: dict[tuple[re.Pattern[str], str], dict[str, Any]] = {}
        for path, item in spec.get("paths", {}).items():
            body, _ = resolve(spec, item.get("post", {}).get("requestBody", {}), "")
            pattern = re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path)) + "$")
            for media_type, media in body.get("content", {}).items():
                form = FORMS.get(media_type.split(";")[0].strip().lower())
                if form is None:
                    continue
                if extra := _unchecked_required(spec, media.get("schema", {})):
                    found[(pattern, form)] = extra
        return cls(found)

    def extra(self, path: str, form: str) -> dict[str, Any]:
        """The required fields to add to a ``form`` body POSTed to ``path`` (a concrete path)."""
        for (pattern, kind), values in self.fields.items():
            if kind == form and pattern.match(path):
                return values
        return {}


def _unchecked_required(spec: dict[str, Any], schema: Any) -> dict[str, Any]:
    schema, _ = resolve(spec, schema, "")
    if not isinstance(schema, dict):
        return {}
    extra: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        extra.update(_unchecked_required(spec, part))
    properties = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in CHECKED:
            extra[name] = sample(spec, properties.get(name, {}))
    return extra
