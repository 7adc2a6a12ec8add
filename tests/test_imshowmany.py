"""imshowmany: grid for 1 … 12 images, titles, inputs, shared range, colour bars."""

from __future__ import annotations

import math

import h5py
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import h5lens  # noqa: E402
from h5lens.tutorial.imshowmany import grid_shape, to_image  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(n):
    return [np.arange(12, dtype=np.uint16).reshape(3, 4) * (i + 1) for i in range(n)]


@pytest.mark.parametrize("n", range(1, 13))
def test_grid_for_any_count(n):
    fig = h5lens.imshowmany(*_images(n))
    rows, cols = grid_shape(n)
    assert rows == math.ceil(n / cols) and rows * cols >= n and (rows - 1) * cols < n
    assert len(fig.axes) == rows * cols
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == n
    assert [ax.get_title() for ax in visible] == [f"image {i}" for i in range(n)]
    assert all(not ax.get_visible() for ax in fig.axes[n:])  # spare cells hidden
    assert all(len(ax.images) == 1 for ax in visible)


@pytest.mark.parametrize("n,expected", [(1, (1, 1)), (2, (1, 2)), (3, (1, 3)), (4, (2, 2)), (5, (2, 3)),
                                        (7, (3, 3)), (10, (3, 4)), (12, (3, 4))])
def test_sensible_columns(n, expected):
    assert grid_shape(n) == expected


def test_ncols_and_bad_counts():
    assert grid_shape(5, ncols=5) == (1, 5)
    assert grid_shape(5, ncols=9) == (1, 5)
    assert grid_shape(5, ncols=2) == (3, 2)
    with pytest.raises(ValueError):
        h5lens.imshowmany()


def test_keyword_and_dict_titles_in_order():
    a, b, c = _images(3)
    fig = h5lens.imshowmany(Before=a, After=b)
    assert [ax.get_title() for ax in fig.axes] == ["Before", "After"]
    fig = h5lens.imshowmany({"raw": a, "flat": b, "dark": c})
    assert [ax.get_title() for ax in fig.axes] == ["raw", "flat", "dark"]
    fig = h5lens.imshowmany(a, {"x": b}, c, last=a)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["image 0", "x", "image 1", "last"]
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), b)


def test_h5py_dataset_and_h5lens_node(tmp_path):
    data = np.arange(20, dtype=np.int32).reshape(4, 5)
    with h5py.File(tmp_path / "a.h5", "w") as h5:
        h5["img"] = data
        h5["big"] = np.zeros((300, 200), dtype=np.uint8)
    with h5py.File(tmp_path / "a.h5", "r") as h5:
        fig = h5lens.imshowmany(ds=h5["img"])
        np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data)
        small = to_image(h5["big"], "big", max_pixels=100 * 100)  # strided read, bounded memory
        assert small.shape == (100, 67)
    with h5lens.open(tmp_path / "a.h5") as root:
        fig = h5lens.imshowmany(node=root["img"])
        np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data)


def test_stack_frame_squeezed_rgb_kept_and_errors():
    assert to_image(np.ones((1, 3, 4)), "s").shape == (3, 4)
    assert to_image(np.ones((3, 4, 3)), "rgb").shape == (3, 4, 3)
    with pytest.raises(ValueError, match="'stack' has shape \\(2, 3, 5\\)"):
        h5lens.imshowmany(stack=np.ones((2, 3, 5)))
    with pytest.raises(TypeError, match="'s' has dtype"):
        h5lens.imshowmany(s=np.array([["a", "b"]]))


def test_shared_range_and_colorbars():
    a = np.array([[0.0, 1.0], [2.0, np.nan]])
    b = np.array([[5.0, 9.0], [-3.0, 4.0]])
    fig = h5lens.imshowmany(a, b, share_range=True, colorbar=True)
    clims = [ax.images[0].get_clim() for ax in fig.axes if ax.images]
    assert clims == [(-3.0, 9.0), (-3.0, 9.0)]
    assert len(fig.axes) == 3  # two images + one shared colour bar
    fig = h5lens.imshowmany(a, b, colorbar=True)
    assert len(fig.axes) == 4  # one colour bar per image
    assert fig.axes[0].images[0].get_clim() == (0.0, 2.0)
    fig = h5lens.imshowmany(a, b, vmin=1, vmax=2, cmap="gray")
    assert [ax.images[0].get_clim() for ax in fig.axes] == [(1, 2), (1, 2)]
    assert fig.axes[0].images[0].get_cmap().name == "gray"


def test_course_images(course):
    with h5py.File(course / "ID16B_diatomee.h5", "r") as h5:
        fig = h5lens.imshowmany(h5["data/0000"], h5["flatfield/0000"], dark=h5["dark/0000"], share_range=True)
        assert [ax.get_title() for ax in fig.axes] == ["image 0", "image 1", "dark"]
        arr = fig.axes[2].images[0].get_array()
        assert arr.shape == (540, 640) and float(np.mean(arr)) == pytest.approx(98.708423, rel=1e-6)


def test_course_helpers_import_no_plotting_or_format_library():
    """matplotlib, h5py and fabio load only when a helper that needs them runs."""
    import subprocess
    import sys

    code = ("import sys, h5lens\n"
            "h5lens.imshowmany, h5lens.flatfield, h5lens.flatfield_stack, h5lens.datasets.course_dir\n"
            "print(sorted(m for m in ('matplotlib', 'h5py', 'fabio', 'silx', 'tqdm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
