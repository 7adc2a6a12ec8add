"""What a path is, checked before anything opens it.

Opening a named pipe for reading blocks until a writer comes, which may be
never; reading a device or a socket makes no sense either. Every file h5lens
opens (the file asked for, external link targets, VDS sources, external raw
data, series members) is checked here first with one ``stat``, so such paths
give a clear error at once instead of a hang.
"""

from __future__ import annotations

import errno
import os
import stat

_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class NotAFileError(OSError):
    """The path exists but is not a regular file (pipe, socket, device, folder)."""


def kind(path: str) -> str | None:
    """``"a named pipe (FIFO)"``, ``"a folder"``... for a path that is not a regular file, else None.

    Raises
    ------
    FileNotFoundError
        Nothing there, or a symbolic link whose target is missing (said so).
    OSError
        A symbolic link loop (said so), or no permission to look.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "Symbolic link loop (the links point back to each other)", path) from None
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise FileNotFoundError(errno.ENOENT, f"Dangling symbolic link (its target {os.readlink(path)!r} "
                                    "does not exist)", path) from None
        if exc.errno == errno.ENOENT:
            raise FileNotFoundError(errno.ENOENT, "No such file", path) from None
        raise
    return next((what for test, what in _SPECIAL if test(mode)), None)


def require_file(path: str, role: str = "") -> None:
    """Raise unless ``path`` is a regular file (or a link to one).

    Parameters
    ----------
    role : str
        What the file is for, to start the message (``"external link target"``).
    """
    what = kind(path)
    if what is not None:
        where = f" ({role})" if role else ""
        raise NotAFileError(f"{path}{where} is {what}, not a regular file: h5lens reads files only")


def special(path: str) -> str | None:
    """Like :func:`kind` but never raises (None when missing or unreadable)."""
    try:
        return kind(path)
    except OSError:
        return None
