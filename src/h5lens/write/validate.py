"""Check a whole tree before anything touches the disk.

:func:`plan` turns the builder's items into a :class:`Plan` (normalised
paths, storable arrays, implied groups) or raises one
:class:`ValidationError` listing every problem, each naming its path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._filters import check_compression
from ._spec import DATASET, EXTERNAL, GROUP, SOFT, Item, as_storable, join, name_problem, split_path

Parts = tuple[str, ...]


class ValidationError(ValueError):
    """A tree that cannot be written; ``problems`` lists one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n > 1 else ''} in the tree, nothing was written:"
        super().__init__("\n  - ".join([head, *self.problems]))


@dataclass
class Plan:
    """A validated tree, ready for :func:`h5lens.write._h5write.write_plan`."""

    groups: list[Parts] = field(default_factory=list)  # parents first, root excluded
    datasets: list[tuple[Parts, Item, Any]] = field(default_factory=list)  # (path, item, data)
    links: list[tuple[Parts, Item]] = field(default_factory=list)
    attrs: dict[Parts, dict] = field(default_factory=dict)


def plan(items: list[Item], extra_attrs: Sequence[tuple[Any, dict]] = (),
         existing: Callable[[str], str | None] | None = None, problems: Sequence[str] = ()) -> Plan:
    """Validate ``items`` and return the :class:`Plan`; raise :class:`ValidationError`.

    Parameters
    ----------
    items : list of Item
        Groups, datasets and links in the order they were added.
    extra_attrs : list of (path, dict)
        Attributes set on paths separately (the root, implied groups...).
    existing : callable, optional
        For append mode: maps an absolute path to the kind already in the
        file (``"group"``, ``"dataset"``, ``"link"``) or None.
    problems : list of str
        Problems found while building (bad member names...), reported together.
    """
    problems = list(problems)
    existing = existing or (lambda path: None)
    kinds: dict[Parts, Item] = {}
    out = Plan()

    for item in items:
        parts, why = split_path(item.path)
        if parts is None:
            problems.append(f"{item.kind} {item.path!r}: {why}")
            continue
        where = join(parts)
        if parts == () and item.kind != GROUP:
            problems.append(f"{item.kind} {where!r}: the root can only be a group")
            continue
        previous = kinds.get(parts)
        if previous is not None and not (previous.kind == GROUP and item.kind == GROUP):
            problems.append(f"{where!r} is defined twice (as {previous.kind} and as {item.kind})")
            continue
        found = existing(where)
        if found and not (found == "group" and item.kind == GROUP):
            problems.append(f"{where!r} already exists in the file (a {found})")
            continue
        if previous is not None:  # a group named twice: merge its attributes
            previous.attrs.update(item.attrs)
            continue
        kinds[parts] = item

    # every ancestor must be (or become) a group
    implied: set[Parts] = set()
    for parts in kinds:
        for depth in range(1, len(parts)):
            anc = parts[:depth]
            holder = kinds.get(anc)
            if holder is not None and holder.kind != GROUP:
                problems.append(f"{join(parts)!r} is inside {join(anc)!r}, which is a {holder.kind}")
                break
            found = existing(join(anc))
            if holder is None and found not in (None, "group"):
                problems.append(f"{join(parts)!r} is inside {join(anc)!r}, which is a {found} in the file")
                break
            if holder is None and found is None:
                implied.add(anc)

    def resolve(start: Parts, target: str, hops: int = 0) -> Parts | None:
        """Where ``target`` (seen from group ``start``) lands, following soft links; None if nowhere."""
        node: Parts = () if target.startswith("/") else start
        for part in [p for p in target.split("/") if p and p != "."]:
            node = node + (part,)  # HDF5 has no "..": it is a plain (missing) name
            held = kinds.get(node)
            if held is not None and held.kind == SOFT:  # follow chains, stop on cycles
                if hops > 32 or not isinstance(held.target, str):
                    return None
                landed = resolve(node[:-1], held.target, hops + 1)
                if landed is None:
                    return None
                node = landed
            elif held is not None and held.kind == EXTERNAL:
                return node  # the other file is not checked
            elif held is None and node not in implied and existing(join(node)) is None:
                return None
        return node

    def target_exists(link_parts: Parts, target: str) -> bool:
        return resolve(link_parts[:-1], target) is not None

    for parts, item in kinds.items():
        where = join(parts)
        for name in item.attrs:
            why = _attr_name_problem(name)
            if why:
                problems.append(f"attribute {name!r} of {where!r}: {why}")
        if item.kind == GROUP:
            pass
        elif item.kind == DATASET:
            data, dataset_why = _check_dataset(item)
            if dataset_why:
                problems.extend(f"dataset {where!r}: {w}" for w in dataset_why)
            else:
                out.datasets.append((parts, item, data))
        elif item.kind in (SOFT, EXTERNAL):
            if not isinstance(item.target, str) or not item.target.strip("/"):
                problems.append(f"{item.kind} link {where!r}: target must be a non-empty path, not {item.target!r}")
            elif item.kind == SOFT and not target_exists(parts, item.target):
                problems.append(f"soft link {where!r} points to {item.target!r}, which is not in the tree")
            elif item.kind == EXTERNAL and (not isinstance(item.target_file, str) or not item.target_file):
                problems.append(
                    f"external link {where!r}: file name must be a non-empty string, not {item.target_file!r}")
            else:
                out.links.append((parts, item))

    for raw, attrs in extra_attrs:
        parts, why = split_path(raw)
        if parts is None:
            problems.append(f"attributes for {raw!r}: {why}")
            continue
        if parts and parts not in kinds and parts not in implied and existing(join(parts)) is None:
            problems.append(f"attributes for {join(parts)!r}, which is not in the tree")
            continue
        if parts in kinds and kinds[parts].kind in (SOFT, EXTERNAL):
            problems.append(f"attributes for {join(parts)!r}: links cannot hold attributes")
            continue
        for name in attrs:
            why = _attr_name_problem(name)
            if why:
                problems.append(f"attribute {name!r} of {join(parts)!r}: {why}")
        out.attrs.setdefault(parts, {}).update(attrs)

    for parts, item in kinds.items():
        if item.attrs:
            out.attrs.setdefault(parts, {}).update(item.attrs)
    for parts, attrs in out.attrs.items():
        for name, value in list(attrs.items()):
            stored, why = as_storable(value)
            if why:
                problems.append(f"attribute {name!r} of {join(parts)!r}: {why}")
            else:
                attrs[name] = stored

    if problems:
        raise ValidationError(problems)
    groups = {p for p, it in kinds.items() if it.kind == GROUP and p} | implied
    out.groups = sorted(groups, key=lambda p: (len(p), p))
    return out


