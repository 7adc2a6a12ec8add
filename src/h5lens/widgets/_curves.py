"""The viewer's curve half: what a curve is drawn against (``x``), overlaid curves, and their commands.

``x`` names an abscissa of :mod:`h5lens.abscissa` (an NXdata axis, a column
of the same scan, ``index``); set it to a node or an array and that column is
adopted under a name of its own, offered in the page's menu too.
``add_curve`` overlays other 1-d datasets (any number, from anywhere): the
page lists them in its legend and pulls each one through ``overlay``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets as t

from .. import _protocol as protocol
from .. import abscissa, frames, replies, wire
from ..nodes._base import Dataset, Node
from ._base import command, open_source


class AbscissaName(t.Unicode):
    """``x``: a name, or a node / array / h5py dataset adopted as a named abscissa (:meth:`Curves._adopt_x`)."""

    def validate(self, obj: Any, value: Any) -> Any:
        if value is not None and not isinstance(value, str):
            value = obj._adopt_x(value)
        return super().validate(obj, value)


class Curves(t.HasTraits):
    """What a curve is drawn against, and the curves overlaid on it (mixed into the viewer)."""

    #: What a curve is drawn against: an NXdata axis of its dimension (an MCA's ``energy``), a column of the same
    #: length in its group or scan, one given from Python, or ``index``; "" when no curve is shown.
    x = AbscissaName("").tag(sync=True)
    #: The curves overlaid (``add_curve``): ``{id, label, length}`` each; their values come through ``overlay``.
    curves = t.List(t.Dict()).tag(sync=True)

    def _curves_setup(self) -> None:
        self._extra_x: dict[str, Any] = {}
        self._overlays: dict[int, Any] = {}
        self._overlay_seq = 0
        self._curve_files: list[Node] = []  # files opened for x or add_curve ("file.h5::/path"), closed with us

    def _adopt(self, value: Any, fits: Any) -> tuple[Dataset, str]:
        """``(dataset, name)`` of ``value`` once ``fits(dataset, name)`` accepts it (a file opened for one is kept)."""
        column, name, owned = _column(value)
        try:
            fits(column, name)  # ValueError saying why it does not fit: the file opened for it is closed
        except BaseException:
            if owned is not None:
                owned.close()
            raise
        if owned is not None:
            self._curve_files.append(owned)
        return column, name

    def close(self) -> None:
        """Close the widget and the files opened for abscissae and overlaid curves."""
        super().close()  # type: ignore[misc]
        for node in getattr(self, "_curve_files", []):
            node.close()
        self._curve_files = []

    # -- the abscissa ------------------------------------------------------------------------
    def _curve_dim(self) -> int | None:
        """The dimension the shown curve runs along (None when no curve is shown)."""
        v: Any = self
        return replies.curve_dim(getattr(v, "dataset", None), v.shape, v._state())

    def _abscissa_args(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "extra": list(getattr(self, "_extra_x", {}).items())}  # type: ignore[attr-defined]

    def _adopt_x(self, value: Any) -> str:
        """Keep a node or an array as an abscissa of the shown curve; its name (ValueError when it does not fit)."""
        dim = self._curve_dim()
        if dim is None:
            raise ValueError(f"x: no curve is shown (the {self.kind} view)")  # type: ignore[attr-defined]
        need = self.shape[dim]  # type: ignore[attr-defined]

        def fits(column: Dataset, name: str) -> None:
            if abscissa.column_length(column) != need:
                raise ValueError(f"x {name!r} has shape {tuple(column.shape or ())}; the curve has {need} points: "
                                 f"an abscissa must be 1-d of the same length")

        column, name = self._adopt(value, fits)
        offered = abscissa.candidates(self.choice.nxdata, dim, **self._abscissa_args())  # type: ignore[attr-defined]
        near = column.filename and abscissa.near(self.choice.nxdata, self.dataset, column)  # type: ignore[attr-defined]
        same = [n for n, a, _ in offered if a is column or (near and n == name)]
        if same:  # a column the menu offers already: chosen by its name
            return same[0]
        taken = {n for n, _, _ in offered}
        base, k = name, 2
        while name in taken and self._extra_x.get(name) is not column:
            name, k = f"{base} ({k})", k + 1
        self._extra_x[name] = column
        self._menus_changed()
        return name

    def _menus_changed(self) -> None:
        """The page's abscissa menus follow the columns adopted from Python."""
        v: Any = self
        menus = abscissa.menus(v.choice.nxdata, v.dataset, list(self._extra_x.items()))
        dims = [dict(d) for d in v.meta.get("dims", [])]
        for dim, offered in zip(dims, menus):
            dim.pop("abscissae", None)
            if len(offered) > 1:
                dim["abscissae"] = offered
        v.meta = {**v.meta, "dims": dims}

    @t.validate("x")
    def _valid_x(self, proposal: dict) -> str:
        v: Any = self
        return replies.check_x(v.dataset, v.shape, v.choice.nxdata, v._state(), str(proposal["value"]),
                               list(self._extra_x.items()))

    @t.observe("selection", "kind")
    def _x_follows(self, change: dict) -> None:
        """The abscissa follows the curve's dimension (:func:`h5lens.replies.follow_x`)."""
        v: Any = self
        if getattr(v, "choice", None) is not None:
            x, v._x_dim = replies.follow_x(v.dataset, v.shape, v.choice.nxdata, v._state(), v._x_dim,
                                           list(self._extra_x.items()))
            self.x = x

    # -- overlaid curves -----------------------------------------------------------------------
    def add_curve(self, source: Any, label: str | None = None) -> int:
        """Overlay a 1-d dataset (node, ``"file.h5::/path"``, h5py dataset or array) on the curve; its id.

        Drawn against the curve's abscissa when it has the curve's length, else
        against its own index; listed in the legend under ``label`` (its name).
        """
        def fits(column: Dataset, name: str) -> None:
            if abscissa.column_length(column) is None:
                raise ValueError(f"add_curve: {name!r} has shape {tuple(column.shape or ())} of {column.dtype}; "
                                 "a curve is a 1-d numeric dataset")

        column, name = self._adopt(source, fits)
        self._overlay_seq += 1
        self._overlays[self._overlay_seq] = column
        self.curves = [*self.curves, {"id": self._overlay_seq, "label": label or name,
                                      "length": abscissa.column_length(column)}]
        return self._overlay_seq

    def remove_curve(self, curve_id: int | None = None) -> None:
        """Remove an overlaid curve (all of them when ``curve_id`` is None)."""
        keep = [] if curve_id is None else [c for c in self.curves if c["id"] != curve_id]
        self._overlays = {c["id"]: self._overlays[c["id"]] for c in keep}
        self.curves = keep

    @command
    def curve(self, msg: dict, buffers: list) -> tuple[protocol.CurveReply, list]:
        """``{selection, region, columns, part, x}`` → y (min/max when decimated), x values, errors, aux. signals."""
        return replies.curve_reply(self._shown(), self.shape, self.choice.nxdata, msg, self._state(),  # type: ignore[attr-defined]
                                   self._warning, list(self._extra_x.items()))  # type: ignore[attr-defined]

    @command
    def overlay(self, msg: dict, buffers: list) -> tuple[protocol.OverlayReply, list]:
        """``{id, columns, x}`` → an overlaid curve's y (min/max when decimated) and its x values."""
        column = self._overlays.get(int(msg["id"]))
        if column is None:
            raise KeyError(f"no overlaid curve has id {msg['id']}")
        n = int(abscissa.column_length(column) or 0)
        items = (slice(None),) if len(column.shape) == 1 else (slice(None), 0)
        cols = max(replies.COLUMNS[0], min(int(msg.get("columns", 2048)), replies.COLUMNS[1]))
        out = frames.curve(column, items, None, cols, "amplitude")
        dim = self._curve_dim()
        x = None  # drawn against the shown curve's abscissa when it has the curve's length
        if dim is not None and self.shape[dim] == n:  # type: ignore[attr-defined]
            name = abscissa.resolve(self.choice.nxdata, dim, msg.get("x", self.x), **self._abscissa_args())  # type: ignore[attr-defined]
            x = abscissa.values(self.choice.nxdata, dim, name, out["index"], **self._abscissa_args())  # type: ignore[attr-defined]
        arrays, bufs = [], []
        for a in [out["min"], out["max"]] if out["decimated"] else [out["min"]]:
            header, b = wire.encode(a)
            arrays.append(header)
            bufs.extend(b)
        return protocol.OverlayReply(ok=True, id=int(msg["id"]), seq=msg.get("seq"), length=n, arrays=arrays, x=x,
                                     index=np.asarray(out["index"]).tolist(), decimated=bool(out["decimated"])), bufs


def _column(value: Any) -> tuple[Dataset, str, Node | None]:
    """``(dataset, name, owned)`` of a node, h5py dataset, ``"file.h5::/path"`` or array (never read whole).

    ``owned`` is the file opened here (closed with the viewer), else None.
    """
    node, owned = open_source(value)
    target = node.deref()
    if not isinstance(target, Dataset):
        if owned:
            node.close()
        raise ValueError(f"{target.path!r} of {target.filename or 'memory'} is a {target.kind}, not a dataset")
    name = target.name.rsplit("/", 1)[-1] if target.name else "array"
    return target, name, node if owned else None
