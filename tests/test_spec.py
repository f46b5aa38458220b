"""The effective spec refuses what would go wrong later, with one line naming where and why:
x-enum-varnames that no longer match their enum, and $refs that point to nothing."""

import shutil
from pathlib import Path

import pytest
import yaml

import videos_toolkit.spec as spec_module
from videos_toolkit.mock import cli as mock_cli
from videos_toolkit.paths import ROOT, overlay_paths
from videos_toolkit.spec import SpecError, build_effective_spec, effective_spec, undefined_required
from videos_toolkit.yaml_loader import load_yaml

HEADER = "overlay: 1.0.0\ninfo: {title: t, version: 1.0.0}\nactions:\n"
# Sizes of this checkout's contract: a user's own overlay may have added some.
SIZES = len(effective_spec()["components"]["schemas"]["VideoSize"]["enum"])
ONE_NAME_SHORT = f"#/components/schemas/VideoSize has {SIZES + 1} enum values but {SIZES} x-enum-varnames"
NEW_SIZE = HEADER + "  - target: $.components.schemas.VideoSize\n    update: {enum: ['1080x1920']}\n"
DANGLING = (
    HEADER + "  - target: $.components.schemas.Video.properties\n"
    "    update: {quality: {$ref: '#/components/schemas/Nope'}}\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(ROOT / "openapi.yaml", root / "openapi.yaml")
    shutil.copytree(ROOT / "overlays", root / "overlays")
    return root


def refused(project: Path, overlay: str, name: str = "20-mine.yaml") -> str:
    (project / "overlays" / name).write_text(overlay)
    with pytest.raises(SpecError) as error:
        build_effective_spec(project)
    message = str(error.value)
    assert "\n" not in message and len(message) < 800, message  # one line, never the whole spec
    return message


def test_a_new_enum_value_without_its_varname_is_refused(project):
    message = refused(project, NEW_SIZE)
    assert message.startswith("overlays/20-mine.yaml: action 0 (target '$.components.schemas.VideoSize')")
    assert (
        f"#/components/schemas/VideoSize has {SIZES + 1} enum values but {SIZES} x-enum-varnames" in message
    )
    assert "add a name to x-enum-varnames for each new enum value" in message


def test_a_new_enum_value_with_its_varname_is_accepted(project):
    (project / "overlays" / "20-mine.yaml").write_text(
        NEW_SIZE.replace("{enum: ['1080x1920']}", "{enum: ['1080x1920'], x-enum-varnames: [SIZE_1080X1920]}")
    )
    assert build_effective_spec(project)["components"]["schemas"]["VideoSize"]["enum"][-1] == "1080x1920"


def test_more_varnames_than_values_is_refused_too(project):
    message = refused(
        project, HEADER + "  - target: $.components.schemas.VideoSize.enum[0]\n    remove: true\n"
    )
    assert f"has {SIZES - 1} enum values but {SIZES} x-enum-varnames" in message
    assert "remove from x-enum-varnames" in message


def test_a_value_added_twice_is_refused_not_left_to_a_generator_traceback(project):
    # The README's own overlay applied twice: openapi-python-client would stop with a traceback.
    twice = NEW_SIZE.replace(
        "{enum: ['1080x1920']}", "{enum: ['1080x1920'], x-enum-varnames: [SIZE_1080X1920]}"
    )
    (project / "overlays" / "20-mine.yaml").write_text(twice)
    message = refused(project, twice, name="30-again.yaml")
    assert message.startswith("overlays/30-again.yaml: action 0 (target '$.components.schemas.VideoSize')")
    assert "#/components/schemas/VideoSize lists the enum value '1080x1920' twice" in message


def test_one_name_given_to_two_values_is_refused(project):
    message = refused(
        project,
        NEW_SIZE.replace("{enum: ['1080x1920']}", "{enum: ['1080x1920'], x-enum-varnames: [SIZE_720X1280]}"),
    )
    assert "#/components/schemas/VideoSize has the x-enum-varnames name 'SIZE_720X1280' twice" in message


def test_an_invalid_schema_names_where_it_is_and_the_overlay_action_that_put_it_there(project):
    # The validator itself only says "properties/fps/type", relative to a schema it does not name.
    message = refused(
        project,
        HEADER + "  - target: $.components.schemas.Video.properties\n    update: {fps: {type: integr}}\n",
    )
    assert message.startswith(
        "overlays/20-mine.yaml: action 0 (target '$.components.schemas.Video.properties')"
    )
    assert "#/components/schemas/Video/properties/fps/type is not valid OpenAPI 3.1" in message


def test_an_example_its_schema_forbids_is_refused_naming_it(project):
    # The mock answers with examples: one typed wrong (YAML reads 0000 as a number) would be served.
    message = refused(
        project,
        HEADER + "  - target: $.components.schemas.Video\n"
        "    update: {properties: {checksum: {type: string}}}\n"
        "  - target: $.components.examples.CompletedVideo.value\n"
        "    update: {checksum: 0000}\n",
    )
    assert message.startswith("overlays/20-mine.yaml: action 1 (target "), message
    assert "/examples/completed does not match its schema at /checksum: 0 is not of type 'string'" in message


def test_an_example_without_a_field_made_required_since_is_accepted(project):
    # The mock fills such a field in: a contract change need not edit every example.
    (project / "overlays" / "20-mine.yaml").write_text(
        HEADER + "  - target: $.components.schemas.Video\n"
        "    update: {required: [fps], properties: {fps: {type: integer}}}\n"
    )
    assert "fps" in build_effective_spec(project)["components"]["schemas"]["Video"]["required"]


MISMATCHED = "{type: string, enum: [a, b], x-enum-varnames: [A]}"


@pytest.mark.parametrize(
    ("actions", "pointer"),
    [
        (  # a parameter's inline schema
            "  - target: $.paths['/videos'].get.parameters[1].schema\n"
            "    update: {enum: [20, 50], x-enum-varnames: [TWENTY]}\n",
            "#/paths/~1videos/get/parameters/1/schema",
        ),
        (  # a request body's inline schema
            "  - target: $.paths['/videos'].post.requestBody.content['multipart/form-data'].schema\n"
            "    remove: true\n"
            "  - target: $.paths['/videos'].post.requestBody.content['multipart/form-data']\n"
            f"    update: {{schema: {MISMATCHED}}}\n",
            "#/paths/~1videos/post/requestBody/content/multipart~1form-data/schema",
        ),
        (  # a response's inline schema
            "  - target: $.paths['/videos/{video_id}/content'].get.responses['200']"
            ".content['video/mp4'].schema\n"
            "    update: {enum: [a, b], x-enum-varnames: [A]}\n",
            "#/paths/~1videos~1{video_id}~1content/get/responses/200/content/video~1mp4/schema",
        ),
        (  # a schema nested in a component's property
            f"  - target: $.components.schemas.Video.properties\n    update: {{tone: {MISMATCHED}}}\n",
            "#/components/schemas/Video/properties/tone",
        ),
    ],
)
def test_inline_schemas_are_checked_wherever_they_are(project, actions, pointer):
    message = refused(project, HEADER + actions)
    assert f"{pointer} has 2 enum values but 1 x-enum-varnames" in message, message


def test_a_dangling_ref_names_the_reference_the_place_and_the_action(project):
    message = refused(project, DANGLING)
    assert message.startswith(
        "overlays/20-mine.yaml: action 0 (target '$.components.schemas.Video.properties')"
    )
    assert "$ref '#/components/schemas/Nope' at #/components/schemas/Video/properties/quality" in message
    assert "points to nothing" in message


def test_removing_a_schema_still_referenced_names_the_removal(project):
    message = refused(project, HEADER + "  - target: $.components.schemas.VideoSize\n    remove: true\n")
    assert message.startswith("overlays/20-mine.yaml: action 0 (target '$.components.schemas.VideoSize')")
    assert "$ref '#/components/schemas/VideoSize' at #/components/schemas/" in message
    assert "more unresolvable $refs" in message


def test_a_ref_fixed_by_a_later_action_is_fine(project):
    (project / "overlays" / "20-mine.yaml").write_text(
        DANGLING + "  - target: $.components.schemas\n    update: {Nope: {type: string}}\n"
    )
    assert "Nope" in build_effective_spec(project)["components"]["schemas"]


def test_the_action_that_leaves_a_ref_dangling_is_named_not_the_first_overlay(project):
    (project / "overlays" / "20-adds.yaml").write_text(
        HEADER + "  - target: $.components.schemas\n    update: {Nope: {type: string}}\n"
        "  - target: $.components.schemas.Video.properties\n"
        "    update: {quality: {$ref: '#/components/schemas/Nope'}}\n"
    )
    message = refused(
        project, HEADER + "  - target: $.components.schemas.Nope\n    remove: true\n", "30-removes.yaml"
    )
    assert message.startswith("overlays/30-removes.yaml: action 0 (target '$.components.schemas.Nope')")


def test_a_ref_like_key_inside_an_example_is_data_not_a_reference(project):
    (project / "overlays" / "20-mine.yaml").write_text(
        HEADER + "  - target: $.components.schemas.Video\n"
        "    update: {examples: [{$ref: '#/nowhere'}], x-note: {$ref: '#/nowhere'}}\n"
    )
    build_effective_spec(project)


@pytest.mark.parametrize(
    ("overlay", "complaint"),
    [
        (NEW_SIZE, ONE_NAME_SHORT),
        (DANGLING, "$ref '#/components/schemas/Nope' at #/components/schemas/Video/properties/quality"),
    ],
)
def test_the_mock_cli_gives_the_same_one_line_error(project, monkeypatch, capsys, overlay, complaint):
    extra = project / "overlays" / "20-mine.yaml"
    extra.write_text(overlay)
    monkeypatch.setattr(spec_module, "overlay_paths", lambda root=ROOT: [*overlay_paths(ROOT), extra])
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)  # never serve, even if it got that far
    spec_module.effective_spec.cache_clear()
    try:
        assert mock_cli.main(["--port", "9"]) == 2
    finally:
        spec_module.effective_spec.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("scripts/mock: overlays/20-mine.yaml: action 0") and err.count("\n") == 1, err
    assert complaint in err


