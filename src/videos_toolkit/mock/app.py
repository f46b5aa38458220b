"""The mock as an ASGI app: ``create_app(config, spec)`` -> Starlette.

Per request: route (404/405) -> latency -> auth (401) -> injected fault -> parameters and body
against the contract (400/413/415) -> (creating operations with an ``Idempotency-Key``) a stored
answer is replayed, see idempotency.py -> the operation's handler -> (in tests) the response
against the contract. Every request, answered or refused, is kept in the journal (journal.py).
Everything spec-derived is compiled in ``create_app``; nothing is re-read per request.

In-process users reach the running state through ``app.state.mock`` (a :class:`MockRuntime`):
``app.state.mock.clock.advance(5)``, ``app.state.mock.store``; a mock in another process is
controlled over HTTP under ``/_mock/`` (see control.py).
"""

import asyncio
import itertools
import logging
import random
import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from videos_toolkit.mock.clock import MockClock
from videos_toolkit.mock.config import MockConfig
from videos_toolkit.mock.contract_answers import required_headers
from videos_toolkit.mock.control import control, is_control
from videos_toolkit.mock.errors import ApiError, error_envelope
from videos_toolkit.mock.faults import FaultInjector
from videos_toolkit.mock.handlers import Call, Handler, StatefulApi, bearer_key, json_response, owner_of
from videos_toolkit.mock.idempotency import IdempotencyKeys, fingerprint, keyed_operations
from videos_toolkit.mock.journal import Entry, Journal
from videos_toolkit.mock.operations import SpecIndex, compile_spec
from videos_toolkit.mock.responses import ResponseChecker
from videos_toolkit.mock.routing import Router
from videos_toolkit.mock.stateless import StatelessApi
from videos_toolkit.mock.store import InMemoryStore, MockStore
from videos_toolkit.mock.validation import ClientGone, OperationValidator

log = logging.getLogger("videos_toolkit.mock")
CLIENT_GONE = 499
AUTH_HINT = "Send 'Authorization: Bearer <api key>'."


class MockRuntime:
    """The state and the compiled contract of one mock instance."""

    def __init__(self, config: MockConfig, spec: dict[str, Any], store: MockStore | None = None) -> None:
        self.config = config
        self.index: SpecIndex = compile_spec(spec)
        if store is None and config.state_file is not None:
            from videos_toolkit.mock.sqlite_store import SqliteStore

            store = SqliteStore(config.state_file)
        self.store: MockStore = store if store is not None else InMemoryStore()
        # A persistent store resumes mock time where it would be now (see clock.py).
        self.clock = MockClock(config.speed, resume=self.store.load_clock(), start=config.start_time)
        self.store.save_clock(self.clock.anchor())
        self.clock.on_advance(self.store.save_clock)
        self.idempotency = None if config.stateless else IdempotencyKeys(self.store)
        self.keyed = keyed_operations(self.index)
        self.router = Router(self.index)
        self.validators = {
            op_id: OperationValidator(op, self.index) for op_id, op in self.index.operations.items()
        }
        self.checker = ResponseChecker(self.index) if config.validate_responses else None
        self.required_headers = required_headers(self.index)
        self.faults = FaultInjector(config, self.index.operations)
        self.journal = Journal()
        self.request_ids = RequestIds(config.seed)
        api = self.api = (
            StatelessApi(self.index)
            if config.stateless
            else StatefulApi(config, self.clock, self.store, self.index)
        )
        # Every operation of the contract has one: those the mock has no behaviour for answer from
        # the contract (see contract_answers.py).
        self.handlers: dict[str, Handler] = api.handlers

    def reset(self) -> None:
        """Forget every video, character, stored answer, queued fault and journal entry; ids start
        the seed's sequence again, and mock time goes back to the start time if one was given."""
        self.faults.clear()
        self.journal.clear()
        self.request_ids.restart()
        self.store.clear()
        if isinstance(self.api, StatefulApi):
            self.api.restart_ids()
        if self.config.start_time is not None:
            self.clock.restart(self.config.start_time)

    def _owner(self, headers: Headers) -> str:
        header = headers.get("authorization")
        if not header:
            raise ApiError(
                401, f"Missing bearer authentication in header. {AUTH_HINT}", code="invalid_api_key"
            )
        key = bearer_key(header)
        if key is None:
            raise ApiError(401, f"Malformed Authorization header. {AUTH_HINT}", code="invalid_api_key")
        if self.config.api_keys and key not in self.config.api_keys:
            # Never echo the key: it may be a real secret sent to the wrong server.
            raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")
        return owner_of(key)

    async def handle(self, request: Request, request_id: str) -> Response:
        """Answer one API request, and keep it in the journal."""
        scope = request.scope
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        entry = Entry(
            request_id, self.clock.now(), request.method, path, scope["query_string"], scope["headers"]
        )
        response = await self._answer(request, path, entry)
        entry.status = response.status_code
        if entry.status >= 400:
            entry.error = bytes(getattr(response, "body", b""))
        self.journal.record(entry)
        return response

    async def _answer(self, request: Request, path: str, entry: Entry) -> Response:
        scope = request.scope
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        try:
            _check_header_size(scope["headers"])
            operation, path_values = self.router.match(path, request.method)
        except ApiError as error:
            return _error_response(error)  # no operation: nothing in the contract to check against
        entry.operation = operation.operation_id
        received = None
        try:
            owner = entry.owner = self._owner(request.headers) if operation.needs_auth else ""
            if fault := self.faults.draw(operation.operation_id):
                raise fault
            validator = self.validators[operation.operation_id]
            # Most requests have no query string: no QueryParams to build for them.
            query_items = request.query_params.multi_items() if scope["query_string"] else []
            path_params, query = validator.check_params(path_values, query_items, request.headers)
            received = entry.body = await validator.receive_body(
                request.headers, request.receive, self.config.upload_limit
            )
            body = validator.check_body(received)
            call = Call(operation, owner, path_params, query, body, received and received.media_type)
            handler = self.handlers[operation.operation_id]
            # Only the creating operations read it: a header scan per poll costs more than a set lookup.
            creating = operation.operation_id in self.keyed
            key = entry.idempotency_key = request.headers.get("idempotency-key") if creating else None
            if key and self.idempotency is not None:
                response = await self.idempotency.run(
                    owner,
                    key,
                    fingerprint(operation.operation_id, path_params, body),
                    lambda: handler(call),
                )
            else:
                response = await handler(call)
        except ApiError as error:
            response = _error_response(error)
        except ClientGone:
            # Nobody is there to read an answer; the journal shows this one (nginx's 499).
            message = "The client closed the connection before its request body was complete."
            return json_response(error_envelope(message, type="invalid_request_error"), CLIENT_GONE)
        except Exception:
            if self.checker is not None:
                raise  # tests: a bug must fail loudly, not hide behind a 500
            log.exception("mock bug while handling %s", operation.operation_id)
            response = json_response(
                error_envelope("The mock failed while handling this request.", type="server_error"), 500
            )
        finally:
            if received is not None and received.form is not None:
                received.form.close()  # its files' bytes: the journal keeps only their names and sizes
        if headers := self.required_headers.get(operation.operation_id):  # added by a contract change
            _add_missing(response, headers.get(operation.response_key(response.status_code) or "", ()))
        if self.checker is not None:
            self.checker.check(operation, response.status_code, dict(response.headers), bytes(response.body))
        return response


