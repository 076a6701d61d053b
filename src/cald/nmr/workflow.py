"""The summary of a processed spectrum shared by ``cald nmr process`` and the ``nmr`` analysis
kind (the spectrum itself comes from :func:`cald.read`)."""

from __future__ import annotations

from typing import Any

from cald.nmr.processing import Peak
from cald.noise import noise_std
from cald.spectrum import Spectrum

__all__ = ["spectrum_summary"]


def spectrum_summary(spec: Spectrum, peaks: list[Peak]) -> dict[str, Any]:
    """JSON-ready facts of a processed spectrum (the ``cald nmr process --json`` keys): phases
    are reported as PHC0/PHC1 mean them, without the digital-filter part (360°·GRPDLY)."""
    total0, total1 = spec.meta.get("phase_total_deg", (0.0, 0.0))
    return {"nucleus": spec.nucleus, "sf_mhz": spec.sf_mhz, "unit": spec.unit,
            "peaks": [p.to_dict() for p in peaks], "noise_sd": noise_std(spec),
            "n_points": spec.n_points, "source": spec.source, "history": list(spec.history),
            "phc0": float(total0),
            "phc1": float(total1 - 360.0 * float(spec.meta.get("group_delay", 0.0)))}
