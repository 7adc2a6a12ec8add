"""What ``h5ls -v``/``h5dump -p`` say about HDF5 storage and files, as inspector facts.

Datasets: fill value, maximum shape, logical bytes, bytes on disk and the
compression ratio. Files (the root group): user block size, driver, library
version bounds, superblock version, SWMR state and the chunk cache in use
(so the chunk-cache case study of the course can be set up and seen).
Everything is read from property lists: no data is read.
"""

from __future__ import annotations

from typing import Any

from ._format import maxshape_label, size_label, value_preview


def _size(nbytes: int) -> str:
    """``12 345 678 bytes (11.8 MiB)``."""
    text = f"{nbytes:,} bytes".replace(",", " ")
    return f"{text} ({size_label(nbytes)})" if nbytes >= 1024 else text


def dataset_details(h5ds: Any, logical: int) -> list[tuple[str, Any]]:
    """Fill value, maximum shape, bytes in memory and on disk, compression ratio of an h5py dataset."""
    out: list[tuple[str, Any]] = []
    try:
        out.append(("Fill value", value_preview(h5ds.fillvalue, 200)))
    except Exception:  # some datatypes (vlen, references) have no readable fill value
        pass
    if h5ds.maxshape is not None:
        out.append(("Max shape", maxshape_label(h5ds.maxshape)))
    out.append(("Size in memory", _size(logical)))
    try:
        stored = int(h5ds.id.get_storage_size())
    except Exception:  # external or virtual storage: not the file's bytes
        return out
    out.append(("Size on disk", _size(stored)))
    if stored:
        out.append(("Compression ratio", f"{logical / stored:.2f}"))
    else:
        out.append(("Compression ratio", "nothing written yet (every value is the fill value)"))
    return out


def file_details(h5file: Any, being_written: bool = False) -> list[tuple[str, Any]]:
    """User block, driver, libver bounds, superblock version, SWMR and the chunk cache of an h5py File.

    ``being_written``: another program holds the file open for writing (not in SWMR mode).
    """
    out: list[tuple[str, Any]] = [("Driver", str(h5file.driver)), ("User block", _size(int(h5file.userblock_size)))]
    try:
        low, high = h5file.libver
        out.append(("Library version bounds", f"{low} … {high}"))
    except Exception:  # an older h5py without libver
        pass
    try:
        out.append(("Superblock version", str(h5file.id.get_create_plist().get_version()[0])))
    except Exception:
        pass
    out.append(("SWMR", "reading in SWMR mode" if getattr(h5file, "swmr_mode", False) else "off"))
    if being_written:
        out.append(("Being written", "yes: another program has it open for writing (not SWMR); "
                                     "what is shown may change or be incomplete"))
    try:
        _, nslots, nbytes, w0 = h5file.id.get_access_plist().get_cache()
        out.append(("Chunk cache", f"{_size(int(nbytes))}, {int(nslots)} slots, w0 = {w0:g}"))
    except Exception:
        pass
    return out
