"""The model of the 1D CSA sideband fit (:func:`cald.lineshape.csafit.fit_csa`): site
manifolds from a sideband table placed on the axis by FFT, amplitudes by linear least squares
(variable projection), and the Herzfeld–Berger style grid search of the starts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import lsq_linear
from scipy.signal import peak_widths

from cald.lineshape.sidebands import _Axis, _Placer, _TableSimulator

#: Line broadenings of the fit: which FWHM parameters each one varies.
LINESHAPES = {"lorentzian": ("lorentz",), "gaussian": ("gauss",), "voigt": ("lorentz", "gauss")}

_ETA_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
_ZETA_GRID_FACTORS = (0.25, 0.5, 0.8, 1.2, 1.7, 2.4, 3.3, 4.5, 6.0)  # × sideband spacing (ppm)


@dataclass
class _SiteState:
    label: str
    iso: float
    zeta: float
    eta: float
    lorentz: float
    gauss: float
    candidates: tuple[float, ...]
    iso_window: tuple[float, float]
    given_tensor: bool = False


class _Model:
    """Everything the objective needs: axis, data, weights, simulator and placer."""

    def __init__(self, ax: _Axis, y: NDArray[np.float64], sigma: float, sim: _TableSimulator,
                 lineshape: str, baseline: bool) -> None:
        self.ax, self.y, self.sigma = ax, y, sigma
        self.sim, self.placer = sim, _Placer(sim, ax.a0, ax.n)
        self.widths = LINESHAPES[lineshape]
        self.baseline = baseline
        self.n_evaluations = 0

    def basis(self, sites: Sequence[tuple[float, float, float, float, float]],
              mas_hz: float | None = None) -> NDArray[np.float64]:
        """Columns: unit-area manifolds of (iso, ζ, η, lorentz, gauss) sites [+ a constant], at
        the MAS rate ``mas_hz`` (default the rate given)."""
        self.n_evaluations += 1
        spectra = self.sim.spectra_rfft([(z, e) for _, z, e, _, _ in sites], mas_hz)
        cols = [self.placer.place(s, iso, lw, gw) for s, (iso, _, _, lw, gw) in
                zip(spectra, sites, strict=True)]
        if self.baseline:
            cols.append(np.ones(self.ax.n))
        return np.column_stack(cols)

    def project(self, b: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Amplitudes ≥ 0 (baseline free) minimising |y − B c|, and the residual."""
        c = _least_squares(b, self.y)
        n_sites = b.shape[1] - int(self.baseline)
        if np.any(c[:n_sites] < 0):
            lower = np.r_[np.zeros(n_sites), np.full(int(self.baseline), -np.inf)]
            c = lsq_linear(b, self.y, bounds=(lower, np.inf), method="bvls").x
        return np.asarray(c, dtype=np.float64), self.y - b @ c


def _least_squares(b: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """min |y − B c| for a tall B of a few columns: the normal equations (k² n operations, against
    an SVD's) unless B is near rank-deficient, then the SVD solution."""
    gram = b.T @ b
    if np.linalg.cond(gram) < 1e10:
        return np.asarray(np.linalg.solve(gram, b.T @ y), dtype=np.float64)
    return np.asarray(np.linalg.lstsq(b, y, rcond=None)[0], dtype=np.float64)


def _site_tuple(p: dict[str, float], i: int, st: _SiteState) -> tuple[float, float, float, float, float]:
    return (p.get(f"s{i}_iso_ppm", st.iso), p.get(f"s{i}_zeta_ppm", st.zeta), p.get(f"s{i}_eta", st.eta),
            p.get(f"s{i}_lorentz_hz", st.lorentz), p.get(f"s{i}_gauss_hz", st.gauss))


def _grid_search(model: _Model, states: list[_SiteState], zeta_max: float, spacing_ppm: float) -> None:
    """Herzfeld–Berger style start: for each site in turn (two sweeps), every (ζ, η) of a coarse
    grid and every centreband candidate, amplitudes by linear least squares; keep the best."""
    mags = [f * spacing_ppm for f in _ZETA_GRID_FACTORS if f * spacing_ppm <= zeta_max] or [zeta_max]
    # no ζ = 0: like η = 0 it is a stationary point (sideband intensities grow as ζ²)
    grid = [(s * z, e) for z in mags for s in (1.0, -1.0) for e in _ETA_GRID if not (s < 0 and e == 1.0)]
    spectra = model.sim.spectra_rfft(grid)  # one batched mrsimulator run
    for _sweep in range(2 if len(states) > 1 else 1):
        for i, st in enumerate(states):
            if st.given_tensor and len(st.candidates) == 1:
                continue
            others = {j: model.placer.place(model.sim.spectra_rfft([(o.zeta, o.eta)])[0], o.iso,
                                            o.lorentz, o.gauss) for j, o in enumerate(states) if j != i}
            fixed_cols = [others[j] for j in sorted(others)] + ([np.ones(model.ax.n)] if model.baseline
                                                                 else [])
            best = (np.inf, st.iso, st.zeta, st.eta)
            pairs = [(st.zeta, st.eta)] if st.given_tensor else grid
            pair_spectra = model.sim.spectra_rfft(pairs) if st.given_tensor else spectra
            for iso in st.candidates:
                for (z, e), s in zip(pairs, pair_spectra, strict=True):
                    model.n_evaluations += 1
                    col = model.placer.place(s, iso, st.lorentz, st.gauss)
                    _, r = model.project(np.column_stack([col, *fixed_cols]))
                    chi = float(r @ r)
                    if chi < best[0]:
                        best = (chi, iso, z, e)
            _, st.iso, st.zeta, st.eta = best
            lo, hi = st.iso - 0.45 * spacing_ppm, st.iso + 0.45 * spacing_ppm
            st.iso_window = (max(lo, model.ax.lo), min(hi, model.ax.hi))


def _width_start(a: NDArray[np.float64], y: NDArray[np.float64], iso: float, hz_per_ppm: float,
                 step: float) -> float:
    k = int(np.clip(np.round((iso - a[0]) / step), 0, a.size - 1))
    lo, hi = max(k - 5, 0), min(k + 6, a.size)
    k = lo + int(np.argmax(y[lo:hi]))
    w = float(peak_widths(y, [k], rel_height=0.5)[0][0]) * step * hz_per_ppm
    return w if np.isfinite(w) and w > 0 else 4 * step * hz_per_ppm
