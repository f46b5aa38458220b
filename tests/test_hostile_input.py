"""Hostile input to the mock over a real socket: always a 4xx, never a 5xx or a hang, and the server
keeps serving. A fixed corpus (tests/hostile_corpus.py) plus hypothesis-generated requests."""

import contextlib
import json
import socket
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile_corpus import JSON, KEY, MP, corpus, multipart, request

LIVE_MOCK_CONFIG = {"upload_limit": 4 * 1024 * 1024}
CORPUS = corpus()


def exchange(port: int, raw: bytes, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read one HTTP response (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close before reading everything (e.g. 413).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        return read_response(sock)


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed without a full response: {data[:200]!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def port_of(live_mock) -> int:
    return int(live_mock.base_url.split(":")[2].split("/")[0])


def assert_refused_properly(
    status: int, headers: dict[str, str], body: bytes, envelope: bool, what: str
) -> None:
    assert 400 <= status < 500, f"{what}: expected a 4xx, got {status}: {body[:300]!r}"
    if envelope:
        assert headers.get("content-type", "").startswith("application/json"), f"{what}: {headers}"
        error = json.loads(body)["error"]
        assert error["message"] and error["type"], f"{what}: {error}"
        assert KEY not in body.decode("utf-8", "replace"), f"{what}: the API key leaked into the answer"


def assert_still_serving(port: int) -> None:
    status, _, body = exchange(port, request("GET", "/v1/videos?limit=1"))
    assert status == 200, body[:200]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_each_hostile_request_is_refused_with_a_4xx(live_mock, case):
    port = port_of(live_mock)
    status, headers, body = exchange(port, case.raw)
    assert_refused_properly(status, headers, body, case.envelope, case.name)
    assert_still_serving(port)


def test_an_oversized_upload_is_refused_before_it_is_all_sent(live_mock):
    port = port_of(live_mock)
    declared = 200 * 1024 * 1024  # far over the 4 MiB limit of this module's mock
    head = request("POST", "/v1/videos/extensions", {**MP, "Content-Length": str(declared)})
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + b"x" * 65536)  # a small start of the body, then wait for the answer
        status, _, body = read_response(sock)
    assert status == 413 and json.loads(body)["error"]["message"]
    assert_still_serving(port)


def test_a_slow_body_does_not_stop_others_being_served(live_mock):
    port = port_of(live_mock)
    body = json.dumps({"prompt": "slow"}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall(request("POST", "/v1/videos", {**JSON, "Content-Length": str(len(body))}))
        for byte in body[:5]:
            slow.sendall(bytes([byte]))
            assert_still_serving(port)  # others are answered while this body trickles in
            time.sleep(0.05)
        slow.sendall(body[5:])
        status, _, _ = read_response(slow)
    assert status == 200


POST_PATHS = [
    "/v1/videos",
    "/v1/videos/extensions",
    "/v1/videos/edits",
    "/v1/videos/characters",
    "/v1/videos/x/remix",
]
CONTENT_TYPES = [
    MP["Content-Type"],
    "application/json",
    "multipart/form-data",
    "text/plain",
    "",
    "application/json; charset=utf-16",
]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    path=st.sampled_from(POST_PATHS),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda parts: multipart(*parts),
            st.lists(
                st.tuples(
                    st.text(max_size=12), st.binary(max_size=200), st.one_of(st.none(), st.text(max_size=8))
                ),
                max_size=5,
            ),
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
    ),
)
def test_generated_garbage_never_gets_a_5xx(live_mock, path, content_type, body):
    status, _, answer = exchange(
        port_of(live_mock), request("POST", path, {"Content-Type": content_type or None}, body)
    )
    assert status < 500, answer[:300]
    if status >= 400:
        assert json.loads(answer)["error"]["message"]


def test_the_corpus_is_large_and_distinct():
    assert len({c.raw for c in CORPUS}) == len(CORPUS) >= 50
