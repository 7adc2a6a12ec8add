"""The Python that reads exactly what a viewer shows: from clicks to a script.

A course participant explores with the viewer, then wants the same numbers in
a notebook cell. :func:`code` writes both the h5lens line and the plain
library equivalent (h5py for HDF5, silx.io for what silx reads through fabio
or specfile, zarr for Zarr stores), for a selection in the viewer's canonical
form (``"12,:,:"``), the complex part shown and whether rows and columns are
swapped.
"""

from __future__ import annotations

from typing import Any

#: How each plain library opens a file, by the kind of tree h5lens built for it.
_PLAIN = {
    "hdf5": ("import h5py", 'with h5py.File({file!r}, "r") as f:'),
    "silx": ("import silx.io", "with silx.io.open({file!r}) as f:"),
    "zarr": ("import zarr", "f = zarr.open({file!r}, mode=\"r\")"),
}

#: numpy function of each complex part the viewer can show.
_PARTS = {"amplitude": "np.abs", "phase": "np.angle", "real": "np.real", "imag": "np.imag"}


def backend_of(dataset: object) -> str | None:
    """The plain library that reads ``dataset``'s file, from the h5lens node type (None: in memory)."""
    module = type(dataset).__module__
    if module.startswith("h5lens.nodes.hdf5") or module.startswith("h5lens.nodes._hdf5"):
        return "hdf5"
    if module.startswith(("h5lens.nodes.spec", "h5lens.nodes.image", "h5lens.nodes._image")):
        return "silx"
    if module.startswith("h5lens.nodes.zarr"):
        return "zarr"
    return None


def index_text(selection: str) -> str:
    """``"12,:,:"`` → ``"[12, :, :]"`` (an empty selection, a scalar, is ``[()]``)."""
    items = [s.strip() for s in selection.split(",") if s.strip()]
    return f"[{', '.join(items)}]" if items else "[()]"


def code(file: str, path: str, selection: str, backend: str | None = None, *, transposed: bool = False,
         part: str | None = None, variable: str = "data") -> str:
    """Python reading ``selection`` of dataset ``path`` in ``file`` (``file`` empty: an in-memory array).

    Parameters
    ----------
    file, path : str
        The file and the dataset's path in it.
    selection : str
        The viewer's selection, 0-based as numpy indexes.
    backend : {"hdf5", "silx", "zarr", None}
        The plain library's equivalent to add (None: the h5lens line only).
    transposed : bool
        The viewer shows the later kept dimension as rows (``.T``).
    part : str, optional
        The complex part shown (``amplitude`` → ``np.abs``...), for complex data.
    variable : str
        Name of the array in the snippet (and of the in-memory array).
    """
    index = index_text(selection)
    wrap = _PARTS.get(part or "") if part else None

    def shown(expr: str) -> str:
        expr = f"{wrap}({expr})" if wrap else expr
        return f"{expr}.T" if transposed else expr

    head = ["import numpy as np"] if wrap else []
    if not file:
        return "\n".join([*head, f"{variable}_shown = {shown(variable + index)}"]) + "\n"
    # a `with` block: the file is closed once the array is read (a one-liner would leave it to the collector)
    lines = [*head, "import h5lens", "", f"with h5lens.open({file!r}) as f:",
             f"    {variable} = {shown(f'f[{path!r}]{index}')}"]
    if backend in _PLAIN:
        imp, opener = _PLAIN[backend]
        body = f"{variable} = {shown(f'f[{path!r}]{index}')}"
        lines += ["", f"# the same with {imp.split()[-1]} alone", imp, opener.format(file=file)]
        lines += [f"    {body}"] if opener.endswith(":") else [body]
    return "\n".join(lines) + "\n"


def node_code(file: str, path: str, backend: str | None = None, variable: str = "node") -> str:
    """Python opening the group (or other node read without a view) at ``path``: its members and attributes.

    What the explorer shows of a group (the inspector's members and attributes)
    as a script: the h5lens lines, and the plain library's equivalent.
    """
    lines = ["import h5lens", "", f"with h5lens.open({file!r}) as f:", f"    {variable} = f[{path!r}]",
             f"    members, attributes = list({variable}), dict({variable}.attrs)"]
    if backend in _PLAIN:
        imp, opener = _PLAIN[backend]
        body = [f"{variable} = f[{path!r}]", f"members, attributes = list({variable}), dict({variable}.attrs)"]
        lines += ["", f"# the same with {imp.split()[-1]} alone", imp, opener.format(file=file)]
        lines += [f"    {b}" for b in body] if opener.endswith(":") else body
    return "\n".join(lines) + "\n"


def for_view(dataset: Any, state: dict, filename: str = "") -> str:
    """:func:`code` for what a viewer shows of ``dataset``: ``state`` is the viewer's traits by name.

    ``filename`` stands in when the dataset does not know its file; the part
    is written only when complex data is shown as a curve or an image, the
    transposition only for an image that is not RGB.
    """
    file = getattr(dataset, "filename", None) or filename
    complex_shown = dataset.dtype.kind == "c" and state["ndisplay"] >= 1
    return code(file, dataset.path, state["selection"], backend_of(dataset),
                transposed=state["ndisplay"] == 2 and state["transposed"] and state["kind"] != "rgb",
                part=state["complex_part"] if complex_shown else None, variable="data" if file else "array")