def test_the_conformance_cli_gives_a_one_line_error_too(project, monkeypatch, capsys):
    from videos_toolkit.conformance import cli as conformance_cli

    extra = project / "overlays" / "20-mine.yaml"
    extra.write_text(DANGLING)
    monkeypatch.setattr(spec_module, "overlay_paths", lambda root=ROOT: [*overlay_paths(ROOT), extra])
    spec_module.effective_spec.cache_clear()
    try:
        assert conformance_cli.main(["--only", "client"]) == 2  # in-process: the embedded mock needs the spec
    finally:
        spec_module.effective_spec.cache_clear()
    err = capsys.readouterr().err
    assert "overlays/20-mine.yaml: action 0" in err and "Traceback" not in err, err


@pytest.mark.parametrize("path", [ROOT / "openapi.yaml", *overlay_paths(ROOT)], ids=lambda p: p.name)
def test_the_fast_yaml_loader_reads_the_contract_as_pure_python_pyyaml_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_a_malformed_contract_is_one_line_naming_the_file(project: Path) -> None:
    (project / "openapi.yaml").write_text("openapi: 3.1.0\ninfo: title: Videos\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        build_effective_spec(project)
    where = "openapi.yaml: cannot read the contract: line 2, column 12"
    assert str(raised.value).endswith(f"{where}: mapping values are not allowed in this context")


def test_a_key_given_twice_in_the_contract_is_refused_naming_its_line(project: Path) -> None:
    # PyYAML keeps the last one: a second `properties:` under a schema dropped the first's fields.
    text = (project / "openapi.yaml").read_text(encoding="utf-8")
    (project / "openapi.yaml").write_text(text.replace("\ninfo:\n", "\ninfo:\n  title: Twice\n", 1))
    with pytest.raises(SpecError) as raised:
        build_effective_spec(project)
    assert "openapi.yaml: cannot read the contract: line " in str(raised.value)
    assert "the key 'title' is given twice (the second would silently win)" in str(raised.value)


def test_a_required_name_the_schema_does_not_define_is_refused_naming_the_overlay(project: Path) -> None:
    # A typo: the generator dropped it silently, and the mock sent "fpz": null in every video.
    (project / "overlays" / "20-fps.yaml").write_text(
        HEADER + "  - target: $.components.schemas.Video\n"
        "    update: {properties: {fps: {type: integer}}, required: [fpz]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        build_effective_spec(project)
    assert str(raised.value).startswith("overlays/20-fps.yaml: action 0"), raised.value
    assert "#/components/schemas/Video requires 'fpz', which its properties do not define" in str(
        raised.value
    )


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"allOf": [{"properties": {"url": {}}}]},
        {"if": {"properties": {"kind": {"const": "a"}}}, "then": {"properties": {"url": {}}}},
        {"dependentSchemas": {"kind": {"properties": {"url": {}}}}},
        {"unevaluatedProperties": {"type": "string"}},
        {"additionalProperties": {"type": "string"}},
    ],
    ids=["allOf", "if-then", "dependentSchemas", "unevaluatedProperties", "additionalProperties"],
)
def test_a_required_name_another_keyword_may_define_is_not_refused(elsewhere: dict) -> None:
    schema = {"type": "object", "properties": {"kind": {}}, "required": ["kind", "url"]}
    assert undefined_required({"components": {"schemas": {"Thing": schema}}})  # alone, it is a typo
    assert undefined_required({"components": {"schemas": {"Thing": {**schema, **elsewhere}}}}) == {}


