"""The load generator of tests/test_load.py, run as its own process (so it does not share the
server's GIL): N concurrent clients over K API keys mixing create, extend, retrieve, list and
delete against a base URL for a fixed time, then a JSON summary on stdout.

    python -m tests.load_driver --base-url http://127.0.0.1:4010/v1 --clients 64 --keys 16 --duration 60

Each client keeps the ids it was acknowledged; while it holds more than ``--keep`` of them it
deletes its oldest instead of creating, so the live set stays bounded while jobs keep being
created and deleted. Every
list walk (all pages, ``limit`` 7) is recorded with its start and end times, so gaps and repeats can
be judged against what was acknowledged and deleted meanwhile.
"""

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from typing import Any

import httpx

OPERATIONS = ("create", "create_multipart", "extend", "retrieve", "list_page", "list_walk", "delete")
WEIGHTS = (18, 6, 8, 30, 12, 6, 20)


class Shared:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()  # "operation status" -> count
        self.errors: Counter[str] = Counter()  # transport errors by type
        self.acked: dict[str, dict[str, float]] = {}  # key -> id -> when acknowledged
        self.duplicates = 0  # an id acknowledged twice
        self.delete_sent: dict[str, dict[str, float]] = {}  # key -> id -> when the delete was sent
        self.deleted: dict[str, list[str]] = {}  # key -> ids whose delete was answered 200
        self.walks: list[dict[str, Any]] = []
        self.unexpected: list[str] = []  # 4xx answers no rule explains
        self.requests = 0
        self.deadline = self.hard_deadline = 0.0  # see going()
        self.min_deletes = 0

    def going(self) -> bool:
        """Until the duration is up, then on until min_deletes deletions were answered (on a slow
        or busy machine), but never past the hard deadline."""
        now = time.monotonic()
        if now < self.deadline:
            return True
        deleted = sum(len(ids) for ids in self.deleted.values())
        return deleted < self.min_deletes and now < self.hard_deadline


