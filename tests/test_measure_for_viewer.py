"""What the viewer's measuring tools use around the measures (h5lens.measure.for_viewer), without a widget.

On the course's NXdata image (``test.h5`` ``/diff_map_0001/data``) and
generated arrays.
"""

from __future__ import annotations

import numpy as np

import h5lens
from h5lens import selection as sel
from h5lens import wire
from h5lens.measure import Frame, Profile, Shape, for_viewer, profile, roi_stats


def test_shown_mask_follows_the_selection_and_the_transposition():
    mask = np.arange(6 * 8).reshape(6, 8) % 3 == 0
    items = sel.parse("2,1:5,::2", (4, 6, 8))
    assert for_viewer.frame_shape((4, 6, 8), items) == (6, 8)
    np.testing.assert_array_equal(for_viewer.shown_mask(mask, (4, 6, 8), items, False), mask[1:5, ::2])
    np.testing.assert_array_equal(for_viewer.shown_mask(mask, (4, 6, 8), items, True), mask[1:5, ::2].T)
    assert for_viewer.shown_mask(None, (4, 6, 8), items, False) is None


def test_positions_in_the_nxdata_axis_for_a_straight_line_else_pixels(course):
    """A horizontal line of the course map is placed on its 2θ axis (values and long name), a diagonal in pixels."""
    import h5py

    from h5lens.nodes import nexus

    with h5py.File(course / "test.h5") as f:
        two_theta = f["diff_map_0004/data/2th"][()]
    with h5lens.open(course / "test.h5") as root:
        info = nexus.nxdata_info(root["/diff_map_0004/data"])
        frame = Frame(info.signal, sel.parse("0,:,:", info.signal.shape))
        where, label = for_viewer.positions(frame, profile(frame, (5, 10), (5, 60)), info)
        np.testing.assert_allclose(where, two_theta[10:61], rtol=1e-9)
        assert "2\\theta" in label
        diagonal = profile(frame, (3, 4), (60, 80))
        where, label = for_viewer.positions(frame, diagonal, info)
        assert label == "distance (pixels)" and np.array_equal(where, diagonal["distance"])


def test_measures_file_round_trip(tmp_path):
    profiles = [Profile((1.0, 2.0), (3.0, 9.5), 3, "max")]
    shapes = [Shape("rect", y=(1, 4), x=(2, 6)), Shape("polygon", points=[(0, 0), (0, 5), (4, 2)])]
    for_viewer.save(tmp_path / "m.json", profiles, shapes)
    back_profiles, back_shapes = for_viewer.load(tmp_path / "m.json")
    assert [p.to_json() for p in back_profiles] == [p.to_json() for p in profiles]
    assert [s.to_json() for s in back_shapes] == [s.to_json() for s in shapes]


def test_replies_carry_float64_arrays_and_no_centre_without_weight():
    reply, bufs = for_viewer.profile_reply(np.array([1, 2, 3], np.uint16), np.array([0.0, 0.5, 1.0]), "x (mm)", 4)
    assert reply["length"] == 3 and reply["axis"] == "x (mm)" and reply["seq"] == 4
    values = wire.decode(reply["arrays"][0], bufs[:1])
    assert values.dtype == np.float64 and values.tolist() == [1, 2, 3]
    frame = Frame(np.zeros((5, 5)), sel.parse(":,:", (5, 5)))  # no weight: no centre of mass
    r = for_viewer.roi_stats_reply(roi_stats(frame, Shape("rect", y=(1, 3), x=(1, 3))), 9)
    assert r["count"] == 9 and r["com"] is None and r["seq"] == 9


def test_display_pixels_partly_masked_are_listed_with_their_masked_count():
    """A downsampled block with masked pixels among valid ones: not in the painted mask, listed (flat index of
    the display copy, masked count) against a numpy count; edge blocks are smaller; none when not downsampled."""
    from h5lens.measure.page import PARTIAL_LISTED, display_mask, partly_masked

    rng = np.random.default_rng(2)
    mask = rng.random((50, 71)) < 0.02
    mask[0:4, 0:3] = True  # a whole block of 4 x 3: painted, not partial
    region, factors = [0, 50, 0, 71], [4, 3]
    shown = display_mask(mask, region, factors, (13, 24))
    got = partly_masked(mask, region, factors, shown)
    want = {}
    for i in range(13):
        for j in range(24):
            block = mask[4 * i:4 * i + 4, 3 * j:3 * j + 3]
            if 0 < block.sum() < block.size:
                want[i * 24 + j] = int(block.sum())
    assert got is not None and got["blocks"] == len(want) > 0
    assert dict(zip(got["index"], got["masked"])) == want
    assert shown[0, 0] == 1 and 0 not in want and all(shown.ravel()[k] == 0 for k in want)
    assert partly_masked(mask, region, [1, 1], display_mask(mask, region, [1, 1], (50, 71))) is None
    assert partly_masked(np.zeros_like(mask), region, factors, np.zeros((13, 24), np.uint8)) is None
    many = np.zeros((400, 400), bool)
    many[::2, ::2] = True  # every 2 x 2 block holds one masked pixel
    listed = partly_masked(many, [0, 400, 0, 400], [2, 2], display_mask(many, [0, 400, 0, 400], [2, 2], (200, 200)))
    assert listed["blocks"] == 40000 and len(listed["index"]) == PARTIAL_LISTED and set(listed["masked"]) == {1}
