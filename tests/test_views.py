"""The view registry: which view fits each kind of dataset."""

import h5py
import numpy as np
import pytest

from h5lens import views
from h5lens.nodes.memory import MemoryDataset, MemoryGroup


def ds(data=None, attrs=None, **kw):
    return MemoryDataset("d", "/d", None, data, attrs=attrs, **kw)


@pytest.mark.parametrize(
    "data,first,nd,selection",
    [
        (np.float64(3.5), "scalar", 0, ""),
        (np.complex64(1 + 2j), "scalar", 0, ""),
        (np.bytes_(b"abc"), "text", 0, ""),
        (np.str_("I \u2665 U"), "text", 0, ""),
        (np.arange(10.0), "curve", 1, ":"),
        (np.arange(12).reshape(3, 4), "image", 2, ":,:"),
        (np.zeros((6, 54, 64), np.uint16), "stack", 2, "0,:,:"),
        (np.zeros((2, 3, 5, 7), np.float32), "stack", 2, "0,0,:,:"),
        (np.ones((4, 4), bool), "image", 2, ":,:"),
        (np.array([b"a", b"bc"]), "list", 1, ":"),
        (np.array(["x", "y", "z"]), "list", 1, ":"),
        (np.zeros((3, 4), np.complex128), "complex", 2, ":,:"),
        (np.zeros(5, np.complex64), "complex", 1, ":"),
        (np.zeros(3, [("x", "<f4"), ("y", "<i4")]), "table", 0, ":"),
        (np.zeros((), [("x", "<f4"), ("y", "<i4")]), "table", 0, ""),
        (np.zeros((0, 5)), "empty", 0, ":,:"),
    ],
)
def test_view_per_kind(data, first, nd, selection):
    choice = views.choose(ds(np.asarray(data)))
    assert choice.view == first and choice.views[0] == first
    assert choice.ndisplay == nd and choice.selection == selection


def test_stack_also_offers_curve_and_table():
    choice = views.choose(np.zeros((6, 5, 4), np.uint16))  # a numpy array is accepted too
    assert choice.views == ["stack", "curve", "table"]
    curve = views.choose(np.zeros((6, 5, 4), np.uint16), view="curve")
    assert curve.ndisplay == 1 and curve.selection == "0,0,:"
    with pytest.raises(ValueError, match="view 'rgb' does not fit.*stack, curve, table"):
        views.choose(np.zeros((6, 5, 4)), view="rgb")


def test_rgb_needs_image_class_or_interpretation():
    rgb = np.zeros((10, 12, 3), np.uint8)
    assert views.choose(ds(rgb)).view == "stack"
    assert views.choose(ds(rgb, attrs={"CLASS": b"IMAGE"})).view == "rgb"
    choice = views.choose(ds(np.zeros((5, 10, 12, 4), np.uint8), attrs={"interpretation": "rgba-image"}))
    assert choice.view == "rgb" and choice.selection == "0,:,:,:" and choice.ndisplay == 2
    # a trailing 5 is not a colour dimension
    assert views.choose(ds(np.zeros((10, 12, 5)), attrs={"CLASS": "IMAGE"})).view == "stack"


def test_interpretation_moves_views_first():
    cube = np.zeros((4, 5, 6))
    assert views.choose(ds(cube, attrs={"interpretation": "spectrum"})).view == "curve"
    assert views.choose(ds(cube, attrs={"interpretation": b"image"})).view == "stack"
    assert views.choose(ds(np.zeros(6), attrs={"interpretation": "image"})).view == "curve"  # cannot be an image
    assert views.choose(ds(cube, attrs={"interpretation": "scalar"})).view == "table"
    assert views.choose(ds(cube, attrs={"interpretation": "foo"})).view == "stack"


def test_null_dataspace_is_empty():
    choice = views.choose(ds(shape=None, dtype="f4"))
    assert choice.view == "empty" and choice.views == ["empty"]


def test_links_and_plain_groups():
    root = MemoryGroup("", "/")
    root.add("a", np.arange(5.0))
    root.create_link("good", "/a")
    root.create_link("bad", "/missing")
    assert views.choose(root["good"]).view == "curve"
    bad = views.choose(root["bad"])
    assert bad.view == "none" and "missing" in bad.reason
    assert views.choose(root).view == "none"


def _course_subjects(path, group):
    with h5py.File(path, "r") as f:
        out = {}
        f[group].visititems(lambda name, obj: out.__setitem__(name, views.subject(obj)) if isinstance(obj, h5py.Dataset) else None)
    return out


def test_silx_interpretation_attr(course):
    subjects = _course_subjects(course / "silx-io" / "test.h5", "interpretation_attr")
    first = {name: views.views_for(s)[0] for name, s in subjects.items()}
    assert first == {
        "foo/1d": "curve", "foo/2d": "image", "foo/3d": "stack", "foo/4d": "stack",
        "image/1d": "curve", "image/2d": "image", "image/3d": "stack", "image/4d": "stack",
        "scalar/1d": "table", "scalar/2d": "table", "scalar/3d": "table", "scalar/4d": "table",
        "scaler/1d": "curve", "scaler/2d": "image", "scaler/3d": "stack", "scaler/4d": "stack",
        "spectrum/1d": "curve", "spectrum/2d": "curve", "spectrum/3d": "curve", "spectrum/4d": "curve",
    }
    s = subjects["spectrum/4d"]
    assert views.default_selection("curve", s) == "0,0,0,:"


