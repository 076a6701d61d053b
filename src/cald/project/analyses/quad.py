"""Analysis kind ``quad``: Czjzek sites of a quadrupolar central-transition MAS spectrum (27Al
Al(IV)/Al(V)/Al(VI) fractions); CP intensities are not quantitative (stated in the result)."""

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


class QuadParameters(OverlayParameters):
    """Nucleus, field, MAS rate and starting sites (coordination numbers or δiso in ppm)."""

    nucleus: str = "27Al"
    field_1h_mhz: float | None = Field(None, gt=0)
    mas_khz: float | None = Field(None, ge=0)
    sites: list[float | int | str] = [4, 5, 6]
    region: tuple[float, float] | None = None


@register
class Quad(AnalysisKind):
    """Czjzek-distribution site fit."""

    name = "quad"
    title = "Quadrupolar sites (Czjzek)"
    section = "ssnmr"
    input_kinds = ("bruker", "jcamp", "csv")
    Parameters = QuadParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.lineshape.quadrupolar import fit_quadrupolar
        from cald.project.report.figures import lineshape_fit_figure
        from cald.project.report.html import format_value
        from cald.reading import read

        p: QuadParameters = params
        result = fit_quadrupolar(read(inputs[0]), p.nucleus, p.field_1h_mhz,
                                 None if p.mas_khz is None else p.mas_khz * 1e3, p.sites,
                                 region=p.region)
        d = {**result.to_dict(), **overlay_data(result.axis, result.data, p)}
        fig = lineshape_fit_figure(result)
        summary = "; ".join(f"{s['label']} at {s['iso_ppm']:.1f} ppm: "
                            f"{format_value(s['fraction'], s['fraction_err'])}" for s in d["sites"])
        caption = (f"{p.nucleus} central transition fitted with Czjzek sites (data, fit, sites; "
                   f"residual below). {d['warning']}")
        return AnalysisOutput(d, [figure_output("sites", caption, fig)], {}, summary)
