"""Analysis kind ``ftir``: carboxylate binding mode (Δ = ν_as − ν_s), bridging shoulder and the
Al–O–Al and O–H band areas per CH2-stretch area of an FTIR spectrum (CSV or JCAMP-DX), with the
spectra of all samples overlaid, normalised to the CH2 stretch (the study's Figure 3b)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.project.analyses import (
    AnalysisKind,
    AnalysisOutput,
    FigureOutput,
    Statement,
    Table,
    figure_output,
    register,
)
from cald.project.formatting import format_value, sample_label
from cald.surface.ftir_options import FtirOptions

#: Points of the normalised spectrum kept in results.json for the overlay across samples.
MAX_OVERLAY_POINTS = 2000


def _area(result: dict[str, Any], name: str) -> tuple[Any, Any]:
    band = (result.get("band_areas") or {}).get(name) or {}
    return band.get("per_ch2"), band.get("per_ch2_err")


@register
class Ftir(AnalysisKind):
    """Carboxylate binding mode and band areas; input: one FTIR spectrum."""

    name = "ftir"
    title = "FTIR carboxylate binding mode"
    section = "surface"
    input_kinds = ("csv", "jcamp")
    Parameters = FtirOptions

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        import numpy as np

        from cald.figures import ftir_figure
        from cald.io.ir import read_ir

        p: FtirOptions = params
        spec = read_ir(inputs[0])
        result = p.analyze(spec)
        d: dict[str, Any] = {**result.to_dict(), "history": list(spec.history)}
        normalised = result.normalised_spectrum()
        if normalised is not None:
            step = max(1, normalised.size // MAX_OVERLAY_POINTS)
            d["normalised_spectrum"] = {"axis": np.asarray(result.corrected.axis)[::step].tolist(),
                                        "values": normalised[::step].tolist()}
        c = d["carboxylate"]
        summary = f"Δ = {c['delta']:.1f} cm⁻¹ ({c['mode']})"
        if d["bridging"] is not None:
            summary += f", bridging shoulder at {d['bridging']['nu_as']:.0f} cm⁻¹"
        caption = ("FTIR spectrum after the arPLS baseline (Al–O–Al and O–H regions shaded) and "
                   "the carboxylate band fit with Δ = ν_as − ν_s.")
        return AnalysisOutput(d, [figure_output("ftir", caption, ftir_figure(result))], {},
                              summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        c = result["carboxylate"]
        rows = [("ν_as(COO⁻)", format_value(c["nu_as"], c["nu_as_err"], "cm⁻¹")),
                ("ν_s(COO⁻)", format_value(c["nu_s"], c["nu_s_err"], "cm⁻¹")),
                ("Δ", format_value(c["delta"], c["delta_err"], "cm⁻¹")),
                ("binding mode", c["mode"])]
        if result.get("bridging") is not None:
            b = result["bridging"]
            rows.append(("bridging shoulder", format_value(b["nu_as"], b["nu_as_err"], "cm⁻¹")))
            rows.append(("bridging fraction of ν_as", format_value(b["fraction"],
                                                                    b["fraction_err"])))
        for name, label in (("al_o_al", "Al–O–Al / CH2 area"), ("o_h", "O–H / CH2 area")):
            value, err = _area(result, name)
            rows.append((label, format_value(value, err)))
        return rows

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """ν_as, ν_s, Δ, mode and the Al–O–Al and O–H areas per CH2-stretch area per sample."""
        if not analyses:
            return []
        rows = []
        for a in analyses:
            r = a["result"]
            c = r["carboxylate"]
            b = r.get("bridging")
            rows.append([sample_label(a["sample"], cycles),
                         format_value(c["nu_as"], c["nu_as_err"]),
                         format_value(c["nu_s"], c["nu_s_err"]),
                         format_value(c["delta"], c["delta_err"]), c["mode"],
                         "—" if b is None else format_value(b["nu_as"], b["nu_as_err"]),
                         format_value(*_area(r, "al_o_al")), format_value(*_area(r, "o_h"))])
        return [Table(["sample", "ν_as / cm⁻¹", "ν_s / cm⁻¹", "Δ / cm⁻¹", "mode",
                       "bridging shoulder / cm⁻¹", "Al–O–Al / CH2", "O–H / CH2"], rows,
                      "FTIR: carboxylate binding mode and band areas per CH2-stretch area")]

    def figures(self, analyses: list[dict[str, Any]],
                cycles: dict[str | None, Any]) -> list[FigureOutput]:
        """The spectra of all samples normalised to the CH2 stretch (cf. Figure 3b)."""
        import numpy as np

        from cald.figures import ftir_overlay_figure

        traces = [(sample_label(a["sample"], cycles),
                   np.asarray(a["result"]["normalised_spectrum"]["axis"]),
                   np.asarray(a["result"]["normalised_spectrum"]["values"]))
                  for a in analyses if a["result"].get("normalised_spectrum")]
        if not traces:
            return []
        return [figure_output("ftir_overlay", "FTIR spectra after the arPLS baseline, normalised "
                              "to the tallest CH2-stretch point (2800–3000 cm⁻¹) and offset; "
                              "Al–O–Al (450–750) and O–H (3000–3600 cm⁻¹) shaded (cf. Figure 3b "
                              "of the reference study).", ftir_overlay_figure(traces))]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """The binding mode with Δ, the bridging shoulder and the Al–O–Al band per sample."""
        r, name, aid = analysis["result"], analysis["sample"], analysis["id"]
        c = r["carboxylate"]
        out = [Statement(f"carboxylates mostly {c['mode']} by FTIR (Δ = ν_as − ν_s, sample "
                         f"{name})", c["delta"], c["delta_err"], "cm⁻¹", aid)]
        if r.get("bridging") is not None:
            b = r["bridging"]
            out.append(Statement(f"bridging carboxylate shoulder at {b['nu_as']:.0f} cm⁻¹: "
                                 f"fraction of the ν_as area (sample {name})", b["fraction"],
                                 b["fraction_err"], "", aid))
        value, err = _area(r, "al_o_al")
        if value is not None:
            out.append(Statement(f"Al–O–Al band area (450–750 cm⁻¹) per CH2-stretch area "
                                 f"(sample {name})", value, err, "", aid))
        return out
