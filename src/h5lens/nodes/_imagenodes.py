"""The node kinds of the detector-image tree (see :mod:`.image` for its layout).

Members of an image group come from a builder called on first listing; the
frames are one lazy stack read frame by frame; header columns are small
arrays computed on first use; the NXdata and ``image_0`` entries are soft
links that present their target again at the link's own path (``_alias``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ._base import Dataset, Group, Link, LinkError, Node, Owner
from ._imagesource import FabioSource, SeriesSource, expand_selection, frame_indices

#: ``factory(group, name)`` makes the member node
Factory = Callable[[Group, str], Node]
#: ``builder(group) -> {name: factory}``, called on first listing
Builder = Callable[[Group], dict[str, Factory]]
Source = FabioSource | SeriesSource


def _now(parent: Node | None) -> int:
    """The source's generation now (0 for a tree that does not follow)."""
    source = getattr(parent.root, "follow_source", None) if parent is not None else None
    return int(getattr(source, "generation", 0))


class _ImageAttrs:
    """Attributes given at construction (already decoded), and the node seen at another path."""

    _attr_values: dict[str, Any]
    #: the source's generation this node was built at (see :func:`_follow`)
    _built: int = 0

    def _grown(self) -> bool:
        """Ask the source for new frames (through the root); whether it grew since this node was built."""
        follow = getattr(self.root, "follow", None)  # type: ignore[attr-defined]
        if follow is None:
            return False
        generation = follow()
        grown, self._built = generation != self._built, generation
        return bool(grown)

    def _attr_names(self) -> list[str]:
        return list(self._attr_values)

    def _attr_get(self, name: str) -> Any:
        return self._attr_values[name]

    def _alias(self, name: str, path: str, parent: Node | None) -> Node:  # pragma: no cover - every kind has one
        raise NotImplementedError


class ImageGroup(_ImageAttrs, Group):
    """A group whose members come from a builder called on first listing.

    The root of a tree over a growing source also holds ``follow()`` (refresh the
    source, give its generation) and ``follow_source``.

    Parameters
    ----------
    builder : callable
        ``builder(group) -> {name: factory}`` where ``factory(group, name)``
        makes the member node.
    attrs : dict
        Attribute values, already decoded.
    """

    follow: Callable[[], int] | None = None
    follow_source: Any = None

    def __init__(self, name: str, path: str, parent: Node | None, builder: Builder,
                 attrs: dict[str, Any] | None = None, *, owner: Owner | None = None):
        super().__init__(name, path, parent, owner=owner)
        self._builder = builder
        self._members: dict[str, Factory] | None = None
        self._attr_values = dict(attrs or {})
        self._built = _now(parent)

    def _member_map(self) -> dict[str, Factory]:
        if self._members is None:
            self._members = self._builder(self)
        return self._members

    def _iter_names(self) -> Iterator[str]:
        return iter(self._member_map())

    def _refresh(self) -> bool:
        """Members are rebuilt from the grown source (header columns gain rows, a series its files)."""
        if not self._grown():
            return False
        self._members, self._names, self._cache = None, None, {}
        return True

    def _cheap_len(self) -> int | None:
        # building a member map may read every header of a series (counters): only once built
        return None if self._members is None else len(self._members)

    def _make_child(self, name: str) -> Node:
        return self._member_map()[name](self, name)

    def _alias(self, name: str, path: str, parent: Node | None) -> ImageGroup:
        return ImageGroup(name, path, parent, self._builder, self._attr_values)


class FrameStack(_ImageAttrs, Dataset):
    """The frames of a source as one lazy array, read frame by frame."""

    def __init__(self, name: str, path: str, parent: Node | None, source: Source, stacked: bool,
                 attrs: dict[str, Any] | None = None):
        super().__init__(name, path, parent)
        self._source = source
        self._stacked = stacked
        self._attr_values = dict(attrs or {})
        self._built = _now(parent)

    @property
    def shape(self) -> tuple[int, ...]:
        frame = self._source.frame_shape
        return (self._source.nframes, *frame) if self._stacked else frame

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._source.dtype

    @property
    def layout(self) -> str:
        return "external" if isinstance(self._source, SeriesSource) else "contiguous"

    def _refresh(self) -> bool:
        return self._grown()  # the shape is the source's: it grew in place

    def _alias(self, name: str, path: str, parent: Node | None) -> FrameStack:
        return FrameStack(name, path, parent, self._source, self._stacked, self._attr_values)

    def _read(self, selection: Any) -> Any:
        selection = expand_selection(selection, len(self.shape))
        if not self._stacked:
            return self._source.frame(0, selection)
        frames, drop = frame_indices(selection[0], self._source.nframes)
        rest = selection[1:]
        parts = [self._source.frame(i, rest) for i in frames]
        if drop:
            return parts[0]
        if not parts:  # empty selection: shape of what one frame would give, zero frames
            probe = np.broadcast_to(np.zeros((), self.dtype), self._source.frame_shape)[rest]
            return np.empty((0, *probe.shape), self.dtype)
        return np.stack(parts)


class ValueDataset(_ImageAttrs, Dataset):
    """A small array computed on first use (header columns, raw headers)."""

    def __init__(self, name: str, path: str, parent: Node | None, compute: Callable[[], Any],
                 attrs: dict[str, Any] | None = None, shape: tuple[int, ...] | None = None, dtype: Any = None):
        super().__init__(name, path, parent)
        self._compute = compute
        self._value: np.ndarray[Any, Any] | None = None
        self._attr_values = dict(attrs or {})
        self._built = _now(parent)
        # when the caller knows them, listing costs no computation (a series opens every file)
        self._shape, self._dtype = shape, dtype

    def _array(self) -> np.ndarray[Any, Any]:
        if self._value is None:
            self._value = np.asarray(self._compute())
        return self._value

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape if self._shape is not None else tuple(self._array().shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        dtype: np.dtype[Any] = np.dtype(self._dtype) if self._dtype is not None else self._array().dtype
        return dtype

    def _refresh(self) -> bool:
        if not self._grown():
            return False
        self._value, self._shape = None, None  # computed again over every frame
        return True

    def _alias(self, name: str, path: str, parent: Node | None) -> ValueDataset:
        return ValueDataset(name, path, parent, self._array, self._attr_values, self._shape, self._dtype)

    def _read(self, selection: Any) -> Any:
        out = self._array()[selection]
        return out.copy() if isinstance(out, np.ndarray) else out


class AliasLink(Link):
    """A soft link inside the image tree (``image_0/data`` → the detector data)."""

    def __init__(self, name: str, path: str, parent: Node | None, target: str):
        super().__init__(name, path, parent, "soft", target)

    def _resolve(self) -> Node:
        root = self.root
        target = root[self.target].deref() if isinstance(root, Group) else None
        if not isinstance(target, _ImageAttrs):  # the builder links only to image nodes
            raise LinkError(f"{self.target!r} is not a node of this image tree")
        return target._alias(self.name, self.path, self.parent)
