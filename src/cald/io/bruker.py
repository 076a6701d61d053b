"""Bruker TopSpin/XWIN-NMR data sets: parameters, raw FIDs and series, processed spectra, lists.

Parameter files (``acqus``, ``acqu2s``, ``procs``, ``proc2s``) are parsed here (values as nmrglue's
JCAMP reader gives them, but a file cut inside a parameter is an error, not an endless wait for
lines); binary data are read here so that every inconsistency gets a clear error:

* raw ``fid``/``ser``: byte order from BYTORDA, type from DTYPA (0 int32, 2 float64), TD complex
  pairs per row, rows padded to 1024-byte blocks in ``ser`` files (and tolerated in ``fid``);
  the layout is checked against the file's size when the folder is read, and the points are
  read through a read-only memory map only when asked for: all at once (``BrukerDataset.raw``)
  or a few rows at a time (:func:`raw_row_blocks`), so that a series of gigabytes is processed
  row by row in bounded memory;
* the digital-filter group delay (in dwell times) from GRPDLY, or for older firmware from the
  DECIM/DSPFVS table (nmrglue's ``bruker_dsp_table``); data acquired without a digital filter
  (DIGMOD = 0, or DSPFVS ≥ 14 without GRPDLY) have a delay of 0 and pass through untouched;
* processed ``1r``/``1i``/``2rr`` scaled by 2**NC_proc, with the ppm axis from OFFSET, SW_p, SF,
  SI exactly as TopSpin draws it (first point at OFFSET, decreasing);
* the nucleus from NUC1, or from BF1 and the 1H base frequency with the Ξ table.

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
from cald.io.nmrdata import ROW_BLOCK_POINTS, ArrayedValues, raw_row_blocks, raw_signal
from cald.io.textfile import read_text
from cald.nuclei import ISOTOPES
from cald.processing_options import ProcessingOptions
from cald.spectrum import Spectrum

__all__ = [
    "ROW_BLOCK_POINTS",
    "BrukerDataset",
    "RawLayout",
    "raw_row_blocks",
    "read_bruker",
    "parse_parameters",
    "read_parameters",
    "read_list",
    "group_delay_points",
    "identify_nucleus",
    "processed_2d",
    "processed_spectrum",
    "processing_options",
    "raw_signal",
]

_BLOCK_BYTES = 1024
_DTYPES = {0: "i4", 2: "f8"}
#: Relative tolerance when matching BF1 / BF(1H) to Ξ/100 (covers the spread of reference
#: compounds and rounding of BF values) and the minimum separation between candidates.
_XI_TOLERANCE = 2e-4
#: TopSpin's WDW codes that :func:`cald.nmr.processing.apodize` implements.
_WDW = {0: "none", 1: "exponential", 2: "gm", 3: "sine", 4: "qsine"}
#: Zero filling beyond this many times the FID's complex points (SI) is refused as corrupt.
_MAX_ZERO_FILL = 32
#: |LB| beyond this (Hz) is a corrupt value (the window would overflow to NaN).
_MAX_LB_HZ = 1e7
#: |NC_proc| beyond this cannot be a TopSpin scaling exponent (2**NC_proc would overflow).
_MAX_NC = 200
#: Units of the list files as :class:`~cald.io.nmrdata.ArrayedValues`.
_LIST_UNITS = {"vclist": "count", "vdlist": "s", "vplist": "s", "difflist": "G/cm", "vtlist": "K"}
#: acqus parameters that must agree for two acquisitions to be compared, with relative
#: tolerance (None: must be equal); arrays are compared element by element.
_MUST_MATCH: dict[str, float | None] = {
    "NUC1": None, "PULPROG": None, "TD": None, "SW_h": 1e-6, "SFO1": 1e-8, "AQ_mod": None,
    "DECIM": None, "D": 1e-6, "P": 1e-6, "PLW": 1e-3, "CNST": 1e-6, "L": None,
}


def _jcamp_value(token: str) -> Any:
    """One value of a parameter line as nmrglue reads it (int, float, text without <>)."""
    if token == "":
        return None
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    try:
        return float(token) if ("." in token or "e" in token or "inf" in token) else int(token)
    except ValueError:
        return token


def parse_parameters(text: str, source: Path) -> dict[str, Any]:
    """Parse the text of a Bruker JCAMP-style parameter file (``##$KEY= value`` lines).

    Values come out as nmrglue's ``read_jcamp`` gives them (numbers, text without ``<>``,
    ``yes``/``no`` as booleans, ``(0..N)`` arrays as lists), but every line is consumed at most
    once: a string or array cut by the end of the file (an interrupted copy) and any line that
    cannot be parsed are a :class:`DataFileError` naming the parameter, never a wait for lines
    that will not come.
    """
    lines = text.splitlines()
    params: dict[str, Any] = {}
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if line.startswith("##END="):
            break
        if not line.startswith("##$"):
            continue  # ##TITLE etc., $$ comments, blank lines
        key, sep, rest = line[3:].partition("=")
        key, text_value = key.strip(), rest.strip()
        if not sep or not key:
            raise DataFileError(f"line {i}: {line[:60]!r} is not ##$NAME= value", source)
        if text_value.startswith("<"):
            while ">" not in text_value:
                if i >= len(lines):
                    raise DataFileError(f"parameter {key}: text <…> not closed before the end of "
                                        "the file (file truncated?)", source)
                text_value += "\n" + lines[i].rstrip()
                i += 1
            params[key] = text_value[1:text_value.rindex(">")]
        elif text_value.startswith("("):
            match = re.match(r"\(\s*0\s*\.\.\s*(\d+)\s*\)(.*)", text_value)
            if match is None:
                raise DataFileError(f"parameter {key}: array size {text_value[:30]!r} is not "
                                    "(0..N)", source)
            size = int(match.group(1)) + 1
            values = [_jcamp_value(t) for t in match.group(2).split()]
            while len(values) < size:
                if i >= len(lines) or lines[i].startswith("##"):
                    raise DataFileError(f"parameter {key}: array ends after {len(values)} of "
                                        f"{size} values (file truncated?)", source)
                values.extend(_jcamp_value(t) for t in lines[i].split())
                i += 1
            params[key] = values
        elif text_value in ("yes", "no"):
            params[key] = text_value == "yes"
        else:
            params[key] = _jcamp_value(text_value)
    return params


def read_parameters(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a Bruker JCAMP-style parameter file (``acqus``, ``procs``, …) into a dict
    (see :func:`parse_parameters`)."""
    p = Path(path)
    params = parse_parameters(read_text(p, "missing parameter file"), p)
    if not params:
        raise DataFileError("parameter file holds no ##$ parameters", p)
    return params


