"""A stateful mock of the Videos API, driven by the contract (openapi.yaml + overlays).

    from videos_toolkit.mock import MockConfig, create_app
    app = create_app(MockConfig(speed=10))      # an ASGI app (Starlette)
    app.state.mock.clock.advance(5)             # in-process: move mock time forward

Serve it over HTTP with ``scripts/mock`` (``python -m videos_toolkit.mock``).
"""

from videos_toolkit.mock.app import MockRuntime, create_app
from videos_toolkit.mock.config import MockConfig
from videos_toolkit.mock.errors import ApiError
from videos_toolkit.mock.jobs import FAIL_MARKER
from videos_toolkit.mock.responses import ResponseContractError
from videos_toolkit.mock.transport import InProcessTransport, openai_async_transport, openai_transport

__all__ = [
    "FAIL_MARKER",
    "ApiError",
    "InProcessTransport",
    "MockConfig",
    "MockRuntime",
    "ResponseContractError",
    "create_app",
    "openai_async_transport",
    "openai_transport",
]
