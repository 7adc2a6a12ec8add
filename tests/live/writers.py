"""Writers of growing files, run as ``python -m live.writers KIND PATH ...`` by the tests.

Each prints one line per step once it is on disk (``frame 3``, ``file 3``,
``point 1 4``) so the tests wait on events, not on time, and the values are
those of :func:`frame_values` / :func:`point_values`, which the tests recompute.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

SHAPE = (512, 512)


def frame_values(index: int, shape: tuple[int, int] = SHAPE, dtype: str = "uint16") -> np.ndarray:
    """Frame ``index`` as every writer here writes it (each frame differs from the others everywhere)."""
    ramp = np.arange(shape[0] * shape[1], dtype=np.int64).reshape(shape)
    return ((ramp * 7 + index * 1009) % 65521).astype(dtype)


def point_values(scan: int, point: int) -> tuple[float, float, float]:
    """Columns ``th mon det`` of point ``point`` of scan ``scan`` in the SPEC writer."""
    return point * 0.25, 1000.0 + scan, float(point * point + scan)


def say(text: str) -> None:
    print(text, flush=True)


def pause(interval: float) -> None:
    """Wait ``interval`` seconds; a negative interval waits for the test to send a line (step by step)."""
    if interval < 0:
        try:
            input()
        except EOFError:  # the test is over
            raise SystemExit(0) from None
    else:
        time.sleep(interval)


def hdf5_swmr(path: str, frames: int, interval: float) -> None:
    """Append ``frames`` frames to ``/entry/data`` (N, 512, 512) uint16, SWMR, one every ``interval`` s."""
    import h5py

    with h5py.File(path, "w", libver="latest") as f:
        data = f.create_dataset("entry/data", (0, *SHAPE), maxshape=(None, *SHAPE), chunks=(1, *SHAPE),
                                dtype="uint16")
        f["entry"].attrs["frames_written"] = 0
        f.swmr_mode = True
        say("ready")
        for i in range(frames):
            data.resize((i + 1, *SHAPE))
            data[i] = frame_values(i)
            data.flush()
            say(f"frame {i}")
            pause(interval)
    say("done")


def hdf5_plain(path: str, frames: int, interval: float) -> None:
    """The same frames, written without SWMR (HDF5 locks the file): readers see a file being written."""
    import h5py

    f = h5py.File(path, "w")
    data = f.create_dataset("entry/data", (0, *SHAPE), maxshape=(None, *SHAPE), chunks=(1, *SHAPE), dtype="uint16")
    f.flush()
    say("ready")
    for i in range(frames):
        data.resize((i + 1, *SHAPE))
        data[i] = frame_values(i)
        f.flush()
        say(f"frame {i}")
        time.sleep(interval)
    try:
        input()  # hold the file open (locked) until the test says so
    except EOFError:
        pass
    f.close()
    say("done")


def hdf5_members(path: str, members: int, interval: float) -> None:
    """Without SWMR (the file stays locked): add group ``scan_K`` with its frame, ``members`` times."""
    import h5py

    f = h5py.File(path, "w")
    f.create_group("entry")
    f.flush()
    say("ready")
    for i in range(members):
        pause(interval)
        f.create_dataset(f"entry/scan_{i}/data", data=frame_values(i))
        f["entry"].attrs["scans"] = i + 1
        if i:  # an attribute change of a dataset whose shape stays
            f["entry/scan_0/data"].attrs["long_name"] = f"after {i + 1} scans"
        f.flush()
        say(f"member {i}")
    pause(interval)
    f.close()
    say("done")


def hdf5_replace(path: str, counts: str) -> None:
    """Replace ``path`` atomically by a new file, step by step: one per comma-separated frame count (0: no data).

    A file with 0 frames holds ``/other`` instead of ``/entry/data`` (the path followed is gone).
    """
    import h5py

    for step, count in enumerate(int(c) for c in counts.split(",")):
        pause(-1)
        tmp = f"{path}.part"
        with h5py.File(tmp, "w", libver="latest") as f:
            if count:
                f.create_dataset("entry/data", data=np.stack([frame_values(i) for i in range(count)]),
                                 maxshape=(None, *SHAPE), chunks=(1, *SHAPE))
            else:
                f["other"] = np.arange(3)
        os.replace(tmp, path)
        say(f"replaced {step}")
    say("done")


def edf_bytes(index: int, shape: tuple[int, int] = SHAPE, dtype: str = "uint16") -> bytes:
    """An EDF file of frame ``index`` as fabio writes it."""
    import tempfile

    from fabio.edfimage import EdfImage

    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.join(tmp, "f.edf")
        EdfImage(data=frame_values(index, shape, dtype), header={"frame_index": str(index)}).write(name)
        with open(name, "rb") as handle:
            return handle.read()


def edf_series(folder: str, files: int, interval: float) -> None:
    """Write ``img_0000.edf``... each in two halves with a pause (a reader may see half a file)."""
    for i in range(files):
        blob = edf_bytes(i)
        name = os.path.join(folder, f"img_{i:04d}.edf")
        with open(name, "wb") as out:
            out.write(blob[: len(blob) // 2])
            out.flush()
            say(f"half {i}")
            pause(interval)
            out.write(blob[len(blob) // 2:])
        say(f"file {i}")
        time.sleep(max(interval, 0))
    say("done")


HEADER = "#F {name}\n#E 1700000000\n#D Thu Dec  3 00:00:00 2026\n#O0 th  chi\n\n"


def scan_header(scan: int, points: int) -> str:
    return (f"#S {scan} ascan th 0 {points * 0.25:g} {points} 1\n#D Thu Dec  3 00:00:00 2026\n#T 1  (Seconds)\n"
            f"#P0 0 {scan}\n#N 3\n#L th  mon  det\n")


def spec(path: str, scans: int, points: int, interval: float) -> None:
    """Scans of ``points`` points each, every line written in two parts (a reader may see half a line)."""
    with open(path, "w") as out:
        out.write(HEADER.format(name=os.path.basename(path)))
        for scan in range(1, scans + 1):
            out.write(("\n" if scan > 1 else "") + scan_header(scan, points))
            out.flush()
            say(f"scan {scan}")
            for point in range(points):
                line = " ".join(f"{v:g}" for v in point_values(scan, point)) + "\n"
                out.write(line[: len(line) - 3])
                out.flush()
                say(f"half {scan} {point}")
                pause(interval)
                out.write(line[len(line) - 3:])
                out.flush()
                say(f"point {scan} {point}")
                time.sleep(max(interval, 0))
    say("done")


if __name__ == "__main__":
    kind, target, *rest = sys.argv[1:]
    if kind == "hdf5-swmr":
        hdf5_swmr(target, int(rest[0]), float(rest[1]))
    elif kind == "hdf5-plain":
        hdf5_plain(target, int(rest[0]), float(rest[1]))
    elif kind == "hdf5-members":
        hdf5_members(target, int(rest[0]), float(rest[1]))
    elif kind == "hdf5-replace":
        hdf5_replace(target, rest[0])
    elif kind == "edf":
        edf_series(target, int(rest[0]), float(rest[1]))
    elif kind == "spec":
        spec(target, int(rest[0]), int(rest[1]), float(rest[2]))
    else:
        raise SystemExit(f"unknown writer {kind!r}")
