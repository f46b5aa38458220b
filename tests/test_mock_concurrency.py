"""Many clients at once through the real server (uvicorn on 127.0.0.1): creating, extending (by id
and by upload) and listing concurrently loses no job and mixes none up.

16 clients share 8 keys (2 clients per key), each an asyncio task with its own connection; every
client sends several requests at once. Bounded: about 550 requests in all.
"""

import asyncio
import random
from dataclasses import dataclass, field

import httpx
import pytest

LIVE_MOCK_CONFIG = {"speed": 1}  # the test moves the mock clock itself
KEYS = [f"sk-conc-{n}" for n in range(8)]
CLIENTS_PER_KEY = 2
EXTENSIONS = ["4", "8", "12", "16", "20"]


@dataclass
class Job:
    id: str
    key: str
    seconds: str  # what the mock must report: the requested or the stitched duration


@dataclass
class Client:
    key: str
    rng: random.Random
    http: httpx.AsyncClient
    jobs: list[Job] = field(default_factory=list)
    list_passes: list[list[str]] = field(default_factory=list)

    async def create(self) -> Job:
        seconds = self.rng.choice(["4", "8", "12"])
        response = await self.http.post("/videos", files={"prompt": (None, "p"), "seconds": (None, seconds)})
        assert response.status_code == 200, response.text
        video = response.json()
        assert video["seconds"] == seconds
        job = Job(video["id"], self.key, seconds)
        self.jobs.append(job)
        return job

    async def extend_by_id(self, source: Job) -> None:
        extension = self.rng.choice(EXTENSIONS)
        if self.rng.random() < 0.5:
            response = await self.http.post(
                "/videos/extensions",
                json={"prompt": "more", "seconds": extension, "video": {"id": source.id}},
            )
        else:
            fields = {"prompt": "more", "seconds": extension, "video[id]": source.id}
            response = await self.http.post(
                "/videos/extensions", files={k: (None, v) for k, v in fields.items()}
            )
        assert response.status_code == 200, response.text
        video = response.json()
        self.jobs.append(Job(video["id"], self.key, str(int(source.seconds) + int(extension))))

    async def extend_by_upload(self, source: Job) -> None:
        content = await self.http.get(f"/videos/{source.id}/content")
        assert content.status_code == 200, content.text
        extension = self.rng.choice(EXTENSIONS)
        files = {
            "prompt": (None, "more"),
            "seconds": (None, extension),
            "video": ("clip.mp4", content.content, "video/mp4"),
        }
        response = await self.http.post("/videos/extensions", files=files)
        assert response.status_code == 200, response.text
        self.jobs.append(Job(response.json()["id"], self.key, str(int(source.seconds) + int(extension))))

    async def list_all(self, order: str = "asc", limit: int = 3) -> list[str]:
        ids: list[str] = []
        after = None
        while True:
            params: dict[str, str | int] = {"limit": limit, "order": order}
            if after:
                params["after"] = after
            response = await self.http.get("/videos", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            ids += [video["id"] for video in page["data"]]
            if not page["has_more"]:
                return ids
            after = page["last_id"]


def http_for(base_url: str, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


async def run(base_url: str, advance) -> list[Client]:
    clients = [
        Client(key, random.Random(f"{key}/{n}"), http_for(base_url, key))
        for key in KEYS
        for n in range(CLIENTS_PER_KEY)
    ]
    try:
        # phase 1: every client creates two videos, all at once
        await asyncio.gather(*(client.create() for client in clients for _ in range(2)))
        advance(10)  # every job so far completes
        sources = {id(client): list(client.jobs) for client in clients}

        # phase 2: all at once, each client creates more, extends its completed videos and lists
        async def busy(client: Client) -> None:
            first, second = sources[id(client)]

            async def lister() -> None:
                for order in ("asc", "desc"):
                    client.list_passes.append(await client.list_all(order))

            await asyncio.gather(
                *(client.create() for _ in range(2)),
                client.extend_by_id(first),
                client.extend_by_id(second),
                client.extend_by_upload(second),
                lister(),
            )

        await asyncio.gather(*(busy(client) for client in clients))
        advance(10)
        return clients
    finally:
        await asyncio.gather(*(client.http.aclose() for client in clients))


@pytest.fixture(scope="module")
def outcome(live_mock):
    clients = asyncio.run(run(live_mock.base_url, live_mock.runtime.clock.advance))
    return live_mock, clients


def test_no_acknowledged_id_is_duplicated(outcome):
    _, clients = outcome
    ids = [job.id for client in clients for job in client.jobs]
    assert len(ids) == len(clients) * 7  # 2 + 2 created, 3 extensions per client
    assert len(set(ids)) == len(ids)


def test_every_job_is_retrievable_by_its_owner_only_with_the_right_seconds(outcome):
    live, clients = outcome

    async def check(client: Client) -> None:
        async with http_for(live.base_url, client.key) as http:
            for job in client.jobs:
                mine = await http.get(f"/videos/{job.id}")
                assert mine.status_code == 200, mine.text
                video = mine.json()
                assert (video["id"], video["seconds"], video["status"]) == (job.id, job.seconds, "completed")
                stranger = KEYS[(KEYS.index(job.key) + 1) % len(KEYS)]
                theirs = await http.get(f"/videos/{job.id}", headers={"Authorization": f"Bearer {stranger}"})
                assert theirs.status_code == 404

    async def check_all() -> None:
        await asyncio.gather(*(check(client) for client in clients))

    asyncio.run(check_all())


def test_lists_hold_exactly_each_keys_jobs_without_gaps_or_repeats(outcome):
    live, clients = outcome
    by_key: dict[str, set[str]] = {}
    for client in clients:
        by_key.setdefault(client.key, set()).update(job.id for job in client.jobs)

    async def check() -> None:
        for key, expected in by_key.items():
            async with http_for(live.base_url, key) as http:
                probe = Client(key, random.Random(0), http)
                ascending = await probe.list_all("asc", limit=4)
                descending = await probe.list_all("desc", limit=5)
            assert len(ascending) == len(set(ascending)) and set(ascending) == expected
            assert descending == ascending[::-1]

    asyncio.run(check())


def test_lists_taken_during_the_inserts_had_no_repeats(outcome):
    _, clients = outcome
    for client in clients:
        assert len(client.list_passes) == 2
        for ids in client.list_passes:
            assert len(ids) == len(set(ids)), "a page repeated a video"
            own = {job.id for c in clients if c.key == client.key for job in c.jobs}
            assert set(ids) <= own, "a list showed another key's video"
            # the videos that existed before the pass started are all there (no gaps)
            before = {job.id for c in clients if c.key == client.key for job in c.jobs[:2]}
            assert before <= set(ids)
