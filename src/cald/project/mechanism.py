"""The mechanism summary: statements about the surface chemistry computed from the results.

Every number here comes from an analysis result (and the sample table), never from the
reference study; the study's values appear only as the comparison the reader may make.
"""

from __future__ import annotations

from typing import Any

__all__ = ["mechanism_summary"]


def _sample(results: dict[str, Any], name: str | None) -> dict[str, Any]:
    return next((s for s in results["samples"] if s["name"] == name), {})


def mechanism_summary(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements ``{text, value, error, unit, analysis}`` derived from the results."""
    out: list[dict[str, Any]] = []
    for a in results["analyses"]:
        res = a.get("result")
        if a["status"] != "ok" or res is None:
            continue
        if a["kind"] == "respdor":
            pair = res.get("pair") or f"spin {res.get('spin')}"
            observed, dephasing = (pair.split("-") + [""])[:2]
            out.append({"text": f"Fraction of {observed} sites dephased by {dephasing} "
                                f"(sample {a['sample']}); a lower bound of the fraction bonded if "
                                "the saturation is incomplete",
                        "value": res["f"], "error": res["f_err"], "unit": "", "analysis": a["id"]})
            if res.get("r_angstrom") is not None:
                out.append({"text": f"{observed}–{dephasing} distance from the dipolar coupling "
                                    f"D = {res['d_hz']:.0f} Hz",
                            "value": res["r_angstrom"], "error": res["r_angstrom_err"],
                            "unit": "Å", "analysis": a["id"]})
            sample = _sample(results, a["sample"])
            ligands = sample.get("ligands_per_qd")
            if ligands:
                bound = res["f"] * ligands
                err = None if res["f_err"] is None else res["f_err"] * ligands
                text = (f"Ligands per QD bonded to {dephasing} (f × {ligands:g} ligands per QD)")
                tma = sample.get("tma_per_qd")
                if tma:
                    cycles = max(int(sample.get("cycles", 1)), 1)
                    text += f"; {tma:g} TMA per QD per cycle were added ({cycles} cycle(s))"
                out.append({"text": text, "value": bound, "error": err, "unit": "per QD",
                            "analysis": a["id"]})
        elif a["kind"] == "dnp":
            out.append({"text": f"DNP enhancement (sample {a['sample']}, "
                                f"{res['region_ppm'][0]:g}–{res['region_ppm'][1]:g} ppm)",
                        "value": res["enhancement"], "error": res["enhancement_err"], "unit": "",
                        "analysis": a["id"]})
    return out
