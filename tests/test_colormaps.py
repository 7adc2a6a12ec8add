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
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

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
