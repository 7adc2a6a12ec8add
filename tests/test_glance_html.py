"""The static HTML glance: structure, escaping, labels, links, budgets (parsed, not grepped)."""

from __future__ import annotations

from html.parser import HTMLParser

import h5py
import numpy as np
import pytest

from h5lens import Glance, glance
from h5lens._glance._html import stylesheet
from h5lens.nodes._format import node_label, storage_label, value_preview
from h5lens.nodes.memory import MemoryGroup, from_object

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}
PAYLOADS = ['<script>alert("x")', "a & b", "\"quoted' name", "é ♥ 日本 ü", "<img src=x onerror=alert(1)>"]


class Page(HTMLParser):
    """Parses a glance: checks nesting and keeps elements with their attributes and text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.elements: list[dict] = []  # {"tag", "attrs", "text", "open": bool}
        self.scripts: list[str] = []
        self.errors: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed {self.stack}")

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "text": ""}
        self.elements.append(element)
        if tag not in VOID:
            self.stack.append((tag, element))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        for _tag, element in self.stack:
            element["text"] += data
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append(data)

    def find(self, tag=None, cls=None):
        return [e for e in self.elements if (tag is None or e["tag"] == tag)
                and (cls is None or cls in e["attrs"].get("class", "").split())]

    def texts(self, cls):
        return [e["text"] for e in self.find(cls=cls)]


def payload_tree():
    """A tree whose names, attribute names and values carry HTML payloads."""
    root = MemoryGroup("", "/", None, attrs={"NX_class": b"NXroot", PAYLOADS[0]: PAYLOADS[1]})
    for i, text in enumerate(PAYLOADS):
        g = root.create_group(text, attrs={text: text, "NX_class": "NXentry" if i == 0 else "NX<b>"})
        g.create_dataset(f"d{i} {text}", np.arange(6, dtype="<i4").reshape(2, 3), attrs={"units": text})
    root.create_dataset("chunked", shape=(10, 20), dtype="float32", chunks=(5, 20), compression="gzip",
                        compression_opts=4)
    root.create_link("soft", "/chunked")
    root.create_link("broken <x>", "/nowhere & \"gone\"")
    return root


@pytest.fixture
def tree():
    return payload_tree()


@pytest.fixture
def page(tree):
    html = glance(tree)._repr_html_()
    parsed = Page(html)
    assert not parsed.errors, parsed.errors
    return html, parsed


def test_well_formed_with_one_style_and_only_the_copy_helper_script(page):
    html, p = page
    assert len(p.find("style")) == 1 and p.find("style")[0]["text"] == stylesheet()
    scripts = p.find("script")
    assert len(scripts) == 1 and "navigator.clipboard.writeText" in p.scripts[0]
    assert not any(k.startswith("on") for e in p.elements for k in e["attrs"])  # no inline handlers
    root = p.find("div", "h5l")[0]
    assert root["attrs"]["id"] in p.scripts[0]  # the helper binds to this glance only


def test_payloads_escaped_everywhere(page, tree):
    html, p = page
    assert "alert" not in p.scripts[0] and "<b>" not in html and "<x>" not in html
    assert "<script>alert" not in html and "<img" not in html and "a & b" not in html and "\"quoted'" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)" in html and "&quot;quoted&#x27; name" in html
    names = p.texts("h5l-name")
    titles = [e["attrs"]["title"] for e in p.find("span", "h5l-name")]
    for text in PAYLOADS:
        assert text in names  # the group name, decoded back exactly
        assert f"/{text}" in titles  # and its path inside title="..."
        assert f"d{PAYLOADS.index(text)} {text}" in names
    # attribute names (th) and values (td): the parser gives back the exact payload
    cells = [e["text"] for e in p.find("th")] + [e["text"] for e in p.find("td")]
    for text in PAYLOADS:
        assert text in cells
        assert value_preview(text) in cells
    badges = p.texts("h5l-badge")
    assert "NX<b>" in badges and "NXentry" in badges and "NXroot" in badges
    # the broken link's target and error, in text and in its title attribute
    broken = p.find("li", "h5l-broken")
    assert len(broken) == 1
    target = next(e for e in p.find("span", "h5l-tgt") if "nowhere" in e["text"])
    assert '/nowhere & "gone"' in target["text"] and '/nowhere & "gone"' in target["attrs"]["title"]


def test_no_raw_angle_brackets_from_payloads(page):
    html, p = page
    # every "<" in the page starts one of our own tags
    import re

    tags = set(re.findall(r"<(/?[a-zA-Z!]+)", html))
    assert tags <= {"div", "/div", "style", "/style", "ul", "/ul", "li", "/li", "details", "/details",
                    "summary", "/summary", "span", "/span", "button", "/button", "table", "/table", "tr",
                    "/tr", "th", "/th", "td", "/td", "script", "/script"}, tags
    assert html.count("<script") == 1


def test_first_level_open_labels_and_storage(page, tree):
    html, p = page
    details = [e for e in p.find("details") if "h5l-attrs" not in e["attrs"].get("class", "")]
    assert "open" in details[0]["attrs"] and all("open" not in d["attrs"] for d in details[1:])
    labels = p.texts("h5l-lab")
    assert node_label(tree) in labels and node_label(tree["chunked"]) in labels
    assert storage_label(tree["chunked"]) in p.texts("h5l-sto")
    assert storage_label(tree["chunked"]).startswith("chunked 5 × 20")
    soft = p.find("li", "h5l-link")
    assert [e for e in soft if "h5l-broken" not in e["attrs"]["class"]]
    assert node_label(tree["soft"]) in p.texts("h5l-tgt")


def test_attributes_folded_per_node_and_optional(tree):
    p = Page(glance(tree)._repr_html_())
    folds = p.find("details", "h5l-attrs")
    assert folds and all("open" not in f["attrs"] for f in folds)
    rows = p.find("tr")
    assert any(r["text"].startswith("units") for r in rows)
    dtypes = p.texts("h5l-dt")
    assert "string" in dtypes
    bare = Page(glance(tree, attrs=False)._repr_html_())
    assert not bare.find("table") and not bare.find("details", "h5l-attrs")


def test_copy_buttons_hidden_without_script():
    css = stylesheet()
    assert ".h5l .h5l-copy { display: none; }" in css and ".h5l.h5l-js .h5l-copy" in css
    assert "prefers-color-scheme: dark" in css and "--jp-" in css and "--vscode-" in css


def big_group(n):
    return MemoryGroup("", "/", None, members={"many": {f"m{i:05d}": np.int32(i) for i in range(n)}})


def test_large_group_shows_first_and_last_members_without_listing_all():
    root = big_group(1000)
    group = root["many"]
    p = Page(Glance(root, head=20, tail=5)._repr_html_())
    names = p.texts("h5l-name")[2:]
    assert names == [f"m{i:05d}" for i in range(20)] + [f"m{i:05d}" for i in range(995, 1000)]
    assert p.texts("h5l-more") == ["… 975 more members"]
    order = [e["text"] for e in p.elements if e["tag"] in ("span", "li") and e["text"] in (
        "m00019", "m00995", "… 975 more members")]
    assert order == ["m00019", "… 975 more members", "m00995"]  # the gap sits between head and tail
    assert group._names is None  # the full member list was never built


def test_total_budget_caps_page_and_says_what_was_left_out():
    members = {f"g{i:02d}": {f"d{j:02d}": np.float32(j) for j in range(30)} for i in range(40)}
    root = from_object(members)
    g = glance(root, max_items=120, head=20, tail=5)
    p = Page(g._repr_html_())
    rows = p.find("span", "h5l-name")
    assert len(rows) <= 120 + 25  # one group's page may overshoot the budget
    plan = g.plan
    cut = [c for c in plan.root.children if c.cut == "budget" and c.children is None]
    assert plan.groups_cut == len(cut) > 0 and plan.members_cut == 30 * len(cut)
    foot = p.texts("h5l-foot")
    assert len(foot) == 1 and f"{plan.groups_cut} more groups ({plan.members_cut} members)" in foot[0]
    assert "not expanded (display budget)" in p.texts("h5l-more")
    unlimited = Page(glance(root, max_items=None, head=100)._repr_html_())
    assert len(unlimited.find("span", "h5l-name")) == 1 + 40 + 40 * 30 and not unlimited.texts("h5l-foot")


def test_depth_limit():
    root = from_object({"a": {"b": {"c": np.zeros(3)}}})
    p = Page(glance(root, depth=1)._repr_html_())
    assert p.texts("h5l-name")[1:] == ["a"]
    assert p.texts("h5l-more") == ["not expanded (depth limit)"]
    deep = Page(glance(root)._repr_html_())
    assert deep.texts("h5l-name")[1:] == ["a", "b", "c"]


def test_dataset_and_link_as_root_and_standalone_page(tree):
    p = Page(glance(tree["chunked"]).to_html())
    assert p.texts("h5l-name") == ["chunked"] and p.texts("h5l-lab") == [node_label(tree["chunked"])]
    p = Page(glance(tree[PAYLOADS[1]][f"d1 {PAYLOADS[1]}"]).to_html())
    assert "open" in p.find("details")[0]["attrs"] and p.texts("h5l-name") == [f"d1 {PAYLOADS[1]}"]
    p = Page(glance(tree["broken <x>"]).to_html())
    assert p.find("li", "h5l-broken")
    page = glance(tree).to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>")
    parsed = Page(page.split("\n", 1)[1])
    assert not parsed.errors
    assert parsed.find("meta")[0]["attrs"] == {"charset": "utf-8"} and parsed.find("title")


def test_empty_group_and_cached_render(tree):
    root = from_object({"empty": {}})
    g = glance(root)
    assert "empty" in Page(g._repr_html_()).texts("h5l-more")
    assert g._repr_html_() is g._repr_html_()


# -- HDF5: the shared edge-case file and the course files ---------------------------------------

@pytest.fixture(scope="module")
def edge_file(tmp_path_factory):
    from fixtures.h5files import make_edge_cases

    return make_edge_cases(tmp_path_factory.mktemp("edge") / "edge.h5")


def test_edge_cases_file(edge_file):
    from fixtures.h5files import EDGE_DTYPES, NASTY_VALUE, NON_UTF8_NAME, SCRIPT, SCRIPT_ATTR

    before = (edge_file.stat().st_mtime_ns, edge_file.read_bytes())
    with glance(str(edge_file), max_items=None) as g:
        html = g._repr_html_()
        tree = g.node
        p = Page(html)
        assert not p.errors and len(p.find("script")) == 1
        assert "<script>alert" not in html and "<b>" not in html
        names = p.texts("h5l-name")
        assert SCRIPT in names and "café ♥" in names and NON_UTF8_NAME.replace("\udce9", "\\xe9") in names
        assert SCRIPT_ATTR in [e["text"] for e in p.find("th")] and NASTY_VALUE in [e["text"] for e in p.find("td")]
        labels, storages = p.texts("h5l-lab"), p.texts("h5l-sto")
        for name in EDGE_DTYPES:
            assert node_label(tree["dtypes"][name]) in labels
        for path in ("filters/unregistered", "filters/gzip_shuffle", "filters/lz4", "layouts/compact",
                     "layouts/external", "layouts/virtual", "layouts/chunked"):
            assert storage_label(tree[path]) in storages
        assert any("unavailable" in s for s in storages)  # the missing filter is named, listing works
        broken = {e["text"].split("→")[0] for e in p.find("li", "h5l-broken")}
        assert broken == {"broken_soft", "broken_external", "external_missing_path", "self_loop"}
        good = [e["text"] for e in p.find("li", "h5l-link") if "h5l-broken" not in e["attrs"]["class"]]
        assert sorted(t.split("→")[0] for t in good) == ["good_external", "soft_dataset", "soft_group"]
        assert {"NXentry", "NXdata"} <= set(p.texts("h5l-badge"))
        assert any(td.startswith("<unreadable") for td in (e["text"] for e in p.find("td")))
    assert (edge_file.stat().st_mtime_ns, edge_file.read_bytes()) == before  # viewing never writes


def course_html(path, **options):
    with glance(str(path), **options) as g:
        html = g._repr_html_()
        p = Page(html)
        assert not p.errors and len(p.find("script")) == 1
        return g, p


def test_course_id16b(course):
    g, p = course_html(course / "ID16B_diatomee.h5")
    top = [e["text"] for e in p.find("span", "h5l-name") if e["attrs"]["title"].count("/") == 1 and e["attrs"]["title"] != "/"]
    assert top == ["dark", "data", "flatfield", "metadata"] and p.texts("h5l-name")[0] == "ID16B_diatomee.h5"
    frames = [e["attrs"]["title"] for e in p.find("span", "h5l-name") if e["attrs"]["title"].startswith("/data/")]
    assert frames == [f"/data/{n}" for n in ("0000", "0100", "0200", "0299", "0400", "0500")]
    assert p.texts("h5l-lab").count("540 × 640 uint16") == 1 + 6 + 2
    assert p.texts("h5l-sto").count("contiguous") == 9 + 8
    metadata = p.texts("h5l-name")[-8:]
    assert sorted(metadata) == ["count_time", "credit", "description", "license", "optic_used", "pixel_size",
                                "time", "time_of_day"]
    assert not p.find("table")  # the image datasets carry no attributes


def test_course_pyfai_nexus(course):
    g, p = course_html(course / "test.h5")
    assert p.texts("h5l-badge").count("NXentry") == 5
    rows = [e for e in p.find("span", "h5l-name") if e["attrs"]["title"] == "/diff_map_0004/data/map"]
    assert len(rows) == 1
    assert "29 × 78 × 100 float32" in p.texts("h5l-lab") and "chunked 1 × 78 × 100" in p.texts("h5l-sto")
    cells = [(e["text"]) for e in p.find("td")]
    assert "spectrum" in cells and "2th" in cells


def test_course_silx_edge_cases(course):
    g, p = course_html(course / "silx-io" / "test.h5", max_items=None, head=1000)
    names = p.texts("h5l-name")
    for name in ("float_3d", "string_2d", "fletcher32_filter", "lzf", "zipped_max", "example_7"):
        assert name in names
    storages = " ".join(p.texts("h5l-sto"))
    assert all(f in storages for f in ("gzip", "lzf", "shuffle", "fletcher32"))
    assert "utf8_datasets" in names
    values = p.texts("h5l-val")  # the values of tiny datasets are shown; big ones are never read
    assert "= I ♥ U" in values and not any("0.76255845" in v for v in values)


def html_text(p):
    return " ".join(e["text"] for e in p.elements)


def test_course_nexus_2011_counts(course):
    g, p = course_html(course / "history" / "nexus-20110325.h5", max_items=None, head=1000)
    groups, datasets = p.find("li", "h5l-group"), p.find("li", "h5l-dataset")
    assert len(groups) == 1 + 80  # the file itself, then its 80 groups
    assert len(datasets) == 224
    assert p.texts("h5l-badge").count("NXentry") == 16
    budgeted = course_html(course / "history" / "nexus-20110325.h5")[1]
    assert len(budgeted.find("span", "h5l-name")) < 1 + 80 + 224 and budgeted.texts("h5l-foot")


class CountingGroup(MemoryGroup):
    """A memory group that counts the member names pulled from it."""

    fetched = 0

    def _iter_names(self):
        for name in super()._iter_names():
            type(self).fetched += 1
            yield name


def test_huge_group_lists_only_its_first_page():
    from h5lens._glance._plan import TAIL_SCAN_LIMIT

    n = TAIL_SCAN_LIMIT + 1000
    root = CountingGroup("", "/", None)
    huge = root.add("huge", CountingGroup("huge", "/huge", root, members={f"m{i}": np.int32(i) for i in range(n)}))
    CountingGroup.fetched = 0
    p = Page(glance(root, head=20, tail=5)._repr_html_())
    assert p.texts("h5l-name")[2:] == [f"m{i}" for i in range(25)]
    assert p.texts("h5l-more") == [f"… {n - 25} more members"]
    assert CountingGroup.fetched <= 1 + 26 and huge._names is None  # page() peeks one name past stop


@pytest.mark.parametrize("first", ["import h5lens._glance", "from h5lens._glance import Glance", "import h5lens"])
def test_h5lens_glance_callable_whatever_was_imported_first(first):
    import subprocess
    import sys

    code = (f"{first}\nimport h5lens\nfrom h5lens import glance\n"
            "print(type(h5lens.glance({'a': 1})).__name__, type(glance({'b': 2})).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Glance", "Glance"]


def test_survives_nbconvert(course):
    nbformat = pytest.importorskip("nbformat")
    exporter = pytest.importorskip("nbconvert").HTMLExporter()
    with glance(str(course / "test.h5")) as g:
        html, text = g._repr_html_(), repr(g)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("h5lens.glance('test.h5')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": text})]
    nb.cells.append(cell)
    body, _ = exporter.from_notebook_node(nb)
    start = body.index('<div class="h5l"')
    carried = Page(body[start:body.index("</script>", start) + len("</script>")])

    def shape(page):  # nbconvert re-serialises (open -> open=""): compare parsed trees
        return [(e["tag"], {k: v or "" for k, v in e["attrs"].items()}, e["text"]) for e in page.elements]

    assert not carried.errors and shape(carried) == shape(Page(html))  # tree, style and helper intact
    assert len(carried.find("details")) > 5 and len(carried.find("script")) == 1


def test_glance_and_cli_import_no_format_library_and_no_jupyter():
    import subprocess
    import sys

    code = ("import sys, h5lens._glance, h5lens.cli\n"
            "print(sorted(m for m in ('h5py', 'fabio', 'silx', 'matplotlib', 'IPython', 'anywidget', 'ipywidgets')"
            " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_glance_reads_a_bounded_number_of_small_values_and_says_so(tmp_path, monkeypatch):
    """Past VALUE_READS, a small dataset's value shows as '…' (titled), not read; ls-style walks read them all."""
    from h5lens._glance import _plan
    from h5lens.nodes.hdf5 import HDF5Dataset

    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        for i in range(12):
            f[f"v{i:02d}"] = np.arange(4) + i
        f["big"] = np.zeros(100)  # never a candidate: more than a listing reads
    reads = []
    monkeypatch.setattr(_plan, "VALUE_READS", 5)
    original = HDF5Dataset._read
    monkeypatch.setattr(HDF5Dataset, "_read", lambda self, sel: reads.append(self.path) or original(self, sel))
    _, p = course_html(path)
    values = p.texts("h5l-val")
    assert values[:5] == [f"= [{i}, {i + 1}, {i + 2}, {i + 3}]" for i in range(5)]
    assert values[5:] == ["= …"] * 7 and len(reads) == 5  # the rest are not read, and say so
    assert all(e["attrs"]["title"] == "not read: 5 values per glance" for e in p.find("span", "h5l-val")[5:])
    reads.clear()
    with glance(str(path), max_items=None) as g:
        text = g.to_text()
    assert "= [11, 12, 13, 14]" in text and "…" not in text and len(reads) == 12
