"""The effective spec as the fuzzer must see it, derived mechanically (never restated by hand).

schemathesis reads the contract well except in two places, so the fuzzer gets a view of it:

1. Multipart bracket fields. The contract describes extend's and edit's ``video`` as "a file part
   or a ``{id}`` object" with ``encoding: {style: deepObject}``, which on the wire is a file part
   ``video`` or a text field ``video[id]``. schemathesis ignores that encoding and sends the object
   as one JSON text part, a form the contract does not allow, and does not keep the two forms
   apart. So in the view a multipart body carries the file form only (the ``{id}`` form is fuzzed
   through the JSON body, and sent as ``video[id]`` by the property checks and the client round
   trip); optional deepObject properties (create's ``input_reference``) are left out of it.
2. Served models. ``model`` is open in the contract (any string), but a server only runs the models
   it serves, and rejecting an unknown name is allowed. Generated *valid* requests therefore use the
   known names (``KnownVideoModel``); the enum properties test unknown names separately.
"""

import copy
from typing import Any

from videos_toolkit.json_pointer import resolve

OPEN_MODEL = "#/components/schemas/VideoModel"
KNOWN_MODEL = "#/components/schemas/KnownVideoModel"


def fuzzing_view(spec: dict[str, Any]) -> dict[str, Any]:
    view = copy.deepcopy(spec)
    for item in view["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for media_type, media in operation["requestBody"]["content"].items():
                schema, _ = resolve(view, media["schema"], "")
                schema = _served_models_only(copy.deepcopy(schema))
                if media_type == "multipart/form-data":
                    schema = _bracket_fields(view, schema, media.pop("encoding", {}) or {})
                media["schema"] = schema
    _no_idempotency_key_examples(view)
    return view


def _no_idempotency_key_examples(view: dict[str, Any]) -> None:
    """Cases built from the contract's example would all send its one ``Idempotency-Key``: each
    creating request after the first is then a replay or a 409 and never reaches validation or the
    handler. Without the example the key is generated, and made unique per case (fuzzing.py)."""
    parameters = list(view.get("components", {}).get("parameters", {}).values())
    for item in view["paths"].values():
        for operation in item.values() if isinstance(item, dict) else ():
            if isinstance(operation, dict):
                parameters += operation.get("parameters", [])
    for parameter in parameters:
        if isinstance(parameter, dict) and str(parameter.get("name", "")).lower() == "idempotency-key":
            parameter.pop("example", None)
            parameter.pop("examples", None)


def _served_models_only(schema: dict[str, Any]) -> dict[str, Any]:
    model = schema.get("properties", {}).get("model")
    if isinstance(model, dict) and model.get("$ref") == OPEN_MODEL:
        schema["properties"]["model"] = {**model, "$ref": KNOWN_MODEL}
    return schema


def _bracket_fields(spec: dict[str, Any], schema: dict[str, Any], encoding: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    for name, rule in encoding.items():
        if rule.get("style") != "deepObject" or name not in properties:
            continue
        branches = [resolve(spec, b, "")[0] for b in properties.pop(name).get("oneOf", [])]
        files = [b for b in branches if b.get("type") != "object"]
        if name in required and files:
            properties[name] = files[0]
        elif name in required:
            raise ValueError(f"required multipart property {name!r} has no file form to fuzz")
    return schema
