"""Writers of realistic synthetic Bruker data sets (labelled synthetic in their title files).

What makes them realistic: TopSpin parameter names and JCAMP layout (read back by nmrglue and by
:mod:`cald.io.bruker`), little-endian int32 ``fid``/``ser`` with each row padded to a 1024-byte
block, the digital-filter group delay (GRPDLY dwell times, leading points near zero), receiver
noise, and ``pdata/1/procs`` with the processing parameters a user would have set.

Signal convention: a line at offset ν (Hz) from the carrier rotates as exp(+2πiνt) in the stored
complex FID, which :func:`cald.nmr.processing.fourier_transform` puts at +ν.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.io.atomic import atomic_write_bytes, atomic_write_text
from cald.nuclei import get_isotope, larmor_mhz
from cald.spectrum import Spectrum

__all__ = [
    "axis_ppm",
    "spectrum_fid",
    "Line",
    "AcquisitionSetup",
    "format_parameters",
    "lines_fid",
    "apply_group_delay",
    "write_experiment",
    "write_series_rows",
    "write_list",
    "write_pass_pdata",
]

_BLOCK_BYTES = 1024


@dataclass(frozen=True)
class Line:
    """A Lorentzian line: position (ppm), integral-proportional amplitude, FWHM (Hz)."""

    ppm: float
    amplitude: float
    fwhm_hz: float = 50.0


@dataclass(frozen=True)
class AcquisitionSetup:
    """Acquisition parameters of a synthetic experiment.

    ``td`` counts real points (TopSpin's TD, twice the complex points); ``carrier_ppm`` places
    SFO1; ``group_delay`` is GRPDLY in dwell times (0 writes DIGMOD = 0, no digital filter).
    """

    nucleus: str
    field_1h_mhz: float = 400.13
    sw_hz: float = 50_000.0
    td: int = 4096
    carrier_ppm: float = 100.0
    group_delay: float = 68.0
    ns: int = 64
    rg: float = 64.0
    pulse_program: str = "cp"
    d1_s: float = 3.0
    mas_hz: float | None = None

    @property
    def bf1_mhz(self) -> float:
        """Base frequency BF1 (MHz): the isotope's Ξ times the 1H frequency."""
        return larmor_mhz(self.nucleus, self.field_1h_mhz)

    @property
    def sfo1_mhz(self) -> float:
        """Carrier SFO1 (MHz)."""
        return self.bf1_mhz * (1.0 + self.carrier_ppm * 1e-6)

    @property
    def n_complex(self) -> int:
        """Complex points per FID."""
        return self.td // 2

    def offset_hz(self, ppm: float) -> float:
        """Offset of a line at ``ppm`` from the carrier (Hz), with SF = BF1 (SR = 0)."""
        return (self.bf1_mhz * (1.0 + ppm * 1e-6) - self.sfo1_mhz) * 1e6

    def acqus(self, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """acqus parameters with TopSpin's names."""
        params: dict[str, Any] = {
            "AQ_mod": 3, "BF1": self.bf1_mhz, "BYTORDA": 0, "DTYPA": 0,
            "DIGMOD": 1 if self.group_delay > 0 else 0,
            "DECIM": 16 if self.group_delay > 0 else 1, "DSPFVS": 20,
            "GRPDLY": self.group_delay if self.group_delay > 0 else -1,
            "NS": self.ns, "NUC1": f"<{self.nucleus}>", "NUC2": "<1H>",
            "BF2": self.field_1h_mhz, "O1": self.sfo1_mhz * 1e6 - self.bf1_mhz * 1e6,
            "PULPROG": f"<{self.pulse_program}>", "RG": self.rg, "SFO1": self.sfo1_mhz,
            "SW_h": self.sw_hz, "SW": self.sw_hz / self.sfo1_mhz, "TD": self.td, "TE": 100.0,
            "D": [0.0] * 64, "P": [0.0] * 64, "L": [0] * 32, "CNST": [0.0] * 64,
        }
        params["D"][1] = self.d1_s
        params["P"][1] = 2.5
        if self.mas_hz is not None:
            params["MASR"] = self.mas_hz
            params["CNST"][31] = self.mas_hz
        for key, value in (extra or {}).items():
            if isinstance(value, tuple):  # ("D", 20, value) style array element
                name, index, v = value
                params[name][index] = v
            else:
                params[key] = value
        return params

    def procs(self, lb_hz: float = 20.0, si: int | None = None) -> dict[str, Any]:
        """procs parameters for an exponential window and the data's axis."""
        si = si or 2 * self.n_complex
        offset = (self.sfo1_mhz * 1e6 + self.sw_hz / 2 - self.bf1_mhz * 1e6) / self.bf1_mhz
        return {"SI": si, "SF": self.bf1_mhz, "SW_p": self.sw_hz, "OFFSET": offset, "WDW": 1,
                "LB": lb_hz, "GB": 0.0, "SSB": 0.0, "PHC0": 0.0, "PHC1": 0.0, "NC_proc": 0,
                "BYTORDP": 0, "DTYPP": 0, "SR": 0.0}


def format_parameters(params: Mapping[str, Any], title: str) -> str:
    """A TopSpin-style JCAMP parameter file: header, ``##$NAME= value`` lines, arrays as
    ``(0..n)`` followed by their values, strings in angle brackets."""
    lines = [f"##TITLE= {title}", "##JCAMPDX= 5.0", "##DATATYPE= Parameter Values",
             "##ORIGIN= cald synthetic data (not a measurement)", "##OWNER= cald"]
    for key in sorted(params, key=str.upper):
        value = params[key]
        if isinstance(value, (list, tuple, np.ndarray)):
            lines.append(f"##${key}= (0..{len(value) - 1})")
            items = [_fmt(v) for v in value]
            for i in range(0, len(items), 10):
                lines.append(" ".join(items[i:i + 10]))
        else:
            lines.append(f"##${key}= {_fmt(value)}")
    lines.append("##END=")
    return "\n".join(lines) + "\n"


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def lines_fid(setup: AcquisitionSetup, lines: Sequence[Line], t_offset_s: float = 0.0,
              n_points: int | None = None) -> NDArray[np.complex128]:
    """Noise-free FID of Lorentzian lines (no digital filter), ``n_points`` complex points.

    When ``t_offset_s`` is 0 the t = 0 point is halved (trapezoidal rule), so that the discrete
    FT has no baseline offset, as for real digitally filtered data."""
    n = n_points or setup.n_complex
    t = t_offset_s + np.arange(n) / setup.sw_hz
    fid = np.zeros(n, dtype=complex)
    for line in lines:
        nu = setup.offset_hz(line.ppm)
        fid += line.amplitude * np.exp(2j * np.pi * nu * t - np.pi * line.fwhm_hz * t)
    if t_offset_s == 0.0:
        fid[0] *= 0.5
    return fid


def axis_ppm(setup: AcquisitionSetup) -> NDArray[np.float64]:
    """The ppm axis (TopSpin order) that processing a FID of ``setup`` without zero filling gives."""
    n = setup.n_complex
    nu = (n // 2 - np.arange(n)) * setup.sw_hz / n
    return (setup.sfo1_mhz * 1e6 + nu - setup.bf1_mhz * 1e6) / setup.bf1_mhz


def spectrum_fid(spectrum: ArrayLike) -> NDArray[np.complex128]:
    """The causal FID whose Fourier transform (cald's conventions, no window) has ``spectrum``
    (real, absorptive, on :func:`axis_ppm`) as its real part — for lineshapes computed in the
    frequency domain (e.g. by mrsimulator).

    The inverse transform of a real spectrum is two-sided (its t < 0 half wraps to the end of
    the record); keeping t ≥ 0 only (the analytic signal: first point once, the positive times
    twice, the Nyquist point once) makes it a real FID, whose transform adds the dispersive
    imaginary part and which stays correct when zero filled.
    """
    spec = np.asarray(spectrum, dtype=float)
    n = spec.size
    j = np.arange(n)
    two_sided = np.fft.ifft(spec[(n // 2 - j) % n])
    fid = np.zeros(n, dtype=complex)
    fid[0] = two_sided[0]
    fid[1:(n + 1) // 2] = 2.0 * two_sided[1:(n + 1) // 2]
    if n % 2 == 0:
        fid[n // 2] = two_sided[n // 2]
    return fid


def apply_group_delay(fid: ArrayLike, group_delay: float) -> NDArray[np.complex128]:
    """Delay FIDs (last axis) by ``group_delay`` dwell times, circularly and band-limited, as a
    digital filter does: the exact inverse of the correction applied on Fourier transform.

    TopSpin's correction is a first-order phase of 360°·GRPDLY pivoted at the left spectral edge
    (frequency +SW/2), i.e. a time shift plus a zero-order phase of −180°·GRPDLY; the delay here
    carries the opposite zero-order phase, so that stored PHC0 = PHC1 = 0 give absorptive lines
    for any GRPDLY (it vanishes for even integers)."""
    data = np.asarray(fid, dtype=complex)
    if group_delay == 0:
        return data
    n = data.shape[-1]
    freqs = np.fft.fftfreq(n)
    shift = np.exp(-2j * np.pi * freqs * group_delay + 1j * np.pi * group_delay)
    return np.fft.ifft(np.fft.fft(data, axis=-1) * shift, axis=-1)


def _to_int32_rows(data: NDArray[np.complex128], scale: float) -> bytes:
    rows = np.atleast_2d(data)
    interleaved = np.empty((rows.shape[0], rows.shape[1] * 2))
    interleaved[:, 0::2] = rows.real * scale
    interleaved[:, 1::2] = rows.imag * scale
    ints = np.clip(np.rint(interleaved), -(2**31), 2**31 - 1).astype("<i4")
    row_len = -(-ints.shape[1] * 4 // _BLOCK_BYTES) * _BLOCK_BYTES // 4
    padded = np.zeros((rows.shape[0], row_len), dtype="<i4")
    padded[:, : ints.shape[1]] = ints
    return padded.tobytes()


def write_list(path: str | os.PathLike[str], values: Sequence[float], unit: str = "") -> Path:
    """Write a TopSpin list file (one value per line; ``unit`` suffix such as ``m`` for ms)."""
    return atomic_write_text(path, "".join(f"{v:g}{unit}\n" for v in values))


def write_experiment(folder: str | os.PathLike[str], setup: AcquisitionSetup,
                     fids: ArrayLike, noise_sd: float, seed: int,
                     extra_acqus: Mapping[str, Any] | None = None,
                     acqu2s: Mapping[str, Any] | None = None,
                     lists: Mapping[str, tuple[Sequence[float], str]] | None = None,
                     lb_hz: float = 20.0, title: str = "", int_scale: float | None = None) -> Path:
    """Write an experiment folder: ``acqus`` (+ ``acqu2s``), ``fid`` or ``ser``, lists,
    ``pdata/1/procs`` and a ``title`` that says the data are synthetic.

    Parameters
    ----------
    fids
        Noise-free complex FID(s) without digital filter, shape (n,) or (rows, n).
    noise_sd
        Standard deviation of the complex Gaussian receiver noise per channel, in the units of
        ``fids`` (added after the digital-filter delay, as in a receiver).
    int_scale
        Factor from ``fids`` units to stored integers; by default the largest point is stored as
        2**24. Give the same factor to experiments whose absolute intensities are compared.
    """
    out = Path(folder)
    rng = np.random.default_rng(seed)
    data = apply_group_delay(fids, setup.group_delay)
    data = data + noise_sd * (rng.standard_normal(data.shape) + 1j * rng.standard_normal(data.shape))
    scale = int_scale if int_scale is not None else 2.0**24 / (float(np.max(np.abs(data))) or 1.0)
    series = data.ndim == 2
    atomic_write_bytes(out / ("ser" if series else "fid"), _to_int32_rows(data, scale))
    _write_parameter_files(out, setup, data.shape[0] if series else None, extra_acqus, acqu2s,
                           lists, setup.procs(lb_hz), title)
    return out


def write_series_rows(folder: str | os.PathLike[str], setup: AcquisitionSetup,
                      rows: Iterable[ArrayLike], int_scale: float,
                      extra_acqus: Mapping[str, Any] | None = None,
                      acqu2s: Mapping[str, Any] | None = None,
                      lists: Mapping[str, tuple[Sequence[float], str]] | None = None,
                      procs: Mapping[str, Any] | None = None, title: str = "") -> Path:
    """Write a series whose ``ser`` file is too large to hold in memory, one row at a time.

    Unlike :func:`write_experiment`, the rows are stored as given: complex FIDs of
    ``setup.n_complex`` points with the digital-filter delay and the noise already in
    (:func:`apply_group_delay`), times ``int_scale`` as int32. The other files are those of
    :func:`write_experiment`; ``procs`` defaults to ``setup.procs()``.
    """
    out = Path(folder)
    n_rows = 0

    def chunks() -> Iterable[bytes]:
        nonlocal n_rows
        for row in rows:
            n_rows += 1
            yield _to_int32_rows(np.asarray(row, dtype=complex)[None, :], int_scale)

    atomic_write_bytes(out / "ser", chunks())
    _write_parameter_files(out, setup, n_rows, extra_acqus, acqu2s, lists,
                           setup.procs() if procs is None else procs, title)
    return out


def _write_parameter_files(out: Path, setup: AcquisitionSetup, n_rows: int | None,
                           extra_acqus: Mapping[str, Any] | None,
                           acqu2s: Mapping[str, Any] | None,
                           lists: Mapping[str, tuple[Sequence[float], str]] | None,
                           procs: Mapping[str, Any], title: str) -> None:
    """acqus (+ acqu2s for a series of ``n_rows``), lists, pdata/1/procs and title."""
    atomic_write_text(out / "acqus", format_parameters(setup.acqus(extra_acqus),
                                                       "Parameter file, cald synthetic"))
    if n_rows is not None:
        atomic_write_text(out / "acqu2s", format_parameters(
            {"TD": n_rows, "NUC1": f"<{setup.nucleus}>", "FnMODE": 1, **(acqu2s or {})},
            "Parameter file, cald synthetic"))
    for name, (values, unit) in (lists or {}).items():
        write_list(out / name, values, unit)
    atomic_write_text(out / "pdata" / "1" / "procs",
                      format_parameters(procs, "Parameter file, cald synthetic"))
    atomic_write_text(out / "pdata" / "1" / "title",
                      f"SYNTHETIC data generated by cald (not a measurement)\n{title}\n")
    get_isotope(setup.nucleus)  # validates the nucleus name early for callers


def write_pass_pdata(folder: str | os.PathLike[str], pass_data: Spectrum, mas_hz: float,
                     xdim: tuple[int, int] = (1, 256), procno: int = 1) -> Path:
    """Write sheared PASS rows as TopSpin's processed 2D data: ``pdata/N/2rr`` (int32 with
    NC_proc, submatrices of ``xdim`` = XDIM(F1) × XDIM(F2) points), ``procs`` (F2: the ppm axis
    of ``pass_data``), ``proc2s`` (F1: one row per sideband order, frequency order × ``mas_hz``,
    highest first as TopSpin stores it) and a minimal ``acqus`` naming the nucleus.

    ``pass_data`` is a 2D :class:`Spectrum` with contiguous ``meta["sideband_orders"]`` (as
    :func:`cald.lineshape.pass_.synthetic_pass` makes it) on a uniform, decreasing ppm axis.
    """
    orders = [int(k) for k in pass_data.meta["sideband_orders"]]
    if orders != list(range(orders[0], orders[0] + len(orders))):
        raise ValueError(f"sideband orders must be contiguous, got {orders}")
    rows = np.asarray(np.real(pass_data.values))[::-1]  # highest order (F1 frequency) first
    n1, n2 = rows.shape
    x1, x2 = xdim
    if n1 % x1 or n2 % x2:
        raise ValueError(f"xdim {xdim} does not tile {rows.shape}")
    sf = float(pass_data.sf_mhz or 100.0)
    ppm = pass_data.axis
    sw_p = float(ppm[0] - ppm[-1]) * sf * n2 / (n2 - 1)
    nc = int(np.ceil(np.log2(float(np.max(np.abs(rows))) or 1.0))) - 28
    ints = np.rint(rows / 2.0**nc).astype("<i4")
    tiles = ints.reshape(n1 // x1, x1, n2 // x2, x2).transpose(0, 2, 1, 3)
    pdata = Path(folder) / "pdata" / str(procno)
    atomic_write_bytes(pdata / "2rr", tiles.tobytes())
    common = {"BYTORDP": 0, "DTYPP": 0, "SF": sf, "WDW": 0, "PHC0": 0.0, "PHC1": 0.0}
    atomic_write_text(pdata / "procs", format_parameters(
        {**common, "SI": n2, "XDIM": x2, "OFFSET": float(ppm[0]), "SW_p": sw_p, "NC_proc": nc},
        "Parameter file, cald synthetic"))
    atomic_write_text(pdata / "proc2s", format_parameters(
        {**common, "SI": n1, "XDIM": x1, "OFFSET": orders[-1] * mas_hz / sf,
         "SW_p": n1 * mas_hz}, "Parameter file, cald synthetic"))
    atomic_write_text(Path(folder) / "acqus", format_parameters(
        {"NUC1": f"<{pass_data.nucleus}>", "BF1": sf, "SFO1": sf, "TD": 2 * n2, "SW_h": sw_p,
         "PULPROG": "<pass2d>", "MASR": mas_hz}, "Parameter file, cald synthetic"))
    atomic_write_text(pdata / "title", "SYNTHETIC PASS data generated by cald (not a measurement)\n")
    return Path(folder)
