"""Analysis kind ``csa``: CSA tensors and site fractions from a spin-1/2 MAS sideband spectrum
(e.g. 113Cd: core, CdSe2O2, CdSeO3, Cd(oleate)2 and the new c-ALD sites; Table S2 layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    figure_output,
    overlay_data,
    register,
)


class CsaParameters(OverlayParameters):
    """MAS rate, field, starting isotropic shifts and lineshape."""

    mas_khz: float = Field(gt=0)
    nucleus: str | None = None
    field_1h_mhz: float | None = Field(None, gt=0)
    sites: list[float] | None = None
    lineshape: str = "lorentzian"
    region: tuple[float, float] | None = None
    pass_data: bool = Field(False, description="input is a PASS table (CSV: ppm, order_<k> columns)")


@register
class Csa(AnalysisKind):
    """Sideband-manifold fit."""

    name = "csa"
    title = "CSA sites (sideband manifolds)"
    section = "ssnmr"
    input_kinds = ("bruker", "jcamp", "csv")
    Parameters = CsaParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.lineshape.csa import fit_csa
        from cald.project.report.figures import lineshape_fit_figure
        from cald.project.report.html import format_value
        from cald.reading import read

        p: CsaParameters = params
        if p.pass_data:
            return self._run_pass(inputs[0], p)
        result = fit_csa(read(inputs[0]), mas_hz=p.mas_khz * 1e3, sites=p.sites,
                         nucleus=p.nucleus, field_1h_mhz=p.field_1h_mhz, lineshape=p.lineshape,
                         region=p.region)
        d = {**result.to_dict(include_curves=False), **overlay_data(result.ppm, result.data, p)}
        fig = lineshape_fit_figure(result)
        summary = "; ".join(f"{s['iso_ppm']:.0f} ppm: Ω {format_value(s['omega_ppm'], s['omega_ppm_err'])}"
                            f" ppm, fraction {format_value(s['fraction'], s['fraction_err'])}"
                            for s in d["sites"])
        caption = "Spinning-sideband manifolds fitted site by site (data, fit, sites; residual below)."
        return AnalysisOutput(d, [figure_output("manifolds", caption, fig)], {}, summary)

    def _run_pass(self, source: Path, p: CsaParameters) -> AnalysisOutput:
        from cald.io.spectrum_file import read_pass_table
        from cald.lineshape.csa import fit_pass, pass_isotropic_spectrum
        from cald.nmr.processing import pick_peaks
        from cald.project.report.figures import spectrum_figure
        from cald.project.report.html import format_value

        rows = read_pass_table(source, p.nucleus)
        result = fit_pass(rows, mas_hz=p.mas_khz * 1e3, sites=p.sites, nucleus=p.nucleus,
                          field_1h_mhz=p.field_1h_mhz)
        iso = pass_isotropic_spectrum(rows)
        d = {**result.to_dict(include_curves=False), **overlay_data(iso.axis, iso.values, p)}
        summary = "; ".join(f"{s['iso_ppm']:.0f} ppm: Ω {format_value(s['omega_ppm'], s['omega_ppm_err'])}"
                            f" ppm, fraction {format_value(s['fraction'], s['fraction_err'])}"
                            for s in d["sites"])
        caption = "Isotropic spectrum: sum of the PASS sideband-order slices (cf. Figure 5c)."
        fig = spectrum_figure(iso, pick_peaks(iso))
        return AnalysisOutput(d, [figure_output("isotropic", caption, fig)], {}, summary)
