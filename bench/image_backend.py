"""Detector-image and SPEC backends against silx.io, on the course files.

For each course EDF (and the ID19 series): open + list the tree + read one
frame, and reading a positioner over all frames, with h5lens and with
``silx.io.open`` (``silx.io.fabioh5``). Then open + list scans + read one
counter for a SPEC file of many scans, h5lens vs ``silx.io.spech5.SpecH5``.
Each figure is the best of ``--repeat`` runs (imports warmed up first).

Run: ``.venv/bin/python bench/image_backend.py [--data DIR] [--repeat N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "silx-training"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours_open_list_frame(path, series=False):
    from h5lens.nodes.image import open_image, open_series

    with (open_series(path) if series else open_image(path)) as root:
        [n.path for n in root["/scan_0"].walk(max_depth=2)]
        data = root["/scan_0/instrument/detector_0/data"]
        return data[0] if len(data.shape) == 3 else data[()]


def silx_open_list_frame(path, series=False):
    import silx.io

    target = sorted(str(p) for p in Path(path).parent.glob("ID19_D2H2T2_*.edf")) if series else str(path)
    with silx.io.open(target) if not series else _silx_series(target) as root:
        _silx_walk(root["/scan_0"], 2)
        data = root["/scan_0/instrument/detector_0/data"]
        return data[0] if len(data.shape) == 3 else data[()]


def _silx_series(names):
    from silx.io.fabioh5 import File

    return File(file_series=names)


def _silx_walk(group, depth):
    for name in group:
        node = group[name]
        if depth > 1 and hasattr(node, "keys") and not hasattr(node, "shape"):
            _silx_walk(node, depth - 1)


def ours_positioner(path, name):
    from h5lens.nodes.image import open_image

    with open_image(path) as root:
        return root[f"/scan_0/instrument/positioners/{name}"][()]


def silx_positioner(path, name):
    import silx.io

    with silx.io.open(str(path)) as root:
        return root[f"/scan_0/instrument/positioners/{name}"][()]


def many_scans(source: Path, copies: int, folder: Path) -> Path:
    """A SPEC file holding the course scans ``copies`` times, renumbered."""
    text = source.read_text()
    head, _, body = text.partition("\n#S ")
    scans = ("#S " + body).split("\n#S ")
    out, number = [head, ""], 1
    for _ in range(copies):
        for scan in scans:
            scan = scan[3:] if scan.startswith("#S ") else scan
            out.append(f"#S {number} " + scan.split(" ", 1)[1].rstrip("\n") + "\n")
            number += 1
    path = folder / "many.dat"
    path.write_text("\n".join(out))
    return path


def many_frames(source: Path, frames: int, folder: Path) -> Path:
    """A multi-frame EDF with the course headers (138 motors, 67 counters) on small frames."""
    import fabio
    import numpy as np
    from fabio.edfimage import EdfImage

    with fabio.open(str(source)) as course:
        headers = [dict(course.get_frame(i).header) for i in range(course.nframes)]
    keep = {k: v for k, v in headers[0].items() if k.upper() not in {"DIM_1", "DIM_2", "SIZE", "DATATYPE", "BYTEORDER", "IMAGE", "HEADERID"} and not k.startswith("EDF_")}
    image = None
    for i in range(frames):
        header = dict(keep, acq_frame_nb=str(i))
        frame = np.full((32, 32), i, np.uint16)
        if image is None:
            image = EdfImage(data=frame, header=header)
        else:
            image.append_frame(data=frame, header=header)
    path = folder / "many.edf"
    image.write(str(path))
    return path


def ours_spec(path):
    from h5lens.nodes.spec import open_spec

    with open_spec(path) as root:
        names = root.keys()
        return len(names), root[f"{names[-1]}/measurement/bpmi"][()]


def silx_spec(path):
    from silx.io.spech5 import SpecH5

    with SpecH5(str(path)) as root:
        names = list(root.keys())
        return len(names), root[f"{names[-1]}/measurement/bpmi"][()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frames", type=int, default=300, help="frames of the generated multi-frame EDF")
    parser.add_argument("--scans", type=int, default=100, help="copies of oleg.dat's 3 scans in the SPEC test")
    args = parser.parse_args()
    data = args.data.resolve()

    start = time.perf_counter()
    import fabio  # noqa: F401
    import silx.io  # noqa: F401
    import silx.io.spech5  # noqa: F401

    print(f"imports (fabio, silx.io): {time.perf_counter() - start:.3f} s (not counted below)")
    print(f"{'case':48s} {'h5lens':>9s} {'silx.io':>9s} {'ratio':>7s}")

    def row(label, ours, theirs):
        a, b = best(ours, args.repeat), best(theirs, args.repeat)
        print(f"{label:48s} {a * 1e3:7.2f}ms {b * 1e3:7.2f}ms {b / a:6.1f}×")

    for name in ["ID16B_diatomee.edf", "medipix.edf", "ID16_diatomee/data.edf"]:
        path = data / name
        row(f"{name}: open+list+frame 0", lambda p=path: ours_open_list_frame(p), lambda p=path: silx_open_list_frame(p))
    first = data / "ID19_D2H2T2_0000.edf"
    row("ID19 series (6 files): open+list+frame 0",
        lambda: ours_open_list_frame(first, series=True), lambda: silx_open_list_frame(first, series=True))
    edf = data / "ID16B_diatomee.edf"
    row("ID16B_diatomee.edf: srot over 6 frames", lambda: ours_positioner(edf, "srot"), lambda: silx_positioner(edf, "srot"))

    with tempfile.TemporaryDirectory() as tmp:
        big = many_frames(edf, args.frames, Path(tmp))
        row(f"EDF of {args.frames} frames: open+list+frame 0", lambda: ours_open_list_frame(big), lambda: silx_open_list_frame(big))
        row(f"EDF of {args.frames} frames: srot over frames", lambda: ours_positioner(big, "srot"), lambda: silx_positioner(big, "srot"))
        spec = many_scans(data / "oleg.dat", args.scans, Path(tmp))
        assert ours_spec(spec)[0] == silx_spec(spec)[0] == 3 * args.scans
        row(f"SPEC {3 * args.scans} scans: open+list+last counter", lambda: ours_spec(spec), lambda: silx_spec(spec))


if __name__ == "__main__":
    main()
