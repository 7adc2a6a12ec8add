"""Colormap LUTs match matplotlib's imshow colours."""

import matplotlib
import numpy as np
import pytest

from h5lens import colormaps


@pytest.mark.parametrize("name", ["viridis", "gray", "magma_r", "jet", "turbo", "coolwarm_r"])
def test_lut_is_the_colormap_table(name):
    table = colormaps.lut_array(name)
    assert table.shape == (256, 4) and table.dtype == np.uint8
    cmap = matplotlib.colormaps[name]
    assert cmap.N == 256
    np.testing.assert_array_equal(table, cmap(np.arange(256), bytes=True))
    raw = colormaps.lut(name)
    assert isinstance(raw, bytes) and len(raw) == 1024
    assert raw[:4] == bytes(table[0])


def test_lut_matches_imshow_pixels():
    """Colour an image the way the browser does (index = floor(x * 256)) and compare with imshow."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    img = rng.random((16, 16)).astype(np.float32)
    vmin, vmax = float(img.min()), float(img.max())
    fig = Figure(figsize=(1, 1), dpi=16)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.imshow(img, cmap="inferno", vmin=vmin, vmax=vmax, interpolation="nearest")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    painted = np.asarray(canvas.buffer_rgba())[:, :, :3]
    x = (img - vmin) / (vmax - vmin)
    idx = np.clip((x * 256).astype(int), 0, 255)
    ours = colormaps.lut_array("inferno")[idx][:, :, :3]
    assert np.abs(painted.astype(int) - ours.astype(int)).max() <= 1


def test_every_matplotlib_name_and_reverse():
    names = colormaps.names()
    assert "viridis" in names and "viridis_r" in names and "gray_r" in names
    assert len(names) == len(set(names)) >= 150
    # reversed table is the table reversed
    np.testing.assert_array_equal(colormaps.lut_array("viridis_r"), colormaps.lut_array("viridis")[::-1])


def test_small_colormap_resampled_like_imshow():
    table = colormaps.lut_array("tab10")
    cmap = matplotlib.colormaps["tab10"]
    assert cmap.N == 10
    # entry i covers values [i/256, (i+1)/256): imshow uses colour floor(x * 10)
    for i in (0, 25, 26, 128, 255):
        expected = cmap(int((i + 0.5) / 256 * 10), bytes=True)
        assert tuple(table[i]) == tuple(expected)


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown colormap 'virdis'.*viridis"):
        colormaps.lut("virdis")
    with pytest.raises(ValueError, match="unknown colormap"):
        colormaps.lut(None)


def test_menu_starts_with_favourites():
    menu = colormaps.menu()
    assert menu[: len(colormaps.FAVOURITES)] == list(colormaps.FAVOURITES)
    assert not any(n.endswith("_r") for n in menu)
    assert len(menu) == len(set(menu))


def test_colorize_scales_and_bad_values():
    v = np.array([[np.nan, -1.0, 0.0, 1.0], [10.0, 100.0, np.inf, 1000.0]])
    lin = colormaps.colorize(v, "gray", 0, 1000, "linear")
    assert tuple(lin[0, 0]) == colormaps.DEFAULT_BAD and tuple(lin[1, 2]) == colormaps.DEFAULT_BAD
    assert tuple(lin[0, 1]) == (0, 0, 0, 255)  # below the range: first colour
    assert tuple(lin[1, 3]) == (255, 255, 255, 255)  # at vmax: last colour
    log = colormaps.colorize(v, "gray", 1, 1000, "log")
    assert [tuple(p) == colormaps.DEFAULT_BAD for p in log[0]] == [True, True, True, False]
    # log10(10) is a third of the way from log10(1) to log10(1000): index floor(256 / 3)
    assert log[1, 0, 0] == colormaps.lut_array("gray")[85, 0]
    sq = colormaps.colorize(v, "gray", 0, 100, "sqrt")
    assert tuple(sq[0, 1]) == colormaps.DEFAULT_BAD and sq[1, 0, 0] == colormaps.lut_array("gray")[int(np.sqrt(10) / 10 * 256), 0]
    sym = colormaps.colorize(np.array([-9.0, 0.0, 9.0]), "gray", -9, 9, "symlog")
    assert [int(p[0]) for p in sym] == [0, 128, 255]
    flat = colormaps.colorize(np.full((2, 2), 5.0), "gray", 5, 5)
    assert (flat[..., 0] == 0).all()
    with pytest.raises(ValueError, match="scale 'cubic'"):
        colormaps.colorize(v, "gray", 0, 1, "cubic")


def test_auto_range_modes():
    rng = np.random.default_rng(5)
    v = rng.normal(100, 10, size=10000)
    v[:5] = np.nan
    ok = v[np.isfinite(v)]
    assert colormaps.auto_range(v, "minmax") == (ok.min(), ok.max())
    lo, hi = colormaps.auto_range(v, "percentile")
    assert (lo, hi) == tuple(np.percentile(ok, [0.1, 99.9]))
    lo, hi = colormaps.auto_range(v, "std")
    assert lo == pytest.approx(max(ok.min(), ok.mean() - 3 * ok.std()))
    assert colormaps.auto_range(np.array([-1.0, 0.0, 10.0]), "minmax", "log") == (10.0, 10.0)
    assert colormaps.auto_range(np.array([np.nan]), "minmax") == (0.0, 1.0)
    with pytest.raises(ValueError, match="auto-range 'median'"):
        colormaps.auto_range(v, "median")


def test_thumbnail_is_the_png_of_the_front_end_colours():
    import io

    from matplotlib.image import imread

    a = np.linspace(-1, 3, 12 * 10).reshape(12, 10)
    got = imread(io.BytesIO(colormaps.thumbnail(a, "magma", autoscale="minmax")), format="png")
    np.testing.assert_array_equal((got * 255).round().astype(np.uint8), colormaps.colorize(a, "magma", -1, 3))
    manual = colormaps.thumbnail(a, "gray", "linear", "manual", vmin=0, vmax=1)
    assert manual == colormaps.png(colormaps.colorize(a, "gray", 0, 1))
    unset = colormaps.thumbnail(a, "gray", "linear", "manual")  # manual without bounds: the data's range
    assert unset == colormaps.png(colormaps.colorize(a, "gray", -1, 3))


@pytest.mark.parametrize("dtype", ["uint16", "float32"])
@pytest.mark.parametrize("scale", ["linear", "log", "sqrt"])
@pytest.mark.parametrize("mode", ["minmax", "percentile", "std"])
def test_summary_range_is_auto_range_of_every_value(dtype, scale, mode):
    from h5lens.stats import RELATIVE_ACCURACY, Summary

    rng = np.random.default_rng(3)
    data = rng.gamma(2.0, 300.0, (300, 200)) - 50  # some values ≤ 0: log and sqrt leave them out
    data = data.clip(0, None).astype(dtype) if dtype == "uint16" else data.astype(dtype)
    s = Summary(data.dtype)
    for rows in range(0, 300, 64):  # tiles, as a reduced read gives them
        s.add(data[rows:rows + 64])
    got = colormaps.summary_range(s, mode, scale, (0.1, 99.9))
    want = colormaps.auto_range(data, mode, scale, (0.1, 99.9))
    exact = dtype == "uint16" or mode == "minmax"
    np.testing.assert_allclose(got, want, rtol=1e-9 if exact else 2 * RELATIVE_ACCURACY, atol=1e-9)
