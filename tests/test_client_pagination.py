"""Pagination: iterating videos.list() walks every page lazily, following last_id as after."""

import videos_client

from tests.client_support import Scripts, async_client, mock_app, run, sync_client

LIVE_MOCK_CONFIG = {"speed": 100}


def create_videos(client, count: int) -> list[str]:
    return [client.videos.create(prompt=f"cat number {n}").id for n in range(count)]


def list_requests(scripts: Scripts) -> int:
    return sum(1 for method, path in scripts.seen if (method, path) == ("GET", "/v1/videos"))


def test_iterating_a_page_walks_every_page_newest_first():
    scripts = Scripts(mock_app())
    with sync_client(scripts) as client:
        ids = create_videos(client, 7)
        page = client.videos.list(limit=3)
        assert len(page.data) == 3 and page.has_more and page.has_next_page()
        assert page.first_id == page.data[0].id and page.last_id == page.data[-1].id
        walked = [video.id for video in page]
    assert walked == ids[::-1]
    assert list_requests(scripts) == 3  # pages of 3, 3 and 1


def test_pages_are_fetched_only_when_needed():
    scripts = Scripts(mock_app())
    with sync_client(scripts) as client:
        create_videos(client, 5)
        videos = iter(client.videos.list(limit=2))
        first_two = [next(videos).id, next(videos).id]
        assert list_requests(scripts) == 1
        next(videos)
        assert list_requests(scripts) == 2
    assert len(set(first_two)) == 2


def test_manual_paging_and_order():
    app = mock_app()
    with sync_client(app) as client:
        ids = create_videos(client, 5)
        first = client.videos.list(limit=2, order="asc")
        pages = list(first.iter_pages())
        assert [[v.id for v in p.data] for p in pages] == [ids[0:2], ids[2:4], ids[4:5]]
        last = pages[-1]
        assert not last.has_next_page() and last.has_more is False
        second = first.get_next_page()
        assert [v.id for v in second.data] == ids[2:4]
        assert [v.id for v in client.videos.list(after=ids[1], order="asc")] == ids[2:]


def test_an_empty_list_has_no_next_page():
    with sync_client(mock_app()) as client:
        page = client.videos.list()
        assert page.data == [] and not page.has_next_page() and list(page) == []


def test_the_async_client_iterates_lazily_across_pages():
    scripts = Scripts(mock_app())

    async def scenario():
        async with async_client(scripts) as client:
            ids = [(await client.videos.create(prompt=f"cat {n}")).id for n in range(5)]
            walked = [video.id async for video in client.videos.list(limit=2)]
            page = await client.videos.list(limit=2, order="asc")
            pages = [[v.id for v in p.data] async for p in page.iter_pages()]
            return ids, walked, pages

    ids, walked, pages = run(scenario())
    assert walked == ids[::-1]
    assert pages == [ids[0:2], ids[2:4], ids[4:5]]
    assert list_requests(scripts) == 6


def test_pagination_over_http(live_mock):
    # A key of its own: the mock keeps each key's videos apart, so other tests' videos stay out.
    with videos_client.VideosClient(api_key="sk-pages", base_url=live_mock.base_url) as client:
        ids = create_videos(client, 4)
        assert [video.id for video in client.videos.list(limit=3)] == ids[::-1]
        deleted = client.videos.delete(ids[0])
        assert deleted.deleted and deleted.id == ids[0]
        assert [video.id for video in client.videos.list(limit=1)] == ids[:0:-1]
