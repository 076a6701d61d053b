"""Analysis kind ``peaks``: deconvolution of a spectral region (e.g. the 13C carboxylate into
chelating and bridging components)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    KindParameters,
    figure_output,
    register,
)


class PeaksParameters(KindParameters):
    """Region, number and shape of the peaks, optional starting centres and ties."""

    region: tuple[float, float]
    n_peaks: int | None = Field(None, ge=1)
    shape: str = "voigt"
    centers: list[float] | None = None
    equal_widths: bool = False
    baseline: str | None = "linear"
    labels: list[str] | None = None


@register
class Peaks(AnalysisKind):
    """Peak deconvolution with areas and fractions."""

    name = "peaks"
    title = "Peak deconvolution"
    section = "ssnmr"
    input_kinds = ("bruker", "jcamp", "csv")
    Parameters = PeaksParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.lineshape.peaks import fit_peaks
        from cald.project.report.figures import lineshape_fit_figure
        from cald.project.report.html import format_value
        from cald.reading import read

        p: PeaksParameters = params
        result = fit_peaks(read(inputs[0]), p.region, n_peaks=p.n_peaks, shape=p.shape,
                           centers=p.centers, ties={"equal_widths": p.equal_widths},
                           baseline=p.baseline)
        d = result.to_dict()
        labels = p.labels or [f"peak {i + 1}" for i in range(len(d["peaks"]))]
        for peak, label in zip(d["peaks"], labels, strict=False):
            peak["label"] = label
        fig = lineshape_fit_figure(result, labels)
        summary = "; ".join(f"{pk['label']} {pk['center']:.1f}: fraction "
                            f"{format_value(pk['fraction'], pk['fraction_err'])}" for pk in d["peaks"])
        caption = (f"Deconvolution of {p.region[0]:g}–{p.region[1]:g} into {len(d['peaks'])} "
                   f"{p.shape} peaks (data, fit, components; residual below).")
        return AnalysisOutput(d, [figure_output("deconvolution", caption, fig)], {}, summary)
