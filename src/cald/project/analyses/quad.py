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
    Table,
    figure_output,
    overlay_data,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value, sample_label, site_key_numbers


class QuadParameters(QuadFitOptions, OverlayParameters):
    """The fit's options and overlay settings."""


@register
class Quad(AnalysisKind):
    """Czjzek-distribution site fit."""

    name = "quad"
    title = "Quadrupolar sites (Czjzek)"
    section = "ssnmr"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    Parameters = QuadParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import lineshape_fit_figure

        p: QuadParameters = params
        result = p.fit(p.read(inputs[0]))
        d = {**result.to_dict(), **overlay_data(result.axis, result.data, p)}
        fig = lineshape_fit_figure(result)
        summary = "; ".join(f"{s['label']} at {s['iso_ppm']:.1f} ppm: "
                            f"{format_value(s['fraction'], s['fraction_err'])}" for s in d["sites"])
        caption = (f"{p.nucleus} central transition fitted with Czjzek sites (data, fit, sites; "
                   f"residual below). {d['warning']}")
        return AnalysisOutput(d, [figure_output("sites", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        return site_key_numbers(result, lambda site: "σ " + format_value(
            site["sigma_mhz"], site.get("sigma_mhz_err"), "MHz"))

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Czjzek sites across samples (δiso, σ, ⟨C_Q⟩, fraction)."""
        rows = [[sample_label(a["sample"], cycles), str(s["label"]),
                 format_value(s["iso_ppm"], s.get("iso_ppm_err")),
                 format_value(s["sigma_mhz"], s.get("sigma_mhz_err")),
                 format_value(s.get("cq_mean_mhz")),
                 format_value(s["fraction"], s.get("fraction_err"))]
                for a in analyses for s in a["result"]["sites"]]
        if not rows:
            return []
        return [Table(["sample", "site", "δiso / ppm", "σ (Czjzek) / MHz", "⟨C_Q⟩ / MHz",
                       "fraction"], rows,
                      "Quadrupolar (Czjzek) sites across samples — CP intensities are not "
                      "quantitative")]
