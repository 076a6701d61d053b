"""Analysis kind ``xps``: the regions of one sample's VAMAS file fitted with the study's presets,
charge-corrected from C 1s, with Table S1, atomic ratios and the XPS mechanism statements.

One analysis per file, as a chemist works: every region listed in ``regions`` is found in the
file (:func:`cald.surface.options.find_block`) and fitted on CasaXPS's calibrated axis with its
preset (overridable per region in ``presets``); the C 1s C–C shift to 284.8 eV
(``charge_region``) is applied to every region of the sample. The result carries, per region,
what ``cald xps fit --json`` reports, plus ``charge_shift_ev``, the atomic ratios and the two
statements' numbers:

* **Cd–O**: the Cd 3d region is fitted with the core and surface doublets only; when that model
  leaves nothing to explain, χ²ᵣ ≤ ``cd3d_redchi_max`` (σ from counting statistics, so χ²ᵣ ≈ 1
  means the residual is noise), no further (Cd–O) component is needed. A larger χ²ᵣ says the
  two-doublet model misses something and no such statement is made.
* **Al 2s**: present when its fitted area exceeds ``al2s_sigma`` times its error.

Atomic ratios (``ratios``, e.g. ``"Al 2s/Cd 3d"``) divide RSF-corrected total areas; the RSF of a
region is the project's (``rsf``), else the one CasaXPS stored in the file, else cald's Al Kα
table (:func:`cald.surface.xps.sensitivity_factor`); a region without one gets no ratio (a note
says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from cald.errors import InputError
from cald.options import Options, PositiveFloat, describe_validation_error
from cald.project.analyses import AnalysisKind, AnalysisOutput, Statement, Table, figure_output, register
from cald.project.formatting import format_value, sample_label
from cald.surface.components import REGION_PRESETS
from cald.surface.options import XpsFitOptions

_SAMPLE_REGIONS = ["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"]


class XpsParameters(Options):
    """The regions of one VAMAS file and how they are fitted, corrected and compared."""

    regions: list[str] = Field(
        default_factory=lambda: list(_SAMPLE_REGIONS),
        description=f"Region presets fitted from the file ({', '.join(REGION_PRESETS)}).")
    presets: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-region overrides: {region: {region_ev, background, "
        "background_params, components, block, n_average}} (fields of `cald xps fit`).")
    charge_region: str | None = Field(
        "C 1s", description="Region whose C–C line sets the charge shift (null: no correction).")
    charge_component: str = Field("C 1s C–C", description="The charge component of that region.")
    charge_reference_ev: float = Field(284.8, description="Its reference binding energy (eV).")
    rsf: dict[str, PositiveFloat] = Field(
        default_factory=dict, description="RSF per region (before the file's and cald's table).")
    ratios: list[str] = Field(
        default_factory=lambda: ["Al 2s/Cd 3d", "O 1s/Cd 3d"],
        description="Atomic ratios 'A/B' of fitted regions.")
    cd3d_redchi_max: PositiveFloat = Field(
        1.5, description="χ²ᵣ of the core + surface Cd 3d fit up to which no Cd–O is needed.")
    al2s_sigma: PositiveFloat = Field(
        3.0, description="Al 2s counts as present when its area exceeds this many errors.")

    def region_options(self, region: str) -> XpsFitOptions:
        """The fit options of one region (its preset with the project's overrides)."""
        return XpsFitOptions.model_validate({
            "preset": region, "charge_component": self.charge_component,
            "charge_reference_ev": self.charge_reference_ev, **self.presets.get(region, {})})

    @model_validator(mode="after")
    def _check(self) -> XpsParameters:
        if not self.regions:
            raise ValueError("regions: give at least one region")
        for region in (*self.regions, *self.presets):
            try:
                self.region_options(region)
            except ValidationError as exc:
                field, msg = describe_validation_error(exc, XpsFitOptions, str)
                where = "regions" if field in (None, "preset") else f"presets.{region}.{field}"
                raise ValueError(f"{where}: {region!r} {msg}" if field == "preset"
                                 else f"{where}: {msg}") from None
        for ratio in self.ratios:
            parts = [p.strip() for p in ratio.split("/")]
            if len(parts) != 2 or not set(parts) <= set(self.regions):
                raise ValueError(f"ratios: {ratio!r} must be 'A/B' of two of the regions "
                                 f"({', '.join(self.regions)})")
        if self.charge_region is not None and self.charge_region not in self.regions:
            raise ValueError(f"charge_region {self.charge_region!r} is not among the regions")
        return self


def _rsf(params: XpsParameters, region: str, block: Any) -> tuple[float | None, str]:
    from cald.surface.xps import sensitivity_factor

    if region in params.rsf:
        return params.rsf[region], "project"
    file_rsf = next((r.rsf for r in block.casa_regions if r.rsf and r.rsf > 0), None)
    if file_rsf is not None:
        return float(file_rsf), "file (CasaXPS region)"
    preset = REGION_PRESETS[region]
    try:
        return sensitivity_factor(f"{preset.element} {preset.line}"), "cald Al Kα table"
    except InputError:
        return None, "none"


def _statements(regions: dict[str, Any], params: XpsParameters) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "Cd 3d" in regions:
        redchi = regions["Cd 3d"]["redchi"]
        out["cd_o"] = {"redchi": redchi, "threshold": params.cd3d_redchi_max,
                       "no_cd_o": redchi is not None and redchi <= params.cd3d_redchi_max,
                       "criterion": "χ²ᵣ of the core + surface Cd 3d fit (σ from counting "
                                    f"statistics) ≤ {params.cd3d_redchi_max:g}"}
    if "Al 2s" in regions:
        comp = regions["Al 2s"]["components"][0]
        err = comp["area_err"]
        out["al_2s"] = {"present": err is not None and comp["area"] > params.al2s_sigma * err,
                        "be_ev": comp["be_ev"], "be_ev_err": comp["be_ev_err"],
                        "area": comp["area"], "area_err": err,
                        "criterion": f"area > {params.al2s_sigma:g} × its error"}
    return out


@register
class Xps(AnalysisKind):
    """Cd 3d, Se 3d, O 1s, Al 2s and C 1s of one sample's VAMAS file (input: the file)."""

    name = "xps"
    title = "XPS regions (Table S1)"
    section = "surface"
    input_kinds = ("vamas",)
    n_inputs = (1, 1)
    Parameters = XpsParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import xps_regions_figure
        from cald.io.vamas import read_xps
        from cald.surface.options import find_block
        from cald.surface.xps import atomic_ratio

        p: XpsParameters = params
        vamas = read_xps(inputs[0])
        source = str(vamas.path)
        blocks: dict[str, Any] = {}
        notes: list[str] = []
        for region in p.regions:
            block, found = find_block(vamas.blocks, region, p.region_options(region).block, source)
            blocks[region] = block
            notes += found
        shift = None
        if p.charge_region is not None:  # first: the shift places the other presets' bounds
            opts = p.region_options(p.charge_region)
            shift = opts.charge_shift(opts.fit_block(blocks[p.charge_region], source))
        fits = {region: p.region_options(region).fit_block(blocks[region], source, shift)
                for region in p.regions}
        regions = {k: {"block": blocks[k].index + 1, "block_name": blocks[k].label,
                       **v.to_dict(), "table_s1": v.table_s1()} for k, v in fits.items()}
        for d in regions.values():
            d.pop("params")  # the components carry them by name
        ratios = []
        for ratio in p.ratios:
            a, b = (s.strip() for s in ratio.split("/"))
            (rsf_a, src_a), (rsf_b, src_b) = _rsf(p, a, blocks[a]), _rsf(p, b, blocks[b])
            if rsf_a is None or rsf_b is None:
                notes.append(f"no atomic ratio {ratio}: no RSF for "
                             f"{a if rsf_a is None else b} (give rsf in the project)")
                continue
            est = atomic_ratio(fits[a].total_area(), rsf_a, fits[b].total_area(), rsf_b)
            ratios.append({"ratio": ratio, "value": est.value, "error": est.stderr,
                           "rsf": [rsf_a, rsf_b], "rsf_source": [src_a, src_b]})
        result = {"file": source, "regions": regions,
                  "charge_shift_ev": None if shift is None else shift.value,
                  "charge_shift_ev_err": None if shift is None else shift.stderr,
                  "charge_region": p.charge_region, "atomic_ratios": ratios,
                  **_statements(regions, p), "notes": notes}
        summary = ", ".join(f"{k} {len(v['components'])} lines" for k, v in regions.items())
        if shift is not None:
            summary += f"; charge shift {format_value(shift.value, shift.stderr, 'eV')}"
        caption = ("XPS regions with data, fit, components and background"
                   + ("" if shift is None else f", charge-corrected by {shift.value:+.2f} eV "
                      f"(C 1s C–C at {p.charge_reference_ev:g} eV)") + ".")
        fig = xps_regions_figure(list(fits.items()))
        return AnalysisOutput(result, [figure_output("xps-regions", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        rows = [("charge shift", format_value(result["charge_shift_ev"],
                                              result["charge_shift_ev_err"], "eV"))]
        for region, d in result["regions"].items():
            main = d["components"][0]
            absent = region == "Al 2s" and not result.get("al_2s", {}).get("present", True)
            rows.append((f"{region}: {main['name']}", "no signal (area below "
                         f"{result['al_2s']['criterion'].split('>')[1].strip()})" if absent else
                         format_value(main["be_ev"], main["be_ev_err"], "eV")))
        for r in result["atomic_ratios"]:
            rows.append((r["ratio"], format_value(r["value"], r["error"])))
        if "cd_o" in result:
            rows.append(("Cd 3d χ²ᵣ (core + surface)", format_value(result["cd_o"]["redchi"])))
        return rows

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Table S1 across samples (BE, FWHM, area, % area and assignment of every component,
        with errors) and one row per sample: charge shift, Cd 3d χ²ᵣ, Al 2s, atomic ratios."""
        rows = []
        for a in analyses:
            for region, d in a["result"]["regions"].items():
                for c in d["table_s1"]:
                    rows.append([sample_label(a["sample"], cycles), region, c["component"],
                                 c["assignment"], format_value(c["be_ev"], c["be_ev_err"]),
                                 format_value(c["fwhm_ev"], c["fwhm_ev_err"]),
                                 format_value(c["area"], c["area_err"]),
                                 format_value(c["area_pct"], c["area_pct_err"])])
        if not rows:
            return []
        summary = []
        for a in analyses:
            r = a["result"]
            al, cd_o = r.get("al_2s"), r.get("cd_o")
            summary.append([
                sample_label(a["sample"], cycles),
                format_value(r["charge_shift_ev"], r["charge_shift_ev_err"]),
                "—" if cd_o is None else format_value(cd_o["redchi"]),
                "—" if al is None else (format_value(al["be_ev"], al["be_ev_err"]) if al["present"]
                                        else "no signal"),
                "; ".join(f"{x['ratio']} {format_value(x['value'], x['error'])}"
                          for x in r["atomic_ratios"]) or "—"])
        return [Table(["sample", "region", "component", "assignment", "BE / eV", "FWHM / eV",
                       "area / cps·eV", "area / %"], rows,
                      "Table S1: XPS components across samples (charge-corrected)"),
                Table(["sample", "charge shift / eV", "Cd 3d χ²ᵣ (core + surface)",
                       "Al 2s / eV", "atomic ratios"], summary,
                      "XPS across samples: charge shift, Cd–O criterion, Al 2s, ratios")]

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """No Cd–O component in Cd 3d (from the fit's χ²ᵣ), Al 2s present (or not) with its
        position, and the Al/Cd ratio."""
        r, name, aid = analysis["result"], analysis["sample"], analysis["id"]
        out = []
        cd_o = r.get("cd_o")
        if cd_o is not None and cd_o["no_cd_o"]:
            out.append(Statement(f"no Cd–O component in Cd 3d (sample {name}): core + surface "
                                 f"doublets alone give χ²ᵣ ≤ {cd_o['threshold']:g}",
                                 cd_o["redchi"], None, "", aid))
        elif cd_o is not None:
            out.append(Statement(f"Cd 3d of sample {name} not described by core + surface alone "
                                 f"(χ²ᵣ > {cd_o['threshold']:g}): a further component (Cd–O?) "
                                 "is not excluded", cd_o["redchi"], None, "", aid))
        al = r.get("al_2s")
        if al is not None and al["present"]:
            out.append(Statement(f"Al 2s present (sample {name}; area "
                                 f"{format_value(al['area'], al['area_err'])} cps·eV)",
                                 al["be_ev"], al["be_ev_err"], "eV", aid))
        elif al is not None:
            out.append(Statement(f"no Al 2s signal (sample {name}; {al['criterion']} not met): "
                                 "fitted area", al["area"], al["area_err"], "cps·eV", aid))
        for ratio in r["atomic_ratios"] if al is not None and al["present"] else ():
            if ratio["ratio"].startswith("Al"):
                out.append(Statement(f"{ratio['ratio']} atomic ratio (sample {name}; RSF "
                                     f"{', '.join(ratio['rsf_source'])})", ratio["value"],
                                     ratio["error"], "", aid))
        return out
