"""CPMG echo trains: summed-echo spectra and spikelet spectra.

A CPMG train acquired continuously is a sequence of echoes, one per block of the echo period.
Summing the N echoes before the Fourier transform (as the study did with RMN) gives the
conventional spectrum with up to √N better S/N; transforming the whole train gives the spikelet
spectrum (lines sampled every 1/τ).
"""

from __future__ import annotations

import numpy as np

from cald.errors import DataFileError, ParameterError
from cald.io.nmrdata import NmrDataset
from cald.nmr.processing import fourier_transform
from cald.spectrum import Spectrum

__all__ = ["echo_period_s", "sum_echoes", "cpmg_spectrum", "spikelet_spectrum"]


def echo_period_s(ds: NmrDataset) -> float:
    """Echo period stored with a CPMG acquisition (:attr:`NmrDataset.cpmg_echo_period_s`;
    Bruker qcpmg: D6 + 2·D3 + P2, the time between echo tops while the digitiser runs on)."""
    period = ds.cpmg_echo_period_s
    if period is None:
        raise DataFileError("no echo period stored (Bruker: echo duration D6 in acqus): give "
                            "the echo period", ds.parameter_file)
    return period


def sum_echoes(sig: Spectrum, echo_period: float, n_echoes: int | None = None,
               skip: int = 0, top_fraction: float = 0.5, size: int | None = None) -> Spectrum:
    """Sum the echoes of a train into one echo, rearranged with its top at t = 0.

    Parameters
    ----------
    sig
        Time-domain train, or the trains of a series (one per row), after digital-filter
        removal, or with ``meta["group_delay"]`` that is removed here by shifting whole points
        and a residual first-order phase on FT.
    echo_period
        Time between echo tops (s).
    n_echoes
        Echoes to sum (default: all complete ones).
    skip
        Echoes to leave out at the start.
    top_fraction
        Position of the echo top within each block (0.5: centred).
    size
        Zero fill to this many points; the zeros go between the t ≥ 0 half and the wrapped
        t < 0 half of the echo, so that the echo stays whole.

    Returns
    -------
    Spectrum
        One full echo, rolled so that the echo top is the first point and the first half of the
        echo wraps to the end: its Fourier transform is absorptive.
    """
    if not sig.is_time_domain:
        raise ParameterError("echo summation needs a time-domain signal")
    dwell = float(sig.axis[1] - sig.axis[0])
    points = int(round(echo_period / dwell))
    if points < 4:
        raise ParameterError(f"echo period {echo_period * 1e3:g} ms is shorter than 4 points")
    gd = int(round(float(sig.meta.get("group_delay", 0.0))))
    values = np.asarray(sig.values)[..., gd:]
    available = values.shape[-1] // points
    if skip < 0:
        raise ParameterError(f"skip must be ≥ 0, got {skip}")
    if not 0.0 <= top_fraction < 1.0:
        raise ParameterError(f"top_fraction must be in [0, 1), got {top_fraction}")
    if available - skip < 1:
        raise ParameterError(f"the train holds {available} echoes of {points} points; "
                             f"nothing left after skipping {skip}")
    n = available - skip if n_echoes is None else n_echoes
    if n < 1 or skip + n > available:
        raise ParameterError(f"asked for {n} echoes after {skip}, the train holds {available}")
    rows = values.shape[:-1]
    blocks = values[..., skip * points:(skip + n) * points].reshape(*rows, n, points)
    top = int(round(top_fraction * points))
    summed = blocks.sum(axis=-2)
    total = points if size is None else size
    if total < points:
        raise ParameterError(f"size {total} is smaller than the echo ({points} points)")
    echo = np.zeros((*rows, total), dtype=complex)
    echo[..., : points - top] = summed[..., top:]  # t ≥ 0 half
    if top:
        echo[..., total - top:] = summed[..., :top]  # t < 0 half, wrapped to the end
    axis = np.arange(total) * dwell
    meta = {**sig.meta, "group_delay": float(sig.meta.get("group_delay", 0.0)) - gd,
            "n_echoes": n, "echo_points": points, "echo_wrap_points": top}
    return sig.evolve(echo, f"summed {n} echoes of {points} points (skipped {skip}), "
                            f"{total} points",
                      axis=axis, meta=meta)


def cpmg_spectrum(sig: Spectrum, echo_period: float, **kwargs: object) -> Spectrum:
    """Summed-echo spectrum (see :func:`sum_echoes` for the options)."""
    return fourier_transform(sum_echoes(sig, echo_period, **kwargs))  # type: ignore[arg-type]


def spikelet_spectrum(sig: Spectrum) -> Spectrum:
    """Fourier transform of the whole echo train (spikelets every 1/τ)."""
    return fourier_transform(sig)
