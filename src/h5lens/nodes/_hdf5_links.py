"""Listing an HDF5 group without following its links, and names that are not UTF-8.

A member is looked up as a link first (h5py's low-level link API, else the
duck-typed ``get(name, getlink=True)`` of h5pyd and the like), so a broken or
external link is described without being opened. Names are pulled in batches:
a huge group gives its first page cheaply.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

#: A first batch of at most this many names records which are hard links (a tree page's).
TYPED_BATCH = 1024
HARD = 0  # h5py.h5l.TYPE_HARD (H5L_TYPE_HARD)


def handle_closed(obj: Any) -> bool:
    """True for an h5py object whose file was closed (its id no longer valid; h5py's own repr says so)."""
    oid = getattr(obj, "id", None)
    return oid is not None and hasattr(oid, "valid") and not oid.valid


def to_str(name: Any) -> str:
    """h5py gives non-UTF-8 names as bytes: keep them as surrogate-escaped str."""
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def to_key(name: str) -> str | bytes:
    """Inverse of :func:`to_str`, for looking the member up again."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape")


def _group_index(gid: Any) -> tuple[Any, int]:
    """``(group id, index type)``: the root group of a File's id, and h5py's listing order."""
    from h5py import h5, h5f, h5g, h5p

    if isinstance(gid, h5f.FileID):  # a File's id: its root group holds the creation order
        gid = h5g.open(gid, b"/")
    try:
        if gid.get_create_plist().get_link_creation_order() & h5p.CRT_ORDER_INDEXED:
            return gid, h5.INDEX_CRT_ORDER
    except Exception:  # no creation-order information: name order
        pass
    return gid, h5.INDEX_NAME


def scan_link_names(gid: Any, start: int, visit: Callable[[bytes | str], bool]) -> bool:
    """Hand the member names from index ``start`` on to ``visit`` in one ``H5Literate``; whether it stopped early.

    One call: :func:`iter_link_names`' batches each restart at an index, which
    HDF5 reaches by walking a classic group's nodes again.
    """
    gid, idx_type = _group_index(gid)
    stopped = False

    def collect(name: bytes) -> bool | None:
        nonlocal stopped
        stopped = bool(visit(name))
        return True if stopped else None  # anything but None stops HDF5

    _iterate(gid, collect, idx_type, start)
    return stopped


def _iterate(gid: Any, callback: Callable[..., bool | None], idx_type: int, start: int, info: bool = False) -> None:
    """``H5Literate`` from index ``start``; a start at or past the end lists nothing (HDF5 raises).

    ``info``: the callback also gets each link's ``LinkInfo`` (its type).
    """
    from h5py import h5

    try:
        gid.links.iterate(callback, idx_type=idx_type, order=h5.ITER_INC, idx=start, info=info)
    except RuntimeError:
        if start == 0 or start < len(gid):  # counted only here: a classic group's count walks its index
            raise


def stored_count(h5obj: Any) -> int | None:
    """The member count of an h5py(-like) group when it is stored, else None (a classic group: count by listing).

    ``H5Gget_info`` walks every node of a classic (symbol table) group's index
    (seconds for 10^6 members), so those are counted by a bounded listing
    (:meth:`Group.count_upto`). New-style groups (a creation-order index, or a
    file with superblock version 2 or more: ``libver="latest"``) keep their
    count in the group's header, where ``H5Gget_info`` reads it.
    """
    if not hasattr(getattr(getattr(h5obj, "id", None), "links", None), "iterate"):
        return len(h5obj)  # h5pyd and the like: the server answers the count
    from h5py import h5

    gid, idx_type = _group_index(h5obj.id)
    return int(gid.get_num_objs()) if idx_type == h5.INDEX_CRT_ORDER or _new_style_file(gid) else None


def _new_style_file(gid: Any) -> bool:
    """Whether the group's file has superblock version 2 or more (``libver="latest"``: new-style groups)."""
    from h5py import h5i

    return bool(h5i.get_file_id(gid).get_create_plist().get_version()[0] >= 2)


def sorts_whole_listing(h5obj: Any) -> bool:
    """Whether HDF5 sorts all of the group's names on each listing call: a new-style group listed by name.

    Its names are indexed by hash (dense storage), so ``H5Literate`` by name
    builds and sorts a table of every link for each call, whatever its start
    (10-45 s per call for 10^6 members on this machine): such a group is best
    listed once, whole, and its names kept.
    """
    gid = getattr(h5obj, "id", None)
    return hasattr(getattr(gid, "links", None), "iterate") and _sorts_whole(gid)


def _sorts_whole(gid: Any) -> bool:
    from h5py import h5

    gid, idx_type = _group_index(gid)
    return idx_type == h5.INDEX_NAME and _new_style_file(gid)


def iter_link_names(gid: Any, start: int = 0, first: int = 64, hard: set | None = None) -> Iterator[bytes | str]:
    """Member names of an h5py group from index ``start``, fetched in growing batches (never all up front).

    ``first``: the size of the first batch (what a page needs; later batches grow from 64).
    ``hard``: receives the names of the first batch that are hard links (when it is page-sized,
    at most :data:`TYPED_BATCH`), so a page opens them without looking each link up again.

    h5py's own iterator asks for every name at once. ``H5Literate`` restarted
    at an index gives a first page cheaply on classic (symbol table) groups.
    Dense name-indexed groups sort all their links on every call: new-style
    groups listed by name are fetched in one call (see :func:`sorts_whole_listing`),
    and once a batch proves slow the rest is fetched in one call. Creation-order indexed
    groups are listed in creation order, as h5py does.
    """
    whole = _sorts_whole(gid)
    gid, idx_type = _group_index(gid)
    batch = 2**62 if whole else max(1, first)  # each call sorts all the names: one call
    typed = hard is not None and batch <= TYPED_BATCH
    while True:
        got: list = []

        def collect(name: bytes, info: Any = None, got: list[bytes] = got, batch: int = batch) -> bool | None:
            got.append(name)
            if info is not None and info.type == HARD:
                hard.add(to_str(name))  # type: ignore[union-attr]  # ``typed``: not None
            return True if len(got) >= batch else None  # anything but None stops HDF5

        began = time.perf_counter()
        _iterate(gid, collect, idx_type, start, info=typed)
        typed = False  # later batches: names only
        cost = time.perf_counter() - began
        yield from got
        if len(got) < batch:
            return
        start += len(got)
        slow = cost > 0.005 + 20e-6 * len(got)  # cost grew with the group, not the batch
        batch = 2**62 if slow else min(max(batch, 16) * 4, 16384)


def open_member(h5obj: Any, key: str | bytes) -> Any:
    """Member ``key`` (a hard link) of an h5py(-like) group, as ``h5obj[key]`` gives it.

    h5py's ``group[key]`` builds a ``File`` object per dataset to read the
    access mode (a third of a tree page's member opening, measured on 100
    scalar datasets: 40-58 ms vs 30 ms); the mode is read here from the low-level file id.
    """
    gid = getattr(h5obj, "id", None)
    if not hasattr(getattr(gid, "links", None), "iterate"):  # h5pyd and the like
        return h5obj[key]
    import h5py
    from h5py import h5f, h5i, h5o

    oid = h5o.open(gid, key if isinstance(key, bytes) else key.encode("utf-8"), lapl=getattr(h5obj, "_lapl", None))
    kind = h5i.get_type(oid)
    if kind == h5i.DATASET:
        return h5py.Dataset(oid, readonly=not h5i.get_file_id(oid).get_intent() & h5f.ACC_RDWR)
    if kind == h5i.GROUP:
        return h5py.Group(oid)
    if kind == h5i.DATATYPE:
        return h5py.Datatype(oid)
    raise TypeError("Unknown object type")  # what h5py says


def link_info(h5obj: Any, key: str | bytes) -> tuple | None:
    """``(kind, target, target_file)`` of member ``key`` without following it; None if absent.

    h5py's low-level link API is used when present (it also takes names that
    are not UTF-8); otherwise the duck-typed ``get(name, getlink=True)``.
    """
    links = getattr(getattr(h5obj, "id", None), "links", None)
    if links is not None and hasattr(links, "get_info"):
        from h5py import h5l

        bkey = key if isinstance(key, bytes) else key.encode("utf-8")
        if not links.exists(bkey):
            return None
        kind = links.get_info(bkey).type
        if kind == h5l.TYPE_SOFT:
            return "soft", to_str(links.get_val(bkey)), None
        if kind == h5l.TYPE_EXTERNAL:
            filename, target = links.get_val(bkey)
            return "external", to_str(target), to_str(filename)
        return ("hard", None, None) if kind == h5l.TYPE_HARD else ("unknown", None, None)
    link = h5obj.get(key, getlink=True)
    if link is None:
        return None
    if hasattr(link, "filename"):
        return "external", to_str(link.path), to_str(link.filename)
    if hasattr(link, "path"):
        return "soft", to_str(link.path), None
    return "hard", None, None
