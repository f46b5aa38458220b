"""Stateless mode: every valid request gets a schema-valid answer built from the spec's examples,
whatever the ids (as Prism and Steady do); invalid requests are still rejected. The openai SDK,
set up the way its own generated test suite sets itself up against such a mock, works unchanged."""

import io
import itertools
import warnings

import openai
import pytest
from mutagen.mp4 import MP4
from openai.types import Video
from PIL import Image

from tests.client_support import Scripts, mock_app, sync_client
from videos_toolkit.mock.operations import resolve
from videos_toolkit.spec import effective_spec

LIVE_MOCK_CONFIG = {"stateless": True}
ANY_ID = "video_123"
UPLOAD = ("clip.mp4", b"Example data", "application/octet-stream")  # not an MP4: nothing reads it


def documented_examples(path: str, method: str) -> list:
    """The example values of an operation's 200 JSON answer, read from the spec here (not via the mock)."""
    spec = effective_spec()
    response, _ = resolve(spec, spec["paths"][path][method]["responses"]["200"], "")
    media = response["content"]["application/json"]
    return [resolve(spec, item, "")[0]["value"] for item in media.get("examples", {}).values()]


def form(**fields):
    return {name: (None, value) for name, value in fields.items()}


EXT, EDIT = "/videos/extensions", "/videos/edits"
VALID_REQUESTS = [
    # (method, path template in the spec, request path, request kwargs)
    ("post", "/videos", "/videos", {"files": form(prompt="x")}),
    (
        "post",
        "/videos",
        "/videos",
        {"files": form(prompt="x", model="string", seconds="12", size="1792x1024")},
    ),
    (
        "post",
        "/videos",
        "/videos",
        {"json": {"prompt": "x", "input_reference": {"image_url": "https://e.x/a"}}},
    ),
    ("post", "/videos", "/videos", {"files": {"prompt": (None, "x"), "input_reference": ("r.png", b"i")}}),
    ("get", "/videos", "/videos", {}),
    ("get", "/videos", "/videos", {"params": {"after": "after", "limit": 1, "order": "asc"}}),
    ("get", "/videos/{video_id}", f"/videos/{ANY_ID}", {}),
    ("get", "/videos/{video_id}", "/videos/anything-at-all", {}),
    ("delete", "/videos/{video_id}", f"/videos/{ANY_ID}", {}),
    ("post", "/videos/{video_id}/remix", f"/videos/{ANY_ID}/remix", {"json": {"prompt": "x"}}),
    ("post", EDIT, EDIT, {"json": {"prompt": "x", "video": {"id": ANY_ID}}}),
    ("post", EDIT, EDIT, {"files": {"prompt": (None, "x"), "video": UPLOAD}}),
    ("post", EXT, EXT, {"json": {"prompt": "x", "seconds": "4", "video": {"id": ANY_ID}}}),
    ("post", EXT, EXT, {"files": form(prompt="x", seconds="20", **{"video[id]": ANY_ID})}),
    ("post", EXT, EXT, {"files": {"prompt": (None, "x"), "seconds": (None, "4"), "video": UPLOAD}}),
    ("post", "/videos/characters", "/videos/characters", {"files": {"name": (None, "x"), "video": UPLOAD}}),
    ("get", "/videos/characters/{character_id}", "/videos/characters/char_123", {}),
]


@pytest.mark.parametrize(("method", "template", "path", "kwargs"), VALID_REQUESTS)
def test_every_valid_request_is_answered_with_a_documented_example(make_mock, method, template, path, kwargs):
    handle = make_mock(stateless=True)  # validate_responses is on: every answer is checked too
    response = handle.client.request(method.upper(), path, **kwargs)
    assert response.status_code == 200, response.text
    assert response.json() in documented_examples(template, method)


def test_answers_do_not_depend_on_state(make_mock):
    handle = make_mock(stateless=True)
    created = handle.client.post("/videos", files=form(prompt="x")).json()
    assert handle.client.delete(f"/videos/{created['id']}").status_code == 200
    # deleting changed nothing: the same id (and any other) is still there
    assert handle.client.get(f"/videos/{created['id']}").status_code == 200
    assert handle.client.delete(f"/videos/{created['id']}").status_code == 200
    assert handle.client.get("/videos", headers={"Authorization": "Bearer someone-else"}).json()["data"]


