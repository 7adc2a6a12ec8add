"""Nothing leaves the machine: every request of a browser context to a host other than loopback is
aborted and recorded, so a test can assert that a page tried to reach no one."""

from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def guard(context) -> list[str]:
    """Route every request of ``context``; return the (live) list of URLs that were refused."""
    refused: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOOPBACK:
            r.continue_()
        else:
            refused.append(url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    return refused
