"""Analysis kind ``model``: an atomistic structure (``structure`` data set) analysed as by
``cald model analyze``, optionally beside a measured RESPDOR curve fitted with one distance: a
``csv`` data set (t_ms, dS_S0 [, sigma]) or a ``bruker`` pseudo-2D series (and optionally its
separate S0 experiment) integrated as by the ``respdor`` kind, with the same parameters
(``region`` required then, ``t_ms``, ``s_first``, ``auto_phase``, ``cpmg`` …). With a
``relax`` table (the options of ``cald model relax``) the model is relaxed first; the card then
says how (method, final fmax, converged or not), as it does for a model file that carries a
relaxation record (:func:`cald.atomistic.relax.relaxation_record`).

The closest site's predicted curves (two-spin and D_eff) are published under
:data:`~cald.project.analyses.PREDICTIONS` with the observable (``respdor``, pair, κ), so that the
kind measuring that observable draws them beside its data.

(Heavy imports live inside ``run`` so that planning a cached project stays fast.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.atomistic.relax_options import RelaxOptions
from cald.errors import DataFileError
from cald.nmr.options import RespdorSeriesOptions
from cald.options import Region
from cald.project.analyses import (
    PREDICTIONS,
    AnalysisKind,
    AnalysisOutput,
    FigureOutput,
    MissingParameter,
    Statement,
    Table,
    figure_output,
    predicted_curve,
    register,
)
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import format_value

#: File names of a measured curve (read by :func:`cald.io.table.read_table`).
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")


def _observed_dephasing(result: dict[str, Any]) -> tuple[str, str]:
    s, i = str(result["pair"]).split("-")
    return s.lstrip("0123456789"), i.lstrip("0123456789")


def _site_label(result: dict[str, Any]) -> str:
    """``shortest carboxylate C`` when the observed sites are carboxylate carbons."""
    s_el, _ = _observed_dephasing(result)
    sites = {c["site"] for c in result["curves"]["sites"]}
    carboxyl = {c["carbon"] for c in result["carboxylates"]}
    return f"shortest {'carboxylate ' if sites and sites <= carboxyl else ''}{s_el}"


def _modes_text(result: dict[str, Any]) -> str:
    return ", ".join(f"{n} {m}" for m, n in result["modes"].items() if n) or "none"


def _cn_text(result: dict[str, Any]) -> str:
    return ", ".join(f"{n} × {cn}" for cn, n in result["al_cn"].items()) or "—"


def _predictions(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The closest site's two-spin curve and, with several partners in reach, its D_eff curve
    (f = 1), as predictions of the RESPDOR observable of the model's pair and κ."""
    sites = [c for c in result["curves"]["sites"] if c["r_angstrom"] is not None]
    if not sites:
        return []
    site = min(sites, key=lambda c: c["r_angstrom"])
    _, i_el = _observed_dephasing(result)
    observable = {"experiment": "respdor", "pair": result["pair"], "kappa": result["kappa"]}
    t_ms, label = result["curves"]["t_ms"], _site_label(result)
    out = [predicted_curve(observable, f"{label}–{i_el} {site['r_angstrom']:.2f} Å (two-spin)",
                           t_ms, site["dS_S0"])]
    if site["n_partners"] > 1:
        out.append(predicted_curve(observable, f"{label}, D_eff over {site['n_partners']} {i_el} "
                                               "(multi-spin estimate)", t_ms, site["dS_S0_multi"]))
    return out


def _geometry(result: dict[str, Any]) -> str:
    from cald.atomistic.analyze import geometry_text

    return geometry_text(result.get("relaxation"))


def _site_distances(result: dict[str, Any]) -> str:
    rs = sorted(c["r_angstrom"] for c in result["curves"]["sites"] if c["r_angstrom"] is not None)
    return ", ".join(f"{r:.2f}" for r in rs) + " Å" if rs else "—"


class ModelParameters(ModelAnalyzeOptions, RespdorSeriesOptions):
    """The model's analysis options, for a measured Bruker series those of its extraction (as
    the ``respdor`` kind's; ``region`` required then) and, with a ``relax`` table, the
    relaxation run before the analysis (as ``cald model relax``; cached with the analysis)."""

    boundary_units = {**RespdorSeriesOptions.boundary_units, **ModelAnalyzeOptions.boundary_units}

    region: Region | None = None  # type: ignore[assignment]  # a CSV curve needs no region
    relax: RelaxOptions | None = None


