"""What one data set's own data say: peaks, the line that dephases in a RESPDOR series, 27Al
sites, isotropic lines of a MAS spectrum, an exciton, carboxylate bands, XPS regions, and the
conditions a title or comment states; each turned into the proposal of one analysis (or the
reason there is none).

Spectra are read and processed with cald's own readers (:func:`cald.nmr.reading.read_nmr`,
:func:`cald.io.uvvis.read_uvvis`, :func:`cald.io.ir.read_ir`), only for the data sets whose
parameters need a peak position.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import InputError
from cald.project.init.proposal import Proposal
from cald.project.init.recognise import Found
from cald.spectrum import Spectrum

__all__ = ["EXCITON_HALF_NM", "TITRATION_REGION_PPM", "carboxylate_bands", "exciton_nm",
           "normalise_13c", "optical_conditions", "propose_csa", "propose_dosy", "propose_quad",
           "propose_respdor", "propose_xps", "read_nmr", "round_to", "spectrum_peaks", "stated_standard",
           "tallest_region", "tma_per_qd"]

#: The oleate alkene: 13C (ppm) and its integration half-width, 1H DOSY window (ppm).
_ALKENE_13C_PPM, _ALKENE_13C_HALF = 130.0, 5.0
_ALKENE_1H_WINDOW = (5.2, 5.6)
#: RESPDOR region half-width in FWHMs of the dephased line (to 1 ppm, or 10 ppm for lines
#: broader than 10 ppm).
_REGION_FWHMS = 1.5
#: 13C carboxylates (ppm) and the least half-width of their region: it holds the chelating
#: (≈ 184 ppm) and bridging (≈ 180 ppm) lines.
_CARBOXYLATE_13C = (165.0, 195.0)
_CARBOXYLATE_HALF_PPM = 6.0
#: 27Al coordination windows (ppm): Al(IV), Al(V), Al(VI).
_AL_SITES = ((4, 50.0, 90.0), (5, 20.0, 50.0), (6, -20.0, 20.0))
_AL4_REGION = [80.0, 55.0]
#: Bound-oleate alkene window of a TMA titration (ppm), as cald's titration default.
TITRATION_REGION_PPM = [6.2, 5.0]
#: The UV-vis normalisation region: the exciton ± this (nm).
EXCITON_HALF_NM = 15.0
#: Least distance (cm⁻¹) of a carboxylate band from the edges of the FTIR kind's windows.
_BAND_MARGIN_CM1 = 10.0
#: Least FWHM (cm⁻¹) of a carboxylate band of ligands on a surface.
_MIN_BAND_FWHM_CM1 = 20.0
#: Peaks count above this many noise σ.
_MIN_SNR = 5.0
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TMA = re.compile(r"(?:tma[\s_-]*(\d+)(?![\d.])|(\d+(?:\.\d+)?)\s*TMA\s*/\s*QD)", re.I)
_DILUTION = re.compile(r"dilut\w*\s*(\d+(?:\.\d+)?)\s*[x×]|(\d+(?:\.\d+)?)\s*[x×]\s*dilut", re.I)
_PATH = re.compile(r"path\s*(?:length)?\s*(\d+(?:\.\d+)?)\s*cm", re.I)



def _real(spec: Spectrum) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(spec.axis, dtype=float), np.real(np.asarray(spec.values))


def spectrum_peaks(spec: Spectrum, lo: float | None = None, hi: float | None = None,
           ) -> list[tuple[float, float, float]]:
    """(position, height, FWHM) of the peaks above :data:`_MIN_SNR` noise σ between lo and hi,
    tallest first."""
    from scipy.signal import find_peaks, peak_widths

    from cald.noise import noise_std

    x, y = _real(spec)
    sigma = noise_std(spec)
    mask = np.ones_like(x, dtype=bool)
    if lo is not None and hi is not None:
        mask = (x >= min(lo, hi)) & (x <= max(lo, hi))
    if mask.sum() < 3:
        return []
    xs, ys = x[mask], y[mask]
    idx, props = find_peaks(ys, height=_MIN_SNR * sigma, prominence=_MIN_SNR * sigma)
    if idx.size == 0:
        return []
    widths = peak_widths(ys, idx, rel_height=0.5)[0] * abs(float(xs[1] - xs[0]))
    order = np.argsort(-props["peak_heights"])
    return [(float(xs[idx[k]]), float(props["peak_heights"][k]), float(widths[k]))
            for k in order]


def read_nmr(f: Found, row: int | None = None) -> Spectrum:
    """The processed spectrum of an NMR data set (``row`` of a series, 1 = first)."""
    from cald.nmr import reading

    return reading.read_nmr(f.path, row=row)


def round_to(value: float, step: float) -> float:
    """``value`` rounded to a multiple of ``step``."""
    return float(round(value / step) * step)


def _descending(lo: float, hi: float) -> list[float]:
    return [float(max(lo, hi)), float(min(lo, hi))]


# --- NMR kinds ------------------------------------------------------------------------------

def _dephased_line(f: Found) -> tuple[float, float] | str:
    """(position, FWHM) of the line that dephases most: the S0 peak with the largest S0 − S in
    the last S0/S pair of rows (the longest recoupling; rows interleaved S0, S)."""
    rows = int(f.facts.get("rows", 0))
    if rows < 2:
        return "RESPDOR series with fewer than 2 rows"
    s0, s = read_nmr(f, row=rows - 1 - rows % 2), read_nmr(f, row=rows - rows % 2)
    peaks = spectrum_peaks(s0)
    if not peaks:
        return "RESPDOR series: no peak above 5 σ in the S0 row"
    x, y0 = _real(s0)
    dy = y0 - np.real(np.asarray(s.values))

    def loss(pos: float, fwhm: float) -> float:
        near = np.abs(x - pos) <= fwhm / 2
        return float(dy[near].mean()) if near.any() else 0.0
    pos, _, fwhm = max(peaks, key=lambda p: loss(p[0], p[2]))
    return pos, fwhm


def propose_respdor(f: Found) -> Proposal | str:
    """A RESPDOR series: the pair, the region of the line that dephases, κ and the simulated
    saturation of an SR4₁² series when the title states the pulse and C_Q."""
    pair = f.facts.get("pair")
    if not pair:
        return "RESPDOR series: the dephasing nucleus is not named (TITLE like 13C{27Al}, NUC2)"
    line = _dephased_line(f)
    if isinstance(line, str):
        return line
    pos, fwhm = line
    step = 1.0 if fwhm < 10.0 else 10.0
    centre = round_to(pos, step)
    half = max(step, round_to(_REGION_FWHMS * fwhm, step))
    if f.nucleus == "13C" and _CARBOXYLATE_13C[0] <= pos <= _CARBOXYLATE_13C[1]:
        half = max(half, _CARBOXYLATE_HALF_PPM)
    region = [centre + half, centre - half]
    reasons = [f"pair {pair}", f"region: the line that dephases in the last S0/S rows, at "
               f"{pos:.1f} ppm ± {_REGION_FWHMS:g} × its FWHM ({fwhm:.1f} ppm)"]
    params: dict[str, Any] = {"pair": pair, "region": region}
    pulprog = str(f.facts.get("pulprog", "")).lower()
    sure = "high"
    if "sr4" in pulprog:
        from cald.recoupling.redor import KAPPA_PRESETS

        params["kappa"] = round(KAPPA_PRESETS["sr4"], 10)
        reasons.append(f"κ of SR4₁² from the pulse program {f.facts['pulprog']}")
        sat = _saturation(f.title)
        if sat:
            params.update(simulate=True, mas_khz=f.facts.get("mas_hz", 10e3) / 1e3,
                          recoupling="sr4", **sat)
            reasons.append("simulated saturation with the pulse and C_Q stated in the TITLE "
                           "(check them)")
            sure = "medium"
    if not params.get("simulate"):
        params["models"] = ["single", "two_site", "gaussian"]
        reasons.append("one-site, two-site and Gaussian-distance models compared")
    return Proposal("respdor", [f], params, reasons, sure)


def _saturation(title: str) -> dict[str, float]:
    """Saturation pulse and quadrupolar coupling stated in a title ("500 us 10 kHz saturation
    pulse", "C_Q 5 MHz", "eta 0.5"); empty unless all are there."""
    pulse = re.search(r"(\d+(?:\.\d+)?)\s*(?:us|µs)\s*(\d+(?:\.\d+)?)\s*kHz\s+saturation", title)
    cq = re.search(r"C_?Q\s*=?\s*(\d+(?:\.\d+)?)\s*MHz", title)
    eta = re.search(r"eta\s*=?\s*(\d+(?:\.\d+)?)", title)
    if not (pulse and cq and eta):
        return {}
    return {"sat_pulse_us": float(pulse.group(1)), "sat_rf_khz": float(pulse.group(2)),
            "cq_mhz": float(cq.group(1)), "eta": float(eta.group(1))}


def normalise_13c(spec: Spectrum) -> tuple[list[float], str]:
    """The 13C normalisation region: the oleate alkene when a peak is there, else the tallest."""
    peaks = spectrum_peaks(spec, _ALKENE_13C_PPM - _ALKENE_13C_HALF, _ALKENE_13C_PPM + _ALKENE_13C_HALF)
    if peaks:
        return (_descending(_ALKENE_13C_PPM - _ALKENE_13C_HALF, _ALKENE_13C_PPM + _ALKENE_13C_HALF),
                f"oleate alkene C=C ({_ALKENE_13C_PPM:g} ppm; peak found at {peaks[0][0]:.1f})")
    top = spectrum_peaks(spec)
    if not top:
        return [], "no peak above 5 σ"
    c = round_to(top[0][0], 1.0)
    return [c + 5.0, c - 5.0], f"the tallest peak at {top[0][0]:.1f} ppm ± 5 ppm"


def tallest_region(spec: Spectrum) -> tuple[list[float], str]:
    """The tallest peak ± max(5 ppm, its FWHM) (ppm, descending) and how it was found."""
    top = spectrum_peaks(spec)
    if not top:
        return [], "no peak above 5 σ"
    half = max(5.0, float(np.ceil(top[0][2])))
    c = round_to(top[0][0], 1.0)
    return [c + half, c - half], f"the tallest peak at {top[0][0]:.1f} ppm ± {half:g} ppm"


def propose_quad(f: Found) -> Proposal | str:
    """A 27Al spectrum: the Al(IV)/Al(V)/Al(VI) sites whose windows hold a peak."""
    spec = read_nmr(f)
    peaks = spectrum_peaks(spec, -50.0, 120.0)
    sites = sorted({n for pos, _, _ in peaks for n, lo, hi in _AL_SITES if lo <= pos < hi})
    if not sites:
        return "27Al spectrum: no Al(IV)/Al(V)/Al(VI) peak above 5 σ"
    params: dict[str, Any] = {"sites": sites, "overlay": "27Al CP" if f.facts.get("cp")
                              else "27Al MAS"}
    reasons = [f"Al({', '.join(map(_roman, sites))}) sites from the peaks at "
               + ", ".join(f"{p[0]:.0f}" for p in peaks) + " ppm"]
    if 4 in sites:
        params["normalise_region"] = list(_AL4_REGION)
        reasons.append("normalised to the Al(IV) region")
    return Proposal("quad", [f], params, reasons, "medium")


def _roman(n: int) -> str:
    return {4: "IV", 5: "V", 6: "VI"}[n]


def _stated_isotropic(title: str) -> list[float]:
    """Isotropic shifts a title lists after "δiso …:" (the first number of each ``;`` group)."""
    m = re.search(r"(?:δ\s*iso|delta\s*iso|diso)[^:]*:\s*([^\n]+)", title, re.I)
    if m is None:
        return []
    out = []
    for group in m.group(1).split(";"):
        n = _NUMBER.match(group.strip())
        if n:
            out.append(float(n.group(0)))
    return out


def propose_csa(f: Found) -> Proposal | str:
    """A spin-1/2 MAS spectrum with sidebands: the MAS rate and the isotropic lines."""
    from cald.lineshape.manifolds import find_manifolds

    mas_hz = f.facts["mas_hz"]
    spec = read_nmr(f)
    manifolds = find_manifolds(spec, mas_hz)
    if not manifolds:
        return "MAS spectrum: no sideband manifold above 5 σ"
    found = sorted({round_to(m.iso_ppm, 10.0) for m in manifolds}, reverse=True)
    stated = sorted(_stated_isotropic(f.title), reverse=True)
    peaks = [p[0] for p in spectrum_peaks(spec)]
    if stated and all(any(abs(p - x) <= 10.0 for p in peaks) for x in stated):
        sites, sure = stated, "medium"
        why = ("isotropic lines stated in the TITLE, each a peak of the spectrum (the centrebands "
               "found, " + ", ".join(f"{m.iso_ppm:.0f}" for m in manifolds)
               + " ppm, merge sites whose shifts differ by whole sideband spacings)")
    else:
        sites, sure = found, "low"
        why = ("isotropic lines: centrebands of the sideband manifolds, to 10 ppm (sites whose "
               "shifts differ by whole sideband spacings merge: check with a second MAS rate)")
    params = {"mas_khz": mas_hz / 1e3, "sites": sites,
              "overlay": f"{f.nucleus} {'CP-MAS' if f.facts.get('cp') else 'MAS'}",
              "normalise_region": [sites[0] + 10.0, sites[0] - 10.0]}
    return Proposal("csa", [f], params, [f"MAS {mas_hz:g} Hz from acqus", why,
                                         f"normalised to the line at {sites[0]:g} ppm"], sure)


def propose_dosy(f: Found) -> Proposal | str:
    """A diffusion series: the region of the oleate alkene, else of the tallest peak."""
    spec = read_nmr(f, row=1)
    if f.nucleus == "1H" and spectrum_peaks(spec, *_ALKENE_1H_WINDOW):
        return Proposal("dosy", [f], {"region": _descending(*_ALKENE_1H_WINDOW)},
                        ["diffusion series (difflist/pulse program)", "region: the oleate "
                         "alkene (5.4 ppm) found in the first row"])
    top = spectrum_peaks(spec)
    if not top:
        return "DOSY: no peak above 5 σ in the first row"
    c = round_to(top[0][0], 0.1)
    return Proposal("dosy", [f], {"region": [round(c + 0.2, 1), round(c - 0.2, 1)]},
                    ["diffusion series", f"region: the tallest peak at {top[0][0]:.2f} ppm"],
                    "medium")


def tma_per_qd(f: Found) -> float | None:
    """TMA per QD named by a data set's path ("tma_10") or title ("10 TMA/QD")."""
    for text in (f.rel, f.title):
        m = _TMA.search(text)
        if m:
            return float(m.group(1) or m.group(2))
    return None


def stated_standard(f: Found) -> dict[str, Any] | None:
    """Internal standard and its concentration named in a 1H title, with the solvent."""
    from cald.qd.options import STANDARD_NAMES
    from cald.qd.standards import SOLVENTS

    std = next((s for s in STANDARD_NAMES if re.search(re.escape(s) + r"(?![A-Za-z0-9])",
                                                          f.title)), None)
    if std is None:
        return None
    m = re.search(re.escape(std) + r"\s*(\d+(?:\.\d+)?)\s*mM", f.title)
    if m is None:
        return None
    out: dict[str, Any] = {"standard": std, "standard_mm": float(m.group(1))}
    solvent = next((s for s in SOLVENTS if s.lower() in (f.facts.get("solvent", "") + " "
                                                         + f.title).lower()), None)
    if solvent:
        out["solvent"] = solvent
    return out


def optical_conditions(f: Found) -> dict[str, float]:
    """Path length (cm) and dilution stated in a table's comment lines."""
    out = {}
    m = _PATH.search(f.sample_text)
    if m:
        out["path_cm"] = float(m.group(1))
    m = _DILUTION.search(f.sample_text)
    if m:
        out["dilution"] = float(m.group(1) or m.group(2))
    return out


def exciton_nm(f: Found) -> float | None:
    """The first exciton (nm): the longest-wavelength maximum of the smoothed spectrum."""
    from scipy.ndimage import gaussian_filter1d
    from scipy.signal import find_peaks

    from cald.io.uvvis import read_uvvis

    spec = read_uvvis(f.path)
    x, y = _real(spec)
    if x.size < 10:
        return None
    ys = gaussian_filter1d(y, 3)
    idx, _ = find_peaks(ys, prominence=0.02 * (float(ys.max()) - float(ys.min())))
    return float(x[idx[-1]]) if idx.size else None  # the first exciton: longest wavelength


def carboxylate_bands(f: Found) -> bool:
    """A ν_as and a ν_s band inside the FTIR kind's windows, clear of their edges by
    :data:`_BAND_MARGIN_CM1` and at least :data:`_MIN_BAND_FWHM_CM1` wide (carboxylates bound to
    a surface give broad bands; the ring modes of a molecule there are narrower)."""
    from scipy.signal import find_peaks, peak_widths

    from cald.io.ir import read_ir
    from cald.surface.ftir_options import FtirOptions

    fields = FtirOptions.model_fields
    x, y = _real(read_ir(f.path))
    idx, _ = find_peaks(y, prominence=0.02 * (float(y.max()) - float(y.min())))
    if idx.size == 0:
        return False
    fwhm = peak_widths(y, idx, rel_height=0.5)[0] * abs(float(x[1] - x[0]))
    pos = x[idx][fwhm >= _MIN_BAND_FWHM_CM1]

    def inside(window: tuple[float, float]) -> bool:
        lo, hi = min(window) + _BAND_MARGIN_CM1, max(window) - _BAND_MARGIN_CM1
        return bool(np.any((pos > lo) & (pos < hi)))
    return inside(fields["nu_as_window_cm1"].default) and inside(fields["nu_s_window_cm1"].default)


def propose_xps(f: Found) -> Proposal | str:
    """A VAMAS file: the regions with a cald preset, the Al 2s/O 1s ratio and its RSFs."""
    from cald.surface.components import REGION_PRESETS
    from cald.surface.xps import sensitivity_factor

    regions = [r for r in f.facts["regions"] if r in REGION_PRESETS]
    other = [r for r in f.facts["regions"] if r not in REGION_PRESETS]
    if not regions:
        return f"VAMAS regions {', '.join(f.facts['regions'])}: none has a cald preset " \
               f"({', '.join(REGION_PRESETS)})"
    params: dict[str, Any] = {"regions": regions}
    padded = {r: n for r, n in f.facts.get("padded", {}).items() if r in regions}
    if padded:
        params["presets"] = {r: {"block": str(n)} for r, n in padded.items()}
    reasons = ["regions from the VAMAS block names"
               + (" (blocks by number: their names carry padding)" if padded else "")
               + (f" (no preset: {', '.join(other)})" if other else "")]
    ratios = [r for r in ("Al 2s/O 1s",) if set(r.split("/")) <= set(regions)]
    params["ratios"] = ratios
    if set(f.facts.get("casa_rsf", [])) <= {1.0}:  # none, or CasaXPS's placeholder 1.0
        rsf = {}
        for region in sorted({part for r in ratios for part in r.split("/")}):
            preset = REGION_PRESETS[region]
            try:
                rsf[region] = sensitivity_factor(f"{preset.element} {preset.line}")
            except InputError:
                continue
        if rsf:
            params["rsf"] = rsf
            reasons.append("RSFs of the ratio regions from cald's Al Kα table (the file's "
                           "CasaXPS RSFs are none or the placeholder 1.0)")
    if "C 1s" not in regions:
        return "XPS without a C 1s region: the charge reference of cald's xps kind (set " \
               "charge_region by hand)"
    return Proposal("xps", [f], params, reasons)
