"""XPS spectra from VAMAS files (ISO 14976) and from ``binding_energy_ev,counts`` CSV tables.

The VAMAS reader follows the standard's layout line by line: the header (identifier, comment,
experiment mode incl. ``MAP``/``MAPDP``/``SDP``, scan mode, experimental variables, the
parameter inclusion/exclusion list, manually entered items, future-upgrade entries), then every
block. ``REGULAR`` blocks carry the abscissa as start and step; ``IRREGULAR`` blocks (written
by CasaXPS) carry it as their first corresponding variable, interleaved with the ordinate. Items
excluded by the inclusion list take their value from the first block, as the standard says.
Vendor variants read: Kratos ESCApe (blank lines before the identifier), SpecsLab Prodigy and
Kratos files re-saved by CasaXPS, PHI MultiPak exports under their ``.npl`` name (binding-energy
axis), Omicron EIS (descending axes, ``count rate``), Staib AES (differential signal).

Energies. The recorded kinetic energies are referenced to the spectrometer's Fermi level (the
analyser work function is already in them), so the binding energy is ``BE = hν − KE`` with no
work-function term — CasaXPS's convention; the analyser work function of the block is reported
as :attr:`VamasBlock.work_function_ev` and used for nothing. A block recorded against binding
energy gets ``KE = hν − BE``. Techniques that are not photoemission (AES) have no binding
energy (``None``).

Intensities. ``counts`` are counts per channel summed over the scans and ``cps`` counts per
second, ``cps = counts / (dwell_s × scans)``. An ordinate labelled ``count rate`` (or with units
``c/s``, Omicron EIS) is already a rate: ``cps`` is the ordinate and ``counts = cps × dwell_s ×
scans``. ``Intensity``/``counts`` (Kratos, Prodigy via CasaXPS, PHI) are counts; for Kratos and
Prodigy this reproduces the areas CasaXPS stores. A corresponding variable named
``transmission`` is kept as :attr:`VamasBlock.transmission`.

CasaXPS's regions, components and calibration lines in a block comment are parsed by
:mod:`cald.io.casa`. Files are opened read-only; every problem is a :class:`DataFileError`
naming the file and the block.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.io.casa import (
    CasaCalibration,
    CasaComponent,
    CasaLineError,
    CasaRegion,
    parse_casa_lines,
)

__all__ = ["AL_KALPHA_EV", "VAMAS_IDENTIFIER", "VamasBlock", "VamasFile", "block_summary",
           "read_vamas", "read_xps"]

#: First line of every VAMAS file.
VAMAS_IDENTIFIER = "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4"
#: Photon energy of Al Kα (eV), the default source of a CSV table.
AL_KALPHA_EV = 1486.6
#: Largest file read (bytes).
MAX_BYTES = 200_000_000
#: Shortest collection time per point (s) taken as real (a smaller one is a damaged field).
_MIN_DWELL_S = 1e-9
#: The standard's "no value" (1E37).
_UNSET = 1e37
_EXPERIMENT_MODES = ("MAP", "MAPDP", "MAPSV", "MAPSVDP", "NORM", "SDP", "SDPSV", "SEM", "NOEXP")
_SPUTTER_TECHNIQUES = ("FABMS", "FABMS energy spec", "ISS", "SIMS", "SIMS energy spec", "SNMS",
                       "SNMS energy spec")
_SPUTTER_SOURCE_TECHNIQUES = ("AES diff", "AES dir", "EDX", "ELS", "UPS", "XPS", "XRF")
_PHOTOEMISSION = ("XPS", "UPS")
_RATE_LABELS = ("count rate", "counts per second", "cps", "count rate (cps)")
_RATE_UNITS = ("c/s", "cps", "1/s", "s-1")


@dataclass(frozen=True, eq=False)
class VamasBlock:
    """One block (spectral region) of a VAMAS file, or the one region of an XPS CSV table.

    Attributes
    ----------
    name, sample_id, technique, species, transition
        Block identifier, sample identifier, technique (``"XPS"``, ``"AES diff"`` …), species
        and transition labels as written (``""`` when blank).
    index
        Position of the block in the file (0-based).
    source_label, source_energy_ev
        Analysis source (``"Al"``) and its characteristic energy hν (eV).
    work_function_ev
        Analyser work function as recorded (eV; ``None`` when not given). Not used for the
        binding energy (see the module docstring).
    pass_energy_ev, analyser_mode
        Pass energy (eV, for mode ``FAT``; ``None`` when not given) and the analyser mode.
    axis
        How the abscissa was recorded: ``"kinetic"`` or ``"binding"``.
    kinetic_energy_ev
        Kinetic energy of each point (eV), in the file's order.
    binding_energy_ev
        ``hν − kinetic_energy_ev`` (eV); ``None`` for non-photoemission techniques.
    counts, cps
        Counts per point, and counts per second ``counts / (dwell_s × scans)``.
    ordinate
        The ordinate's label as written (``"Intensity"``, ``"count rate"`` …).
    dwell_s, scans
        Signal collection time per point per scan (s) and number of scans.
    transmission
        Analyser transmission per point (``None`` when the file has none).
    casa_regions, casa_components, casa_calibrations
        CasaXPS's regions, components and ``BE ADD`` calibrations of this block.
    calibration_shift_ev
        Sum of the calibrations' binding-energy shifts (eV; CasaXPS's calibrated BE = raw BE +
        this).
    comments
        The block comment lines.
    parameters
        Additional numerical parameters ``{label: (units, value)}`` and experimental variables.
    notes
        What the reader decided on the reader's behalf (e.g. an unreproducible range
        calibration).
    """

    name: str
    sample_id: str
    technique: str
    species: str
    transition: str
    index: int
    source_label: str
    source_energy_ev: float
    work_function_ev: float | None
    pass_energy_ev: float | None
    analyser_mode: str
    axis: str
    kinetic_energy_ev: np.ndarray
    binding_energy_ev: np.ndarray | None
    counts: np.ndarray
    cps: np.ndarray
    ordinate: str
    dwell_s: float
    scans: int
    transmission: np.ndarray | None = None
    casa_regions: tuple[CasaRegion, ...] = ()
    casa_components: tuple[CasaComponent, ...] = ()
    casa_calibrations: tuple[CasaCalibration, ...] = ()
    calibration_shift_ev: float = 0.0
    comments: tuple[str, ...] = ()
    parameters: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for array in (self.kinetic_energy_ev, self.binding_energy_ev, self.counts, self.cps,
                      self.transmission):
            if array is not None:
                array.setflags(write=False)  # a frozen block: its arrays are read-only too

    @property
    def n_points(self) -> int:
        """Number of points."""
        return int(self.kinetic_energy_ev.size)

    @property
    def calibrated_binding_energy_ev(self) -> np.ndarray | None:
        """Binding energy in CasaXPS's calibrated frame, ``hν − KE + s`` with s =
        :attr:`calibration_shift_ev` = Σ (A − M) over the block's ``Calib … BE ADD`` lines (eV;
        ``None`` for non-photoemission techniques). The one place the calibration is applied:
        every XPS fit of a block (``cald xps fit``, the ``xps`` kind) runs on this axis, the
        frame of CasaXPS's stored regions and components (their ``calibrated_be_ev``), so a
        file charge-calibrated in CasaXPS is fitted as CasaXPS shows it (checked on a real
        Nb 3d fit, tests/test_xps_cli.py)."""
        if self.binding_energy_ev is None:
            return None
        return self.binding_energy_ev + self.calibration_shift_ev

    @property
    def label(self) -> str:
        """The block identifier, else species and transition, else ``block N`` (1-based)."""
        return (self.name or f"{self.species} {self.transition}".strip()
                or f"block {self.index + 1}")


@dataclass(frozen=True, eq=False)
class VamasFile:
    """A VAMAS file (or an XPS CSV table) read by :func:`read_xps`.

    Attributes
    ----------
    path
        The file.
    blocks
        Its blocks in file order.
    header_comments
        The header comment lines.
    institution, instrument, operator, experiment
        Header identifiers as written.
    experiment_mode, scan_mode
        ``NORM``, ``MAP``, … and ``REGULAR`` or ``IRREGULAR``.
    casa_version
        The CasaXPS version named in the header (``""`` when the file was not saved by CasaXPS).
    """

    path: Path
    blocks: tuple[VamasBlock, ...]
    header_comments: tuple[str, ...] = ()
    institution: str = ""
    instrument: str = ""
    operator: str = ""
    experiment: str = ""
    experiment_mode: str = "NORM"
    scan_mode: str = "REGULAR"
    casa_version: str = ""

    def block(self, name: str) -> VamasBlock:
        """The first block whose label is ``name`` (case-insensitive).

        Raises
        ------
        DataFileError
            No such block (the message lists the blocks).
        """
        for b in self.blocks:
            if b.label.lower() == name.lower():
                return b
        known = ", ".join(dict.fromkeys(b.label for b in self.blocks))
        raise DataFileError(f"no block {name!r}; blocks: {known}", self.path)


class _Lines:
    """The file's lines with a cursor; running past the end is a truncated file."""

    def __init__(self, lines: list[str], path: Path, first_line: int) -> None:
        self.lines, self.i, self.path, self.offset = lines, 0, path, first_line
        self.where = "header"

    def fail(self, message: str) -> DataFileError:
        return DataFileError(f"{self.where}, line {self.i + self.offset}: {message}", self.path)

    def next(self, what: str) -> str:
        if self.i >= len(self.lines):
            raise DataFileError(f"{self.where}: file ends where {what} was expected "
                                "(truncated?)", self.path)
        self.i += 1
        return self.lines[self.i - 1].strip()

    def take(self, n: int, what: str) -> list[str]:
        if n > len(self.lines) - self.i:
            raise DataFileError(f"{self.where}: {n} lines of {what} expected, the file has "
                                f"{len(self.lines) - self.i} left (truncated?)", self.path)
        self.i += n
        return self.lines[self.i - n:self.i]

    def number(self, what: str) -> float:
        text = self.next(what)
        try:
            value = float(text)
        except ValueError:
            raise self.fail(f"{what} must be a number, got {text[:40]!r}") from None
        if not math.isfinite(value):
            raise self.fail(f"{what} is not a finite number, got {text[:40]!r}")
        return value

    def count(self, what: str) -> int:
        value = self.number(what)
        if value != int(value) or value < 0:
            raise self.fail(f"{what} must be a whole number ≥ 0, got {value:g}")
        return int(value)


