"""The HTML report: one self-contained page (figures inline as SVG data, no network), sections
by evidence, fit tables with uncertainties, overlays across samples, the mechanism summary and
the provenance of every input."""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

import jinja2
import numpy as np

from cald.project.analyses import (
    SECTIONS,
    AnalysisKind,
    FigureOutput,
    collect_predictions,
    load_kinds,
)
from cald.project.formatting import format_value, sample_label

__all__ = ["render_report"]


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _overlays(results: dict[str, Any], kinds: dict[str, AnalysisKind],
              section: str) -> list[dict[str, Any]]:
    """Overlay figures across samples of the spectra that analyses of this section's kinds put
    into named groups (``result["overlay"]``, see :func:`cald.project.analyses.overlay_data`)."""
    from cald.figures import overlay_figure
    from cald.project.analyses import figure_output

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in results["analyses"]:
        res = a.get("result") or {}
        if a["status"] == "ok" and res.get("overlay") and res.get("spectrum"):
            groups[res["overlay"]].append(a)
    groups = {g: members for g, members in groups.items()
              if getattr(kinds.get(members[0]["kind"]), "section", None) == section}
    cycles = {s["name"]: s["cycles"] for s in results["samples"]}
    out = []
    for group, members in groups.items():
        members.sort(key=lambda a: cycles.get(a["sample"], 0))
        traces = [(sample_label(a["sample"], cycles),
                   np.asarray(a["result"]["spectrum"]["axis"]),
                   np.asarray(a["result"]["spectrum"]["values"])) for a in members]
        res0 = members[0]["result"]
        norm = res0.get("normalisation")
        how = ("normalised to the tallest point of "
               f"{norm['region'][0]:g}–{norm['region'][1]:g} {res0.get('unit', 'ppm')}"
               if norm else "not normalised")
        fig = figure_output(f"overlay_{group}", f"{group}: {how}.",
                            overlay_figure(traces, res0.get("unit", "ppm"), res0.get("nucleus"),
                                           group))
        out.append({"title": group, "caption": fig.caption, "uri": _data_uri(fig.svg)})
    return out


def _across(results: dict[str, Any], kinds: dict[str, AnalysisKind], section: str,
            method: str) -> list[Any]:
    """Each kind's ``tables`` or ``figures`` across its successful analyses (ordered by c-ALD
    cycles, then id); figures with the curves every analysis predicts
    (:meth:`AnalysisKind.figures_with_predictions`)."""
    cycles = {s["name"]: s["cycles"] for s in results["samples"]}
    done = sorted((a for a in results["analyses"] if a["status"] == "ok"),
                  key=lambda a: (cycles.get(a["sample"], 0), a["id"]))
    predictions = collect_predictions(done) if method == "figures" else []
    out: list[Any] = []
    for name, kind in kinds.items():
        if kind.section != section:
            continue
        mine = [a for a in done if a["kind"] == name]
        out += (kind.figures_with_predictions(mine, cycles, predictions) if method == "figures"
                else kind.tables(mine, cycles))
    return out


def _plan_section(plans: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The c-ALD plan of each sample (:mod:`cald.project.synthesis`) as table rows, with the
    timeline of the sample with the most cycles."""
    from cald.figures import plan_timeline_figure
    from cald.project.analyses import figure_output
    from cald.qd.protocol import CaldPlan

    if not plans:
        return None

    def fraction(p: dict[str, Any]) -> str:
        f = p["oleate_fraction_per_cycle"]
        return "—" if f is None else f"{100 * f:.3g} %"

    rows = [[p["sample"], str(p["cycles"]), f"{p['tma_per_qd']:g}",
             f"{p['tma_volume_ml_per_cycle']:.4g}", f"{p['tma_addition_min']:.4g}",
             f"{p['total_tma_mol'] * 1e6:.4g}", f"{p['total_tma_volume_ml']:.4g}",
             f"{p['total_duration_min']:.4g}", fraction(p)] for p in plans]
    longest = max(plans, key=lambda p: p["cycles"])
    fig = figure_output("plan", f"c-ALD schedule of {longest['sample']} "
                        f"({longest['cycles']} cycles).",
                        plan_timeline_figure(CaldPlan.from_dict(longest)))
    return {"header": ["sample", "cycles", "TMA per QD per cycle", "TMA solution per cycle / mL",
                       "addition / min", "total TMA / µmol", "total TMA solution / mL",
                       "planned time / min", "oleates addressed per cycle"],
            "rows": rows, "caption": fig.caption, "uri": _data_uri(fig.svg),
            "remarks": sorted({f"{kind}: {text}" for p in plans
                               for kind, texts in (("warning", p["warnings"]), ("note", p["notes"]))
                               for text in texts})}


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
                "numbers": kind.key_numbers(res) if a["status"] == "ok" else [],
                "tables": kind.card_tables(res) if a["status"] == "ok" else [],
                "fragment": _TEMPLATE.from_string(kind.card_template)
                if a["status"] == "ok" and kind.card_template else None,
                "result": res,
                "figures": [{"caption": f.caption, "uri": _data_uri(f.svg), "svg": meta["svg"],
                             "png": meta["png"]}
                            for f, meta in zip(figures.get(a["id"], []), a["figures"], strict=True)],
                "inputs": a["inputs"],
            })
        overlays = _overlays(results, kinds, key) + [
            {"title": f.name, "caption": f.caption, "uri": _data_uri(f.svg)}
            for f in _across(results, kinds, key, "figures")]
        tables = _across(results, kinds, key, "tables")
        sections.append({"key": key, "heading": heading, "cards": cards, "overlays": overlays,
                         "tables": tables})
    mechanism = [{"text": m["text"], "value": format_value(m["value"], m["error"], m["unit"]),
                  "analysis": m["analysis"]} for m in results["mechanism"]]
    return _TEMPLATE.get_template("report.html.j2").render(
        results=results, sections=sections, mechanism=mechanism,
        plan=_plan_section(results.get("plan", [])),
        project=results["project"], versions=results["versions"])
