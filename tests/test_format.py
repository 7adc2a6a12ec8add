"""Labels made by h5lens.nodes._format: the strings every view shows."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens.nodes import Filter
from h5lens.nodes._format import (
    Unreadable,
    decode_value,
    dtype_label,
    filter_name,
    node_label,
    printable_name,
    shape_label,
    storage_label,
    value_preview,
)
from h5lens.nodes.memory import MemoryDataset, from_object


@pytest.mark.parametrize("shape, label", [
    ((2, 540, 640), "2 × 540 × 640"), ((), "scalar"), (None, "empty"), ((0, 3), "0 × 3"), ((7,), "7"),
])
def test_shape_label(shape, label):
    assert shape_label(shape) == label


@pytest.mark.parametrize("dtype, label", [
    ("u2", "uint16"), (">f4", "float32 (big-endian)"), ("<f4", "float32"), ("f2", "float16"),
    ("?", "bool"), ("c8", "complex64"), ("i8", "int64"), (">i8", "int64 (big-endian)"),
    (h5py.string_dtype(), "string (utf-8, variable)"),
    (h5py.string_dtype("ascii"), "string (ascii, variable)"),
    (h5py.string_dtype("ascii", 8), "bytes[8] (ascii)"), ("S8", "bytes[8] (ascii)"),
    (h5py.string_dtype("utf-8", 12), "string[12] (utf-8)"),
    (h5py.enum_dtype({"ON": 1, "OFF": 0}, basetype="i1"), "enum int8 {OFF, ON}"),
    ([("x", "i4"), ("y", "f8")], "compound {x: int32, y: float64}"),
    ("V16", "void (16 bytes)"), (h5py.ref_dtype, "object reference"),
    (h5py.regionref_dtype, "region reference"), (h5py.vlen_dtype("i4"), "vlen array of int32"),
    (("f4", (3,)), "float32 [3]"), ("U5", "unicode[5]"),
])
def test_dtype_label(dtype, label):
    assert dtype_label(dtype) == label


def test_long_compound_is_shortened():
    label = dtype_label([(f"field_{i}", "f8") for i in range(20)])
    assert label.startswith("compound {field_0: float64, ") and label.endswith("more}")
    assert len(label) < 100 and "field_19" not in label


def test_filter_names():
    assert filter_name(1) == "gzip" and filter_name(32008) == "bitshuffle"
    assert filter_name(47000, b"myfilter; see https://example.org") == "myfilter"
    assert filter_name(47000) == "filter 47000"


def test_storage_label_from_chunks_and_filters():
    ds = MemoryDataset("m", "/m", None, shape=(29, 78, 100), dtype="f4", chunks=(1, 78, 100),
                       compression="gzip", compression_opts=4)
    assert storage_label(ds) == "chunked 1 × 78 × 100 · gzip 4"

    class Fake:  # only the attributes storage_label reads
        layout, chunks = "chunked", (4, 4)
        filters = [Filter(2, "shuffle", (), True), Filter(1, "gzip", (4,), True),
                   Filter(47000, "filter 47000", (), False)]
    assert storage_label(Fake()) == "chunked 4 × 4 · shuffle · gzip 4 · filter 47000 (id 47000, unavailable)"
    assert storage_label(MemoryDataset("m", "/m", None, np.zeros(3))) == "in memory"


def test_node_label_for_each_kind():
    tree = from_object({"img": np.zeros((540, 640), "u2"), "g": {"a": 1, "b": 2, "c": 3}, "one": {"x": 1}})
    tree.create_link("good", "/g")
    tree.create_link("bad", "/nowhere")
    assert node_label(tree["img"]) == "540 × 640 uint16"
    assert node_label(tree["g"]) == "3 members" and node_label(tree["one"]) == "1 member"
    assert node_label(tree["good"]) == "→ /g"
    assert node_label(tree["bad"]) == "→ /nowhere (broken)"
    assert node_label(tree["g/a"]) == "scalar int64"


def test_decode_value():
    assert decode_value(b"abc") == "abc" and decode_value(np.bytes_(b"NXentry")) == "NXentry"
    assert decode_value(b"\xff\xfe") == b"\xff\xfe"  # not UTF-8: kept as bytes
    arr = decode_value(np.array([b"2th", b"chi"]))
    assert arr.dtype.kind == "U" and arr.tolist() == ["2th", "chi"]
    mixed = decode_value(np.array([b"ok", b"\xff"], dtype=object))
    assert mixed.tolist() == ["ok", b"\xff"]
    assert decode_value(np.array(["x"], dtype=object)).tolist() == ["x"]
    assert decode_value(3.5) == 3.5 and decode_value("é") == "é"
    same = np.arange(3)
    assert decode_value(same) is same


@pytest.mark.parametrize("value, text", [
    (np.float32(0.5), "0.5"), ("line1\nline2", "line1↵line2"), (b"\xff", "b'\\xff'"),
    (np.array([b"x", b"y"]), "['x', 'y']"), (np.array(3.0), "3.0"), (np.void(b"1234"), "void (4 bytes)"),
    (h5py.Empty("f4"), "empty"), (np.arange(100), "[0, 1, 2, ..., 97, 98, 99]"),
    (np.zeros((2, 2)), "[[0.0, 0.0], [0.0, 0.0]]"), (Unreadable("bad type"), "<unreadable: bad type>"),
])
def test_value_preview(value, text):
    assert value_preview(value) == text


def test_value_preview_is_one_bounded_line():
    text = value_preview("x" * 500 + "\n" + "y", max_chars=40)
    assert len(text) == 40 and text.endswith("…") and "\n" not in text
    assert len(value_preview(np.random.default_rng(0).random((100, 100)))) <= 80


def test_printable_name_shows_undecodable_bytes():
    assert printable_name(b"caf\xe9") == "caf\\xe9"
    assert printable_name("caf\udce9") == "caf\\xe9"
    assert printable_name("♥ <x>") == "♥ <x>"


def test_labels_and_memory_trees_do_not_import_format_libraries():
    import subprocess
    import sys

    code = ("import sys, numpy as np; import h5lens; from h5lens.nodes._format import dtype_label, node_label; "
            "from h5lens.nodes.memory import from_object; t = h5lens.open({'a': np.zeros((2, 3), '>f4')}); "
            "assert node_label(t['a']) == '2 × 3 float32 (big-endian)'; import h5lens.nodes.hdf5; "
            "print(sorted(m for m in ('h5py', 'fabio', 'silx', 'hdf5plugin', 'matplotlib', 'anywidget') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_table_preview_of_records_vectors_and_images():
    from h5lens.nodes._format import table_preview

    records = np.array([(1, 2.5), (3, -1.0)], dtype=[("x", "i4"), ("y", "f8")])
    assert table_preview(records) == (["x", "y"], [["1", "2.5"], ["3", "-1.0"]])
    assert table_preview(np.array([b"a", b"bc"])) == (["value"], [["a"], ["bc"]])
    columns, rows = table_preview(np.arange(2 * 3 * 4).reshape(2, 3, 4), max_columns=5)
    assert columns == ["0", "1", "2", "3", "4"] and rows[1] == ["12", "13", "14", "15", "16"]
    assert table_preview(np.array(["x" * 200]), max_chars=10)[1][0][0] == "x" * 9 + "…"


def test_value_type_text_attr_and_link_info():
    from h5lens.nodes._format import link_info, text_attr, text_value, value_type
    from h5lens.nodes.memory import from_object

    assert [value_type(v) for v in ("a", b"a", np.zeros((3, 2)), np.int32(1), 1.5)] == [
        "string", "bytes", "3 × 2 float64", "int32", "float"]
    assert [text_value(v) for v in (b"mm", np.array([b"mm"]), np.array(["a", "b"]), 3, "é")] == [
        "mm", "mm", None, None, "é"]
    tree = from_object({"d": np.arange(3)})
    tree.set_attr("units", b"counts")
    tree.create_link("good", "/d")
    tree.create_link("bad", "/nowhere")
    assert text_attr(tree, "units") == "counts" and text_attr(tree, "missing") is None
    unchecked = link_info(tree["bad"], follow=False)
    assert unchecked == {"type": tree["bad"].link_type, "target": "/nowhere", "broken": None, "error": None}
    assert link_info(tree["good"])["broken"] is False
    broken = link_info(tree["bad"])
    assert broken["broken"] is True and "nowhere" in broken["error"]
    assert link_info(tree["bad"], follow=False)["broken"] is True  # once followed, the answer is known


def test_size_label_names_binary_units():
    from h5lens.nodes._format import size_label

    assert [size_label(n) for n in (0, 1023, 1024, 691_200, 5 * 2**20 + 2**19, 3 * 2**30)] == \
        ["0 B", "1023 B", "1.0 KiB", "675.0 KiB", "5.5 MiB", "3.0 GiB"]