def _optional(value: float) -> float | None:
    return None if not math.isfinite(value) or abs(value) >= _UNSET else value


@dataclass
class _Header:
    mode: str
    scan: str
    n_exp_vars: int
    exp_var_names: list[str]
    include: list[bool]
    n_future_block: int


def _header(cur: _Lines) -> tuple[dict[str, Any], _Header, int]:
    ident = cur.next("the VAMAS identifier")
    if not ident.startswith("VAMAS Surface Chemical Analysis Standard"):
        raise DataFileError(f"not a VAMAS file (first line {ident[:50]!r})", cur.path)
    info: dict[str, Any] = {k: cur.next(k) for k in ("institution", "instrument", "operator",
                                                        "experiment")}
    info["header_comments"] = tuple(ln.rstrip() for ln in cur.take(
        cur.count("the number of header comment lines"), "header comment"))
    mode, scan = cur.next("the experiment mode"), cur.next("the scan mode")
    if mode not in _EXPERIMENT_MODES:
        raise cur.fail(f"unknown experiment mode {mode[:20]!r}")
    if scan not in ("REGULAR", "IRREGULAR"):
        raise cur.fail(f"scan mode {scan[:20]!r} not supported (REGULAR, IRREGULAR)")
    info["experiment_mode"], info["scan_mode"] = mode, scan
    if mode in ("MAP", "MAPDP", "NORM", "SDP"):
        cur.count("the number of spectral regions")
    if mode in ("MAP", "MAPDP"):
        for what in ("analysis positions", "discrete x coordinates", "discrete y coordinates"):
            cur.count(f"the number of {what}")
    n_vars = cur.count("the number of experimental variables")
    names = [cur.take(2, "experimental variable label and units")[0].strip()
             for _ in range(n_vars)]
    n_list = cur.number("the number of entries in the parameter inclusion list")
    if abs(n_list) > 40 or n_list != int(n_list):
        raise cur.fail(f"parameter inclusion list of {n_list:g} entries (at most ±40)")
    inclusion = n_list > 0  # a positive count lists included items, a negative one excluded
    include = [not inclusion] * 40
    for _ in range(abs(int(n_list))):
        item = cur.count("a parameter inclusion list entry")
        if not 1 <= item <= 40:
            raise cur.fail(f"parameter inclusion list entry {item} outside 1–40")
        include[item - 1] = inclusion
    cur.take(cur.count("the number of manually entered items"), "manually entered item")
    n_future_exp = cur.count("the number of future upgrade experiment entries")
    n_future_block = cur.count("the number of future upgrade block entries")
    cur.take(n_future_exp, "future upgrade experiment entry")
    n_blocks = cur.count("the number of blocks")
    if n_blocks == 0:
        raise cur.fail("the file has no blocks")
    return info, _Header(mode, scan, n_vars, names, include, n_future_block), n_blocks


