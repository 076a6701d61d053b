"""Analysis kind ``respdor``: a RESPDOR/REDOR curve (Bruker series or CSV) fitted for D, r, f.

(Heavy imports live inside ``run`` so that planning a cached project stays fast.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import RespdorSeriesOptions
from cald.options import Region
from cald.project.analyses import AnalysisKind, AnalysisOutput, figure_output, register
from cald.recoupling.options import RespdorFitOptions


class RespdorParameters(RespdorFitOptions, RespdorSeriesOptions):
    """The fit's options (``pair`` or ``spin`` required) and, for a Bruker series, those of the
    extraction (``region`` required then)."""

    boundary_units = {**RespdorSeriesOptions.boundary_units, **RespdorFitOptions.boundary_units}

    region: Region | None = None


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
        from cald.io.bruker import read_bruker
        from cald.io.table import format_table
        from cald.project.report.figures import respdor_figure
        from cald.recoupling.data import DephasingCurve, read_dephasing_csv

        p: RespdorParameters = params
        files: dict[str, bytes] = {}
        if inputs[0].is_dir():
            if p.region is None:
                raise ValueError("a Bruker series needs parameters.region = [high, low] (ppm)")
            reference = read_bruker(inputs[1]) if len(inputs) > 1 else None
            series = p.series(read_bruker(inputs[0]), reference)
            files["curve.csv"] = format_table(series.columns(), series.header()).encode()
            cols = series.columns()
            curve = DephasingCurve.from_intensities(series.t_s, cols["S0"], cols["S"],
                                                    cols["S0_noise"], cols["S_noise"],
                                                    str(inputs[0]))
        else:
            curve = read_dephasing_csv(str(inputs[0]))
        result = p.fit(curve)
        fig = respdor_figure(result)
        d = result.to_dict()
        summary = (f"D = {d['d_hz']:.0f} ± {d['d_hz_err']:.0f} Hz, r = {d['r_angstrom']:.2f} ± "
                   f"{d['r_angstrom_err']:.2f} Å, f = {d['f']:.3f} ± {d['f_err']:.3f}"
                   if d["d_hz_err"] is not None and d["r_angstrom"] is not None
                   else f"D = {d['d_hz']:.0f} Hz, f = {d['f']:.3f}")
        system = f"{p.pair.replace('-', '{')}}}" if p.pair else f"spin {p.spin_value:g}"
        caption = (f"{system} RESPDOR dephasing with the one-distance fit and "
                   "curves for r ± 0.2 Å (cf. Figure 7b of the reference study).")
        return AnalysisOutput(d, [figure_output("dephasing", caption, fig)], files, summary)

