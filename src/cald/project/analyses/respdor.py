"""Analysis kind ``respdor``: a RESPDOR/REDOR curve (Bruker series or CSV) fitted for D, r, f.

(Heavy imports live inside ``run`` so that planning a cached project stays fast.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    KindParameters,
    figure_output,
    register,
)


class RespdorParameters(KindParameters):
    """Parameters of a RESPDOR analysis (region needed for Bruker input)."""

    pair: str = "13C-27Al"
    spin: str | None = None
    kappa: float = Field(1.0, gt=0)
    experiment: Literal["respdor", "redor"] = "respdor"
    region: tuple[float, float] | None = None
    t_ms: list[float] | None = None
    s_first: bool = False
    auto_phase: str | None = None
    fix_f: float | None = Field(None, gt=0, le=1)
    models: list[str] = ["single"]
    fit_distance: bool = False
    bootstrap: int = Field(1000, ge=0)
    seed: int = Field(0, ge=0)


@register
class Respdor(AnalysisKind):
    """Fit of a dephasing curve; with a Bruker series the curve is extracted first."""

    name = "respdor"
    title = "RESPDOR dephasing curve"
    section = "respdor"
    input_kinds = ("bruker", "csv")
    n_inputs = (1, 2)
    Parameters = RespdorParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        import numpy as np

        from cald.io.bruker import read_bruker
        from cald.io.table import format_table
        from cald.nmr.pseudo2d import respdor_series
        from cald.nuclei import parse_pair, parse_spin
        from cald.project.report.figures import respdor_figure
        from cald.recoupling.data import DephasingCurve, read_dephasing_csv
        from cald.recoupling.fit import fit_respdor

        p: RespdorParameters = params
        pair = parse_pair(p.pair)
        spin = parse_spin(p.spin) if p.spin is not None else pair[1].spin
        files: dict[str, bytes] = {}
        if inputs[0].is_dir():
            if p.region is None:
                raise ValueError("a Bruker series needs parameters.region = [high, low] (ppm)")
            times = None if p.t_ms is None else np.asarray(p.t_ms) * 1e-3
            reference = read_bruker(inputs[1]) if len(inputs) > 1 else None
            series = respdor_series(read_bruker(inputs[0]), p.region, times, reference,
                                    s0_first=not p.s_first, auto_phase=p.auto_phase)
            files["curve.csv"] = format_table(series.columns(), series.header()).encode()
            cols = series.columns()
            curve = DephasingCurve.from_intensities(series.t_s, cols["S0"], cols["S"],
                                                    cols["S0_noise"], cols["S_noise"],
                                                    str(inputs[0]))
        else:
            curve = read_dephasing_csv(str(inputs[0]))
        result = fit_respdor(curve, spin=spin, kappa=p.kappa, pair=pair, f_fixed=p.fix_f,
                             models=p.models, fit_distance=p.fit_distance,
                             n_bootstrap=p.bootstrap, seed=p.seed, experiment=p.experiment)
        fig = respdor_figure(result)
        d = result.to_dict()
        summary = (f"D = {d['d_hz']:.0f} ± {d['d_hz_err']:.0f} Hz, r = {d['r_angstrom']:.2f} ± "
                   f"{d['r_angstrom_err']:.2f} Å, f = {d['f']:.3f} ± {d['f_err']:.3f}"
                   if d["d_hz_err"] is not None and d["r_angstrom"] is not None
                   else f"D = {d['d_hz']:.0f} Hz, f = {d['f']:.3f}")
        caption = (f"{p.pair.replace('-', '{')}}} {p.experiment.upper()} dephasing with the "
                   "one-distance fit and curves for r ± 0.2 Å (cf. Figure 7b of the reference study).")
        return AnalysisOutput(d, [figure_output("dephasing", caption, fig)], files, summary)

