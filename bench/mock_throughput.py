"""Section ``mock``: req/s and latency of retrieve, list and extend (a multipart MP4 upload) at
several concurrencies, for our mock (stateful and stateless) and the peers on the same spec, plus a
bare Starlette app on the same uvicorn as the ceiling."""

import time
from dataclasses import dataclass

import httpx

from bench.common import (
    KEY,
    PYTHON,
    SERVER_CPU,
    Section,
    Server,
    Settings,
    Table,
    free_port,
    pinned,
    ratio,
    revision_env,
    shell_join,
    write_spec,
)
from bench.loadgen import LoadResult, Request, make_loadgen, multipart
from bench.peers import PeerSetup

EXAMPLE_ID = "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5"
AUTH = {"Authorization": f"Bearer {KEY}"}
OPERATIONS = ("retrieve", "list", "extend")


@dataclass
class Target:
    label: str
    server: Server
    stateful: bool = False
    note: str = ""


def our_mock(stateless: bool, settings: Settings, *, baseline: bool = False) -> Server:
    """``scripts/mock --port N --log-level warning [--stateless]`` (the access log is off, as the
    peers' per-request logs are: Steady runs with -q; Prism's goes to a file)."""
    port = free_port()
    command = [PYTHON, "-m", "videos_toolkit.mock", "--port", str(port), "--log-level", "warning"]
    if stateless:
        command.append("--stateless")
    name = ("ours-stateless" if stateless else "ours-stateful") + ("-baseline" if baseline else "")
    env = revision_env(settings.baseline_root) if baseline else None
    return Server(name, pinned(command, SERVER_CPU), port, settings.work, env=env)


def bare_starlette(settings: Settings) -> Server:
    port = free_port()
    command = [PYTHON, "-m", "bench.serve", "bare", "--port", str(port)]
    return Server("bare-starlette", pinned(command, SERVER_CPU), port, settings.work)


def upload_body() -> tuple[bytes, str]:
    from videos_toolkit.mock.media import mp4_video

    return multipart(
        {"prompt": "The cat bows and the curtain falls", "seconds": "4"},
        {"video": ("clip.mp4", mp4_video("720x1280", 4), "video/mp4")},
    )


def requests_for(video_id: str) -> dict[str, Request]:
    body, content_type = upload_body()
    return {
        "retrieve": Request("GET", f"/videos/{video_id}", AUTH),
        "list": Request("GET", "/videos?limit=20", AUTH),
        "extend": Request("POST", "/videos/extensions", AUTH, body, content_type),
    }


def prepare_stateful(url: str, wait: bool = True) -> str:
    """Two completed videos of the bench key: retrieve reads the first, list pages both (as many
    items as the spec's list example that the stateless servers answer with)."""
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        ids = [
            client.post("/videos", json={"prompt": f"bench video {n}", "seconds": "4"}).json()["id"]
            for n in (1, 2)
        ]
    if wait:
        time.sleep(3.0)  # jobs complete 2.75 s after creation at --speed 1
    return ids[0]


def probe(url: str, request: Request) -> str:
    """What one request gets, in a few words (so a table of req/s never hides a stream of 400s)."""
    headers = dict(request.headers)
    if request.content_type:
        headers["Content-Type"] = request.content_type
    try:
        response = httpx.request(
            request.method, url + request.path, headers=headers, content=request.body or None, timeout=10
        )
    except httpx.HTTPError as exc:
        return f"no answer ({type(exc).__name__})"
    text = response.text.replace("\n", " ")
    if response.status_code < 400:
        return str(response.status_code)
    for marker in ('"message":', '"detail":', '"error":'):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    return f"{response.status_code}: {text.strip()[:110]}"


