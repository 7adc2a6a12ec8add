"""What a viewer displays of a selection: frame and curve geometry, requests, node-level reads."""

import h5py
import numpy as np
import pytest

from h5lens import frames
from h5lens import selection as sel
from h5lens.frames import FrameGeometry, FrameRequest


@pytest.fixture
def stack(tmp_path):
    rng = np.random.default_rng(4)
    data = rng.integers(0, 65535, size=(5, 300, 420), dtype=np.uint16)
    with h5py.File(tmp_path / "stack.h5", "w") as f:
        f.create_dataset("s", data=data, chunks=(1, 64, 420), compression="gzip")
    f = h5py.File(tmp_path / "stack.h5", "r")
    yield f["s"], data
    f.close()


def test_frame_full_and_decimated(stack):
    ds, data = stack
    items = sel.parse("3,:,:", ds.shape)
    full = frames.frame(ds, items, canvas=(1024, 1024))
    np.testing.assert_array_equal(full["data"], data[3])
    assert full["factors"] == [1, 1] and full["frame_shape"] == [300, 420] and full["dims"] == [1, 2]
    assert full["stats"]["chunks"] == 5 and full["warning"] is None
    small = frames.frame(ds, items, canvas=(100, 100), how="max", budget=64 * 1024)
    assert small["factors"] == [3, 5] and small["data"].shape == (100, 84)
    np.testing.assert_array_equal(small["data"], data[3].reshape(100, 3, 84, 5).max(axis=(1, 3)))


