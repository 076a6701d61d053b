"""Sideband manifolds found in a 1D MAS spectrum: the peaks that repeat with the sideband
spacing ν_r/ν0, grouped per site (the starting point of :func:`cald.lineshape.csafit.fit_csa`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.signal import find_peaks, peak_widths

from cald.errors import ParameterError
from cald.lineshape.sidebands import _axis, _check_mas, _reference_mhz, _spin_half
from cald.spectrum import Spectrum

__all__ = ["SidebandManifold", "find_manifolds"]


@dataclass(frozen=True)
class SidebandManifold:
    """Peaks that repeat with the sideband spacing, and the centreband chosen among them.

    ``iso_ppm`` is the member nearest the height-weighted first moment (which equals δiso for a
    complete manifold); ``candidates_ppm`` the nearest members, tried by the grid search.
    """

    iso_ppm: float
    candidates_ppm: tuple[float, ...]
    peaks_ppm: tuple[float, ...]
    heights: tuple[float, ...]
    first_moment_ppm: float
    width_hz: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _noise(values: NDArray[np.float64]) -> float:
    """Noise σ of one row of values (:func:`cald.noise.noise_std`: median spread of
    segments, trend removed)."""
    from cald.noise import noise_std

    return noise_std(Spectrum(np.asarray(values, dtype=float), np.arange(np.size(values), dtype=float),
                              "ppm"))


def _manifolds(a: NDArray[np.float64], y: NDArray[np.float64], spacing_ppm: float, sigma: float,
               n_sites: int | None, min_snr: float, max_sites: int, hz_per_ppm: float
               ) -> list[SidebandManifold]:
    step = a[1] - a[0]
    threshold = max(min_snr * sigma, 0.01 * float(np.max(y)))
    idx, _ = find_peaks(y, height=threshold, prominence=threshold)
    if idx.size == 0:
        return []
    idx = idx[np.argsort(y[idx])[::-1]][:200]
    widths = peak_widths(y, idx, rel_height=0.5)[0] * step
    tol = max(3 * step, 0.03 * spacing_ppm)
    free = np.ones(idx.size, bool)
    groups = []
    for i in range(idx.size):
        if not free[i]:
            continue
        off = (a[idx] - a[idx[i]]) / spacing_ppm
        member = free & (np.abs(off - np.round(off)) * spacing_ppm <= tol)
        free &= ~member
        groups.append(np.flatnonzero(member))
    totals = np.array([y[idx[g]].sum() for g in groups])
    order = np.argsort(totals)[::-1]
    keep = [o for o in order if totals[o] >= 0.02 * totals[order[0]]][:n_sites or max_sites]
    out = []
    for o in keep:
        g = groups[o]
        pos, h = a[idx[g]], y[idx[g]]
        moment = float(np.sum(pos * h) / np.sum(h))
        near = np.argsort(np.abs(pos - moment))[:3]
        top = g[int(near[0])]
        out.append(SidebandManifold(float(pos[near[0]]), tuple(float(p) for p in pos[near]),
                                    tuple(float(p) for p in np.sort(pos)[::-1]),
                                    tuple(float(v) for v in h[np.argsort(pos)[::-1]]), moment,
                                    float(widths[top]) * hz_per_ppm))
    return sorted(out, key=lambda m: -m.iso_ppm)


def find_manifolds(spectrum: Spectrum, mas_hz: float, *, nucleus: str | None = None,
                   field_1h_mhz: float | None = None, n_sites: int | None = None, min_snr: float = 5.0,
                   max_sites: int = 6) -> list[SidebandManifold]:
    """Sideband manifolds in a 1D MAS spectrum: peaks above ``min_snr`` × noise σ, grouped (tallest
    first) with the peaks that sit a whole number of sideband spacings ν_r/ν0 away; the ``n_sites``
    (else up to ``max_sites``) strongest groups, by decreasing δiso. ``width_hz`` is the FWHM of the
    chosen centreband. Two sites whose shifts differ by a multiple of the spacing merge: give the
    shifts to :func:`fit_csa` then."""
    _check_mas(mas_hz)
    if spectrum.unit != "ppm":
        raise ParameterError(f"find_manifolds needs a ppm axis, got {spectrum.unit!r}")
    ax = _axis(spectrum.axis, 8)
    nu0 = _reference_mhz(_spin_half(nucleus or spectrum.nucleus), spectrum.sf_mhz, field_1h_mhz)
    y = ax.from_caller(np.real(np.asarray(spectrum.values, dtype=complex)))
    if y.ndim != 1:
        raise ParameterError("find_manifolds works on one 1D spectrum")
    return _manifolds(ax.ascending, y, mas_hz / nu0, _noise(y), n_sites, min_snr, max_sites, nu0)


# --- results --------------------------------------------------------------------------------
