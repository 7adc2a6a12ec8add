"""Tree widget and the widget base, driven without a kernel by calling the commands."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import traitlets

from h5lens import wire
from h5lens.nodes.hdf5 import open_hdf5
from h5lens.widgets import _base
from h5lens.widgets.tree import Tree, item_info


@pytest.fixture
def h5file(tmp_path):
    path = tmp_path / "t.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = np.bytes_(b"NXentry")
        entry["image"] = np.zeros((4, 5), dtype=">f4")
        g = f.create_group("many")
        for i in range(1200):
            g[f"n{i:05d}"] = i
        f["ext"] = h5py.ExternalLink("absent.h5", "/x")
        f["soft"] = h5py.SoftLink("/entry")
    return path


@pytest.fixture
def tree(h5file):
    t = Tree(open_hdf5(h5file), page_size=100)
    yield t
    t.close()
    t.root.close()


# -- the base: envelope, binary replies, bundles ---------------------------------------------
class _Probe(_base.H5Widget):
    _esm = "export default {}"

    @_base.command
    def good(self, msg, buffers):
        return {"echo": msg.get("x"), "n": len(buffers)}

    @_base.command
    def binary(self, msg, buffers):
        return _base.array_reply(np.arange(3, dtype=">i2"), note="x")

    @_base.command
    def bad(self, msg, buffers):
        raise KeyError("no member 'zz'")

    def _fallback_html(self):
        raise RuntimeError("<boom>")


def test_command_envelope_ok_error_and_binary():
    w = _Probe()
    assert w.good({"x": 3}, [b"ab"]) == ({"ok": True, "echo": 3, "n": 1}, [])
    assert w.good(None, None) == ({"ok": True, "echo": None, "n": 0}, [])  # malformed message
    reply, bufs = w.bad({}, [])
    assert reply == {"ok": False, "error": {"type": "KeyError", "message": "no member 'zz'"}} and bufs == []
    reply, bufs = w.binary({}, [])
    assert reply["ok"] and reply["note"] == "x" and reply["array"]["dtype"] == "int16"
    assert wire.decode(reply["array"], bufs).tolist() == [0, 1, 2]
    assert "bad" in type(w)._anywidget_commands  # registered with anywidget


def test_anywidget_dispatch_never_raises_into_the_comm():
    w = _Probe()
    sent = []
    w.send = lambda content, buffers=None: sent.append(content)
    w._handle_custom_msg({"kind": "anywidget-command", "id": "1", "name": "bad", "msg": {}}, [])
    assert sent[0]["id"] == "1" and sent[0]["response"]["ok"] is False


def test_fallback_errors_are_escaped_and_keep_the_live_view():
    data, _ = _Probe()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/html"] == "<pre>RuntimeError: &lt;boom&gt;</pre>"


def test_missing_bundle_says_how_to_build():
    with pytest.raises(FileNotFoundError, match="python hatch_build.py"):
        _base.bundle("no-such-widget")
    assert _base.bundle("tree").name == "tree.js"


# -- the tree ---------------------------------------------------------------------------------
def test_children_pages_and_counts(tree):
    # the first page goes out before the group is counted (a classic HDF5 group's count walks its index)
    reply, _ = tree.children({"path": "/many", "start": 0}, [])
    assert reply["ok"] and reply["total"] is None and len(reply["items"]) == 100
    assert reply["more"] and reply["next"] == 100
    assert tree.root["many"]._counted is None  # not counted behind the reply's back
    reply, _ = tree.children({"path": "/many", "start": 1150, "limit": 100}, [])
    assert [i["name"] for i in reply["items"]][0] == "n01150" and len(reply["items"]) == 50
    assert not reply["more"] and reply["total"] == 1200  # the page reached the end: the count is exact
    count, _ = tree.count({"path": "/many"}, [])
    assert count == {"ok": True, "path": "/many", "total": 1200, "label": "1200 members"}
    reply, _ = tree.children({"path": "/many", "start": 100}, [])  # counted: later pages say the total
    assert reply["total"] == 1200 and reply["next"] == 200 and reply["more"]


def test_a_page_ending_exactly_at_the_group_end_says_no_more(tree):
    reply, _ = tree.children({"path": "/many", "start": 1100, "limit": 100}, [])
    assert len(reply["items"]) == 100 and not reply["more"] and reply["total"] == 1200
    reply, _ = tree.children({"path": "/many", "start": 1200, "limit": 100}, [])
    assert reply["items"] == [] and not reply["more"] and reply["total"] is None  # past the end: unknown
    assert tree.count({"path": "/many"}, [])[0]["total"] == 1200
    assert tree.count({"path": "/nope"}, [])[0]["ok"] is False


def test_children_ensure_reaches_or_detaches(tree):
    reply, _ = tree.children({"path": "/many", "limit": 10, "ensure": "n00500"}, [])
    assert len(reply["items"]) == 501 and reply["next"] == 501
    import h5lens.widgets.tree as mod
    old, mod.REVEAL_LIMIT = mod.REVEAL_LIMIT, 100
    try:
        reply, _ = tree.children({"path": "/many", "limit": 10, "ensure": "n00500"}, [])
    finally:
        mod.REVEAL_LIMIT = old
    assert len(reply["items"]) == 11 and reply["items"][-1]["detached"] and reply["next"] == 10


def test_item_info_labels_badges_links(tree):
    items = {i["name"]: i for i in tree.children({"path": "/"}, [])[0]["items"]}
    assert items["entry"]["nx_class"] == "NXentry" and items["entry"]["label"] == "1 member"
    assert items["ext"]["link"]["broken"] and items["ext"]["link"]["target"] == "absent.h5::/x"
    assert not items["ext"]["expandable"]
    assert items["soft"]["expandable"] and items["soft"]["nx_class"] == "NXentry"
    image = tree.children({"path": "/soft"}, [])[0]["items"][0]
    assert image["path"] == "/soft/image" and image["label"] == "4 × 5 float32 (big-endian)"


def test_children_errors_are_replies(tree):
    assert tree.children({"path": "/entry/image"}, [])[0]["error"]["type"] == "TypeError"
    assert tree.children({"path": "/ext"}, [])[0]["error"]["type"] == "LinkError"
    assert tree.children({"path": "/nope"}, [])[0]["error"]["type"] == "KeyError"


def test_selected_validation_and_node(tree):
    seen = []
    tree.observe(lambda ch: seen.append(ch["new"]), names="selected")
    tree.selected = "/entry/image"
    assert tree.node.shape == (4, 5) and seen == ["/entry/image"]
    with pytest.raises(traitlets.TraitError, match="cannot select '/entry/zz'"):
        tree.selected = "/entry/zz"
    tree.selected = ""
    assert tree.node is None


def test_search_budget_and_resume(tree):
    tree.search_budget_s = 0.0
    first, _ = tree.search({"query": "N011"}, [])
    assert first["ok"] and not first["complete"]
    tree.search_budget_s = 10
    rest, _ = tree.search({"query": "n011", "resume": True}, [])
    names = [h["name"] for h in first["hits"] + rest["hits"]]
    assert rest["complete"] and sorted(names) == [f"n0{i}" for i in range(1100, 1200)]
    assert rest["scanned"] == 3 + 1200 + 2  # entry, image, many, its members, ext, soft
    assert tree.search({"query": ""}, [])[0]["hits"] == []


def test_fallback_html_is_the_glance(tree):
    data, _ = tree._repr_mimebundle_()
    html = data["text/html"]
    assert "entry" in html and "NXentry" in html


def test_tree_opened_from_path_closes_its_file(h5file):
    t = Tree(str(h5file), selected="/entry")
    assert t.node.path == "/entry"
    t.close()
    assert t.root.closed


def test_item_info_survives_unreadable_members(tree):
    node = tree.root["entry"]
    node.__class__ = type("Broken", (type(node),), {"__len__": lambda self: 1 / 0,
                                                    "count_upto": lambda self, limit: 1 / 0})
    info = item_info(node)
    assert info["label"].startswith("unreadable") and info["error"]


@pytest.fixture
def many_links(tmp_path):
    for i in range(3):
        with h5py.File(tmp_path / f"part{i}.h5", "w") as f:
            f.create_group("entry").attrs["NX_class"] = "NXentry"
    path = tmp_path / "master.h5"
    with h5py.File(path, "w") as f:
        for i in range(3):
            f[f"link{i}"] = h5py.ExternalLink(f"part{i}.h5", "/entry")
        f["lost"] = h5py.ExternalLink("gone.h5", "/entry")
    return path


def test_links_followed_within_budget(many_links):
    t = Tree(open_hdf5(many_links))
    items = {i["name"]: i for i in t.children({"path": "/"}, [])[0]["items"]}
    assert [items[f"link{i}"]["link"]["broken"] for i in range(3)] == [False, False, False]
    assert items["link0"]["nx_class"] == "NXentry" and items["lost"]["link"]["broken"] is True
    t.root.close()


def test_links_past_budget_are_listed_unchecked(many_links):
    t = Tree(open_hdf5(many_links))
    t.link_budget_s = 0.0
    items = t.children({"path": "/"}, [])[0]["items"]
    assert all(i["link"]["broken"] is None and i["expandable"] for i in items)
    assert items[0]["label"] == "→ part0.h5::/entry"
    assert all(t.root[i["name"]]._resolved is None for i in items)  # nothing was opened
    # expanding an unchecked broken link is an error reply naming the link
    err = t.children({"path": "/lost"}, [])[0]
    assert err["error"]["type"] == "LinkError" and "gone.h5" in err["error"]["message"]
    t.root.close()


@pytest.fixture
def badname(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        f.create_group(b"caf\xe9-latin1").create_dataset("x", data=7)
    return path


def test_undecodable_names_travel_as_escapes_and_come_back(badname):
    t = Tree(open_hdf5(badname))
    (item,) = t.children({"path": "/"}, [])[0]["items"]
    assert item["path"] == "/caf\\xe9-latin1" and item["name"] == "caf\\xe9-latin1"
    reply, _ = t.children({"path": item["path"]}, [])
    assert reply["ok"] and reply["items"][0]["path"] == "/caf\\xe9-latin1/x"
    t.selected = "/caf\\xe9-latin1/x"
    assert t.node[()] == 7
    t.selected = t.node.path  # the raw (surrogate-escaped) path is stored in its wire form
    assert t.selected == "/caf\\xe9-latin1/x"
    t.root.close()


def test_replies_that_are_not_strict_json_become_errors():
    class W(_Probe):
        @_base.command
        def nan(self, msg, buffers):
            return {"value": float("nan")}

        @_base.command
        def surrogate(self, msg, buffers):
            return {"path": "/a\udcff"}

    w = W()
    for name in ("nan", "surrogate"):
        reply, _ = getattr(w, name)({}, [])
        assert reply["ok"] is False and "cannot be sent to the browser" in reply["error"]["message"]
    assert w.bad({}, [])[0]["error"]["message"] == "no member 'zz'"
    assert _base.error_reply(KeyError("no member '\udcff'"))["error"]["message"] == "no member '\\udcff'"
