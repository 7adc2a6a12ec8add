"""Big groups on a real HSDS (127.0.0.1), listed a page at a time through HSDS's paginated links API."""

from __future__ import annotations

import logging

import pytest
from fixtures.trees import assert_same_tree

import h5lens
from h5lens.tree_rows import page_info

h5pyd = pytest.importorskip("h5pyd")

DOMAIN = "/home/alice/pages.h5"
MEMBERS = 240


@pytest.fixture(scope="module")
def login(hsds_server):
    endpoint, user, password = hsds_server
    login = {"endpoint": endpoint, "username": user, "password": password}
    with h5pyd.File(DOMAIN, "w", **login) as f:
        wide = f.create_group("wide")
        wide.attrs["title"] = "many members"
        for i in range(MEMBERS):
            g = wide.create_group(f"member_{i:04d}")
            if i % 60 == 0:
                g.create_group("inside")
        wide.create_dataset("values", data=list(range(5)))
        wide["soft"] = h5pyd.SoftLink("/wide/member_0003")
        ordered = f.create_group("ordered", track_order=True)
        for name in ("zeta", "alpha", "mu", "beta"):
            ordered.create_group(name)
    return login


def as_if_not_summarised(root) -> None:
    """Forget what the domain request brought (HSDS summarises a domain within seconds of its last write)."""
    db = root._h5.id.db
    brought = getattr(db.plugin, "_domain_objs", {})
    for obj_id in [k for k in db.db if k != root._h5.id.id] + list(brought):
        db.db.pop(obj_id, None)
        brought.pop(obj_id, None)


def recording(root) -> list:
    """Every request h5pyd's connection sends from now on, as ``(path, params)``."""
    conn = root._h5.id.db.plugin.http_conn
    sent, get = [], conn.GET

    def counted(req, *args, **kwargs):
        sent.append((req, dict(kwargs.get("params") or {})))
        return get(req, *args, **kwargs)

    conn.GET = counted
    return sent


def test_a_page_of_a_big_group_lists_only_that_page(login, caplog):
    caplog.set_level(logging.DEBUG)
    with h5lens.open(f"hdf5:/{DOMAIN}", **login) as root:
        as_if_not_summarised(root)
        sent = recording(root)
        wide = root["wide"]
        wide_id = wide._h5.id.id
        assert len(wide) == MEMBERS + 2  # linkCount: no listing
        rows = page_info(wide.page(0, 50), 1.0)
        assert [r["name"] for r in rows] == [f"member_{i:04d}" for i in range(50)]
        assert rows[0]["label"] == "1 member" and rows[1]["label"] == "0 members"
        whole = [(req, p) for req, p in sent if req == f"/groups/{wide_id}" and p.get("include_links")]
        assert whole == []  # the group never came with its 242 links
        listings = [p for req, p in sent if req == f"/groups/{wide_id}/links"]
        assert listings == [{"Limit": 50}]
        later = wide.page(50, 100)  # the next page starts after the last name listed
        assert [n.name for n in later] == [f"member_{i:04d}" for i in range(50, 100)]
        assert [p for req, p in sent if req == f"/groups/{wide_id}/links"][1:] == \
            [{"Limit": 50, "Marker": "member_0049"}]
        assert wide.attrs["title"] == "many members"
        # h5pyd itself, asked for a member no page brought, fetches the rest of the links
        assert wide._h5["member_0200"].name == "/wide/member_0200"
        assert wide._h5.get("soft", getlink=True).path == "/wide/member_0003"
        assert len(wide._h5) == MEMBERS + 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert login["password"] not in logged


def test_the_tree_widget_pages_a_big_group(login):
    """The tree's ``children`` command: the row of /wide says its member count, its expansion shows 50
    rows out of the total, and the next page follows; no request brings all of /wide's links."""
    from h5lens.widgets.tree import Tree

    root = h5lens.open(f"hdf5:/{DOMAIN}", **login)
    as_if_not_summarised(root)
    sent = recording(root)
    tree = Tree(root, page_size=50)
    top, _ = tree.children({"path": "/"}, [])
    # the members are not fetched yet: the page goes out with names and kinds, ``rows`` brings the rest
    assert [(r["name"], r["kind"], r["label"], r.get("pending")) for r in top["items"]] == \
        [("ordered", "group", "", True), ("wide", "group", "", True)]
    full, _ = tree.rows({"path": "/", "paths": [r["path"] for r in top["items"]]}, [])
    assert [(r["name"], r["label"], r.get("pending")) for r in full["items"]] == \
        [("ordered", "4 members", None), ("wide", f"{MEMBERS + 2} members", None)]
    again, _ = tree.children({"path": "/"}, [])  # fetched now: full rows at once
    assert again["items"] == full["items"]
    first, _ = tree.children({"path": "/wide"}, [])
    assert (first["total"], first["next"], first["more"], len(first["items"])) == (MEMBERS + 2, 50, True, 50)
    second, _ = tree.children({"path": "/wide", "start": 50}, [])
    assert [r["name"] for r in second["items"]] == [f"member_{i:04d}" for i in range(50, 100)]
    wide_id = root["wide"]._h5.id.id
    assert not [p for req, p in sent if req == f"/groups/{wide_id}" and p.get("include_links")]
    assert len([p for req, p in sent if req == f"/groups/{wide_id}/links"]) == 2
    tree.close()
    root.close()

