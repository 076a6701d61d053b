"""Analysis kind ``dnp``: DNP enhancement from a microwave-on/off pair of Bruker data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import EnhancementOptions
from cald.project.analyses import AnalysisKind, AnalysisOutput, register


@register
class Dnp(AnalysisKind):
    """ε = I_on / I_off per scan and unit receiver gain (inputs: on, then off)."""

    name = "dnp"
    title = "DNP enhancement"
    section = "ssnmr"
    input_kinds = ("bruker",)
    n_inputs = (2, 2)
    Parameters = EnhancementOptions

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.io.bruker import read_bruker

        p: EnhancementOptions = params
        result = p.enhancement(read_bruker(inputs[0]), read_bruker(inputs[1]))
        from cald.project.report.html import format_value

        summary = f"ε = {format_value(result.enhancement, result.enhancement_err)}"
        return AnalysisOutput(result.to_dict(), [], {}, summary)
