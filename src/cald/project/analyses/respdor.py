"""Analysis kind ``respdor``: a RESPDOR/REDOR curve (raw NMR series or CSV) fitted for D, r, f.

(Heavy imports live inside ``run`` so that planning a cached project stays fast.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.nmr.options import RespdorSeriesOptions
from cald.options import Region
from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    FigureOutput,
    MissingParameter,
    PredictedCurve,
    Statement,
    Table,
    figure_output,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import fit_quality, format_value
from cald.recoupling.options import RespdorFitOptions


class RespdorParameters(RespdorFitOptions, RespdorSeriesOptions):
    """The fit's options (``pair`` or ``spin`` required) and, for a raw NMR series, those of the
    extraction (``region`` required then); with ``simulate = true`` (and ``mas_khz``, the
    saturation pulse and C_Q or a Czjzek ``cq_sigma_mhz``) also the fit corrected for the
    simulated saturation: the fraction bound f_bound, ε and the simulated curve."""

    boundary_units = {**RespdorSeriesOptions.boundary_units, **RespdorFitOptions.boundary_units}

    region: Region | None = None  # type: ignore[assignment]  # a CSV curve needs no region


@register
class Respdor(AnalysisKind):
    """Fit of a dephasing curve; with a raw NMR series (Bruker, Varian …) the curve is
    extracted first."""

    name = "respdor"
    title = "RESPDOR dephasing curve"
    section = "respdor"
    input_kinds = (*RAW_NMR_KINDS, "csv")
    n_inputs = (1, 2)
    Parameters = RespdorParameters

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        if input_kinds[0] in RAW_NMR_KINDS and params.region is None:
            raise MissingParameter("region", "a raw NMR series needs region = [high, low] (ppm) "
                                             "to integrate")

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import respdor_figure
        from cald.io.table import format_table
        from cald.recoupling.data import DephasingCurve, read_dephasing_csv

        p: RespdorParameters = params
        files: dict[str, bytes] = {}
        if inputs[0].is_dir():
            series = p.read_series(inputs[0], inputs[1] if len(inputs) > 1 else None)
            files["curve.csv"] = format_table(series.columns(), series.header()).encode()
            curve = DephasingCurve.from_series(series)
        else:
            curve = read_dephasing_csv(str(inputs[0]))
        result = p.fit(curve)
        system = f"{p.pair.replace('-', '{')}}}" if p.pair else f"spin {p.spin_value:g}"
        caption = (f"{system} {p.experiment.upper()} dephasing with the one-distance fit and "
                   "curves for r ± 0.2 Å (cf. Figure 7b of the reference study)")
        if p.simulate:
            corrected = p.correct(curve, result)
            fig = respdor_figure(result, corrected=corrected.corrected,
                                 simulated=corrected.scaled_simulation())
            d = corrected.to_dict()
            sat = d["saturation"]
            caption += (f"; in red the fit with the simulated saturation pulse ({p.recoupling}, "
                        f"{p.sat_pulse_s * 1e6:g} µs at {p.sat_rf_hz * 1e-3:g} kHz, "
                        f"{sat['cq_source']}; ε = {sat['saturation_efficiency']:.2f}) and the "
                        "full simulation at its D scaled by f_bound")
        else:
            fig = respdor_figure(result)
            d = result.to_dict()
        summary = ", ".join(
            [f"D = {format_value(d['d_hz'], d['d_hz_err'], 'Hz')}"]
            + ([f"r = {format_value(d['r_angstrom'], d['r_angstrom_err'], 'Å')}"]
               if d["r_angstrom"] is not None else [])
            + [f"f = {format_value(d['f'], d['f_err'])}"]
            + ([f"f_bound = {format_value(d['saturation']['f_bound'], d['saturation']['f_bound_err'])}"
                f" (ε = {d['saturation']['saturation_efficiency']:.2f})"] if p.simulate else []))
        return AnalysisOutput(d, [figure_output("dephasing", caption + ".", fig)], files, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        boot = result.get("bootstrap") or {}
        ci = result.get("d_hz_ci95") or [None, None]
        return [("D", format_value(result["d_hz"], result["d_hz_err"], "Hz")),
                ("r", format_value(result["r_angstrom"], result["r_angstrom_err"], "Å")),
                ("f", format_value(result["f"], result["f_err"])),
                ("D 95 % (profile)", f"{format_value(ci[0])} – {format_value(ci[1])} Hz"),
                ("D 95 % (bootstrap)", " – ".join(format_value(x) for x in boot["d_hz_ci95"]) + " Hz"
                 if boot.get("d_hz_ci95") else "—"),
                fit_quality(result),
                ("σ", result["sigma_source"]), ("preferred model (BIC)", result["preferred_model"])
                ] + _saturation_numbers(result.get("saturation"))

    def card_tables(self, result: dict[str, Any]) -> list[Table]:
        """The model comparison: parameters with errors, χ²ᵣ, AIC and BIC of every model."""
        rows = [[name,
                 ", ".join(f"{k} = {format_value(p['value'], p['stderr'], p['unit'])}"
                           for k, p in fit["params"].items()),
                 " ".join(fit_quality(fit)) if fit.get("redchi") is None else format_value(fit["redchi"]),
                 format_value(fit["aic"]), format_value(fit["bic"])]
                for name, fit in result.get("models", {}).items()]
        tables = [] if not rows else [
            Table(["model", "parameters (± standard error)", "χ²ᵣ (σ measured) or residual s.d.",
                   "AIC", "BIC"], rows)]
        sat = result.get("saturation")
        if sat:
            tables.append(Table(["C_Q / MHz", "η", "weight", "saturation efficiency ε"],
                                [[format_value(c), format_value(e), format_value(w),
                                  format_value(x)] for c, e, w, x in
                                 zip(sat["cq_mhz"], sat["eta"], sat["cq_weights"],
                                     sat["efficiency_per_node"], strict=True)]))
        return tables

    def figures_with_predictions(self, analyses: list[dict[str, Any]],
                                 cycles: dict[str | None, Any],
                                 predictions: list[PredictedCurve]) -> list[FigureOutput]:
        """One figure per pair and κ that some analysis predicts a RESPDOR curve for
        (observable ``experiment = "respdor"``, ``pair``, ``kappa``; e.g. an atomistic model's
        closest site): the measured points and one-distance fits of the RESPDOR analyses of the
        pair with the predicted curves, each scaled by the measured dephased fraction f of the
        analysis of the predicting analysis' sample (else of the pair's first analysis)."""
        import numpy as np
        from matplotlib.figure import Figure

        from cald.recoupling.redor import dephasing

        groups: dict[tuple[str, float], list[dict[str, Any]]] = {}
        for a in analyses:
            res = a["result"]
            if res.get("pair") and res.get("experiment") == "respdor":
                group = groups.setdefault((res["pair"], res["kappa"]), [])
                # a sample's curve fitted twice (e.g. with and without the simulated
                # saturation) is drawn once
                if all((b["sample"], b["result"]["data"]) != (a["sample"], res["data"])
                       for b in group):
                    group.append(a)
        out = []
        for (pair, kappa), measured in groups.items():
            drawn = [p for p in predictions if p.matches(experiment="respdor", pair=pair, kappa=kappa)]
            if not drawn:
                continue
            fig = Figure(figsize=(5.6, 4.0), layout="constrained")
            ax = fig.subplots()
            t_max_ms = 1.05 * max(max(a["result"]["data"]["t_ms"]) for a in measured)
            t_s = np.linspace(0.0, t_max_ms * 1e-3, 200)
            handles: list[Any] = []  # in the order drawn (a legend puts error bars last)
            for k, a in enumerate(measured):
                res = a["result"]
                data = res["data"]
                color = f"C{k % 10}"
                handles.append(ax.errorbar(data["t_ms"], data["dS_S0"], yerr=data["sigma"], fmt="o",
                                           ms=4, capsize=2, color=color, zorder=3,
                                           label=f"{a['id']} (measured)"))
                fitted = (f"r = {res['r_angstrom']:.2f} Å" if res["r_angstrom"] is not None
                          else f"D = {res['d_hz']:.0f} Hz")
                handles += ax.plot(t_s * 1e3, dephasing(t_s, res["d_hz"], res["f"], res["spin"],
                                                        kappa, res["experiment"]),
                                   color=color, lw=2, label=f"fit: {fitted}, f = {res['f']:.2f}")
            by_sample = {a["sample"]: a for a in reversed(measured)}
            sources = list(dict.fromkeys(p.analysis for p in drawn))
            styles = ("-", "--", ":", "-.")
            for j, p in enumerate(drawn):
                k = len(measured) + sources.index(p.analysis)
                n = sum(q.analysis == p.analysis for q in drawn[:j])
                f = by_sample.get(p.sample, measured[0])["result"]["f"]
                handles += ax.plot(p.x, f * np.asarray(p.y), color=f"C{k % 10}", lw=1.2,
                                   ls=styles[n % 4],
                                   label=f"{p.analysis}: {p.label}, × measured f = {f:.2f}")
            ax.set_xlabel("recoupling time / ms")
            ax.set_ylabel(r"$\Delta S/S_0$")
            ax.set_xlim(0, t_max_ms)
            system = f"{pair.replace('-', '{')}}}"
            ax.set_title(f"RESPDOR {system}: measured and predicted", fontsize=10)
            fig.legend(handles=handles, loc="outside lower center", fontsize=6, frameon=False)
            out.append(figure_output(
                f"respdor_predicted_{pair}_kappa{kappa:g}",
                f"{system} RESPDOR (κ = {kappa:g}): measured points "
                f"and one-distance fits of {', '.join(a['id'] for a in measured)} with the curves "
                f"predicted by {', '.join(sources)} for the same pair and κ, each scaled by the "
                "measured dephased fraction f (of the analysis of the same sample, else of "
                f"{measured[0]['id']}).", fig))
        return out

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The fraction dephased, the distance, and (with the sample's ligands per QD) the
        ligands bonded per QD."""
        res, aid = analysis["result"], analysis["id"]
        pair = res.get("pair") or f"spin {res.get('spin')}"
        observed, dephasing = (pair.split("-") + [""])[:2]
        sat = res.get("saturation")
        if sat:
            out = [Statement(f"Fraction of {observed} sites dephased by {dephasing} (sample "
                             f"{analysis['sample']}), uncorrected", res["f"], res["f_err"], "", aid),
                   Statement(f"Fraction of {observed} sites bound to {dephasing} (sample "
                             f"{analysis['sample']}; f corrected for the simulated saturation "
                             f"efficiency ε = {sat['saturation_efficiency']:.2f})",
                             sat["f_bound"], sat["f_bound_err"], "", aid)]
            res = {**res, "f": sat["f_bound"], "f_err": sat["f_bound_err"], "d_hz": sat["d_hz"],
                   "r_angstrom": sat["r_angstrom"], "r_angstrom_err": sat["r_angstrom_err"]}
        else:
            out = [Statement(f"Fraction of {observed} sites dephased by {dephasing} (sample "
                             f"{analysis['sample']}); a lower bound of the fraction bonded if the "
                             "saturation is incomplete", res["f"], res["f_err"], "", aid)]
        if res.get("r_angstrom") is not None:
            out.append(Statement(f"{observed}–{dephasing} distance from the dipolar coupling "
                                 f"D = {res['d_hz']:.0f} Hz", res["r_angstrom"],
                                 res["r_angstrom_err"], "Å", aid))
        ligands = sample.get("ligands_per_qd")
        if ligands:
            err = None if res["f_err"] is None else res["f_err"] * ligands
            text = f"Ligands per QD bonded to {dephasing} (f × {ligands:g} ligands per QD)"
            tma = sample.get("tma_per_qd")
            if tma:
                cycles = max(int(sample.get("cycles", 1)), 1)
                text += f"; {tma:g} TMA per QD per cycle were added ({cycles} cycle(s))"
            out.append(Statement(text, res["f"] * ligands, err, "per QD", aid))
        return out


def _saturation_numbers(sat: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Key numbers of the fit corrected for the simulated saturation (none without it)."""
    if not sat:
        return []
    conv = sat["saturation_efficiency_convergence"]
    label, quality = fit_quality(sat)
    return [("saturation efficiency ε",
             f"{format_value(sat['saturation_efficiency'])} (spread over C_Q "
             f"{format_value(sat['saturation_efficiency_spread'])}"
             + ("" if conv is None else f", powder {format_value(conv)}") + ")"),
            ("f_bound (corrected f)", format_value(sat["f_bound"], sat["f_bound_err"])),
            ("D (corrected)", format_value(sat["d_hz"], sat["d_hz_err"], "Hz")),
            ("r (corrected)", format_value(sat["r_angstrom"], sat["r_angstrom_err"], "Å")),
            (f"{label} (corrected fit)", quality),
            ("model vs full simulation (rms)", format_value(sat["model_error"]))]
