"""Pseudo-2D series as curves: RESPDOR (interleaved S0/S rows or separate experiments) and DOSY.

Each row is processed like a 1D spectrum with the *same* processing and phase (taken from the
stored processing parameters or found automatically on the sum of all rows), integrated over a region, and
the integral's noise is measured on the same row (:func:`integral_noise`).

The curves are extracted block by block (:func:`phased_series`: a few rows at a time, read from
the ``ser`` file through a memory map), so that a series of gigabytes needs memory for a few
rows only; an automatic phase then takes two passes (the sum of all rows first). A series that
fits in one block (:data:`~cald.io.nmrdata.ROW_BLOCK_POINTS` complex points) is processed at once,
exactly as :func:`process_series` does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError, FieldError, ParameterError
from cald.io.bruker import BrukerDataset
from cald.io.nmrdata import ROW_BLOCK_POINTS, ArrayedValues, NmrDataset, raw_row_blocks
from cald.nmr.cpmg import echo_period_s as stored_echo_period_s
from cald.nmr.cpmg import sum_echoes
from cald.nmr.processing import (
    autophase,
    fourier_transform,
    integral_noise,
    integrate,
    phase,
    process_fid,
)
from cald.spectrum import Spectrum

__all__ = [
    "RespdorSeries",
    "DosySeries",
    "process_series",
    "phased_series",
    "rotor_period_s",
    "recoupling_times_s",
    "respdor_series",
    "dosy_series",
]


def phased_series(ds: NmrDataset, auto_phase: str | None = None,
                  phases_deg: tuple[float, float] | None = None, cpmg: bool = False,
                  echo_period_s: float | None = None,
                  block_points: int | None = ROW_BLOCK_POINTS,
                  **options: Any) -> tuple[tuple[float, float], Iterator[Spectrum]]:
    """The rows of a series (Bruker ``ser``, Varian array, …) processed with identical
    parameters, a block of rows at a time (:func:`cald.io.nmrdata.raw_row_blocks`, at most
    ``block_points`` complex points a block; ``None``: all rows in one block).

    Returns the phases (PHC0, PHC1 in degrees) and an iterator over the processed, phased
    blocks (each with ``meta["phc0"]``/``meta["phc1"]``). The phase is, in order of precedence:
    ``phases_deg``, found automatically on the sum of all rows with ``auto_phase`` (a first pass
    over the rows), or the stored PHC0/PHC1. ``options`` go to
    :func:`cald.nmr.processing.process_fid`. With ``cpmg`` each row is a CPMG echo train whose
    echoes are summed (:func:`cald.nmr.cpmg.sum_echoes`; echo period from the data set unless
    ``echo_period_s`` is given) and transformed without window; the stored phases, which belong
    to the train, are not used (phase 0 unless given or found).
    """
    if not ds.is_series:
        raise DataFileError("not a series (a single FID)", ds.path)
    period = 0.0
    if cpmg:
        period = stored_echo_period_s(ds) if echo_period_s is None else echo_period_s
        if phases_deg is None and not auto_phase:
            phases_deg = (0.0, 0.0)
    elif phases_deg is None and not auto_phase:
        phases_deg = (ds.processing.p0_deg, ds.processing.p1_deg)

    def unphased() -> Iterator[Spectrum]:
        for sig in raw_row_blocks(ds, block_points):
            if cpmg:
                yield fourier_transform(sum_echoes(sig, period))
            else:
                yield process_fid(sig, ds.processing, p0_deg=0.0, p1_deg=0.0, **options)

    blocks: Iterable[Spectrum] = unphased()
    if phases_deg is None:
        seen: list[Spectrum] = []  # the first block; the only one of a small series is reused
        total: NDArray[np.complex128] | None = None
        for block in blocks:
            for row in block.values:  # row after row: numpy's sum over axis 0, to the last bit
                total = row.copy() if total is None else np.add(total, row, out=total)
            seen = seen[:1] + [block]
        if total is None:  # no rows at all
            total = np.zeros(seen[0].n_points, dtype=complex)
        found = autophase(seen[0].evolve(total, "sum of rows"), str(auto_phase))
        phases_deg = (found.meta["phc0"], found.meta["phc1"])
        blocks = seen[:1] if len(seen) == 1 else unphased()
    phases = phases_deg

    def phased() -> Iterator[Spectrum]:
        for block in blocks:
            spec = phase(block, *phases)
            yield spec.evolve(spec.values, "same phase for every row",
                              meta={**spec.meta, "phc0": phases[0], "phc1": phases[1]})

    return phases, phased()


def process_series(ds: NmrDataset, auto_phase: str | None = None,
                   phases_deg: tuple[float, float] | None = None, cpmg: bool = False,
                   echo_period_s: float | None = None, **options: Any) -> Spectrum:
    """Process every row of a series with identical parameters, all rows at once (see
    :func:`phased_series` for the phase and the options; for a large series that function
    holds only a few rows at a time).

    The phases used are in ``meta["phc0"]``/``meta["phc1"]``.
    """
    _, blocks = phased_series(ds, auto_phase, phases_deg, cpmg, echo_period_s, block_points=None,
                              **options)
    return next(blocks)


def _integrals(blocks: Iterable[Spectrum], region: tuple[float, float]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Integral over ``region`` and its noise (:func:`integral_noise`) of every row of the
    blocks, in order."""
    ints, noise = [], []
    for spec in blocks:
        ints.append(np.atleast_1d(integrate(spec, *region)))
        noise.append(np.atleast_1d(integral_noise(spec, *region)))
    return np.concatenate(ints), np.concatenate(noise)


