"""The colour settings a widget shares with its page: the viewer's and the compare widget's.

Both draw images with the same front-end colour code (``js/src/viewer/colour*.js``),
so the traits it reads are declared once here, with the validation of the
colour map name.
"""

from __future__ import annotations

import traitlets as t

from .. import _protocol as protocol
from .. import colormaps


class ColourTraits(t.HasTraits):
    """Colour map, scale, range and how screen pixels aggregate data pixels (mixed into a widget)."""

    colormap = t.Unicode("viridis").tag(sync=True)
    colormap_names = t.List(t.Unicode()).tag(sync=True)
    favourites = t.List(t.Unicode(), default_value=list(colormaps.FAVOURITES)).tag(sync=True)
    scale = t.Enum(protocol.SCALES, default_value="linear").tag(sync=True)
    autoscale = t.Enum(protocol.AUTOSCALES, default_value="percentile").tag(sync=True)
    percentiles = t.List(t.Float(), default_value=[0.1, 99.9], minlen=2, maxlen=2).tag(sync=True)
    vmin = t.Float(None, allow_none=True).tag(sync=True)
    vmax = t.Float(None, allow_none=True).tag(sync=True)
    aggregation = t.Enum(protocol.AGGREGATIONS, default_value="max").tag(sync=True)
    bad_color = t.Unicode("#ff00ff").tag(sync=True)

    @t.validate("colormap")
    def _valid_colormap(self, proposal: dict) -> str:
        colormaps.lut(proposal["value"])  # ValueError naming close matches
        return str(proposal["value"])