def _block_items(cur: _Lines, h: _Header, first: dict[str, Any] | None) -> dict[str, Any]:
    """The block's items up to the ordinate values, excluded ones from the first block."""
    b: dict[str, Any] = {"name": cur.next("the block identifier"),
                            "sample_id": cur.next("the sample identifier")}
    cur.where += f" ({b['name'][:40]})" if b["name"] else ""

    def item(n: int, key: str, read: Callable[[], object]) -> None:
        if first is None or h.include[n - 1]:
            b[key] = read()
        else:
            b[key] = first[key]

    item(1, "date", lambda: [cur.next(w) for w in ("year", "month", "day", "hours", "minutes",
                                                   "seconds")])
    item(7, "gmt", lambda: cur.next("hours in advance of GMT"))
    item(8, "comments", lambda: tuple(ln.rstrip() for ln in cur.take(
        cur.count("the number of block comment lines"), "block comment")))
    item(9, "technique", lambda: cur.next("the technique"))
    technique = str(b["technique"])
    if h.mode in ("MAP", "MAPDP"):
        item(10, "xy", lambda: [cur.number("x coordinate"), cur.number("y coordinate")])
    item(11, "exp_values", lambda: [cur.next("an experimental variable value")
                                    for _ in range(h.n_exp_vars)])
    item(12, "source_label", lambda: cur.next("the analysis source label"))
    if h.mode in ("MAPDP", "MAPSVDP", "SDP", "SDPSV") or technique in _SPUTTER_TECHNIQUES:
        item(13, "sputter_ion", lambda: cur.take(3, "sputtering ion"))
    item(14, "source_energy_ev", lambda: cur.number("the source energy"))
    item(15, "source_strength", lambda: cur.next("the source strength"))
    item(16, "beam_width", lambda: cur.take(2, "beam width"))
    if h.mode in ("MAP", "MAPDP", "MAPSV", "MAPSVDP", "SEM"):
        item(17, "field_of_view", lambda: cur.take(2, "field of view"))
    if h.mode in ("MAPSV", "MAPSVDP", "SEM"):
        item(18, "linescan", lambda: cur.take(6, "linescan coordinates"))
    item(19, "source_polar", lambda: cur.next("the source polar angle"))
    item(20, "source_azimuth", lambda: cur.next("the source azimuth"))
    item(21, "analyser_mode", lambda: cur.next("the analyser mode"))
    item(22, "pass_energy", lambda: cur.number("the pass energy"))
    if technique == "AES diff":
        item(23, "differential_width", lambda: cur.next("the differential width"))
    item(24, "magnification", lambda: cur.next("the lens magnification"))
    item(25, "work_function", lambda: cur.number("the analyser work function"))
    item(26, "target_bias", lambda: cur.next("the target bias"))
    item(27, "analysis_width", lambda: cur.take(2, "analysis width"))
    item(28, "take_off", lambda: cur.take(2, "take-off angles"))
    item(29, "species", lambda: cur.next("the species label"))
    item(30, "transition", lambda: [cur.next("the transition label"),
                                    cur.next("the charge of the detected particle")])
    if h.scan == "REGULAR":
        item(31, "abscissa", lambda: [cur.next("the abscissa label"),
                                      cur.next("the abscissa units"),
                                      cur.number("the abscissa start"),
                                      cur.number("the abscissa increment")])
    item(32, "variables", lambda: [cur.take(2, "corresponding variable label and units")
                                   for _ in range(cur.count("the number of corresponding "
                                                            "variables"))])
    item(33, "signal_mode", lambda: cur.next("the signal mode"))
    item(34, "dwell_s", lambda: cur.number("the signal collection time"))
    item(35, "scans", lambda: cur.count("the number of scans"))
    item(36, "time_correction", lambda: cur.next("the signal time correction"))
    if h.mode in ("MAPDP", "MAPSVDP", "SDP", "SDPSV") and technique in _SPUTTER_SOURCE_TECHNIQUES:
        item(37, "sputter_source", lambda: cur.take(7, "sputtering source"))
    item(38, "tilt", lambda: cur.take(2, "sample tilt"))
    item(39, "rotation", lambda: cur.next("the sample rotation"))
    item(40, "additional", lambda: [cur.take(3, "additional numerical parameter")
                                    for _ in range(cur.count("the number of additional "
                                                             "numerical parameters"))])
    b["future"] = cur.take(h.n_future_block, "future upgrade block entry")
    return b