def run(settings: Settings, peers: PeerSetup) -> Section:
    section = Section("mock", "Mock server throughput and latency")
    loadgen = make_loadgen(settings.loadgen, settings.work)
    spec = write_spec(settings.work / "effective-openapi.json")
    targets = [
        Target("ours, stateful", our_mock(False, settings), stateful=True),
        Target("ours, stateless", our_mock(True, settings)),
    ]
    if settings.baseline_root is not None:
        targets.append(
            Target(
                f"ours, stateful, at {settings.baseline} (before)",
                our_mock(False, settings, baseline=True),
                stateful=True,
            )
        )
    if settings.peers:
        targets += [Target(f"{p.name} {p.version}", p.server(spec, settings.work)) for p in peers.peers]
        targets.append(Target("bare Starlette (ceiling)", bare_starlette(settings)))
    max_requests = 40 if settings.quick else None
    rounds = 1 if settings.quick else settings.rounds

    results: dict[tuple[str, str, int], LoadResult | str] = {}
    samples: dict[tuple[str, str, int], list[LoadResult]] = {}
    answers = Table("What each server answers to the measured requests", ["server", *OPERATIONS])
    running: list[tuple[Target, dict[str, Request]]] = []
    try:
        # Every server is up for the whole section and the points are taken round-robin, each round
        # starting with another server: a busy spell of a shared machine then hits all of them.
        for target in targets:
            section.commands.append(shell_join(target.server.command))
            try:
                target.server.start()
            except Exception as exc:
                answers.add(target.label, *[f"did not start: {exc}"] * len(OPERATIONS))
                continue
            running.append((target, {}))
        if not running:
            section.notes.append("No server started, so nothing was measured (the table says why).")
            section.tables.append(answers)
            return section
        waited = False
        for target, shapes in running:
            if target.stateful:
                video_id = prepare_stateful(target.server.url, wait=False)
                waited = True
            else:
                video_id = EXAMPLE_ID
            shapes.update(requests_for(video_id))
        if waited and not settings.quick:
            time.sleep(3.0)  # the stateful mocks' jobs complete 2.75 s after creation at --speed 1
        for target, shapes in running:
            answers.add(target.label, *[probe(target.server.url, shapes[op]) for op in OPERATIONS])
        for op in OPERATIONS:
            if not settings.quick:  # warm up (JITs, caches, connection pools); not recorded
                for target, shapes in running:
                    if target.server.alive:
                        loadgen.run(target.server.url, shapes[op], 8, 1.0)
            for concurrency in settings.concurrencies:
                for n in range(rounds):
                    turn = running[n % len(running) :] + running[: n % len(running)]
                    for target, shapes in turn:
                        key = (target.label, op, concurrency)
                        if not target.server.alive:
                            results.setdefault(key, "crashed")
                            continue
                        found = loadgen.run(
                            target.server.url, shapes[op], concurrency, settings.duration, max_requests
                        )
                        if not target.server.alive:
                            results[key] = "crashed during the run"
                            continue
                        samples.setdefault(key, []).append(found)
        if running:
            target, shapes = running[0]
            for op in OPERATIONS:
                section.commands.append(
                    shell_join(loadgen.command(target.server.url, shapes[op], 8, settings.duration))
                )
    finally:
        for target, _ in running:
            target.server.stop()
    for key, found in samples.items():
        if key not in results:
            results[key] = max(found, key=lambda r: r.rps)  # the round least disturbed by the machine

    labels = [t.label for t in targets]
    prism = next((label for label in labels if label.startswith("Prism")), None)
    steady = next((label for label in labels if label.startswith("Steady")), None)
    for op in OPERATIONS:
        table = Table(
            f"{op}: requests per second and latency ({loadgen.name}, best of {rounds} round(s) of "
            f"{settings.duration:g} s per point)",
            ["server", "concurrency", "req/s", "p50 ms", "p99 ms", "answers >= 400", "vs Prism", "vs Steady"],
        )
        for label in labels:
            for concurrency in settings.concurrencies:
                found = results.get((label, op, concurrency))
                if found is None:
                    continue
                if isinstance(found, str):
                    table.add(label, concurrency, found, "", "", "", "", "")
                    continue
                base = {
                    name: results.get((name, op, concurrency)) if name else None for name in (prism, steady)
                }
                table.add(
                    label,
                    concurrency,
                    f"{found.rps:,.0f}",
                    f"{found.p50_ms:.2f}",
                    f"{found.p99_ms:.2f}",
                    _bad(found),
                    *[
                        ratio(found.rps, b.rps) if isinstance(b, LoadResult) else "n/a"
                        for b in (base.get(prism), base.get(steady))
                    ],
                )
                section.figures[f"{op}.{label}.c{concurrency}"] = {
                    "rps": round(found.rps, 1),
                    "p50_ms": round(found.p50_ms, 3),
                    "p99_ms": round(found.p99_ms, 3),
                    "bad": found.bad_status,
                    "errors": found.socket_errors,
                }
        section.tables.append(table)
    section.tables.append(answers)
    section.figures["_headline"] = _headline(results, labels[0], prism, steady)
    before = next((label for label in labels if label.endswith("(before)")), None)
    if before is not None:
        section.figures["_headline"].append(_before_after(results, labels[0], before))
    section.notes.append(
        f"Load generator: {loadgen.name}, one thread, keep-alive connections, 127.0.0.1. Servers run "
        "pinned to one core and wrk to the other (`taskset`, where there are two cores). Every "
        "server is started fresh, serves the same effective spec (`openapi.yaml` + overlays, written "
        "as JSON) and is warmed up for 1 s per operation. All servers stay up for the whole section "
        "and each point is taken in rounds, round-robin over the servers (each round starting with "
        "the next one); the table keeps each server's best round by req/s, with that round's "
        "latencies, because a shared machine's other work only ever slows a point down."
    )
    section.notes.append(
        "Our stateful mock's retrieve reads a completed video created by the same key; its list pages "
        "that key's two videos (the list example that the stateless servers answer with has two items "
        "too); extend uploads a 4-second MP4 (multipart, about 20 kB) and stores every new job. "
        "`answers >= 400` counts error answers: a server answering 400 to a valid request is fast at "
        "refusing, not at serving. Ours runs as `scripts/mock --log-level warning` (no access log; "
        "Steady runs with `-q`, Prism's log goes to a file)."
    )
    if getattr(loadgen, "name", "") != "wrk":
        section.notes.append(
            "These figures come from the Python fallback generator (wrk was not used): it saturates its "
            "own core first, so they are a floor, not comparable to wrk figures."
        )
    return section