async def client_loop(index: int, key: str, base_url: str, shared: Shared, keep: int, seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    mine: list[str] = []
    acked = shared.acked.setdefault(key, {})
    delete_sent = shared.delete_sent.setdefault(key, {})
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:

        async def call(operation: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
            shared.requests += 1
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                shared.errors[type(exc).__name__] += 1
                return None
            shared.statuses[f"{operation} {response.status_code}"] += 1
            return response

        def acknowledge(response: httpx.Response | None) -> None:
            if response is not None and response.status_code == 200:
                ident = response.json()["id"]
                if ident in acked:
                    shared.duplicates += 1
                acked[ident] = time.monotonic()
                mine.append(ident)

        while shared.going():
            operation = rng.choices(OPERATIONS, WEIGHTS)[0]
            if operation in ("extend", "retrieve", "delete") and not mine:
                operation = "create"
            if operation in ("create", "create_multipart", "extend") and len(mine) > keep:
                operation = "delete"  # deletes keep pace with creates: the live set stays bounded
            prompt = f"load {index} {rng.random():.6f}" + (" [fail]" if rng.random() < 0.05 else "")
            if operation == "create":
                body = {"prompt": prompt, "seconds": rng.choice(["4", "8", "12"])}
                # half the creates carry an Idempotency-Key, as a retrying client sends them
                keyed = {"Idempotency-Key": f"{index}-{rng.getrandbits(64):x}"} if rng.random() < 0.5 else {}
                acknowledge(await call(operation, "POST", "/videos", json=body, headers=keyed))
            elif operation == "create_multipart":
                files = {"prompt": (None, prompt), "size": (None, "1280x720")}
                acknowledge(await call(operation, "POST", "/videos", files=files))
            elif operation == "extend":
                source = rng.choice(mine)
                body = {"prompt": prompt, "seconds": "4", "video": {"id": source}}
                response = await call(operation, "POST", "/videos/extensions", json=body)
                if response is not None and response.status_code == 400:
                    if response.json()["error"]["code"] != "video_not_completed":  # not done yet, or failed
                        shared.unexpected.append(response.text)
                else:
                    acknowledge(response)
            elif operation == "retrieve":
                ident = rng.choice(mine)
                response = await call(operation, "GET", f"/videos/{ident}")
                if response is not None and response.status_code != 200:
                    shared.unexpected.append(f"retrieve {ident}: {response.status_code} {response.text}")
            elif operation == "list_page":
                params = {"limit": rng.choice([1, 5, 20, 100]), "order": rng.choice(["asc", "desc"])}
                response = await call(operation, "GET", "/videos", params=params)
                if response is not None and response.status_code != 200:
                    shared.unexpected.append(f"list: {response.status_code} {response.text}")
            elif operation == "list_walk":
                order = rng.choice(["asc", "desc"])
                started, ids, after = time.monotonic(), [], None
                while True:
                    params = {"limit": 7, "order": order, **({"after": after} if after else {})}
                    response = await call(operation, "GET", "/videos", params=params)
                    if response is None or response.status_code != 200:
                        if response is not None:
                            shared.unexpected.append(f"walk: {response.status_code} {response.text}")
                        break
                    page = response.json()
                    ids += [v["id"] for v in page["data"]]
                    if not page["has_more"]:
                        shared.walks.append(
                            {"key": key, "start": started, "end": time.monotonic(), "ids": ids}
                        )
                        break
                    after = page["last_id"]
            elif operation == "delete":
                ident = mine.pop(0)  # the oldest
                delete_sent[ident] = time.monotonic()
                response = await call(operation, "DELETE", f"/videos/{ident}")
                if response is not None and response.status_code == 200:
                    shared.deleted.setdefault(key, []).append(ident)
                elif response is not None:
                    shared.unexpected.append(f"delete {ident}: {response.status_code} {response.text}")


def judge_walks(shared: Shared) -> dict[str, int]:
    """Repeats: an id twice in one walk. Gaps: a video acknowledged before the walk started and not
    deleted before it ended that the walk missed. Strangers: an id this key was never given."""
    repeats = gaps = strangers = 0
    for walk in shared.walks:
        ids, key = walk["ids"], walk["key"]
        acked, delete_sent = shared.acked.get(key, {}), shared.delete_sent.get(key, {})
        repeats += len(ids) - len(set(ids))
        strangers += len(set(ids) - set(acked))
        expected = {
            ident
            for ident, when in acked.items()
            if when < walk["start"] and delete_sent.get(ident, float("inf")) > walk["end"]
        }
        gaps += len(expected - set(ids))
    return {"walks": len(shared.walks), "repeats": repeats, "gaps": gaps, "strangers": strangers}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    shared = Shared()
    keys = [f"sk-load-{i:02d}" for i in range(args.keys)]
    started = time.monotonic()
    shared.deadline = started + args.duration
    shared.hard_deadline = started + 10 * args.duration + 30
    shared.min_deletes = args.min_deletes
    await asyncio.gather(
        *[
            client_loop(i, keys[i % len(keys)], args.base_url, shared, args.keep, args.seed)
            for i in range(args.clients)
        ]
    )
    elapsed = time.monotonic() - started
    server_errors = sum(n for name, n in shared.statuses.items() if int(name.rsplit(" ", 1)[1]) >= 500)
    return {
        "clients": args.clients,
        "keys": args.keys,
        "duration_s": round(elapsed, 2),
        "requests": shared.requests,
        "requests_per_s": round(shared.requests / elapsed),
        "statuses": dict(sorted(shared.statuses.items())),
        "server_errors": server_errors,
        "transport_errors": dict(shared.errors),
        "duplicates": shared.duplicates,
        "unexpected": shared.unexpected[:20],
        "unexpected_count": len(shared.unexpected),
        "acked": {key: list(ids) for key, ids in shared.acked.items()},
        "deleted": shared.deleted,
        "list": judge_walks(shared),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--keys", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--keep", type=int, default=8, help="live jobs a client holds before deleting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--min-deletes", type=int, default=0, help="go on past --duration until this many deletions"
    )
    args = parser.parse_args(argv)
    if not args.base_url.startswith(("http://127.0.0.1:", "http://localhost:")):
        print("load_driver: loopback base URLs only", file=sys.stderr)
        return 2
    json.dump(asyncio.run(run(args)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
