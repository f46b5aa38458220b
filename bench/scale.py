"""Section ``scale``: our stateful mock's memory and retrieve latency with 10k and 100k stored
videos, and the cost of a list page at small and large cursor offsets with 100k videos.

The store is filled directly in the server process (``bench/serve.py --prefill``: completed videos
of one key, as the API would have created them), then served by uvicorn like ``scripts/mock``.
"""

import json
import time

from bench.common import KEY, PYTHON, Section, Server, Settings, Table, free_port, shell_join
from bench.loadgen import Request, make_loadgen

AUTH = {"Authorization": f"Bearer {KEY}"}


def prefilled(count: int, settings: Settings) -> tuple[Server, list[str]]:
    port = free_port()
    ids_file = settings.work / f"ids-{count}.json"
    command = [PYTHON, "-m", "bench.serve", "mock", "--port", str(port), "--prefill", str(count)]
    server = Server(f"mock-{count}", [*command, "--ids-file", str(ids_file)], port, settings.work)
    server.start(timeout=300)
    return server, json.loads(ids_file.read_text())


def run(settings: Settings) -> Section:
    section = Section("scale", "Scale: memory, retrieve and list with many stored videos")
    loadgen = make_loadgen(settings.loadgen, settings.work)
    sizes = (1, 1_000, 10_000) if settings.quick else (1, 10_000, 100_000)
    duration = 1.0 if settings.quick else 3.0
    cap = 100 if settings.quick else None
    memory = Table(
        f"Memory and retrieve latency by store size (retrieve at concurrency 8, {duration:g} s per point)",
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
        f"(concurrency 8, {duration:g} s per point)",
        ["page", "req/s", "p50 ms", "p99 ms", "answers >= 400"],
    )
    base_rss = None
    for count in sizes:
        server, ids = prefilled(count, settings)
        try:
            time.sleep(0.5)
            rss = server.rss_kib() / 1024
            base_rss = rss if base_rss is None else base_rss
            per_video = (rss - base_rss) * 1024 * 1024 / (count - sizes[0]) if count > sizes[0] else None
            target = ids[len(ids) // 2]
            found = loadgen.run(server.url, Request("GET", f"/videos/{target}", AUTH), 8, duration, cap)
            memory.add(
                f"{count:,}",
                f"{rss:.0f}",
                f"{per_video:,.0f}" if per_video else "(baseline)",
                f"{found.rps:,.0f}",
                f"{found.p50_ms:.2f}",
                f"{found.p99_ms:.2f}",
            )
            section.figures[f"store_{count}"] = {
                "rss_mib": round(rss, 1),
                "retrieve_rps": round(found.rps),
                "retrieve_p99_ms": round(found.p99_ms, 3),
            }
            if count == sizes[-1]:
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
                for label, path in pages.items():
                    page = loadgen.run(server.url, Request("GET", path, AUTH), 8, duration, cap)
                    paging.add(
                        label, f"{page.rps:,.0f}", f"{page.p50_ms:.2f}", f"{page.p99_ms:.2f}", page.bad_status
                    )
                    section.figures[f"list_{label}"] = {
                        "rps": round(page.rps),
                        "p99_ms": round(page.p99_ms, 3),
                    }
        finally:
            server.stop()
    section.tables += [memory, paging]
    big = section.figures.get(f"store_{sizes[-1]}", {})
    first = section.figures.get("list_desc, after the 20th newest", {})
    deep = section.figures.get("list_desc, 40 from the oldest", {})
    section.figures["_headline"] = [
        f"Scale: {sizes[-1]:,} stored videos take {big.get('rss_mib', 0):.0f} MiB RSS; retrieve p99 "
        f"{big.get('retrieve_p99_ms', 0):.2f} ms; a list page deep in the list "
        f"{deep.get('rps', 0):,} req/s vs {first.get('rps', 0):,} near the start (flat in the offset)"
    ]
    section.notes.append(
        "RSS is the server process's resident memory after start-up (the effective spec compiled, the "
        "store filled); bytes per video is the growth over the one-video baseline divided by the "
        "videos added. Each page holds 20 full Video objects."
    )
    return section