def test_merge_keys_may_override_what_they_merge_at_any_depth() -> None:
    # A mapping merged into another (<<) is built with the merged keys beside its own: the check
    # for repeated keys reads the document as written, where an override is legal.
    text = "defs:\n  inner:\n    b: &b\n      <<: {x: 1}\n      x: 2\nuse:\n  <<: *b\n"
    assert (
        load_yaml(text)["defs"]["inner"]["b"] == yaml.load(text, Loader=yaml.SafeLoader)["defs"]["inner"]["b"]
    )


def test_a_json_overlay_is_read_as_json_with_the_same_rule_for_repeated_keys(project: Path) -> None:
    header = '"overlay": "1.0.0", "info": {"title": "t", "version": "1"}'
    # an emoji, as json.dumps writes it: a surrogate pair, which YAML refuses
    action = '{"target": "$.info", "update": {"title": "Sora \\ud83c\\udfac"}}'
    (project / "overlays" / "30-emoji.json").write_text(
        f'{{{header}, "actions": [{action}]}}', encoding="utf-8"
    )
    assert build_effective_spec(project)["info"]["title"] == "Sora \U0001f3ac"
    (project / "overlays" / "30-emoji.json").write_text(
        f'{{{header}, "actions": [{action}], "actions": []}}', encoding="utf-8"
    )
    with pytest.raises(SpecError, match="the key 'actions' is given twice"):
        build_effective_spec(project)


