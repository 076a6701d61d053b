"""Read a run's results.json back into result objects: :func:`load_results` (``cald.load_results``).

Each analysis comes back as the result object its kind computed, rebuilt by the kind's
:meth:`~cald.project.analyses.AnalysisKind.result_from_dict` (e.g. a
:class:`~cald.recoupling.fit.RespdorResult`, whose ``to_dict()`` equals the stored entry, with
``_repr_html_`` and ``plot()``), or, for kinds whose result is not one object whose ``to_dict``
covers it (a line-shape fit keeps its numbers in results.json, not its arrays; an XPS analysis
is several region fits) and for failed analyses, as a :class:`StoredResult`: the entry itself,
shown the same way in a notebook (its ``plot()`` draws the spectrum the entry keeps for the
report, when it has one).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.fitting.display import Display, ResultDisplay
from cald.spectrum import AXIS_UNITS, Spectrum

__all__ = ["StoredResult", "load_results"]

RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class StoredResult(ResultDisplay):
    """One analysis as results.json holds it (its ``result`` dict, or the ``error`` of a failed
    one); ``to_dict()`` is the stored ``result``."""

    id: str
    kind: str
    sample: str | None
    status: str
    result: dict[str, Any]
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The stored result (empty for a failed analysis)."""
        return self.result

    def curves(self) -> dict[str, Spectrum]:
        """The spectrum the entry keeps for the report (``spectrum``: decimated and normalised
        as the report's overlays; ``normalised_spectrum`` of FTIR in cm⁻¹), as ``data``; none
        when the entry has no spectrum or its axis unit is unknown."""
        for key, default in (("spectrum", "ppm" if self.result.get("nucleus") else None),
                             ("normalised_spectrum", "cm-1")):
            stored = self.result.get(key)
            unit = self.result.get("unit") or default
            if isinstance(stored, dict) and unit in AXIS_UNITS:
                return {"data": Spectrum(np.asarray(stored["values"], dtype=float),
                                         np.asarray(stored["axis"], dtype=float), unit,
                                         self.result.get("nucleus"), history=(key,))}
        return {}

    def display(self) -> Display:
        """The stored result's table, titled by kind and id; a failed analysis shows its error."""
        shown = Display.from_dict(f"{self.kind} analysis {self.id} ({self.status})", self.result)
        if self.error:
            shown.notes.insert(0, f"error: {self.error}")
        return shown


def load_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The analyses of a ``cald run`` (or ``cald demo``) output, by id, as result objects.

    Parameters
    ----------
    path
        The run's output folder or its ``results.json``.

    Returns
    -------
    dict
        Analysis id → the kind's result object rebuilt from its entry (RESPDOR, DNP, UV-vis
        sizing, titration) or a :class:`StoredResult`; every value has ``to_dict()`` (equal to
        the stored entry, or to its keys for kinds that store extras beside the result) and
        ``_repr_html_``.

    Raises
    ------
    DataFileError
        When the file is missing, not JSON or not a cald results file.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> entry = {"id": "dnp-1", "kind": "dnp", "sample": None, "status": "ok", "error": None,
    ...          "result": {"enhancement": 12.0, "enhancement_err": 0.5,
    ...                     "region_ppm": [200.0, 100.0], "integral_on": 12.0,
    ...                     "integral_off": 1.0, "integral_on_err": 0.1, "integral_off_err": 0.1,
    ...                     "ns_on": 8, "ns_off": 8, "rg_on": 101.0, "rg_off": 101.0,
    ...                     "phc0": 0.0, "phc1": 0.0, "on": "on", "off": "off"}}
    >>> _ = (folder / "results.json").write_text(json.dumps({"schema_version": 1,
    ...                                                       "analyses": [entry]}))
    >>> loaded = load_results(folder)
    >>> type(loaded["dnp-1"]).__name__, loaded["dnp-1"].enhancement
    ('DnpEnhancement', 12.0)
    """
    from cald.project.analyses import load_kinds

    file = Path(path)
    if file.is_dir():
        file = file / RESULTS_FILE
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError("no results.json here (give a cald run output folder or its "
                            "results.json)", file) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"not a readable JSON file ({exc})", file) from None
    if not isinstance(data, dict) or not isinstance(data.get("analyses"), list):
        raise DataFileError("not a cald results file (no 'analyses' list)", file)
    kinds = load_kinds()
    out: dict[str, Any] = {}
    for i, a in enumerate(data["analyses"]):
        try:
            aid, kind, status = a["id"], a["kind"], a["status"]
            result = a.get("result") or {}
            obj = None
            if status == "ok" and kind in kinds:
                obj = kinds[kind].result_from_dict(result)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataFileError(f"analyses[{i}]: entry does not match its kind's result "
                                f"({type(exc).__name__}: {exc})", file) from None
        out[aid] = obj if obj is not None else StoredResult(aid, kind, a.get("sample"), status,
                                                            result, a.get("error"))
    return out
