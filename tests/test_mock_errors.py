"""Every class of client mistake gets the API's error envelope with the right status and `param`."""

import io

import pytest

from videos_toolkit.mock import media


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"]
    return body["error"]


def form(**fields):
    return {name: (None, value) for name, value in fields.items()}


def test_out_of_enum_seconds_names_the_field_and_the_allowed_values(mock):
    error = error_of(mock.client.post("/videos", files=form(prompt="p", seconds="5")), 400)
    assert error == {
        "message": "Invalid value for 'seconds': '5'. Expected one of '4', '8', '12'.",
        "type": "invalid_request_error",
        "param": "seconds",
        "code": "invalid_value",
    }


def test_out_of_enum_size_and_extension_seconds(mock):
    error = error_of(mock.client.post("/videos", files=form(prompt="p", size="640x480")), 400)
    assert error["param"] == "size" and "'720x1280'" in error["message"]
    source = mock.completed()
    body = {"prompt": "p", "seconds": "24", "video": {"id": source["id"]}}
    error = error_of(mock.client.post("/videos/extensions", json=body), 400)
    assert error["param"] == "seconds" and "'20'" in error["message"]
    # 16 is a valid extension length but not a valid create length
    error = error_of(mock.client.post("/videos", files=form(prompt="p", seconds="16")), 400)
    assert error["param"] == "seconds"


def test_missing_required_field(mock):
    error = error_of(mock.client.post("/videos", files=form(seconds="8")), 400)
    assert error["message"] == "Missing required parameter: 'prompt'."
    assert (error["param"], error["code"]) == ("prompt", "missing_required_parameter")
    error = error_of(mock.client.post("/videos/extensions", files=form(prompt="p", video_id="x")), 400)
    assert error["code"] == "missing_required_parameter" and error["param"] in ("seconds", "video")


def test_nested_missing_and_too_short_fields_use_dotted_params(mock):
    error = error_of(
        mock.client.post("/videos/extensions", json={"prompt": "p", "seconds": "4", "video": {}}), 400
    )
    assert (error["param"], error["code"]) == ("video.id", "missing_required_parameter")
    error = error_of(
        mock.client.post("/videos/extensions", files=form(prompt="p", seconds="4", **{"video[id]": ""})), 400
    )
    assert (error["param"], error["code"]) == ("video.id", "string_below_min_length")


def test_empty_prompt_and_unknown_json_argument(mock):
    error = error_of(mock.client.post("/videos", files=form(prompt="")), 400)
    assert (error["param"], error["code"]) == ("prompt", "string_below_min_length")
    error = error_of(mock.client.post("/videos", json={"prompt": "p", "foo": 1}), 400)
    assert error["message"] == "Unrecognized request argument supplied: 'foo'."
    assert error["param"] == "foo"


def test_wrong_json_type(mock):
    error = error_of(mock.client.post("/videos", json={"prompt": 12}), 400)
    assert (error["param"], error["code"]) == ("prompt", "invalid_type")
    error = error_of(mock.client.post("/videos", json=["prompt"]), 400)
    assert error["param"] is None and "JSON object" in error["message"]


@pytest.mark.parametrize(("model", "shown"), [(5, "5"), (None, "null"), (["sora-2"], '["sora-2"]')])
def test_a_wrongly_typed_value_is_shown_back(mock, model, shown):
    error = error_of(mock.client.post("/videos", json={"prompt": "p", "model": model}), 400)
    assert (error["param"], error["code"]) == ("model", "invalid_type")
    assert error["message"] == f"Invalid value for 'model': expected a string, got {shown}."


def test_a_reference_field_sent_as_a_file_is_shown_as_a_file(mock):
    files = {"prompt": (None, "p"), "seconds": (None, "4"), "video[id]": ("a.mp4", b"xx", "video/mp4")}
    error = error_of(mock.client.post("/videos/extensions", files=files), 400)
    assert error["param"] == "video" and 'got {"id":"<file>"}.' in error["message"]