def _int_param(params: dict[str, Any], key: str, source: Path, default: int | None = None) -> int:
    if key not in params:
        if default is not None:
            return default
        raise DataFileError(f"parameter {key} missing", source)
    try:
        return int(params[key])
    except (TypeError, ValueError):
        raise DataFileError(f"parameter {key} = {params[key]!r} is not an integer", source) from None


def _float_param(params: dict[str, Any], key: str, source: Path, default: float | None = None) -> float:
    if key not in params:
        if default is not None:
            return default
        raise DataFileError(f"parameter {key} missing", source)
    try:
        value = float(params[key])
    except (TypeError, ValueError):
        raise DataFileError(f"parameter {key} = {params[key]!r} is not a number", source) from None
    if not math.isfinite(value):
        raise DataFileError(f"parameter {key} = {value} is not finite", source)
    return value


def group_delay_points(acqus: dict[str, Any], source: Path | None = None,
                       grpdly: float | None = None) -> float:
    """Digital-filter group delay in dwell times (0 when the data have no digital filter).

    ``grpdly`` (the user's ``--grpdly POINTS``) overrides the stored values. Otherwise GRPDLY is
    used when present and positive; DECIM and DSPFVS (10–13) select the value in nmrglue's table
    of older firmware; DSPFVS ≥ 14 without GRPDLY, or DIGMOD = 0, means no correction is needed.
    """
    import nmrglue as ng

    src = source or Path("acqus")
    if grpdly is not None:
        if not (math.isfinite(grpdly) and grpdly >= 0):
            raise DataFileError(f"--grpdly must be a finite number of points ≥ 0, got {grpdly}", src)
        return float(grpdly)
    if _int_param(acqus, "DIGMOD", src, default=1) == 0:
        return 0.0
    grpdly = _float_param(acqus, "GRPDLY", src, default=-1.0)
    if grpdly > 0:
        return grpdly
    dspfvs = _int_param(acqus, "DSPFVS", src, default=-1)
    decim = _float_param(acqus, "DECIM", src, default=1.0)
    if dspfvs < 0 or dspfvs >= 14 or decim <= 1:
        return 0.0
    table = ng.bruker.bruker_dsp_table
    if dspfvs not in table or int(decim) not in table[dspfvs]:
        raise DataFileError(f"no digital-filter delay known for DSPFVS={dspfvs}, DECIM={decim:g}; "
                            "give it with --grpdly POINTS (grpdly in the project file)", src)
    return float(table[dspfvs][int(decim)])


