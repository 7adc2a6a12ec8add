"""The viewer widget's Python half, driven without a kernel: traits, commands, fallbacks."""

import io

import h5py
import numpy as np
import pytest
import traitlets

import h5lens
from h5lens import colormaps, wire
from h5lens.colormaps import png
from h5lens.widgets.viewer import Viewer, view


def call(widget, name, **msg):
    reply, buffers = getattr(widget, name)(msg, [])
    return reply, buffers


@pytest.fixture
def stack_file(tmp_path):
    rng = np.random.default_rng(11)
    data = rng.integers(0, 4000, size=(6, 300, 200), dtype=np.uint16)
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("entry/stack", data=data, chunks=(1, 100, 200), compression="gzip")
    return path, data


def test_view_of_an_array_and_selection_sync():
    a = np.arange(6 * 5 * 4, dtype=np.float32).reshape(6, 5, 4)
    v = view(a)
    assert isinstance(v, Viewer) and v.kind == "stack" and v.ndisplay == 2
    assert v.selection == "0,:,:" and v.views == ["stack", "curve", "table"]
    seen = []
    v.observe(lambda c: seen.append(c["new"]), names="selection")
    v.selection = "-1, :, :"
    assert v.selection == "5,:,:" and seen == ["5,:,:"]
    np.testing.assert_array_equal(v.data, a[5])
    v.transposed = True
    np.testing.assert_array_equal(v.data, a[5].T)
    with pytest.raises(ValueError, match="out of range"):
        v.selection = "6,:,:"
    with pytest.raises(traitlets.TraitError, match="keeps 2 dimension"):
        v.selection = "1,2,:"
    assert v.selection == "5,:,:"


def test_frame_command_sends_display_resolution(stack_file):
    path, data = stack_file
    v = view(f"{path}::/entry/stack")
    assert v.meta["shape"] and v.meta["dtype"] == "uint16" and v.meta["chunks"] == [1, 100, 200]
    fitted, _ = call(v, "frame", selection="2,:,:", canvas=[100, 100])  # square pixels by default
    assert fitted["factors"] == [3, 3] and fitted["array"]["shape"] == [100, 67]
    reply, bufs = call(v, "frame", selection="2,:,:", canvas=[100, 100], aspect="auto")
    assert reply["ok"] and reply["factors"] == [3, 2] and reply["frame_shape"] == [300, 200]
    got = wire.decode(reply["array"], bufs)
    np.testing.assert_array_equal(got, data[2].reshape(100, 3, 100, 2).max(axis=(1, 3)))
    assert reply["stats"]["chunks"] == 3 and reply["warning"] is None
    full, bufs = call(v, "frame", selection="4,:,:", canvas=[1024, 1024], region=[10, 20, 30, 50])
    np.testing.assert_array_equal(wire.decode(full["array"], bufs), data[4, 10:20, 30:50])
    assert sum(b.nbytes for b in bufs) == 10 * 20 * 2
    bad, bufs = call(v, "frame", selection="9,:,:")
    assert bad == {"ok": False, "error": {"type": "SelectionError", "message": bad["error"]["message"]}}
    assert "out of range" in bad["error"]["message"] and bufs == []
    v.close()


def test_curve_command_and_view_switch(stack_file):
    path, data = stack_file
    root = h5lens.open(str(path))
    v = Viewer(root["entry/stack"])
    v.kind = "curve"
    assert v.ndisplay == 1 and v.selection == "0,0,:"
    v.selection = ":,7,9"
    reply, bufs = call(v, "curve", selection=":,7,9", columns=100)
    assert reply["ok"] and not reply["decimated"] and reply["length"] == 6
    np.testing.assert_array_equal(wire.decode(reply["arrays"][0], bufs), data[:, 7, 9])
    assert reply["index"] == list(range(6)) and reply["x"] is None
    assert reply["stats"]["chunks"] == 6
    np.testing.assert_array_equal(v.data, data[:, 7, 9])
    root.close()


def test_huge_curve_is_decimated():
    y = np.sin(np.arange(200_000) / 50.0).astype(np.float32)
    v = view(y)
    reply, bufs = call(v, "curve", columns=400)
    assert reply["decimated"] and len(reply["arrays"]) == 2 and len(reply["index"]) == 400
    lo = wire.decode(reply["arrays"][0], [bufs[0]])
    hi = wire.decode(reply["arrays"][1], [bufs[1]])
    assert lo.min() == y.min() and hi.max() == y.max() and (hi >= lo).all()
    assert sum(b.nbytes for b in bufs) == 2 * 400 * 4