def _ordinates(cur: _Lines, n_vars: int) -> np.ndarray:
    """The ordinate values as an (n_points, n_vars) array."""
    n = cur.count("the number of ordinate values")
    if n_vars == 0 or n == 0 or n % n_vars:
        raise cur.fail(f"{n} ordinate values for {n_vars} corresponding variables "
                       "(not a whole number of points)")
    cur.take(2 * n_vars, "ordinate minimum and maximum")
    text = cur.take(n, "ordinate values (truncated block?)")
    try:
        values = np.array(text, dtype=float)
    except ValueError:
        bad = next(t for t in text if not _is_float(t))
        raise cur.fail(f"ordinate value {bad.strip()[:30]!r} is not a number") from None
    return values.reshape(-1, n_vars)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _finish(b: dict[str, Any], h: _Header, index: int, path: Path, where: str,
            data: np.ndarray) -> VamasBlock:
    """The typed block: axis, counts/cps, transmission, CASA lines."""
    def fail(msg: str) -> DataFileError:
        return DataFileError(f"{where}: {msg}", path)

    variables = [(str(lab).strip(), str(unit).strip()) for lab, unit in b["variables"]]
    columns = list(range(len(variables)))
    if h.scan == "REGULAR":
        label, _, start, step = b["abscissa"]
        if not (math.isfinite(step) and step != 0):
            raise fail(f"abscissa increment {step:g}: the energy axis must be monotonic")
        x = start + step * np.arange(data.shape[0])
        if not np.all(np.isfinite(x)):
            raise fail("the energy axis runs beyond the largest number")
    else:
        if len(variables) < 2:
            raise fail("an IRREGULAR block needs the abscissa and the ordinate as corresponding "
                       "variables")
        label, x = variables[0][0], data[:, 0]
        columns = columns[1:]
        steps = np.diff(x)
        if not (np.all(np.isfinite(x)) and (np.all(steps > 0) or np.all(steps < 0))):
            raise fail("the energy axis is not monotonic (IRREGULAR abscissa)")
    trans = [c for c in columns if variables[c][0].lower() == "transmission"]
    ordinate = next((c for c in columns if c not in trans), None)
    if ordinate is None:
        raise fail("no ordinate among the corresponding variables")
    y = data[:, ordinate]
    technique = str(b["technique"])
    if not np.all(np.isfinite(y)):
        raise fail(f"non-finite {variables[ordinate][0]} at point "
                   f"{int(np.flatnonzero(~np.isfinite(y))[0]) + 1}")
    if "diff" not in technique.lower() and np.any(y < 0):
        raise fail(f"negative {variables[ordinate][0]} at point "
                   f"{int(np.flatnonzero(y < 0)[0]) + 1}")
    dwell_s, scans = float(b["dwell_s"]), int(b["scans"])
    time_s = dwell_s * scans
    if not (math.isfinite(time_s) and time_s >= _MIN_DWELL_S) or scans < 1:
        raise fail(f"signal collection time {dwell_s:g} s and {scans} scans: both must be "
                   f"positive (at least {_MIN_DWELL_S:g} s in all)")
    hv = float(b["source_energy_ev"])
    if not math.isfinite(hv) or hv < 0 or hv >= _UNSET:
        raise fail(f"source energy {hv:g} eV is not a photon energy")
    axis = "binding" if "binding" in str(label).lower() else "kinetic"
    ke = hv - x if axis == "binding" else x
    photo = technique.upper() in _PHOTOEMISSION and hv > 0
    name, unit = variables[ordinate]
    with np.errstate(over="ignore"):
        if name.lower() in _RATE_LABELS or unit.lower() in _RATE_UNITS:
            cps, counts = y, y * time_s
        else:
            counts, cps = y, y / time_s
    if not (np.all(np.isfinite(counts)) and np.all(np.isfinite(cps))):
        raise fail(f"{name} beyond the largest number once converted with {time_s:g} s")
    try:
        regions, comps, calibs = parse_casa_lines(b["comments"])
    except CasaLineError as exc:
        raise fail(str(exc)) from None
    shift = sum(c.shift_ev for c in calibs if c.shift_ev is not None)
    notes = tuple(f"range calibration not applied (the peak CasaXPS found is not in the file): "
                  f"{c.line}" for c in calibs if c.shift_ev is None)
    comps = tuple(replace(c, be_ev=hv - c.position_ke_ev.value - shift,
                          calibrated_be_ev=hv - c.position_ke_ev.value) for c in comps)
    regions = tuple(replace(r, be_min_ev=hv - max(r.start_ke_ev, r.end_ke_ev) - shift,
                            be_max_ev=hv - min(r.start_ke_ev, r.end_ke_ev) - shift)
                    for r in regions)
    params = {str(lab).strip(): (str(u).strip(), str(v).strip())
              for lab, u, v in b["additional"]}
    params.update({n: ("", str(v).strip()) for n, v in zip(h.exp_var_names, b["exp_values"],
                                                           strict=False)})
    transition = b["transition"][0]
    return VamasBlock(
        name=str(b["name"]), sample_id=str(b["sample_id"]), technique=technique,
        species=str(b["species"]), transition=str(transition), index=index,
        source_label=str(b["source_label"]), source_energy_ev=hv,
        work_function_ev=_optional(float(b["work_function"])),
        pass_energy_ev=(_optional(float(b["pass_energy"])) if b["analyser_mode"] == "FAT"
                        else None),
        analyser_mode=str(b["analyser_mode"]), axis=axis, kinetic_energy_ev=ke,
        binding_energy_ev=hv - ke if photo else None, counts=counts, cps=cps, ordinate=name,
        dwell_s=dwell_s, scans=scans,
        transmission=data[:, trans[0]] if trans else None, casa_regions=regions,
        casa_components=comps, casa_calibrations=calibs, calibration_shift_ev=float(shift),
        comments=tuple(b["comments"]), parameters=params, notes=notes)


