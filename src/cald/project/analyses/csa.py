"""Analysis kind ``csa``: CSA tensors and site fractions from a spin-1/2 MAS sideband spectrum
(e.g. 113Cd: core, CdSe2O2, CdSeO3, Cd(oleate)2 and the new c-ALD sites; Table S2 layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.lineshape.options import CsaFitOptions
from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    OverlayParameters,
    Table,
    figure_output,
    overlay_data,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value, sample_label, site_key_numbers


class CsaParameters(CsaFitOptions, OverlayParameters):
    """The fit's options and overlay settings."""


def _summary(result: dict[str, Any]) -> str:
    return "; ".join(f"{s['iso_ppm']:.0f} ppm: Ω {format_value(s['omega_ppm'], s['omega_ppm_err'])}"
                     f" ppm, fraction {format_value(s['fraction'], s['fraction_err'])}"
                     for s in result["sites"])


@register
class Csa(AnalysisKind):
    """Sideband-manifold fit."""

    name = "csa"
    title = "CSA sites (sideband manifolds)"
    section = "ssnmr"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    Parameters = CsaParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import lineshape_fit_figure

        p: CsaParameters = params
        if p.pass_data:
            return self._run_pass(inputs[0], p)
        result = p.fit(p.read(inputs[0]))
        d = {**result.to_dict(include_curves=False), **overlay_data(result.ppm, result.data, p)}
        # the sideband-table builds of this process (0 when the table was cached) are state of
        # the machine, not of the data: left out so that a result does not depend on the cache
        del d["n_simulations"]
        fig = lineshape_fit_figure(result)
        summary = _summary(d)
        caption = "Spinning-sideband manifolds fitted site by site (data, fit, sites; residual below)."
        return AnalysisOutput(d, [figure_output("manifolds", caption, fig)], {}, summary)

    def _run_pass(self, source: Path, p: CsaParameters) -> AnalysisOutput:
        from cald.figures import spectrum_figure
        from cald.io.spectrum_file import read_pass_table
        from cald.lineshape.pass_ import pass_isotropic_spectrum
        from cald.nmr.processing import pick_peaks

        rows = read_pass_table(source, p.nucleus)
        result = p.fit_pass(rows)
        iso = pass_isotropic_spectrum(rows)
        d = {**result.to_dict(include_curves=False), **overlay_data(iso.axis, iso.values, p)}
        summary = _summary(d)
        caption = "Isotropic spectrum: sum of the PASS sideband-order slices (cf. Figure 5c)."
        fig = spectrum_figure(iso, pick_peaks(iso))
        return AnalysisOutput(d, [figure_output("isotropic", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        return site_key_numbers(result, lambda site: (
            f"ζ {format_value(site['zeta_ppm'], site.get('zeta_ppm_err'), 'ppm')}; "
            f"η {format_value(site['eta'], site.get('eta_err'))}; "
            f"Ω {format_value(site['omega_ppm'], site.get('omega_ppm_err'), 'ppm')}; "
            f"κ {format_value(site['kappa'], site.get('kappa_err'))}"))

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """CSA sites across samples in the layout of the study's Table S2 (δiso, δ11–δ33, Ω, κ,
        ζ, η, fraction)."""
        rows = [[sample_label(a["sample"], cycles),
                 format_value(s["iso_ppm"], s.get("iso_ppm_err")),
                 *(format_value(s[k]) for k in ("delta_11_ppm", "delta_22_ppm", "delta_33_ppm")),
                 format_value(s["omega_ppm"], s.get("omega_ppm_err")),
                 format_value(s["kappa"], s.get("kappa_err")),
                 format_value(s["zeta_ppm"], s.get("zeta_ppm_err")),
                 format_value(s["eta"], s.get("eta_err")),
                 format_value(s["fraction"], s.get("fraction_err"))]
                for a in analyses for s in a["result"]["sites"]]
        if not rows:
            return []
        return [Table(["sample", "δiso / ppm", "δ11 / ppm", "δ22 / ppm", "δ33 / ppm", "Ω / ppm",
                       "κ", "ζ / ppm", "η", "fraction"], rows,
                      "CSA parameters across samples (layout of Table S2)")]
