"""h5lens: explore HDF5/NeXus, detector images and SPEC files lazily in Jupyter.

The public API lives here. Names are imported on first use so that
``import h5lens`` stays fast (h5py, fabio, silx and anywidget load only
when the part that needs them is used).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

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
}

__all__ = sorted(_API) + ["__version__"]


def load_ipython_extension(ipython) -> None:
    """``%load_ext h5lens``: h5py, fabio and h5lens objects display with h5lens (see ``enable_display``)."""
    from .widgets.display import enable_display

    enable_display(ipython)


def unload_ipython_extension(ipython) -> None:
    """``%unload_ext h5lens``: back to the objects' own reprs."""
    from .widgets.display import disable_display

    disable_display(ipython)


def __getattr__(name: str):
    try:
        target = _API[name]
    except KeyError:
        raise AttributeError(f"module 'h5lens' has no attribute {name!r}") from None
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    value = getattr(module, attr) if attr else module
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__():
    return __all__