def _text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataFileError(f"larger than {MAX_BYTES} bytes: not an XPS file", path)
        with open(path, "rb") as fh:  # read-only
            return fh.read().decode("latin-1")
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror or exc}", path) from None


def read_vamas(path: str | os.PathLike[str]) -> VamasFile:
    """Read a VAMAS file (any name, e.g. PHI's ``.npl``).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    VamasFile
        Header and blocks, energies in eV.

    Raises
    ------
    DataFileError
        Not a VAMAS file, a truncated block, a missing or malformed field, negative or
        non-finite counts, a non-monotonic energy axis; the message names the file and block.
    """
    p = Path(path)
    lines = _text(p).splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip()), len(lines))
    cur = _Lines(lines[start:], p, start)
    info, h, n_blocks = _header(cur)
    blocks: list[VamasBlock] = []
    first: dict[str, Any] | None = None
    for k in range(n_blocks):
        cur.where = f"block {k + 1}"
        items = _block_items(cur, h, first)
        first = first or items
        data = _ordinates(cur, len(items["variables"]))
        blocks.append(_finish(items, h, k, p, cur.where, data))
    comments = info.pop("header_comments")
    casa = next((c.split("CasaXPS Version", 1)[1].strip() for c in comments
                 if "CasaXPS Version" in c), "")
    return VamasFile(path=p, blocks=tuple(blocks), header_comments=comments,
                     casa_version=casa, **info)


