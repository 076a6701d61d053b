"""Analyses proposed for recognised data sets: the kind, its inputs and the parameters read from
the data (regions from the peaks found, MAS rates, pairs, isotropic lines), each with what it
was inferred from and how sure the guess is.

Spectra are read and processed with cald's own readers (:func:`cald.read`,
:func:`cald.io.uvvis.read_uvvis`, :func:`cald.io.ir.read_ir`, :func:`cald.io.vamas.read_vamas`)
only for the data sets whose parameters need a peak position.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import InputError
from cald.project.init.recognise import Found
from cald.spectrum import Spectrum

__all__ = ["Proposal", "Unplaced", "propose"]

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
_TITRATION_REGION = [6.2, 5.0]
#: The UV-vis normalisation region: the exciton ± this (nm).
_EXCITON_HALF_NM = 15.0
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


@dataclass
class Proposal:
    """A proposed analysis: kind, inputs, sample, parameters, and why."""

    kind: str
    inputs: list[Found]
    parameters: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    sure: str = "high"
    label: str = ""


@dataclass(frozen=True)
class Unplaced:
    """A recognised data set no analysis was proposed for, with the reason."""

    found: Found
    reason: str


def _real(spec: Spectrum) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.asarray(spec.axis, dtype=float), np.real(np.asarray(spec.values))


def _peaks(spec: Spectrum, lo: float | None = None, hi: float | None = None,
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


def _read_nmr(f: Found, row: int | None = None) -> Spectrum:
    from cald.nmr.reading import read

    return read(f.path, row=row)


def _round(value: float, step: float) -> float:
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
    s0, s = _read_nmr(f, row=rows - 1 - rows % 2), _read_nmr(f, row=rows - rows % 2)
    peaks = _peaks(s0)
    if not peaks:
        return "RESPDOR series: no peak above 5 σ in the S0 row"
    x, y0 = _real(s0)
    dy = y0 - np.real(np.asarray(s.values))

    def loss(pos: float, fwhm: float) -> float:
        near = np.abs(x - pos) <= fwhm / 2
        return float(dy[near].mean()) if near.any() else 0.0
    pos, _, fwhm = max(peaks, key=lambda p: loss(p[0], p[2]))
    return pos, fwhm


def _respdor(f: Found) -> Proposal | str:
    pair = f.facts.get("pair")
    if not pair:
        return "RESPDOR series: the dephasing nucleus is not named (TITLE like 13C{27Al}, NUC2)"
    line = _dephased_line(f)
    if isinstance(line, str):
        return line
    pos, fwhm = line
    step = 1.0 if fwhm < 10.0 else 10.0
    centre = _round(pos, step)
    half = max(step, _round(_REGION_FWHMS * fwhm, step))
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


def _normalise_13c(spec: Spectrum) -> tuple[list[float], str]:
    """The 13C normalisation region: the oleate alkene when a peak is there, else the tallest."""
    peaks = _peaks(spec, _ALKENE_13C_PPM - _ALKENE_13C_HALF, _ALKENE_13C_PPM + _ALKENE_13C_HALF)
    if peaks:
        return (_descending(_ALKENE_13C_PPM - _ALKENE_13C_HALF, _ALKENE_13C_PPM + _ALKENE_13C_HALF),
                f"oleate alkene C=C ({_ALKENE_13C_PPM:g} ppm; peak found at {peaks[0][0]:.1f})")
    top = _peaks(spec)
    if not top:
        return [], "no peak above 5 σ"
    c = _round(top[0][0], 1.0)
    return [c + 5.0, c - 5.0], f"the tallest peak at {top[0][0]:.1f} ppm ± 5 ppm"


def _dnp_pairs(cands: list[tuple[Found, str | None]]) -> tuple[list[Proposal], set[int]]:
    """Microwave on/off pairs of one nucleus and sample that differ in nothing else."""
    from cald.io.bruker import read_bruker
    from cald.nmr.dnp import acquisition_differences

    out, used = [], set()
    groups: dict[tuple[Any, ...], dict[str, list[Found]]] = defaultdict(lambda: defaultdict(list))
    for f, sample in cands:
        if f.facts.get("microwaves") and f.format == "bruker" and f.technique == "nmr":
            groups[(sample, f.nucleus)][f.facts["microwaves"]].append(f)
    for (_, nucleus), by_state in groups.items():
        for on in by_state.get("on", []):
            for off in by_state.get("off", []):
                if id(off) in used:
                    continue
                diffs = acquisition_differences(read_bruker(on.path), read_bruker(off.path))
                if diffs:
                    continue
                spec = _read_nmr(on)
                region, why = (_normalise_13c(spec) if nucleus == "13C" else
                               _tallest_region(spec))
                if not region:
                    continue
                out.append(Proposal("dnp", [on, off], {"region": region},
                                    ["microwaves on/off from the TITLE or folder names, "
                                     "acquisitions otherwise identical", f"region: {why}"]))
                used |= {id(on), id(off)}
                break
    return out, used


def _tallest_region(spec: Spectrum) -> tuple[list[float], str]:
    top = _peaks(spec)
    if not top:
        return [], "no peak above 5 σ"
    half = max(5.0, float(np.ceil(top[0][2])))
    c = _round(top[0][0], 1.0)
    return [c + half, c - half], f"the tallest peak at {top[0][0]:.1f} ppm ± {half:g} ppm"


def _quad(f: Found) -> Proposal | str:
    spec = _read_nmr(f)
    peaks = _peaks(spec, -50.0, 120.0)
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


def _csa(f: Found) -> Proposal | str:
    from cald.lineshape.manifolds import find_manifolds

    mas_hz = f.facts["mas_hz"]
    spec = _read_nmr(f)
    manifolds = find_manifolds(spec, mas_hz)
    if not manifolds:
        return "MAS spectrum: no sideband manifold above 5 σ"
    found = sorted({_round(m.iso_ppm, 10.0) for m in manifolds}, reverse=True)
    stated = sorted(_stated_isotropic(f.title), reverse=True)
    peaks = [p[0] for p in _peaks(spec)]
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


def _dosy(f: Found) -> Proposal | str:
    spec = _read_nmr(f, row=1)
    if f.nucleus == "1H" and _peaks(spec, *_ALKENE_1H_WINDOW):
        return Proposal("dosy", [f], {"region": _descending(*_ALKENE_1H_WINDOW)},
                        ["diffusion series (difflist/pulse program)", "region: the oleate "
                         "alkene (5.4 ppm) found in the first row"])
    top = _peaks(spec)
    if not top:
        return "DOSY: no peak above 5 σ in the first row"
    c = _round(top[0][0], 0.1)
    return Proposal("dosy", [f], {"region": [round(c + 0.2, 1), round(c - 0.2, 1)]},
                    ["diffusion series", f"region: the tallest peak at {top[0][0]:.2f} ppm"],
                    "medium")


def _tma_per_qd(f: Found) -> float | None:
    for text in (f.rel, f.title):
        m = _TMA.search(text)
        if m:
            return float(m.group(1) or m.group(2))
    return None


def _standard(f: Found) -> dict[str, Any] | None:
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


def _optical_conditions(f: Found) -> dict[str, float]:
    """Path length (cm) and dilution stated in a table's comment lines."""
    out = {}
    m = _PATH.search(f.sample_text)
    if m:
        out["path_cm"] = float(m.group(1))
    m = _DILUTION.search(f.sample_text)
    if m:
        out["dilution"] = float(m.group(1) or m.group(2))
    return out