@register
class Model(AnalysisKind):
    """Distances, binding modes, Al coordination and predicted RESPDOR curves of a model."""

    name = "model"
    title = "Atomistic model"
    section = "models"
    input_kinds = ("structure", "csv", *RAW_NMR_KINDS)
    n_inputs = (1, 3)
    Parameters = ModelParameters

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        if input_kinds[1:2] and input_kinds[1] in RAW_NMR_KINDS and params.region is None:
            raise MissingParameter("region", "a measured raw NMR series needs region = [high, low] "
                                             "(ppm) to integrate")

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.atomistic.analyze import analyze_model
        from cald.figures import model_curves_figure, model_picture_figure
        from cald.io.structure import read_structure
        from cald.recoupling.data import DephasingCurve, read_dephasing_csv
        from cald.recoupling.fit import fit_respdor

        p: ModelParameters = params
        table = [path.suffix.lower() in _TABLE_SUFFIXES for path in inputs]
        series = [path.is_dir() for path in inputs]
        second = len(inputs) < 2 or table[1] or series[1]
        third = len(inputs) < 3 or series[1] and series[2]
        if table[0] or series[0] or not (second and third):
            raise DataFileError("a model analysis reads the structure first, then optionally "
                                "the measured curve (CSV) or Bruker series (and its S0 reference)",
                                inputs[0])
        atoms = read_structure(inputs[0])
        if p.relax is not None:
            from cald.atomistic.relax import relax

            atoms, _, _ = relax(atoms, p.relax, source=str(inputs[0]))
        measured = fit = None
        if len(inputs) > 1:
            measured = (DephasingCurve.from_series(p.read_series(*inputs[1:])) if series[1]
                        else read_dephasing_csv(str(inputs[1])))
            longest = float(measured.t_s.max()) * 1.05
            if longest > p.t_max_s:
                p = p.model_copy(update={"t_max_s": longest})
            s_iso, i_iso = p.isotopes
            fit = fit_respdor(measured, spin=i_iso.spin, kappa=p.kappa, pair=(s_iso, i_iso),
                              n_bootstrap=0)
        analysis = analyze_model(atoms, p, inputs[0].name)
        result = analysis.to_dict()
        result["measured"] = None if fit is None else {
            "source": inputs[1].name, **{k: fit.to_dict()[k] for k in
                                         ("d_hz", "d_hz_err", "r_angstrom", "r_angstrom_err",
                                          "f", "f_err")}}
        result[PREDICTIONS] = _predictions(result)
        s_el, i_el = _observed_dephasing(result)
        figures = [
            figure_output("model", f"Model {inputs[0].name} ({result['formula']}, "
                                   f"{_geometry(result)}), top and side views.",
                          model_picture_figure(atoms)),
            figure_output("curves", f"Predicted {p.pair} RESPDOR curves of the model (nearest "
                                    f"{i_el} per {s_el} site, ensemble mean two-spin and "
                                    "D_eff)" + (", the measured curve and the nearest-spin "
                                                "curves scaled by its fitted f"
                                                if measured is not None else "") + ".",
                          model_curves_figure(result, measured,
                                              None if fit is None else fit.to_dict()["f"]))]
        parts = []
        if result["site_r_angstrom"] is not None:
            parts.append(f"{_site_label(result)}–{i_el} {result['site_r_angstrom']:.2f} Å "
                         f"(D = {result['site_d_hz']:.0f} Hz)")
        parts.append(f"modes: {_modes_text(result)}")
        if result["al_cn"]:
            parts.append(f"Al CN {_cn_text(result)}")
        if result["measured"] is not None and result["measured"]["r_angstrom"] is not None:
            parts.append(f"measured r = {result['measured']['r_angstrom']:.2f} Å")
        return AnalysisOutput(result, figures, {}, "; ".join(parts))

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        s_el, i_el = _observed_dephasing(result)
        rows = [("structure", f"{result['formula']} ({result['n_atoms']} atoms)"),
                ("geometry", _geometry(result)),
                (f"{_site_label(result)}–{i_el}", format_value(result["site_r_angstrom"], None, "Å")),
                ("D", format_value(result["site_d_hz"], None, "Hz")),
                (f"shortest {s_el}–{i_el} (any {s_el})",
                 format_value(result["shortest_r_angstrom"], None, "Å")),
                (f"{s_el} sites within {result['cutoff_angstrom']:g} Å", format_value(result["f"])),
                ("carboxylate modes", _modes_text(result)),
                ("Al coordination", _cn_text(result))]
        measured = result.get("measured")
        if measured is not None:
            rows.append(("measured r (one-distance fit)",
                         format_value(measured["r_angstrom"], measured["r_angstrom_err"], "Å")))
            rows.append(("measured f", format_value(measured["f"], measured["f_err"])))
        return rows

    def card_tables(self, result: dict[str, Any]) -> list[Table]:
        """One row per observed site: nearest partner, r, D, D_eff and partners in reach."""
        rows = [[str(c["site"]), "—" if c["nearest"] is None else str(c["nearest"]),
                 format_value(c["r_angstrom"], None, "Å"), format_value(c["d_hz"], None, "Hz"),
                 format_value(c["d_eff_hz"], None, "Hz"), str(c["n_partners"])]
                for c in result["curves"]["sites"]]
        if not rows:
            return []
        return [Table(["site", "nearest", "r", "D", "D_eff", f"within {result['cutoff_angstrom']:g} Å"],
                      rows)]

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Models side by side: site distances, modes and Al CN beside the measured distance."""
        if not analyses:
            return []
        rows = []
        for a in analyses:
            res = a["result"]
            measured = res.get("measured")
            rows.append([a["id"], res["formula"], _geometry(res), _site_distances(res),
                         _modes_text(res),
                         _cn_text(res),
                         "—" if measured is None else
                         format_value(measured["r_angstrom"], measured["r_angstrom_err"], "Å")])
        s_el, i_el = _observed_dephasing(analyses[0]["result"])
        return [Table(["model", "formula", "geometry", f"{s_el}–{i_el} (nearest per site)",
                       "binding modes",
                       "Al CN", "measured r (RESPDOR)"], rows,
                      "Atomistic models beside the NMR distance")]

    def figures(self, analyses: list[dict[str, Any]],
                cycles: dict[str | None, Any]) -> list[FigureOutput]:
        """Each model's closest-site two-spin curve (scaled by the measured f when the model has
        a measured curve, else by the model's own f) beside the measured one-distance fits."""
        import numpy as np
        from matplotlib.figure import Figure

        from cald.recoupling.redor import dephasing

        if not analyses:
            return []
        fig = Figure(figsize=(4.8, 3.6), layout="constrained")
        ax = fig.subplots()
        fits: set[tuple[float, float, float, float]] = set()
        t_max_ms = 0.0
        for k, a in enumerate(analyses):
            res = a["result"]
            t_ms = np.asarray(res["curves"]["t_ms"])
            t_max_ms = max(t_max_ms, float(t_ms.max()))
            sites = [c for c in res["curves"]["sites"] if c["r_angstrom"] is not None]
            measured = res.get("measured")
            if measured is not None:
                fits.add((measured["d_hz"], measured["f"], res["spin"], res["kappa"]))
            if not sites:
                continue
            site = min(sites, key=lambda c: c["r_angstrom"])
            f = res["f"] if measured is None else measured["f"]
            ax.plot(t_ms, f * np.asarray(site["dS_S0"]), color=f"C{k % 10}",
                    label=f"{a['id']}: r = {site['r_angstrom']:.2f} Å, × f = {f:.2f}")
        t_s = np.linspace(0.0, t_max_ms * 1e-3, 200)
        for d_hz, f, spin, kappa in sorted(fits):
            ax.plot(t_s * 1e3, dephasing(t_s, d_hz, f, spin, kappa), color="black", lw=2,
                    ls="--", label=f"measured fit: D = {d_hz:.0f} Hz, f = {f:.2f}")
        ax.set_xlabel("recoupling time / ms")
        ax.set_ylabel(r"$\Delta S/S_0$")
        ax.set_xlim(0, t_max_ms)
        ax.legend(fontsize=7, frameon=False)
        return [figure_output("models-vs-respdor", "Closest-site RESPDOR curve of each model "
                              "(two-spin, scaled by the dephased fraction) beside the measured "
                              "one-distance fits.", fig)]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The model's shortest S–I distance, compared with the measured one when given."""
        res, aid = analysis["result"], analysis["id"]
        if res["site_r_angstrom"] is None:
            return []
        _, i_el = _observed_dephasing(res)
        label = _site_label(res)
        text = (f"{label[:1].upper() + label[1:]}–{i_el} distance in model {res['source']} "
                f"({_modes_text(res)})")
        measured = res.get("measured")
        if measured is not None and measured["r_angstrom"] is not None:
            diff = res["site_r_angstrom"] - measured["r_angstrom"]
            text += (f"; measured {measured['r_angstrom']:.2f} Å from RESPDOR, the model is "
                     f"{abs(diff):.2f} Å {'longer' if diff > 0 else 'shorter'}")
        return [Statement(text, res["site_r_angstrom"], None, "Å", aid)]
