"""Noise σ of a spectrum: the one measure every fit uses when the user gives no σ.

Kept below the processing and the fitting core (it needs only a :class:`~cald.spectrum.Spectrum`),
so that :mod:`cald.fitting` can measure noise without importing :mod:`cald.nmr`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cald.errors import ParameterError
from cald.spectrum import Spectrum

__all__ = ["noise_std", "segment_noise"]


def noise_std(spec: Spectrum, region: tuple[float, float] | None = None) -> float:
    """Standard deviation of the real part of one spectrum.

    With ``region``: measured there (linear trend removed). Otherwise, when the processing
    recorded the receiver noise and the window (``meta["noise_sd_time"]``, ``meta["window"]``),
    propagated exactly: σ = σ_t √(Σ w²); else the median spread of 64 segments (biased low when
    heavy apodization correlates the noise over many points)."""
    real = np.real(spec.values)
    if real.ndim != 1:
        raise ParameterError("noise estimate works on one spectrum at a time")
    if region is not None:
        mask = spec.region_mask(*region)
        if mask.sum() < 8:
            raise ParameterError(f"noise region {region} holds fewer than 8 points")
        seg = real[mask]
        x = np.arange(seg.size)
        return float(np.std(seg - np.polyval(np.polyfit(x, seg, 1), x), ddof=2))
    sd_t, window = spec.meta.get("noise_sd_time"), spec.meta.get("window")
    if sd_t is not None and window is not None and np.ndim(sd_t) == 0:
        return float(sd_t) * float(np.sqrt(np.sum(np.asarray(window) ** 2)))
    return segment_noise(real)


def segment_noise(values: NDArray[np.float64]) -> float:
    """Median spread (linear trend removed) of 64 equal segments of a 1D array."""
    segments = np.array_split(values, min(64, max(1, values.size // 8)))
    spreads = []
    for seg in segments:
        x = np.arange(seg.size)
        spreads.append(np.std(seg - np.polyval(np.polyfit(x, seg, 1), x), ddof=2))
    return float(np.median(spreads))
