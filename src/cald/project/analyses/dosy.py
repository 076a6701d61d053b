"""Analysis kind ``dosy``: diffusion coefficient and hydrodynamic diameter from a Bruker DOSY
series or a CSV decay (the ``cald dosy fit`` operation), with d_H against c-ALD cycles across
samples (cf. Figure 2b of the reference study)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    FigureOutput,
    MissingParameter,
    Statement,
    Table,
    figure_output,
    register,
)
from cald.project.formatting import fit_quality, format_value, sample_label
from cald.qd.options import DosyFitOptions

_D_SCALE = 1e10  # D shown in 10⁻¹⁰ m²/s
_D_UNIT = "×10⁻¹⁰ m²/s"


def _d(result: dict[str, Any]) -> str:
    err = result.get("diffusion_m2_s_err")
    return format_value(result["diffusion_m2_s"] * _D_SCALE,
                        None if err is None else err * _D_SCALE, _D_UNIT)


@register
class Dosy(AnalysisKind):
    """Stejskal–Tanner fit of a DOSY decay and the Stokes–Einstein diameter."""

    name = "dosy"
    title = "DOSY: diffusion and hydrodynamic diameter"
    section = "solution"
    input_kinds = ("bruker", "csv")
    Parameters = DosyFitOptions

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        if input_kinds[0] == "bruker" and params.region is None:
            raise MissingParameter("region", "a Bruker DOSY series needs region = [high, low] "
                                             "(ppm) to integrate")
        if input_kinds[0] == "csv" and (params.little_delta_s is None or params.big_delta_s is None):
            raise MissingParameter("little_delta_ms", "a CSV decay needs little_delta_ms and "
                                                      "big_delta_ms")

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import dosy_figure
        from cald.qd.dosy_data import read_dosy

        p: DosyFitOptions = params
        d = p.fit(read_dosy(inputs[0], p.region, p.timing)).to_dict()
        summary = f"D = {_d(d)}" + (f", d_H = {format_value(d['d_h_nm'], d['d_h_nm_err'], 'nm')}"
                                    if d["d_h_nm"] is not None else "")
        caption = (f"DOSY decay ({d['sequence'] or 'CSV'}, Δ = {d['big_delta_ms']:g} ms, δ = "
                   f"{d['little_delta_ms']:g} ms, {d['gradient_shape']}) with the "
                   f"{d['model']}-exponential Stejskal–Tanner fit.")
        return AnalysisOutput(d, [figure_output("decay", caption, dosy_figure(d))], {}, summary)

    def result_from_dict(self, result: dict[str, Any]) -> Any:
        """The :class:`~cald.qd.dosy.DosyResult`."""
        from cald.qd.dosy import DosyResult

        return DosyResult.from_dict(result)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        ci = result.get("diffusion_m2_s_ci95")
        ci_text = ("—" if not ci or None in ci
                   else f"{ci[0] * _D_SCALE:.4g} – {ci[1] * _D_SCALE:.4g} {_D_UNIT}")
        eta = result.get("viscosity_mpa_s")
        return [("D", _d(result)), ("D 95 % (profile)", ci_text),
                ("d_H", format_value(result["d_h_nm"], result["d_h_nm_err"], "nm")),
                ("η", "—" if eta is None else f"{eta:.4g} mPa s ({result.get('solvent') or '?'}, "
                                               f"{format_value(result.get('temperature_k'))} K)"),
                ("model", result["model"]),
                ("Δ, δ, τ", f"{result['big_delta_ms']:g}, {result['little_delta_ms']:g}, "
                            f"{result['tau_ms']:g} ms"),
                ("gradient shape", f"{result['gradient_shape']} (σ = "
                                   f"{result['shape_factor_sigma']:.3f})"),
                fit_quality(result), ("σ", result["sigma_source"])]

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """D and d_H per sample."""
        rows = [[sample_label(a["sample"], cycles), _d(a["result"]),
                 format_value(a["result"]["d_h_nm"], a["result"]["d_h_nm_err"]),
                 format_value(a["result"].get("viscosity_mpa_s")), a["result"]["model"]]
                for a in analyses]
        if not rows:
            return []
        return [Table(["sample", f"D / ({_D_UNIT[1:]})", "d_H / nm", "η / mPa s", "model"], rows,
                      "DOSY across samples")]

    def figures(self, analyses: list[dict[str, Any]],
                cycles: dict[str | None, Any]) -> list[FigureOutput]:
        """d_H against c-ALD cycles (cf. Figure 2b of the reference study)."""
        from cald.figures import cycles_figure

        points = [(float(cycles[a["sample"]]), a["result"]["d_h_nm"], a["result"]["d_h_nm_err"],
                   str(a["sample"])) for a in analyses
                  if a["result"].get("d_h_nm") is not None
                  and isinstance(cycles.get(a["sample"]), (int, float))]
        if not points:
            return []
        return [figure_output("dosy_dh_cycles", "Hydrodynamic diameter (DOSY, Stokes–Einstein) "
                              "against c-ALD cycles (cf. Figure 2b of the reference study).",
                              cycles_figure(points, "d_H / nm"))]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The hydrodynamic diameter of the sample."""
        res = analysis["result"]
        if res.get("d_h_nm") is None:
            return []
        return [Statement(f"Hydrodynamic diameter (DOSY, Stokes–Einstein; sample "
                          f"{analysis['sample']})", res["d_h_nm"], res["d_h_nm_err"], "nm",
                          analysis["id"])]
