"""The mock's multipart reader (mock/multipart_form.py): what it makes of a body however the body
is cut into chunks, where a file's bytes go, and what it says about bodies it cannot read."""

import asyncio
import io
import itertools

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from starlette.testclient import TestClient

from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.multipart_form import (
    MAX_TEXT_FIELD,
    SPOOL_IN_MEMORY,
    Form,
    FormError,
    UploadedPart,
    read_form,
)

BOUNDARY = "b0undary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def body(*parts: tuple[str, bytes, str | None], close: bool = True) -> bytes:
    out = b""
    for name, data, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "Content-Type: video/mp4\r\n" if filename else ""
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n{kind}\r\n".encode() + data + b"\r\n"
    return out + (f"--{BOUNDARY}--\r\n".encode() if close else b"")


def read(data: bytes, cuts: list[int] | None = None, content_type: str = CONTENT_TYPE, **limits: int) -> Form:
    edges = sorted({0, len(data), *(c for c in cuts or [] if 0 < c < len(data))})

    async def chunks():
        for start, end in itertools.pairwise(edges):
            yield data[start:end]

    limits = {"max_files": 32, "max_fields": 256, **limits}
    return asyncio.run(read_form(content_type, chunks(), **limits))


def plain(form: Form) -> list[tuple[str, object]]:
    return [
        (name, (value.filename, value.content_type, value.size, value.file.read()))
        if isinstance(value, UploadedPart)
        else (name, value)
        for name, value in form.items
    ]


PARTS = (
    ("prompt", "A cat, \u00e9t\u00e9 \U0001f431\r\n--not the boundary".encode(), None),
    ("seconds", b"4", None),
    ("video", bytes(range(256)) * 40 + b"\r\n--b0undar", "clip.mp4"),
    ("video[id]", b"", None),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(body(*PARTS)) - 1), max_size=40))
def test_a_body_reads_the_same_however_it_is_cut_into_chunks(cuts):
    # Boundaries, part headers and CRLFs split across chunks (one byte each, at the extreme) must
    # not change a field's text or a file's bytes.
    form = read(body(*PARTS), cuts)
    try:
        assert plain(form) == [
            ("prompt", PARTS[0][1].decode()),
            ("seconds", "4"),
            ("video", ("clip.mp4", "video/mp4", len(PARTS[2][1]), PARTS[2][1])),
            ("video[id]", ""),
        ]
    finally:
        form.close()


def test_a_large_file_goes_to_disk_and_is_closed_with_the_form():
    small, large = b"s" * 100, b"L" * (SPOOL_IN_MEMORY + 1)
    form = read(body(("a", small, "a.bin"), ("b", large, "b.bin")), cuts=list(range(0, len(large), 65536)))
    (_, a), (_, b) = form.items
    assert isinstance(a, UploadedPart) and isinstance(b, UploadedPart)
    assert not a._file._rolled and b._file._rolled  # type: ignore[attr-defined]
    assert (a.size, b.size) == (len(small), len(large))
    assert b.file.read() == large
    form.close()
    assert a._file.closed and b._file.closed


@pytest.mark.parametrize(
    ("data", "content_type", "message", "field"),
    [
        (body(("prompt", b"p", None)), "multipart/form-data", "has no boundary parameter", None),
        (
            body(("prompt", b"p", None)).replace(b"b0undary", b"other"),
            CONTENT_TYPE,
            "no whole part starts with",
            None,
        ),
        (
            b"",
            CONTENT_TYPE,
            "no whole part starts with the boundary its Content-Type names ('b0undary')",
            None,
        ),
        (
            body(("prompt", b"p", None), close=False)[:-1],
            CONTENT_TYPE,
            "ends before its closing boundary",
            None,
        ),
        (body(("prompt", b"p", None), close=False)[:-4], CONTENT_TYPE, "or it was cut off", None),
        (
            body(("prompt", b"\xff\xfe", None)),
            CONTENT_TYPE,
            "the text field 'prompt' is not valid UTF-8",
            "prompt",
        ),
        (b"--b0undary\r\nX-Other: 1\r\n\r\nx\r\n--b0undary--\r\n", CONTENT_TYPE, "Content-Disposition", None),
        (body(("prompt", b"p", None)).replace(b"\r\n", b"\n"), CONTENT_TYPE, "ends in CRLF", None),
    ],
    ids=[
        "no boundary",
        "another boundary",
        "empty",
        "cut off",
        "cut in headers",
        "not utf-8",
        "no disposition",
        "LF only",
    ],
)
def test_an_unreadable_body_is_a_form_error_saying_why(data, content_type, message, field):
    with pytest.raises(FormError) as raised:
        read(data, content_type=content_type)
    assert message in raised.value.message
    assert raised.value.field == field


def test_a_text_field_over_a_mib_is_refused_while_it_arrives():
    # Starlette's parser refused text parts over 1 MiB; without a cap, a 20 MiB prompt was held
    # in memory and decoded before the schema refused it.
    with pytest.raises(FormError, match="over 1 MiB") as raised:
        read(body(("prompt", b"p" * (MAX_TEXT_FIELD + 1), None)), cuts=list(range(0, 1 << 21, 65536)))
    assert raised.value.field == "prompt"


def test_a_part_without_a_name_or_with_headers_not_utf8_is_named_so():
    nameless = b'--b0undary\r\nContent-Disposition: form-data; filename="a.bin"\r\n\r\nx\r\n--b0undary--\r\n'
    with pytest.raises(FormError, match="a part has no name"):
        read(nameless)
    latin1 = body(("video", b"x", "cl\xefp.mp4".encode("latin-1").decode("latin-1")))
    latin1 = latin1.replace("cl\xefp".encode(), b"cl\xefp")
    with pytest.raises(FormError) as raised:
        read(latin1)
    assert raised.value.message == "Segment header failed to decode (part headers are read as UTF-8)"


def test_limits_on_files_and_fields_are_form_errors():
    with pytest.raises(FormError, match="too many files; at most 2"):
        read(body(*[(f"f{i}", b"x", "f.bin") for i in range(3)]), max_files=2)
    with pytest.raises(FormError, match="too many fields; at most 2"):
        read(body(*[(f"t{i}", b"x", None) for i in range(3)]), max_fields=2)


def test_files_read_before_a_failure_are_closed(monkeypatch):
    opened = []
    real = UploadedPart.__init__

    def spy(self, *args, **kwargs):
        real(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(UploadedPart, "__init__", spy)
    with pytest.raises(FormError):
        read(body(("video", b"v" * 100, "v.mp4"), ("prompt", b"\xff", None)))
    assert len(opened) == 1 and opened[0]._file.closed


def test_through_the_mock_a_cut_off_upload_is_a_400_naming_the_problem():
    app = create_app(MockConfig(api_keys=frozenset({"k"})))
    with TestClient(app, base_url="http://mock/v1", headers={"Authorization": "Bearer k"}) as client:
        cut = body(("prompt", b"p", None), ("video", b"\x00" * 1000, "v.mp4"), close=False)[:-10]
        answer = client.post("/videos/extensions", content=cut, headers={"content-type": CONTENT_TYPE})
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error["code"] == "invalid_multipart"
        assert "ends before its closing boundary" in error["message"]
        files = {"prompt": (None, "p"), "seconds": (None, "4"), "video": ("v.mp4", io.BytesIO(b"x"))}
        assert client.post("/videos/extensions", files=files).json()["error"]["param"] == "video"
