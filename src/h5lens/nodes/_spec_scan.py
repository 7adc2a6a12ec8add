"""What a SPEC scan's header says, added to silx's layout where it has room for it.

``silx.io.spech5`` keeps the ``#S`` command as ``title``, the raw header as
text and ``#@CALIB`` as three numbers. A beamline scientist reads first which
scan is which, the counters against the motor and the spectrum in energy, so
each scan group silx builds is completed here (all values come from the
header silx already parsed; no data column is read):

- ``@default = "plot"`` and an NXdata ``plot``: the last ``#L`` column (SPEC's
  detector) against the first one (the motor of an ascan/dscan, time for a
  timescan), every other column an auxiliary signal, all soft links into
  ``measurement``. A scan with no columns plots its first MCA instead.
- ``instrument/mca_i/energy`` = a + b·ch + c·ch² (``#@CALIB``) over the
  ``#@CHANN`` channels, and ``measurement/mca_i`` made an NXdata of the spectra
  against it (against ``channels`` when the calibration is the identity), the
  channels kept as its second axis of the same dimension (``channels_indices``).
- ``#T``/``#M``, ``#G``, ``#Q`` in ``instrument/specfile`` (``count_time``,
  ``monitor_preset``, ``geometry_G0``..., ``Q``) and ``#@ROI`` as
  ``instrument/mca_i/roi/<name>`` = [first, last] channel.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

_UNITS = {"seconds": "s", "second": "s", "sec": "s", "s": "s"}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def command(scan: Any) -> str:
    """The ``#S`` command on one line, without the scan number: ``ascan del -0.5 0.5 20 1``."""
    line = str(scan.scan_header_dict.get("S", ""))
    parts = line.split()
    if parts and parts[0].isdigit():
        parts = parts[1:]
    return " ".join(parts)


def _numbers(text: str) -> tuple[list[float], str]:
    """Leading numbers of a header value, and the rest (``"1  (Seconds)"`` → ``[1.0], "(Seconds)"``)."""
    values, rest = [], text.split()
    while rest and _NUMBER.match(rest[0]):
        values.append(float(rest.pop(0)))
    return values, " ".join(rest)


def _preset(text: str) -> tuple[float | None, str | None]:
    """Value and time unit of a ``#T``/``#M`` line (``1  (Seconds)`` → ``1.0, "s"``; a monitor has none)."""
    values, rest = _numbers(text)
    return (values[0] if values else None), _UNITS.get(rest.strip("() ").lower())


def calibration(text: str | None) -> tuple[float, float, float] | None:
    """``#@CALIB a b c`` → ``(a, b, c)``; None when absent or unreadable."""
    if not text:
        return None
    values, _ = _numbers(str(text).splitlines()[0])
    if len(values) < 2:
        return None
    a, b, c = (values + [0.0])[:3]
    return a, b, c


def take_calibration_unit(scan: Any) -> str | None:
    """Take a unit off the ``#@CALIB`` line (``0.1 0.01 0 keV``) before silx parses it; the unit, or None.

    silx reads every word of the line as a number and refuses to build the
    scan otherwise; the scan's header dictionary keeps the numbers only (the
    raw line stays in ``instrument/specfile/scan_header``).
    """
    head = scan.mca_header_dict
    lines, unit = [], None
    for line in str(head.get("CALIB") or "").splitlines():
        words = line.split()
        k = next((i for i, w in enumerate(words) if not _NUMBER.match(w)), len(words))
        if k < len(words) and k >= 2:  # numbers then words: the words name the unit
            unit = unit or " ".join(words[k:]).strip("()[]") or None
        lines.append(" ".join(words[:k]) if k >= 2 else line)
    if unit is not None:
        head["CALIB"] = "\n".join(lines)
    return unit


