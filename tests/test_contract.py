"""The contract against its source document (tests/data/seed_extend.md) and OpenAPI itself.

These pin ``openapi.yaml`` as this project ships it, without overlays: a user's overlay (a variant)
changes the effective spec, not the contract's faithfulness to its source."""

import functools
import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from videos_toolkit.paths import spec_path
from videos_toolkit.spec import effective_spec
from videos_toolkit.yaml_loader import load_yaml

SEED = Path(__file__).parent / "data" / "seed_extend.md"


@functools.cache
def contract() -> dict:
    return load_yaml(spec_path().read_text(encoding="utf-8"))


# The seed is a numbered listing: "19 - `"4"`". Field headers look like "- `name: Type`".
FIELD = re.compile(r"^\d+\s*- `(\w+): (.+)`$")
LITERAL = re.compile(r'^\d+\s*- `"([^"]+)"`$')
HEADING = re.compile(r"^\d+\s*#+ (.+)$")


def seed_fields() -> dict[str, dict[str, dict]]:
    """{section: {field: {"type": str, "literals": [..]}}} for the Parameters and Returns sections."""
    sections: dict[str, dict[str, dict]] = {}
    section = field = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if heading := HEADING.match(line):
            section, field = heading.group(1), None
            sections.setdefault(section, {})
        elif (match := FIELD.match(line)) and section:
            field = match.group(1)
            sections[section][field] = {"type": match.group(2), "literals": []}
        elif (match := LITERAL.match(line)) and field:
            sections[section][field]["literals"].append(match.group(1))
    return sections


@pytest.fixture(scope="module")
def seed() -> dict[str, dict[str, dict]]:
    return seed_fields()


@pytest.fixture(scope="module")
def schemas() -> dict:
    return contract()["components"]["schemas"]


def test_the_contract_and_the_effective_spec_are_valid_openapi_3_1():
    raw = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    assert raw["openapi"] == "3.1.0"
    validate(raw)
    validate(effective_spec())


def test_seed_parser_reads_the_sections(seed):
    # Guards the parser itself: if the seed's format drifts, the enum tests must not pass vacuously.
    assert set(seed["Parameters"]) == {"prompt", "seconds", "video", "id"}
    assert len(seed["Returns"]) >= 13


def test_create_seconds_follow_the_seed_type(seed, schemas):
    assert seed["Parameters"]["seconds"]["type"] == "VideoSeconds"
    assert schemas["VideoSeconds"]["enum"] == seed["Parameters"]["seconds"]["literals"] == ["4", "8", "12"]


