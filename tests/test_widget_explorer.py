"""Explorer commands (inspector, preview) on generated files and the real course files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens import inspector as mod
from h5lens.nodes.hdf5 import open_hdf5
from h5lens.widgets.explorer import Explorer, explore


@pytest.fixture
def gen(tmp_path):
    path = tmp_path / "g.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("stack", shape=(30, 200, 300), dtype="<f4", chunks=(1, 200, 300),
                             compression="gzip", compression_opts=4, shuffle=True, maxshape=(None, 200, 300))
        d[0] = np.arange(200 * 300, dtype="f4").reshape(200, 300)
        d.attrs["units"] = "counts"
        d.attrs["<script>"] = "<script>alert(1)</script>"
        d.attrs["vector"] = np.arange(4)
        f["text"] = "hello"
        f["line"] = np.linspace(0, 1, 5000)
        f["empty"] = h5py.Empty("f4")
        f["gone"] = h5py.ExternalLink("missing.h5", "/x")
        f["alias"] = h5py.SoftLink("/stack")
        f.create_group("g").attrs["NX_class"] = "NXdata"
    e = explore(open_hdf5(path))
    yield e
    e.close()
    e.root.close()


def ok(reply):
    body, buffers = reply
    assert body["ok"], body.get("error")
    return body


def test_inspect_dataset_fields_and_all_attributes(gen):
    info = ok(gen.inspect({"path": "/stack"}, []))["info"]
    assert info["shape"] == "30 × 200 × 300" and info["dtype"] == "float32"
    assert info["chunks"] == "1 × 200 × 300" and info["layout"] == "chunked"
    assert info["filters"] == ["shuffle", "gzip"] and info["maxshape"] == "∞ × 200 × 300"
    assert info["storage"] == "chunked 1 × 200 × 300 · shuffle · gzip 4"
    attrs = {a["name"]: a for a in info["attributes"]}
    assert attrs["units"]["value"] == "counts" and attrs["units"]["type"] == "string"
    assert attrs["<script>"]["value"] == "<script>alert(1)</script>"  # raw text; the DOM shows it as text
    assert attrs["vector"]["value"] == "[0, 1, 2, 3]" and attrs["vector"]["type"] == "4 int64"
    assert info["attribute_count"] == 3


def test_inspect_links_and_groups(gen):
    gone = ok(gen.inspect({"path": "/gone"}, []))["info"]
    assert gone["link"]["broken"] and "missing.h5" in gone["link"]["target"] and gone["attributes"] == []
    alias = ok(gen.inspect({"path": "/alias"}, []))["info"]
    assert alias["link"] == {"type": "soft", "target": "/stack", "broken": False, "error": None}
    assert alias["target_kind"] == "dataset" and alias["shape"] == "30 × 200 × 300"
    g = ok(gen.inspect({"path": "/g"}, []))["info"]
    assert g["nx_class"] == "NXdata" and g["members"] == 0
    root = ok(gen.inspect({"path": "/"}, []))["info"]
    assert root["members"] == 7


def test_inspecting_a_huge_group_does_not_count_it(tmp_path, monkeypatch):
    from h5lens import tree_rows

    with h5py.File(tmp_path / "big.h5", "w") as f:  # a classic group: counting it walks its whole index
        big = f.create_group("big")
        for i in range(150):
            big[f"m{i:03d}"] = i
    monkeypatch.setattr(tree_rows, "LABEL_COUNT_LIMIT", 100)
    monkeypatch.setattr("h5lens.inspector.LABEL_COUNT_LIMIT", 100)
    e = explore(open_hdf5(tmp_path / "big.h5"))
    try:
        info = ok(e.inspect({"path": "/big"}, []))["info"]
        assert info["label"] == "more than 100 members" and "members" not in info
        assert ok(e.count({"path": "/big"}, []))["total"] == 150  # the tree's count, once the group is open
        info = ok(e.inspect({"path": "/big"}, []))["info"]
        assert info["label"] == "150 members" and info["members"] == 150
    finally:
        e.close()
        e.root.close()


def test_preview_reads_a_bounded_block(gen, monkeypatch):
    node = gen.root["stack"]
    reads = []
    original = type(node)._read
    monkeypatch.setattr(type(node), "_read", lambda self, sel: reads.append(sel) or original(self, sel))
    body = ok(gen.preview({"path": "/stack"}, []))
    assert reads == [(0, slice(0, 20), slice(0, 50))]
    assert body["note"] == "first block [0, :20, :50] of 30 × 200 × 300"
    values = np.array(body["text"].replace("[", " ").replace("]", " ").split(), dtype="f4")
    np.testing.assert_array_equal(values, node[0, :20, :50].ravel())
    line = ok(gen.preview({"path": "/line"}, []))
    assert line["note"] == "first block [:1000] of 5000"


def test_preview_scalars_strings_empty_groups_and_errors(gen):
    assert ok(gen.preview({"path": "/text"}, []))["text"] == "hello"
    assert ok(gen.preview({"path": "/empty"}, []))["text"] == "empty"
    assert ok(gen.preview({"path": "/g"}, []))["note"] == "group: 0 members"
    err = gen.preview({"path": "/gone"}, [])[0]
    assert not err["ok"] and err["error"]["type"] == "LinkError" and "missing.h5" in err["error"]["message"]
    assert ok(gen.preview({"path": "/alias"}, []))["note"].endswith("of 30 × 200 × 300")


def test_unreadable_dataset_is_an_error_reply(gen, monkeypatch):
    node = gen.root["stack"]

    def boom(self, sel):
        raise OSError("disk gone")
    monkeypatch.setattr(type(node), "_read", boom)
    err = gen.preview({"path": "/stack"}, [])[0]
    assert err == {"ok": False, "error": {"type": "OSError", "message": "disk gone"}}


def test_explorer_is_a_tree(gen):
    assert isinstance(gen, Explorer) and gen._bundle == "explorer"
    gen.selected = "/alias"
    assert gen.node.deref().shape == (30, 200, 300)
    assert "text/html" in gen._repr_mimebundle_()[0]


def test_course_diatomee(course):
    e = explore(open_hdf5(course / "ID16B_diatomee.h5"))
    try:
        names = [i["name"] for i in ok(e.children({"path": "/data"}, []))["items"]]
        assert names == ["0000", "0100", "0200", "0299", "0400", "0500"]
        info = ok(e.inspect({"path": "/data/0000"}, []))["info"]
        assert (info["shape"], info["dtype"], info["layout"], info["filters"]) == \
            ("540 × 640", "uint16", "contiguous", [])
        assert info["attribute_count"] == 0
        body = ok(e.preview({"path": "/data/0000"}, []))
        assert body["note"] == "first block [:20, :50] of 540 × 640"
        values = [int(v) for v in body["text"].replace("[", " ").replace("]", " ").split()]
        with h5py.File(course / "ID16B_diatomee.h5", "r") as f:  # read independently of the nodes
            assert values == f["data/0000"][:20, :50].ravel().tolist()
        assert ok(e.preview({"path": "/metadata/count_time"}, []))["text"] == "0.5"
        assert ok(e.preview({"path": "/metadata/pixel_size"}, []))["text"] == "0.099824"
    finally:
        e.root.close()


def test_course_silx_edge_cases_never_fail(course):
    e = explore(open_hdf5(course / "silx-io" / "test.h5"))
    try:
        failures = []
        for node in e.root.walk():
            for cmd in (e.inspect, e.preview):
                reply = cmd({"path": node.path}, [])[0]
                if not reply["ok"] and reply["error"]["type"] != "LinkError":
                    failures.append((node.path, cmd.__name__, reply["error"]))
        assert failures == []
        assert ok(e.preview({"path": "/utf8_datasets/object_u"}, []))["text"] == "I ♥ U"
        cut = ok(e.preview({"path": "/arrays/float_3d"}, []))["text"]
        assert cut.startswith("[[[ 0.")
        assert ok(e.inspect({"path": "/compressed_arrays/zipped"}, []))["info"]["shape"] == "100 × 100"
    finally:
        e.root.close()


def test_preview_budget_constant_bounds_small_arrays():
    assert mod.PREVIEW_ELEMENTS == 1000
    assert mod._head_selection((5000,)) == (slice(0, 1000),)
    assert mod._head_selection((2, 3, 540, 640)) == (0, 0, slice(0, 20), slice(0, 50))


@pytest.mark.kernel
def test_executed_notebook_carries_the_html_fallback(course, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"import h5lens\nh5lens.explore({str(course / 'ID16B_diatomee.h5')!r})")]
    NotebookClient(nb, kernel_name="python3", timeout=60, store_widget_state=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    (output,) = nb.cells[0].outputs
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    html = output["data"]["text/html"]
    assert "ID16B_diatomee.h5" in html and "flatfield" in html and "0000" in html


def test_selection_gives_a_viewer_of_the_node(gen):
    from h5lens.widgets.viewer import EMBEDDED_ESM, Viewer

    assert gen.viewer is None and gen.view_error == ""
    gen.selected = "/stack"
    v = gen.viewer
    assert isinstance(v, Viewer) and v.kind == "stack" and v.selection == "0,:,:"
    assert v._esm == EMBEDDED_ESM  # drawn by the explorer's bundle, not shipped twice
    np.testing.assert_array_equal(v.data, gen.root["stack"][0])
    assert gen.get_state(["viewer"])["viewer"] == f"anywidget:{v.model_id}"
    gen.selected = "/alias"  # a soft link is viewed as its target
    assert gen.viewer.kind == "stack" and v.comm is None  # the previous viewer is closed
    gen.selected = "/text"
    assert gen.viewer.kind == "text" and gen.viewer.values({}, [])[0]["text"] == "hello"
    gen.selected = "/line"
    assert gen.viewer.kind == "curve" and gen.viewer.data.shape == (5000,)


def test_groups_broken_links_and_the_file_stay_open(gen):
    gen.selected = "/g"  # an NXdata group without a signal: no plot, and the view area says why
    assert gen.viewer is None and "no @signal attribute" in gen.view_error
    gen.selected = "/gone"
    assert gen.viewer is None and "missing.h5" in gen.view_error
    gen.selected = "/stack"
    v = gen.viewer
    gen.selected = ""
    assert gen.viewer is None and v.comm is None
    assert gen.root["stack"].shape == (30, 200, 300)  # closing viewers never closes the explorer's file


def test_embedded_viewer_shown_alone_gets_its_module(gen):
    from h5lens.widgets._base import bundle
    from h5lens.widgets.viewer import EMBEDDED_ESM

    gen.selected = "/line"
    assert gen.viewer._esm == EMBEDDED_ESM
    data, _ = gen.viewer._repr_mimebundle_()
    assert gen.viewer._esm == bundle("viewer").read_text(encoding="utf-8")


@pytest.fixture
def hard_linked(tmp_path):
    """One dataset and one group, each reached by two hard links (names with HTML in them)."""
    path = tmp_path / "hard.h5"
    with h5py.File(path, "w") as f:
        a = f.create_group("A")
        a["a<b>&"] = np.arange(6)
        a.create_group("g").attrs["x"] = 1
        b = f.create_group("B")
        b["copy"] = a["a<b>&"]  # a second hard link: the same object, not a copy
        b["g2"] = a["g"]
        b["other"] = np.arange(6)  # equal values, another object
    root = open_hdf5(path)
    yield root
    root.close()


def test_inspector_says_same_as_for_hard_links_as_ls_does(hard_linked, capsys):
    ex = Explorer(hard_linked)
    try:
        copy = ok(ex.inspect({"path": "/B/copy"}, []))["info"]
        group = ok(ex.inspect({"path": "/B/g2"}, []))["info"]
        first = ok(ex.inspect({"path": "/A/a<b>&"}, []))["info"]
        other = ok(ex.inspect({"path": "/B/other"}, []))["info"]
    finally:
        ex.close()
    assert copy["same_as"] == "/A/a<b>&" and "also_at" not in copy
    assert group["same_as"] == "/A/g" and "cycle" not in group
    assert "same_as" not in first and first["also_at"] == ["/B/copy"]
    assert "same_as" not in other and "also_at" not in other  # equal values are not the same object
    # the walk `h5lens ls -r` prints from says the same
    from h5lens.cli import main

    assert main(["ls", "-r", hard_linked.filename]) == 0
    out = capsys.readouterr().out
    assert next(x for x in out.splitlines() if "copy" in x).endswith("(same as /A/a<b>&)")


def test_hard_links_walk_nothing_for_a_single_link(hard_linked, monkeypatch):
    from h5lens._glance import _plan

    walks = []
    monkeypatch.setattr(_plan, "plan", lambda *a, **k: walks.append(a) or pytest.fail("walked"))
    assert _plan.hard_links(hard_linked["B/other"]) == (None, [])
    assert walks == []


@pytest.mark.parametrize(("name", "path", "kind"), [
    ("silx-io/test.h5", "", None),  # no NeXus plot named: nothing chosen for the reader
    ("test.h5", "/diff_map_0000/data", "curve"),  # pyFAI: several entries, no @default: the first's plot
    ("ID16B_diatomee.edf", "/scan_0/image", "stack"),  # a detector's frames: the image stack
    ("ID19_D2H2T2_000*.edf", "/scan_0/image", "stack"),  # a series of files
    ("medipix.edf", "/scan_0/image", "image"),
    ("oleg.dat", "/94.1/plot", "curve"),  # SPEC: the first scan's counters
])
def test_explore_opens_on_the_default_plot(course, name, path, kind):
    e = explore(str(course / name))
    try:
        assert e.selected == path
        assert (e.viewer.kind if e.viewer is not None else None) == kind
    finally:
        e.close()


def test_default_chain_select_override_and_bad_path(tmp_path, course):
    path = tmp_path / "chain.h5"
    with h5py.File(path, "w") as f:
        f.create_group("first").attrs["NX_class"] = "NXentry"  # an entry the file's @default skips
        f["first/plot/y"] = np.arange(5.0)
        f["first/plot"].attrs.update(NX_class="NXdata", signal="y")
        f.attrs["default"] = "second"
        entry = f.create_group("second")
        entry.attrs.update(NX_class="NXentry", default="images")
        entry["images/frames"] = np.zeros((3, 4, 5), "u2")
        entry["images"].attrs.update(NX_class="NXdata", signal="frames")
    e = explore(str(path))
    assert e.selected == "/second/images" and e.viewer.kind == "stack"
    e.close()
    e = explore(str(path), select="/first/plot/y")  # the caller's choice wins
    assert e.selected == "/first/plot/y" and e.viewer.kind == "curve"
    e.close()
    e = explore(str(path), select="")
    assert e.selected == "" and e.viewer is None
    e.close()
    with pytest.raises(KeyError) as caught:
        explore(str(course / "oleg.dat"), select="/94.1/nowhere")
    message = str(caught.value)
    assert message == f"cannot select '/94.1/nowhere' in {course / 'oleg.dat'}: no member 'nowhere' in '/94.1'"
    with h5py.File(path, "a") as f:  # a @default leading to a plot that cannot be drawn: nothing chosen
        f["second/images"].attrs["signal"] = "missing"
    e = explore(str(path))
    assert e.selected == "" and e.viewer is None
    e.close()


def test_storage_facts_are_one_section_and_file_facts_another(gen):
    info = ok(gen.inspect({"path": "/stack"}, []))["info"]
    sections = {d["label"]: d.get("section") for d in info["details"]}
    assert sections == {"Fill value": "Storage", "Max shape": "Storage", "Size in memory": "Storage",
                        "Size on disk": "Storage", "Compression ratio": "Storage"}
    assert {d["label"]: d["value"] for d in info["details"]}["Size in memory"] == "7 200 000 bytes (6.9 MiB)"
    root = ok(gen.inspect({"path": "/"}, []))["info"]
    assert {d.get("section") for d in root["details"] if "value" in d} == {"File"}
    assert "Driver" in {d["label"] for d in root["details"]}
