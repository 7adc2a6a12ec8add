"""Show a builder's tree before writing, as in-memory nodes.

The nodes come from :mod:`h5lens.nodes.memory`, so the glance (HTML and
text) shows a planned tree with the same labels as a file on disk.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._spec import EXTERNAL
from .validate import Plan

# hdf5plugin filter ids, so previews name the filter without importing the plugin
_PLUGIN_IDS = {"bitshuffle": 32008, "blosc": 32001, "zstd": 32015, "lz4": 32004}


def _compression(spec) -> tuple:
    """``(compression, compression_opts)`` as the memory backend describes them."""
    if spec is None:
        return None, None
    if isinstance(spec, Mapping):
        return spec.get("compression"), spec.get("compression_opts")
    name, level = (spec, None) if isinstance(spec, str) else spec
    name = name.lower()
    if name == "none":
        return None, None
    if name == "gzip":
        return "gzip", 4 if level is None else level
    return _PLUGIN_IDS.get(name, name), None


def plan_to_nodes(plan: Plan):
    """A :class:`~h5lens.nodes.memory.MemoryGroup` root holding the planned tree."""
    from ..nodes.memory import MemoryGroup

    root = MemoryGroup("", "/", None, attrs=plan.attrs.get(()))

    def parent_of(parts):
        node = root
        for part in parts[:-1]:
            node = node._members[part]
        return node

    for parts in plan.groups:
        parent_of(parts).create_group(parts[-1], attrs=plan.attrs.get(parts))
    for parts, item, data in plan.datasets:
        compression, opts = _compression(item.compression)
        parent_of(parts).create_dataset(
            parts[-1], data, shape=None if data is not None else item.shape, dtype=item.dtype,
            chunks=item.chunks, compression=compression, compression_opts=opts,
            maxshape=item.maxshape, fillvalue=item.fillvalue, attrs=plan.attrs.get(parts))
    for parts, item in plan.links:
        parent_of(parts).create_link(parts[-1], item.target,
                                     item.target_file if item.kind == EXTERNAL else None)
    return root
