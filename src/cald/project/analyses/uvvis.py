"""Analysis kind ``uvvis``: first exciton, size, ε and concentration of QDs from a UV-vis
spectrum (CSV or instrument export), with the spectrum kept for the report's overlay across
c-ALD cycles (the study's Figure 2a) and, with a second input (the pristine QDs' spectrum), the
exciton shift and broadening relative to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    Statement,
    Table,
    figure_output,
    overlay_data,
    register,
)
from cald.project.formatting import format_value, sample_label
from cald.qd.options import UvvisSizeOptions


class UvvisParameters(UvvisSizeOptions, OverlayParameters):
    """Sizing options and overlay settings (e.g. ``normalise_region = [480, 510]`` around the
    first exciton)."""


@register
class Uvvis(AnalysisKind):
    """First exciton and size; inputs: the sample's spectrum, optionally the pristine QDs'."""

    name = "uvvis"
    title = "UV-vis first exciton and size"
    section = "optical"
    input_kinds = ("csv",)
    n_inputs = (1, 2)
    Parameters = UvvisParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import exciton_figure
        from cald.io.uvvis import read_uvvis

        p: UvvisParameters = params
        spec = read_uvvis(inputs[0], p.saturation_absorbance)
        result = p.size(spec)
        d: dict[str, Any] = {**result.to_dict(), "unit": "nm", "nucleus": None,
                             "history": list(spec.history),
                             **overlay_data(spec.axis, spec.values, p)}
        summary = (f"first exciton {result.exciton.peak_nm:.1f} nm, d = "
                   f"{result.diameter_nm:.2f} nm")
        if len(inputs) > 1:
            ref = p.size(read_uvvis(inputs[1], p.saturation_absorbance)).exciton
            ex = result.exciton
            d["reference"] = {"source": str(inputs[1]), "peak_nm": ref.peak_nm,
                              "fwhm_nm": ref.fwhm_nm}
            d["shift_nm"] = ex.peak_nm - ref.peak_nm
            d["broadening_nm"] = (None if ex.fwhm_nm is None or ref.fwhm_nm is None
                                  else ex.fwhm_nm - ref.fwhm_nm)
            summary += f"; shift {d['shift_nm']:+.1f} nm vs the reference"
        caption = (f"UV-vis spectrum with the first exciton (minimum of the second derivative) "
                   f"and the {result.model} diameter.")
        return AnalysisOutput(d, [figure_output("exciton", caption, exciton_figure(spec, result))],
                              {}, summary)

    def result_from_dict(self, result: dict[str, Any]) -> Any:
        """The :class:`~cald.qd.uvvis.ExcitonResult` (the spectrum's history, overlay and
        reference entries stay in the results.json entry)."""
        from cald.qd.uvvis import ExcitonResult

        return ExcitonResult.from_dict(result)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        rows = [("first exciton", format_value(result["peak_nm"], None, "nm")),
                ("FWHM", format_value(result["fwhm_nm"], None, "nm")),
                ("diameter", f"{format_value(result['diameter_nm'], None, 'nm')} "
                             f"({result['model']})"),
                ("ε", format_value(result["epsilon_m_cm"], None, "M⁻¹ cm⁻¹"))]
        if result.get("concentration_um") is not None:
            rows.append(("concentration", format_value(result["concentration_um"], None, "µM")))
        if "shift_nm" in result:
            rows.append(("shift vs reference", format_value(result["shift_nm"], None, "nm")))
        return rows

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Exciton, size and concentration across samples, with the shift against the n = 0
        sample when one is analysed."""
        if not analyses:
            return []
        pristine = next((a["result"] for a in analyses if cycles.get(a["sample"]) == 0), None)
        rows = []
        for a in analyses:
            r = a["result"]
            shift = None if pristine is None else r["peak_nm"] - pristine["peak_nm"]
            rows.append([sample_label(a["sample"], cycles), format_value(r["peak_nm"]),
                         format_value(r["fwhm_nm"]), format_value(r["diameter_nm"]),
                         format_value(r["epsilon_m_cm"]), format_value(r.get("concentration_um")),
                         format_value(shift)])
        return [Table(["sample", "exciton / nm", "FWHM / nm", "d / nm", "ε / M⁻¹ cm⁻¹",
                       "c / µM", "shift vs n = 0 / nm"], rows,
                      "First exciton, size and concentration across samples")]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """QD diameter and concentration, and the exciton shift against the reference."""
        r, name, aid = analysis["result"], analysis["sample"], analysis["id"]
        out = [Statement(f"QD diameter from the first exciton at {r['peak_nm']:.1f} nm "
                         f"({r['model']}, sample {name})", r["diameter_nm"], None, "nm", aid)]
        if r.get("concentration_um") is not None:
            out.append(Statement(f"QD concentration (sample {name}, path {r['path_cm']:g} cm, "
                                 f"dilution {r['dilution']:g})", r["concentration_um"], None,
                                 "µM", aid))
        if "shift_nm" in r:
            out.append(Statement(f"first-exciton shift of sample {name} against the pristine QDs",
                                 r["shift_nm"], None, "nm", aid))
        return out
