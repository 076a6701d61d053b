"""Varian/Agilent VnmrJ ``.fid`` folders: ``procpar`` and the raw ``fid`` of one FID or an array.

The folder holds ``procpar`` (every parameter, text), ``fid`` (binary) and ``text`` (the comment).
Both are read here, so that every inconsistency gets a clear error:

* ``procpar``: one parameter after another, each a header line (name, subtype, basic type,
  limits, groups, protection, *active*, pointer), a value line (count, then the values; strings
  in double quotes, one per line) and an enumeration line; a parameter cut by the end of the
  file is an error naming it. A parameter that is "not used" (``lb = 'n'`` in VnmrJ) is stored
  with its active flag 0 and is ignored here as VnmrJ ignores it.
* ``fid``: a 32-byte big-endian file header (blocks, traces per block, values per trace, bytes
  per value, per trace, per block, version, status, block headers per block), then per block
  its 28-byte headers and the traces; values int16, int32 or float32 (status bits), complex
  pairs. The layout is checked against the header and the file's size when the folder is read,
  and traces are read through a read-only memory map only when asked for.

Translation into cald's conventions (:mod:`cald.io.nmrdata`):

* the nucleus from ``tn`` (``C13`` → 13C); the carrier is ``sfrq`` (the centre of the spectral
  window); VnmrJ references by ``rfl`` (Hz of the reference line from the right edge, the
  lowest-frequency point, at carrier − sw/2) and ``rfp`` (its shift in Hz), so that 0 ppm lies
  at ``reffrq`` = sfrq − (sw/2 − rfl + rfp)·10⁻⁶ MHz (the value VnmrJ stores as ``reffrq``,
  checked on real data); without ``rfl``/``rfp`` the right edge is 0 Hz, as VnmrJ draws it;
* a point at ν Hz from the carrier lies at (sfrq·10⁶ + ν − reffrq·10⁶)/reffrq ppm, which puts
  the lines VnmrJ lists (``llfrq``, Hz from the right edge) at (llfrq − rfl + rfp)/reffrq ppm:
  the same axis;
* the stored points are the complex conjugate of cald's convention (checked on real data: the
  conjugate puts VnmrJ's listed lines at their ppm), so they are conjugated when read; a left
  shift ``lsfid`` (points; negative: right shift with zeros in front) is applied when the rows
  are read, as VnmrJ applies it before the transform; the first point is then t = 0, and the
  delays before it (``alfa``, ``rof2``, the digital filter) are in VnmrJ's first-order phase;
* phases: VnmrJ's ``rp``/``lp`` become PHC0/PHC1 (:func:`vnmrj_phases`);
* arrays: every parameter named in ``array`` (``"nt"``, ``"ncyc,d2"``, jointly arrayed
  ``"(a,b)"``) gives one value per FID (the last parameter of ``array`` varying fastest);
  integers are loop counts (not ``nt`` and other counts of scans or points), delays seconds,
  pulse widths (µs) seconds; the increments of a 2D/3D experiment (``ni``, ``ni2``) are the
  outermost loops; the number of FIDs must match;
* ``srate`` (Hz) gives the rotor period, ``ct`` (else ``nt``) the scans, ``gain`` (dB) the
  receiver gain as the amplitude factor 10^(gain/20).

Raw files are only ever opened for reading.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError
from cald.io.nmrdata import ArrayedValues, folder_of, gain_from_db
from cald.io.textfile import read_text
from cald.nuclei import ISOTOPES
from cald.processing_options import ProcessingOptions

__all__ = [
    "ProcparParameter",
    "VarianDataset",
    "VarianLayout",
    "parse_procpar",
    "read_procpar",
    "read_varian",
    "vnmrj_phases",
]

#: procpar subtypes (VnmrJ User Programming, "Format of stored parameters").
_SUBTYPE_DELAY, _SUBTYPE_PULSE, _SUBTYPE_INTEGER = 3, 6, 7
#: Integer parameters that are not loop counters (scans, block size, transients, points,
#: increments, the hypercomplex phase selectors).
_NOT_LOOP_COUNTS = ("nt", "bs", "ct", "ss", "np", "fn", "ni", "ni2", "phase", "phase2")
#: Parameters without which the folder cannot be read.
REQUIRED = ("tn", "sfrq", "sw", "np")
#: Status bits of the fid file header.
_S_DATA, _S_32, _S_FLOAT, _S_COMPLEX = 0x1, 0x4, 0x8, 0x10
_FILE_HEADER_BYTES, _BLOCK_HEADER_BYTES = 32, 28
#: Zero filling beyond this many times the FID's complex points (fn) is refused as corrupt.
_MAX_ZERO_FILL = 32
#: |lb| beyond this (Hz) is a corrupt value.
_MAX_LB_HZ = 1e7
#: Settings that must agree for two acquisitions to be compared (relative tolerance; None:
#: equal): nucleus, decoupled nucleus, sequence, size, width, frequency, delays, pulses, powers,
#: MAS rate.
_MUST_MATCH: dict[str, float | None] = {
    "tn": None, "dn": None, "seqfil": None, "np": None, "sw": 1e-6, "sfrq": 1e-8, "d1": 1e-6,
    "d2": 1e-6, "pw": 1e-6, "p1": 1e-6, "tpwr": 1e-3, "dpwr": 1e-3, "srate": 1e-3,
}


@dataclass(frozen=True)
class ProcparParameter:
    """One procpar parameter.

    Attributes
    ----------
    name
        Its name.
    subtype
        VnmrJ subtype: 1 real, 2 string, 3 delay (s), 4 flag, 5 frequency (Hz), 6 pulse (µs),
        7 integer.
    values
        Numbers (basic type 1) or strings (basic type 2); several for an arrayed parameter.
    active
        False when VnmrJ marks the parameter as not used (``'n'``).
    """

    name: str
    subtype: int
    values: tuple[Any, ...]
    active: bool = True


def _string_values(first: str, lines: list[str], i: int, count: int, name: str,
                   source: Path) -> tuple[list[str], int]:
    """``count`` double-quoted strings, the first starting in ``first``, each further one on
    its own line (a string may continue over lines until its closing quote)."""
    values: list[str] = []
    text = first
    while True:
        start = text.find('"')
        if start < 0:
            raise DataFileError(f"parameter {name}: string value without opening quote", source)
        body = text[start + 1:]
        while re.search(r'(?<!\\)"', body) is None:
            if i >= len(lines):
                raise DataFileError(f"parameter {name}: string not closed before the end of the "
                                    "file (file truncated?)", source)
            body += "\n" + lines[i]
            i += 1
        end = re.search(r'(?<!\\)"', body)
        assert end is not None
        values.append(body[: end.start()].replace('\\"', '"'))
        if len(values) == count:
            return values, i
        if i >= len(lines):
            raise DataFileError(f"parameter {name}: {len(values)} of {count} strings before the "
                                "end of the file (file truncated?)", source)
        text = lines[i]
        i += 1


def parse_procpar(text: str, source: Path) -> dict[str, ProcparParameter]:
    """Parse the text of a VnmrJ ``procpar`` file.

    Every line is consumed at most once: a parameter cut by the end of the file (an interrupted
    copy), a count that the lines do not hold and a line that cannot be parsed are a
    :class:`DataFileError` naming the parameter, never a wait for lines that will not come.
    """
    lines = text.splitlines()
    params: dict[str, ProcparParameter] = {}
    i = 0
    while i < len(lines):
        header = lines[i].split()
        i += 1
        if not header:
            continue
        name = header[0]
        if len(header) != 11:
            raise DataFileError(f"line {i}: {lines[i - 1][:60]!r} is not a parameter header "
                                "(name and 10 numbers)", source)
        try:
            subtype, basictype, active = int(header[1]), int(header[2]), int(header[9])
        except ValueError:
            raise DataFileError(f"parameter {name}: header {lines[i - 1][:60]!r} holds no "
                                "subtype/type numbers", source) from None
        if basictype not in (1, 2):
            raise DataFileError(f"parameter {name}: basic type {basictype} (1 real, 2 string)",
                                source)
        if i >= len(lines):
            raise DataFileError(f"parameter {name}: no values before the end of the file (file "
                                "truncated?)", source)
        value_line = lines[i]
        i += 1
        count_text, _, rest = value_line.strip().partition(" ")
        try:
            count = int(count_text)
        except ValueError:
            raise DataFileError(f"parameter {name}: value count {count_text!r} is not an "
                                "integer", source) from None
        if count < 0 or count > len(text):
            raise DataFileError(f"parameter {name}: value count {count} is not possible", source)
        values: list[Any]
        if basictype == 1:
            tokens = rest.split()
            while len(tokens) < count:
                if i >= len(lines):
                    raise DataFileError(f"parameter {name}: {len(tokens)} of {count} values "
                                        "before the end of the file (file truncated?)", source)
                tokens.extend(lines[i].split())
                i += 1
            try:
                values = [float(t) for t in tokens[:count]]
            except ValueError:
                raise DataFileError(f"parameter {name}: values {rest[:40]!r} are not numbers",
                                    source) from None
        else:
            values, i = _string_values(rest, lines, i, count, name, source) if count else ([], i)
        if i >= len(lines):
            raise DataFileError(f"parameter {name}: enumeration line missing (file truncated?)",
                                source)
        i += 1  # the enumeration line (allowed values): not needed
        params[name] = ProcparParameter(name, subtype, tuple(values), active == 1)
    return params


def read_procpar(path: str | os.PathLike[str]) -> dict[str, ProcparParameter]:
    """Parse a ``procpar`` file (see :func:`parse_procpar`)."""
    p = Path(path)
    params = parse_procpar(read_text(p, "missing procpar"), p)
    if not params:
        raise DataFileError("holds no parameters", p)
    return params


def _number(params: dict[str, ProcparParameter], key: str, source: Path,
            default: float | None = None, active_only: bool = False) -> float:
    """The first value of a numeric parameter (``default`` when missing, or inactive with
    ``active_only``)."""
    par = params.get(key)
    if par is None or (active_only and not par.active):
        if default is None:
            raise DataFileError(f"parameter {key} missing", source)
        return default
    if not par.values or not isinstance(par.values[0], float):
        raise DataFileError(f"parameter {key} = {par.values[:1]!r} is not a number", source)
    value = par.values[0]
    if not math.isfinite(value):
        raise DataFileError(f"parameter {key} = {value} is not finite", source)
    return value


def _text(params: dict[str, ProcparParameter], key: str, default: str = "") -> str:
    par = params.get(key)
    return str(par.values[0]) if par is not None and par.values else default


def _nucleus(params: dict[str, ProcparParameter], source: Path) -> str:
    """The observed isotope from ``tn`` (VnmrJ spells it element first: ``C13``, ``Al27``)."""
    tn = _text(params, "tn").strip()
    match = re.fullmatch(r"([A-Za-z]{1,2})(\d{1,3})|(\d{1,3})([A-Za-z]{1,2})", tn)
    if match is None:
        raise DataFileError(f"tn = {tn!r} is not a nucleus (e.g. C13, H1, Al27)", source)
    element, mass = (match.group(1), match.group(2)) if match.group(1) else (match.group(4),
                                                                           match.group(3))
    symbol = f"{int(mass)}{element.capitalize()}"
    if symbol not in ISOTOPES:
        raise DataFileError(f"tn = {tn!r} is not a known isotope", source)
    return symbol


def vnmrj_phases(rp_deg: float, lp_deg: float) -> tuple[float, float]:
    """VnmrJ's phases as TopSpin's (PHC0, PHC1), cald's convention.

    VnmrJ's first-order phase ``lp`` is zero at the right edge of the spectrum and ``lp`` at
    the left edge (its pivot is the right edge), and both phases turn the opposite way to
    TopSpin's: PHC0 = −(rp + lp), PHC1 = lp (checked on real data: the stored rp/lp make the
    lines absorptive only with this mapping)."""
    return -(rp_deg + lp_deg), lp_deg


@dataclass(frozen=True)
class VarianLayout:
    """Where the complex points of a ``fid`` lie in the file.

    Attributes
    ----------
    path
        The ``fid`` file (only ever opened read-only).
    dtype
        Stored big-endian type (int16, int32 or float32, from the status bits).
    n_blocks, n_traces
        Blocks and traces per block; every trace is one FID (one row).
    n_values
        Real values per trace (np: twice the complex points).
    block_bytes, block_header_bytes
        Bytes per block and of its headers (which precede the traces).
    lsfid
        Left shift (points) applied when rows are read; negative: right shift.
    """

    path: Path
    dtype: np.dtype[Any]
    n_blocks: int
    n_traces: int
    n_values: int
    block_bytes: int
    block_header_bytes: int
    lsfid: int = 0

    @property
    def n_rows(self) -> int:
        """FIDs in the file."""
        return self.n_blocks * self.n_traces

    @property
    def n_complex(self) -> int:
        """Complex points per FID (np/2)."""
        return self.n_values // 2

    def read(self, start: int = 0, stop: int | None = None) -> NDArray[np.complex128]:
        """Complex rows ``start:stop`` (FIDs in file order), conjugated into cald's convention
        and shifted by ``lsfid``, from a read-only memory map of the blocks that hold them."""
        stop = self.n_rows if stop is None else min(stop, self.n_rows)
        count = max(stop - start, 0)
        if count == 0:
            return np.empty((0, self.n_complex), dtype=np.complex128)
        first_block, last_block = start // self.n_traces, (stop - 1) // self.n_traces + 1
        try:
            mapped = np.memmap(self.path, dtype=np.uint8, mode="r",
                               shape=(last_block - first_block, self.block_bytes),
                               offset=_FILE_HEADER_BYTES + first_block * self.block_bytes)
        except (OSError, ValueError) as exc:
            raise DataFileError(f"cannot read FIDs {start + 1}–{stop}: {exc}", self.path) from None
        traces = np.ascontiguousarray(mapped[:, self.block_header_bytes:]).view(self.dtype)
        del mapped
        values = traces.reshape(-1, self.n_values)[start - first_block * self.n_traces:][:count]
        out = (values[:, 0::2] - 1j * values[:, 1::2]).astype(np.complex128)
        if self.lsfid > 0:
            out = np.concatenate([out[:, self.lsfid:], np.zeros((count, self.lsfid))], axis=1)
        elif self.lsfid < 0:
            out = np.concatenate([np.zeros((count, -self.lsfid)), out[:, : self.lsfid]], axis=1)
        return out


def _layout(path: Path, params: dict[str, ProcparParameter], procpar: Path) -> VarianLayout:
    """The layout of ``fid`` from its file header, checked against itself, procpar's np and the
    file's size (a truncated file is an error here)."""
    size = path.stat().st_size
    if size < _FILE_HEADER_BYTES:
        raise DataFileError(f"{size} bytes: shorter than the 32-byte file header (truncated?)",
                            path)
    with open(path, "rb") as fh:
        head = np.frombuffer(fh.read(_FILE_HEADER_BYTES), dtype=">i4", count=6)
        fh.seek(26)
        status = int(np.frombuffer(fh.read(2), dtype=">i2")[0])
        n_headers = int(np.frombuffer(fh.read(4), dtype=">i4")[0])
    n_blocks, n_traces, n_values, ebytes, tbytes, bbytes = (int(x) for x in head)
    if not status & _S_DATA:
        raise DataFileError(f"file header status {status:#x}: no data", path)
    if status & _S_FLOAT:
        kind = "f4"
    elif status & _S_32:
        kind = "i4"
    else:
        kind = "i2"
    dtype = np.dtype(">" + kind)
    if ebytes != dtype.itemsize:
        raise DataFileError(f"file header: {ebytes} bytes per value, but the status bits say "
                            f"{dtype.name}", path)
    if n_blocks < 1 or n_traces < 1 or n_values < 2 or n_values % 2 or n_headers < 0:
        raise DataFileError(f"file header: {n_blocks} blocks × {n_traces} traces × {n_values} "
                            f"values, {n_headers} block headers is not a data layout", path)
    if tbytes != n_values * ebytes or bbytes != n_traces * tbytes + n_headers * _BLOCK_HEADER_BYTES:
        raise DataFileError(f"file header: {tbytes} bytes per trace and {bbytes} per block do "
                            f"not fit {n_traces} traces of {n_values} values of {ebytes} bytes "
                            f"and {n_headers} block headers", path)
    expected = _FILE_HEADER_BYTES + n_blocks * bbytes
    if size != expected:
        whole = (size - _FILE_HEADER_BYTES) // bbytes
        raise DataFileError(f"holds {size} bytes, the header says {n_blocks} blocks of {bbytes} "
                            f"= {expected} (truncated? {whole} whole blocks)", path)
    np_par = _number(params, "np", procpar)
    if int(np_par) != n_values:
        raise DataFileError(f"np = {np_par:g}, but the fid holds {n_values} values per FID",
                            procpar)
    lsfid = int(_number(params, "lsfid", procpar, default=0.0, active_only=True))
    if abs(lsfid) >= n_values // 2:
        raise DataFileError(f"lsfid = {lsfid} shifts the whole FID of {n_values // 2} points away",
                            procpar)
    return VarianLayout(path, dtype, n_blocks, n_traces, n_values, bbytes,
                        n_headers * _BLOCK_HEADER_BYTES, lsfid)


