"""Hostile and malformed HTTP requests for the mock, as raw bytes on a socket.

Each entry is a request no well-behaved client sends. The rule for all of them: a 4xx (never a
5xx, never a hang), the API's error envelope whenever the request reached the application (h11,
uvicorn's HTTP parser, answers protocol-level garbage itself with a plain 400), and the server
keeps serving afterwards.
"""

import json
from dataclasses import dataclass

KEY = "sk-hostile"
BOUNDARY = "hostileboundary"


@dataclass(frozen=True)
class Hostile:
    name: str
    raw: bytes
    # False when the HTTP parser itself must refuse it (it never reaches the app, so no envelope).
    envelope: bool = True


def request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    all_headers = {"Authorization": f"Bearer {KEY}", "Content-Length": str(len(body)), **(headers or {})}
    lines += [f"{k}: {v}" for k, v in all_headers.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def multipart(*parts: tuple[str, bytes, str | None], boundary: str = BOUNDARY, close: bool = True) -> bytes:
    out = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


MP = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
JSON = {"Content-Type": "application/json"}
OK_FIELDS = (("prompt", b"a cat", None), ("seconds", b"4", None))


def corpus() -> list[Hostile]:
    cases = [
        Hostile(
            "multipart without boundary",
            request("POST", "/v1/videos", {"Content-Type": "multipart/form-data"}, multipart(*OK_FIELDS)),
        ),
        Hostile(
            "multipart with another boundary",
            request("POST", "/v1/videos", MP, multipart(*OK_FIELDS, boundary="other")),
        ),
        Hostile(
            "truncated multipart", request("POST", "/v1/videos", MP, multipart(*OK_FIELDS, close=False)[:-7])
        ),
        Hostile(
            "multipart that is garbage", request("POST", "/v1/videos", MP, b"\x00\xff garbage \r\n--\r\n")
        ),
        Hostile("multipart empty body", request("POST", "/v1/videos", MP, b"")),
        Hostile(
            "duplicated text field",
            request("POST", "/v1/videos", MP, multipart(("prompt", b"a", None), ("prompt", b"b", None))),
        ),
        Hostile(
            "file part where text is expected",
            request("POST", "/v1/videos", MP, multipart(("prompt", b"a cat", "prompt.txt"))),
        ),
        Hostile(
            "text where a file is expected",
            request(
                "POST",
                "/v1/videos/extensions",
                MP,
                multipart(("prompt", b"p", None), ("seconds", b"4", None), ("video", b"not a file", None)),
            ),
        ),
        Hostile(
            "non-MP4 file upload",
            request(
                "POST",
                "/v1/videos/extensions",
                MP,
                multipart(
                    ("prompt", b"p", None), ("seconds", b"4", None), ("video", b"\x89PNG\r\n", "v.mp4")
                ),
            ),
        ),
        Hostile(
            "part without a name",
            request(
                "POST",
                "/v1/videos",
                MP,
                b"--"
                + BOUNDARY.encode()
                + b"\r\nContent-Disposition: form-data\r\n\r\nx\r\n--"
                + BOUNDARY.encode()
                + b"--\r\n",
            ),
        ),
        Hostile(
            "invalid UTF-8 in a multipart field",
            request("POST", "/v1/videos", MP, multipart(("prompt", b"\xff\xfe\xfd", None))),
        ),
        Hostile("invalid UTF-8 in JSON", request("POST", "/v1/videos", JSON, b'{"prompt": "\xff\xfe"}')),
        Hostile("JSON that is not an object", request("POST", "/v1/videos", JSON, b'["prompt"]')),
        Hostile("JSON that is a string", request("POST", "/v1/videos", JSON, b'"prompt"')),
        Hostile(
            "JSON with duplicate keys", request("POST", "/v1/videos", JSON, b'{"prompt": "a", "prompt": 5}')
        ),
        Hostile("truncated JSON", request("POST", "/v1/videos", JSON, b'{"prompt": "a')),
        Hostile("deeply nested JSON", request("POST", "/v1/videos", JSON, b"[" * 100_000 + b"]" * 100_000)),
        Hostile(
            "deeply nested JSON object",
            request("POST", "/v1/videos", JSON, b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ),
        Hostile(
            "huge JSON array",
            request(
                "POST", "/v1/videos", JSON, json.dumps({"prompt": "a", "x": list(range(400_000))}).encode()
            ),
        ),
        Hostile(
            "huge prompt",
            request("POST", "/v1/videos", JSON, json.dumps({"prompt": "a" * 2_000_000}).encode()),
        ),
        Hostile(
            "wrong content type", request("POST", "/v1/videos", {"Content-Type": "text/plain"}, b"prompt=a")
        ),
        Hostile(
            "form-urlencoded body",
            request("POST", "/v1/videos", {"Content-Type": "application/x-www-form-urlencoded"}, b"prompt=a"),
        ),
        Hostile("missing content type", request("POST", "/v1/videos", {}, b'{"prompt": "a"}')),
        Hostile("JSON declared, multipart sent", request("POST", "/v1/videos", JSON, multipart(*OK_FIELDS))),
        Hostile("multipart declared, JSON sent", request("POST", "/v1/videos", MP, b'{"prompt": "a"}')),
        Hostile("path traversal id", request("GET", "/v1/videos/..%2F..%2Fetc%2Fpasswd")),
        Hostile("dot-dot segments", request("GET", "/v1/videos/../../etc/passwd")),
        Hostile("NUL in the id", request("GET", "/v1/videos/video_%00abc")),
        Hostile("newline in the id", request("DELETE", "/v1/videos/video_%0Aabc")),
        Hostile("unicode id", request("GET", "/v1/videos/%E3%83%93%E3%83%87%E3%82%AA")),
        Hostile("10k character id", request("GET", "/v1/videos/" + "v" * 10_000)),
        Hostile("10k character id to delete", request("DELETE", "/v1/videos/" + "v" * 10_000)),
        Hostile("traversal id for content", request("GET", "/v1/videos/..%2Fsecret/content")),
        Hostile("repeated query keys", request("GET", "/v1/videos?limit=1&limit=2")),
        Hostile("bracketed query key", request("GET", "/v1/videos?limit[]=1")),
        Hostile("nested bracketed query key", request("GET", "/v1/videos?order[x]=asc")),
        Hostile("huge limit", request("GET", "/v1/videos?limit=" + "9" * 5000)),
        Hostile("negative limit", request("GET", "/v1/videos?limit=-1")),
        Hostile("limit with NUL", request("GET", "/v1/videos?limit=1%00")),
        Hostile("invalid percent-encoding", request("GET", "/v1/videos?after=%ZZ")),
        Hostile("unknown variant", request("GET", "/v1/videos/video_x/content?variant=../../etc")),
        Hostile("huge header", request("GET", "/v1/videos", {"X-Big": "b" * 60_000})),
        Hostile("many headers", request("GET", "/v1/videos", {f"X-H{i}": "v" for i in range(500)})),
        Hostile(
            "authorization with NUL",
            request("GET", "/v1/videos", {"Authorization": "Bearer a\x00b"}),
            envelope=False,
        ),
        Hostile(
            "authorization not bearer", request("GET", "/v1/videos", {"Authorization": "Basic Zm9vOmJhcg=="})
        ),
        Hostile("empty bearer", request("GET", "/v1/videos", {"Authorization": "Bearer "})),
        Hostile("unknown method", request("BREW", "/v1/videos"), envelope=False),
        Hostile("unknown path", request("GET", "/v1/../../../etc/passwd")),
        Hostile(
            "content-length too small",
            request("POST", "/v1/videos", {**JSON, "Content-Length": "3"}, b'{"prompt": "a"}'),
            envelope=False,
        ),
        Hostile(
            "invalid content-length",
            request("POST", "/v1/videos", {**JSON, "Content-Length": "abc"}, b"{}"),
            envelope=False,
        ),
        Hostile(
            "bad chunked encoding",
            request(
                "POST",
                "/v1/videos",
                {**JSON, "Content-Length": None, "Transfer-Encoding": "chunked"},
                b"zz\r\nhello\r\n0\r\n\r\n",
            ),
            envelope=False,
        ),
        Hostile("unknown method on a known path", request("PATCH", "/v1/videos/video_x")),
        Hostile("NUL in a header value", request("GET", "/v1/videos", {"X-Trace": "a\x00b"}), envelope=False),
        Hostile(
            "extend by a traversal id",
            request(
                "POST",
                "/v1/videos/extensions",
                JSON,
                b'{"prompt": "p", "seconds": "4", "video": {"id": "../../etc/passwd"}}',
            ),
        ),
        Hostile(
            "extend by a 10k id",
            request(
                "POST",
                "/v1/videos/extensions",
                JSON,
                json.dumps({"prompt": "p", "seconds": "4", "video": {"id": "v" * 10_000}}).encode(),
            ),
        ),
        Hostile("remix of a NUL id", request("POST", "/v1/videos/video_%00/remix", JSON, b'{"prompt": "p"}')),
        Hostile(
            "not HTTP at all", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03garbage\r\n\r\n", envelope=False
        ),
        Hostile(
            "header without colon",
            b"GET /v1/videos HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
            envelope=False,
        ),
    ]
    return cases
