"""One fitted, derived or fixed parameter with its uncertainty: :class:`Estimate`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Estimate", "Interval", "NO_COVARIANCE"]

#: The note of an estimate whose error the covariance cannot give.
NO_COVARIANCE = "covariance unavailable (the data do not constrain it)"

#: A confidence interval (low, high) in the estimate's unit; a side is ``None`` when the data do
#: not bound it.
Interval = tuple[float | None, float | None]

#: The notes of :func:`cald.fitting.bounds.bound_note` and
#: :func:`~cald.fitting.bounds.derived_bound_note`, read back by :meth:`Estimate.from_dict`.
_AT_BOUND = re.compile(r"at (?:the (lower|upper)|a) bound of its range")
_DERIVED_AT_BOUND = re.compile(r"derived from .* at a bound of its range")

#: The keys of :meth:`Estimate.to_dict` that are not intervals.
_FIELDS = ("value", "stderr", "unit", "fixed", "note")


@dataclass(frozen=True)
class Estimate:
    """A parameter value with its standard error, unit and why an error is missing.

    Attributes
    ----------
    value
        Best value in ``unit``.
    stderr
        Standard error (same unit); ``None`` when there is none, and then ``note`` says why.
        A parameter held fixed has ``stderr`` ``None`` and ``fixed`` True.
    unit
        Unit of ``value`` and ``stderr`` (``""`` for dimensionless quantities).
    fixed
        True when the parameter was held fixed in the fit.
    intervals
        Named confidence intervals, e.g. ``{"ci95_profile": (lo, hi)}``; a family may list a
        name with ``None`` so that its key is always present in ``to_dict()``.
    note
        Why ``stderr`` is missing or should be read with care (at a bound, derived from a
        parameter at a bound, covariance unavailable …).
    name
        Parameter name (for messages and tables); not part of ``to_dict()``.
    bound
        ``"lower"`` or ``"upper"`` when the fitted value sits on that bound of its range
        (:func:`cald.fitting.bounds.at_bound`); ``"input"`` when it is derived from (or tied to)
        a parameter at a bound; else ``None``. Either way it has no error, and nothing derived
        from it has one (:func:`cald.fitting.derived.derived_estimate`).
    """

    value: float
    stderr: float | None = None
    unit: str = ""
    fixed: bool = False
    intervals: Mapping[str, Interval | None] = field(default_factory=dict)
    note: str | None = None
    name: str = ""
    bound: str | None = None

    @property
    def at_bound(self) -> bool:
        """True when the value sits on a bound of its range."""
        return self.bound in ("lower", "upper")

    @property
    def limited_by_bound(self) -> bool:
        """True when the value, or an input it is derived from, sits on a bound."""
        return self.bound is not None

    def with_interval(self, key: str, interval: Interval | None) -> Estimate:
        """A copy with ``intervals[key] = interval``."""
        return replace(self, intervals={**self.intervals, key: interval})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``value``, ``stderr``, ``unit``, ``fixed``, one key per interval
        (a list or ``None``), ``note``."""
        out: dict[str, Any] = {"value": self.value, "stderr": self.stderr, "unit": self.unit,
                               "fixed": self.fixed}
        for key, interval in self.intervals.items():
            out[key] = None if interval is None else list(interval)
        out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], name: str = "") -> Estimate:
        """The estimate :meth:`to_dict` wrote (the intervals are its other keys); ``bound`` is
        read back from the note (``"input"`` for a derived one, ``"lower"`` when the note does
        not name the side)."""
        note = d.get("note")
        bound = None
        if note and _DERIVED_AT_BOUND.search(note):
            bound = "input"
        elif note and (m := _AT_BOUND.search(note)):
            bound = m.group(1) or "lower"
        intervals = {k: None if v is None else (v[0], v[1]) for k, v in d.items()
                     if k not in _FIELDS}
        return cls(d["value"], d.get("stderr"), d.get("unit", ""), bool(d.get("fixed", False)),
                   intervals, note, name, bound)

    def format(self, digits: int = 4) -> str:
        """``value ± stderr unit`` (value to ``digits`` significant digits, error to 2)."""
        text = f"{self.value:.{digits}g}"
        if self.stderr is not None:
            text += f" ± {self.stderr:.2g}"
        return f"{text} {self.unit}".rstrip()