def read_xps(path: str | os.PathLike[str]) -> VamasFile:
    """Read an XPS file: a CSV table (name ending in ``.csv``) with :func:`read_xps_csv`, any
    other file as VAMAS with :func:`read_vamas`.

    Raises
    ------
    DataFileError
        As the reader used raises it.

    Examples
    --------
    A synthetic VAMAS file of five regions (written by :mod:`cald.synth.xps`):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from cald.io.vamas import read_xps
    >>> from cald.synth.xps import demo_regions, write_vamas
    >>> path = write_vamas(Path(tempfile.mkdtemp()) / "xps.vms", demo_regions(3, seed=1))
    >>> vamas = read_xps(path)
    >>> [block.label for block in vamas.blocks]
    ['Cd 3d', 'Se 3d', 'O 1s', 'Al 2s', 'C 1s']
    """
    from cald.io.xps_csv import read_xps_csv

    p = Path(path)
    return read_xps_csv(p) if p.suffix.lower() == ".csv" else read_vamas(p)


def _component_dict(c: CasaComponent) -> dict[str, Any]:
    ties = [{"parameter": p, "component": getattr(c, attr).link,
             ("offset_ev" if attr == "position_ke_ev" else "factor"): getattr(c, attr).factor}
            for p, attr in (("area", "area"), ("fwhm", "fwhm_ev"), ("position", "position_ke_ev"))
            if not getattr(c, attr).free]
    return {"name": c.name, "lineshape": c.lineshape, "be_ev": c.be_ev,
            "casa_be_ev": c.calibrated_be_ev, "fwhm_ev": c.fwhm_ev.value, "area": c.area.value,
            "rsf": c.rsf, "ties": ties}


