"""Measuring what a viewer shows: line profiles, ROI statistics, masks and comparisons.

A pure layer (no Jupyter): every function works on full-resolution data read
in bounded pieces from a :class:`~h5lens.measure.frame.Frame` (one 2-D frame of
a node or an array), so numpy and scikit-image serve as oracles in the tests.
The viewer's :meth:`add_profile` / :meth:`add_roi` handles only route to it.
"""

from .compare import compare
from .frame import Frame
from .mask import invalid_value, load_mask, save_mask
from .profile import Profile, line_coordinates, profile
from .roi import Shape, roi_stats
from .roi_frames import roi_over_frames

__all__ = ["Frame", "Profile", "Shape", "compare", "invalid_value", "line_coordinates", "load_mask", "profile",
           "roi_over_frames", "roi_stats", "save_mask"]
