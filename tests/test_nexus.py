"""NeXus resolution: @default chains and NXdata on HDF5, memory, image and SPEC trees."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from h5lens.nodes.hdf5 import open_hdf5
from h5lens.nodes.memory import from_object
from h5lens.nodes.nexus import NXDataInfo, find_nxdata, nxdata_info, nxdata_problem, text

STR = h5py.string_dtype()


def nxdata(group, signal="I", shape=(2, 3, 5), **attrs):
    """An NXdata group with a float signal; extra attrs go on the group."""
    group.attrs["NX_class"] = "NXdata"
    group.attrs["signal"] = signal
    for key, value in attrs.items():
        group.attrs[key] = value
    group[signal] = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    return group


@pytest.fixture
def modern(tmp_path):
    """NeXus ≥ 2014: @default chain, @axes with '.', _indices, errors, auxiliary signals."""
    path = tmp_path / "modern.h5"
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = np.bytes_(b"NXentry")  # bytes, as many writers store it
        entry.attrs["default"] = "plot"
        entry.create_dataset("title", data="scan 12: <mesh> & co", dtype=STR)
        data = nxdata(entry.create_group("plot"), axes=np.array([".", "y", "x"], dtype=STR),
                      x_indices=2, y_indices=np.int64(1), auxiliary_signals=np.array(["I2"], dtype=STR))
        data["I"].attrs["units"] = "counts"
        data["I"].attrs["interpretation"] = "image"
        data["x"] = np.linspace(0, 1, 6)  # bin edges: one more than the dimension
        data["x"].attrs["long_name"] = "Position x (mm)"
        data["y"] = np.arange(3.0)
        data["y"].attrs["units"] = "mm"
        data["I_errors"] = np.ones((2, 3, 5))
        data["I2"] = np.zeros((2, 3, 5))
        entry.create_group("other").attrs["NX_class"] = "NXdata"
    return path


def test_default_chain_and_full_info(modern):
    with open_hdf5(modern) as root:
        found = find_nxdata(root)
        assert found is not None and found.path == "/entry/plot"
        assert find_nxdata(root["entry"]).path == "/entry/plot"
        assert find_nxdata(found) is found
        info = nxdata_info(found)
        assert isinstance(info, NXDataInfo) and nxdata_problem(found) is None
        assert info.signal_name == "I" and info.signal.shape == (2, 3, 5)
        assert [a.name if a is not None else None for a in info.axes] == [None, "y", "x"]
        assert info.axis_names == [None, "y", "x"]
        assert info.axis_units == [None, "mm", None]
        assert info.axis_long_names == [None, None, "Position x (mm)"]
        assert info.errors.name == "I_errors"
        assert [a.name for a in info.auxiliary_signals] == ["I2"] and info.auxiliary_signal_names == ["I2"]
        assert info.units == "counts" and info.interpretation == "image"
        assert info.title == "scan 12: <mesh> & co"  # the entry's title
        assert info.label() == "I (counts)" and info.label(2) == "Position x (mm)" and info.label(1) == "y (mm)"
        assert info.label(0) == "dimension 0"
        assert info.warnings == []


@pytest.mark.parametrize("axes", ["x", b"x", np.array([b"x"]), np.array(["x"], dtype=STR)])
def test_axes_attribute_as_str_bytes_or_array(tmp_path, axes):
    path = tmp_path / "a.h5"
    with h5py.File(path, "w") as f:
        group = nxdata(f.create_group("d"), shape=(4,), axes=axes)
        group["x"] = np.arange(4) * 2.0
    with open_hdf5(path) as root:
        info = nxdata_info(root["d"])
        assert info.axis_names == ["x"]
        np.testing.assert_array_equal(info.axes[0][()], [0, 2, 4, 6])


def test_nexus_2011_signal_and_axis_attributes(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry1")
        entry.attrs["NX_class"] = b"NXentry"
        entry["title"] = np.array([b"ascan fe_v_gap -1.9 5.0 70 0.1"])  # |S array of shape (1,)
        group = entry.create_group("data")
        group.attrs["NX_class"] = b"NXdata"
        group["counts"] = np.ones((4, 6))
        group["counts"].attrs["signal"] = np.int32(1)
        group["counts"].attrs["axes"] = b"tth:energy"
        group["errors"] = np.full((4, 6), 0.5)
        group["energy"] = np.arange(6.0)
        group["energy"].attrs["axis"] = 2
        group["tth"] = np.arange(4.0)
        group["tth"].attrs["axis"] = 1
        group["tth"].attrs["unit"] = b"deg"
    with open_hdf5(path) as root:
        found = find_nxdata(root)  # single NXentry without @default, first NXdata inside
        assert found.path == "/entry1/data"
        info = nxdata_info(found)
        assert info.signal_name == "counts" and info.axis_names == ["tth", "energy"]
        assert info.axis_units == ["deg", None]
        assert info.errors.name == "errors"
        assert info.title == "ascan fe_v_gap -1.9 5.0 70 0.1"


def test_axes_shorter_than_rank_go_by_position():
    # the NeXus rule: the k-th name of @axes is dimension k, however many names there are
    tree = from_object({"d": {"@NX_class": "NXdata", "@signal": "s", "@axes": "e",
                              "s": np.zeros((7, 3)), "e": np.arange(7.0)},
                        "bad": {"@NX_class": "NXdata", "@signal": "s", "@axes": "e",
                                "s": np.zeros((3, 7)), "e": np.arange(7.0)},
                        "edges": {"@NX_class": "NXdata", "@signal": "s", "@axes": "e",
                                  "s": np.zeros((7, 3)), "e": np.arange(8.0)}})
    assert nxdata_info(tree["d"]).axis_names == ["e", None]
    info = nxdata_info(tree["bad"])
    assert info.axis_names == [None, None]
    assert info.warnings == ["axis 'e' has 7 values, dimension 0 of the signal has 3"]
    assert nxdata_info(tree["edges"]).axis_names == ["e", None]  # bin edges: N + 1 values


def test_nexus_2011_axis_attributes_without_any_axes_list(tmp_path):
    path = tmp_path / "old.h5"
    with h5py.File(path, "w") as f:
        group = f.create_group("data")
        group.attrs["NX_class"] = b"NXdata"
        group["counts"] = np.ones((4, 6))
        group["counts"].attrs["signal"] = 1
        group["energy"] = np.arange(6.0)
        group["energy"].attrs["axis"] = 2
        group["energy_edges"] = np.arange(7.0)
        group["energy_edges"].attrs["axis"] = 2
        group["energy_edges"].attrs["primary"] = 2  # a secondary axis of the same dimension
        group["tth"] = np.arange(5.0)  # bin edges of dimension 0
        group["tth"].attrs["axis"] = np.int32(1)
        group["tth"].attrs["units"] = b"deg"
    with open_hdf5(path) as root:
        info = nxdata_info(root["data"])
        assert info.axis_names == ["tth", "energy"] and info.warnings == []
        assert info.axis_units == ["deg", None]


def test_axis_problems_leave_the_axis_out_with_a_warning():
    tree = from_object({"d": {"@NX_class": "NXdata", "@signal": "s", "@axes": ["a", "b", "missing"],
                              "@b_indices": 7,
                              "s": np.zeros((3, 4, 5)), "a": np.arange(10.0), "b": np.arange(4.0)}})
    info = nxdata_info(tree["d"])
    assert info.axes == [None, None, None]
    assert len(info.warnings) == 3
    assert "has 10 values, dimension 0 of the signal has 3" in info.warnings[0]
    assert "dimension(s) [7]" in info.warnings[1]
    assert "'missing' is not a dataset" in info.warnings[2]
    assert nxdata_problem(tree["d"]) is None  # still plottable against indices


@pytest.mark.parametrize(
    "members, reason",
    [
        ({"s": np.zeros(3)}, "no @signal attribute and no dataset marked signal=1"),
        ({"@signal": "nope", "s": np.zeros(3)}, "@signal names 'nope', which is not a member"),
        ({"@signal": "s", "s": {"inner": np.zeros(2)}}, "is a group, not a dataset"),
        ({"@signal": "s", "s": np.array(["a", "b"], dtype=object)}, "is not numeric"),
    ],
)
def test_invalid_nxdata_gives_none_and_a_reason(members, reason):
    tree = from_object({"d": {"@NX_class": "NXdata", **members}})
    assert nxdata_info(tree["d"]) is None
    assert reason in nxdata_problem(tree["d"])


def test_not_nxdata_and_not_groups():
    tree = from_object({"g": {"x": np.zeros(2)}, "x": np.zeros(2)})
    assert "is not an NXdata group" in nxdata_problem(tree["g"])
    assert "is a dataset, not a group" in nxdata_problem(tree["x"])
    assert find_nxdata(tree) is None and find_nxdata(tree["x"]) is None


def test_default_cycles_and_broken_defaults():
    cycle = from_object({"@default": "a", "a": {"@default": "/b"}, "b": {"@default": "../a"}})
    assert find_nxdata(cycle) is None
    broken = from_object({"entry": {"@NX_class": "NXentry", "@default": "gone",
                                    "first": {"@NX_class": "NXdata", "@signal": "s", "s": np.zeros(2)}}})
    assert find_nxdata(broken).path == "/entry/first"  # a broken @default falls back
    absolute = from_object({"@default": "/entry/plots/p", "entry": {"plots": {"p": {"@NX_class": "NXdata"}}}})
    assert find_nxdata(absolute).path == "/entry/plots/p"


def test_soft_links_in_nxdata(tmp_path):
    path = tmp_path / "links.h5"
    with h5py.File(path, "w") as f:
        f["raw/frames"] = np.zeros((2, 4, 4))
        f["raw/x"] = np.arange(4.0)
        group = f.create_group("plot")
        group.attrs.update({"NX_class": "NXdata", "signal": "frames", "axes": [".", ".", "x"]})
        group["frames"] = h5py.SoftLink("/raw/frames")
        group["x"] = h5py.SoftLink("/raw/x")
        group["frames_errors"] = h5py.SoftLink("/raw/missing")
    with open_hdf5(path) as root:
        info = nxdata_info(root["plot"])
        assert info.signal.shape == (2, 4, 4) and info.axis_names == [None, None, "x"]
        assert info.errors is None  # a broken link is no errors dataset


def test_searching_skips_external_links(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        nxdata(f.create_group("d"), shape=(3,))
    path = tmp_path / "main.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["remote"] = h5py.ExternalLink(str(other), "/d")
        nxdata(entry.create_group("local"), shape=(4,))
    with open_hdf5(path) as root:
        found = find_nxdata(root["entry"])  # no @default: the first NXdata, without opening other.h5
        assert found.path == "/entry/local"
        assert root["entry/remote"]._resolved is None and root["entry/remote"]._error is None
    with h5py.File(path, "a") as f:  # an explicit @default may still lead through an external link
        f["entry"].attrs["default"] = "remote"
    with open_hdf5(path) as root:
        assert find_nxdata(root["entry"]).path == "/entry/remote"


def test_text_helper():
    assert text(b"abc") == "abc" and text(np.array([b"x"])) == "x" and text(np.array("y", dtype=object)) == "y"
    assert text(3) is None and text(np.array(["a", "b"])) is None


def test_course_test_h5(course):
    with open_hdf5(course / "test.h5") as root:
        assert find_nxdata(root) is None  # five entries and no @default: no choice made
        found = find_nxdata(root["diff_map_0004"])
        assert found.path == "/diff_map_0004/data"
        info = nxdata_info(found)
        assert info.signal_name == "map" and info.signal.shape == (29, 78, 100)
        assert info.interpretation == "spectrum"
        assert info.axis_names == [None, None, "2th"] and info.axis_units == [None, None, "deg"]
        assert info.title == "diffmap"
        np.testing.assert_allclose(info.signal[5, 5, 0:5], [104.14766, 103.352615, 103.01642, 103.24001, 103.27751], rtol=1e-6)


def test_course_nexus_2011_has_no_nxdata(course):
    with open_hdf5(course / "history" / "nexus-20110325.h5") as root:
        assert len(root.keys()) == 16
        for name in root.keys():
            assert find_nxdata(root[name]) is None
        assert "not an NXdata group (NX_class 'NXentry')" in nxdata_problem(root["entry1"])
        assert "not an NXdata group (NX_class 'measurement')" in nxdata_problem(root["entry1/measurement"])


def test_image_and_spec_trees(course):
    from h5lens.nodes.image import open_image
    from h5lens.nodes.spec import open_spec

    with open_image(course / "ID16B_diatomee.edf") as root:
        info = nxdata_info(find_nxdata(root))
        assert info.group.path == "/scan_0/image" and info.signal.shape == (6, 540, 640)
        assert info.interpretation == "image" and info.axes == [None, None, None]
    with open_spec(course / "oleg.dat") as root:
        assert find_nxdata(root) is None  # several scans: no single default
        plot = nxdata_info(find_nxdata(root["94.1"]))  # the scan's @default: the counters against the motor
        assert plot.group.path == "/94.1/plot" and plot.signal_name == "detcorr" and plot.axis_names == ["delta"]


def test_axis_values_at_source_indices(modern):
    from h5lens.nodes.nexus import axis_values

    with open_hdf5(modern) as root:
        info = nxdata_info(root["entry/plot"])
        x_edges = np.linspace(0, 1, 6)
        assert axis_values(info, 2, np.array([0, 2, 4])) == pytest.approx(x_edges[[0, 2, 4]].tolist())
        assert axis_values(info, 2, np.array([3, 5, 9])) == pytest.approx(x_edges[[3, 5]].tolist())  # past the end
        assert axis_values(info, 1, [1]) == [1.0]
        assert axis_values(info, 0, [0, 1]) is None  # "." : no axis for this dimension
        assert axis_values(info, 2, np.array([7, 8])) is None  # nothing inside the axis
        assert axis_values(None, 2, [0]) is None and axis_values(info, 9, [0]) is None


def test_other_axes_of_a_dimension_are_offered_as_abscissae(tmp_path):
    """``NAME_indices`` without ``@axes``: another axis of that dimension (NeXus), offered after the default."""
    from h5lens import abscissa

    path = tmp_path / "alt.h5"
    with h5py.File(path, "w") as f:
        g = nxdata(f.create_group("d"), shape=(2, 5), axes=[".", "energy"], energy_indices=1,
                   channels_indices=1, wrong_indices=1, far_indices=7)
        g["energy"] = np.linspace(1.0, 2.0, 5)
        g["energy"].attrs["units"] = "keV"
        g["channels"] = np.arange(10, 15)
        g["channels"].attrs["long_name"] = "MCA channel"
        g["wrong"] = np.arange(4)  # not the dimension's length: never offered
        g["far"] = np.arange(5)  # a dimension the signal does not have
    with open_hdf5(path) as root:
        info = nxdata_info(root["d"])
        assert [[name for name, _ in dim] for dim in info.other_axes] == [[], ["channels"]]
        # the NXdata axes first; then any other column of the length ("far", no axis of the signal
        # but a dataset to plot against), never "wrong" (4 values); the index last
        assert abscissa.choices(info, 1) == [{"name": "energy", "label": "energy (keV)"},
                                             {"name": "channels", "label": "MCA channel"},
                                             {"name": "far", "label": "far"},
                                             {"name": "index", "label": "index"}]
        assert abscissa.choices(info, 0) == [{"name": "index", "label": "index"}]
        assert abscissa.values(info, 1, "far", [1, 3]) == [1.0, 3.0]
        assert abscissa.values(info, 1, "channels", [1, 3]) == [11.0, 13.0]
        assert abscissa.values(info, 1, "index", [1, 3]) is None
        assert abscissa.resolve(info, 1, "wrong") == "energy" and abscissa.resolve(info, 0, "energy") == "index"


def test_default_plot_guess_looks_at_the_first_entry_s_first_members_only(tmp_path):
    """Without @default, the guess stays cheap on big entries: the first entry, its first members."""
    import h5lens
    from h5lens.nodes import nexus

    path = tmp_path / "big_entries.h5"
    with h5py.File(path, "w") as f:
        for e in ("a_entry", "b_entry"):
            entry = f.create_group(e)
            entry.attrs["NX_class"] = "NXentry"
            for i in range(nexus._GUESS_MEMBERS + 10):
                entry[f"d{i:04d}"] = [i]
            plot = entry.create_group("zz_plot")  # sorted after the datasets: beyond the members looked at
            plot.attrs.update(NX_class="NXdata", signal="y")
            plot["y"] = np.arange(5.0)
    with h5lens.open(path) as root:
        assert nexus.default_plot(root) is None
        assert nexus.find_nxdata(root["/a_entry"]).path == "/a_entry/zz_plot"  # asked for, it is found
    with h5py.File(path, "a") as f:
        f["a_entry"].move("zz_plot", "a_plot")  # among the first members: the guess finds it
    with h5lens.open(path) as root:
        assert nexus.default_plot(root).path == "/a_entry/a_plot"
