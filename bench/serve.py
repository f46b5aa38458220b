"""Servers the bench starts in a subprocess, all on uvicorn exactly as ``scripts/mock`` runs ours
(``uvicorn.run(app, host, port, log_level, server_header=False, proxy_headers=False)``: uvloop and
httptools, which ``uvicorn[standard]`` installs and uvicorn picks by default).

    python -m bench.serve bare --port N                      # a bare Starlette app: a fixed Video, no checks
    python -m bench.serve mock --port N --prefill 100000 --ids-file F [--profile F.prof] [--stateless]

``mock`` is our mock with its store filled directly (``--prefill``: completed videos of the bench
key) and, with ``--profile``, cProfile running until the server stops (SIGINT).
"""

import argparse
import cProfile
import json
import sys
from pathlib import Path
from typing import Any

import uvicorn

from bench.common import HOST, KEY


def fixed_video() -> dict[str, Any]:
    from videos_toolkit.spec import effective_spec

    return effective_spec()["components"]["examples"]["CompletedVideo"]["value"]


def bare_app() -> Any:
    """The ceiling: Starlette routing and orjson encoding of a fixed Video, nothing else."""
    import orjson
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    video = orjson.dumps(fixed_video())
    page = orjson.dumps(
        {"object": "list", "data": [fixed_video()] * 2, "first_id": "a", "last_id": "b", "has_more": False}
    )

    async def one(request: Request) -> Response:
        await request.body()
        return Response(video, media_type="application/json")

    async def listing(request: Request) -> Response:
        return Response(page, media_type="application/json")

    return Starlette(
        routes=[
            Route("/videos", listing, methods=["GET"]),
            Route("/videos/{video_id}", one, methods=["GET"]),
            Route("/videos/extensions", one, methods=["POST"]),
        ]
    )


def mock_app(stateless: bool, prefill: int, ids_file: Path | None) -> Any:
    from videos_toolkit.mock import MockConfig, create_app
    from videos_toolkit.mock.handlers import new_id, owner_of
    from videos_toolkit.mock.store import VideoRecord

    app = create_app(MockConfig(stateless=stateless))
    runtime = app.state.mock
    owner = owner_of(KEY)
    created = runtime.clock.now() - 3600  # an hour ago: every prefilled job reads completed
    ids = []
    for n in range(prefill):
        video = VideoRecord(
            id=new_id("video"),
            owner=owner,
            created_at=created + n * 0.001,
            prompt=f"A calico cat playing a grand piano, take {n}",
            model="sora-2",
            seconds="8",
            size="720x1280",
        )
        runtime.store.add_video(video)
        ids.append(video.id)
    if ids_file is not None:
        ids_file.write_text(json.dumps(ids))
    return app


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serve")
    p.add_argument("kind", choices=["bare", "mock"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--stateless", action="store_true")
    p.add_argument("--prefill", type=int, default=0)
    p.add_argument("--ids-file", type=Path)
    p.add_argument("--profile", type=Path, help="write cProfile stats here when the server stops")
    args = p.parse_args(argv)
    app = bare_app() if args.kind == "bare" else mock_app(args.stateless, args.prefill, args.ids_file)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    uvicorn.run(app, host=HOST, port=args.port, log_level="warning", server_header=False, proxy_headers=False)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
