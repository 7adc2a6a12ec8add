"""What an NXdata group plots (:class:`NXDataInfo`), and tolerant readers of NeXus attributes and members.

Nothing here raises on a malformed file: an unreadable attribute, a broken
link or a non-text value reads as absent (None or an empty list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._base import Dataset, Group, Link, Node
from ._format import text_value as text  # one decoder of text attributes for labels and NeXus

_SCAN_BUDGET = 1000  # members looked at when searching a group (huge groups stay cheap)


@dataclass
class NXDataInfo:
    """What an NXdata group plots.

    Attributes
    ----------
    group : Group
        The NXdata group.
    signal : Dataset
        The signal dataset; ``signal_name`` its member name.
    axes : list of (Dataset or None)
        One entry per signal dimension (None: plot against indices).
    axis_names : list of (str or None)
        Member names of those axes.
    errors : Dataset or None
        Uncertainties of the signal (same shape).
    long_name, units : str or None
        Of the signal; ``axis_long_names``/``axis_units`` per dimension.
    title : str or None
        The NXdata ``title``, else its entry's ``title``.
    other_axes : list of list of (str, Dataset)
        Per signal dimension, the other 1-d axes the group declares for it
        with ``NAME_indices`` without naming them in ``@axes`` (NeXus's way to
        give a dimension several axes: an MCA's energy and its channels).
    auxiliary_signals : list of Dataset
        Other signals of the same shape (``auxiliary_signal_names``).
    interpretation : str or None
        ``spectrum``, ``image``, ``rgba-image``, ``scalar`` ... when stated.
    warnings : list of str
        Axes or errors that were ignored, and why.
    """

    group: Group
    signal: Dataset
    signal_name: str
    axes: list = field(default_factory=list)
    axis_names: list = field(default_factory=list)
    errors: Dataset | None = None
    long_name: str | None = None
    units: str | None = None
    axis_long_names: list = field(default_factory=list)
    axis_units: list = field(default_factory=list)
    title: str | None = None
    auxiliary_signals: list = field(default_factory=list)
    auxiliary_signal_names: list = field(default_factory=list)
    interpretation: str | None = None
    warnings: list = field(default_factory=list)
    other_axes: list = field(default_factory=list)  # per dimension: (name, Dataset) not named in @axes

    def axis_label(self, name: str, axis: Dataset) -> str:
        """The label of axis ``name`` (``long_name``, else ``name (units)``)."""
        long_name = text(attr(axis, "long_name"))
        units = text(attr(axis, "units")) or text(attr(axis, "unit"))
        return long_name or (f"{name} ({units})" if units else name)

    def label(self, dim: int | None = None) -> str:
        """``long_name`` or ``name (units)`` of the signal (``dim=None``) or of an axis."""
        if dim is None:
            name, long_name, units = self.signal_name, self.long_name, self.units
        else:
            name, long_name, units = self.axis_names[dim], self.axis_long_names[dim], self.axis_units[dim]
            if name is None:
                return f"dimension {dim}"
        if long_name:
            return long_name
        return f"{name} ({units})" if units else str(name)


def names(value: Any, separators: str = ":") -> list[str]:
    """Names from a string (split on ``separators``) or an array/list of strings."""
    if isinstance(value, (list, tuple)):
        value = np.array(value, dtype=object)
    if isinstance(value, np.ndarray) and value.size != 1:
        return [text(v) or "" for v in value.ravel()]
    single = text(value)
    if single is None:
        return []
    return [part.strip() for part in re.split(f"[{separators}]", single)] if separators else [single]


def attr(node: Node, name: str) -> Any:
    try:
        return node.attrs.get(name)
    except Exception:  # an unreadable attribute counts as absent
        return None


def as_int(value: Any) -> int | None:
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.ravel()[0]
    as_text = text(value)
    try:
        return int(as_text if as_text is not None else value)
    except (TypeError, ValueError):
        return None


def member(group: Group, name: str) -> Node | None:
    """Member ``name`` with links followed; None when absent or broken."""
    if not name:
        return None
    try:
        return group[name].deref()
    except Exception:
        return None


def members(group: Group, budget: int = _SCAN_BUDGET) -> list[Node]:
    """The first ``budget`` members, to search (soft links followed; external ones skipped: no file is opened)."""
    out = []
    try:
        for node in group.page(0, budget):
            if isinstance(node, Link) and node.link_type == "external":
                continue
            try:
                out.append(node.deref())
            except Exception:  # broken links are skipped
                continue
    except Exception:
        return []
    return out


def read_text(node: Node | None) -> str | None:
    """A title-like dataset as text (scalar or one-element string)."""
    if not isinstance(node, Dataset) or node.shape is None or node.size != 1:
        return None
    try:
        return text(node[()])
    except Exception:
        return None
