"""The standard path from a spectrum source to a processed spectrum and its summary, shared by
``cald nmr process`` and the ``nmr`` analysis kind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cald.nmr.processing import (
    Peak,
    autophase,
    baseline_correct,
    noise_std,
    process_fid,
    reference,
)
from cald.spectrum import Spectrum

__all__ = ["process_source", "spectrum_summary"]


def process_source(source: str | os.PathLike[str], *, processed: bool = False,
                   lb_hz: float | None = None, size: int | None = None,
                   phc0: float | None = None, phc1: float | None = None,
                   auto_phase: str | None = None, baseline: str | None = None,
                   shift_ppm: float = 0.0) -> Spectrum:
    """Read a Bruker folder (raw FID processed with its stored parameters unless overridden, or
    TopSpin's 1r with ``processed``), a JCAMP-DX file or a CSV spectrum, then optionally phase,
    correct the baseline and shift the axis."""
    from cald.io.spectrum_file import read_spectrum

    options: dict[str, Any] = {k: v for k, v in {"lb_hz": lb_hz, "size": size, "p0_deg": phc0,
                                                 "p1_deg": phc1, "auto_phase": auto_phase}.items()
                               if v is not None}
    path = Path(source)
    if path.is_dir() and not processed:
        spec = read_spectrum(path, **options)
    else:
        spec = read_spectrum(path, use_processed=processed)
        if spec.is_time_domain:
            spec = process_fid(spec, None, **options)
        elif auto_phase:
            spec = autophase(spec, auto_phase)
    if baseline:
        spec = baseline_correct(spec, baseline)
    if shift_ppm:
        spec = reference(spec, shift_ppm)
    return spec


def spectrum_summary(spec: Spectrum, peaks: list[Peak]) -> dict[str, Any]:
    """JSON-ready facts of a processed spectrum (the ``cald nmr process --json`` keys): phases
    are reported as PHC0/PHC1 mean them, without the digital-filter part (360°·GRPDLY)."""
    total0, total1 = spec.meta.get("phase_total_deg", (0.0, 0.0))
    return {"nucleus": spec.nucleus, "sf_mhz": spec.sf_mhz, "unit": spec.unit,
            "peaks": [p.to_dict() for p in peaks], "noise_sd": noise_std(spec),
            "n_points": spec.n_points, "source": spec.source, "history": list(spec.history),
            "phc0": float(total0),
            "phc1": float(total1 - 360.0 * float(spec.meta.get("group_delay", 0.0)))}