def _exciton_nm(f: Found) -> float | None:
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


def _carboxylate_bands(f: Found) -> bool:
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


def _xps(f: Found) -> Proposal | str:
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


# --- assembly -------------------------------------------------------------------------------

def propose(found: list[Found], samples: dict[int, tuple[str | None, int | None, str | None]],
            ) -> tuple[list[Proposal], list[Unplaced], list[tuple[Found, str]]]:
    """Analyses for the recognised data sets.

    ``samples`` maps ``id(found)`` to (sample name, cycles, core). Returns the proposals, the
    data sets without an analysis (with the reason) and the data sets whose recognition failed
    while reading their data (with the reader's message).
    """
    proposals: list[Proposal] = []
    unplaced: list[Unplaced] = []
    failed: list[tuple[Found, str]] = []
    used: set[int] = set()

    def attempt(f: Found, make: Callable[[Found], Proposal | str]) -> Proposal | None:
        try:
            out = make(f)
        except InputError as exc:
            failed.append((f, exc.detail))
            used.add(id(f))
            return None
        except (OSError, ValueError, IndexError, ArithmeticError) as exc:  # data a reader let by
            failed.append((f, f"could not be analysed ({type(exc).__name__}: {exc})"))
            used.add(id(f))
            return None
        if isinstance(out, str):
            unplaced.append(Unplaced(f, out))
            used.add(id(f))
            return None
        proposals.append(out)
        used.update(id(x) for x in out.inputs)
        return out

    sample_of = {id(f): samples.get(id(f), (None, None, None))[0] for f in found}
    cycles_of = {id(f): samples.get(id(f), (None, None, None))[1] for f in found}
    core_of = {id(f): samples.get(id(f), (None, None, None))[2] for f in found}

    respdor = {}
    for f in found:
        if f.technique == "respdor":
            p = attempt(f, _respdor)
            if p is not None:
                respdor[id(f)] = p
        elif f.technique == "dosy":
            attempt(f, _dosy)

    # DNP on/off pairs, then 13C CP spectra overlaid (the 'on' of each pair, unpaired spectra)
    try:
        dnp, paired = _dnp_pairs([(f, sample_of[id(f)]) for f in found if id(f) not in used])
    except InputError as exc:
        dnp, paired = [], set()
        failed.extend((f, exc.detail) for f in found if f.facts.get("microwaves"))
    proposals.extend(dnp)
    used |= paired
    on_of_pair = {id(p.inputs[0]) for p in dnp}
    for f in found:
        if id(f) in used and id(f) not in on_of_pair:
            continue
        if f.format == "bruker" and f.technique == "nmr" and f.nucleus == "13C":
            def overlay(g: Found, dnp_on: bool = id(f) in on_of_pair) -> Proposal | str:
                region, why = _normalise_13c(_read_nmr(g))
                params: dict[str, Any] = {"overlay": "13C CP (DNP)" if dnp_on else "13C"}
                if region:
                    params["normalise_region"] = region
                return Proposal("nmr", [g], params, [f"13C spectrum overlaid, normalised to the "
                                                     f"{why}"], "medium")
            attempt(f, overlay)

    for f in found:
        if id(f) in used:
            continue
        if f.format == "bruker" and f.technique == "nmr" and f.nucleus == "27Al":
            attempt(f, _quad)
        elif (f.format == "bruker" and f.technique == "nmr" and f.nucleus in ("113Cd", "111Cd")
              and f.facts.get("mas_hz")):
            attempt(f, _csa)
        elif f.technique == "xps" and f.format == "vamas":
            attempt(f, _xps)

    # quantitative 1H with an internal standard → ligand density with the sample's UV-vis
    uvvis = [f for f in found if f.technique == "uvvis" and id(f) not in used]
    for f in found:
        if id(f) in used or f.technique != "nmr" or f.nucleus != "1H":
            continue
        std = _standard(f)
        if std is None:
            continue
        mine = [u for u in uvvis if sample_of[id(u)] == sample_of[id(f)] and id(u) not in used]
        tokens = set(re.split(r"[\W_]+", f.path.name.lower())) - {"1h", ""}
        mine.sort(key=lambda u: -len(tokens & set(re.split(r"[\W_]+", u.path.stem.lower()))))
        inputs = [f] + mine[:1]
        params = {**std, "standard_rel_err": 0.01, "qd_rel_err": 0.1}
        reasons = [f"internal standard {std['standard']} {std['standard_mm']:g} mM from the "
                   "TITLE", "standard_rel_err 1 % and qd_rel_err 10 % are typical values: "
                   "check them"]
        if mine:
            params.update(_optical_conditions(mine[0]))
            reasons.append(f"QD concentration from {mine[0].rel}"
                           + (" (path and dilution from its comment)"
                              if _optical_conditions(mine[0]) else ""))
        proposals.append(Proposal("ligands", inputs, params, reasons, "medium"))
        used.update(id(x) for x in inputs)

    # TMA titration: 1H spectra of one sample with a TMA/QD value each
    titr: dict[str | None, list[tuple[float, Found]]] = defaultdict(list)
    for f in found:
        if id(f) not in used and f.technique == "nmr" and f.nucleus == "1H":
            n = _tma_per_qd(f)
            if n is not None:
                titr[sample_of[id(f)]].append((n, f))
    for series in titr.values():
        if len(series) < 3:
            continue
        series.sort(key=lambda t: t[0])
        values = [int(n) if n == int(n) else n for n, _ in series]
        proposals.append(Proposal(
            "titration", [f for _, f in series],
            {"tma_per_qd": values, "region": list(_TITRATION_REGION)},
            ["TMA/QD of each spectrum from its folder name or TITLE",
             "region: the bound-oleate alkene window"], "medium"))
        used.update(id(f) for _, f in series)

    # UV-vis: size from the exciton, against the pristine sample's spectrum
    pristine: dict[str | None, Found] = {}
    for f in found:
        if id(f) not in used and f.technique == "uvvis" and cycles_of[id(f)] == 0:
            pristine.setdefault(core_of[id(f)], f)
    for f in found:
        if id(f) in used or f.technique != "uvvis":
            continue

        def uv(g: Found) -> Proposal | str:
            from cald.qd.options import MATERIALS

            core = core_of[id(g)]
            if core not in MATERIALS:
                return f"UV-vis: core material {core or '(not named)'} has no sizing curve " \
                       f"({', '.join(MATERIALS)})"
            peak = _exciton_nm(g)
            if peak is None:
                return "UV-vis: no exciton maximum found"
            c = _round(peak, 5.0)
            params: dict[str, Any] = {"material": core, **_optical_conditions(g),
                                      "overlay": "UV-vis",
                                      "normalise_region": [c - _EXCITON_HALF_NM,
                                                           c + _EXCITON_HALF_NM]}
            inputs = [g]
            reasons = [f"first exciton at {peak:.0f} nm, material {core} from the names"]
            ref = pristine.get(core)
            if ref is not None and ref is not g and (cycles_of[id(g)] or 0) > 0:
                inputs.append(ref)
                reasons.append(f"compared with the pristine spectrum {ref.rel}")
            if "dilution" not in params:
                reasons.append("no dilution stated: 1 assumed")
            return Proposal("uvvis", inputs, params, reasons,
                            "high" if "path_cm" in params else "medium")
        attempt(f, uv)

    for f in found:
        if id(f) in used:
            continue
        if f.technique == "ir":
            attempt(f, lambda g: Proposal(
                "ftir", [g], {}, ["IR with broad bands (FWHM ≥ 20 cm⁻¹) in the carboxylate ν_as and "
                                  "ν_s windows (other compounds may have such bands too)"], "medium")
                if _carboxylate_bands(g) else "IR: no pair of broad bands in the carboxylate ν_as and ν_s "
                                              "windows")

    # atomistic models, analysed beside the sample's RESPDOR series (13C{27Al} first)
    for f in found:
        if id(f) in used or f.technique != "structure":
            continue
        measured = [p for p in respdor.values() if sample_of[id(p.inputs[0])] == sample_of[id(f)]
                    and sample_of[id(f)] is not None]
        measured.sort(key=lambda p: p.parameters["pair"] != "13C-27Al")
        if not measured:
            unplaced.append(Unplaced(f, "structure: no RESPDOR series of its sample to compare"))
            used.add(id(f))
            continue
        p = measured[0]
        proposals.append(Proposal(
            "model", [f, p.inputs[0]], {"pair": p.parameters["pair"],
                                        "region": p.parameters["region"]},
            [f"beside the RESPDOR series {p.inputs[0].rel} of the same sample"], "medium"))
        used.add(id(f))

    for f in found:  # any other 1D NMR spectrum: processed and shown
        if id(f) in used:
            continue
        if f.technique == "nmr" and not f.facts.get("fid") and f.format in ("bruker", "jcamp"):
            attempt(f, lambda g: Proposal("nmr", [g], {}, ["1D spectrum, processed and shown"],
                                          "low"))
        else:
            unplaced.append(Unplaced(f, _why_not(f)))
    return proposals, unplaced, failed


def _why_not(f: Found) -> str:
    return {"series": "pseudo-2D series that is neither RESPDOR/REDOR nor DOSY",
            "xps": "XPS table without region names: use `cald xps fit`",
            "vamas-other": "VAMAS file of a technique other than XPS",
            "nmr": "NMR FID in JCAMP-DX: give the spectrum",
            }.get(f.technique, f"{f.technique}: no analysis kind proposes itself")