def test_luts_values_and_exports(stack_file):
    path, data = stack_file
    v = view(f"{path}::/entry/stack", selection="1,:,:")
    reply, bufs = call(v, "luts", names=["viridis", "gray_r"])
    assert reply["names"] == ["viridis", "gray_r"]
    assert bytes(bufs[0]) == colormaps.lut("viridis") + colormaps.lut("gray_r")
    reply, _ = call(v, "luts", names=["nope"])
    assert not reply["ok"] and "unknown colormap" in reply["error"]["message"]
    npy, bufs = call(v, "export", format="npy")
    assert npy["filename"] == "stack.npy"
    np.testing.assert_array_equal(np.load(io.BytesIO(bytes(bufs[0]))), data[1])
    csv, bufs = call(v, "export", format="csv")
    np.testing.assert_array_equal(np.loadtxt(io.BytesIO(bytes(bufs[0])), delimiter=",", dtype=np.int64), data[1])
    assert not call(v, "export", format="xls")[0]["ok"]
    with pytest.raises(ValueError, match="unknown colormap"):
        v.colormap = "virdis"
    v.close()


def test_values_for_scalars_strings_and_tables(course):
    path = course / "silx-io" / "test.h5"
    root = h5lens.open(str(path))
    try:
        rec = Viewer(root["numpy_structured_arrays/example_1"])
        assert rec.kind == "table"
        reply, _ = call(rec, "values")
        assert reply["columns"] == ["foo", "bar", "baz"] and len(reply["rows"]) == 2
        scalar = Viewer(root["scalars/+inf"])
        assert scalar.kind == "scalar" and call(scalar, "values")[0]["text"] == "inf"
        text = Viewer(root["utf8_datasets/string_"])
        assert "\u2665" in call(text, "values")[0]["text"]
        strings = Viewer(root["arrays/string_1d"])
        assert strings.kind == "list"
        reply, _ = call(strings, "values")
        with h5py.File(path, "r") as f:
            expected = f["arrays/string_1d"][()]
        assert len(reply["rows"]) == len(expected)
    finally:
        root.close()


def test_nxdata_view_of_the_course_map(course):
    v = view(f"{course / 'test.h5'}::/diff_map_0004")
    assert v.kind == "curve" and v.meta["nxdata"] and v.meta["title"] == "diffmap"
    assert v.selection == "0,0,:" and v.meta["dims"][2]["name"] == "2th"
    assert v.meta["dims"][2]["label"].startswith("Scattering angle")
    reply, bufs = call(v, "curve", selection="5,5,:")
    y = wire.decode(reply["arrays"][0], bufs)
    np.testing.assert_allclose(y[:5], [104.14766, 103.352615, 103.01642, 103.24001, 103.27751], rtol=1e-6)
    with h5py.File(course / "test.h5", "r") as f:
        np.testing.assert_allclose(reply["x"], f["diff_map_0004/data/2th"][()], rtol=1e-6)
    v.kind = "stack"
    assert v.selection == "0,:,:"
    frame, bufs = call(v, "frame", selection="0,:,:")
    img = wire.decode(frame["array"], bufs)
    np.testing.assert_allclose(img[0, :5], [103.45841, 103.19393, 103.12445, 103.15601, 103.203285], rtol=1e-6)
    assert frame["axes"].get("x") and len(frame["axes"]["x"]) == 100
    v.close()


def test_broken_and_group_sources_show_a_reason(tmp_path):
    path = tmp_path / "links.h5"
    with h5py.File(path, "w") as f:
        f["a"] = np.arange(3)
        f["broken"] = h5py.ExternalLink("missing.h5", "/x")
    v = view(f"{path}::/broken")
    assert v.kind == "none" and "missing.h5" in v.error
    reply, _ = call(v, "frame")
    assert not reply["ok"]
    g = view(str(path))
    assert g.kind == "none" and "no NXdata" in g.error
    v.close()
    g.close()


def test_html_fallback_is_a_png_thumbnail_with_numpy_colours():
    a = np.linspace(0, 1, 64 * 48, dtype=np.float32).reshape(48, 64)
    v = view(a, colormap="magma", autoscale="minmax")
    bundle, _ = v._repr_mimebundle_()
    html = bundle["text/html"]
    assert "data:image/png;base64," in html and "application/vnd.jupyter.widget-view+json" in bundle
    expected = png(colormaps.colorize(a, "magma", 0.0, 1.0, "linear"))
    import base64

    assert base64.b64encode(expected).decode() in html
    assert "<div>48 × 64 float32 array [" in html  # an in-memory array is titled by shape and dtype, not "/"
    curve = view(np.arange(5.0))
    assert "h5lens viewer: 5 float64 array" in curve._repr_mimebundle_()[0]["text/html"]


def test_png_encoder_round_trip():
    from matplotlib.image import imread

    rgba = np.random.default_rng(0).integers(0, 256, size=(7, 9, 4), dtype=np.uint8)
    back = imread(io.BytesIO(png(rgba)), format="png")
    np.testing.assert_array_equal((back * 255).round().astype(np.uint8), rgba)


