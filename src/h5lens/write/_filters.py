"""Compression specs: one spelling for the builder, :func:`convert` and the CLI.

A spec is ``None``/``"none"``, ``"gzip"``, ``("gzip", level)``, ``"lzf"``,
``"bitshuffle"`` (bitshuffle + LZ4), ``"blosc"`` (Blosc LZ4 + byte shuffle),
``"zstd"``, ``"lz4"``, or an :mod:`hdf5plugin` filter object (any mapping
with ``compression`` / ``compression_opts`` keys). The hdf5plugin filters
need the plugin at read time too; h5lens registers them when it imports
hdf5plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PLUGIN_NAMES = ("bitshuffle", "blosc", "zstd", "lz4")
NAMES = ("gzip", "lzf") + PLUGIN_NAMES


def check_compression(spec: Any) -> str | None:
    """Why ``spec`` is not a usable compression spec, or None when it is."""
    if spec is None or isinstance(spec, Mapping):
        return None
    name, level = _split(spec)
    if name is None:
        return f"compression must be one of {', '.join(NAMES)} or ('gzip', level), not {spec!r}"
    if name == "none":
        return None
    if name not in NAMES:
        return f"unknown compression {name!r} (use one of {', '.join(NAMES)})"
    if level is not None:
        if name != "gzip":
            return f"compression {name!r} takes no level (got {level!r})"
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 9:
            return f"gzip level must be an integer 0..9, not {level!r}"
    return None


def _split(spec: Any) -> tuple[str | None, Any]:
    if isinstance(spec, str):
        return spec.lower(), None
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        return spec[0].lower(), spec[1]
    return None, None


def compression_kwargs(spec: Any) -> dict:
    """Keyword arguments for :meth:`h5py.Group.create_dataset` (spec already checked)."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return dict(spec)
    name, level = _split(spec)
    if name == "none":
        return {}
    if name == "gzip":
        return {"compression": "gzip", "compression_opts": 4 if level is None else level}
    if name == "lzf":
        return {"compression": "lzf"}
    import hdf5plugin  # lazy: registers the plugin filters with HDF5

    if name == "bitshuffle":
        return dict(hdf5plugin.Bitshuffle(cname="lz4"))
    if name == "blosc":
        return dict(hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    if name == "zstd":
        return dict(hdf5plugin.Zstd())
    return dict(hdf5plugin.LZ4())


def parse_compression(text: str) -> Any:
    """The CLI spelling (``gzip:4``, ``lzf``, ``none``...) as a spec; ValueError if bad."""
    name, _, level = text.partition(":")
    spec: Any = name.lower()
    if level:
        try:
            spec = (spec, int(level))
        except ValueError:
            raise ValueError(f"compression level must be an integer: {text!r}") from None
    if spec == "none":
        return None
    problem = check_compression(spec)
    if problem:
        raise ValueError(problem)
    return spec
