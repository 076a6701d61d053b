"""Analysis kind ``titration``: the 1H alkene of oleate-capped QDs over a TMA titration (one
data set per TMA/QD value) and the colloidal-stability limit (the study's Figure 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import SpectrumOptions
from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    Statement,
    figure_output,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value
from cald.qd.options import TitrationOptions


class TitrationParameters(TitrationOptions, SpectrumOptions):
    """The titration's options (``tma_per_qd`` one per input, or read from the titles) and
    those of reading each spectrum."""

    boundary_units = {**SpectrumOptions.boundary_units, **TitrationOptions.boundary_units}


@register
class Titration(AnalysisKind):
    """Alkene shift, FWHM and relative integral against TMA per QD; the stability limit."""

    name = "titration"
    title = "TMA titration (1H alkene)"
    section = "solution"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    n_inputs = (4, 1000)
    Parameters = TitrationParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import titration_figure, titration_stack_figure
        from cald.nmr.reading import read_title

        p: TitrationParameters = params
        spectra = [p.read(path) for path in inputs]
        titles = [read_title(path) for path in inputs] if p.tma_per_qd is None else []
        result = p.track(spectra, titles)
        by_source = {s.source: s for s in spectra}
        stack = figure_output("alkene_stack", "Alkene region of the 1H spectra, stacked with "
                              "increasing TMA per QD (labels), each scaled to its tallest point.",
                              titration_stack_figure([by_source[pt.source] for pt in result.points],
                                                     [pt.tma_per_qd for pt in result.points],
                                                     p.region))
        trend = figure_output("alkene_trend", "Alkene shift and FWHM (fitted "
                              f"{result.shape} line) against TMA per QD; dashed: the stability "
                              "limit (the last point before the width jumps).",
                              titration_figure(result))
        limit = result.stability_limit
        summary = ("no width jump: stable over the series" if limit is None
                   else f"colloidal up to {limit:g} TMA/QD (width jumps at {result.jump_at:g})")
        return AnalysisOutput(result.to_dict(), [stack, trend], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        pts = result["points"]
        first, last = pts[0], pts[-1]
        limit = result["stability_limit_tma_per_qd"]
        stable = [pt for pt in pts if limit is None or pt["tma_per_qd"] <= limit]
        return [("stability limit", "no width jump" if limit is None
                 else f"{limit:g} TMA/QD (width jumps at {result['jump_at_tma_per_qd']:g})"),
                ("alkene δ, pristine", format_value(first["shift_ppm"], first["shift_ppm_err"],
                                                    "ppm")),
                ("alkene δ at the limit", format_value(stable[-1]["shift_ppm"],
                                                       stable[-1]["shift_ppm_err"], "ppm")),
                ("FWHM pristine → at the limit",
                 f"{format_value(first['fwhm_hz'], first['fwhm_hz_err'])} → "
                 f"{format_value(stable[-1]['fwhm_hz'], stable[-1]['fwhm_hz_err'], 'Hz')}"),
                ("relative integral, last point",
                 format_value(last["relative_integral"], last["relative_integral_err"])),
                ("points", f"{len(pts)} ({first['tma_per_qd']:g}–{last['tma_per_qd']:g} TMA/QD)")]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The colloidal stability limit (TMA per QD) of the titrated QDs."""
        r, name = analysis["result"], analysis["sample"]
        limit = r["stability_limit_tma_per_qd"]
        if limit is None:
            return [Statement(f"no loss of colloidal stability of sample {name} within the "
                              "titration (no alkene width jump) up to",
                              r["points"][-1]["tma_per_qd"], None, "TMA/QD", analysis["id"])]
        return [Statement(f"colloidal stability limit of sample {name} (1H alkene width jumps "
                          f"at {r['jump_at_tma_per_qd']:g} TMA/QD)", limit, None, "TMA/QD",
                          analysis["id"])]
