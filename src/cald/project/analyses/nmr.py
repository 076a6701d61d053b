"""Analysis kind ``nmr``: process one spectrum (Bruker, JCAMP-DX or CSV), pick peaks, and keep a
decimated copy normalised to a region for overlays across samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import ProcessOptions
from cald.options import Region
from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    figure_output,
    overlay_data,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value
from cald.spectrum import unit_key


class NmrParameters(ProcessOptions, OverlayParameters):
    """Processing options (unset: the data set's stored parameters), overlay settings and the
    plotted region."""

    plot_region: Region | None = None


@register
class Nmr(AnalysisKind):
    """A processed spectrum with its peaks."""

    name = "nmr"
    title = "NMR spectrum"
    section = "ssnmr"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    Parameters = NmrParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import spectrum_figure
        from cald.nmr.processing import pick_peaks
        from cald.nmr.workflow import spectrum_summary

        p: NmrParameters = params
        spec = p.read(inputs[0])
        peaks = pick_peaks(spec, min_snr=p.min_snr)
        result = {**spectrum_summary(spec, peaks), **overlay_data(spec.axis, spec.values, p)}
        fig = spectrum_figure(spec, peaks, p.normalise_region)
        if p.plot_region is not None:
            fig.axes[0].set_xlim(max(p.plot_region), min(p.plot_region))
        summary = (f"{spec.nucleus or ''} spectrum, {len(peaks)} peaks; tallest at "
                   f"{peaks[0].ppm:.2f} {spec.unit}" if peaks else "no peaks above threshold")
        caption = f"{spec.nucleus or ''} spectrum ({', '.join(spec.history[-3:])})."
        return AnalysisOutput(result, [figure_output("spectrum", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        return [("nucleus", str(result["nucleus"])),
                ("SF", format_value(result["sf_mhz"], None, "MHz")),
                ("peaks", ", ".join(f"{p[unit_key(result['unit'])]:.1f}"
                                    for p in result["peaks"][:8]))]
