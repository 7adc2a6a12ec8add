"""A group's links on HSDS, listed a page at a time through HSDS's paginated links API.

h5pyd loads a group as one JSON object holding every link: for a group of
10 000 members that is one request returning 1.3 MB, and h5pyd looks up every
link before it gives the first name. Here a group h5lens opens is fetched
without its links (``GET /groups/<id>``, whose ``linkCount`` gives the member
count) and stored in h5pyd's object cache with a :class:`LinksOnDemand` in place
of the links: the tree lists its pages through ``GET /groups/<id>/links`` with
``Limit`` and ``Marker`` (:func:`names_page`), and h5pyd itself, the first time
it needs a link the pages did not bring, makes the mapping fetch the rest.

Requests go through h5pyd's own connection, so they carry the domain's
endpoint, credentials and timeouts; nothing here logs or repeats them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

#: keys HSDS adds to a link or an object that h5pyd does not keep in its cache (h5pyd strips the same)
LINK_EXTRAS = ("title", "collection", "target", "href")
OBJECT_EXTRAS = ("id", "root", "linkCount", "attributeCount", "domain", "bucket", "hrefs")


class LinksOnDemand(dict):
    """The ``links`` of a group in h5pyd's cache: the links listed so far, and the rest on first need.

    The dict holds the links of the pages listed (``order``: their names in the
    group's order, from the first member on). Membership and look-up of a
    listed name answer at once; anything else (iteration, length, a name not
    listed yet) fetches the remaining links first, so h5pyd always sees the
    whole group.

    Parameters
    ----------
    conn : h5pyd.httpconn.HttpConn
        The domain's connection (endpoint, credentials, timeouts).
    group_id : str
        The group's HSDS id.
    total : int
        Its member count (``linkCount``).
    create_order : bool
        Whether the group lists its members in creation order (else by name, as h5pyd).
    """

    def __init__(self, conn: Any, group_id: str, total: int, create_order: bool):
        super().__init__()
        self.conn, self.group_id, self.total, self.create_order = conn, group_id, total, create_order
        self.order: list[str] = []
        self.complete = total == 0
        self._lock = threading.Lock()

    # -- paging ----------------------------------------------------------
    def page(self, start: int, count: int | None) -> list[str]:
        """Member names ``start:start+count`` (``count`` None: to the end), fetching only what is missing."""
        with self._lock:
            if not self.complete:
                need = None if count is None else start + count - len(self.order)
                if need is None or need > 0:
                    self._fetch(need)
        return self.order[start:None if count is None else start + count]

    def _fetch(self, limit: int | None) -> None:
        """The next ``limit`` links after those listed (None: all of them); one request."""
        params: dict[str, Any] = {}
        if limit is not None:
            params["Limit"] = limit
        if self.order:
            params["Marker"] = self.order[-1]  # HSDS lists from the link after this one
        if self.create_order:
            params["CreateOrder"] = 1
        rsp = self.conn.GET(f"/groups/{self.group_id}/links", params=params)
        if rsp.status_code != 200:
            raise OSError(rsp.status_code, f"listing the members failed ({rsp.reason})")
        links = rsp.json()["links"]
        for link in links:
            name = link["title"]
            if not dict.__contains__(self, name):
                self.order.append(name)
            dict.__setitem__(self, name, {k: v for k, v in link.items() if k not in LINK_EXTRAS})
        if limit is None or len(links) < limit:
            self.complete = True

    def _whole(self) -> None:
        if not self.complete:
            with self._lock:
                if not self.complete:
                    self._fetch(None)

    # -- the mapping h5pyd reads ---------------------------------------------
    def __contains__(self, name: object) -> bool:
        if not dict.__contains__(self, name):
            self._whole()
        return dict.__contains__(self, name)

    def __getitem__(self, name: Any) -> Any:
        if not dict.__contains__(self, name):
            self._whole()
        return dict.__getitem__(self, name)

    def get(self, name: Any, default: Any = None) -> Any:
        return self[name] if name in self else default

    def __iter__(self) -> Iterator[Any]:
        self._whole()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._whole()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._whole()
        return dict.keys(self)

    def values(self) -> Any:
        self._whole()
        return dict.values(self)

    def items(self) -> Any:
        self._whole()
        return dict.items(self)

    def __setitem__(self, name: Any, value: Any) -> None:
        self._whole()
        dict.__setitem__(self, name, value)

    def __delitem__(self, name: Any) -> None:
        self._whole()
        dict.__delitem__(self, name)

    def copy(self) -> dict:
        self._whole()
        return dict(dict.items(self))

    def __reduce__(self) -> Any:  # a copy (deepcopy, pickle) is a plain dict of every link
        return dict, (self.copy(),)


def fetch_group(conn: Any, group_id: str) -> dict:
    """The JSON of group ``group_id`` as h5pyd caches it, with its links on demand; one request.

    Raises
    ------
    OSError
        HSDS answered with an error status.
    """
    rsp = conn.GET(f"/groups/{group_id}", params={"include_attrs": 1})
    if rsp.status_code != 200:
        raise OSError(rsp.status_code, rsp.reason)
    obj = rsp.json()
    total = int(obj.get("linkCount", 0))
    create_order = bool((obj.get("creationProperties") or {}).get("CreateOrder"))
    obj = {k: v for k, v in obj.items() if k not in OBJECT_EXTRAS}
    obj["links"] = LinksOnDemand(conn, group_id, total, create_order)
    return obj


def _links_of(group: Any) -> LinksOnDemand | None:
    """The group's :class:`LinksOnDemand` in h5pyd's cache while links remain unlisted, else None."""
    gid: Any = getattr(group, "id", None)
    cache = getattr(getattr(gid, "db", None), "db", None)
    obj = cache.get(getattr(gid, "id", None)) if isinstance(cache, dict) else None
    links = obj.get("links") if isinstance(obj, dict) else None
    if not isinstance(links, LinksOnDemand) or links.complete:
        return None
    track = getattr(group, "_track_order", None)
    track = gid.create_order if track is None else track
    return links if bool(track) == links.create_order else None


def names_page(group: Any, start: int, first: int) -> Iterator[str] | None:
    """Member names of an h5pyd group from ``start`` on, a page of ``first`` then the rest in one request.

    None when h5pyd holds the group's links already (its own listing costs no request).
    """
    links = _links_of(group)
    if links is None:
        return None

    def names() -> Iterator[str]:
        got = links.page(start, max(1, first))
        yield from got
        if len(got) >= max(1, first):
            yield from links.page(start + len(got), None)

    return names()


def member_count(group: Any) -> int | None:
    """The member count of an h5pyd group whose links are not all listed yet (``linkCount``), else None."""
    links = _links_of(group)
    return None if links is None else links.total
