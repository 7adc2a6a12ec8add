"""atomic_path / atomic_h5: the target is the new file, or absent, or its previous version."""

from __future__ import annotations

import os
import stat

import h5py
import numpy as np
import pytest

from h5lens.write.atomic import TMP_SUFFIX, atomic_h5, atomic_path


def test_temp_file_lives_beside_the_target_and_is_renamed(tmp_path):
    target = tmp_path / "out.bin"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.bin.") and tmp.name.endswith(TMP_SUFFIX)
        tmp.write_bytes(b"new")
        assert not target.exists()  # nothing visible before the end
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "out.bin") as tmp:
            tmp.write_bytes(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.bin").stat().st_mode) == 0o644


def test_exception_leaves_no_file(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(ZeroDivisionError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise ZeroDivisionError("the writer fails half way")
    assert list(tmp_path.iterdir()) == []


def test_exception_keeps_previous_version(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"previous")
    os.chmod(target, 0o640)
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target, overwrite=True) as tmp:
            tmp.write_bytes(b"new but interrupted")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_bytes(b"replaced")
    assert target.read_bytes() == b"replaced"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file keeps its mode


def test_existing_target_needs_overwrite(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        with atomic_path(target):
            pytest.fail("must not start writing")
    assert target.read_bytes() == b"keep" and len(list(tmp_path.iterdir())) == 1


def test_no_clobber_when_target_appears_while_writing(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(FileExistsError, match="appeared while writing"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"mine")
            target.write_bytes(b"someone else's")
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_missing_directory_and_directory_target(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_path(tmp_path / "nope" / "out.bin"):
            pass
    (tmp_path / "adir").mkdir()
    with pytest.raises(IsADirectoryError):
        with atomic_path(tmp_path / "adir", overwrite=True):
            pass


def test_append_is_copy_on_write(tmp_path):
    target = tmp_path / "out.h5"
    with atomic_h5(target) as f:
        f["a"] = np.arange(3)
    before = target.read_bytes()
    with pytest.raises(RuntimeError):
        with atomic_h5(target, mode="a") as f:
            assert list(f) == ["a"]  # starts from the existing content
            f["b"] = np.ones(1000)
            raise RuntimeError("stop")
    assert target.read_bytes() == before
    with atomic_h5(target, mode="a") as f:
        f["b"] = np.ones(4)
    with h5py.File(target, "r") as f:
        assert sorted(f) == ["a", "b"] and f["a"][2] == 2
    with pytest.raises(FileNotFoundError, match="cannot append"):
        with atomic_h5(tmp_path / "missing.h5", mode="a"):
            pass
    with pytest.raises(ValueError, match="mode"):
        with atomic_h5(target, mode="r+"):
            pass


def test_symlinked_target_replaces_the_linked_file(tmp_path):
    real = tmp_path / "real.bin"
    real.write_bytes(b"old")
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    with atomic_path(link, overwrite=True) as tmp:
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_free_space_is_checked_before_writing(tmp_path):
    from h5lens.write import TreeBuilder
    from h5lens.write.atomic import check_free_space

    free = os.statvfs(tmp_path).f_bavail * os.statvfs(tmp_path).f_frsize
    check_free_space(tmp_path, 1000)
    with pytest.raises(OSError, match="not enough space") as info:
        check_free_space(tmp_path, free * 2)
    assert info.value.errno == 28
    # a declared dataset bigger than the disk is fine (nothing is allocated until filled)
    TreeBuilder().dataset("/huge", shape=(free,), dtype="u2").write(tmp_path / "ok.h5")
    assert (tmp_path / "ok.h5").stat().st_size < 1 << 20