def test_text_field_where_a_file_is_expected(mock):
    error = error_of(
        mock.client.post("/videos/extensions", files=form(prompt="p", seconds="4", video="abc")), 400
    )
    assert error["param"] == "video"
    assert error["message"].startswith("'video' must be an uploaded file or a reference object {\"id\": ...}")
    error = error_of(mock.client.post("/videos/characters", files=form(name="Bob", video="not a file")), 400)
    assert error["param"] == "video" and "uploaded file" in error["message"]


def test_file_part_where_text_is_expected(mock):
    files = {"prompt": ("prompt.txt", b"a cat", "text/plain"), "seconds": (None, "4")}
    error = error_of(mock.client.post("/videos", files=files), 400)
    assert error["param"] == "prompt"
    assert error["message"] == "'prompt' must be a text field, not an uploaded file."
    files = {"name": ("n.txt", b"Bob"), "video": ("v.mp4", media.mp4_video("720x1280", 4), "video/mp4")}
    assert error_of(mock.client.post("/videos/characters", files=files), 400)["param"] == "name"


def test_a_file_part_without_content_type_is_an_ordinary_file(mock):
    # The part that crashed Prism: Content-Disposition with a filename and no Content-Type header.
    boundary = "b0undary"
    payload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nWhiskers\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="v.mp4"\r\n\r\n'
        ).encode()
        + media.mp4_video("720x1280", 4)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = mock.client.post(
        "/videos/characters",
        content=payload,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Whiskers"


def test_a_field_sent_twice_or_in_two_forms_is_rejected(mock):
    files = [("prompt", (None, "a")), ("prompt", (None, "b"))]
    assert error_of(mock.client.post("/videos", files=files), 400)["param"] == "prompt"
    files = [
        ("prompt", (None, "p")),
        ("seconds", (None, "4")),
        ("video[id]", (None, "video_1")),
        ("video", ("v.mp4", b"x", "video/mp4")),
    ]
    assert error_of(mock.client.post("/videos/extensions", files=files), 400)["param"] == "video"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=-1", "integer_below_min_value"),
        ("limit=101", "integer_above_max_value"),
        ("limit=abc", "invalid_type"),
    ],
)
def test_list_limit_range_and_type(mock, query, code):
    error = error_of(mock.client.get(f"/videos?{query}"), 400)
    assert (error["param"], error["code"]) == ("limit", code)


def test_bad_order_and_variant(mock):
    assert error_of(mock.client.get("/videos?order=sideways"), 400)["param"] == "order"
    video = mock.completed()
    assert error_of(mock.client.get(f"/videos/{video['id']}/content?variant=gif"), 400)["param"] == "variant"