# Like common HTTP servers' defaults: no API request needs more, and a flood is refused early.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024


def _check_header_size(headers: list[tuple[bytes, bytes]]) -> None:
    if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
        raise ApiError(
            431,
            f"Request headers are too large: at most {MAX_HEADERS} headers and "
            f"{MAX_HEADER_BYTES // 1024} KiB in all.",
            code="request_header_fields_too_large",
        )


def _add_missing(response: Response, headers: tuple[tuple[str, str], ...]) -> None:
    """Add the required headers (name, value) the answer lacks."""
    for name, value in headers:
        if name not in response.headers:
            response.headers[name] = value


def _error_response(error: ApiError) -> Response:
    headers = dict(error.headers)
    if error.status == 401:
        headers["www-authenticate"] = "Bearer"
    return json_response(error.envelope(), error.status, headers)


class RequestIds:
    """``req_`` and 32 hex digits: a prefix and a counter (a request id names a request in logs;
    it need not be unguessable, and drawing 16 random bytes for each one was a system call per
    answer). The prefix is drawn at random per mock, or from its seed: then a reset starts the
    same ids again, so a journal repeats from run to run too."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self.restart()

    def restart(self) -> None:
        # A stream of its own: the seed's first draw also makes the first video id.
        seeded = random.Random(f"request ids {self.seed}") if self.seed is not None else None
        bits = seeded.getrandbits(64) if seeded is not None else secrets.randbits(64)
        self._prefix, self._numbers = f"req_{bits:016x}", itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._numbers):016x}"


_UNROUTED_IDS = RequestIds()


class _Dispatch:
    def __init__(self, runtime: MockRuntime) -> None:
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = self.runtime.request_ids.next()
        if is_control(scope["path"]):
            response = await control(self.runtime, request)
        else:
            response = await self.runtime.handle(request, request_id)
        # Appended to the raw list: no answer of the mock carries one yet, so there is nothing to
        # replace (MutableHeaders' __setitem__ would scan and rebuild the list for that).
        response.raw_headers.append((b"x-request-id", request_id.encode()))
        await response(scope, receive, send)


class MockApp(Starlette):
    """Starlette, with HTTP requests handed straight to the mock's dispatcher.

    The mock owns every path and method (it answers 404 and 405 itself, with the error envelope),
    so Starlette's router and error middlewares add nothing per request but their cost, the largest
    share of a retrieve's time in the mock (bench/RESULTS.md). Lifespan and websocket scopes, and
    every request once a user adds a middleware, still go through Starlette as before.
    """

    def __init__(self, dispatch: _Dispatch) -> None:
        # An ASGI endpoint (not a function) so Starlette routes every method here: 405 is ours to answer.
        super().__init__(routes=[Route("/{path:path}", dispatch)], exception_handlers={404: _unrouted})
        self._dispatch = dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.user_middleware:
            scope["app"] = self
            await self._dispatch(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


async def _unrouted(request: Request, exc: Exception) -> Response:
    # Starlette's router answers a path its pattern cannot match (one holding a raw newline) itself.
    response = _error_response(
        ApiError(404, "Unknown path: no operation of this API is there.", code="not_found")
    )
    response.headers["x-request-id"] = _UNROUTED_IDS.next()
    return response


def create_app(
    config: MockConfig | None = None, spec: dict[str, Any] | None = None, *, store: MockStore | None = None
) -> Starlette:
    """The mock server. ``spec`` defaults to the effective spec of this checkout."""
    if spec is None:
        from videos_toolkit.spec import effective_spec

        spec = effective_spec()
    runtime = MockRuntime(config or MockConfig(), spec, store)

    app = MockApp(_Dispatch(runtime))
    app.state.mock = runtime
    return app