def identify_nucleus(acqus: dict[str, Any], source: Path | None = None,
                     bf_1h_mhz: float | None = None) -> str:
    """Observed nucleus: NUC1, or when NUC1 is missing or ``<NONE>`` the isotope whose Ξ matches
    BF1 / (1H base frequency). The 1H base frequency is ``bf_1h_mhz`` or the BF of the channel
    whose NUCn is 1H; the match must be unique within a relative tolerance of 2e-4."""
    src = source or Path("acqus")
    nuc = str(acqus.get("NUC1", "")).strip("<> ").strip()
    if nuc and nuc.lower() not in ("off", "none"):
        if nuc not in ISOTOPES:
            raise DataFileError(f"NUC1 = {nuc!r} is not a known isotope", src)
        return nuc
    bf1 = _float_param(acqus, "BF1", src)
    if bf_1h_mhz is None:
        for ch in range(2, 9):
            if str(acqus.get(f"NUC{ch}", "")).strip("<> ") == "1H" and f"BF{ch}" in acqus:
                bf_1h_mhz = _float_param(acqus, f"BF{ch}", src)
                break
    if bf_1h_mhz is None:
        raise DataFileError("NUC1 is missing and no 1H channel (NUCn = 1H with BFn) gives the "
                            "1H base frequency to identify the nucleus from BF1", src)
    ratio = 100.0 * bf1 / bf_1h_mhz
    matches = [s for s, iso in ISOTOPES.items()
               if abs(iso.xi_percent - ratio) <= _XI_TOLERANCE * iso.xi_percent]
    if len(matches) != 1:
        found = "no isotope" if not matches else "several isotopes (" + ", ".join(matches) + ")"
        raise DataFileError(f"NUC1 is missing and BF1/BF(1H) = {ratio / 100:.6f} matches {found}",
                            src)
    return matches[0]


def _byte_order(params: dict[str, Any], key: str, source: Path) -> str:
    value = _int_param(params, key, source, default=0)
    if value not in (0, 1):
        raise DataFileError(f"{key} = {value}: byte order must be 0 (little) or 1 (big endian)",
                            source)
    return ">" if value == 1 else "<"


def _positive_param(params: dict[str, Any], key: str, source: Path,
                    default: float | None = None) -> float:
    value = _float_param(params, key, source, default)
    if value <= 0:
        raise DataFileError(f"parameter {key} = {value:g} must be positive", source)
    return value


def processing_options(procs: dict[str, Any], source: Path,
                       n_complex: int | None = None) -> ProcessingOptions:
    """TopSpin's processing parameters (``procs``: WDW, LB, GB, SSB, SI, PHC0, PHC1) as
    :class:`~cald.processing_options.ProcessingOptions`.

    WDW 0–4 map to no window, exponential, Lorentz-to-Gauss (``gm`` with GB as the fraction of
    AQ), sine and squared sine; other windows (TRAF, …) are not applied and say so in ``notes``.
    SI must be between 1 and 32 × the FID's ``n_complex`` points (when given): a larger value is
    a corrupt file, not a zero filling to allocate.
    """
    wdw = _int_param(procs, "WDW", source, default=0)
    window = _WDW.get(wdw, "none")
    notes = () if wdw in _WDW else (f"{source}: WDW = {wdw} is not supported; no window applied",)
    gm_fraction = _float_param(procs, "GB", source, default=0.0)
    if window == "gm" and not 0 < gm_fraction < 1:
        raise DataFileError(f"GM window (WDW = 2) needs 0 < GB < 1, got GB = {gm_fraction:g}",
                            source)
    size = _int_param(procs, "SI", source) if "SI" in procs else None
    if size is not None:
        limit = _MAX_ZERO_FILL * n_complex if n_complex else None
        if size < 1 or (limit is not None and size > max(limit, 1 << 16)):
            raise DataFileError(f"SI = {size} is not a spectrum size for an FID of {n_complex} "
                                "complex points", source)
    lb_hz = _float_param(procs, "LB", source, default=0.0)
    if abs(lb_hz) > _MAX_LB_HZ:
        raise DataFileError(f"LB = {lb_hz:g} Hz is not a line broadening (|LB| ≤ {_MAX_LB_HZ:g})",
                            source)
    return ProcessingOptions(
        window=window, lb_hz=lb_hz,
        gm_fraction=gm_fraction, ssb=_float_param(procs, "SSB", source, default=0.0), size=size,
        p0_deg=_float_param(procs, "PHC0", source, default=0.0),
        p1_deg=_float_param(procs, "PHC1", source, default=0.0), notes=notes)