def test_frame_zoom_stride_and_transpose(stack):
    ds, data = stack
    items = sel.parse("1,::2,:", ds.shape)
    zoom = frames.frame(ds, items, region=(10, 60, 100, 300), canvas=(50, 100), how="mean")
    ref = data[1, ::2][10:60, 100:300].reshape(50, 1, 100, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(zoom["data"], ref, rtol=1e-6)
    assert zoom["region"] == [10, 60, 100, 300] and zoom["frame_shape"] == [150, 420]
    tr = frames.frame(ds, sel.parse(":,7,:", ds.shape), transposed=True)
    np.testing.assert_array_equal(tr["data"], data[:, 7, :].T)
    assert tr["dims"] == [2, 0]
    with pytest.raises(ValueError, match="empty"):
        frames.frame(ds, items, region=(5, 5, 0, 10))


def test_frame_complex_parts_and_rgb():
    z = (np.arange(12.0) - 4).reshape(3, 4) * (1 + 1j)
    for part, fn in frames.COMPLEX_PARTS.items():
        np.testing.assert_allclose(frames.frame(z, sel.parse(":,:", z.shape), part=part)["data"], fn(z))
    with pytest.raises(ValueError, match="complex part 'abs'"):
        frames.frame(z, sel.parse(":,:", z.shape), part="abs")
    rgb = np.arange(2 * 40 * 60 * 3, dtype=np.uint8).reshape(2, 40, 60, 3)
    out = frames.frame(rgb, sel.parse("1,:,:,:", rgb.shape), canvas=(20, 30))
    np.testing.assert_array_equal(out["data"], rgb[1, ::2, ::2])


def test_curve_with_and_without_decimation(stack):
    ds, data = stack
    c = frames.curve(ds, sel.parse("2,150,:", ds.shape))
    assert not c["decimated"] and c["length"] == 420
    np.testing.assert_array_equal(c["max"], data[2, 150])
    spectrum = frames.curve(ds, sel.parse(":,10,20", ds.shape))
    np.testing.assert_array_equal(spectrum["min"], data[:, 10, 20])
    assert spectrum["stats"]["chunks"] == 5
    big = np.sin(np.arange(100_000) / 100.0)
    d = frames.curve(big, sel.parse(":", big.shape), columns=500)
    assert d["decimated"] and len(d["min"]) == 500 and d["max"].max() == big.max()
    z = frames.curve(big, sel.parse(":", big.shape), region=(1000, 1100), columns=500)
    np.testing.assert_array_equal(z["index"], np.arange(1000, 1100))
    np.testing.assert_array_equal(z["min"], big[1000:1100])
    with pytest.raises(ValueError, match="keeps one dimension"):
        frames.curve(ds, sel.parse("0,:,:", ds.shape))


def test_frame_memory_stays_bounded(tmp_path):
    """A 8192 × 8192 float32 chunked image (256 MB) shows with small reads only."""
    import tracemalloc

    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("img", shape=(8192, 8192), dtype="f4", chunks=(512, 512), fillvalue=0)
        d[4000, 5000] = 7.5  # one hot pixel; every other chunk is unwritten
    with h5py.File(path, "r") as f:
        ds = f["img"]
        tracemalloc.start()
        out = frames.frame(ds, sel.parse(":,:", ds.shape), canvas=(1024, 1024), budget=4 * 2**20)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert out["data"].shape == (1024, 1024) and out["factors"] == [8, 8]
    assert out["data"][500, 625] == 7.5 and out["data"].sum() == 7.5
    assert peak < 24 * 2**20, peak


def test_frame_fitted_with_square_pixels():
    a = np.arange(540 * 640, dtype=np.uint16).reshape(540, 640)
    items = sel.parse(":,:", a.shape)
    assert frames.frame(a, items, canvas=(392, 802))["factors"] == [2, 1]
    fitted = frames.frame(a, items, canvas=(392, 802), equal=True)
    assert fitted["factors"] == [2, 2] and fitted["data"].shape == (270, 320)


def test_preview_canvas_bounds_the_rows_a_sample_touches():
    class Big:  # only shape and dtype are looked at: no data behind it
        shape = (16384, 16384)
        dtype = np.dtype("f4")

    items = (slice(0, 16384, 1), slice(0, 16384, 1))
    # 1024 sampled rows × 64 KB = 64 MB → a quarter of the canvas touches 16 MB
    assert frames.preview_canvas(Big, items, None, [1024, 1024], 16 * 2**20) == [256, 256]
    assert frames.preview_canvas(Big, items, None, [1024, 700], 64 * 2**20) == [1024, 700]
    # a zoomed region has shorter rows: the canvas is kept
    assert frames.preview_canvas(Big, items, [0, 4096, 0, 4096], [1024, 1024], 16 * 2**20) == [1024, 1024]


# -- geometry and requests, as plain functions ------------------------------------------------
@pytest.mark.parametrize("text", ["3,:,:", "3,2:40:3,::5", "::2,7,10:", "4,5,:", ":,:,:"])
def test_geometry_spans_are_the_numpy_slices(text):
    shape = (6, 50, 30)
    a = np.arange(np.prod(shape)).reshape(shape)
    items = sel.parse(text, shape)
    geo = FrameGeometry.of(shape, items)
    assert geo.sizes == sel.result_shape(items, shape)
    assert geo.kept == tuple(d for d, it in enumerate(items) if isinstance(it, slice))
    view = a[items]
    for k, dim in enumerate(geo.kept):
        n = geo.sizes[k]
        for lo, hi, stride in ((0, n, 1), (1, max(1, n - 1), 2), (n // 2, n, 3)):
            got = a[geo.select({dim: geo.span(dim, lo, hi, stride)})]
            want = np.take(view, range(lo, hi, stride), axis=k)
            np.testing.assert_array_equal(got, want)
        positions = np.arange(0, n, 2)
        np.testing.assert_array_equal(geo.index(dim, positions), np.arange(a.shape[dim])[items[dim]][positions])


def test_geometry_axes_clip_and_region_sizes():
    geo = FrameGeometry.of((6, 50, 30), sel.parse("1,::2,:", (6, 50, 30)))
    assert geo.axes() == (1, 2) and geo.axes(transposed=True) == (2, 1)
    assert geo.clip(None) == (0, 25, 0, 30) and geo.clip(None, transposed=True) == (0, 30, 0, 25)
    assert geo.clip((-5, 10, 20, 99)) == (0, 10, 20, 30)
    with pytest.raises(ValueError, match="empty for a frame of 25 × 30"):
        geo.clip((5, 5, 0, 10))
    assert geo.region_sizes(None) == [25, 30] and geo.region_sizes((0, 4, 9, 9), least=1) == [4, 1]
    with pytest.raises(ValueError, match="keeps 1"):
        FrameGeometry.of((6, 50), sel.parse("1,:", (6, 50))).axes()


def test_requests_compare_by_canonical_selection_and_options():
    shape = (10, 20, 30)
    a = FrameRequest.of(sel.parse("-1,0:20,:", shape), shape, canvas=[100, 50], region=[0, 5, 0, 5])
    b = FrameRequest.of(sel.parse("9,:,::1", shape), shape, canvas=(100, 50), region=(0, 5, 0, 5))
    assert a == b and hash(a) == hash(b) and a.selection == "9,:,:"
    assert len({a, b, a.with_canvas((10, 10))}) == 2
    assert a.options() == b.options() and a.options() != FrameRequest.of(b.items, shape, how="mean").options()
    step = a.moved(sel.parse("8,:,:", shape), shape)
    assert step.selection == "8,:,:" and step.items[0] == 8 and step.options() == a.options()
    assert a.with_canvas((100, 50)) == a


def test_along_curve_reads_the_curve_region_of_a_signal():
    errors = np.arange(4 * 50, dtype=np.float64).reshape(4, 50)
    items = sel.parse("2,10::3", errors.shape)
    np.testing.assert_array_equal(frames.along_curve(errors, items, 1, (2, 6)), errors[2, 10::3][2:6])


def test_export_bytes_round_trip():
    import io

    image = np.arange(6, dtype=np.uint16).reshape(2, 3)
    np.testing.assert_array_equal(np.load(io.BytesIO(frames.export_bytes(image, "npy"))), image)
    assert frames.export_bytes(image, "csv") == b"0,1,2\n3,4,5\n"
    assert frames.export_bytes(np.array([0.5, 1.25]), "csv") == b"0.5,1.25\n"
    with pytest.raises(ValueError, match="CSV export needs a curve or an image"):
        frames.export_bytes(np.zeros((2, 2, 3)), "csv")
    with pytest.raises(ValueError, match="not npy or csv"):
        frames.export_bytes(image, "tiff")


def test_values_bounded_rows_and_scalars():
    data = np.arange(50 * 4).reshape(50, 4)
    out = frames.values(data, "::2,:", max_rows=10)
    assert out["total"] == 25 and out["truncated"] and len(out["rows"]) == 10
    assert out["rows"][1] == [str(v) for v in data[2]]
    assert frames.values(np.float32(2.5), "")["text"] == "2.5"
    assert "zero-size" in frames.values(np.zeros((0, 3)), ":,:")["text"]
