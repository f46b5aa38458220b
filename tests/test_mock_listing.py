"""List pagination, per-key isolation and deletion."""

import pytest

from videos_toolkit.mock.store import InMemoryStore, UnknownCursor, VideoRecord

OTHER = "Bearer sk-test-key-b"


def pages(handle, headers=None, **params) -> list[dict]:
    out, after = [], None
    while True:
        query = dict(params, **({"after": after} if after else {}))
        response = handle.client.get("/videos", params=query, headers=headers or {})
        assert response.status_code == 200, response.text
        page = response.json()
        out.append(page)
        if not page["has_more"]:
            return out
        after = page["last_id"]


def test_page_shape(mock):
    ids = [mock.create(f"v{i}")["id"] for i in range(3)]
    page = mock.client.get("/videos", params={"limit": 2}).json()
    assert page["object"] == "list"
    assert [v["id"] for v in page["data"]] == ids[::-1][:2]  # newest first by default
    assert page["first_id"] == ids[2] and page["last_id"] == ids[1] and page["has_more"] is True
    empty = mock.client.get("/videos", params={"after": ids[0]}).json()
    assert empty == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_pages_cover_everything_once_in_order(mock, order, limit):
    ids = [mock.create(f"video {i}")["id"] for i in range(7)]
    walked = pages(mock, order=order, limit=limit)
    seen = [v["id"] for page in walked for v in page["data"]]
    assert seen == (ids if order == "asc" else ids[::-1])
    assert all(len(page["data"]) <= limit for page in walked)
    assert len(walked) == max(1, -(-7 // limit))
    for page in walked:
        assert page["first_id"] == page["data"][0]["id"] and page["last_id"] == page["data"][-1]["id"]


def test_default_limit_is_20(mock):
    for i in range(23):
        mock.create(f"v{i}")
    page = mock.client.get("/videos").json()
    assert len(page["data"]) == 20 and page["has_more"] is True


def test_inserts_during_pagination_cause_no_gaps_or_repeats(mock):
    ids = [mock.create(f"v{i}")["id"] for i in range(6)]
    first = mock.client.get("/videos", params={"limit": 3, "order": "asc"}).json()
    late = mock.create("created while paging")["id"]
    rest = pages(mock, order="asc", limit=3)  # from scratch, for the full picture
    seen = [v["id"] for page in rest for v in page["data"]]
    assert seen == [*ids, late]
    second = mock.client.get(
        "/videos", params={"limit": 10, "order": "asc", "after": first["last_id"]}
    ).json()
    assert [v["id"] for v in first["data"] + second["data"]] == [*ids, late]
    # desc pages continue below the cursor: the new video is not repeated or spliced in
    top = mock.client.get("/videos", params={"limit": 2}).json()
    mock.create("another")
    below = mock.client.get("/videos", params={"limit": 100, "after": top["last_id"]}).json()
    assert [v["id"] for v in top["data"] + below["data"]] == [late, *ids[::-1]]


def test_a_cursor_stays_valid_after_its_video_is_deleted(mock):
    ids = [mock.create(f"v{i}")["id"] for i in range(5)]
    page = mock.client.get("/videos", params={"limit": 2, "order": "asc"}).json()
    assert mock.client.delete(f"/videos/{page['last_id']}").status_code == 200
    nxt = mock.client.get("/videos", params={"limit": 10, "order": "asc", "after": page["last_id"]}).json()
    assert [v["id"] for v in nxt["data"]] == ids[2:]


def test_unknown_after_is_404_on_after(mock):
    mock.create()
    response = mock.client.get("/videos", params={"after": "video_unknown"})
    assert response.status_code == 404 and response.json()["error"]["param"] == "after"


def test_keys_are_isolated(mock):
    mine = mock.create("mine")
    theirs = mock.create("theirs", key="sk-test-key-b")
    assert [v["id"] for v in mock.client.get("/videos").json()["data"]] == [mine["id"]]
    listed = mock.client.get("/videos", headers={"Authorization": OTHER}).json()["data"]
    assert [v["id"] for v in listed] == [theirs["id"]]
    for method, path in [
        ("GET", f"/videos/{theirs['id']}"),
        ("DELETE", f"/videos/{theirs['id']}"),
        ("GET", f"/videos/{theirs['id']}/content"),
    ]:
        response = mock.client.request(method, path)
        assert response.status_code == 404 and response.json()["error"]["param"] == "video_id"
    # another key's id is no cursor for me either
    assert mock.client.get("/videos", params={"after": theirs["id"]}).status_code == 404
    assert mock.client.get(f"/videos/{theirs['id']}", headers={"Authorization": OTHER}).status_code == 200


def test_delete_then_404_everywhere(mock):
    video = mock.completed()
    response = mock.client.delete(f"/videos/{video['id']}")
    assert response.status_code == 200
    assert response.json() == {"id": video["id"], "object": "video.deleted", "deleted": True}
    for method, path, kwargs in [
        ("GET", f"/videos/{video['id']}", {}),
        ("DELETE", f"/videos/{video['id']}", {}),
        ("GET", f"/videos/{video['id']}/content", {}),
        ("POST", f"/videos/{video['id']}/remix", {"json": {"prompt": "p"}}),
    ]:
        response = mock.client.request(method, path, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["param"] == "video_id"
    body = {"prompt": "p", "seconds": "4", "video": {"id": video["id"]}}
    for path in ("/videos/extensions", "/videos/edits"):
        response = mock.client.post(
            path, json=body if path.endswith("extensions") else {"prompt": "p", "video": body["video"]}
        )
        assert response.status_code == 404 and response.json()["error"]["param"] == "video"
    assert mock.client.get("/videos").json()["data"] == []


def test_store_pages_by_bisection_with_tombstones():
    store = InMemoryStore()
    for i in range(10):
        store.add_video(VideoRecord(f"v{i}", "o", float(i), "p", "sora-2", "4", "720x1280"))
    store.delete_video("o", "v4")
    page = store.list_videos("o", after="v4", limit=3, order="asc")
    assert [v.id for v in page.items] == ["v5", "v6", "v7"] and page.has_more
    page = store.list_videos("o", after="v4", limit=10, order="desc")
    assert [v.id for v in page.items] == ["v3", "v2", "v1", "v0"] and not page.has_more
    with pytest.raises(UnknownCursor):
        store.list_videos("someone else", after="v1", limit=3, order="asc")
    with pytest.raises(ValueError):
        store.add_video(VideoRecord("v1", "o", 0.0, "p", "sora-2", "4", "720x1280"))


def test_limit_0_is_an_empty_page_that_says_there_is_more(mock):
    mock.create()
    page = mock.client.get("/videos", params={"limit": 0}).json()
    assert (page["data"], page["first_id"], page["last_id"], page["has_more"]) == ([], None, None, True)