def test_path_parameter_too_long(mock):
    assert error_of(mock.client.get(f"/videos/{'x' * 300}"), 400)["param"] == "video_id"


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "sk-no-scheme", "sk-a Bearer"]
)
def test_missing_or_malformed_auth_is_401(mock, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    client = mock.client
    client.headers.pop("Authorization")
    error = error_of(client.get("/videos", headers=headers), 401)
    assert (error["code"], error["type"]) == ("invalid_api_key", "invalid_request_error")


def test_any_non_empty_key_is_accepted_spaces_included(mock):
    # The openai SDK's own test suite authenticates as "My API Key".
    response = mock.client.get("/videos", headers={"Authorization": "Bearer My API Key"})
    assert response.status_code == 200, response.text


def test_restricted_keys_reject_others_without_echoing_them(make_mock):
    handle = make_mock(api_keys=["sk-allowed"])
    secret = "sk-some-real-secret-9f8e7d"
    response = handle.client.get("/videos", headers={"Authorization": f"Bearer {secret}"})
    error = error_of(response, 401)
    assert error["code"] == "invalid_api_key"
    assert secret not in response.text
    assert handle.client.get("/videos", headers={"Authorization": "Bearer sk-allowed"}).status_code == 200


def test_auth_comes_before_validation(mock):
    # An unauthenticated, invalid request learns nothing about the request rules.
    client = mock.client
    client.headers.pop("Authorization")
    assert error_of(client.post("/videos", files=form(seconds="5")), 401)["code"] == "invalid_api_key"


@pytest.mark.parametrize("path", ["/nope", "/videos/a/b/c/d", "/v2/videos", "/videos/"])
def test_unknown_path_is_404(mock, path):
    assert error_of(mock.client.get(path), 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/videos", "GET, POST"),
        ("PATCH", "/videos/video_1", "DELETE, GET"),
        ("GET", "/videos/extensions", "POST"),
        ("GET", "/videos/characters", "POST"),
        ("DELETE", "/videos/characters/char_1", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow(mock, method, path, allow):
    response = mock.client.request(method, path)
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response.headers["allow"] == allow


def test_literal_segments_win_over_templates(mock):
    # /videos/characters/x is the character route (404 for a character), not a video's sub-resource
    error = error_of(mock.client.get("/videos/characters/char_missing"), 404)
    assert error["param"] == "character_id"


def test_an_id_that_spells_a_literal_still_reaches_the_route_with_that_method(mock):
    # POST /videos/characters/remix: no character route takes POST, so it remixes video "characters"
    error = error_of(mock.client.post("/videos/characters/remix", json={"prompt": "p"}), 404)
    assert error["param"] == "video_id"


def test_body_over_the_upload_limit_is_413(make_mock):
    handle = make_mock(upload_limit=1024)
    files = {"prompt": (None, "p"), "seconds": (None, "4"), "video": ("v.mp4", b"\0" * 4096, "video/mp4")}
    error = error_of(handle.client.post("/videos/extensions", files=files), 413)
    assert error["code"] == "request_too_large"


def test_chunked_body_over_the_limit_is_413_without_content_length(make_mock):
    handle = make_mock(upload_limit=1024)

    def chunks():
        yield b'{"prompt": "'
        for _ in range(64):
            yield b"x" * 64
        yield b'"}'

    response = handle.client.post("/videos", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert error_of(response, 413)["code"] == "request_too_large"


def test_body_under_the_limit_passes(make_mock):
    handle = make_mock(upload_limit=64 * 1024)
    response = handle.client.post("/videos", json={"prompt": "x" * 1000})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_wrong_or_missing_content_type_is_415(mock, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = mock.client.post("/videos", content=b"prompt=x", headers=headers)
    if content_type is None:
        assert "content-type" not in response.request.headers
    assert error_of(response, 415)["code"] == "unsupported_media_type"
    error = error_of(mock.client.post("/videos/video_1/remix", files=form(prompt="p")), 415)
    assert "application/json" in error["message"]


def test_malformed_json_and_multipart_are_400(mock):
    error = error_of(
        mock.client.post("/videos", content=b'{"prompt": ', headers={"content-type": "application/json"}), 400
    )
    assert error["code"] == "invalid_json"
    error = error_of(
        mock.client.post("/videos", content=b"", headers={"content-type": "application/json"}), 400
    )
    assert error["code"] == "missing_body"
    error = error_of(
        mock.client.post("/videos", content=b"--x\r\n", headers={"content-type": "multipart/form-data"}), 400
    )
    assert error["code"] == "invalid_multipart"


def test_unreadable_upload_is_400_on_video(mock):
    files = {
        "prompt": (None, "p"),
        "seconds": (None, "4"),
        "video": ("v.mp4", io.BytesIO(b"not an mp4" * 10)),
    }
    error = error_of(mock.client.post("/videos/extensions", files=files), 400)
    assert (error["param"], error["code"]) == ("video", "invalid_video_file")


def test_unknown_model_is_400_model_not_found(mock):
    error = error_of(mock.client.post("/videos", files=form(prompt="p", model="sora-9")), 400)
    assert (error["param"], error["code"]) == ("model", "model_not_found")
    assert "sora-2-pro" in error["message"]  # lists what is served


def test_v1_and_bare_paths_reach_the_same_operations(mock):
    video = mock.create()
    bare = mock.client.get(f"http://mock/videos/{video['id']}")
    prefixed = mock.client.get(f"http://mock/v1/videos/{video['id']}")
    assert bare.status_code == prefixed.status_code == 200
    assert bare.json()["id"] == prefixed.json()["id"] == video["id"]