def rotor_period_s(ds: NmrDataset) -> float:
    """Rotor period from the MAS rate stored with the data (:attr:`NmrDataset.rotor_period_s`:
    Bruker MASR, else CNST31; Varian srate)."""
    period = ds.rotor_period_s
    if period is None:
        raise DataFileError("no MAS rate (Bruker: MASR or CNST31; Varian/Agilent: srate) to "
                            "convert loop counters to times; give the recoupling times",
                            ds.parameter_file)
    return period


def _recoupling_array(ds: NmrDataset) -> ArrayedValues | None:
    """The array that gives the recoupling times: the first of loop counts, else of delays."""
    for unit in ("count", "s"):
        for values in ds.arrays.values():
            if values.unit == unit:
                return values
    return None


def recoupling_times_s(ds: NmrDataset, n_times: int) -> tuple[NDArray[np.float64], str]:
    """Total recoupling time of each S0/S pair: an arrayed loop count (Bruker vclist, a Varian
    integer array; rotor periods) × rotor period, or an arrayed delay (vdlist, a Varian delay
    array; seconds). An array with one value per row of an interleaved series (each value
    twice in a row) gives one time per pair. Returns the times and a sentence saying where
    they came from."""
    array = _recoupling_array(ds)
    if array is None:
        raise DataFileError("no vclist or vdlist (nor another arrayed loop count or delay): give "
                            "the recoupling times", ds.path)
    values = array.values
    if values.size == 2 * n_times and np.array_equal(values[0::2], values[1::2]):
        values = values[0::2]
    if array.unit == "count":
        t = values * rotor_period_s(ds)
        how = (f"{array.name} ({values.size} loop counts, rotor periods) × rotor period "
               f"{rotor_period_s(ds) * 1e6:g} µs")
    else:
        t, how = values, f"{array.name} (s)"
    if t.size < n_times:
        raise DataFileError(f"list has {t.size} entries but the series holds {n_times} S0/S pairs",
                            ds.path)
    return t[:n_times], how


@dataclass(frozen=True)
class RespdorSeries:
    """S0 and S integrals of a RESPDOR series with their noise, ready for a fit."""

    t_s: NDArray[np.float64]
    s0: NDArray[np.float64]
    s: NDArray[np.float64]
    s0_noise: NDArray[np.float64]
    s_noise: NDArray[np.float64]
    region_ppm: tuple[float, float]
    source: str
    times_from: str
    title: str = ""

    def columns(self) -> dict[str, NDArray[np.float64]]:
        """CSV columns read by ``cald respdor fit``."""
        return {"t_ms": self.t_s * 1e3, "S0": self.s0, "S": self.s, "S0_noise": self.s0_noise,
                "S_noise": self.s_noise}

    def header(self) -> list[str]:
        """Comment lines that say where the numbers came from."""
        lines = [f"RESPDOR curve extracted by cald from {self.source}",
                 f"region {self.region_ppm[0]:g}:{self.region_ppm[1]:g} ppm; times from {self.times_from}"]
        return lines + [f"title: {line}" for line in self.title.splitlines() if line.strip()]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        d = {k: v.tolist() for k, v in self.columns().items()}
        d.update(region_ppm=list(self.region_ppm), source=self.source, times_from=self.times_from)
        return d


