"""h5lens: explore HDF5/NeXus, detector images and SPEC files lazily in Jupyter.

The public API lives here. Names are imported on first use so that
``import h5lens`` stays fast (h5py, fabio, silx and anywidget load only
when the part that needs them is used).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what editors and type checkers see; at run time names load on first use
    from ._glance import Glance, glance
    from ._open import open, open_series
    from .nodes._errors import LinkError, NodeError, UnknownFormatError
    from .roi import roi_sum
    from .selection import SelectionError
    from .tutorial import sample_data as datasets
    from .tutorial.flatfield import flatfield, interpolated_flat
    from .tutorial.imshowmany import imshowmany
    from .tutorial.stack import flatfield_stack
    from .widgets.compare import compare
    from .widgets.display import enable_display
    from .widgets.explorer import Explorer, explore
    from .widgets.tree import Tree
    from .widgets.viewer import Viewer, view
    from .write.builder import TreeBuilder
    from .write.convert import convert


def _version() -> str:
    """The installed distribution's version; pyproject's when run from a source tree not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("h5lens")
    except PackageNotFoundError:
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE) \
            if pyproject.is_file() else None
        return found.group(1) if found else "0+unknown"


__version__ = _version()

# public name -> "module:attribute"
_API = {
    "open": "h5lens._open:open",
    "open_series": "h5lens._open:open_series",
    "glance": "h5lens._glance:glance",
    "Glance": "h5lens._glance:Glance",
    "Tree": "h5lens.widgets.tree:Tree",
    "Explorer": "h5lens.widgets.explorer:Explorer",
    "explore": "h5lens.widgets.explorer:explore",
    "Viewer": "h5lens.widgets.viewer:Viewer",
    "view": "h5lens.widgets.viewer:view",
    "imshowmany": "h5lens.tutorial.imshowmany:imshowmany",
    "flatfield": "h5lens.tutorial.flatfield:flatfield",
    "interpolated_flat": "h5lens.tutorial.flatfield:interpolated_flat",
    "flatfield_stack": "h5lens.tutorial.stack:flatfield_stack",
    "datasets": "h5lens.tutorial.sample_data",
    "TreeBuilder": "h5lens.write.builder:TreeBuilder",
    "convert": "h5lens.write.convert:convert",
    "enable_display": "h5lens.widgets.display:enable_display",
    "NodeError": "h5lens.nodes._errors:NodeError",
    "LinkError": "h5lens.nodes._errors:LinkError",
    "UnknownFormatError": "h5lens.nodes._errors:UnknownFormatError",
    "SelectionError": "h5lens.selection:SelectionError",
    "roi_sum": "h5lens.roi:roi_sum",
    "compare": "h5lens.widgets.compare:compare",
}

# literal, so that linters and type checkers read it (a test keeps it equal to _API)
__all__ = ["Explorer", "Glance", "LinkError", "NodeError", "SelectionError", "Tree", "TreeBuilder",
    "UnknownFormatError", "Viewer", "compare", "convert", "datasets", "enable_display", "explore", "flatfield",
    "flatfield_stack", "glance", "imshowmany", "interpolated_flat", "open", "open_series", "roi_sum", "view",
    "__version__"]


def load_ipython_extension(ipython) -> None:
    """``%load_ext h5lens``: h5py, fabio and h5lens objects display with h5lens (see ``enable_display``)."""
    from .widgets.display import enable_display

    enable_display(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext h5lens``: back to the objects' own reprs."""
    from .widgets.display import disable_display

    disable_display(ipython)


def __getattr__(name: str) -> Any:
    try:
        target = _API[name]
    except KeyError:
        raise AttributeError(f"module 'h5lens' has no attribute {name!r}") from None
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attr) if attr else module
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__