def test_an_overlay_in_json_or_with_an_upper_case_suffix_is_applied_too(project: Path) -> None:
    (project / "overlays" / "20-title.YAML").write_text(
        HEADER + "  - target: $.info\n    update: {title: Upper}\n", encoding="utf-8"
    )
    (project / "overlays" / "30-version.json").write_text(
        '{"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, '
        '"actions": [{"target": "$.info", "update": {"version": "9.9.9"}}]}',
        encoding="utf-8",
    )
    assert [p.name for p in overlay_paths(project)][-2:] == ["20-title.YAML", "30-version.json"]
    info = build_effective_spec(project)["info"]
    assert (info["title"], info["version"]) == ("Upper", "9.9.9")


def test_a_yml_overlay_is_applied_like_a_yaml_one(project: Path) -> None:
    (project / "overlays" / "20-title.yml").write_text(
        HEADER + "  - target: $.info\n    update: {title: From a .yml overlay}\n", encoding="utf-8"
    )
    assert [p.name for p in overlay_paths(project)][-1] == "20-title.yml"
    assert build_effective_spec(project)["info"]["title"] == "From a .yml overlay"


def test_an_invalid_contract_is_one_short_line_not_the_whole_document(project: Path) -> None:
    # openapi-spec-validator's message for an unknown top-level key quotes the whole document.
    contract = project / "openapi.yaml"
    contract.write_text(contract.read_text(encoding="utf-8") + "foo: bar\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        build_effective_spec(project)
    message = str(raised.value)
    assert "\n" not in message and len(message) < 600, message[:1000]
    assert "is not valid OpenAPI 3.1" in message
