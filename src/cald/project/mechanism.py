"""The mechanism summary: statements about the surface chemistry computed from the results.

Every number here comes from an analysis result (and the sample table), never from the
reference study; the study's values appear only as the comparison the reader may make. Each kind
states its own (:meth:`cald.project.analyses.AnalysisKind.mechanism`).
"""

from __future__ import annotations

from typing import Any

from cald.project.analyses import load_kinds

__all__ = ["mechanism_summary"]


def mechanism_summary(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Statements ``{text, value, error, unit, analysis}`` derived from the results."""
    kinds = load_kinds()
    samples = {s["name"]: s for s in results["samples"]}
    return [statement.to_dict() for a in results["analyses"]
            if a["status"] == "ok" and a.get("result") is not None and a["kind"] in kinds
            for statement in kinds[a["kind"]].mechanism(a, samples.get(a["sample"], {}))]
