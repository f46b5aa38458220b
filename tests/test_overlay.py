"""The Overlay 1.0 applier: update merges, arrays append, remove, and errors that say where."""

import copy
from pathlib import Path

import pytest

from videos_toolkit.overlay import OverlayError, apply_overlay, apply_overlays


def overlay(*actions: dict) -> dict:
    return {"overlay": "1.0.0", "info": {"title": "test", "version": "1"}, "actions": list(actions)}


@pytest.fixture
def document() -> dict:
    return {
        "info": {"title": "Videos API", "version": "1.0.0"},
        "tags": [{"name": "videos"}],
        "components": {
            "schemas": {
                "VideoSeconds": {"type": "string", "enum": ["4", "8", "12"]},
                "VideoSize": {"type": "string", "enum": ["720x1280"], "x-internal": True},
                "Prompt": {"type": "string", "x-internal": True},
            }
        },
    }


def test_update_merges_recursively_and_replaces_scalars(document):
    result = apply_overlay(
        document,
        overlay({"target": "$.components.schemas.VideoSeconds", "update": {"description": "d", "type": "x"}}),
    )
    assert result["components"]["schemas"]["VideoSeconds"] == {
        "type": "x",
        "enum": ["4", "8", "12"],
        "description": "d",
    }


def test_arrays_inside_an_update_are_appended(document):
    result = apply_overlay(
        document, overlay({"target": "$.components.schemas.VideoSeconds", "update": {"enum": ["16", "20"]}})
    )
    assert result["components"]["schemas"]["VideoSeconds"]["enum"] == ["4", "8", "12", "16", "20"]


def test_an_array_target_gets_the_value_appended(document):
    result = apply_overlay(document, overlay({"target": "$.tags", "update": {"name": "extra"}}))
    assert result["tags"] == [{"name": "videos"}, {"name": "extra"}]


def test_remove_deletes_each_match(document):
    result = apply_overlay(
        document, overlay({"target": "$.components.schemas[?@['x-internal']]", "remove": True})
    )
    assert list(result["components"]["schemas"]) == ["VideoSeconds"]


def test_remove_several_array_items_keeps_the_others(document):
    result = apply_overlay(
        document, overlay({"target": "$.components.schemas.VideoSeconds.enum[0,2]", "remove": True})
    )
    assert result["components"]["schemas"]["VideoSeconds"]["enum"] == ["8"]


def test_several_matches_each_get_their_own_copy(document):
    result = apply_overlay(
        document, overlay({"target": "$.components.schemas.*", "update": {"x-hint": {"a": 1}}})
    )
    schemas = result["components"]["schemas"]
    assert all(schema["x-hint"] == {"a": 1} for schema in schemas.values())
    schemas["Prompt"]["x-hint"]["a"] = 2
    assert schemas["VideoSize"]["x-hint"] == {"a": 1}


def test_actions_apply_in_order(document):
    result = apply_overlay(
        document,
        overlay(
            {"target": "$.components.schemas.Prompt", "remove": True},
            {"target": "$.components.schemas", "update": {"Prompt": {"type": "integer"}}},
        ),
    )
    assert result["components"]["schemas"]["Prompt"] == {"type": "integer"}


def test_the_input_document_is_not_changed(document):
    before = copy.deepcopy(document)
    apply_overlay(
        document, overlay({"target": "$.components.schemas.VideoSeconds", "update": {"enum": ["16"]}})
    )
    assert document == before


def test_a_target_with_no_match_names_the_file_and_action(document):
    with pytest.raises(OverlayError) as error:
        apply_overlay(
            document,
            overlay(
                {"target": "$.info", "update": {"summary": "s"}},
                {"target": "$.components.schemas.VideoSecondz", "update": {"description": "d"}},
            ),
            source="20-hints.yaml",
        )
    message = str(error.value)
    assert message.startswith("20-hints.yaml: action 1")
    assert "VideoSecondz" in message and "matched no node" in message


def test_a_target_that_runs_into_a_ref_says_targets_do_not_follow_references():
    document = {
        "paths": {"/v": {"post": {"schema": {"$ref": "#/components/schemas/Body"}}}},
        "components": {"schemas": {"Body": {"properties": {"prompt": {"type": "string"}}}}},
    }
    through_ref = overlay({"target": "$.paths['/v'].post.schema.properties.prompt", "update": {"x": 1}})
    said = r"reaches \{'\$ref': '#/components/schemas/Body'\} before 'properties'"
    with pytest.raises(OverlayError, match=said):
        apply_overlay(document, through_ref)
    with pytest.raises(OverlayError, match=r"matched no node$"):  # no $ref on the way: no hint
        apply_overlay(document, overlay({"target": "$.paths['/w'].post", "update": {"x": 1}}))


def test_an_invalid_jsonpath_is_a_clear_error(document):
    with pytest.raises(OverlayError, match=r"^o.yaml: action 0 .*invalid JSONPath"):
        apply_overlay(document, overlay({"target": "$.components[", "update": {}}), source="o.yaml")


def test_updating_a_scalar_is_an_error(document):
    with pytest.raises(OverlayError, match=r"action 0 .*matched a str"):
        apply_overlay(document, overlay({"target": "$.info.title", "update": {"a": 1}}))


def test_removing_the_root_is_an_error(document):
    with pytest.raises(OverlayError, match="root"):
        apply_overlay(document, overlay({"target": "$", "remove": True}))


def test_extensions_are_allowed_anywhere_the_specification_allows_them(document):
    extended = {**overlay({"target": "$.info", "update": {"title": "x"}, "x-why": "a note"}), "x-owner": "me"}
    assert apply_overlay(document, extended)["info"]["title"] == "x"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"overlay": "2.0.0"}, "'overlay' must be a 1.0.x"),
        ({"info": {"title": "t"}}, "'info' must have"),
        ({"actions": []}, "'actions' must be a non-empty list"),
        ({"actions": [{"target": "$.info"}]}, "action 0: give exactly one of"),
        ({"actions": [{"target": "$.info", "update": {}, "remove": True}]}, "action 0: give exactly one of"),
        ({"actions": [{"update": {}}]}, "action 0: 'target'"),
        ({"actions": [{"target": "$.info", "remove": "yes"}]}, "action 0: 'remove'"),
        # A misspelt field is named, not read as an action without an update.
        ({"actions": [{"target": "$.info", "updat": {}}]}, "action 0: unknown field 'updat'"),
        ({"action": []}, "unknown field 'action' \\(an overlay has overlay, info, extends, actions"),
    ],
)
def test_malformed_overlay_documents_are_rejected(document, change, complaint):
    with pytest.raises(OverlayError, match=f"^bad.yaml: {complaint}"):
        apply_overlay(document, {**overlay({"target": "$.info", "update": {}}), **change}, source="bad.yaml")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


OVERLAY_YAML = """\
overlay: 1.0.0
info: {{title: t, version: "1"}}
actions:
  - target: $.info
    update: {{title: {title}}}
"""


def test_files_apply_in_file_name_order(tmp_path, document):
    late = write(tmp_path / "20-late.yaml", OVERLAY_YAML.format(title="late"))
    early = write(tmp_path / "10-early.yaml", OVERLAY_YAML.format(title="early"))
    assert apply_overlays(document, [late, early])["info"]["title"] == "late"


def test_unreadable_yaml_names_the_file(tmp_path, document):
    broken = write(tmp_path / "15-broken.yaml", "actions: [\n")
    with pytest.raises(OverlayError, match=r"^15-broken\.yaml: cannot read"):
        apply_overlays(document, [broken])
