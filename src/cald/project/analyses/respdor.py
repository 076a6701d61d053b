"""Analysis kind ``respdor``: a RESPDOR/REDOR curve (Bruker series or CSV) fitted for D, r, f.

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
from cald.project.formatting import fit_quality, format_value
from cald.recoupling.options import RespdorFitOptions


class RespdorParameters(RespdorFitOptions, RespdorSeriesOptions):
    """The fit's options (``pair`` or ``spin`` required) and, for a Bruker series, those of the
    extraction (``region`` required then)."""

    boundary_units = {**RespdorSeriesOptions.boundary_units, **RespdorFitOptions.boundary_units}

    region: Region | None = None  # type: ignore[assignment]  # a CSV curve needs no region


@register
class Respdor(AnalysisKind):
    """Fit of a dephasing curve; with a Bruker series the curve is extracted first."""

    name = "respdor"
    title = "RESPDOR dephasing curve"
    section = "respdor"
    input_kinds = ("bruker", "csv")
    n_inputs = (1, 2)
    Parameters = RespdorParameters

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        if input_kinds[0] == "bruker" and params.region is None:
            raise MissingParameter("region", "a Bruker series needs region = [high, low] (ppm) "
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
        fig = respdor_figure(result)
        d = result.to_dict()
        summary = ", ".join(
            [f"D = {format_value(d['d_hz'], d['d_hz_err'], 'Hz')}"]
            + ([f"r = {format_value(d['r_angstrom'], d['r_angstrom_err'], 'Å')}"]
               if d["r_angstrom"] is not None else [])
            + [f"f = {format_value(d['f'], d['f_err'])}"])
        system = f"{p.pair.replace('-', '{')}}}" if p.pair else f"spin {p.spin_value:g}"
        caption = (f"{system} {p.experiment.upper()} dephasing with the one-distance fit and "
                   "curves for r ± 0.2 Å (cf. Figure 7b of the reference study).")
        return AnalysisOutput(d, [figure_output("dephasing", caption, fig)], files, summary)

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
                ("σ", result["sigma_source"]), ("preferred model (BIC)", result["preferred_model"])]

    def card_tables(self, result: dict[str, Any]) -> list[Table]:
        """The model comparison: parameters with errors, χ²ᵣ, AIC and BIC of every model."""
        rows = [[name,
                 ", ".join(f"{k} = {format_value(p['value'], p['stderr'], p['unit'])}"
                           for k, p in fit["params"].items()),
                 " ".join(fit_quality(fit)) if fit.get("redchi") is None else format_value(fit["redchi"]),
                 format_value(fit["aic"]), format_value(fit["bic"])]
                for name, fit in result.get("models", {}).items()]
        if not rows:
            return []
        return [Table(["model", "parameters (± standard error)", "χ²ᵣ (σ measured) or residual s.d.",
                       "AIC", "BIC"], rows)]

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
                groups.setdefault((res["pair"], res["kappa"]), []).append(a)
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
