"""Which view shows a node: a registry of ``(view name, predicate)`` pairs.

The front-end never guesses: Python decides, from shape, dtype and attributes,
the views that fit a node (best first) and how many dimensions each displays.

========  ========  =====================================================
view      displays  fits
========  ========  =====================================================
nxdata    1 or 2    an NXdata group, or a group whose ``@default`` leads to one
empty     0         no value (null dataspace or zero-size)
table     0         compound (structured) data; ``@interpretation="scalar"``
text      0         a string (or other non-numeric) scalar
scalar    0         a numeric or complex scalar
list      1         strings with one or more dimensions
rgb       2 + 1     ``(…, h, w, 3|4)`` with ``CLASS=IMAGE`` or ``@interpretation``
                    ``rgb-image`` / ``rgba-image``
complex   1 or 2    complex arrays (amplitude, phase, real, imaginary)
stack     2         ≥ 3-D numeric: an image with a slider per other dimension
image     2         2-D numeric
curve     1         ≥ 1-D numeric (≥ 2-D: one row at a time, with sliders)
========  ========  =====================================================

``@interpretation`` (``image``, ``spectrum``, ``scalar``, ``rgb-image``)
moves the matching view first when the shape allows it; unknown values are
ignored, as silx does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import abscissa
from . import selection as sel
from ._protocol import Dim, ViewerMeta, options
from .nodes._base import Dataset, Group, Link, Node
from .nodes._dataset import ndim_of, size_of
from .nodes._format import text_attr


@dataclass
class Subject:
    """What predicates look at: shape, dtype and a few attributes of a dataset."""

    shape: tuple | None
    dtype: np.dtype
    interpretation: str | None = None
    image_class: bool = False  # CLASS == "IMAGE" (HDF5 image spec)

    @property
    def ndim(self) -> int:
        """Dimensions, by the same rule as a dataset's (a null dataspace has none)."""
        return ndim_of(self.shape)

    @property
    def size(self) -> int:
        """Elements, by the same rule as a dataset's (a null dataspace holds none)."""
        return size_of(self.shape)

    @property
    def numeric(self) -> bool:
        """A plain number type (no compound, text or complex)."""
        return self.dtype.names is None and self.dtype.kind in "biuf"


def subject(node: Any, interpretation: str | None = None) -> Subject:
    """The :class:`Subject` of a dataset node (or h5py dataset): attributes, never data."""
    interp = interpretation or text_attr(node, "interpretation")
    return Subject(
        shape=None if node.shape is None else tuple(int(n) for n in node.shape),
        dtype=np.dtype(node.dtype),
        interpretation=interp.strip().lower() if interp else None,
        image_class=(text_attr(node, "CLASS") or "").upper() == "IMAGE",
    )


def _rgb(s: Subject) -> bool:
    return (
        s.shape is not None
        and s.ndim >= 3
        and s.shape[-1] in (3, 4)
        and s.numeric
        and (s.image_class or s.interpretation in ("rgb-image", "rgba-image"))
    )


#: (view name, predicate, displayed dimensions) in default priority order.
REGISTRY: list[tuple[str, Callable[[Subject], bool], Callable[[Subject], int]]] = [
    ("empty", lambda s: s.shape is None or s.size == 0, lambda s: 0),
    ("table", lambda s: s.dtype.names is not None, lambda s: 0),
    ("text", lambda s: s.ndim == 0 and s.dtype.kind in "SUOVMm", lambda s: 0),
    ("scalar", lambda s: s.ndim == 0, lambda s: 0),
    ("list", lambda s: s.ndim >= 1 and s.dtype.names is None and s.dtype.kind in "SUOVMm", lambda s: 1),
    ("rgb", _rgb, lambda s: 2),
    ("complex", lambda s: s.ndim >= 1 and s.dtype.kind == "c", lambda s: min(2, s.ndim)),
    ("stack", lambda s: s.ndim >= 3 and s.numeric, lambda s: 2),
    ("image", lambda s: s.ndim == 2 and s.numeric, lambda s: 2),
    ("curve", lambda s: s.ndim >= 1 and s.numeric, lambda s: 1),
    ("table", lambda s: s.ndim >= 1 and s.numeric, lambda s: 0),
]

#: @interpretation value -> the views it prefers, best first.
INTERPRETATIONS = {
    "image": ("rgb", "stack", "image"),
    "rgb-image": ("rgb",),
    "rgba-image": ("rgb",),
    "spectrum": ("curve",),
    "scalar": ("table", "scalar"),
}


#: Views the front-end shows as values (text or a table), whatever their dimensions
#: (``displayMode`` in js/src/viewer/meta.js); the others draw ``ndisplay`` dimensions.
VALUE_VIEWS = frozenset({"list", "table", "scalar", "text", "empty", "none"})


def display_command(view: str, ndisplay: int) -> str:
    """The viewer command the front-end calls to show ``view``: ``values``, ``curve`` or ``frame``."""
    if view in VALUE_VIEWS:
        return "values"
    return {2: "frame", 1: "curve"}.get(ndisplay, "values")