def respdor_series(ds: NmrDataset, region: tuple[float, float],
                   times_s: NDArray[np.float64] | None = None, reference: NmrDataset | None = None,
                   s0_first: bool = True, auto_phase: str | None = None, cpmg: bool = False,
                   echo_period_s: float | None = None,
                   block_points: int | None = ROW_BLOCK_POINTS) -> RespdorSeries:
    """RESPDOR curve from a series.

    Parameters
    ----------
    ds
        Series with interleaved rows (S0, S, S0, S, … or S, S0, … with ``s0_first=False``), or —
        with ``reference`` — the dephased (S) rows only.
    region
        Integration region (ppm, either order).
    times_s
        Recoupling times (s); default from the data set's lists (:func:`recoupling_times_s`).
    reference
        Separate experiment with the S0 rows (same number of rows as ``ds``).
    cpmg, echo_period_s
        Rows detected by CPMG: sum the echoes of each row (see :func:`phased_series`).
    block_points
        Complex points processed at a time (:func:`phased_series`); the curve does not depend
        on it beyond rounding (≤ 1e-15 relative).
    """
    phases, blocks = phased_series(ds, auto_phase=auto_phase, cpmg=cpmg,
                                   echo_period_s=echo_period_s, block_points=block_points)
    first = next(blocks)
    if not first.region_mask(*region).any():
        raise ParameterError(f"region {region[0]}:{region[1]} ppm lies outside the spectrum "
                             f"({first.axis.min():.4g} to {first.axis.max():.4g} ppm)")
    ints, noise = _integrals(itertools.chain([first], blocks), region)
    if reference is None:
        if ints.size % 2:
            raise DataFileError(f"{ints.size} rows: interleaved S0/S needs an even number", ds.path)
        i0, i1 = (0, 1) if s0_first else (1, 0)
        s0, s, n0, n1 = ints[i0::2], ints[i1::2], noise[i0::2], noise[i1::2]
    else:
        # the S0 experiment gets exactly the phase of the S experiment
        _, ref_blocks = phased_series(reference, phases_deg=phases, cpmg=cpmg,
                                      echo_period_s=echo_period_s, block_points=block_points)
        ref_first = next(ref_blocks)
        ref_shape = (reference.shape[0], ref_first.n_points)
        if ref_shape != (ds.shape[0], first.n_points):
            raise DataFileError(f"reference series shape {ref_shape} differs from "
                                f"{(ds.shape[0], first.n_points)}", reference.path)
        (s0, n0), s, n1 = _integrals(itertools.chain([ref_first], ref_blocks), region), ints, noise
    if times_s is None:
        times_s, how = recoupling_times_s(ds, s.size)
    else:
        times_s = np.asarray(times_s, dtype=float)
        how = "given"
        if times_s.size != s.size:
            raise FieldError("times_s", f"{times_s.size} recoupling times given for {s.size} S0/S "
                                        "pairs")
    lo, hi = sorted(region)
    return RespdorSeries(times_s, s0, s, n0, n1, (hi, lo), str(ds.path), how, ds.title)


@dataclass(frozen=True)
class DosySeries:
    """Integrals of a DOSY series against gradient strength."""

    gradient_g_cm: NDArray[np.float64]
    intensity: NDArray[np.float64]
    noise: NDArray[np.float64]
    big_delta_s: float | None
    little_delta_s: float | None
    region_ppm: tuple[float, float]
    source: str

    def columns(self) -> dict[str, NDArray[np.float64]]:
        """CSV columns (gradient in G/cm)."""
        return {"gradient_g_cm": self.gradient_g_cm, "intensity": self.intensity,
                "noise": self.noise}


def dosy_series(ds: BrukerDataset, region: tuple[float, float],
                auto_phase: str | None = None) -> DosySeries:
    """DOSY decay from a series with a difflist (gradient strengths in G/cm, TopSpin's unit).

    Δ and δ are read as Bruker's diffusion set-up stores them (D20 = Δ in s, P30 = δ/2 in µs for
    bipolar sequences such as ledbpgp2s); they are reported, not used here.
    """
    if "difflist" not in ds.lists:
        raise DataFileError("no difflist in the data set", ds.path)
    _, blocks = phased_series(ds, auto_phase=auto_phase)
    ints, noise = _integrals(blocks, region)
    grads = ds.lists["difflist"]
    if grads.size < ints.size:
        raise DataFileError(f"difflist has {grads.size} entries for {ints.size} rows", ds.path)
    d = ds.acqus.get("D", [])
    p = ds.acqus.get("P", [])
    big = float(d[20]) if len(d) > 20 and float(d[20]) > 0 else None
    little = 2 * float(p[30]) * 1e-6 if len(p) > 30 and float(p[30]) > 0 else None
    lo, hi = sorted(region)
    return DosySeries(grads[: ints.size], ints, noise, big, little,
                      (hi, lo), str(ds.path))
