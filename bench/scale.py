"""Section ``scale``: our stateful mock's memory and retrieve latency with 10k and 100k stored
videos, and the cost of a list page at small and large cursor offsets with 100k videos.

The store is filled directly in the server process (``bench/serve.py --prefill``: completed videos
of one key, as the API would have created them), then served by uvicorn like ``scripts/mock``.
"""

import json
import time
import timeit

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
    shell_join,
)
from bench.loadgen import LoadResult, Request, make_loadgen

AUTH = {"Authorization": f"Bearer {KEY}"}


def prefilled(count: int, settings: Settings) -> tuple[Server, list[str]]:
    port = free_port()
    ids_file = settings.work / f"ids-{count}.json"
    command = [PYTHON, "-m", "bench.serve", "mock", "--port", str(port), "--prefill", str(count)]
    server = Server(
        f"mock-{count}", pinned([*command, "--ids-file", str(ids_file)], SERVER_CPU), port, settings.work
    )
    server.start(timeout=300)
    return server, json.loads(ids_file.read_text())


def store_paging(count: int, settings: Settings) -> Table:
    """µs for the store alone to cut a page at several cursor positions (no HTTP, no encoding)."""
    from videos_toolkit.mock.handlers import owner_of
    from videos_toolkit.mock.store import InMemoryStore, VideoRecord

    store = InMemoryStore()
    owner = owner_of(KEY)
    ids = [f"video_{n:048x}" for n in range(count)]
    for n, video_id in enumerate(ids):
        store.add_video(VideoRecord(video_id, owner, n * 0.001, "p", "sora-2", "8", "720x1280"))
    number = 200 if settings.quick else 2000
    table = Table(
        f"The in-memory store alone: µs to cut a page of 20 from {count:,} videos (best of 5 x {number})",
        ["cursor", "desc µs", "asc µs"],
    )
    for label, position in (
        ("none (first page)", None),
        ("10th video", 10),
        ("middle", count // 2),
        ("40 from the end", count - 40),
    ):
        after = ids[position] if position is not None else None
        cells = []
        for order in ("desc", "asc"):
            best = min(
                timeit.repeat(
                    lambda after=after, order=order: store.list_videos(
                        owner, after=after, limit=20, order=order
                    ),
                    number=number,
                    repeat=5,
                )
            )
            cells.append(f"{best / number * 1e6:.1f}")
        table.add(label, *cells)
    table.notes.append("Positions count in creation order (the 10th video is the 10th oldest).")
    return table


def run(settings: Settings) -> Section:
    section = Section("scale", "Scale: memory, retrieve and list with many stored videos")
    loadgen = make_loadgen(settings.loadgen, settings.work)
    sizes = (1, 1_000, 10_000) if settings.quick else (1, 10_000, 100_000)
    duration = settings.duration
    cap = 100 if settings.quick else None
    memory = Table(
        f"Memory and retrieve latency by store size (retrieve at concurrency 8, best of "
        f"{1 if settings.quick else settings.rounds} round(s) of {duration:g} s)",
        [
            "stored videos",
            "RSS MiB",
            "bytes per video",
            "retrieve req/s",
            "retrieve p50 ms",
            "retrieve p99 ms",
        ],
    )
    paging = Table(
        f"A list page (limit=20) with {sizes[-1]:,} stored videos, by where the cursor points "
        f"(concurrency 8, best of {1 if settings.quick else settings.rounds} round(s) of {duration:g} s)",
        ["page", "req/s", "p50 ms", "p99 ms", "answers >= 400"],
    )
    rounds = 1 if settings.quick else settings.rounds
    servers: dict[int, tuple[Server, list[str]]] = {}
    try:
        for count in sizes:
            servers[count] = prefilled(count, settings)
        time.sleep(0.5)
        rss = {count: server.rss_kib() / 1024 for count, (server, _) in servers.items()}
        retrieve: dict[int, list[LoadResult]] = {}
        for n in range(rounds):
            for count in sizes[n % len(sizes) :] + sizes[: n % len(sizes)]:
                server, ids = servers[count]
                request = Request("GET", f"/videos/{ids[len(ids) // 2]}", AUTH)
                retrieve.setdefault(count, []).append(loadgen.run(server.url, request, 8, duration, cap))
        server, ids = servers[sizes[-1]]
        section.commands.append(shell_join(server.command).replace(str(settings.work), "$WORK"))
        n = len(ids)
        # ids are in creation order; the default order is newest first (desc).
        pages = {
            "first page (no cursor), desc": "/videos?limit=20",
            "desc, after the 20th newest": f"/videos?limit=20&after={ids[n - 20]}",
            "desc, after the middle video": f"/videos?limit=20&after={ids[n // 2]}",
            "desc, 40 from the oldest": f"/videos?limit=20&after={ids[40]}",
            "asc, after the 20th oldest": f"/videos?limit=20&order=asc&after={ids[19]}",
            "asc, 40 from the newest": f"/videos?limit=20&order=asc&after={ids[n - 41]}",
        }
        paged: dict[str, list[LoadResult]] = {}
        labels = list(pages)
        for r in range(rounds):
            for label in labels[r % len(labels) :] + labels[: r % len(labels)]:
                request = Request("GET", pages[label], AUTH)
                paged.setdefault(label, []).append(loadgen.run(server.url, request, 8, duration, cap))
    finally:
        for server, _ in servers.values():
            server.stop()

    base_rss = rss[sizes[0]]
    for count in sizes:
        found = max(retrieve[count], key=lambda r: r.rps)
        per_video = (rss[count] - base_rss) * 1024 * 1024 / (count - sizes[0]) if count > sizes[0] else None
        memory.add(
            f"{count:,}",
            f"{rss[count]:.0f}",
            f"{per_video:,.0f}" if per_video else "(baseline)",
            f"{found.rps:,.0f}",
            f"{found.p50_ms:.2f}",
            f"{found.p99_ms:.2f}",
        )
        section.figures[f"store_{count}"] = {
            "rss_mib": round(rss[count], 1),
            "retrieve_rps": round(found.rps),
            "retrieve_p99_ms": round(found.p99_ms, 3),
        }
    for label in labels:
        page = max(paged[label], key=lambda r: r.rps)
        paging.add(label, f"{page.rps:,.0f}", f"{page.p50_ms:.2f}", f"{page.p99_ms:.2f}", page.bad_status)
        section.figures[f"list_{label}"] = {"rps": round(page.rps), "p99_ms": round(page.p99_ms, 3)}
    store_table = store_paging(sizes[-1], settings)
    section.tables.append(store_table)
    store_us = {row[0]: float(row[1]) for row in store_table.rows}
    section.tables[:0] = [memory, paging]
    big = section.figures.get(f"store_{sizes[-1]}", {})
    first = section.figures.get("list_desc, after the 20th newest", {})
    deep = section.figures.get("list_desc, 40 from the oldest", {})
    first_us, deep_us = store_us["10th video"], store_us["40 from the end"]
    verdict = "flat in the offset" if max(first_us, deep_us) <= 2 * min(first_us, deep_us) else "NOT flat"
    section.figures["store_page_us"] = store_us
    section.figures["_headline"] = [
        f"Scale: {sizes[-1]:,} stored videos take {big.get('rss_mib', 0):.0f} MiB RSS; retrieve p99 "
        f"{big.get('retrieve_p99_ms', 0):.2f} ms; a list page deep in the list {deep.get('rps', 0):,} "
        f"req/s vs {first.get('rps', 0):,} near the start; the store cuts a page in {deep_us:.1f} µs "
        f"near the end vs {first_us:.1f} µs near the start ({verdict})"
    ]
    section.notes.append(
        "RSS is the server process's resident memory after start-up (the effective spec compiled, the "
        "store filled); bytes per video is the growth over the one-video baseline divided by the "
        "videos added. Each page holds 20 full Video objects."
    )
    return section
