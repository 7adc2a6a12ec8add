"""Write an HDF5 file atomically: a temporary file beside the target, then rename.

Readers of the target see either the old file or the complete new one, never a
half-written file, even when the writer fails or is killed mid-way. The
temporary file lives in the target's folder so that the final ``os.replace``
is a rename on one filesystem (atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _fsync_path(path: Path, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # some filesystems refuse to open folders: best effort
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_target(target: str | os.PathLike, *, keep_existing: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target``.

    Parameters
    ----------
    target : path
        Final file name.
    keep_existing : bool
        Start from a copy of ``target`` when it exists (to add a dataset to an
        existing file); otherwise start from nothing.

    On an exception the temporary file is removed and ``target`` is untouched.
    The caller must close every handle on the temporary file before the
    ``with`` block ends.
    """
    target = Path(target).absolute()
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {str(folder)!r} of the output file does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if keep_existing and target.exists():
            shutil.copyfile(target, tmp)
        else:
            tmp.unlink()  # let the writer create it (h5py mode "w-" then works too)
        yield tmp
        _fsync_path(tmp)
        os.replace(tmp, target)
        _fsync_path(folder, directory=True)  # make the rename itself durable
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
