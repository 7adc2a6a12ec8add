"""``h5lens.open`` for URLs: the scheme picks the client, the client's object picks the backend.

- ``https://``, ``http://``, ``s3://`` (and other fsspec schemes): an HDF5
  file read by h5py through fsspec, or a Zarr store (:mod:`h5lens.nodes.remotefile`).
- ``hdf5://home/user/file.h5``: a domain on an HSDS server, read through
  h5pyd (:mod:`h5lens.nodes.hsds`); ``endpoint=``, ``username=``, ``password=``.
- ``tiled+http://host:port/api/v1/metadata/path``: a tiled node (:mod:`h5lens.nodes.tiled`).

Options meant for one client are refused by the others, so a misspelt
option is an error rather than silently ignored.
"""

from __future__ import annotations

from typing import Any

from .nodes._base import Node
from .nodes._urls import scheme

_FSSPEC_OPTIONS = {"storage_options"}
_HSDS_OPTIONS = {"endpoint", "username", "password"}


def open_remote(url: str, **options: Any) -> Node:
    """Open ``url`` with the client its scheme calls for (see the module notes)."""
    kind = scheme(url) or ""
    if kind == "hdf5":
        unknown = set(options) - _HSDS_OPTIONS
        if unknown:
            raise TypeError(f"{', '.join(sorted(unknown))}: not an option for hdf5:// URLs "
                            "(they take endpoint=, username=, password=)")
        from .nodes.hsds import open_domain

        return open_domain(url, **options)
    if kind in ("tiled+http", "tiled+https"):
        if options:
            raise TypeError(f"{', '.join(sorted(options))}: tiled URLs take no options")
        from .nodes.tiled import open_tiled

        return open_tiled(url)
    unknown = set(options) - _FSSPEC_OPTIONS
    if unknown:
        raise TypeError(f"{', '.join(sorted(unknown))}: not an option for {kind}:// URLs "
                        "(they take storage_options=, passed to fsspec)")
    from .nodes.remotefile import open_url

    return open_url(url, storage_options=options.get("storage_options"))
