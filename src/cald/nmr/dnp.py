"""DNP signal enhancement ε = I_on / I_off from a microwave-on/off pair.

Both spectra are processed identically (same window, size and phase — the phase is taken from
the microwave-on spectrum), integrated over the same region and normalised per scan and unit
receiver gain: I / (NS · RG). The error follows from the integral noise of each spectrum.
The ratio is refused when the two acquisitions differ in a way that invalidates it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.io.nmrdata import NmrDataset, raw_signal
from cald.nmr.processing import autophase, integral_noise, integrate, process_fid

__all__ = ["DnpEnhancement", "acquisition_differences", "dnp_enhancement"]

def acquisition_differences(on: NmrDataset, off: NmrDataset) -> list[str]:
    """Settings (other than scans and receiver gain, which are normalised) that differ between
    two acquisitions, as each data set states them (:meth:`NmrDataset.acquisition_settings`;
    for Bruker: nucleus, pulse program, size, spectral width, carrier, delays (D1 recycle delay
    among them), pulse lengths (P15 CP contact among them), powers, loop counters)."""
    if on.vendor != off.vendor:
        return [f"format ({on.vendor} vs {off.vendor})"]
    found = []
    settings_on, settings_off = on.acquisition_settings(), off.acquisition_settings()
    for key in dict.fromkeys([*settings_on, *settings_off]):
        (a, tol), (b, _) = settings_on.get(key, (None, None)), settings_off.get(key, (None, None))
        if a is None and b is None:
            continue
        if isinstance(a, list) or isinstance(b, list):
            a_arr, b_arr = np.asarray(a or [], dtype=float), np.asarray(b or [], dtype=float)
            if a_arr.shape != b_arr.shape:
                found.append(f"{key} (different lengths)")
                continue
            bad = ~np.isclose(a_arr, b_arr, rtol=tol or 0.0, atol=0.0)
            found.extend(f"{key}{i} ({a_arr[i]:g} vs {b_arr[i]:g})" for i in np.flatnonzero(bad))
        elif tol is None:
            if a != b:
                found.append(f"{key} ({a} vs {b})")
        elif a is None or b is None or not np.isclose(float(a), float(b), rtol=tol, atol=0.0):
            found.append(f"{key} ({a} vs {b})")
    return found


@dataclass(frozen=True)
class DnpEnhancement:
    """Enhancement with its inputs; integrals are per scan and unit receiver gain."""

    enhancement: float
    enhancement_err: float
    region_ppm: tuple[float, float]
    integral_on: float
    integral_off: float
    integral_on_err: float
    integral_off_err: float
    ns_on: int
    ns_off: int
    rg_on: float
    rg_off: float
    phc0: float
    phc1: float
    on: str
    off: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        d = asdict(self)
        d["region_ppm"] = list(self.region_ppm)
        return d


def dnp_enhancement(on: NmrDataset, off: NmrDataset, region: tuple[float, float],
                    auto_phase: str | None = None) -> DnpEnhancement:
    """ε = [I_on / (NS_on RG_on)] / [I_off / (NS_off RG_off)] over ``region`` (ppm).

    Raises
    ------
    DataFileError
        When the acquisitions differ (see :func:`acquisition_differences`) or either is a series.
    """
    if on.is_series or off.is_series:
        raise DataFileError("enhancement needs two 1D experiments", on.path if on.is_series else off.path)
    diffs = acquisition_differences(on, off)
    if diffs:
        raise DataFileError("on/off acquisitions differ, the ratio would be meaningless: "
                            + ", ".join(diffs), off.path)
    spec_on = process_fid(raw_signal(on), on.processing)
    if auto_phase:
        spec_on = autophase(spec_on, auto_phase)
    phc = (spec_on.meta.get("phc0", on.processing.p0_deg),
           spec_on.meta.get("phc1", on.processing.p1_deg))
    spec_off = process_fid(raw_signal(off), on.processing, p0_deg=phc[0], p1_deg=phc[1])
    values = []
    for ds, spec in ((on, spec_on), (off, spec_off)):
        norm = ds.scans * ds.receiver_gain
        values.append((float(integrate(spec, *region)) / norm,
                       float(integral_noise(spec, *region)) / norm))
    (i_on, e_on), (i_off, e_off) = values
    if i_off == 0:
        raise DataFileError("microwave-off integral is zero over the region", off.path)
    eps = i_on / i_off
    err = abs(eps) * float(np.hypot(e_on / i_on, e_off / i_off))
    lo, hi = sorted(region)
    return DnpEnhancement(eps, err, (hi, lo), i_on, i_off, e_on, e_off,
                          on.scans, off.scans, on.receiver_gain, off.receiver_gain,
                          float(phc[0]), float(phc[1]), str(on.path), str(off.path))