def read_list(path: str | os.PathLike[str]) -> NDArray[np.float64]:
    """Read a Bruker list file (vdlist, vclist, vplist, difflist): one value a line, with TopSpin
    unit suffixes s, m (ms), u (µs), n (ns) converted to seconds for delay lists."""
    p = Path(path)
    text = read_text(p, "missing list file")
    scale = {"s": 1.0, "m": 1e-3, "ms": 1e-3, "u": 1e-6, "us": 1e-6, "µs": 1e-6, "n": 1e-9,
             "ns": 1e-9}
    values = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#")[0].strip()
        if not line or line.startswith(("*", "$")):
            continue
        tokens = line.split()
        if len(tokens) > 2 or (len(tokens) == 2 and tokens[1].lower() not in scale):
            raise DataFileError(f"line {line_no}: {raw.strip()!r} is not a number with an "
                                "optional unit (s, m, u, n)", p)
        number = tokens[0]
        unit = tokens[1].lower() if len(tokens) == 2 else ""
        if not unit:
            stripped = number.rstrip("smunµSMUN")
            unit, number = number[len(stripped):].lower(), stripped
        if unit and unit not in scale:
            raise DataFileError(f"line {line_no}: unknown unit in {raw.strip()!r}", p)
        try:
            values.append(float(number) * scale.get(unit, 1.0))
        except ValueError:
            raise DataFileError(f"line {line_no}: {raw.strip()!r} is not a number", p) from None
    if not values:
        raise DataFileError("list file holds no values", p)
    return np.asarray(values)