def test_extension_seconds_follow_the_seed_prose(schemas):
    prose = re.search(r"extension segment in seconds \(allowed values: ([\d, ]+)\)", SEED.read_text())
    assert prose, "the seed's prose on extension seconds moved"
    allowed = [value.strip() for value in prose.group(1).split(",")]
    assert schemas["VideoExtensionSeconds"]["enum"] == allowed == ["4", "8", "12", "16", "20"]
    # Both descriptions state the seed's inconsistency and the choice made.
    assert "inconsistent" in schemas["VideoExtensionSeconds"]["description"]
    extend = contract()["paths"]["/videos/extensions"]["post"]["requestBody"]["content"]
    for media in extend.values():
        seconds = schemas[media["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["seconds"]
        assert seconds == {"$ref": "#/components/schemas/VideoExtensionSeconds"}


def test_closed_enums_equal_the_seed(seed, schemas):
    returns = seed["Returns"]
    assert schemas["VideoSize"]["enum"] == returns["size"]["literals"]
    assert schemas["VideoStatus"]["enum"] == returns["status"]["literals"]
    assert [schemas["Video"]["properties"]["object"]["const"]] == returns["object"]["literals"] == ["video"]


def test_model_is_open_and_lists_the_seed_names(seed, schemas):
    assert schemas["KnownVideoModel"]["enum"] == seed["Returns"]["model"]["literals"]
    assert len(schemas["KnownVideoModel"]["enum"]) == 5
    assert {"type": "string"} in schemas["VideoModel"]["anyOf"]


def test_video_fields_required_and_nullable_as_the_seed(seed, schemas):
    video = schemas["Video"]
    fields = {name: spec for name, spec in seed["Returns"].items() if name not in {"code", "message"}}
    assert set(video["properties"]) == set(fields)
    for name, spec in fields.items():
        optional = spec["type"].startswith("Optional[")
        assert (name not in video["required"]) == optional, name
        prop = video["properties"][name]
        nullable = "null" in prop.get("type", []) or {"type": "null"} in prop.get("anyOf", [])
        assert nullable == optional, name
    error = schemas["VideoCreateError"]
    assert set(error["required"]) == {"code", "message"}


def test_every_operation_of_the_sdk_resource_is_described():
    operations = {
        (method.upper(), path): op["operationId"]
        for path, item in contract()["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "delete"}
    }
    assert operations == {
        ("POST", "/videos"): "createVideo",
        ("GET", "/videos"): "listVideos",
        ("GET", "/videos/{video_id}"): "retrieveVideo",
        ("DELETE", "/videos/{video_id}"): "deleteVideo",
        ("GET", "/videos/{video_id}/content"): "downloadVideoContent",
        ("POST", "/videos/{video_id}/remix"): "remixVideo",
        ("POST", "/videos/edits"): "editVideo",
        ("POST", "/videos/extensions"): "extendVideo",
        ("POST", "/videos/characters"): "createVideoCharacter",
        ("GET", "/videos/characters/{character_id}"): "getVideoCharacter",
    }


def _operations():
    for path, item in contract()["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "delete"}:
                yield f"{method.upper()} {path}", op


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        kind = node["$ref"].split("/")[2]
        node = contract()["components"][kind][name]
    return node


def test_every_error_response_uses_the_envelope_and_every_body_has_examples():
    for name, op in _operations():
        for status, response in op["responses"].items():
            response = _resolve(response)
            for media_type, media in response.get("content", {}).items():
                if int(status) >= 400:
                    assert media["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}, (name, status)
                if media_type == "application/json":
                    assert media.get("examples"), (name, status, media_type)
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            if name != "POST /videos/characters":  # a file upload has no meaningful example
                assert media.get("examples"), (name, media_type)
        assert {"400", "401", "429", "500"} <= set(op["responses"]), name


def test_operations_returning_a_video_link_to_every_operation_taking_its_id():
    wanted = {
        "retrieveVideo",
        "deleteVideo",
        "downloadVideoContent",
        "remixVideo",
        "editVideo",
        "extendVideo",
    }
    returning_video = []
    for name, op in _operations():
        ok = _resolve(op["responses"]["200"])
        if (
            ok.get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("$ref", "")
            .endswith("/Video")
        ):
            returning_video.append(name)
            linked = {_resolve(link)["operationId"] for link in ok.get("links", {}).values()}
            assert linked == wanted, name
    assert len(returning_video) == 5  # create, retrieve, remix, edit, extend


def test_extend_accepts_a_file_or_a_reference_as_multipart_and_a_reference_as_json(schemas):
    content = contract()["paths"]["/videos/extensions"]["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json"}
    multipart = schemas["ExtendVideoMultipartBody"]
    assert multipart["required"] == ["prompt", "seconds", "video"]
    assert {
        _resolve(s).get("format") or _resolve(s)["title"] for s in multipart["properties"]["video"]["oneOf"]
    } == {
        "binary",
        "VideoReference",
    }
    assert content["multipart/form-data"]["encoding"]["video"]["style"] == "deepObject"
    assert schemas["ExtendVideoJsonBody"]["properties"]["video"] == {
        "$ref": "#/components/schemas/VideoReference"
    }


def test_retrieve_documents_the_poll_header():
    ok = contract()["paths"]["/videos/{video_id}"]["get"]["responses"]["200"]
    assert "openai-poll-after-ms" in ok["headers"]
