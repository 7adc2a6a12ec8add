"""Display hooks: h5py, fabio and h5lens objects shown by h5lens wherever IPython displays them.

``%load_ext h5lens`` (or :func:`h5lens.enable_display`) registers formatters for

* h5py ``File``/``Group`` and h5lens group nodes: the static glance (HTML in a
  notebook, the text tree in a terminal);
* h5py ``Dataset`` and h5lens dataset nodes: a live :class:`~h5lens.widgets.viewer.Viewer`
  in a notebook (its PNG thumbnail for nbconvert), the glance line in a terminal;
* fabio images: a viewer of their frames.

This is h5glance's ``install_ipython_h5py_display`` habit, with a viewer for datasets.
Nothing is read to register the hooks; a closed h5py object keeps h5py's own repr.
"""

from __future__ import annotations

from typing import Any


def _types() -> tuple[list[type], list[type], list[type]]:
    """``(group types, dataset types, fabio image types)`` that can be imported here."""
    from ..nodes._base import Dataset, Group

    groups: list[type] = [Group]
    datasets: list[type] = [Dataset]
    images: list[type] = []
    try:
        import h5py

        # File too: IPython's text printer walks the MRO and stops at File's own __repr__
        groups += [h5py.File, h5py.Group]
        datasets.append(h5py.Dataset)
    except ImportError:  # pragma: no cover - h5py is a core dependency
        pass
    try:
        import fabio.fabioimage

        images.append(fabio.fabioimage.FabioImage)
    except ImportError:  # pragma: no cover - fabio is a core dependency
        pass
    return groups, datasets, images


def _is_closed(obj: Any) -> bool:
    """True for an h5py object whose file was closed (h5py's own repr says so)."""
    from ..nodes._hdf5_links import handle_closed

    return handle_closed(obj)


def _is_group(obj: Any) -> bool:
    groups, _, _ = _types()
    return isinstance(obj, tuple(groups))


def _text(obj: Any, p: Any, cycle: bool) -> None:
    """``text/plain`` printer (IPython's pretty protocol): the text tree."""
    if cycle or _is_closed(obj):
        p.text(repr(obj))
        return
    from .._glance import glance

    with glance(obj) as g:
        p.text(g.to_text())


def _bundle(obj: Any):
    """Mimebundle printer (notebooks): the glance for groups, a viewer for datasets and images."""
    if _is_closed(obj):
        return None  # IPython goes on to the other formatters: h5py's own repr
    if _is_group(obj):
        from .._glance import glance

        with glance(obj) as g:
            return {"text/html": g.to_html(), "text/plain": g.to_text()}
    from .viewer import Viewer

    return Viewer(obj)._repr_mimebundle_()  # a fabio image: the viewer of its frames


def _in_kernel(ipython: Any) -> bool:
    """True under a Jupyter kernel (front-ends that render widgets), False in the terminal."""
    return getattr(ipython, "kernel", None) is not None


def _shell(ipython: Any):
    if ipython is None:
        try:
            from IPython import get_ipython
        except ImportError:  # no IPython at all: said below
            pass
        else:
            ipython = get_ipython()
    if ipython is None:
        raise RuntimeError("h5lens.enable_display needs IPython: call it in a notebook or the ipython shell")
    return ipython


def enable_display(ipython: Any = None) -> None:
    """Show h5py, fabio and h5lens objects with h5lens in IPython (what ``%load_ext h5lens`` does).

    Groups and files show as the glance, datasets and fabio images as a viewer
    in notebooks; the terminal shows the text tree. Calling it again is harmless.

    Parameters
    ----------
    ipython : IPython.InteractiveShell, optional
        The shell to change (default: the running one).

    Raises
    ------
    RuntimeError
        Not running under IPython.
    """
    shell = _shell(ipython)
    groups, datasets, images = _types()
    plain = shell.display_formatter.formatters["text/plain"]
    for cls in groups + datasets + images:
        plain.for_type(cls, _text)
    if _in_kernel(shell):
        bundles = shell.display_formatter.mimebundle_formatter
        for cls in groups + datasets + images:
            bundles.for_type(cls, _bundle)


def disable_display(ipython: Any = None) -> None:
    """Undo :func:`enable_display` (what ``%unload_ext h5lens`` does)."""
    shell = _shell(ipython)
    groups, datasets, images = _types()
    formatters = [shell.display_formatter.formatters["text/plain"], shell.display_formatter.mimebundle_formatter]
    for formatter in formatters:
        for cls in groups + datasets + images:
            if formatter.type_printers.get(cls) in (_text, _bundle):
                formatter.pop(cls)