@dataclass(frozen=True)
class BrukerDataset:
    """A Bruker experiment folder: its parameters, raw data and (optionally) processed data.

    Attributes
    ----------
    path
        The experiment folder (``…/expno``).
    acqus, acqu2s
        Acquisition parameters of the direct and (for series) indirect dimension.
    procs
        Processing parameters of ``pdata/<procno>`` when present.
    processing
        The same as typed options (:func:`processing_options`; defaults without ``procs``).
    layout
        Where the raw points lie in ``fid``/``ser`` (checked against the file's size); the
        points themselves are read on demand (:attr:`raw`, :meth:`read_rows`).
    group_delay
        Digital-filter delay in dwell times.
    nucleus, sf_mhz, carrier_mhz, sw_hz
        Observed isotope, 0-ppm reference frequency SF, carrier SFO1 and spectral width.
    lists
        vdlist/vclist/vplist/difflist found in the folder (delays in s, counters as numbers).
    pulse_program
        PULPROG.
    procno_path
        The pdata folder whose ``procs`` were read, if any.
    title
        Text of ``pdata/<procno>/title`` (TopSpin's sample title), empty when absent.
    """

    path: Path
    acqus: dict[str, Any]
    acqu2s: dict[str, Any] | None
    procs: dict[str, Any] | None
    layout: RawLayout
    group_delay: float
    nucleus: str
    sf_mhz: float
    carrier_mhz: float
    sw_hz: float
    lists: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    pulse_program: str = ""
    procno_path: Path | None = None
    title: str = ""
    processing: ProcessingOptions = field(default_factory=ProcessingOptions)

    @cached_property
    def raw(self) -> NDArray[np.complex128]:
        """Complex raw data (digital filter still in), shape (TD/2,) for a ``fid`` or
        (rows, TD/2) for a ``ser``, read whole on first use and kept (for a large series use
        :func:`raw_row_blocks`, which holds only a few rows at a time)."""
        return self.layout.read()

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of :attr:`raw` without reading it."""
        return self.layout.shape

    @property
    def is_series(self) -> bool:
        """True for a ``ser`` (pseudo-2D or 2D) data set."""
        return self.layout.n_rows is not None

    def read_rows(self, start: int, stop: int) -> NDArray[np.complex128]:
        """Rows ``start:stop`` (0-based) of a series as complex points, read from the file
        (or taken from :attr:`raw` when that has been read already)."""
        if "raw" in self.__dict__:
            return self.raw[start:stop]
        return self.layout.read(start, stop)

    @property
    def dwell_s(self) -> float:
        """Dwell time between complex points, 1/SW (s)."""
        return 1.0 / self.sw_hz

    @property
    def parameter_file(self) -> Path:
        """``acqus``."""
        return self.path / "acqus"

    @property
    def vendor(self) -> str:
        """``"bruker"`` (the format's name in :data:`cald.io.nmrdata.RAW_FORMATS`)."""
        return "bruker"

    @property
    def arrays(self) -> dict[str, ArrayedValues]:
        """The lists of the folder as arrayed values (vclist: loop counts, vdlist/vplist:
        seconds, difflist: G/cm, vtlist: K); a list may hold more entries than the series has
        rows."""
        return {name: ArrayedValues(name, values, _LIST_UNITS[name])
                for name, values in self.lists.items()}

    @property
    def rotor_period_s(self) -> float | None:
        """Rotor period from the MAS rate in acqus (MASR, else CNST31 in Hz); ``None`` when
        neither is positive."""
        rate = float(self.acqus.get("MASR", 0) or 0)
        if rate <= 0:
            cnst = self.acqus.get("CNST", [])
            rate = float(cnst[31]) if len(cnst) > 31 else 0.0
        return 1.0 / rate if rate > 0 else None

    @property
    def cpmg_echo_period_s(self) -> float | None:
        """Echo period of a qcpmg-style acquisition: D6 (echo acquisition) + 2·D3 (ring-down
        delays) + P2 (π pulse, µs), the time between echo tops while the digitiser runs on;
        ``None`` without D6."""
        d = self.acqus.get("D", [])
        p = self.acqus.get("P", [])
        d6 = float(d[6]) if len(d) > 6 else 0.0
        if d6 <= 0:
            return None
        d3 = float(d[3]) if len(d) > 3 else 0.0
        p2 = float(p[2]) * 1e-6 if len(p) > 2 else 0.0
        return d6 + 2 * d3 + p2

    @property
    def scans(self) -> int:
        """NS (1 when absent)."""
        return int(self.acqus.get("NS", 1))

    @property
    def receiver_gain(self) -> float:
        """RG (1 when absent)."""
        return float(self.acqus.get("RG", 1.0))

    def acquisition_settings(self) -> dict[str, tuple[Any, float | None]]:
        """acqus parameters that must agree for two acquisitions to be compared: nucleus,
        pulse program, size, spectral width, carrier, delays (D1 recycle delay among them),
        pulse lengths (P15 CP contact among them), powers, loop counters."""
        return {key: (self.acqus.get(key), tol) for key, tol in _MUST_MATCH.items()}

    def meta(self) -> dict[str, Any]:
        """Acquisition facts a processed spectrum carries along."""
        keys = ("NS", "RG", "TD", "SW_h", "DECIM", "DSPFVS", "GRPDLY", "P1", "PULPROG", "D1",
                "TE", "AQ_mod", "O1")
        out = {k.lower(): self.acqus[k] for k in keys if k in self.acqus}
        out["group_delay"] = self.group_delay
        out["nucleus"] = self.nucleus
        delays = self.acqus.get("D")
        if isinstance(delays, list) and len(delays) > 1:
            out["d1_s"] = float(delays[1])  # the relaxation delay, for quantitation checks
        return out


@dataclass(frozen=True)
class RawLayout:
    """Where the complex points of a ``fid`` or ``ser`` lie in the file.

    Attributes
    ----------
    path
        The ``fid`` or ``ser`` file (only ever opened read-only).
    dtype
        Stored type with its byte order (from DTYPA and BYTORDA).
    td
        Real values per FID (TopSpin's TD: twice the complex points).
    row_values
        Stored values per row, block padding included (≥ ``td``).
    n_rows
        Rows of a ``ser`` (TD of ``acqu2s``); ``None`` for a ``fid``.
    """

    path: Path
    dtype: np.dtype[Any]
    td: int
    row_values: int
    n_rows: int | None = None

    @property
    def n_complex(self) -> int:
        """Complex points per FID (TD/2)."""
        return self.td // 2

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the complex data: (TD/2,) or (rows, TD/2)."""
        return (self.n_complex,) if self.n_rows is None else (self.n_rows, self.n_complex)

    def read(self, start: int = 0, stop: int | None = None) -> NDArray[np.complex128]:
        """Complex rows ``start:stop`` (all by default; a ``fid`` is one row and comes out 1D),
        converted from a read-only memory map of just those rows, which is closed again (so
        the pages read do not stay in the process's memory)."""
        rows = 1 if self.n_rows is None else self.n_rows
        stop = rows if stop is None else min(stop, rows)
        count = max(stop - start, 0)
        if count == 0:
            out = np.empty((0, self.n_complex), dtype=np.complex128)
        else:
            try:
                mapped = np.memmap(self.path, dtype=self.dtype, mode="r", shape=(count, self.row_values),
                                   offset=start * self.row_values * self.dtype.itemsize)
            except (OSError, ValueError) as exc:
                raise DataFileError(f"cannot read rows {start + 1}–{stop}: {exc}", self.path) from None
            data = mapped[:, : self.td]
            out = (data[:, 0::2] + 1j * data[:, 1::2]).astype(np.complex128)
            del data, mapped
        return out[0] if self.n_rows is None else out


def _raw_layout(path: Path, acqus: dict[str, Any], source: Path, rows: int | None) -> RawLayout:
    """The layout of ``fid``/``ser`` from acqus (TD, DTYPA, BYTORDA) and acqu2s TD (``rows``),
    checked against the file's size (a truncated or padded-wrong file is an error here)."""
    td = _int_param(acqus, "TD", source)
    if td <= 0 or td % 2:
        raise DataFileError(f"TD = {td} must be a positive even number of points", source)
    dtypa = _int_param(acqus, "DTYPA", source, default=0)
    if dtypa not in _DTYPES:
        raise DataFileError(f"unknown DTYPA = {dtypa} (0: int32, 2: float64 are defined)", source)
    dtype = np.dtype(_byte_order(acqus, "BYTORDA", source) + _DTYPES[dtypa])
    size = path.stat().st_size
    if size % dtype.itemsize:
        raise DataFileError(f"size {size} bytes is not a multiple of {dtype.itemsize} "
                            f"(DTYPA = {dtypa}): file truncated or wrong type", path)
    n_values = size // dtype.itemsize
    if rows is None:
        if n_values < td:
            raise DataFileError(f"holds {n_values} values but TD = {td}: file truncated or TD wrong",
                                path)
        # 1D fid: padding to a block boundary is allowed, nothing more.
        padded = -(-td * dtype.itemsize // _BLOCK_BYTES) * _BLOCK_BYTES // dtype.itemsize
        if n_values not in (td, padded):
            raise DataFileError(f"holds {n_values} values, TD = {td} (expected {td} or {padded} "
                                "with block padding)", path)
        return RawLayout(path, dtype, td, n_values)
    row_len = -(-td * dtype.itemsize // _BLOCK_BYTES) * _BLOCK_BYTES // dtype.itemsize
    for candidate in (row_len, td):
        if n_values == candidate * rows:
            row_len = candidate
            break
    else:
        hint = ""
        if n_values % row_len == 0:
            hint = (f"; it holds {n_values // row_len} whole rows (interrupted acquisition? "
                    "then set TD in acqu2s to that)")
        raise DataFileError(f"holds {n_values} values: not {rows} rows (acqu2s TD) of TD = {td} "
                            f"(padded {row_len}){hint}", path)
    return RawLayout(path, dtype, td, row_len, rows)


def read_bruker(path: str | os.PathLike[str], procno: int = 1,
                bf_1h_mhz: float | None = None, grpdly: float | None = None) -> BrukerDataset:
    """Read a Bruker experiment folder (``fid`` or ``ser`` with ``acqus``).

    Parameters
    ----------
    path
        Experiment folder, or a ``pdata/N`` folder inside one.
    procno
        Processing number whose ``procs`` to read (ignored when ``path`` is a pdata folder).
    bf_1h_mhz
        1H base frequency used to identify the nucleus when NUC1 is missing.
    grpdly
        Digital-filter delay in dwell times, overriding the stored value (for data sets whose
        delay cannot be determined, e.g. DSPFVS = 0 written by simulation programs).
    """
    p = Path(path)
    if not p.exists():
        raise DataFileError("no such folder", p)
    if p.is_file():
        p = p.parent
    if p.parent.name == "pdata":
        procno = int(p.name) if p.name.isdigit() else procno
        p = p.parent.parent
    acqus_path = p / "acqus"
    if not acqus_path.is_file():
        raise DataFileError("not a Bruker data set: missing acqus", p)
    acqus = read_parameters(acqus_path)
    acqu2s = read_parameters(p / "acqu2s") if (p / "acqu2s").is_file() else None
    if (p / "ser").is_file():
        rows = _int_param(acqu2s, "TD", p / "acqu2s") if acqu2s else None
        if rows is None:
            raise DataFileError("ser file without acqu2s (TD of the second dimension unknown)", p)
        layout = _raw_layout(p / "ser", acqus, acqus_path, rows)
    elif (p / "fid").is_file():
        layout = _raw_layout(p / "fid", acqus, acqus_path, None)
    else:
        raise DataFileError("no fid or ser file", p)
    procs_path = p / "pdata" / str(procno) / "procs"
    procs = read_parameters(procs_path) if procs_path.is_file() else None
    bf1 = _positive_param(acqus, "BF1", acqus_path)
    sf = _positive_param(procs, "SF", procs_path) if procs else bf1
    lists = {}
    for name in ("vdlist", "vclist", "vplist", "difflist", "vtlist"):
        if (p / name).is_file():
            lists[name] = read_list(p / name)
    sw = _float_param(acqus, "SW_h", acqus_path)
    if sw <= 0:
        raise DataFileError(f"SW_h = {sw} must be positive", acqus_path)
    title_path = p / "pdata" / str(procno) / "title"
    title = title_path.read_text(encoding="latin-1").strip() if title_path.is_file() else ""
    return BrukerDataset(
        path=p, acqus=acqus, acqu2s=acqu2s, procs=procs, layout=layout, title=title,
        group_delay=group_delay_points(acqus, acqus_path, grpdly),
        nucleus=identify_nucleus(acqus, acqus_path, bf_1h_mhz),
        sf_mhz=sf, carrier_mhz=_positive_param(acqus, "SFO1", acqus_path, default=bf1),
        sw_hz=sw, lists=lists, pulse_program=str(acqus.get("PULPROG", "")).strip("<>"),
        procno_path=procs_path.parent if procs else None,
        processing=processing_options(procs, procs_path, layout.n_complex) if procs
        else ProcessingOptions())


def _pdata_format(procs: dict[str, Any], procs_path: Path) -> tuple[np.dtype[Any], float]:
    """Binary type of processed data (DTYPP, BYTORDP) and TopSpin's scale 2**NC_proc."""
    dtypp = _int_param(procs, "DTYPP", procs_path, default=0)
    if dtypp not in _DTYPES:
        raise DataFileError(f"unknown DTYPP = {dtypp} (0: int32, 2: float64 are defined)",
                            procs_path)
    dtype = np.dtype(_byte_order(procs, "BYTORDP", procs_path) + _DTYPES[dtypp])
    nc = _int_param(procs, "NC_proc", procs_path, default=0)
    if abs(nc) > _MAX_NC:
        raise DataFileError(f"NC_proc = {nc} is not a scaling exponent (|NC_proc| ≤ {_MAX_NC})",
                            procs_path)
    return dtype, 2.0**nc


def _pdata_size(procs: dict[str, Any], procs_path: Path) -> int:
    si = _int_param(procs, "SI", procs_path)
    if si < 1:
        raise DataFileError(f"SI = {si} must be positive", procs_path)
    return si


def _pdata_axis(procs: dict[str, Any], procs_path: Path) -> tuple[NDArray[np.float64], float]:
    """ppm axis of a processed dimension as TopSpin draws it (OFFSET downwards in steps of
    SW_p / SF / SI) and SF (only after the data file has been found to hold SI points)."""
    si = _pdata_size(procs, procs_path)
    sf = _positive_param(procs, "SF", procs_path)
    offset = _float_param(procs, "OFFSET", procs_path)
    sw_p = _positive_param(procs, "SW_p", procs_path)
    with np.errstate(over="ignore", invalid="ignore"):
        axis = offset - np.arange(si, dtype=np.float64) * (sw_p / sf / si)
        finite = bool(np.all(np.isfinite(axis * sf)))
    if not finite:
        raise DataFileError(f"OFFSET = {offset:g}, SW_p = {sw_p:g}, SF = {sf:g} give no finite "
                            "axis", procs_path)
    return axis, sf


def _load_pdata(f: Path, n_points: int, dtype: np.dtype[Any], scale: float) -> NDArray[np.float64]:
    if not f.is_file():
        raise DataFileError("missing processed data file", f)
    size = f.stat().st_size
    if size != n_points * dtype.itemsize:
        raise DataFileError(f"size {size} bytes, expected {n_points} points × {dtype.itemsize} = "
                            f"{n_points * dtype.itemsize} (SI of the procs files)", f)
    with open(f, "rb") as fh:
        return np.frombuffer(fh.read(), dtype=dtype).astype(float) * scale


def _pdata_nucleus(pdata: Path) -> tuple[str | None, dict[str, Any]]:
    acqus_path = pdata.parent.parent / "acqus"
    acqus = read_parameters(acqus_path) if acqus_path.is_file() else {}
    return (identify_nucleus(acqus, acqus_path) if acqus else None), acqus


def _pdata_folder(path: str | os.PathLike[str], procno: int) -> Path:
    p = Path(path)
    return p if p.parent.name == "pdata" else p / "pdata" / str(procno)


def processed_spectrum(path: str | os.PathLike[str], procno: int = 1) -> Spectrum:
    """TopSpin's processed 1D spectrum (``pdata/N/1r`` + ``1i`` when present) with its ppm axis.

    Intensities are scaled by 2**NC_proc as TopSpin does; the axis runs from OFFSET downwards in
    steps of SW_p / SF / SI.
    """
    pdata = _pdata_folder(path, procno)
    procs_path = pdata / "procs"
    procs = read_parameters(procs_path)
    if not (pdata / "1r").is_file():
        raise DataFileError("no processed spectrum (1r)", pdata)
    dtype, scale = _pdata_format(procs, procs_path)
    si = _pdata_size(procs, procs_path)
    values: NDArray[Any] = _load_pdata(pdata / "1r", si, dtype, scale)
    if (pdata / "1i").is_file():
        # TopSpin's 1i is the negative of the imaginary part in cald's convention
        # (checked on real data: correlation −1 with the imaginary part of the processed FID)
        values = values - 1j * _load_pdata(pdata / "1i", si, dtype, scale)
    axis, sf = _pdata_axis(procs, procs_path)
    nucleus, acqus = _pdata_nucleus(pdata)
    meta = {k.lower(): procs[k] for k in ("WDW", "LB", "GB", "PHC0", "PHC1", "SR", "NC_proc")
            if k in procs}
    if acqus:
        meta.update({k.lower(): acqus[k] for k in ("NS", "RG") if k in acqus})
    return Spectrum(values, axis, "ppm", nucleus, sf, None, str(pdata),
                    ("read TopSpin processed spectrum",), meta)


def processed_2d(path: str | os.PathLike[str], procno: int = 1) -> Spectrum:
    """TopSpin's processed 2D real part (``pdata/N/2rr`` with ``procs`` for F2 and ``proc2s``
    for F1): rows along F1, the F2 ppm axis as in :func:`processed_spectrum`.

    ``2rr`` is stored in submatrices of XDIM(F1) × XDIM(F2) points (row-major inside each
    tile, tiles row-major); they are put back in order here. The F1 axis (ppm, TopSpin order)
    and its frequencies (Hz from SF of F1) are in ``meta["f1_ppm"]``/``meta["f1_hz"]``.
    """
    pdata = _pdata_folder(path, procno)
    procs_path, proc2s_path = pdata / "procs", pdata / "proc2s"
    if not (pdata / "2rr").is_file():
        raise DataFileError("no processed 2D data (2rr)", pdata)
    procs, proc2s = read_parameters(procs_path), read_parameters(proc2s_path)
    dtype, scale = _pdata_format(procs, procs_path)
    n1, n2 = _pdata_size(proc2s, proc2s_path), _pdata_size(procs, procs_path)
    flat = _load_pdata(pdata / "2rr", n1 * n2, dtype, scale)
    axis, sf = _pdata_axis(procs, procs_path)
    f1_ppm, sf1 = _pdata_axis(proc2s, proc2s_path)
    x2 = _int_param(procs, "XDIM", procs_path, default=n2)
    x1 = _int_param(proc2s, "XDIM", proc2s_path, default=n1)
    if not (0 < x2 <= n2 and n2 % x2 == 0 and 0 < x1 <= n1 and n1 % x1 == 0):
        raise DataFileError(f"submatrix XDIM {x1} × {x2} does not tile SI {n1} × {n2}", pdata)
    rows = flat.reshape(n1 // x1, n2 // x2, x1, x2).transpose(0, 2, 1, 3).reshape(n1, n2)
    nucleus, _ = _pdata_nucleus(pdata)
    return Spectrum(rows, axis, "ppm", nucleus, sf, None, str(pdata),
                    ("read TopSpin processed 2D data (2rr)",),
                    {"f1_ppm": f1_ppm, "f1_hz": f1_ppm * sf1})
