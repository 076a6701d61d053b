"""Pseudo-2D series as curves: RESPDOR (interleaved S0/S rows or separate experiments) and DOSY.

Each row is processed like a 1D spectrum with the *same* processing and phase (taken from the
stored processing parameters or found automatically on the sum of all rows), integrated over a region, and
the integral's noise is measured on the same row (:func:`integral_noise`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError, FieldError, ParameterError
from cald.io.bruker import BrukerDataset, raw_signal
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
    "rotor_period_s",
    "recoupling_times_s",
    "respdor_series",
    "dosy_series",
]


def process_series(ds: BrukerDataset, auto_phase: str | None = None,
                   phases_deg: tuple[float, float] | None = None, cpmg: bool = False,
                   echo_period_s: float | None = None, **options: Any) -> Spectrum:
    """Process every row of a ``ser`` data set with identical parameters.

    The phase is, in order of precedence: ``phases_deg`` (PHC0, PHC1), found automatically on
    the sum of all rows with ``auto_phase``, or the stored PHC0/PHC1. The phases used are in
    ``meta["phc0"]``/``meta["phc1"]``. ``options`` go to
    :func:`cald.nmr.processing.process_fid`. With ``cpmg`` each row is a CPMG echo train whose
    echoes are summed (:func:`cald.nmr.cpmg.sum_echoes`; echo period from the data set unless
    ``echo_period_s`` is given) and transformed without window; the stored phases, which belong
    to the train, are not used (phase 0 unless given or found).
    """
    if not ds.is_series:
        raise DataFileError("not a series (no ser file)", ds.path)
    if cpmg:
        period = stored_echo_period_s(ds) if echo_period_s is None else echo_period_s
        spec = fourier_transform(sum_echoes(raw_signal(ds), period))
        if phases_deg is None and not auto_phase:
            phases_deg = (0.0, 0.0)
    else:
        if phases_deg is None and not auto_phase:
            phases_deg = (ds.processing.p0_deg, ds.processing.p1_deg)
        spec = process_fid(raw_signal(ds), ds.processing, p0_deg=0.0, p1_deg=0.0, **options)
    if phases_deg is None:
        total = spec.evolve(spec.values.sum(axis=0), "sum of rows")
        found = autophase(total, str(auto_phase))
        phases_deg = (found.meta["phc0"], found.meta["phc1"])
    spec = phase(spec, *phases_deg)
    return spec.evolve(spec.values, "same phase for every row",
                       meta={**spec.meta, "phc0": phases_deg[0], "phc1": phases_deg[1]})


def rotor_period_s(ds: BrukerDataset) -> float:
    """Rotor period from the MAS rate stored in acqus (MASR, else CNST31 in Hz)."""
    rate = float(ds.acqus.get("MASR", 0) or 0)
    if rate <= 0:
        cnst = ds.acqus.get("CNST", [])
        rate = float(cnst[31]) if len(cnst) > 31 else 0.0
    if rate <= 0:
        raise DataFileError("no MAS rate (MASR or CNST31) to convert loop counters to times; "
                            "give the recoupling times", ds.path / "acqus")
    return 1.0 / rate


def recoupling_times_s(ds: BrukerDataset, n_times: int) -> tuple[NDArray[np.float64], str]:
    """Total recoupling time of each S0/S pair: vclist (rotor periods) × rotor period, or vdlist
    (seconds). Returns the times and a sentence saying where they came from."""
    if "vclist" in ds.lists:
        counts = ds.lists["vclist"]
        t = counts * rotor_period_s(ds)
        how = (f"vclist ({counts.size} loop counts, rotor periods) × rotor period "
               f"{rotor_period_s(ds) * 1e6:g} µs")
    elif "vdlist" in ds.lists:
        t, how = ds.lists["vdlist"], "vdlist (s)"
    else:
        raise DataFileError("no vclist or vdlist: give the recoupling times", ds.path)
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


def respdor_series(ds: BrukerDataset, region: tuple[float, float],
                   times_s: NDArray[np.float64] | None = None, reference: BrukerDataset | None = None,
                   s0_first: bool = True, auto_phase: str | None = None, cpmg: bool = False,
                   echo_period_s: float | None = None) -> RespdorSeries:
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
        Rows detected by CPMG: sum the echoes of each row (see :func:`process_series`).
    """
    spec = process_series(ds, auto_phase=auto_phase, cpmg=cpmg, echo_period_s=echo_period_s)
    if not spec.region_mask(*region).any():
        raise ParameterError(f"region {region[0]}:{region[1]} ppm lies outside the spectrum "
                             f"({spec.axis.min():.4g} to {spec.axis.max():.4g} ppm)")
    ints = np.atleast_1d(integrate(spec, *region))
    noise = np.atleast_1d(integral_noise(spec, *region))
    if reference is None:
        if ints.size % 2:
            raise DataFileError(f"{ints.size} rows: interleaved S0/S needs an even number", ds.path)
        i0, i1 = (0, 1) if s0_first else (1, 0)
        s0, s, n0, n1 = ints[i0::2], ints[i1::2], noise[i0::2], noise[i1::2]
    else:
        # the S0 experiment gets exactly the phase of the S experiment
        ref = process_series(reference, phases_deg=(spec.meta["phc0"], spec.meta["phc1"]),
                             cpmg=cpmg, echo_period_s=echo_period_s)
        if ref.values.shape != spec.values.shape:
            raise DataFileError(f"reference series shape {ref.values.shape} differs from "
                                f"{spec.values.shape}", reference.path)
        s0, s = np.atleast_1d(integrate(ref, *region)), ints
        n0, n1 = np.atleast_1d(integral_noise(ref, *region)), noise
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
    spec = process_series(ds, auto_phase=auto_phase)
    ints = np.atleast_1d(integrate(spec, *region))
    grads = ds.lists["difflist"]
    if grads.size < ints.size:
        raise DataFileError(f"difflist has {grads.size} entries for {ints.size} rows", ds.path)
    d = ds.acqus.get("D", [])
    p = ds.acqus.get("P", [])
    big = float(d[20]) if len(d) > 20 and float(d[20]) > 0 else None
    little = 2 * float(p[30]) * 1e-6 if len(p) > 30 and float(p[30]) > 0 else None
    lo, hi = sorted(region)
    return DosySeries(grads[: ints.size], ints, np.atleast_1d(integral_noise(spec, *region)), big, little,
                      (hi, lo), str(ds.path))