def test_a_page_of_unfetched_members_goes_out_before_them(login):
    """A page of members h5pyd has not fetched goes out with names and kinds (from the links' target ids),
    no member fetched; ``rows`` then fetches them together and gives the rows a
    whole page would have had; soft links and members fetched already come whole in the first reply."""
    from h5lens.widgets.tree import Tree

    with h5lens.open(f"hdf5:/{DOMAIN}", **login) as root, h5lens.open(f"hdf5:/{DOMAIN}", **login) as plain:
        as_if_not_summarised(root)
        tree, whole = Tree(root), Tree(plain)
        tree.children({"path": "/"}, [])
        wide_id = root["wide"]._h5.id.id
        root["wide"].child("member_0002")  # fetched already: its row comes whole
        sent = recording(root)
        page, _ = tree.children({"path": "/wide", "start": 230, "limit": 12}, [])
        db = root._h5.id.db
        ids = {db.getLink(wide_id, r["name"])["id"] for r in page["items"] if r.get("pending")}
        assert not [req for req, _ in sent if req.split("/")[2] in ids]  # no pending member fetched
        assert len(sent) == 1  # the soft link's target (followed to say the link is not broken)
        expected, _ = whole.children({"path": "/wide", "start": 230, "limit": 12, "whole": True}, [])
        assert [(r["name"], r["kind"], r["expandable"]) for r in page["items"]] == \
            [(r["name"], r["kind"], r["expandable"]) for r in expected["items"]]
        pending = [r for r in page["items"] if r.get("pending")]
        assert [r["name"] for r in pending] == [f"member_{i:04d}" for i in range(230, 240)] + ["values"]
        assert [r["kind"] for r in pending][-2:] == ["group", "dataset"]
        soft = page["items"][-2]
        assert (soft["name"], soft["kind"], soft["link"]["target"]) == ("soft", "link", "/wide/member_0003")
        full, _ = tree.rows({"path": "/wide", "paths": [r["path"] for r in pending] + ["/wide/gone"]}, [])
        by_path = {r["path"]: r for r in expected["items"]}
        assert full["items"] == [by_path[r["path"]] for r in pending]
        small, _ = tree.children({"path": "/wide", "start": 0, "limit": 3}, [])
        assert [r.get("pending", False) for r in small["items"]] == [True, True, False]  # member_0002 cached
        assert small["items"][2] == whole.children({"path": "/wide", "limit": 3, "whole": True}, [])[0]["items"][2]
        tree.close()
        whole.close()


def test_local_files_never_send_pending_rows(tmp_path):
    import h5py

    from h5lens.widgets.tree import Tree

    path = tmp_path / "local.h5"
    with h5py.File(path, "w") as f:
        for i in range(30):
            f.create_group(f"g{i:02d}").create_dataset("d", data=[i])
    tree = Tree(str(path))
    page, _ = tree.children({"path": "/"}, [])
    assert len(page["items"]) == 30 and not any(r.get("pending") for r in page["items"])
    assert page["items"][0]["label"] == "1 member"
    tree.close()


def test_the_tree_equals_h5pyd_alone(login):
    """Names, order (by name, or creation order), links, attributes: the same as h5pyd's own listing."""
    with h5lens.open(f"hdf5:/{DOMAIN}", **login) as root, h5lens.open(f"hdf5:/{DOMAIN}", **login) as plain:
        as_if_not_summarised(root)
        plain.owner.prefetch = plain.owner.names_page = plain.owner.member_count = None
        assert root["ordered"].keys() == ["zeta", "alpha", "mu", "beta"] == plain["ordered"].keys()
        assert [n.name for n in root["wide"].page(230, 250)] == \
            [f"member_{i:04d}" for i in range(230, 240)] + ["soft", "values"]
        assert root["wide/soft"].kind == "link" and root["wide/soft"].target == "/wide/member_0003"
        assert root["wide/values"][()].tolist() == [0, 1, 2, 3, 4]
        assert_same_tree(plain, root)



@pytest.fixture(scope="module")
def deflating_hsds(tmp_path_factory):
    """An HSDS with ``http_compression`` on (it deflates replies for clients that accept it), behind a
    proxy counting the bytes sent back; yields (proxy, login, expected frame)."""
    import numpy as np
    from fixtures.delay_proxy import DelayProxy
    from fixtures.servers import hsds

    root = tmp_path_factory.mktemp("hsds-deflate")
    user, password = "carol", "deflate-pw-7c1"
    server = hsds(root / "data", user, password, log=root / "hsds.log", config={"http_compression": 1})
    proxy = None
    try:
        login = {"endpoint": server.url, "username": user, "password": password}
        for folder in ("/home/", "/home/carol/"):
            h5pyd.Folder(folder, mode="x", **login).close()
        frame = np.random.default_rng(7).poisson(0.3, (600, 700)).astype(np.uint16)  # detector-like, sparse
        with h5pyd.File("/home/carol/frames.h5", "w", **login) as f:
            f.create_dataset("entry/data", data=frame[None], chunks=(1, 600, 700), compression="gzip")
        proxy = DelayProxy(server.port, 0.0)
        yield proxy, {**login, "endpoint": proxy.url(server.url)}, frame
    finally:
        if proxy is not None:
            proxy.stop()
        server.stop()


def test_frames_arrive_deflated_from_an_hsds_that_compresses(deflating_hsds):
    """h5lens reads through h5pyd, which asks for ``deflate, gzip``: the frame crosses the network
    compressed (HSDS sends it uncompressed by default) and decodes to the same values."""
    import numpy as np

    proxy, login, frame = deflating_hsds
    with h5lens.open("hdf5://home/carol/frames.h5", **login) as root:
        data = root["entry/data"]
        assert data.shape == (1, 600, 700)
        proxy.reset()
        got = data[0]
        _, sent = proxy.counts()
    np.testing.assert_array_equal(got, frame)
    assert sent < frame.nbytes / 4, (sent, frame.nbytes)
