"""Analysis kinds: one module per kind in this package registers itself with :func:`register`.

Neither the pipeline nor the report changes to add a kind: :func:`load_kinds` imports every
module here, and a kind declares what it needs (data-set kinds and count), its parameters (the
options model of its operation, :mod:`cald.options`, shared with the command line), its report
section, how it runs, and how it presents itself. A kind's ``run`` is pure with respect to the
project: it reads its input paths and returns an :class:`AnalysisOutput` (result dict with the
keys of the matching CLI command's JSON, figures, extra files, a one-line summary). Its
presentation methods read only results (the ``analyses`` entries of results.json), so a report
can be rendered again from results.json alone:

- :meth:`AnalysisKind.key_numbers`: label → formatted value rows of the analysis' card;
- :meth:`AnalysisKind.card_tables`: further tables of the card (e.g. a model comparison);
- :meth:`AnalysisKind.tables`: tables across the project's analyses of the kind (e.g. one row per
  site and sample);
- :meth:`AnalysisKind.figures`: figures across the project's analyses of the kind (e.g. a size
  against c-ALD cycles);
- :meth:`AnalysisKind.figures_with_predictions`: the same with the curves that other analyses
  predict for a measurement (see below); by default :meth:`AnalysisKind.figures`;
- :meth:`AnalysisKind.mechanism`: statements about the surface chemistry with their values;
- :attr:`AnalysisKind.card_template`: an optional jinja2 fragment (its source, e.g. read from a
  ``.j2`` file beside the kind's module) rendered into the card with ``result`` and ``card``
  (id, sample, summary), for markup that key numbers and tables do not cover.

Spectra that a kind puts into ``overlay`` groups (:func:`overlay_data`) are drawn across samples
by the report without the kind's help.

Predicted curves: a kind whose result predicts what another kind measures (e.g. an atomistic
model's RESPDOR curve) publishes the curves under the result key :data:`PREDICTIONS`, each made
by :func:`predicted_curve` (an *observable*: a dict naming the experiment and the labels a
measurement must share, e.g. ``{"experiment": "respdor", "pair": "13C-27Al", "kappa": 1.0}``; a
label; ``x`` and ``y``, whose meaning and units the experiment fixes). The report collects them
from every successful analysis (:func:`collect_predictions`) and hands them to each kind's
:meth:`AnalysisKind.figures_with_predictions`, where the measuring kind draws those whose
observable matches its own measurement (:meth:`PredictedCurve.matches`). Neither kind imports the
other, and the report core names neither.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from cald.errors import InputError
from cald.options import Options, Region, describe_validation_error
from cald.project.formatting import format_value

__all__ = ["PREDICTIONS", "SECTIONS", "AnalysisKind", "AnalysisOutput", "FigureOutput",
           "MissingParameter", "OverlayParameters", "PredictedCurve", "Statement", "Table",
           "collect_predictions", "figure_output", "overlay_data", "predicted_curve", "register",
           "load_kinds", "get_kind", "REGISTRY"]

#: Report sections, in order: key → heading.
SECTIONS: dict[str, str] = {
    "optical": "Optical spectroscopy",
    "solution": "Solution NMR",
    "surface": "Surface: XPS and FTIR",
    "ssnmr": "Solid-state NMR (113Cd, 27Al, 13C) and DNP",
    "respdor": "Heteronuclear distances: RESPDOR",
    "models": "Atomistic models",
}


@dataclass(frozen=True)
class FigureOutput:
    """A figure rendered as SVG (inline in the report) and PNG (separate file)."""

    name: str
    caption: str
    svg: bytes
    png: bytes


@dataclass(frozen=True)
class AnalysisOutput:
    """What an analysis returns: its result (JSON-ready), figures, extra files and a summary."""

    result: dict[str, Any]
    figures: list[FigureOutput] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True)
class Table:
    """A table of formatted cells (``title`` is shown above tables across analyses)."""

    header: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass(frozen=True)
class Statement:
    """A mechanism statement: text, value with its error and unit, and the analysis it comes
    from (stored in results.json as a dict, see :meth:`to_dict`)."""

    text: str
    value: Any
    error: Any
    unit: str
    analysis: str

    def to_dict(self) -> dict[str, Any]:
        """``{text, value, error, unit, analysis}``."""
        return {"text": self.text, "value": self.value, "error": self.error, "unit": self.unit,
                "analysis": self.analysis}


#: Result key of the curves an analysis predicts for measurements of other kinds (a list of
#: :func:`predicted_curve` entries).
PREDICTIONS = "predicted_curves"


def predicted_curve(observable: dict[str, Any], label: str, x: Any, y: Any) -> dict[str, Any]:
    """One entry of a result's :data:`PREDICTIONS` list (JSON-ready).

    Parameters
    ----------
    observable
        What is predicted: ``experiment`` (e.g. ``"respdor"``: ``x`` the recoupling time in ms,
        ``y`` ΔS/S0 of the dephased sites, i.e. for f = 1) and the labels a measurement must
        share to be compared (e.g. ``pair`` and ``kappa``).
    label
        What the curve is, for a legend (e.g. ``closest C, two-spin, r = 2.87 Å``).
    x, y
        The curve, in the units the experiment fixes.
    """
    return {"observable": dict(observable), "label": label,
            "x": [float(v) for v in x], "y": [float(v) for v in y]}


@dataclass(frozen=True)
class PredictedCurve:
    """A curve predicted by analysis ``analysis`` (of sample ``sample``), as collected by
    :func:`collect_predictions` from the results (fields as in :func:`predicted_curve`)."""

    analysis: str
    sample: str | None
    observable: dict[str, Any]
    label: str
    x: list[float]
    y: list[float]

    def matches(self, **labels: Any) -> bool:
        """True when the observable has every given label with an equal value (numbers within a
        relative 1e-9), e.g. ``matches(experiment="respdor", pair="13C-27Al", kappa=1.0)``."""
        def same(a: Any, b: Any) -> bool:
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                return math.isclose(a, b, rel_tol=1e-9)
            return bool(a == b)

        return all(k in self.observable and same(self.observable[k], v) for k, v in labels.items())


def collect_predictions(analyses: list[dict[str, Any]]) -> list[PredictedCurve]:
    """The predicted curves of the successful analyses (results.json entries), in their order."""
    return [PredictedCurve(a["id"], a.get("sample"), c["observable"], c["label"], c["x"], c["y"])
            for a in analyses if a["status"] == "ok"
            for c in (a.get("result") or {}).get(PREDICTIONS) or []]


class MissingParameter(ValueError):
    """A parameter the analysis needs for its kind of input: ``MissingParameter(name, why)``."""


class AnalysisKind(ABC):
    """One kind of analysis: what it reads, its parameters, how it runs and how it is shown."""

    name: ClassVar[str]
    title: ClassVar[str]
    section: ClassVar[str]
    input_kinds: ClassVar[tuple[str, ...]]
    n_inputs: ClassVar[tuple[int, int]] = (1, 1)
    Parameters: ClassVar[type[Options]]
    card_template: ClassVar[str | None] = None

    def parse_parameters(self, parameters: dict[str, Any], where: str, source: Path) -> Options:
        """Validate an analysis' parameters; errors name the field (``where.parameters.x``)."""
        try:
            return self.Parameters.model_validate(parameters)
        except ValidationError as exc:
            field, msg = describe_validation_error(exc, self.Parameters, str)
        raise InputError(f"{where}.parameters{'' if field is None else '.' + field}: {msg}", source)

    def check_inputs(self, input_kinds: list[str], params: Any) -> None:
        """Checks of the parameters that depend on the kinds of the inputs (``bruker``, ``csv``
        …), run while the project is planned, before any work: raise
        ``MissingParameter(name, why)``. By default nothing to check."""
        return None

    @abstractmethod
    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        """Run on the input paths with validated parameters; ``sample`` is the sample's table."""

    def result_from_dict(self, result: dict[str, Any]) -> Any:
        """The result object of a successful analysis rebuilt from its results.json entry (the
        class's ``from_dict``), for :func:`cald.project.results.load_results`; ``None`` (the
        default) when the kind's result is not one object whose ``to_dict`` covers it (the
        loader then returns the entry itself, shown the same way)."""
        return None

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, formatted value) rows of a successful analysis' card; by default its first
        ten scalar entries."""
        return [(k, format_value(v)) for k, v in result.items()
                if isinstance(v, (int, float, str))][:10]

    def card_tables(self, result: dict[str, Any]) -> list[Table]:
        """Further tables of a successful analysis' card (none by default)."""
        return []

    def tables(self, analyses: list[dict[str, Any]], cycles: dict[str | None, Any]) -> list[Table]:
        """Tables across the successful analyses of this kind (results.json entries, ordered by
        c-ALD cycles, then id); ``cycles`` maps sample name → cycles. None by default."""
        return []

    def figures(self, analyses: list[dict[str, Any]],
                cycles: dict[str | None, Any]) -> list[FigureOutput]:
        """Figures across the successful analyses of this kind (same order and arguments as
        :meth:`tables`), drawn from results only, e.g. a hydrodynamic diameter against c-ALD
        cycles. None by default."""
        return []

    def figures_with_predictions(self, analyses: list[dict[str, Any]],
                                 cycles: dict[str | None, Any],
                                 predictions: list[PredictedCurve]) -> list[FigureOutput]:
        """Figures across the successful analyses of this kind (as :meth:`figures`) with the
        curves that the project's analyses predict (:func:`collect_predictions`, all kinds); a
        measuring kind overrides it to draw the predictions of its observables beside its
        data. By default :meth:`figures`, the predictions unused; the report calls this."""
        return self.figures(analyses, cycles)

    def mechanism(self, analysis: dict[str, Any], sample: dict[str, Any]) -> list[Statement]:
        """Mechanism statements from a successful analysis (results.json entry) and its sample's
        table (empty when the analysis has none). None by default."""
        return []