def test_silx_scalars_and_structured(course):
    path = course / "silx-io" / "test.h5"
    scalars = {n: views.views_for(s)[0] for n, s in _course_subjects(path, "scalars").items()}
    for name in ("+inf", "-inf", "nan", "float32", "int64", "complex+r-i"):
        assert scalars[name] == "scalar", name
    for name in ("string_", "string0", "empty_string_", "object", "void"):
        assert scalars[name] == "text", name
    assert scalars["record"] == "table"
    structured = {n: views.views_for(s)[0] for n, s in _course_subjects(path, "numpy_structured_arrays").items()}
    assert structured == {f"example_{i}": "table" for i in (1, 2, 4, 5, 6, 7)} | {"example_3": "curve"}
    arrays = {n: views.views_for(s)[0] for n, s in _course_subjects(path, "arrays").items()}
    assert arrays["string_2d"] == "list" and arrays["float_3d"] == "stack" and arrays["integer_1d"] == "curve"


def test_course_map_is_a_spectrum_stack(course):
    with h5py.File(course / "test.h5", "r") as f:
        s = views.subject(f["diff_map_0004/data/map"])
    assert s.shape == (29, 78, 100) and s.interpretation == "spectrum"
    assert views.views_for(s) == ["curve", "stack", "table"]
    assert views.default_selection("curve", s) == "0,0,:"
    assert views.default_selection("stack", s) == "0,:,:"


def test_column_vectors_are_curves():
    choice = views.choose(np.zeros((21, 1)))
    assert choice.view == "curve" and choice.selection == ":,0"
    assert views.choose(np.zeros((1, 1, 7))).selection == "0,0,:"


def test_nxdata_on_the_course_map(course):
    import h5lens

    root = h5lens.open(str(course / "test.h5"))
    try:
        choice = views.choose(root["diff_map_0004"])
        assert choice.view == "nxdata" and choice.shown == "curve" and choice.ndisplay == 1
        assert choice.dataset.path == "/diff_map_0004/data/map" and choice.selection == "0,0,:"
        assert choice.nxdata.interpretation == "spectrum" and choice.nxdata.axis_names[2] == "2th"
        image = views.choose(root["diff_map_0004/data"], view="stack")
        assert image.shown == "stack" and image.selection == "0,:,:"
    finally:
        root.close()


def test_old_nexus_file_columns(course):
    import h5lens

    root = h5lens.open(str(course / "history" / "nexus-20110325.h5"))
    try:
        entry = views.choose(root["entry1"])
        assert entry.view == "none" and "no NXdata" in entry.reason
        col = root["entry1/measurement/locum_I1"]
        assert col.shape[1] == 1
        choice = views.choose(col)
        assert choice.view == "curve" and choice.selection == ":,0"
    finally:
        root.close()


@pytest.mark.parametrize("view, ndisplay, command", [
    ("list", 1, "values"), ("table", 0, "values"), ("scalar", 0, "values"), ("none", 0, "values"),
    ("curve", 1, "curve"), ("complex", 1, "curve"), ("image", 2, "frame"), ("stack", 2, "frame"),
    ("rgb", 2, "frame"), ("nxdata", 1, "curve"), ("nxdata", 2, "frame"),
])
def test_display_command_follows_the_view_like_the_front_end(view, ndisplay, command):
    assert views.display_command(view, ndisplay) == command


def test_value_views_match_the_front_end():
    import re
    from pathlib import Path

    js = (Path(__file__).parents[1] / "js" / "src" / "viewer" / "meta.js").read_text()
    listed = re.search(r"const VALUE_VIEWS = new Set\(\[([^\]]*)\]\)", js).group(1)
    assert {name.strip().strip('"') for name in listed.split(",")} == set(views.VALUE_VIEWS)


def test_dimension_names_follow_the_file_layout(course):
    """fabio stacks: ``frame``; SPEC scans: ``point``, MCA ``channel``; else ``dim k`` (the viewer's sliders and legends)."""
    from h5lens.widgets.viewer import view

    for source, names in [(f"{course / 'ID16B_diatomee.edf'}::/scan_0/instrument/detector_0/data", ["frame", "y", "x"]),
                          (f"{course / 'ID16B_diatomee.h5'}::/data/0000", ["y", "x"]),
                          (f"{course / 'test.h5'}::/diff_map_0000/data/map", ["dim 0", "dim 1", "channel"]),
                          (f"{course / 'oleg.dat'}::/94.1/measurement/mca_0/data", ["point", "channel"]),
                          (f"{course / 'oleg.dat'}::/94.1/measurement/Epoch", ["point"])]:
        v = view(source)
        try:
            assert [d["name"] for d in v.meta["dims"]] == names, source
        finally:
            v.close()
    # image rows and columns are y and x; what is not an image keeps its index names
    assert views.layout_names(MemoryDataset("a", "/a", None, np.zeros((2, 3, 4)))) == ["dim 0", "y", "x"]
    stack = MemoryDataset("s", "/s", None, np.zeros((5, 3, 4)), attrs={"interpretation": "image"})
    assert views.layout_names(stack) == ["frame", "y", "x"]
    rgb = MemoryDataset("c", "/c", None, np.zeros((3, 4, 3), "u1"), attrs={"CLASS": "IMAGE"})
    assert views.layout_names(rgb) == ["y", "x", "dim 2"]
    assert views.layout_names(MemoryDataset("t", "/t", None, np.zeros((4, 1)))) == ["dim 0", "dim 1"]  # a column
    assert views.layout_names(MemoryDataset("s", "/s", None, np.zeros((2, 4)),
                                            attrs={"interpretation": "spectrum"})) == ["dim 0", "channel"]
