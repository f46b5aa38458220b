"""The requests the properties send and what they expect of the answers: each expectation
raises ``PropertyViolation`` naming the rule and carrying the exchange; ``curl`` and
``shown_request`` show that exchange to a person."""

import email.parser
import email.policy
import json
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from videos_toolkit.conformance.target import Target


class PropertyViolation(AssertionError):
    def __init__(self, rule: str, request: str = "", response: httpx.Response | None = None) -> None:
        super().__init__(rule)
        self.rule, self.request, self.response = rule, request, response


def post(
    client: httpx.Client, path: str, body: dict[str, Any], form: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST as JSON, or as multipart (objects become bracket fields, lists one part per item,
    bytes a file part, any other value that is not text its JSON)."""
    if form == "json":
        return client.post(path, json=body, headers=headers)
    parts: list[tuple[str, Any]] = []
    for name, value in body.items():
        if isinstance(value, bytes):
            parts.append((name, (f"{name}.mp4", value, "video/mp4")))
        elif isinstance(value, dict):
            parts += [(f"{name}[{key}]", (None, _text(item))) for key, item in value.items()]
        elif isinstance(value, list):
            parts += [(name, (None, _text(item))) for item in value]
        else:
            parts.append((name, (None, _text(value))))
    return client.post(path, files=parts, headers=headers)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def safe_json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def expect_video(response: httpx.Response, what: str) -> dict[str, Any]:
    video = safe_json(response)
    if not response.is_success or video.get("object") != "video":
        raise PropertyViolation(f"{what}: expected a Video (2xx), got {response.status_code}", "", response)
    return video


# The field a 404's envelope names. An id in the path may be named (the contract's NotFound example
# names video_id) or not (null), but no other field: the request has none other. Extending a video
# by id must name `video` (extendVideo's description says so).
NOT_FOUND_PARAM_REQUIRED = {"extend": "video"}


def expect_not_found(
    attempts: list[tuple[str, httpx.Response]], subject: str, by: str = "", param: str = "video_id"
) -> None:
    for action, response in attempts:
        if response.status_code != 404:
            raise PropertyViolation(
                f"{by}{action} of {subject} must be 404, got {response.status_code}", "", response
            )
        named = error_param(safe_json(response))
        if required := NOT_FOUND_PARAM_REQUIRED.get(action):
            if not _names(named, required):
                raise PropertyViolation(
                    f"{by}{action} of {subject}: the 404 must name param {required!r} (the contract's "
                    f"description of the operation), got {named!r}",
                    "",
                    response,
                )
        elif named is not None and not _names(named, param):
            raise PropertyViolation(
                f"{by}{action} of {subject}: the 404 names param {named!r}, which this request does not "
                f"have (the id is {param!r}; the contract's NotFound example names it, or null)",
                "",
                response,
            )


def error_param(answer: object) -> Any:
    """The ``param`` an answer's error envelope names (None without one)."""
    error = answer.get("error") if isinstance(answer, dict) else None
    return error.get("param") if isinstance(error, dict) else None


def _names(named: Any, param: str) -> bool:
    """``named`` is the field ``param`` itself, or one inside it ("video.id", "video[id]")."""
    return named == param or (isinstance(named, str) and named.startswith((f"{param}.", f"{param}[")))


def envelope_problem(response: httpx.Response) -> str | None:
    """What keeps an error answer's body from being the API's envelope, in words; None if it is."""
    try:
        body = response.json()
    except ValueError:
        return "its body is not JSON"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return 'its body has no "error" object (the envelope: {"error": {message, type, param, code}})'
    if not isinstance(error.get("message"), str) or not error["message"]:
        return 'its "error" has no message'
    return None


def expect_error_code(response: httpx.Response, status: int, code: str, what: str) -> None:
    """The answer is ``status`` with the error envelope's ``code``."""
    error = safe_json(response).get("error")
    if response.status_code != status or not isinstance(error, dict) or error.get("code") != code:
        got = f"{response.status_code}"
        if response.status_code == status:
            problem = envelope_problem(response)
            named = error.get("code") if isinstance(error, dict) else None
            got += f": {problem}" if problem else f" with code {named!r}"
        raise PropertyViolation(f"{what}: expected {status} with code {code}, got {got}", "", response)


def listing(client: httpx.Client, video_id: str) -> httpx.Response | None:
    """The first page of this key's list (100 videos, newest first) if it shows the video."""
    response = client.get("/videos", params={"limit": 100})
    listed = safe_json(response).get("data", [])
    shown = any(isinstance(item, dict) and item.get("id") == video_id for item in listed)
    return response if shown else None


@contextmanager
def shown_with(response: httpx.Response) -> Iterator[None]:
    """A violation found in what this answer carried shows the answer, unless it names its own."""
    try:
        yield
    except PropertyViolation as exc:
        if exc.response is None:
            exc.response = response
        raise


class Page(dict[str, Any]):
    """A list page as parsed, with the answer it came from: a failure found in it shows that."""

    def __init__(self, body: dict[str, Any], response: httpx.Response) -> None:
        super().__init__(body)
        self.response = response


def list_page(client: httpx.Client, params: dict[str, Any]) -> Page:
    """One page of GET /videos, whose first_id and last_id name its first and last items."""
    response = client.get("/videos", params=params)
    page = Page(safe_json(response), response)
    data = page.get("data")
    if not response.is_success or not isinstance(data, list):
        raise PropertyViolation(
            f"list {params}: expected a page (2xx), got {response.status_code}", "", response
        )
    if "limit" in params and len(data) > params["limit"]:
        raise PropertyViolation(f"list {params}: {len(data)} items for limit {params['limit']}", "", response)
    if "limit" in params and len(data) < params["limit"] and page.get("has_more") is True:
        raise PropertyViolation(
            f"list {params}: {len(data)} items for limit {params['limit']} with has_more: true (a page "
            "holds `limit` items while more exist)",
            "",
            response,
        )
    ids = [item.get("id") if isinstance(item, dict) else None for item in data]
    ends = (ids[0], ids[-1]) if ids else (None, None)
    if (page.get("first_id"), page.get("last_id")) != ends:
        raise PropertyViolation(
            f"list {params}: first_id and last_id must be the page's first and last ids {ends}, got "
            f"{(page.get('first_id'), page.get('last_id'))}",
            "",
            response,
        )
    return page


def refuses_unserved_model(model: object, default: str | None, status: int, body: object) -> bool:
    """A known model other than the default refused with a 400 naming `model`: the contract leaves
    `model` open and KnownVideoModel lists names, not what every server must serve (a provider may
    serve sora-2 and sora-2-pro and no dated snapshot). The default must be served."""
    named = error_param(body) == "model"
    return status == 400 and named and isinstance(model, str) and model != default


def refuses_unresolvable_reference(body: Any, status: int, answer: Any) -> bool:
    """A 400 naming ``input_reference`` to a request that gives one by ``file_id`` or ``image_url``:
    a file this server does not hold, or an image it cannot fetch or read. The contract allows it
    (createVideo's description), and no suite can send a reference every server can resolve."""
    reference = body.get("input_reference") if isinstance(body, dict) else None
    return status == 400 and isinstance(reference, dict) and _names(error_param(answer), "input_reference")


def expect_rejection(response: httpx.Response, param: str, what: str) -> None:
    if not 400 <= response.status_code < 500:
        raise PropertyViolation(
            f"{what}: must be refused with a 4xx, got {response.status_code}", "", response
        )
    error = safe_json(response).get("error")
    if not isinstance(error, dict) or not error.get("message"):
        raise PropertyViolation(
            f"{what}: the refusal must carry the error envelope with a message", "", response
        )
    named = error.get("param")
    if not _names(named, param):  # the field itself, or one inside it (a reference object's id)
        raise PropertyViolation(
            f"{what}: the envelope must name param {param!r}, got {error.get('param')!r} "
            f"(HTTP {response.status_code})",
            "",
            response,
        )


def _body_text(request: httpx.Request) -> str | None:
    """The request body as text, or None when it cannot be shown (streamed, or multipart)."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        return None  # streamed by httpx (no copy kept), and it holds binary file parts
    try:
        return request.content[:2000].decode("utf-8", "replace")
    except httpx.RequestNotRead:
        return None


@dataclass(frozen=True)
class Part:
    """One part of a multipart body: a text field (``file_name`` None) or a file."""

    name: str
    file_name: str | None
    media_type: str | None
    data: bytes


def multipart_parts(body: bytes, content_type: str) -> list[Part] | None:
    """The parts of a multipart body as a server reads them; None when it is not one."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    if not message.is_multipart():
        return None
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            file_name = part.get_filename()
            media_type = part.get_content_type() if part.get("content-type") else None
            parts.append(Part(name, file_name, media_type, part.get_payload(decode=True) or b""))
    return parts


def _sent_parts(request: httpx.Request) -> list[Part] | None:
    """A multipart request's parts, read again from its body (httpx renders it anew, rewinding
    the in-memory files the properties upload); None when it cannot be."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/"):
        return None
    try:
        body = request.content if hasattr(request, "_content") else b"".join(request.stream)  # type: ignore[arg-type]
    except Exception:  # a stream that cannot be read twice
        return None
    return multipart_parts(body, content_type)


def shown_request(request: httpx.Request) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
    parts = _sent_parts(request)
    if parts is not None:
        body = "\n".join(
            f"{part.name}: {part.data[:500].decode('utf-8', 'replace')}"
            if part.file_name is None
            else f"{part.name}: (file {part.file_name!r}, {part.media_type}, {len(part.data)} bytes)"
            for part in parts
        )
    else:
        body = _body_text(request) or "(body not shown)"
    return f"{request.method} {request.url}\n{headers}\n\n{body}"


def shown_answer(response: httpx.Response) -> str:
    """Status, headers and body; a body that is not UTF-8 text (a download, whatever its
    Content-Type says) by its size and first bytes."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    content = response.content
    head = content[:2000]
    try:
        body = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # only the cut at 2000 split a character
            body = head.decode("utf-8", "replace")
        else:
            body = f"({len(content)} bytes, not text, starting {content[:16]!r})"
    return f"{response.status_code}\n{headers}\n\n{body}"


def shown_exchange(response: httpx.Response, target: Target) -> tuple[str, str, str]:
    """The request, the answer and a curl command that sends the request again. Showing them is a
    courtesy, never why a run crashes: what cannot be shown is said in the command's place."""
    try:
        return shown_request(response.request), shown_answer(response), curl(response.request, target)
    except Exception as exc:
        return "", "", f"# the exchange cannot be shown ({type(exc).__name__}: {exc})"


def curl(request: httpx.Request, target: Target) -> str:
    """A curl command for the request; the key comes from $OPENAI_API_KEY, or from
    $CONFORMANCE_OTHER_API_KEY for a request made with the second key (double quotes, so the shell
    fills it in)."""
    form = _sent_parts(request)
    parts = [f"curl -X {request.method}"]
    for name, value in request.headers.items():
        if name.lower() == "authorization":
            other = target.other_api_key and value == f"Bearer {target.other_api_key}"
            variable = "CONFORMANCE_OTHER_API_KEY" if other else "OPENAI_API_KEY"
            parts.append(f'-H "Authorization: Bearer ${variable}"')
        elif name.lower() == "idempotency-key" or (name.lower() == "content-type" and not form):
            parts.append(f"-H {shlex.quote(f'{name}: {value}')}")
    files = []
    for part in form or []:
        if part.file_name is None:  # --form-string: a value starting with @ or < stays text
            text = part.data.decode("utf-8", "replace")
            parts.append(f"--form-string {shlex.quote(f'{part.name}={text}')}")
        else:
            files.append(f"{part.file_name} ({len(part.data)} bytes of {part.media_type})")
            parts.append(f"-F {shlex.quote(f'{part.name}=@{part.file_name};type={part.media_type}')}")
    body = None if form is not None else _body_text(request)
    if body:
        parts.append(f"--data-binary {shlex.quote(body)}")
    parts.append(shlex.quote(str(request.url)))
    command = " ".join(parts)
    if files:
        return f"{command}  # with the file(s) the suite sent in this folder: {', '.join(files)}"
    if form is None and body is None:
        return f"{command}  # the body is not shown (streamed)"
    return command
