"""Atomic file replacement: write beside the target, fsync, then rename.

Whatever happens while writing (an exception, a full disk, the process
killed), the target path holds either nothing or its previous version,
byte for byte. The new content lives in a hidden temporary file in the
target's own directory (``.<name>.<random>.h5lens-tmp``) so that the final
:func:`os.replace` is a rename inside one file system, which POSIX makes
atomic. After a SIGKILL that temporary file stays behind (nothing can run
to remove it); its name makes it easy to recognise and delete.

Appending is copy-on-write: the existing file is copied to the temporary
file, changed there, and renamed over the original. It costs a copy of the
file but can never leave a half-written object in the original, which
in-place HDF5 writes cannot promise (HDF5 has no journal).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

TMP_SUFFIX = ".h5lens-tmp"


def _fsync_path(path: str | os.PathLike, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # some platforms cannot open directories: nothing to sync
        if directory:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:  # directory fsync is unsupported on some file systems
            raise
    finally:
        os.close(fd)


def check_free_space(directory: str | os.PathLike, nbytes: int, margin: float = 1.05) -> None:
    """Raise :class:`OSError` (ENOSPC) if ``directory`` cannot hold ``nbytes`` more.

    Checked before writing because HDF5 handles a write that fails half-way
    badly (h5py 3.16 / HDF5 may even crash while closing such a file); the
    atomic rename still protects the target then, but a clear error first is
    kinder. Compressed sizes are unknown in advance: callers pass what they
    know for sure.
    """
    try:
        stats = os.statvfs(directory)
    except (OSError, AttributeError):  # no statvfs (Windows) or an odd file system: skip
        return
    free = stats.f_bavail * stats.f_frsize
    if nbytes * margin > free:
        raise OSError(errno.ENOSPC, f"not enough space in {os.fspath(directory)!r}: "
                                    f"{nbytes / 1e6:.1f} MB to write, {free / 1e6:.1f} MB free")


def _new_file_mode() -> int:
    # mkstemp creates 0600 files; a plain open() would give 0666 & ~umask.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, *, overwrite: bool = False,
                copy_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target``.

    Parameters
    ----------
    target : path-like
        Final file name.
    overwrite : bool
        Allow replacing an existing ``target``. Without it an existing file
        raises :class:`FileExistsError` before anything is written, and the
        final rename refuses to clobber a file that appeared meanwhile.
    copy_existing : bool
        Start from a copy of the existing ``target`` (append mode); the
        target must exist.

    Notes
    -----
    On success the temporary file is fsync'ed, renamed over ``target`` and
    the directory is fsync'ed so that the rename itself survives a power
    cut. On any exception (including KeyboardInterrupt) the temporary file
    is removed and ``target`` is left as it was.
    """
    target = Path(target).absolute()
    if target.is_symlink():  # replace the file the link points to, not the link itself
        target = Path(os.path.realpath(target))
    exists = target.exists()
    if copy_existing and not exists:
        raise FileNotFoundError(f"cannot append: {str(target)!r} does not exist")
    if exists and not (overwrite or copy_existing):
        raise FileExistsError(f"{str(target)!r} exists; pass overwrite=True to replace it")
    if exists and not target.is_file():
        raise IsADirectoryError(f"{str(target)!r} is not a regular file")
    directory = target.parent
    if not directory.is_dir():
        raise FileNotFoundError(f"directory {str(directory)!r} does not exist")

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        mode = (target.stat().st_mode & 0o7777) if exists else _new_file_mode()
        if copy_existing:
            shutil.copyfile(target, tmp)
        yield tmp
        os.chmod(tmp, mode)
        _fsync_path(tmp)
        _commit(tmp, target, replace=exists and (overwrite or copy_existing))
        _fsync_path(directory, directory=True)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _commit(tmp: Path, target: Path, replace: bool) -> None:
    if replace:
        os.replace(tmp, target)
        return
    # No-clobber rename: link() fails if the target appeared since we checked.
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsError(f"{str(target)!r} appeared while writing; pass overwrite=True to replace it") from None
    except OSError:  # file systems without hard links: plain rename
        if target.exists():
            raise FileExistsError(f"{str(target)!r} appeared while writing") from None
        os.replace(tmp, target)
        return
    tmp.unlink()


@contextlib.contextmanager
def atomic_h5(target: str | os.PathLike, *, mode: str = "w", overwrite: bool = False, **h5_kwargs):
    """Yield a writable :class:`h5py.File` whose content atomically becomes ``target``.

    Parameters
    ----------
    target : path-like
        Final HDF5 file name.
    mode : {"w", "a"}
        ``"w"`` writes a new file (``overwrite=True`` to replace one);
        ``"a"`` appends to a copy of the existing file.
    overwrite : bool
        See :func:`atomic_path`.
    **h5_kwargs
        Passed to :class:`h5py.File` (e.g. ``libver``).

    Examples
    --------
    >>> with atomic_h5("out.h5") as f:          # doctest: +SKIP
    ...     f["data"] = [1, 2, 3]
    """
    if mode not in ("w", "a"):
        raise ValueError(f"mode must be 'w' or 'a', not {mode!r}")
    import h5py  # lazy: keeps `import h5lens` fast

    with atomic_path(target, overwrite=overwrite, copy_existing=mode == "a") as tmp:
        h5file = h5py.File(tmp, "r+" if mode == "a" else "w", **h5_kwargs)
        try:
            yield h5file
            h5file.flush()
        finally:
            h5file.close()
