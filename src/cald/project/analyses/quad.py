"""Analysis kind ``quad``: Czjzek sites of a quadrupolar central-transition MAS spectrum (27Al
Al(IV)/Al(V)/Al(VI) fractions); CP intensities are not quantitative (stated in the result)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.lineshape.options import QuadFitOptions
from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    figure_output,
    overlay_data,
    register,
)


class QuadParameters(QuadFitOptions, OverlayParameters):
    """The fit's options and overlay settings."""


@register
class Quad(AnalysisKind):
    """Czjzek-distribution site fit."""

    name = "quad"
    title = "Quadrupolar sites (Czjzek)"
    section = "ssnmr"
    input_kinds = ("bruker", "jcamp", "csv")
    Parameters = QuadParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.project.report.figures import lineshape_fit_figure
        from cald.project.report.html import format_value

        p: QuadParameters = params
        result = p.fit(p.read(inputs[0]))
        d = {**result.to_dict(), **overlay_data(result.axis, result.data, p)}
        fig = lineshape_fit_figure(result)
        summary = "; ".join(f"{s['label']} at {s['iso_ppm']:.1f} ppm: "
                            f"{format_value(s['fraction'], s['fraction_err'])}" for s in d["sites"])
        caption = (f"{p.nucleus} central transition fitted with Czjzek sites (data, fit, sites; "
                   f"residual below). {d['warning']}")
        return AnalysisOutput(d, [figure_output("sites", caption, fig)], {}, summary)