def views_for(s: Subject) -> list[str]:
    """Every view that fits ``s``, best first (``@interpretation`` honoured)."""
    names: list[str] = []
    for name, pred, _ in REGISTRY:
        if name not in names and pred(s):
            names.append(name)
    if "empty" in names:
        return ["empty"]
    preferred = [v for v in INTERPRETATIONS.get(s.interpretation or "", ()) if v in names]
    if not preferred and "curve" in names and s.shape is not None and s.ndim >= 2 and sum(n > 1 for n in s.shape) <= 1:
        preferred = ["curve"]  # a column stored as (N, 1): a curve, not a one-pixel-wide image
    return preferred + [n for n in names if n not in preferred]


def ndisplay(view: str, s: Subject) -> int:
    """How many dimensions ``view`` displays for ``s`` (0 = a value or a table)."""
    for name, pred, nd in REGISTRY:
        if name == view and pred(s):
            return nd(s)
    raise ValueError(f"view {view!r} does not fit a {s.dtype} dataset of shape {s.shape}")


def default_selection(view: str, s: Subject) -> str:
    """The selection a view starts with: index 0 on slider dimensions."""
    if s.shape is None or view in ("empty", "text", "scalar", "table"):
        return sel.default(s.shape or (), s.ndim)
    if view == "rgb":  # the channel dimension stays whole too
        return sel.default(s.shape, 3)
    nd = ndisplay(view, s)
    if nd == 1:  # a curve runs along the last dimension longer than one
        x = max([d for d, n in enumerate(s.shape) if n > 1], default=s.ndim - 1)
        return ",".join(":" if d == x else "0" for d in range(s.ndim))
    return sel.default(s.shape, nd)


@dataclass
class Choice:
    """How a node is shown.

    Attributes
    ----------
    view : str
        The chosen view (``nxdata`` for an NXdata plot).
    views : list of str
        Every view that fits the dataset shown, best first.
    ndisplay : int
        Displayed dimensions: 0 (value/table), 1 (curve), 2 (image).
    selection : str
        Default selection string.
    dataset : Dataset or None
        The dataset shown (the NXdata signal for ``nxdata``).
    nxdata : Any
        :func:`h5lens.nodes.nexus.nxdata_info` result for ``nxdata`` views.
    reason : str or None
        Why nothing can be shown (groups without a plot, broken links).
    shown : str
        The view of the dataset shown (for ``nxdata``: the signal's view).
    problem : str or None
        Why a plot the file asks for (an NXdata, an ``@default``) cannot be
        drawn: a group with a problem is shown as its problem, not as a plain group.
    """

    view: str
    views: list[str] = field(default_factory=list)
    ndisplay: int = 0
    selection: str = ""
    dataset: Dataset | None = None
    nxdata: Any = None
    reason: str | None = None
    shown: str = ""
    problem: str | None = None


def _nxdata(group: Group) -> tuple[Group | None, Any]:
    from .nodes import nexus  # lazy: NeXus resolution is only needed for groups

    found = nexus.find_nxdata(group)
    return (found, nexus.nxdata_info(found)) if found is not None else (None, None)


def choose(node: Any, view: str | None = None) -> Choice:
    """Decide how to show ``node`` (a node, a numpy array or anything array-like).

    ``view`` forces one of the fitting views; ValueError when it does not fit.
    """
    if not isinstance(node, Node):
        from .nodes.memory import from_object

        node = from_object(np.asarray(node))
    if isinstance(node, Link):
        try:
            node = node.deref()
        except Exception as exc:  # a broken link is shown as its reason
            return Choice("none", reason=str(exc))
    info = None
    if isinstance(node, Group):
        try:
            found, info = _nxdata(node)
        except ImportError:  # pragma: no cover - the NeXus module ships with the package
            found = None
        if found is None or info is None:
            from .nodes import nexus

            problem = nexus.plot_problem(node, found)
            if problem:
                return Choice("none", reason=problem, problem=problem)
            return Choice("none", reason=f"{node.path!r} is a group with no NXdata to plot")
        s = subject(info.signal, getattr(info, "interpretation", None))
        views = views_for(s)
        chosen = view or views[0]
        if chosen not in views:
            raise ValueError(f"view {chosen!r} does not fit; choose one of {', '.join(views)}")
        return Choice("nxdata", views, ndisplay(chosen, s), default_selection(chosen, s), info.signal, info,
                      shown=chosen)
    if not isinstance(node, Dataset):  # a named datatype, an unknown object kind: nothing to plot
        kind = getattr(node, "kind", None) or type(node).__name__
        return Choice("none", reason=f"{node.path!r} is a {kind}: it holds no data to show")
    s = subject(node)
    views = views_for(s)
    chosen = view or views[0]
    if chosen not in views:
        raise ValueError(f"view {chosen!r} does not fit {node.path!r}; choose one of {', '.join(views)}")
    return Choice(chosen, views, ndisplay(chosen, s), default_selection(chosen, s), node, None, shown=chosen)


