"""Create a validated :class:`~h5lens.write.validate.Plan` inside an open h5py file."""

from __future__ import annotations

from ._filters import compression_kwargs
from ._spec import EXTERNAL, join
from .validate import Plan


def write_plan(h5file, plan: Plan) -> list[str]:
    """Create every group, dataset, link and attribute of ``plan``.

    Groups come first (parents before children), then datasets, then links
    (a soft link may point at anything created before it), then attributes.
    Returns the absolute paths created, in that order.
    """
    import h5py

    written: list[str] = []
    for parts in plan.groups:
        path = join(parts)
        h5file.require_group(path)
        written.append(path)
    for parts, item, data in plan.datasets:
        path = join(parts)
        kwargs = compression_kwargs(item.compression)
        if item.shuffle:
            kwargs["shuffle"] = True
        if item.fletcher32:
            kwargs["fletcher32"] = True
        if item.maxshape is not None:
            kwargs["maxshape"] = tuple(item.maxshape)
        if item.chunks not in (None, False):
            kwargs["chunks"] = item.chunks
        if item.fillvalue is not None:
            kwargs["fillvalue"] = item.fillvalue
        if data is None:
            h5file.create_dataset(path, shape=tuple(item.shape) if not isinstance(item.shape, int)
                                  else (item.shape,), dtype=item.dtype, **kwargs)
        else:
            h5file.create_dataset(path, data=data, dtype=item.dtype, **kwargs)
        written.append(path)
    for parts, item in plan.links:
        path = join(parts)
        if item.kind == EXTERNAL:
            h5file[path] = h5py.ExternalLink(item.target_file, item.target)
        else:
            h5file[path] = h5py.SoftLink(item.target)
        written.append(path)
    for parts, attrs in plan.attrs.items():
        node = h5file[join(parts)]
        for name, value in attrs.items():
            node.attrs[name] = value
    return written


def existing_kinds(h5file):
    """A function path → ``"group"``/``"dataset"``/``"link"``/None for an open file."""
    import h5py

    def kind(path: str) -> str | None:
        try:
            link = h5file.get(path, getlink=True)
        except (KeyError, ValueError, RuntimeError):
            return None  # e.g. a path going through a dataset
        if link is None:
            return None
        if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
            return "link"
        obj = h5file.get(path)
        return "group" if isinstance(obj, h5py.Group) else "dataset"

    return kind
