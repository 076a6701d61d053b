"""Analysis kind ``dnp``: DNP enhancement from a microwave-on/off pair of Bruker data sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.project.analyses import AnalysisKind, AnalysisOutput, KindParameters, register


class DnpParameters(KindParameters):
    """Integration region (ppm) and optional automatic phase of the microwave-on spectrum."""

    region: tuple[float, float]
    auto_phase: str | None = None


@register
class Dnp(AnalysisKind):
    """ε = I_on / I_off per scan and unit receiver gain (inputs: on, then off)."""

    name = "dnp"
    title = "DNP enhancement"
    section = "ssnmr"
    input_kinds = ("bruker",)
    n_inputs = (2, 2)
    Parameters = DnpParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.io.bruker import read_bruker
        from cald.nmr.dnp import dnp_enhancement

        p: DnpParameters = params
        result = dnp_enhancement(read_bruker(inputs[0]), read_bruker(inputs[1]), p.region,
                                 p.auto_phase)
        from cald.project.report.html import format_value

        summary = f"ε = {format_value(result.enhancement, result.enhancement_err)}"
        return AnalysisOutput(result.to_dict(), [], {}, summary)
