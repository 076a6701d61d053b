"""Analysis kind ``nmr``: process one spectrum (Bruker, JCAMP-DX or CSV), pick peaks, and keep a
decimated copy normalised to a region for overlays across samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    figure_output,
    overlay_data,
    register,
)


class NmrParameters(OverlayParameters):
    """Processing options (unset: the data set's stored parameters) and overlay settings."""

    processed: bool = False
    lb_hz: float | None = None
    size: int | None = Field(None, ge=8)
    phc0: float | None = None
    phc1: float | None = None
    auto_phase: str | None = None
    baseline: str | None = None
    shift_ppm: float = 0.0
    min_snr: float = Field(5.0, gt=0)
    plot_region: tuple[float, float] | None = None


@register
class Nmr(AnalysisKind):
    """A processed spectrum with its peaks."""

    name = "nmr"
    title = "NMR spectrum"
    section = "ssnmr"
    input_kinds = ("bruker", "jcamp", "csv")
    Parameters = NmrParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.nmr.processing import pick_peaks
        from cald.nmr.workflow import spectrum_summary
        from cald.project.report.figures import spectrum_figure
        from cald.reading import read

        p: NmrParameters = params
        spec = read(inputs[0], processed=p.processed, lb_hz=p.lb_hz, size=p.size,
                    p0_deg=p.phc0, p1_deg=p.phc1, auto_phase=p.auto_phase,
                    baseline=p.baseline, shift_ppm=p.shift_ppm)
        peaks = pick_peaks(spec, min_snr=p.min_snr)
        result = {**spectrum_summary(spec, peaks), **overlay_data(spec.axis, spec.values, p)}
        fig = spectrum_figure(spec, peaks, p.normalise_region)
        if p.plot_region is not None:
            fig.axes[0].set_xlim(max(p.plot_region), min(p.plot_region))
        summary = (f"{spec.nucleus or ''} spectrum, {len(peaks)} peaks; tallest at "
                   f"{peaks[0].ppm:.2f} {spec.unit}" if peaks else "no peaks above threshold")
        caption = f"{spec.nucleus or ''} spectrum ({', '.join(spec.history[-3:])})."
        return AnalysisOutput(result, [figure_output("spectrum", caption, fig)], {}, summary)
