"""Analysis kind ``ligands``: bound and free oleate, ligands per QD and per nm² from a
quantitative 1H spectrum with an internal standard (input 1: Bruker, JCAMP-DX or CSV) and,
optionally, a UV-vis CSV of the same solution (input 2: then the QD diameter and, with
``path_cm``, the concentration come from it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    MissingParameter,
    Statement,
    Table,
    figure_output,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value, sample_label
from cald.qd.options import LigandDensityOptions


def _mm(result: dict[str, Any], key: str) -> str:
    return format_value(result[key], result[f"{key}_err"], "mM")


@register
class Ligands(AnalysisKind):
    """Ligand density from quantitative 1H NMR (internal standard)."""

    name = "ligands"
    title = "Ligand density (quantitative 1H)"
    section = "solution"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    n_inputs = (1, 2)
    Parameters = LigandDensityOptions

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        """A second input is a UV-vis CSV; the UV-vis options need it."""
        p: LigandDensityOptions = params
        if len(input_kinds) == 2 and input_kinds[1] != "csv":
            raise MissingParameter("inputs", f"the second input is the UV-vis CSV of the same "
                                             f"solution, not a {input_kinds[1]} data set")
        problem = p.uvvis_problem(len(input_kinds) == 2)
        if problem is not None:
            raise MissingParameter(problem[0], problem[1].replace(" (--uvvis)", " (second input)"))

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import lineshape_fit_figure
        from cald.io.uvvis import read_uvvis

        p: LigandDensityOptions = params
        exciton = p.size_uvvis(read_uvvis(inputs[1])) if len(inputs) == 2 else None
        result = p.density(p.read(inputs[0]), exciton)
        d = result.to_dict()
        if exciton is not None:
            d["uvvis"] = exciton.to_dict()
        fig = lineshape_fit_figure(result.fit, list(result.labels))
        summary = (f"{format_value(d['ligands_per_qd'], d['ligands_per_qd_err'])} ligands per QD, "
                   f"{format_value(d['ligands_per_nm2'], d['ligands_per_nm2_err'])} nm⁻²; bound "
                   f"fraction {format_value(d['bound_fraction'], d['bound_fraction_err'])}")
        std = d["standard"]
        caption = (f"Alkene CH=CH ({d['alkene']['region_ppm'][0]:g}–"
                   f"{d['alkene']['region_ppm'][1]:g} ppm) fitted with broad (bound) and sharp "
                   f"(free) {d['alkene']['shape']} lines; internal standard {std['name']} "
                   f"({std['mm']:g} mM, {std['protons']} H).")
        return AnalysisOutput(d, [figure_output("alkene", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        std, check = result["standard"], result["d1_check"]
        d1 = ("not stored" if check["d1_s"] is None else
              f"{check['d1_s']:g} s ({'≥' if check['ok'] else '<'} 5 T1 = "
              f"{check['required_s']:g} s)")
        rows = [("ligands per QD", format_value(result["ligands_per_qd"],
                                                result["ligands_per_qd_err"])),
                ("ligands per nm²", format_value(result["ligands_per_nm2"],
                                                 result["ligands_per_nm2_err"], "nm⁻²")),
                ("bound oleate", _mm(result, "bound_mm")),
                ("free oleate", _mm(result, "free_mm")),
                ("bound fraction", format_value(result["bound_fraction"],
                                                result["bound_fraction_err"])),
                ("QDs", format_value(result["qd_um"], None, "µM")),
                ("diameter", format_value(result["diameter_nm"], None, "nm")),
                ("standard", f"{std['name']}, {std['mm']:g} mM, {std['protons']} H"),
                ("d1", d1)]
        return rows

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Ligands per QD and per nm², bound and free oleate across samples."""
        rows = []
        for a in analyses:
            r = a["result"]
            rows.append([sample_label(a["sample"], cycles),
                         format_value(r["ligands_per_qd"], r["ligands_per_qd_err"]),
                         format_value(r["ligands_per_nm2"], r["ligands_per_nm2_err"]),
                         _mm(r, "bound_mm"), _mm(r, "free_mm"),
                         format_value(r["bound_fraction"], r["bound_fraction_err"]),
                         format_value(r["qd_um"]), format_value(r["diameter_nm"])])
        if not rows:
            return []
        return [Table(["sample", "ligands per QD", "ligands / nm⁻²", "bound / mM", "free / mM",
                       "bound fraction", "QDs / µM", "d / nm"], rows,
                      "Oleate ligands across samples (quantitative 1H, internal standard)")]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """Ligands per QD and per nm² (and the QD diameter and concentration when they come from
        a UV-vis spectrum)."""
        res, aid, name = analysis["result"], analysis["id"], analysis["sample"]
        out = []
        if res["ligands_per_qd"] is not None:
            out.append(Statement(f"Bound oleate ligands per QD (sample {name}, quantitative 1H "
                                 f"against {res['standard']['name']})", res["ligands_per_qd"],
                                 res["ligands_per_qd_err"], "per QD", aid))
        if res["ligands_per_nm2"] is not None:
            out.append(Statement(f"Oleate ligand density on the QD surface (sample {name}, "
                                 f"π d² with d = {res['diameter_nm']:.2f} nm)",
                                 res["ligands_per_nm2"], res["ligands_per_nm2_err"], "nm⁻²", aid))
        if "uvvis" in res:
            uv = res["uvvis"]
            out.append(Statement(f"QD diameter from the first exciton at {uv['peak_nm']:.1f} nm "
                                 f"(sample {name}, {uv['model']})", uv["diameter_nm"], None, "nm",
                                 aid))
            if uv.get("concentration_um") is not None:
                err = res["qd_um"] * res["qd_rel_err"] if res["qd_rel_err"] else None
                out.append(Statement(f"QD concentration of the NMR solution from UV-vis (sample "
                                     f"{name})", res["qd_um"], err, "µM", aid))
        return out