def _label(name: str | None, long_name: str | None = None, units: str | None = None) -> str:
    text = long_name or name or ""
    return f"{text} ({units})" if units and f"({units})" not in text else text


#: Dimensions get their NXdata axis values in ``meta`` when the axis is at most this long.
AXIS_VALUES_LIMIT = 10_000  # 10k floats: ~200 KB of JSON at most in a saved notebook


def layout_names(ds: Any) -> list[str]:
    """Dimension names from the layout the file declares, ``dim k`` where it says nothing.

    silx/fabio conventions: the dimension before an image (``interpretation``
    ``image``: a detector stack) is ``frame``; the last one of a ``spectrum``
    (an MCA) is ``channel``; the first dimension of SPEC scan data is ``point``.
    The rows and columns of data best shown as images (an image, a stack, RGB
    pixels) are ``y`` and ``x``, as a scientist says them and as ``imshow``
    draws them. NXdata axis names, when the file has them, replace these (see
    :func:`viewer_meta`).
    """
    from .nodes import _format
    from .nodes.spec import SpecDataset

    ndim = len(ds.shape or ())
    names = [f"dim {d}" for d in range(ndim)]
    interpretation = _format.text_attr(ds, "interpretation") or ""
    if interpretation == "image" and ndim >= 3:
        names[ndim - 3] = "frame"
    if interpretation == "spectrum" and ndim >= 1:
        names[-1] = "channel"
    if isinstance(ds, SpecDataset) and ndim >= 1 and names[0] == "dim 0":
        names[0] = "point"
    best = views_for(subject(ds))[0] if ndim >= 2 else None
    rows = {"image": ndim - 2, "stack": ndim - 2, "rgb": ndim - 3}.get(best or "")
    if rows is not None and rows >= 0:
        for d, name in ((rows, "y"), (rows + 1, "x")):
            if names[d] == f"dim {d}":
                names[d] = name
    return names


def canonical_selection(text: str, shape: tuple[int, ...], kind: str, ndisplay: int) -> tuple[str, str | None]:
    """``text`` in canonical form (``"3,:,:"``), and why the ``kind`` view cannot show it (None when it can).

    A view keeps ``ndisplay`` dimensions (RGB keeps three: the colour channel
    too); a selection that does not parse raises :class:`h5lens.SelectionError`.
    """
    items = sel.parse(text, shape)
    kept = sum(isinstance(i, slice) for i in items)
    want = 3 if kind == "rgb" else ndisplay
    problem = f"the {kind} view keeps {want} dimension(s); {text!r} keeps {kept}" if ndisplay and kept != want else None
    return sel.format(items, shape), problem


def viewer_meta(node: Node, choice: Choice) -> ViewerMeta:
    """What a viewer of ``node`` shown as ``choice`` tells the front-end (its ``meta`` trait).

    Path, shape/dtype labels, dims with NXdata axis labels and values; and the
    facts the front-end decides by: ``complex``, ``compound``, the option lists.
    """
    from .nodes import _format

    ds, info = choice.dataset, choice.nxdata
    meta = ViewerMeta(path=node.path, filename=node.filename or "", options=options(),
                      complex=ds is not None and ds.dtype.kind == "c",
                      compound=ds is not None and ds.dtype.names is not None)
    if ds is None:
        return meta
    meta.update({"shape": _format.shape_label(ds.shape), "dtype": _format.dtype_label(ds.dtype),
                 "chunks": list(ds.chunks) if ds.chunks else None, "name": ds.name,
                 "signal": _label(ds.name, _format.text_attr(ds, "long_name"), _format.text_attr(ds, "units"))})
    dims = [Dim(name=name, size=int(n)) for name, n in zip(layout_names(ds), ds.shape or ())]
    meta["nxdata"] = info is not None
    if info is not None:
        meta["title"] = info.title or ""
        meta["signal"] = info.label()
        for d, axis in enumerate(list(info.axes)[: len(dims)]):
            if axis is None or axis.shape is None or len(axis.shape) != 1:
                continue
            dims[d]["name"] = info.axis_names[d] or axis.name
            dims[d]["label"] = info.label(d)
            if axis.shape[0] <= AXIS_VALUES_LIMIT and axis.dtype.kind in "iuf":
                dims[d]["values"] = np.asarray(axis[()], dtype=np.float64).tolist()
        meta["errors"] = info.errors is not None
        meta["auxiliary"] = list(info.auxiliary_signal_names)
    # what a curve along each dimension can be drawn against (the columns of its group: curve views only)
    for dim, offered in zip(dims, abscissa.menus(info, ds, near=choice.ndisplay == 1)):
        if len(offered) > 1:
            dim["abscissae"] = offered
    meta["dims"] = dims
    return meta
