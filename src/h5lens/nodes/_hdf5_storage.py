"""How an HDF5 dataset is stored: layout, chunks, the filter pipeline, and the plugins it needs.

Read from the dataset creation property list when h5py's low-level API is
there, else from the high-level flags (h5pyd and other duck-typed objects).
hdf5plugin is imported only when a pipeline holds a filter HDF5 lacks.
"""

from __future__ import annotations

from typing import Any

from ._format import filter_name
from ._node import Filter

_PLUGINS_LOADED = False
_NOT_COMPRESSION = {2, 3, 5, 6}  # shuffle, fletcher32, nbit, scaleoffset: not "the" compression
_BUILT_IN = {1, 2, 3, 4, 5, 6, 32000}  # HDF5's own filters and h5py's LZF
_LAYOUTS = {0: "compact", 1: "contiguous", 2: "chunked", 3: "virtual"}


def load_plugins() -> None:
    """Register hdf5plugin's filters once (imported lazily: it is slow to import)."""
    global _PLUGINS_LOADED
    if not _PLUGINS_LOADED:
        _PLUGINS_LOADED = True
        try:
            import hdf5plugin  # noqa: F401  (registers its filters on import)
        except ImportError:  # optional at run time: reads then fail naming the filter
            pass


class HDF5Storage:
    """Storage properties of an HDF5 dataset, over its wrapped h5py(-like) object ``_h5``."""

    _h5: Any
    _filters: list[Filter] | None = None

    @property
    def chunks(self) -> tuple[int, ...] | None:
        return getattr(self._h5, "chunks", None)

    def _dcpl(self) -> Any:
        """The creation property list (cached; None without h5py's low-level API)."""
        if "_dcpl_cache" not in self.__dict__:
            try:
                self._dcpl_cache = self._h5.id.get_create_plist()
            except Exception:  # not h5py (h5pyd...) or no low-level access
                self._dcpl_cache = None
        return self._dcpl_cache

    @property
    def filters(self) -> list[Filter]:
        if self._filters is None:
            self._filters = self._read_filters()
        return list(self._filters)

    def _read_filters(self) -> list[Filter]:
        dcpl = self._dcpl()
        if dcpl is None:  # fall back on the high-level flags
            names = [("shuffle", 2, None), ("compression", None, "compression_opts"), ("fletcher32", 3, None)]
            out = []
            for attr, fid, opts in names:
                value = getattr(self._h5, attr, None)
                if value:
                    fid = fid or {"gzip": 1, "lzf": 32000, "szip": 4}.get(value, -1)
                    options = getattr(self._h5, opts, None) if opts else None
                    out.append(Filter(fid, filter_name(fid, str(value)), () if options is None else (options,), True))
            return out
        from h5py import h5z

        pipeline = [dcpl.get_filter(i) for i in range(dcpl.get_nfilters())]
        if any(fid not in _BUILT_IN for fid, *_ in pipeline):
            load_plugins()  # only then: importing hdf5plugin costs tens of ms
        return [Filter(int(fid), filter_name(int(fid), stored), tuple(int(v) for v in values),
                       bool(h5z.filter_avail(fid))) for fid, _flags, values, stored in pipeline]

    def _compressor(self) -> Filter | None:
        return next((f for f in self.filters if f.id not in _NOT_COMPRESSION), None)

    @property
    def compression(self) -> str | None:
        found = self._compressor()
        return None if found is None else found.name

    @property
    def compression_opts(self) -> Any:
        found = self._compressor()
        if found is None or not found.options or found.id == 32000:  # lzf's values are internal
            return None
        return found.options[0] if found.id == 1 else found.options

    @property
    def layout(self) -> str:
        dcpl = self._dcpl()
        if dcpl is None:
            return "chunked" if self.chunks else "contiguous"
        layout = _LAYOUTS.get(dcpl.get_layout(), "unknown")
        if layout == "contiguous" and dcpl.get_external_count() > 0:
            return "external"
        return layout
