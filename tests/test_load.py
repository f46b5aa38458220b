"""Bounded load over real HTTP: the mock (uvicorn, in this process, 127.0.0.1) against concurrent
clients in another process (tests/load_driver.py) mixing create (JSON and multipart, half with an
Idempotency-Key), extend, retrieve, list (single pages and full walks) and delete.

Held when the run ends with: zero 5xx and zero transport errors; no 4xx that no rule explains;
no id acknowledged twice; no list walk with a repeat, a gap (a video acknowledged before the walk
and not deleted during it, missing) or a stranger (another key's id); every acknowledged id not
deleted is retrievable and reaches a terminal state, every deleted one is 404, and a full walk
lists exactly the live ones; the store holds only the live videos plus at most the bounded
tombstones and idempotent answers; memory (RSS) stops growing once the live set is steady.

The quick variant (a few seconds) runs with the normal suite; the full ones (64 clients, 60 s, on
the in-memory store and on the SQLite store) are marked ``load``, skipped by default:
``.venv/bin/pytest -m load -s`` runs them and prints their figures.
"""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability_support import serve
from videos_toolkit.mock import MockConfig, create_app
from videos_toolkit.mock.sqlite_store import SqliteStore
from videos_toolkit.mock.store import IDEMPOTENCY_LIMIT, InMemoryStore

ROOT = Path(__file__).resolve().parent.parent
# Tombstones kept per key in these runs: small enough that a run deletes more per key than this,
# so a tombstone leak shows.
FULL_CAP, QUICK_CAP = 200, 30


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def walk(client: httpx.Client, key: str) -> list[str]:
    ids, after = [], None
    while True:
        params = {"limit": 100, "order": "asc", **({"after": after} if after else {})}
        page = client.get("/videos", params=params, headers={"Authorization": f"Bearer {key}"}).json()
        ids += [v["id"] for v in page["data"]]
        if not page["has_more"]:
            return ids
        after = page["last_id"]