def block_summary(block: VamasBlock) -> dict[str, Any]:
    """What ``cald xps read --json`` reports of a block (JSON-ready, no arrays).

    ``be_min_ev``/``be_max_ev`` and each component's ``be_ev`` are on the data's own axis;
    ``casa_be_ev`` is the binding energy CasaXPS shows (``be_ev + calibration_shift_ev``);
    areas in CPS·eV, as CasaXPS stores them.
    """
    be = block.binding_energy_ev
    return {
        "name": block.label, "index": block.index, "sample_id": block.sample_id,
        "technique": block.technique, "species": block.species,
        "transition": block.transition, "n_points": block.n_points,
        "be_min_ev": None if be is None else float(be.min()),
        "be_max_ev": None if be is None else float(be.max()),
        "ke_min_ev": float(block.kinetic_energy_ev.min()),
        "ke_max_ev": float(block.kinetic_energy_ev.max()),
        "axis": block.axis, "source_label": block.source_label,
        "source_energy_ev": block.source_energy_ev, "pass_energy_ev": block.pass_energy_ev,
        "ordinate": block.ordinate, "dwell_s": block.dwell_s, "scans": block.scans,
        "transmission": block.transmission is not None,
        "calibration_shift_ev": block.calibration_shift_ev,
        "casa_regions": [{"name": r.name, "background": r.background, "be_min_ev": r.be_min_ev,
                          "be_max_ev": r.be_max_ev, "av_width": r.av_width,
                          "cross_section": list(r.cross_section), "rsf": r.rsf}
                         for r in block.casa_regions],
        "casa_components": [_component_dict(c) for c in block.casa_components],
        "notes": list(block.notes)}
