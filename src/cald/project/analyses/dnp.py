"""Analysis kind ``dnp``: DNP enhancement from a microwave-on/off pair of Bruker data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import EnhancementOptions
from cald.project.analyses import AnalysisKind, AnalysisOutput, Statement, register
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value


@register
class Dnp(AnalysisKind):
    """ε = I_on / I_off per scan and unit receiver gain (inputs: on, then off)."""

    name = "dnp"
    title = "DNP enhancement"
    section = "ssnmr"
    input_kinds = RAW_NMR_KINDS
    n_inputs = (2, 2)
    Parameters = EnhancementOptions

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        p: EnhancementOptions = params
        result = p.enhancement(p.dataset(inputs[0]), p.dataset(inputs[1]))

        summary = f"ε = {format_value(result.enhancement, result.enhancement_err)}"
        return AnalysisOutput(result.to_dict(), [], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        return [("ε", format_value(result["enhancement"], result["enhancement_err"])),
                ("NS on/off", f"{result['ns_on']} / {result['ns_off']}"),
                ("RG on/off", f"{result['rg_on']:g} / {result['rg_off']:g}")]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The enhancement (how much the surface signal owes to DNP)."""
        res = analysis["result"]
        region = res["region_ppm"]
        return [Statement(f"DNP enhancement (sample {analysis['sample']}, "
                          f"{region[0]:g}–{region[1]:g} ppm)", res["enhancement"],
                          res["enhancement_err"], "", analysis["id"])]
