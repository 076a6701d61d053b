"""How a result shows itself in a notebook: :class:`ResultDisplay`, the base of every result.

Every result class (the fit families' :class:`~cald.fitting.FitResult` and the results that are
not one fit, e.g. a RESPDOR curve with its models, a DOSY size, an FTIR binding mode) derives
from :class:`ResultDisplay` and gets, without code of its own:

* ``_repr_html_``: Jupyter's rich display, a table of the parameters with value ± error and
  unit (and the note saying why an error is missing), tables of the per-peak / per-site
  entries, the fit statistics and the notes, all read from the result's ``to_dict()``
  (:meth:`Display.from_dict`); every text is HTML-escaped;
* ``plot(ax=None)``: the curves of :meth:`ResultDisplay.curves` (data, fit, components) drawn on
  one matplotlib ``Axes``.

A result whose presentation is special overrides one small hook: :meth:`ResultDisplay.display`
(what the tables show) or :meth:`ResultDisplay.curves` (what ``plot`` draws).

The rules of :meth:`Display.from_dict`: an entry ``x`` with an entry ``x_err`` is one row
``x = value ± error``; the unit is that of an :class:`~cald.fitting.Estimate` dictionary
(``{"value", "stderr", "unit", "note"}``, e.g. under ``params``) or read from the key's unit
suffix (``_hz``, ``_ppm``, ``_angstrom``, ``_nm``, ``_per_cm`` …); nested dictionaries are
shown one level deep (``carboxylate.delta``); a short list of numbers (a region, an
interval) is one row; a list of dictionaries is a table of its own
(``peaks``, ``sites``, ``components``); the statistics keys of
:class:`~cald.fitting.FitStatistics` form the statistics table.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cald.spectrum import Spectrum

__all__ = ["Display", "ResultDisplay", "key_unit"]

#: Keys of the statistics table (as in :meth:`cald.fitting.statistics.FitStatistics.to_dict`).
STATISTICS_KEYS = ("chisqr", "redchi", "residual_std", "aic", "aicc", "bic", "n_points",
                   "n_varys", "sigma_known", "sigma_source", "success", "message")

#: Lists of numbers up to this length (a region, an interval) are shown as one row.
_SHORT_LIST = 4

#: Unit suffixes of result keys → unit shown (longest first where suffixes overlap).
_UNIT_SUFFIXES = (("_m2_per_s", "m²/s"), ("_m2_s", "m²/s"), ("_per_nm2", "nm⁻²"),
                  ("_per_cm", "cm⁻¹"), ("_cm1", "cm⁻¹"), ("_angstrom", "Å"), ("_ppm", "ppm"),
                  ("_mhz", "MHz"), ("_khz", "kHz"), ("_hz", "Hz"), ("_ev", "eV"), ("_nm", "nm"),
                  ("_um", "µM"), ("_ms", "ms"), ("_us", "µs"), ("_s", "s"), ("_deg", "°"),
                  ("_k", "K"), ("_mpa_s", "mPa s"))


def key_unit(key: str) -> str:
    """The unit a result key names by its suffix (``"d_hz"`` → ``"Hz"``, ``"f"`` → ``""``)."""
    for suffix, unit in sorted(_UNIT_SUFFIXES, key=lambda s: -len(s[0])):
        if key.endswith(suffix):
            return unit
    return ""


def _number(value: Any, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}g}" if math.isfinite(value) else str(value)


def _pair(value: Any, error: Any) -> tuple[str, str]:
    """Value and error as text: the error to 2 significant digits and the value to the same
    decimal place (``490.871, 12.97`` → ``491``, ``13``); plain numbers (6 digits) without an
    error, and in exponent form outside 10⁻³ … 10⁶."""
    if (isinstance(error, (int, float)) and not isinstance(error, bool) and math.isfinite(error)
            and error > 0 and isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and 1e-3 <= max(abs(value), error) < 1e6):
        decimals = max(0, 1 - math.floor(math.log10(error)))
        return f"{value:.{decimals}f}", f"{error:.{decimals}f}"
    return _number(value, 6), _number(error, 2)


@dataclass(frozen=True)
class Row:
    """One parameter: name, value, error (``None`` when there is none), unit and note."""

    name: str
    value: Any
    error: Any = None
    unit: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Display:
    """What a result shows: a title, parameter rows, further tables (title → rows of cells),
    statistics and notes."""

    title: str
    rows: list[Row] = field(default_factory=list)
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    statistics: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, title: str, d: Mapping[str, Any]) -> Display:
        """The display of a result's ``to_dict()`` (rules in the module docstring)."""
        out = cls(title)
        out._add(d, "", depth=0)
        return out

    def _add(self, d: Mapping[str, Any], prefix: str, depth: int) -> None:
        for key, value in d.items():
            name = f"{prefix}{key}"
            if key.endswith("_err") and key[:-4] in d:
                continue
            if key == "notes" and isinstance(value, list):
                self.notes.extend(f"{prefix}{n}" for n in value)
            elif key == "params" and isinstance(value, Mapping):
                self.rows.extend(_estimate_row(f"{prefix}{k}", v) for k, v in value.items()
                                 if isinstance(v, Mapping))
            elif depth == 0 and key in STATISTICS_KEYS:
                self.statistics.append(Row(key, value))
            elif isinstance(value, Mapping) and {"value", "stderr"} <= set(value):
                self.rows.append(_estimate_row(name, value))
            elif isinstance(value, Mapping):
                if depth == 0:
                    self._add(value, f"{name}.", depth + 1)
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                if depth == 0:
                    self.tables[name] = [_cells(v) for v in value]
            elif isinstance(value, (bool, int, float, str)):  # None: nothing to show
                self.rows.append(Row(name, value, d.get(f"{key}_err"), key_unit(key)))
            elif isinstance(value, list) and 0 < len(value) <= _SHORT_LIST and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
                self.rows.append(Row(name, ", ".join(_number(v, 6) for v in value),
                                     unit=key_unit(key)))

    def html(self) -> str:
        """The display as an HTML fragment (every text escaped)."""
        e = html.escape
        parts = [f"<div class='cald-result'><strong>{e(self.title)}</strong>"]
        if self.rows:
            parts.append(_table(["parameter", "value", "±", "unit", "note"],
                                [[r.name, *_pair(r.value, r.error), r.unit, r.note or ""]
                                 for r in self.rows]))
        for name, rows in self.tables.items():
            header = list(dict.fromkeys(k for row in rows for k in row))
            parts.append(_table(header, [[row.get(k, "") for k in header] for row in rows], name))
        if self.statistics:
            parts.append(_table(["statistic", "value"],
                                [[r.name, _number(r.value, 6)] for r in self.statistics
                                 if r.value is not None],
                                "fit statistics"))
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul>")
        return "".join(parts) + "</div>"