def run_load(
    clients: int, keys: int, duration: float, *, cap: int, keep: int = 8, state_file: Path | None = None
) -> dict:
    if state_file is None:
        store: InMemoryStore | SqliteStore = InMemoryStore(tombstones_per_owner=cap)
    else:
        store = SqliteStore(state_file, tombstones_per_owner=cap)
    app = create_app(MockConfig(speed=20), store=store)
    with serve(app, log_level="warning", timeout_keep_alive=30) as served:
        samples: list[tuple[float, float]] = []
        rss_start = rss_mib()
        driver = subprocess.Popen(
            [sys.executable, "-m", "tests.load_driver", "--base-url", served.base_url,
             "--clients", str(clients), "--keys", str(keys), "--duration", str(duration),
             "--keep", str(keep), "--min-deletes", str(2 * keys * cap + 1)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        started = time.monotonic()
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.25):
                samples.append((time.monotonic() - started, rss_mib()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            out, err = driver.communicate(timeout=11 * duration + 120)
        finally:
            stop.set()
            sampler.join()
            if driver.poll() is None:
                driver.kill()
        assert driver.returncode == 0, err.decode()
        summary = json.loads(out)
        footprint_after_run = store.footprint()

        # -- after the run: every acknowledged job accounted for ---------------------------------
        time.sleep(0.3)  # 2.75 mock seconds at speed 20: every job is terminal now
        lost = not_terminal = resurrected = listed_wrong = 0
        with httpx.Client(base_url=served.base_url, timeout=30) as client:
            for key, acked in summary["acked"].items():
                auth = {"Authorization": f"Bearer {key}"}
                deleted = set(summary["deleted"].get(key, []))
                live = [ident for ident in acked if ident not in deleted]
                listed = walk(client, key)
                listed_wrong += len(listed) - len(set(listed)) + len(set(listed) ^ set(live))
                for ident in live:
                    response = client.get(f"/videos/{ident}", headers=auth)
                    if response.status_code != 200:
                        lost += 1
                    elif response.json()["status"] not in ("completed", "failed"):
                        not_terminal += 1
                for ident in deleted:
                    resurrected += client.get(f"/videos/{ident}", headers=auth).status_code != 404
                for ident in live:  # drain: the store must give the memory back
                    client.delete(f"/videos/{ident}", headers=auth)
        footprint_drained = store.footprint()
        rss_end = rss_mib()
    store.close()

    acked_total = sum(len(ids) for ids in summary["acked"].values())
    deleted_total = sum(len(ids) for ids in summary["deleted"].values())
    third = [rss for t, rss in samples if t >= duration / 3]
    figures = {
        "store": type(store).__name__,
        "clients": clients,
        "tombstone_cap": cap,
        "keys": keys,
        "duration_s": summary["duration_s"],
        "requests": summary["requests"],
        "requests_per_s": summary["requests_per_s"],
        "server_errors": summary["server_errors"],
        "transport_errors": summary["transport_errors"],
        "unexpected_4xx": summary["unexpected_count"],
        "jobs_acknowledged": acked_total,
        "jobs_deleted": deleted_total,
        "jobs_lost": lost,
        "jobs_not_terminal": not_terminal,
        "deleted_but_found": resurrected,
        "duplicates": summary["duplicates"],
        "list": summary["list"],
        "final_list_mismatches": listed_wrong,
        "footprint_after_run": footprint_after_run,
        "footprint_drained": footprint_drained,
        "rss_mib": {
            "start": round(rss_start, 1),
            "at_one_third": round(third[0], 1) if third else None,
            "peak": round(max(r for _, r in samples), 1) if samples else None,
            "end_of_run": round(samples[-1][1], 1) if samples else None,
            "after_drain": round(rss_end, 1),
        },
        "statuses": summary["statuses"],
        "unexpected": summary["unexpected"][:5],
    }
    print("\nload figures:", json.dumps(figures, indent=1))
    return figures


def assert_held(figures: dict) -> None:
    keys, cap = figures["keys"], figures["tombstone_cap"]
    assert figures["server_errors"] == 0, figures["statuses"]
    assert figures["transport_errors"] == {}, figures["transport_errors"]
    assert figures["unexpected_4xx"] == 0, figures["unexpected"]
    assert figures["duplicates"] == 0
    assert figures["jobs_lost"] == 0 and figures["jobs_not_terminal"] == 0
    assert figures["deleted_but_found"] == 0
    assert figures["final_list_mismatches"] == 0
    walks = figures["list"]
    assert walks["walks"] > 0 and (walks["repeats"], walks["gaps"], walks["strangers"]) == (0, 0, 0), walks
    assert figures["jobs_deleted"] > 2 * keys * cap, "too few deletions to fill the tombstone caps"
    drained = figures["footprint_drained"]
    assert drained["videos"] == 0
    assert drained["tombstones"] <= keys * cap, drained  # bounded, not one per deletion ever
    assert drained["answers"] <= IDEMPOTENCY_LIMIT


def test_quick_load():
    """A few seconds with the normal suite: the same invariants, smaller."""
    figures = run_load(clients=16, keys=2, duration=3, cap=QUICK_CAP, keep=3)
    assert_held(figures)


@pytest.mark.load
def test_full_load():
    figures = run_load(clients=64, keys=16, duration=60, cap=FULL_CAP)
    assert_held(figures)
    rss = figures["rss_mib"]
    # Once the live set is steady (deletes keep pace with creates), memory stops growing: from a
    # third of the run to its end the RSS may rise by little (allocator noise, bounded caches
    # filling), not by a leak's worth.
    assert rss["end_of_run"] - rss["at_one_third"] <= 16, rss


@pytest.mark.load
def test_full_load_on_the_sqlite_store(tmp_path):
    figures = run_load(clients=64, keys=16, duration=60, cap=FULL_CAP, state_file=tmp_path / "state.db")
    assert_held(figures)