def energy(calib: tuple[float, float, float], channels: np.ndarray) -> np.ndarray:
    """E = a + b·ch + c·ch² over ``channels`` (float64)."""
    a, b, c = calib
    ch = np.asarray(channels, dtype=np.float64)
    return a + b * ch + c * ch * ch


def _formula(calib: tuple[float, float, float]) -> str:
    return f"{calib[0]:g} + {calib[1]:g}·ch + {calib[2]:g}·ch²"


def is_identity(calib: tuple[float, float, float] | None) -> bool:
    """Whether the calibration maps every channel to itself (``0 1 0``, SPEC's default)."""
    return calib is None or tuple(float(v) for v in calib) == (0.0, 1.0, 0.0)


def start_positions(scan: Any) -> list[tuple[str, float]]:
    """``(motor, position)`` at scan start from ``#O``/``#P``, paired in order as silx pairs them."""
    try:
        names, values = list(scan.motor_names), list(scan.motor_positions)
    except Exception:  # no #O lines in the file header, or a #P line missing
        return []
    return list(zip(names, (float(v) for v in values)))  # a #P line may carry a stray extra value


def details(scan: Any, name: str) -> list[tuple[str, Any]]:
    """The inspector's facts about scan ``name``: command, date, count time, columns, MCA."""
    head = scan.scan_header_dict
    out: list[tuple[str, Any]] = [("Scan", f"#S {head.get('S', name).strip()}")]
    if "D" in head:
        out.append(("Date", head["D"].strip()))
    for key, label in (("T", "Count time"), ("M", "Monitor preset")):
        if key in head:
            out.append((label, " ".join(head[key].split())))
    labels = list(getattr(scan, "labels", []) or [])
    if labels:
        out.append(("Columns (#L)", f"{len(labels)}: {'  '.join(labels)}"))
    mca = scan.mca_header_dict
    if "CALIB" in mca:
        calib = calibration(mca["CALIB"])
        text = mca["CALIB"].strip()
        if calib is not None and not is_identity(calib):
            text += f"  (E = {_formula(calib)})"
        out.append(("MCA calibration (#@CALIB)", text))
    if "CHANN" in mca:
        out.append(("MCA channels (#@CHANN)", mca["CHANN"].strip()))
    return out


def enrich(group: Any, scan: Any, unit: str | None = None) -> None:
    """Add the plot, the MCA energy axes and the header datasets to a freshly built silx scan group.

    ``group`` must be editable (its silx file opened in mode ``"w"``): the
    attributes of silx's own groups are extended in place. ``unit``: of the
    energy, when the ``#@CALIB`` line said it (:func:`take_calibration_unit`).
    """
    from silx.io import commonh5

    base = group.name.rstrip("/")
    mcas = sorted((k for k in group["instrument"].keys() if re.fullmatch(r"mca_\d+", k)), key=lambda k: int(k[4:]))
    for key in mcas:
        _mca(group, scan, key, base, commonh5, unit)
    _header(group, scan, commonh5)
    _plot(group, scan, mcas, base, commonh5)