def _headline(results: dict, ours: str, prism: str | None, steady: str | None) -> list[str]:
    lines = []
    for op in ("retrieve", "extend", "list"):
        found = results.get((ours, op, 8))
        if not isinstance(found, LoadResult):
            continue
        parts = [f"{found.rps:,.0f} req/s, p99 {found.p99_ms:.2f} ms"]
        for name in (steady, prism):
            other = results.get((name, op, 8)) if name else None
            if isinstance(other, LoadResult):
                parts.append(f"{ratio(found.rps, other.rps)} {name.split()[0]} ({other.rps:,.0f} req/s)")
        lines.append(f"Mock {op}, stateful, concurrency 8: " + "; ".join(parts))
    return lines


def _before_after(results: dict, now: str, before: str) -> str:
    parts = []
    for op in OPERATIONS:
        new, old = results.get((now, op, 8)), results.get((before, op, 8))
        if isinstance(new, LoadResult) and isinstance(old, LoadResult):
            parts.append(
                f"{op} {old.rps:,.0f} -> {new.rps:,.0f} req/s ({new.rps / old.rps:.2f}x), "
                f"p99 {old.p99_ms:.2f} -> {new.p99_ms:.2f} ms"
            )
    label = before.removeprefix("ours, stateful, ").removesuffix(" (before)")
    return f"Hot-path changes, stateful mock at concurrency 8, {label} -> now: " + "; ".join(parts)


def _bad(result: LoadResult) -> str:
    parts = []
    if result.bad_status:
        parts.append(f"{result.bad_status / max(result.requests, 1):.0%}")
    if result.socket_errors:
        parts.append(f"{result.socket_errors} socket errors")
    return ", ".join(parts) or "0"