def test_no_big_data_in_traits(stack_file):
    path, _ = stack_file
    v = view(f"{path}::/entry/stack")
    state = v.get_state()
    big = {k: len(str(val)) for k, val in state.items() if k != "_esm" and len(str(val)) > 20_000}
    assert big == {}
    v.close()


@pytest.fixture
def nxdata_file(tmp_path):
    """A generated NXdata: 2-D signal with errors, an auxiliary signal and axes with units."""
    path = tmp_path / "nx.h5"
    x = np.linspace(10.0, 20.0, 50)
    sig = np.outer(np.arange(1, 5), np.sin(x)).astype(np.float64)
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        e = f.create_group("entry")
        e.attrs["NX_class"] = "NXentry"
        e.attrs["default"] = "plot"
        e["title"] = "generated scan"
        d = e.create_group("plot")
        d.attrs.update({"NX_class": "NXdata", "signal": "counts", "axes": [".", "energy"],
                        "auxiliary_signals": ["fit"], "interpretation": "spectrum"})
        d["counts"] = sig
        d["counts"].attrs["units"] = "ct"
        d["counts_errors"] = np.sqrt(np.abs(sig))
        d["fit"] = sig * 0.9
        d["energy"] = x
        d["energy"].attrs["units"] = "keV"
    return path, x, sig


def test_nxdata_curve_with_errors_axes_and_auxiliary_signals(nxdata_file):
    path, x, sig = nxdata_file
    v = view(str(path))
    assert v.kind == "curve" and v.selection == "0,:" and v.meta["title"] == "generated scan"
    assert v.meta["dims"][1]["label"] == "energy (keV)" and v.meta["signal"] == "counts (ct)"
    assert v.meta["errors"] and v.meta["auxiliary"] == ["fit"]
    reply, bufs = call(v, "curve", selection="2,:")
    assert reply["errors"] and reply["aux"] == ["fit"] and len(reply["arrays"]) == 3
    y, err, fit = (wire.decode(h, [b]) for h, b in zip(reply["arrays"], bufs))
    np.testing.assert_allclose(y, sig[2])
    np.testing.assert_allclose(err, np.sqrt(np.abs(sig[2])))
    np.testing.assert_allclose(fit, sig[2] * 0.9)
    np.testing.assert_allclose(reply["x"], x)
    v.close()


def test_huge_region_comes_first_as_a_preview(tmp_path, monkeypatch):
    from h5lens import replies

    a = np.zeros((600, 800), np.float32)
    a[301, 402] = 9.0  # a spot between the preview's samples
    monkeypatch.setattr(replies, "PREVIEW_BYTES", 100_000)
    v = view(a)
    quick, bufs = call(v, "frame", canvas=[100, 100])
    assert quick["preview"] and quick["factors"] == [8, 8]
    np.testing.assert_array_equal(wire.decode(quick["array"], bufs), a[::8, ::8])
    exact, bufs = call(v, "frame", canvas=[100, 100], exact=True)
    assert not exact["preview"] and wire.decode(exact["array"], bufs).max() == 9.0
    small, _ = call(v, "frame", canvas=[100, 100], region=[0, 100, 0, 100])
    assert not small["preview"]
    # a preview reads few rows: with a 40 KB budget, 100 sampled rows of 3.2 KB become at most 13
    monkeypatch.setattr(replies, "PREVIEW_TOUCH", 40_000)
    coarse, bufs = call(v, "frame", canvas=[100, 100])
    fy, fx = coarse["factors"]
    got = wire.decode(coarse["array"], bufs)
    assert coarse["preview"] and max(got.shape) <= 13 and got.shape[0] * 800 * 4 <= 40_000 * 1.1
    np.testing.assert_array_equal(got, a[::fy, ::fx])


@pytest.mark.parametrize("percentiles", [(0.1, 99.9), (2.0, 98.0)])
def test_thumbnail_range_is_the_full_frame_s_not_the_reduced_copy(course, percentiles):
    """540 × 640 uint16 reduced to ≤ 256²: the colours still span numpy's percentiles of every pixel."""
    import base64

    from h5lens import frames

    v = view(f"{course / 'ID16B_diatomee.h5'}::/data/0000", percentiles=list(percentiles))
    try:
        frame = np.asarray(v.data, dtype=np.float64)
        lo, hi = np.percentile(frame, percentiles)  # numpy on the full-resolution frame
        out = frames.frame(v.dataset, v.items, False, None, (256, 256), "max", None)
        assert out["factors"] != [1, 1]  # the thumbnail is drawn from a reduced copy
        copy_range = np.percentile(out["data"].astype(np.float64), percentiles)
        assert abs(copy_range[0] - lo) > 100  # the copy's own range is far off (max-reduced: brighter)
        expected = png(colormaps.colorize(out["data"], "viridis", lo, hi, "linear"))
        html = v._repr_mimebundle_()[0]["text/html"]
        assert base64.b64encode(expected).decode() in html
    finally:
        v.close()
