"""The HTML report: one self-contained page (figures inline as SVG data, no network), sections
by evidence, fit tables with uncertainties, overlays across samples, the mechanism summary and
the provenance of every input."""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

import jinja2
import numpy as np

from cald.project.analyses import SECTIONS, FigureOutput, load_kinds
from cald.spectrum import axis_key, unit_key

__all__ = ["render_report", "format_value"]


def format_value(value: Any, error: Any = None, unit: str = "") -> str:
    """``value ± error unit`` with the error to 2 significant digits and the value to match."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return f"{', '.join(format_value(v) for v in value)} {unit}".strip()
    v = float(value)
    if error is None or not np.isfinite(float(error)) or float(error) <= 0:
        text = f"{v:.4g}"
    else:
        e = float(error)
        exp = int(np.floor(np.log10(e))) - 1  # last kept decade: two significant digits
        e_rounded = round(e, -exp)
        if e_rounded >= 10 ** (exp + 2):  # rounding went up a decade (0.0996 → 0.10)
            exp += 1
            e_rounded = round(e, -exp)
        digits = max(0, -exp)
        text = f"{round(v, -exp):.{digits}f} ± {e_rounded:.{digits}f}"
    return f"{text} {unit}".strip()


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _respdor_tables(res: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, fit in res.get("models", {}).items():
        params = ", ".join(f"{k} = {format_value(p['value'], p['stderr'], p['unit'])}"
                           for k, p in fit["params"].items())
        rows.append({"model": name, "params": params, "redchi": format_value(fit["redchi"]),
                     "aic": format_value(fit["aic"]), "bic": format_value(fit["bic"])})
    return rows


def _key_numbers(kind: str, res: dict[str, Any]) -> list[tuple[str, str]]:
    if kind == "respdor":
        boot = res.get("bootstrap") or {}
        ci = res.get("d_hz_ci95") or [None, None]
        return [("D", format_value(res["d_hz"], res["d_hz_err"], "Hz")),
                ("r", format_value(res["r_angstrom"], res["r_angstrom_err"], "Å")),
                ("f", format_value(res["f"], res["f_err"])),
                ("D 95 % (profile)", f"{format_value(ci[0])} – {format_value(ci[1])} Hz"),
                ("D 95 % (bootstrap)", " – ".join(format_value(x) for x in boot["d_hz_ci95"]) + " Hz"
                 if boot.get("d_hz_ci95") else "—"),
                ("χ²ᵣ", format_value(res["redchi"])),
                ("σ", res["sigma_source"]), ("preferred model (BIC)", res["preferred_model"])]
    if kind == "dnp":
        return [("ε", format_value(res["enhancement"], res["enhancement_err"])),
                ("NS on/off", f"{res['ns_on']} / {res['ns_off']}"),
                ("RG on/off", f"{res['rg_on']:g} / {res['rg_off']:g}")]
    if kind == "peaks":
        center, fwhm = axis_key("center", res["unit"]), axis_key("fwhm", res["unit"])
        return [(str(pk.get("label", f"peak {i + 1}")),
                 f"{format_value(pk[center], pk[f'{center}_err'])}; FWHM "
                 f"{format_value(pk[fwhm], pk[f'{fwhm}_err'])}; fraction "
                 f"{format_value(pk['fraction'], pk['fraction_err'])}")
                for i, pk in enumerate(res["peaks"])] + [("χ²ᵣ", format_value(res["redchi"]))]
    if kind in ("quad", "csa"):
        rows = []
        for site in res["sites"]:
            label = str(site.get("label") or f"{site['iso_ppm']:.0f} ppm")
            text = f"δiso {format_value(site['iso_ppm'], site.get('iso_ppm_err'), 'ppm')}"
            if kind == "csa":
                text += (f"; ζ {format_value(site['zeta_ppm'], site.get('zeta_ppm_err'), 'ppm')}; "
                         f"η {format_value(site['eta'], site.get('eta_err'))}; "
                         f"Ω {format_value(site['omega_ppm'], site.get('omega_ppm_err'), 'ppm')}; "
                         f"κ {format_value(site['kappa'], site.get('kappa_err'))}")
            else:
                text += f"; σ {format_value(site['sigma_mhz'], site.get('sigma_mhz_err'), 'MHz')}"
            text += f"; fraction {format_value(site['fraction'], site.get('fraction_err'))}"
            rows.append((label, text))
        return rows + ([("χ²ᵣ", format_value(res["redchi"]))] if "redchi" in res else [])
    if kind == "nmr":
        return [("nucleus", str(res["nucleus"])), ("SF", format_value(res["sf_mhz"], None, "MHz")),
                ("peaks", ", ".join(f"{p[unit_key(res['unit'])]:.1f}" for p in res["peaks"][:8]))]
    return [(k, format_value(v)) for k, v in res.items() if isinstance(v, (int, float, str))][:10]


def _overlays(results: dict[str, Any]) -> list[dict[str, Any]]:
    from cald.project.analyses import figure_output
    from cald.project.report.figures import overlay_figure

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in results["analyses"]:
        res = a.get("result") or {}
        if a["status"] == "ok" and res.get("overlay") and res.get("spectrum"):
            groups[res["overlay"]].append(a)
    cycles = {s["name"]: s["cycles"] for s in results["samples"]}
    out = []
    for group, members in groups.items():
        members.sort(key=lambda a: cycles.get(a["sample"], 0))
        traces = [(f"{a['sample']} (n = {cycles.get(a['sample'], '?')})",
                   np.asarray(a["result"]["spectrum"]["axis"]),
                   np.asarray(a["result"]["spectrum"]["values"])) for a in members]
        norm = members[0]["result"].get("normalisation")
        how = ("normalised to the tallest point of "
               f"{norm['region'][0]:g}–{norm['region'][1]:g} ppm" if norm else "not normalised")
        res0 = members[0]["result"]
        fig = figure_output(f"overlay_{group}", f"{group}: {how}.",
                            overlay_figure(traces, res0.get("unit", "ppm"), res0.get("nucleus"),
                                           group))
        out.append({"title": group, "caption": fig.caption, "uri": _data_uri(fig.svg)})
    return out


def _site_tables(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Tables across samples: CSA sites in the layout of the study's Table S2 (δiso, δ11–δ33,
    Ω, κ, ζ, η, fraction) and Czjzek sites (δiso, σ, ⟨C_Q⟩, fraction), ordered by c-ALD cycles."""
    cycles = {s["name"]: s["cycles"] for s in results["samples"]}
    done = sorted((a for a in results["analyses"] if a["status"] == "ok"),
                  key=lambda a: (cycles.get(a["sample"], 0), a["id"]))
    tables = []
    csa_rows = [[f"{a['sample']} (n = {cycles.get(a['sample'], '?')})",
                 format_value(s["iso_ppm"], s.get("iso_ppm_err")),
                 *(format_value(s[k]) for k in ("delta_11_ppm", "delta_22_ppm", "delta_33_ppm")),
                 format_value(s["omega_ppm"], s.get("omega_ppm_err")),
                 format_value(s["kappa"], s.get("kappa_err")),
                 format_value(s["zeta_ppm"], s.get("zeta_ppm_err")),
                 format_value(s["eta"], s.get("eta_err")),
                 format_value(s["fraction"], s.get("fraction_err"))]
                for a in done if a["kind"] == "csa" for s in a["result"]["sites"]]
    if csa_rows:
        tables.append({"title": "CSA parameters across samples (layout of Table S2)",
                       "header": ["sample", "δiso / ppm", "δ11 / ppm", "δ22 / ppm", "δ33 / ppm",
                                  "Ω / ppm", "κ", "ζ / ppm", "η", "fraction"],
                       "rows": csa_rows})
    quad_rows = [[f"{a['sample']} (n = {cycles.get(a['sample'], '?')})", str(s["label"]),
                  format_value(s["iso_ppm"], s.get("iso_ppm_err")),
                  format_value(s["sigma_mhz"], s.get("sigma_mhz_err")),
                  format_value(s.get("cq_mean_mhz")),
                  format_value(s["fraction"], s.get("fraction_err"))]
                 for a in done if a["kind"] == "quad" for s in a["result"]["sites"]]
    if quad_rows:
        tables.append({"title": "Quadrupolar (Czjzek) sites across samples — CP intensities are "
                                "not quantitative",
                       "header": ["sample", "site", "δiso / ppm", "σ (Czjzek) / MHz",
                                  "⟨C_Q⟩ / MHz", "fraction"],
                       "rows": quad_rows})
    return tables