def _attr_name_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return f"attribute names must be strings, not {type(name).__name__}"
    return "empty attribute name" if name == "" else None


def _check_dataset(item: Item) -> tuple[Any, list[str]]:
    """``(storable data or None, [problems])`` for one dataset item."""
    import numpy as np

    from ._spec import dtype_problem

    problems: list[str] = []
    data = None
    shape = item.shape
    if item.data is not None:
        data, why = as_storable(item.data)
        if why:
            return None, [why]
        if getattr(data, "shape", ()) is None:  # h5py.Empty: a null dataspace, nothing more to check
            return data, []
        if item.dtype is not None and not dtype_problem(item.dtype) and getattr(data, "size", 1) == 0:
            data = np.asarray(data).astype(item.dtype)  # data=[] with a dtype: an empty dataset of that dtype
        data_shape = getattr(data, "shape", None)
        if item.dtype is not None:
            why = dtype_problem(item.dtype)
            if why:
                problems.append(why)
        if shape is not None and _as_shape(shape) != data_shape:
            problems.append(f"data shape {data_shape} does not match declared shape {shape!r}")
        shape = data_shape
    else:
        if shape is None:
            problems.append("give data, or declare a shape and dtype to fill later")
        if item.dtype is None:
            problems.append("a declared dataset needs a dtype")
        else:
            why = dtype_problem(item.dtype)
            if why:
                problems.append(why)
    if shape is None:
        return None, problems
    shape_t = _as_shape(shape)
    if shape_t is None:
        return None, problems + [f"shape must be a tuple of non-negative integers, not {shape!r}"]
    rank = len(shape_t)
    chunked = item.chunks not in (None, False) or item.maxshape is not None or item.compression is not None \
        or item.shuffle or item.fletcher32
    if rank == 0 and chunked:
        problems.append("a scalar dataset cannot be chunked, resizable or compressed")
    maxshape = shape_t
    if item.maxshape is not None:
        ms = tuple(item.maxshape) if isinstance(item.maxshape, (tuple, list)) else None  # h5py takes a list too
        if ms is None or len(ms) != rank or not all(m is None or (_is_int(m) and m >= 0) for m in ms):
            problems.append(f"maxshape {item.maxshape!r} must be a tuple of {rank} integers or None")
        else:
            maxshape = ms
            small = [i for i, (m, s) in enumerate(zip(ms, shape_t)) if m is not None and m < s]
            if small:
                problems.append(f"maxshape {ms} is smaller than shape {shape_t} (axis {small[0]})")
    if item.chunks not in (None, True, False):
        ch = item.chunks if isinstance(item.chunks, tuple) else None
        if ch is None or len(ch) != rank or not all(_is_int(c) and c > 0 for c in ch):
            problems.append(f"chunks {item.chunks!r} must be a tuple of {rank} positive integers")
        else:
            over = [i for i, (c, m) in enumerate(zip(ch, maxshape)) if m is not None and c > max(m, 1)]
            if over:
                problems.append(f"chunks {ch} larger than the maximum shape {maxshape} (axis {over[0]})")
    why = check_compression(item.compression)
    if why:
        problems.append(why)
    if item.fillvalue is not None and data is None and item.dtype is not None:
        try:
            np.asarray(item.fillvalue).astype(item.dtype)
        except Exception:
            problems.append(f"fill value {item.fillvalue!r} does not fit dtype {item.dtype!r}")
    return data, problems


def _is_int(value: Any) -> bool:
    import numpy as np

    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _as_shape(shape: Any) -> tuple | None:
    if _is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or not all(_is_int(s) and s >= 0 for s in shape):
        return None
    return tuple(int(s) for s in shape)


__all__ = ["Plan", "ValidationError", "plan", "name_problem"]