class OverlayParameters(Options):
    """Parameters every spectrum-producing kind accepts: put the spectrum into the report's
    overlay ``overlay`` (one figure per name, across samples), scaled so that its tallest point
    in ``normalise_region`` is 1 (e.g. the 113Cd core at −50 ppm, 27Al Al(IV), 13C alkene)."""

    overlay: str | None = None
    normalise_region: Region | None = None


def overlay_data(axis: Any, values: Any, params: OverlayParameters,
                 max_points: int = 2000) -> dict[str, Any]:
    """Result entries ``overlay``, ``normalisation`` and a decimated, normalised ``spectrum``."""
    import numpy as np

    x = np.asarray(axis, dtype=float)
    y = np.real(np.asarray(values))
    norm = None
    if params.normalise_region is not None:
        lo, hi = sorted(params.normalise_region)
        mask = (x >= lo) & (x <= hi)
        if not mask.any():
            raise ValueError(f"normalise_region {params.normalise_region} lies outside the spectrum")
        norm = float(np.max(y[mask]))
    step = max(1, x.size // max_points)
    return {"overlay": params.overlay,
            "normalisation": None if norm is None else {"region": list(params.normalise_region or ()),
                                                        "height": norm},
            "spectrum": {"axis": x[::step].tolist(), "values": (y[::step] / (norm or 1.0)).tolist()}}


def figure_output(name: str, caption: str, fig: Any) -> FigureOutput:
    """Render a matplotlib figure into a :class:`FigureOutput` (SVG and PNG)."""
    from cald.figures import render_figure

    return FigureOutput(name, caption, render_figure(fig, "svg"), render_figure(fig, "png"))


REGISTRY: dict[str, AnalysisKind] = {}


def register(cls: type[AnalysisKind]) -> type[AnalysisKind]:
    """Class decorator: make a kind available to projects under ``cls.name``."""
    if cls.section not in SECTIONS:
        raise ValueError(f"kind {cls.name!r}: unknown report section {cls.section!r}")
    REGISTRY[cls.name] = cls()
    return cls


def load_kinds() -> dict[str, AnalysisKind]:
    """Import every kind module of this package (each registers itself)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


def get_kind(name: str) -> AnalysisKind:
    """Kind by name (after :func:`load_kinds`)."""
    return load_kinds()[name]
