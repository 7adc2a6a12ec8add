"""A corpus of hostile inputs, generated: each case writes its file(s) into its own folder.

``CASES`` maps a case name to ``(format, maker)``; ``maker(folder)`` writes the
case and returns the source to open (a path, or ``path::/inner``). Cases aim at
hangs (pipes, devices, cycles), runaway memory (huge declared shapes), deep
recursion and broken or lying headers, in every format h5lens reads.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import h5py
import numpy as np

CASES: dict = {}


def case(fmt: str):
    def register(maker):
        CASES[maker.__name__] = (fmt, maker)
        return maker
    return register


def h5(path: Path, build, **options) -> str:
    with h5py.File(path, "w", **options) as f:
        build(f)
    return str(path)


def small_h5(path: Path) -> Path:
    with h5py.File(path, "w") as f:
        f["data"] = np.arange(12.0).reshape(3, 4)
    return path


# -- HDF5: bytes ------------------------------------------------------------------------
@case("hdf5")
def empty_file(d):
    (d / "empty.h5").write_bytes(b"")
    return str(d / "empty.h5")


@case("hdf5")
def truncated_hdf5(d):
    data = small_h5(d / "full.h5").read_bytes()
    (d / "cut.h5").write_bytes(data[: len(data) // 3])
    (d / "full.h5").unlink()
    return str(d / "cut.h5")


@case("hdf5")
def signature_then_garbage(d):
    (d / "junk.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + np.random.default_rng(0).bytes(4096))
    return str(d / "junk.h5")


@case("hdf5")
def user_block(d):
    with h5py.File(d / "ub.h5", "w", userblock_size=1024) as f:
        f["x"] = np.arange(5)
    return str(d / "ub.h5")


@case("hdf5")
def random_bytes(d):
    (d / "noise.bin").write_bytes(np.random.default_rng(1).bytes(1 << 20))
    return str(d / "noise.bin")


@case("hdf5")
def hdf4_signature(d):
    (d / "old.hdf").write_bytes(b"\x0e\x03\x13\x01" + bytes(1000))
    return str(d / "old.hdf")


# -- HDF5: structure --------------------------------------------------------------------
@case("hdf5")
def nested_1000_deep(d):
    def build(f):
        g = f
        for _ in range(1000):
            g = g.create_group("g")
        g["x"] = 1
    return h5(d / "deep.h5", build)


@case("hdf5")
def hard_link_self_cycle(d):
    def build(f):
        a = f.create_group("a")
        a["self"] = a
        a["x"] = np.arange(4)
    return h5(d / "cycle.h5", build)


@case("hdf5")
def hard_link_to_root(d):
    def build(f):
        f.create_group("a/b/c")["root"] = f
    return h5(d / "up.h5", build)


@case("hdf5")
def shared_group_explosion(d):
    def build(f):
        prev = f.create_group("l24")
        prev["x"] = np.arange(3)
        for i in range(23, -1, -1):
            g = f.create_group(f"l{i}")
            g["a"], g["b"] = prev, prev
            prev = g
    return h5(d / "dag.h5", build)


@case("hdf5")
def soft_link_loops(d):
    def build(f):
        f["self"] = h5py.SoftLink("/self")
        f["a"], f["b"] = h5py.SoftLink("/b"), h5py.SoftLink("/a")
        f["through"] = h5py.SoftLink("/a/x/y")
    return h5(d / "loops.h5", build)


@case("hdf5")
def soft_link_chain_40(d):
    def build(f):
        f["t"] = np.arange(3)
        f["l0"] = h5py.SoftLink("/t")
        for i in range(1, 40):
            f[f"l{i}"] = h5py.SoftLink(f"/l{i - 1}")
    return h5(d / "chain.h5", build)


@case("hdf5")
def external_link_missing(d):
    return h5(d / "a.h5", lambda f: f.__setitem__("ext", h5py.ExternalLink("nowhere.h5", "/x")))


@case("hdf5")
def external_link_to_itself(d):
    return h5(d / "self.h5", lambda f: f.__setitem__("me", h5py.ExternalLink("self.h5", "/")))


@case("hdf5")
def external_links_mutual(d):
    h5(d / "b.h5", lambda f: f.__setitem__("back", h5py.ExternalLink("a.h5", "/")))
    return h5(d / "a.h5", lambda f: f.__setitem__("to_b", h5py.ExternalLink("b.h5", "/")))


@case("hdf5")
def external_link_to_fifo(d):
    os.mkfifo(d / "pipe.h5")
    return h5(d / "a.h5", lambda f: f.__setitem__("ext", h5py.ExternalLink("pipe.h5", "/x")))


@case("hdf5")
def external_link_to_folder(d):
    (d / "dir.h5").mkdir()
    return h5(d / "a.h5", lambda f: f.__setitem__("ext", h5py.ExternalLink("dir.h5", "/x")))


@case("hdf5")
def external_link_to_device(d):
    return h5(d / "a.h5", lambda f: f.__setitem__("ext", h5py.ExternalLink("/dev/zero", "/x")))


def _vds(d, sources, name="vds.h5", shape=(4, 5)):
    layout = h5py.VirtualLayout(shape, "f4")
    for i, src in enumerate(sources):
        layout[i] = h5py.VirtualSource(src, "x", shape=shape[1:])
    return h5(d / name, lambda f: f.create_virtual_dataset("v", layout, fillvalue=-1))


@case("hdf5")
def vds_sources_all_missing(d):
    return _vds(d, [f"src{i}.h5" for i in range(4)])


@case("hdf5")
def vds_source_is_fifo(d):
    os.mkfifo(d / "src0.h5")
    return _vds(d, ["src0.h5"], shape=(1, 5))


@case("hdf5")
def vds_source_is_itself(d):
    layout = h5py.VirtualLayout((4,), "f4")
    layout[:] = h5py.VirtualSource(".", "v", shape=(4,))
    return h5(d / "ouro.h5", lambda f: f.create_virtual_dataset("v", layout, fillvalue=0))


@case("hdf5")
def vds_1000_sources_missing(d):
    layout = h5py.VirtualLayout((1000, 10**4), "u2")
    for i in range(1000):
        layout[i] = h5py.VirtualSource(f"frames_{i:04d}.h5", "data", shape=(10**4,))
    return h5(d / "many.h5", lambda f: f.create_virtual_dataset("v", layout, fillvalue=0))


@case("hdf5")
def external_raw_missing(d):
    return h5(d / "a.h5", lambda f: f.create_dataset("e", (10,), "i4", external=[("gone.bin", 0, 40)]))


@case("hdf5")
def external_raw_fifo(d):
    os.mkfifo(d / "raw.bin")
    return h5(d / "a.h5", lambda f: f.create_dataset("e", (10,), "i4", external=[("raw.bin", 0, 40)]))


@case("hdf5")
def external_raw_short_and_huge(d):
    (d / "raw.bin").write_bytes(bytes(100))
    return h5(d / "a.h5", lambda f: f.create_dataset("e", (10**5, 10**5), "f8",
                                                    external=[("raw.bin", 0, h5py.h5f.UNLIMITED)]))


@case("hdf5")
def wide_group_10000(d):
    def build(f):
        g = f.create_group("wide")
        for i in range(10000):
            g[f"m{i:05d}"] = h5py.SoftLink("/wide")
    return h5(d / "wide.h5", build, libver="latest")


@case("hdf5")
def many_attributes(d):
    def build(f):
        for i in range(3000):
            f.attrs[f"a{i}"] = i
    return h5(d / "attrs.h5", build, libver="latest")


@case("hdf5")
def huge_attribute(d):
    return h5(d / "bigattr.h5", lambda f: f.attrs.__setitem__("big", np.zeros(4 << 20, "u1")), libver="latest")


@case("hdf5")
def hostile_names(d):
    def build(f):
        f["<script>alert(1)</script>"] = 1
        f["\x1b[31mred\x1b[0m"] = 2
        f["new\nline"] = 3
        f.create_group("g").attrs["<b>"] = "</div><img src=x onerror=alert(1)>"
        f.id.links.create_soft(b"\xff\xfe", b"/g")
    return h5(d / "names.h5", build)


@case("hdf5")
def absurd_shape_unallocated(d):
    return h5(d / "absurd.h5", lambda f: f.create_dataset("huge", (2**31, 2**31), "f4", chunks=(256, 256)))


@case("hdf5")
def huge_1d_unallocated(d):
    return h5(d / "long.h5", lambda f: f.create_dataset("long", (10**10,), "f8", chunks=(2**16,)))


@case("hdf5")
def huge_stack_unallocated(d):
    return h5(d / "stack.h5", lambda f: f.create_dataset("s", (10**6, 4096, 4096), "u2", chunks=(1, 512, 512)))


@case("hdf5")
def empty_and_null(d):
    def build(f):
        f["zero"] = np.zeros((0, 5))
        f["null"] = h5py.Empty("f4")
        f.create_dataset("zero_chunked", (0, 0, 0), "u1", maxshape=(None, None, None), chunks=(1, 1, 1))
        f.attrs["null"] = h5py.Empty("i4")
    return h5(d / "empty_ds.h5", build)


@case("hdf5")
def exotic_dtypes(d):
    def build(f):
        f["f16"] = np.arange(6, dtype="f2").reshape(2, 3)
        f["c8"] = np.ones((3, 3), "c8")
        f["be"] = np.arange(9, dtype=">i8").reshape(3, 3)
        f["bool"] = np.array([True, False])
        inner = np.dtype([("a", "i1"), ("b", ">f4", (2,))])
        f["nested"] = np.zeros(4, np.dtype([("x", inner), ("y", "S3")]))
        f["vlen"] = np.array([np.arange(3), np.arange(1)], dtype=h5py.vlen_dtype("i4"))
        f["enum"] = np.array([0, 1], dtype=h5py.enum_dtype({"A": 0, "B": 1}, "u1"))
        f["refs"] = np.array([f["f16"].ref, h5py.Reference()], dtype=h5py.ref_dtype)
        f["opaque"] = np.void(b"\x00\x01\x02")
        f["array_dt"] = np.zeros(3, np.dtype(("f4", (2, 2))))
        f["strs"] = np.array(["α", "b" * 300], dtype=h5py.string_dtype())
        f["bytes_nul"] = np.array([b"a\x00b"])
    return h5(d / "dtypes.h5", build)


@case("hdf5")
def unavailable_filter(d):
    def build(f):
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4,))
        dcpl.set_filter(47000, h5py.h5z.FLAG_OPTIONAL, ())
        h5py.h5d.create(f.id, b"x", h5py.h5t.NATIVE_INT32, h5py.h5s.create_simple((8,)), dcpl)
        f["x"][...] = np.arange(8)
    return h5(d / "filter.h5", build)


@case("hdf5")
def corrupted_gzip_chunk(d):
    path = d / "gz.h5"
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("x", data=np.arange(10000.0).reshape(100, 100), chunks=(100, 100), compression="gzip")
        offset, size = ds.id.get_chunk_info(0).byte_offset, ds.id.get_chunk_info(0).size
    data = bytearray(path.read_bytes())
    data[offset:offset + size] = bytes(size)
    path.write_bytes(bytes(data))
    return str(path)


@case("hdf5")
def nexus_default_cycle(d):
    def build(f):
        for name, other in (("a", "b"), ("b", "a")):
            g = f.create_group(name)
            g.attrs["NX_class"], g.attrs["default"] = "NXentry", other
        f.attrs["default"] = "a"
    return h5(d / "defaults.h5", build)


@case("hdf5")
def nexus_bogus_nxdata(d):
    def build(f):
        f.attrs["default"] = "e"
        e = f.create_group("e")
        e.attrs["NX_class"], e.attrs["default"] = "NXentry", "data"
        g = e.create_group("data")
        g.attrs.update({"NX_class": "NXdata", "signal": "s", "axes": ["s", ".", "nope", "g"],
                        "s_indices": [5, -3], "g_indices": "x"})
        g["s"] = np.zeros((3, 4))
        g["s"].attrs["interpretation"] = "rgba-image"
        g.create_group("g")
        g["s_errors"] = np.zeros(7)
    return h5(d / "nxdata.h5", build)


@case("hdf5")
def nexus_signal_not_numeric(d):
    def build(f):
        g = f.create_group("data")
        g.attrs.update({"NX_class": "NXdata", "signal": "s"})
        g["s"] = np.array([b"text"])
    return h5(d / "nxtext.h5", build)


@case("hdf5")
def nexus_2011_axes(d):
    def build(f):
        g = f.create_group("data")
        g.attrs["NX_class"] = "NXdata"
        g["counts"] = np.arange(20.0).reshape(4, 5)
        g["counts"].attrs["signal"] = 1
        g["x"] = np.arange(6.0)
        g["x"].attrs["axis"] = 2
        g["y"] = np.arange(99.0)
        g["y"].attrs["axis"] = 1
        g["z"] = np.arange(3.0)
        g["z"].attrs["axis"] = 7
    return h5(d / "nx2011.h5", build)


@case("hdf5")
def named_datatype_only(d):
    return h5(d / "dt.h5", lambda f: f.__setitem__("t", np.dtype("f8")))


@case("hdf5")
def inner_path_missing(d):
    return str(small_h5(d / "a.h5")) + "::/no/such/node"


@case("hdf5")
def folder_named_like_a_file(d):
    (d / "folder.h5").mkdir()
    return str(d / "folder.h5")


# -- paths ------------------------------------------------------------------------------
@case("path")
def fifo(d):
    os.mkfifo(d / "pipe.h5")
    return str(d / "pipe.h5")


@case("path")
def symlink_loop(d):
    (d / "a.h5").symlink_to(d / "b.h5")
    (d / "b.h5").symlink_to(d / "a.h5")
    return str(d / "a.h5")


@case("path")
def dangling_symlink(d):
    (d / "a.h5").symlink_to(d / "gone.h5")
    return str(d / "a.h5")


@case("path")
def character_device(d):
    return "/dev/zero"


@case("path")
def unix_socket(d):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(d / "s.h5"))
    server.close()  # the socket file stays
    return str(d / "s.h5")


@case("path")
def empty_folder(d):
    (d / "nothing").mkdir()
    return str(d / "nothing")


@case("path")
def missing_path(d):
    return str(d / "not_here.h5")


# -- EDF --------------------------------------------------------------------------------
def edf_bytes(dims, size, extra="", data=None, close=True):
    header = "{\nHeaderID = EH:000001:000000:000000 ;\nByteOrder = LowByteFirst ;\nDataType = UnsignedShort ;\n"
    header += "".join(f"Dim_{i + 1} = {n} ;\n" for i, n in enumerate(dims)) + f"Size = {size} ;\n{extra}"
    text = header.ljust(510) + ("}\n" if close else "  ")
    return text.encode() + (bytes(size) if data is None else data)


def edf_case(name, **kw):
    def maker(d):
        (d / f"{name}.edf").write_bytes(edf_bytes(**kw))
        return str(d / f"{name}.edf")
    maker.__name__ = name
    case("edf")(maker)


edf_case("edf_negative_dims", dims=(-5, -100), size=200)
edf_case("edf_absurd_dims", dims=(10**12, 10**12), size=200)
edf_case("edf_text_dims", dims=("abc", 3), size=200)
edf_case("edf_header_only", dims=(100, 100), size=20000, data=b"")
edf_case("edf_short_block", dims=(100, 100), size=20000, data=bytes(300))
edf_case("edf_unterminated_header", dims=(10, 10), size=200, close=False)
edf_case("edf_bogus_compression", dims=(64, 64), size=500, extra="Compression = gzip ;\n",
         data=np.random.default_rng(2).bytes(500))
edf_case("edf_bad_motors", dims=(4, 4), size=32,
         extra="motor_mne = a b c ;\nmotor_pos = 1 x ;\ncounter_mne = ;\ncounter_pos = 1 2 3 4 ;\n")


@case("edf")
def edf_second_frame_broken(d):
    good = edf_bytes((4, 4), 32)
    (d / "multi.edf").write_bytes(good + b"{\nDim_1 = 4 ;\nDim_2 = ;\nSize = 999999 ;\n" + bytes(8))
    return str(d / "multi.edf")


@case("edf")
def edf_empty_file(d):
    (d / "zero.edf").write_bytes(b"")
    return str(d / "zero.edf")


@case("edf")
def edf_series_with_a_fifo(d):
    (d / "s").mkdir()
    (d / "s" / "img_0000.edf").write_bytes(edf_bytes((8, 8), 128))
    os.mkfifo(d / "s" / "img_0001.edf")
    return str(d / "s")


@case("edf")
def edf_series_mismatched_shapes(d):
    (d / "s").mkdir()
    (d / "s" / "img_0000.edf").write_bytes(edf_bytes((8, 8), 128))
    (d / "s" / "img_0001.edf").write_bytes(edf_bytes((4, 4), 32))
    (d / "s" / "img_0002.edf").write_bytes(b"not an edf at all")
    return str(d / "s")


# -- TIFF -------------------------------------------------------------------------------
def tiff_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.arange(256 * 256, dtype=np.uint16).reshape(256, 256)).save(buffer, format="TIFF")
    return buffer.getvalue()


@case("tiff")
def tiff_truncated_half(d):
    data = tiff_bytes()
    (d / "half.tif").write_bytes(data[: len(data) // 2])
    return str(d / "half.tif")


@case("tiff")
def tiff_truncated_200(d):
    (d / "tiny.tif").write_bytes(tiff_bytes()[:200])
    return str(d / "tiny.tif")


@case("tiff")
def tiff_magic_only(d):
    (d / "magic.tif").write_bytes(b"II*\x00\x08\x00\x00\x00")
    return str(d / "magic.tif")


@case("tiff")
def tiff_huge_declared_size(d):
    import struct

    entries = [(256, 4, 1, 2**31 - 1), (257, 4, 1, 2**31 - 1), (258, 3, 1, 16), (259, 3, 1, 1),
               (262, 3, 1, 1), (273, 4, 1, 8 + 2 + 12 * 8 + 4), (278, 4, 1, 2**31 - 1), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + bytes(4)
    (d / "huge.tif").write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + bytes(16))
    return str(d / "huge.tif")


@case("tiff")
def tiff_ifd_loop(d):
    import struct

    entries = [(256, 3, 1, 4), (257, 3, 1, 4), (258, 3, 1, 8), (273, 4, 1, 200), (279, 4, 1, 16)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    ifd += struct.pack("<I", 8)  # the next IFD is this one again
    (d / "loop.tif").write_bytes((b"II*\x00" + struct.pack("<I", 8) + ifd).ljust(216, b"\x00"))
    return str(d / "loop.tif")


# -- CBF --------------------------------------------------------------------------------
def cbf_bytes(dim1=64, dim2=64) -> bytes:
    import tempfile

    import fabio.cbfimage

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.cbf")
        fabio.cbfimage.CbfImage(data=np.arange(dim1 * dim2, dtype=np.int32).reshape(dim2, dim1)).write(path)
        return Path(path).read_bytes()


@case("cbf")
def cbf_truncated(d):
    data = cbf_bytes()
    (d / "cut.cbf").write_bytes(data[: len(data) - 4000])
    return str(d / "cut.cbf")


@case("cbf")
def cbf_huge_declared_size(d):
    data = cbf_bytes().replace(b"X-Binary-Size-Fastest-Dimension: 64", b"X-Binary-Size-Fastest-Dimension: 2000000000")
    data = data.replace(b"X-Binary-Size-Second-Dimension: 64", b"X-Binary-Size-Second-Dimension: 2000000000")
    (d / "huge.cbf").write_bytes(data)
    return str(d / "huge.cbf")


@case("cbf")
def cbf_garbage_body(d):
    data = bytearray(cbf_bytes())
    start = data.index(b"\x0c\x1a\x04\xd5") + 4
    data[start:start + 2000] = np.random.default_rng(3).bytes(2000)
    (d / "noise.cbf").write_bytes(bytes(data))
    return str(d / "noise.cbf")


@case("cbf")
def cbf_header_only(d):
    (d / "head.cbf").write_bytes(b"###CBF: VERSION 1.5\n\ndata_x\n\n_array_data.data\n;\n--CIF-BINARY-FORMAT-SECTION--\n")
    return str(d / "head.cbf")


# -- SPEC -------------------------------------------------------------------------------
def spec_case(name, text):
    def maker(d):
        (d / f"{name}.dat").write_text(text)
        return str(d / f"{name}.dat")
    maker.__name__ = name
    case("spec")(maker)


spec_case("spec_scan_without_columns", "#F x\n#S 1 ascan\n1 2 3\n4 5 6\n")
spec_case("spec_ragged_lines", "#F x\n#S 1 ascan\n#N 3\n#L a  b  c\n1 2 3\n4 5\n6 7 8 9\nnan inf -inf\n")
spec_case("spec_columns_mismatch", "#F x\n#S 1 ascan\n#N 5\n#L a  b\n1 2 3\n")
spec_case("spec_bad_mca", "#F x\n#S 1 ascan\n#N 1\n#L a\n#@MCA 16C\n#@CHANN 99999999 0 -1 1\n1\n@A 1 2 3\\\n")
spec_case("spec_duplicate_scans", "#F x\n" + "#S 1 a\n#L x\n1\n" * 50)
spec_case("spec_only_header", "#F x\n#E 1\n#D today\n#O0 a b c\n")
spec_case("spec_2000_scans", "#F x\n" + "".join(f"#S {i} ascan\n#N 2\n#L x  y\n1 2\n3 4\n\n" for i in range(2000)))


@case("spec")
def spec_binary_junk(d):
    (d / "junk.dat").write_bytes(b"#F x\n#S 1 a\n#L x y\n1 2\n" + bytes(range(1, 256)) * 40)
    return str(d / "junk.dat")


# -- Zarr -------------------------------------------------------------------------------
@case("zarr")
def zarr_v3_store(d):
    import zarr

    root = zarr.open_group(str(d / "store.zarr"), mode="w")
    root.create_array("a", shape=(4, 4), dtype="f4")[:] = 1
    return str(d / "store.zarr")


@case("zarr")
def zarr_v2_marker_only(d):
    (d / "old.zarr").mkdir()
    (d / "old.zarr" / ".zgroup").write_text('{"zarr_format": 2}')
    return str(d / "old.zarr")


# -- running the corpus -----------------------------------------------------------------
RUNNER = Path(__file__).with_name("runner.py")
ENTRY_POINTS = ("open", "walk", "glance_html", "glance_text", "view", "explore", "cli_ls", "cli_html")
#: Address space allowed to a child: a runaway allocation fails there instead of swapping the machine.
ADDRESS_SPACE = 4 << 30


def fingerprint(folder: Path) -> dict:
    """Size, mtime and SHA-256 of every regular file under ``folder`` (pipes and sockets are skipped)."""
    import hashlib
    import stat

    out = {}
    for path in sorted(folder.rglob("*")):
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            out[str(path)] = (st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


class Runner:
    """One warm :mod:`runner` process that forks a bounded child per case."""

    def __init__(self, src_dir: str):
        import subprocess
        import sys

        env = {**os.environ, "PYTHONPATH": src_dir, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen([sys.executable, str(RUNNER), "--serve", str(ADDRESS_SPACE)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, env=env)

    def run(self, source: str, cwd: Path, timeout: float) -> dict:
        """The case's entry-point reports, wall time, peak RSS, exit status and whether it was killed."""
        import json

        out = cwd.parent / f".{cwd.name}.out"
        job = {"source": source, "cwd": str(cwd), "out": str(out), "timeout": timeout}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the runner process ended while running {source}")
        result = json.loads(line)
        lines = out.read_text().splitlines() if out.exists() else []
        out.unlink(missing_ok=True)
        result["entries"] = {r["entry"]: r for r in map(json.loads, (x for x in lines if x.startswith("{")))}
        return result

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def run_all(base: Path, src_dir: str, timeout: float = 45.0, workers: int = 2) -> dict:
    """Generate every case under ``base`` and run them ``workers`` at a time; results by case name."""
    import threading

    jobs = {}
    for name, (fmt, maker) in CASES.items():
        folder = base / name
        folder.mkdir()
        source = maker(folder)
        jobs[name] = (fmt, source, folder, fingerprint(folder))
    todo, lock, results = iter(list(jobs)), threading.Lock(), {}

    def work():
        runner = Runner(src_dir)
        try:
            while True:
                with lock:
                    name = next(todo, None)
                if name is None:
                    return
                fmt, source, folder, before = jobs[name]
                result = runner.run(source, folder, timeout)
                result.update(format=fmt, source=source, unchanged=fingerprint(folder) == before)
                results[name] = result
        finally:
            runner.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
