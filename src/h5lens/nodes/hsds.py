"""HDF5 domains on an HSDS server (``hdf5://home/user/file.h5``), read through h5pyd.

h5pyd mirrors h5py's API, so the tree is the HDF5 backend's (:class:`HDF5Group`
over an ``h5pyd.File``): only the transport differs. This module opens the
domain with timeouts, checks first that the endpoint answers (h5pyd retries a
refused connection with growing pauses, which looks like a hang) and turns
h5pyd's errors into one sentence naming the domain and the endpoint. The
password is handed to h5pyd and appears in no message, repr or log record.
"""

from __future__ import annotations

import os
from typing import Any

from ._base import Node, Owner
from ._hsds_links import fetch_group, member_count, names_page
from ._urls import redact, require, unreachable

#: h5pyd's own default endpoint, used when neither ``endpoint=`` nor HS_ENDPOINT is given.
DEFAULT_ENDPOINT = "http://localhost:5101"


class HSDSError(OSError):
    """An HSDS domain cannot be opened (the message names the domain and the endpoint)."""


def domain_of(url: str) -> str:
    """``"hdf5://home/user/f.h5"`` → ``"/home/user/f.h5"`` (h5pyd's domain path)."""
    return "/" + url.split("://", 1)[1].lstrip("/")


def _check_reachable(where: str, endpoint: str) -> None:
    why = unreachable(endpoint)
    if why is not None:
        raise HSDSError(f"{where}: cannot reach the HSDS server at {redact(endpoint)} ({why})")


def open_domain(url: str, *, endpoint: str | None = None, username: str | None = None,
                password: str | None = None) -> Node:
    """Open the HSDS domain ``url`` read-only as a lazy tree.

    Parameters
    ----------
    url : str
        ``hdf5://home/user/file.h5``.
    endpoint, username, password : str, optional
        The server and the account; each defaults to ``HS_ENDPOINT``,
        ``HS_USERNAME``, ``HS_PASSWORD`` from the environment, as in h5pyd.

    Raises
    ------
    HSDSError
        The server is unreachable, the domain does not exist, or the account is refused.
    """
    h5pyd = require("h5pyd", "reading from HSDS")
    endpoint = endpoint or os.environ.get("HS_ENDPOINT") or DEFAULT_ENDPOINT
    username = username or os.environ.get("HS_USERNAME")
    password = password or os.environ.get("HS_PASSWORD")
    where = f"hdf5:/{domain_of(url)}"
    _check_reachable(where, endpoint)
    try:
        f = h5pyd.File(domain_of(url), "r", endpoint=endpoint, username=username, password=password)
    except Exception as exc:
        raise _describe(where, endpoint, exc) from None
    from .hdf5 import HDF5Group

    owner = Owner(where, owns_handle=True, closers=[f.close])
    hook_into(owner)
    return HDF5Group("", "/", None, f, owner=owner)


def hook_into(owner: Owner) -> None:
    """Give the tree of an h5pyd file HSDS's ways: members fetched together, big groups listed a page at a time."""
    owner.prefetch, owner.unfetched = prefetch_members, unfetched_kinds
    owner.names_page, owner.member_count = names_page, member_count


#: Requests in flight at once when a page of members is fetched: h5pyd's connection pool holds 16
#: connections (more threads would open connections it then throws away). A 50-row page is 4 waves of
#: round trips instead of 7 with 8.
PARALLEL = 16


def _cached(group: Any) -> tuple[Any, Any, dict, Any, dict] | None:
    """h5pyd's ``(db, plugin, object cache, connection, objects the domain brought)`` of ``group``, or None."""
    db = getattr(getattr(group, "id", None), "db", None)
    plugin, cache = getattr(db, "plugin", None), getattr(db, "db", None)
    conn = getattr(plugin, "http_conn", None)
    if db is None or plugin is None or conn is None or not isinstance(cache, dict):
        return None
    return db, plugin, cache, conn, getattr(plugin, "_domain_objs", {})  # summarised domain: all came at open