_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("cald.project.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def render_report(results: dict[str, Any], figures: dict[str, list[FigureOutput]]) -> str:
    """The report page for a results document and the analyses' rendered figures."""
    kinds = load_kinds()
    sections = []
    for key, heading in SECTIONS.items():
        cards = []
        for a in results["analyses"]:
            kind = kinds.get(a["kind"])
            if kind is None or kind.section != key:
                continue
            res = a.get("result") or {}
            cards.append({
                "id": a["id"], "title": kind.title, "sample": a["sample"], "status": a["status"],
                "error": a["error"], "summary": a.get("summary") or "", "cached": a["cached"],
                "numbers": _key_numbers(a["kind"], res) if a["status"] == "ok" else [],
                "models": _respdor_tables(res) if a["kind"] == "respdor" and res else [],
                "figures": [{"caption": f.caption, "uri": _data_uri(f.svg), "svg": meta["svg"],
                             "png": meta["png"]}
                            for f, meta in zip(figures.get(a["id"], []), a["figures"], strict=True)],
                "inputs": a["inputs"],
            })
        overlays = _overlays(results) if key == "ssnmr" else []
        tables = _site_tables(results) if key == "ssnmr" else []
        sections.append({"key": key, "heading": heading, "cards": cards, "overlays": overlays,
                         "tables": tables})
    mechanism = [{"text": m["text"], "value": format_value(m["value"], m["error"], m["unit"]),
                  "analysis": m["analysis"]} for m in results["mechanism"]]
    return _TEMPLATE.get_template("report.html.j2").render(
        results=results, sections=sections, mechanism=mechanism,
        project=results["project"], versions=results["versions"])