def _array_groups(params: dict[str, ProcparParameter], source: Path) -> list[list[str]]:
    """The parameter groups of ``array``: ``"a,(b,c)"`` → [[a], [b, c]] (jointly arrayed
    parameters in one group)."""
    spec = _text(params, "array").replace(" ", "")
    groups: list[list[str]] = []
    for match in re.finditer(r"\(([^()]*)\)|([^,()]+)", spec):
        names = (match.group(1) or match.group(2)).split(",")
        if any(not n for n in names):
            raise DataFileError(f"array = {spec!r} is not a list of parameter names", source)
        groups.append(names)
    return groups


def _arrays(params: dict[str, ProcparParameter], n_rows: int,
            source: Path) -> tuple[dict[str, ArrayedValues], dict[str, tuple[str, ...]]]:
    """Arrayed parameters as values per FID (the last group of ``array`` varying fastest):
    numbers as :class:`ArrayedValues`, strings (flags) apart. The product of the group sizes
    must be the number of FIDs."""
    groups = _array_groups(params, source)
    sizes = []
    for names in groups:
        missing = [n for n in names if n not in params]
        if missing:
            raise DataFileError(f"array names {', '.join(missing)}, not in procpar", source)
        lengths = {len(params[n].values) for n in names}
        if len(lengths) != 1:
            raise DataFileError(f"jointly arrayed {', '.join(names)} have different lengths "
                                f"{sorted(lengths)}", source)
        sizes.append(lengths.pop())
    # increments of the indirect dimensions (ni, ni2) are the outermost loops
    increments = math.prod(int(v) for v in (_number(params, k, source, default=1.0,
                                                    active_only=True) for k in ("ni", "ni2"))
                           if v > 1)
    per_increment = math.prod(sizes) if groups else 1
    total = per_increment * increments
    if groups and total != n_rows:
        factors = " × ".join(str(n) for n in (*sizes, increments) if n > 1)
        raise DataFileError(f"array = {_text(params, 'array')!r} gives {total} FIDs "
                            f"({factors}), but the fid holds {n_rows}", source)
    numeric: dict[str, ArrayedValues] = {}
    strings: dict[str, tuple[str, ...]] = {}
    for g, names in enumerate(groups):
        inner = math.prod(sizes[g + 1:])
        index = (np.arange(total) // inner) % sizes[g]
        for name in names:
            par = params[name]
            if par.values and isinstance(par.values[0], str):
                strings[name] = tuple(str(par.values[k]) for k in index)
                continue
            values = np.asarray(par.values, dtype=float)[index]
            unit = {_SUBTYPE_DELAY: "s", _SUBTYPE_PULSE: "s", _SUBTYPE_INTEGER: "count"}.get(
                par.subtype, "")
            if name in _NOT_LOOP_COUNTS:
                unit = ""
            if par.subtype == _SUBTYPE_PULSE:
                values = values * 1e-6
            numeric[name] = ArrayedValues(name, values, unit)
    return numeric, strings


def _processing(params: dict[str, ProcparParameter], n_complex: int,
                source: Path) -> ProcessingOptions:
    """VnmrJ's weighting, Fourier number and phases as :class:`ProcessingOptions`: ``lb`` →
    exponential; ``gf`` (Gaussian time constant, s) → the Gaussian window of FWHM
    2√ln2/(π·gf) Hz; ``fn`` (real points; default np rounded up to a power of 2) → size;
    ``rp``/``lp`` → PHC0/PHC1 (:func:`vnmrj_phases`). What cald does not apply (sine bell
    ``sb``, shifted Gaussian ``gfs``, ``awc``, the frequency shift ``lsfrq``, a first-point
    multiplier ``fpmult``) says so in ``notes``."""
    lb_hz = _number(params, "lb", source, default=0.0, active_only=True)
    if abs(lb_hz) > _MAX_LB_HZ:
        raise DataFileError(f"lb = {lb_hz:g} Hz is not a line broadening (|lb| ≤ {_MAX_LB_HZ:g})",
                            source)
    gf_s = _number(params, "gf", source, default=0.0, active_only=True)
    gb_hz = 0.0
    if gf_s:
        if gf_s <= 0:
            raise DataFileError(f"gf = {gf_s:g} s must be positive", source)
        gb_hz = 2.0 * math.sqrt(math.log(2.0)) / (math.pi * gf_s)
    notes = tuple(f"{source}: {key} = {_number(params, key, source):g} is not supported; not "
                  "applied" for key in ("sb", "gfs", "awc", "lsfrq")
                  if _number(params, key, source, default=0.0, active_only=True))
    fpmult = _number(params, "fpmult", source, default=1.0, active_only=True)
    if fpmult != 1.0:
        notes += (f"{source}: first-point multiplier fpmult = {fpmult:g} not applied (it moves "
                  "the baseline, not the lines)",)
    fn = _number(params, "fn", source, default=0.0, active_only=True)
    size = int(fn) // 2 if fn else 1 << max(int(n_complex - 1).bit_length(), 0)
    if not 1 <= size <= max(_MAX_ZERO_FILL * n_complex, 1 << 16):
        raise DataFileError(f"fn = {fn:g} is not a spectrum size for an FID of {n_complex} "
                            "complex points", source)
    p0, p1 = vnmrj_phases(_number(params, "rp", source, default=0.0),
                          _number(params, "lp", source, default=0.0))
    if not (abs(p0) < 1e6 and abs(p1) < 1e6):
        raise DataFileError(f"rp/lp = {p0:g}/{p1:g}° are not phases", source)
    window = "gaussian" if gb_hz else ("exponential" if lb_hz else "none")
    return ProcessingOptions(window=window, lb_hz=lb_hz, gb_hz=gb_hz, size=size, p0_deg=p0,
                             p1_deg=p1, notes=notes)


@dataclass(frozen=True)
class VarianDataset:
    """A VnmrJ ``.fid`` folder: its parameters and raw data (a :class:`NmrDataset`).

    Attributes
    ----------
    path
        The ``.fid`` folder.
    procpar
        Every parameter of ``procpar``.
    layout
        Where the FIDs lie in ``fid`` (checked against the file's size); read on demand.
    nucleus, sf_mhz, carrier_mhz, sw_hz
        Observed isotope (``tn``), 0-ppm frequency (``reffrq`` from ``rfl``/``rfp``), carrier
        ``sfrq`` and spectral width ``sw``.
    group_delay
        First-point delay in dwell times (0: VnmrJ's delays are in its phase ``lp``; given with
        ``grpdly``).
    processing
        VnmrJ's processing parameters as typed options.
    arrays
        Numeric arrayed parameters, one value per FID.
    array_flags
        String-valued arrayed parameters (flags such as ``dephase = 'y','n'``), one per FID.
    title
        The ``text`` file (VnmrJ's comment).
    """

    path: Path
    procpar: dict[str, ProcparParameter]
    layout: VarianLayout
    nucleus: str
    sf_mhz: float
    carrier_mhz: float
    sw_hz: float
    group_delay: float = 0.0
    processing: ProcessingOptions = field(default_factory=ProcessingOptions)
    arrays: dict[str, ArrayedValues] = field(default_factory=dict)
    array_flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    title: str = ""

    @property
    def vendor(self) -> str:
        """``"varian"``."""
        return "varian"

    @property
    def parameter_file(self) -> Path:
        """``procpar``."""
        return self.path / "procpar"

    @cached_property
    def raw(self) -> NDArray[np.complex128]:
        """All FIDs, shape (np/2,) for one FID or (FIDs, np/2) for an array."""
        rows = self.layout.read()
        return rows[0] if self.layout.n_rows == 1 else rows

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of :attr:`raw` without reading it."""
        n = self.layout.n_complex
        return (n,) if self.layout.n_rows == 1 else (self.layout.n_rows, n)

    @property
    def is_series(self) -> bool:
        """True for an array of FIDs."""
        return self.layout.n_rows > 1

    def read_rows(self, start: int, stop: int) -> NDArray[np.complex128]:
        """FIDs ``start:stop`` (0-based)."""
        if "raw" in self.__dict__ and self.is_series:
            return self.raw[start:stop]
        return self.layout.read(start, stop)

    @property
    def dwell_s(self) -> float:
        """1/sw (s)."""
        return 1.0 / self.sw_hz

    def _value(self, key: str, default: float) -> float:
        return _number(self.procpar, key, self.parameter_file, default=default)

    @property
    def rotor_period_s(self) -> float | None:
        """1/srate (srate: the MAS rate in Hz); ``None`` without a positive srate."""
        rate = self._value("srate", 0.0)
        return 1.0 / rate if rate > 0 else None

    @property
    def cpmg_echo_period_s(self) -> float | None:
        """Not stored in a form common to VnmrJ's CPMG sequences: ``None`` (give it)."""
        return None

    @property
    def scans(self) -> int:
        """Completed transients ``ct`` (else ``nt``)."""
        return int(self._value("ct", 0.0) or self._value("nt", 1.0))

    @property
    def receiver_gain(self) -> float:
        """10^(gain/20): VnmrJ's ``gain`` (dB) as an amplitude factor."""
        return gain_from_db(self._value("gain", 0.0), "gain", self.parameter_file)

    def acquisition_settings(self) -> dict[str, tuple[Any, float | None]]:
        """Nucleus, decoupled nucleus, sequence, np, sw, sfrq, d1, d2, pw, p1, powers, srate
        (arrayed values compared element by element)."""
        out: dict[str, tuple[Any, float | None]] = {}
        for key, tol in _MUST_MATCH.items():
            par = self.procpar.get(key)
            value = None if par is None else (list(par.values) if len(par.values) > 1
                                              else par.values[0] if par.values else None)
            out[key] = (value, tol)
        return out

    def meta(self) -> dict[str, Any]:
        """Acquisition facts a processed spectrum carries along."""
        keys = ("nt", "ct", "gain", "np", "sw", "at", "d1", "pw", "seqfil", "srate", "console",
                "dsp", "lsfid", "rfl", "rfp", "temp")
        out = {k: (self.procpar[k].values[0] if len(self.procpar[k].values) == 1
                   else list(self.procpar[k].values))
               for k in keys if k in self.procpar and self.procpar[k].values}
        out["group_delay"] = self.group_delay
        out["nucleus"] = self.nucleus
        if "d1" in self.procpar and self.procpar["d1"].values:
            out["d1_s"] = float(self.procpar["d1"].values[0])
        return out


def read_varian(path: str | os.PathLike[str], grpdly: float | None = None) -> VarianDataset:
    """Read a VnmrJ ``.fid`` folder (``procpar`` + ``fid``).

    Parameters
    ----------
    path
        The folder, or its ``fid`` or ``procpar`` file.
    grpdly
        First-point delay in dwell times to remove as a first-order phase (default 0: VnmrJ
        keeps the delays in its phase ``lp``, which the stored processing applies).
    """
    p = Path(path)
    if not p.exists():
        raise DataFileError("no such folder", p)
    folder = folder_of(p, ("fid", "procpar")) or p
    procpar_path = folder / "procpar"
    if not procpar_path.is_file():
        raise DataFileError("not a Varian/Agilent data set: missing procpar", folder)
    if not (folder / "fid").is_file():
        raise DataFileError("no fid file", folder)
    params = read_procpar(procpar_path)
    missing = [k for k in REQUIRED if k not in params or not params[k].values]
    if missing:
        raise DataFileError(f"procpar lacks {', '.join(missing)} (needed: {', '.join(REQUIRED)})",
                            procpar_path)
    layout = _layout(folder / "fid", params, procpar_path)
    sw = _number(params, "sw", procpar_path)
    sfrq = _number(params, "sfrq", procpar_path)
    if sw <= 0 or sfrq <= 0:
        raise DataFileError(f"sw = {sw:g} Hz and sfrq = {sfrq:g} MHz must be positive",
                            procpar_path)
    rfl = _number(params, "rfl", procpar_path, default=0.0)
    rfp = _number(params, "rfp", procpar_path, default=0.0)
    reffrq = sfrq - (sw / 2.0 - rfl + rfp) * 1e-6
    if not reffrq > 0:
        raise DataFileError(f"rfl = {rfl:g}, rfp = {rfp:g} Hz put 0 ppm at {reffrq:g} MHz",
                            procpar_path)
    if grpdly is not None and not (math.isfinite(grpdly) and grpdly >= 0):
        raise DataFileError(f"--grpdly must be a finite number of points ≥ 0, got {grpdly}",
                            procpar_path)
    arrays, flags = _arrays(params, layout.n_rows, procpar_path)
    text_path = folder / "text"
    title = text_path.read_text(encoding="latin-1").strip() if text_path.is_file() else ""
    return VarianDataset(
        path=folder, procpar=params, layout=layout, nucleus=_nucleus(params, procpar_path),
        sf_mhz=reffrq, carrier_mhz=sfrq, sw_hz=sw, group_delay=float(grpdly or 0.0),
        processing=_processing(params, layout.n_complex, procpar_path), arrays=arrays,
        array_flags=flags, title=title)