def _uncached_targets(group: Any, names: list[str]) -> dict[str, str]:
    """``{name: target id}`` of the hard links among ``names`` whose targets h5pyd has not fetched yet."""
    found = _cached(group)
    if found is None:
        return {}
    db, _, cache, _, brought = found
    out = {}
    for name in names:
        link = db.getLink(group.id.id, name)
        if link and link.get("class") == "H5L_TYPE_HARD" and link.get("id") \
                and link["id"] not in cache and link["id"] not in brought:
            out[name] = link["id"]
    return out


#: HSDS's object ids begin with their collection: the kind of a link's target without fetching it
_KINDS = {"g-": "group", "d-": "dataset", "t-": "datatype"}


def unfetched_kinds(node: Any, names: list[str]) -> dict[str, str]:
    """``{name: kind}`` of the members ``names`` of a group node whose objects are not fetched yet.

    A member's kind is in its link (the target's id); its shape, type or count
    need one request per member. Links the listing did not bring (a name not
    listed yet) and anything unexpected are left out: those rows are built as before.
    """
    try:
        targets = _uncached_targets(node._h5, names)
    except Exception:  # noqa: BLE001 - a shortcut only: the full rows report errors themselves
        return {}
    return {name: _KINDS[t[:2]] for name, t in targets.items() if t[:2] in _KINDS}


def prefetch_members(group: Any, names: list[str]) -> None:
    """Load the objects behind ``names`` (members of an h5pyd group) into h5pyd's cache, 16 requests at a time.

    h5pyd fetches each object when it is first opened, one request after the
    other: a tree page of 50 members costs 50 round trips. Here the hard links'
    targets are fetched concurrently through h5pyd's own connection and stored
    in its object cache (``group.id.db``), where opening them then finds them.
    Groups come without their links (:func:`._hsds_links.fetch_group`: a group
    of 10 000 members is then listed a page at a time). Anything unexpected
    (another h5pyd layout, a failed request) leaves the cache as it was:
    members are then fetched by h5pyd as before, and any error is reported there.
    """
    found = _cached(group)
    if found is None:
        return
    _, plugin, cache, conn, _ = found
    try:
        fetched = _fetch(plugin, conn, list(_uncached_targets(group, names).values()))
    except Exception:  # noqa: BLE001 - a prefetch only: the reads one by one report errors themselves
        return
    for obj_id, obj_json in fetched.items():
        if isinstance(obj_json, dict):
            cache.setdefault(obj_id, obj_json)


def _fetch(plugin: Any, conn: Any, ids: list[str]) -> dict[str, dict]:
    """{id: JSON} of the objects ``ids``, 16 requests at a time (groups without their links).

    HSDS's ``POST /`` with ``h5paths`` would bring them in one request, but the
    server resolves each path through the parent's links: 3.5-7 s for 50
    members of a 10 000-member group, against 0.3-0.6 s this way.
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(obj_id: str) -> dict:
        return fetch_group(conn, obj_id) if obj_id.startswith("g-") else plugin.getObjectById(obj_id)

    if len(ids) < 2:
        return {obj_id: one(obj_id) for obj_id in ids}
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="h5lens-hsds") as pool:
        return dict(zip(ids, pool.map(one, ids)))


def _describe(where: str, endpoint: str, exc: BaseException) -> HSDSError:
    server = f"the HSDS server at {redact(endpoint)}"
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if isinstance(exc, FileNotFoundError) or code == 404:
        return HSDSError(f"{where}: no such domain on {server}")
    if code in (401, 403):
        return HSDSError(f"{where}: {server} refused the account (check the user name and password)")
    if code == 410:
        return HSDSError(f"{where}: the domain was deleted on {server}")
    return HSDSError(f"{where}: cannot read from {server} ({type(exc).__name__})")