def _mca(group: Any, scan: Any, key: str, base: str, commonh5: Any, unit: str | None = None) -> None:
    inst = group["instrument"][key]
    calib = calibration(scan.mca_header_dict.get("CALIB"))
    if calib is None and "calibration" in inst:
        values = np.asarray(inst["calibration"][()], dtype=np.float64).ravel()
        if values.size >= 2:
            a, b, c = (list(values) + [0.0, 0.0, 0.0])[:3]
            calib = (float(a), float(b), float(c))
    axis = "channels"
    if calib is not None and not is_identity(calib) and "channels" in inst:
        # SPEC's #@CALIB has no unit; one written after the numbers is kept, none is invented
        attrs = {"long_name": "energy", "calibration": f"E = {_formula(calib)} (#@CALIB)"}
        if unit:
            attrs.update(long_name=f"energy ({unit})", units=unit)
        inst.add_node(commonh5.Dataset("energy", energy(calib, inst["channels"][()]), attrs=attrs))
        axis = "energy"
    rois = [line.split() for line in str(scan.mca_header_dict.get("ROI", "")).splitlines()]
    rois = [r for r in rois if len(r) >= 3 and r[-1].lstrip("-").isdigit() and r[-2].lstrip("-").isdigit()]
    if rois:
        roi = commonh5.Group("roi", attrs={"NX_class": "NXcollection"})
        inst.add_node(roi)
        for r in rois:
            name = " ".join(r[:-2]).replace("/", "%")
            roi.add_node(commonh5.Dataset(name, np.array([int(r[-2]), int(r[-1])], dtype=np.int64),
                                          attrs={"long_name": f"ROI {name}: first and last channel (#@ROI)"}))
    # measurement/mca_i: silx's plain group of two links becomes the spectra's NXdata
    meas = group["measurement"]
    if key in meas:
        spectra: dict[str, Any] = {"NX_class": "NXdata", "signal": "data", "axes": [".", axis],
                                   "interpretation": "spectrum"}
        members = [("data", "data"), ("info", ""), (axis, axis)]
        if axis == "energy":  # the channels stay one click away: a second axis of the last dimension
            spectra.update(energy_indices=1, channels_indices=1)
            members.append(("channels", "channels"))
        nxdata = commonh5.Group(key, attrs=spectra)
        meas.add_node(nxdata)
        for name, target in members:
            if target == "" or target in inst:
                nxdata.add_node(commonh5.SoftLink(name, f"{base}/instrument/{key}" + (f"/{target}" if target else "")))


def _header(group: Any, scan: Any, commonh5: Any) -> None:
    head = scan.scan_header_dict
    where = group["instrument"]["specfile"]
    for key, name in (("T", "count_time"), ("M", "monitor_preset")):
        if key in head:
            value, unit = _preset(head[key])
            if value is not None:
                attrs = {"units": unit} if unit else {}
                attrs["spec_header"] = f"#{key} {head[key].strip()}"
                where.add_node(commonh5.Dataset(name, np.float64(value), attrs=attrs))
    for key in sorted(k for k in head if re.fullmatch(r"G\d+", k)):
        values, _ = _numbers(head[key])
        if values:
            where.add_node(commonh5.Dataset(f"geometry_{key}", np.array(values), attrs={"spec_header": f"#{key}"}))
    if "Q" in head:
        values, _ = _numbers(head["Q"])
        if values:
            where.add_node(commonh5.Dataset("Q", np.array(values), attrs={"long_name": "H K L at scan start (#Q)"}))


def _plot(group: Any, scan: Any, mcas: list[str], base: str, commonh5: Any) -> None:
    meas = group["measurement"]
    columns = [label.replace("/", "%") for label in (getattr(scan, "labels", []) or [])]
    columns = [c for c in columns if c in meas and getattr(meas[c], "ndim", 0) == 1]
    if columns:
        signal, axis = columns[-1], columns[0]
        attrs: dict[str, Any] = {"NX_class": "NXdata", "signal": signal}
        if axis != signal:
            attrs["axes"] = [axis]
        aux = [c for c in columns[1:-1]]
        if aux:
            attrs["auxiliary_signals"] = aux
        plot = commonh5.Group("plot", attrs=attrs)
        for name in dict.fromkeys(columns):  # in #L order: the NXdata's table reads as SPEC wrote it
            plot.add_node(commonh5.SoftLink(name, f"{base}/measurement/{name}"))
    elif mcas and mcas[0] in meas:  # an MCA-only scan: its first spectra against energy
        first = meas[mcas[0]]
        plot = commonh5.Group("plot", attrs=dict(first.attrs))
        for name in first.keys():
            if name != "info":
                plot.add_node(commonh5.SoftLink(name, first.get(name, getlink=True).path))
    else:
        return
    group.add_node(plot)
    group.attrs["default"] = "plot"