@pytest.mark.parametrize("variant", ["video", "thumbnail", "spritesheet", None])
def test_content_is_real_media_whatever_the_id(make_mock, variant):
    handle = make_mock(stateless=True)
    params = {"variant": variant} if variant else {}
    response = handle.client.get(f"/videos/{ANY_ID}/content", params=params)
    assert response.status_code == 200
    if variant in ("video", None):
        assert response.headers["content-type"] == "video/mp4"
        # shaped like the retrieve example
        (example, *_) = documented_examples("/videos/{video_id}", "get")
        assert MP4(io.BytesIO(response.content)).info.length == pytest.approx(int(example["seconds"]))
    else:
        image = Image.open(io.BytesIO(response.content))
        assert image.format == {"thumbnail": "WEBP", "spritesheet": "JPEG"}[variant]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "param"),
    [
        ("POST", "/videos", {"files": form(prompt="x", seconds="5")}, 400, "seconds"),
        ("POST", "/videos", {"files": form(prompt="x", size="640x480")}, 400, "size"),
        ("POST", "/videos", {"files": form(seconds="4")}, 400, "prompt"),
        ("POST", "/videos", {"json": {"prompt": "x", "extra": 1}}, 400, "extra"),
        ("POST", "/videos", {"content": b"x", "headers": {"content-type": "text/plain"}}, 415, None),
        ("POST", EXT, {"json": {"prompt": "x", "seconds": "24", "video": {"id": "v"}}}, 400, "seconds"),
        ("POST", EXT, {"files": form(prompt="x", seconds="4", video="text")}, 400, "video"),
        ("POST", EDIT, {"json": {"prompt": "x", "video": {}}}, 400, "video.id"),
        ("GET", "/videos", {"params": {"limit": 101}}, 400, "limit"),
        ("GET", "/videos", {"params": {"order": "sideways"}}, 400, "order"),
        ("GET", f"/videos/{ANY_ID}/content", {"params": {"variant": "gif"}}, 400, "variant"),
        ("GET", "/videos/a/b/c", {}, 404, None),
        ("PUT", f"/videos/{ANY_ID}", {}, 405, None),
        ("GET", "/videos", {"headers": {"Authorization": ""}}, 401, None),
    ],
)  # fmt: skip
def test_invalid_requests_are_still_rejected(make_mock, method, path, kwargs, status, param):
    handle = make_mock(stateless=True)
    response = handle.client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["param"] == param


def test_a_body_over_the_limit_is_still_413(make_mock):
    handle = make_mock(stateless=True, upload_limit=1024)
    files = {"prompt": (None, "x"), "seconds": (None, "4"), "video": ("v.mp4", b"\0" * 4096, "video/mp4")}
    assert handle.client.post("/videos/extensions", files=files).status_code == 413


# -- the openai SDK, configured as its own generated tests configure it ----------------------------


@pytest.fixture(scope="module", params=[False, True], ids=["loose", "strict"])
def sdk(live_mock, request):
    # Bare paths (no /v1) and a key with spaces, exactly like the SDK's tests/conftest.py.
    base_url = live_mock.base_url.removesuffix("/v1")
    with openai.OpenAI(
        base_url=base_url, api_key="My API Key", _strict_response_validation=request.param
    ) as client:
        yield client


@pytest.fixture(autouse=True)
def _quiet_deprecations():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def test_sdk_calls_like_its_own_suite(sdk):
    assert isinstance(sdk.videos.create(prompt="x"), Video)
    assert isinstance(sdk.videos.create(prompt="x", model="string", seconds="4", size="720x1280"), Video)
    assert isinstance(sdk.videos.retrieve("video_123"), Video)
    raw = sdk.videos.with_raw_response.retrieve("video_123")
    assert raw.http_request.headers.get("X-Stainless-Lang") == "python" and isinstance(raw.parse(), Video)
    with sdk.videos.with_streaming_response.retrieve("video_123") as streamed:
        assert isinstance(streamed.parse(), Video)
    page = sdk.videos.list()
    assert all(isinstance(v, Video) for v in page.data)
    assert sdk.videos.list(after="after", limit=1, order="asc").data
    assert sdk.videos.delete("video_123").deleted is True
    assert isinstance(sdk.videos.remix(video_id="video_123", prompt="x"), Video)
    assert isinstance(sdk.videos.extend(prompt="x", seconds="4", video=b"Example data"), Video)
    assert isinstance(sdk.videos.edit(prompt="x", video=b"Example data"), Video)
    character = sdk.videos.create_character(name="x", video=b"Example data")
    assert sdk.videos.get_character(character.id or "char_123").created_at
    assert sdk.videos.download_content(video_id="video_123").content[4:8] == b"ftyp"
    assert sdk.videos.download_content(video_id="video_123", variant="thumbnail").content[:4] == b"RIFF"


def test_sdk_list_with_limit_0_as_its_own_suite_sends_it(sdk):
    # The contract accepts limit=0 because the SDK's own test suite sends it.
    assert sdk.videos.list(after="after", limit=0, order="asc") is not None


def test_every_json_success_answer_has_an_example():
    # what stateless mode answers with; documented_examples reads them from the spec independently
    spec = effective_spec()
    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            content = resolve(spec, operation["responses"]["200"], "")[0]["content"]
            if "application/json" in content:
                assert documented_examples(template, method), (template, method)


# -- pagination ends: the list example is a complete list (has_more false) -------------------------


def test_the_list_example_is_a_complete_list():
    # Prism and Steady serve the same example for every page: has_more true would never end a walk.
    for example in documented_examples("/videos", "get"):
        assert example["has_more"] is False


def test_walking_every_page_with_the_generated_client_ends():
    scripts = Scripts(mock_app(stateless=True))
    with sync_client(scripts) as client:
        # bounded: were every page to say has_more, this would stop at 50 videos instead of hanging
        walked = list(itertools.islice(client.videos.list(limit=2), 50))
    (example,) = documented_examples("/videos", "get")
    assert [video.id for video in walked] == [video["id"] for video in example["data"]]
    assert sum(1 for request in scripts.seen if request == ("GET", "/v1/videos")) == 1


def test_sdk_auto_pagination_ends(sdk):
    walked = list(itertools.islice(sdk.videos.list(limit=2), 50))
    (example,) = documented_examples("/videos", "get")
    assert [video.id for video in walked] == [video["id"] for video in example["data"]]