def _estimate_row(name: str, d: Mapping[str, Any]) -> Row:
    note = d.get("note") or ("fixed" if d.get("fixed") else None)
    return Row(name, d.get("value"), d.get("stderr"), str(d.get("unit") or ""), note)


def _cells(d: Mapping[str, Any]) -> dict[str, str]:
    """A list entry (one peak, site, component) as ``{column: "value ± error"}``."""
    cells = {}
    for key, value in d.items():
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            cells[key] = "; ".join(value)  # the entry's notes
            continue
        if key.endswith("_err") and key[:-4] in d or isinstance(value, (Mapping, list)):
            continue
        err = d.get(f"{key}_err")
        text, err_text = _pair(value, err)
        if err is not None:
            text += f" ± {err_text}"
        unit = key_unit(key)
        cells[f"{key} / {unit}" if unit else key] = text
    return cells


def estimate_cells(name: str, est: Any) -> dict[str, str]:
    """One :class:`~cald.fitting.Estimate` as table cells: parameter, value ± error, unit, note
    (``fixed`` for a fixed one)."""
    value, error = _pair(est.value, est.stderr)
    return {"parameter": name, "value": value + (f" ± {error}" if est.stderr is not None else ""),
            "unit": est.unit, "note": est.note or ("fixed" if est.fixed else "")}


def _table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<tr>{head}</tr>{body}</table>"


#: How :meth:`ResultDisplay.plot` draws a curve by its name (others: thin dashed).
_STYLES: dict[str, dict[str, Any]] = {
    "data": {"color": "black", "lw": 0.8}, "fit": {"color": "C3", "lw": 1.5},
    "baseline": {"color": "grey", "lw": 0.8, "ls": ":"},
    "background": {"color": "grey", "lw": 0.8, "ls": ":"}}
#: A data curve with at most this many points is drawn as markers (a decay, a dephasing curve).
_MARKER_POINTS = 64


class ResultDisplay:
    """Notebook presentation shared by every result: ``_repr_html_`` and ``plot``.

    A derived class provides ``to_dict()``; it may override :meth:`display` (the tables) and
    :meth:`curves` (what :meth:`plot` draws, with :attr:`plot_ylabel` on the y axis).
    """

    #: Title of the y axis of :meth:`ResultDisplay.plot <cald.fitting.display.ResultDisplay.plot>`.
    plot_ylabel: ClassVar[str] = "intensity"

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def display(self) -> Display:
        """What ``_repr_html_`` shows; by default :meth:`Display.from_dict` of ``to_dict()``."""
        return Display.from_dict(type(self).__name__, self.to_dict())

    def _repr_html_(self) -> str:
        return self.display().html()

    def curves(self) -> dict[str, Spectrum]:
        """Data, fit, residual and components as spectra, each on its own axis (results with
        curves override; the base has none)."""
        return {}

    def plot(self, ax: Any = None, *, residual: bool = False) -> Any:
        """Draw :meth:`curves` (data, fit, components; the residual with ``residual=True``) on
        one matplotlib ``Axes`` and return it (``ax=None``: a new figure).

        Raises
        ------
        TypeError
            When the result has no curves (e.g. a result read back from results.json, which
            keeps numbers, not arrays).
        """
        curves = {k: v for k, v in self.curves().items() if residual or k != "residual"}
        if not curves:
            raise TypeError(f"{type(self).__name__} has no curves to plot")
        for name, spec in curves.items():
            style: dict[str, Any] = dict(_STYLES.get(name, {"lw": 0.9, "ls": "--"}))
            if name == "data" and spec.n_points <= _MARKER_POINTS:
                style.update(ls="none", marker="o", ms=4)
            ax = spec.plot(ax, label=name, **style)
        ax.set_ylabel(self.plot_ylabel)
        ax.legend(fontsize=7, frameon=False)
        return ax
