"""One small type for a spectrum or a time-domain signal travelling with its axis and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Spectrum", "AXIS_UNITS", "axis_key", "axis_label", "unit_key"]

#: Units an axis may carry: chemical shift, frequency, time, binding energy, wavenumber, wavelength.
AXIS_UNITS = ("ppm", "hz", "s", "ev", "cm-1", "nm")

#: Identifier-friendly spelling of each axis unit, the suffix of result keys (``center_per_cm``).
_KEY_SUFFIX = {"ppm": "ppm", "hz": "hz", "s": "s", "ev": "ev", "cm-1": "per_cm", "nm": "nm"}


#: Axis titles by unit, as chemists label them.
_AXIS_TITLES = {"ppm": "δ / ppm", "hz": "frequency / Hz", "s": "time / s",
                "ev": "binding energy / eV", "cm-1": "wavenumber / cm⁻¹", "nm": "wavelength / nm"}

#: Axes drawn high → low, as chemists read them (chemical shift, binding energy).
REVERSED_UNITS = ("ppm", "ev")


def axis_label(unit: str, nucleus: str | None = None) -> str:
    """Axis title of ``unit``, prefixed by the nucleus when given (``"13C δ / ppm"``)."""
    return f"{nucleus or ''} {_AXIS_TITLES.get(unit, unit)}".strip()


def unit_key(unit: str) -> str:
    """An axis unit spelled as an identifier (``"cm-1"`` → ``"per_cm"``, ``"ppm"`` → ``"ppm"``)."""
    return _KEY_SUFFIX.get(unit, unit)


def axis_key(name: str, unit: str) -> str:
    """Result key of a quantity in axis units: ``name`` + ``_`` + :func:`unit_key`
    (``axis_key("fwhm_lorentz", "cm-1") == "fwhm_lorentz_per_cm"``); ``name`` alone when
    ``unit`` is not an axis unit."""
    return f"{name}_{_KEY_SUFFIX[unit]}" if unit in _KEY_SUFFIX else name


@dataclass(frozen=True)
class Spectrum:
    """Values along an axis, with what is needed to interpret them.

    Attributes
    ----------
    values
        Real or complex data; the last axis runs along ``axis`` (rows of a series come first).
    axis
        Coordinates of the last axis of ``values`` in ``unit``; NMR frequency axes are stored in
        TopSpin order (decreasing ppm), time axes increasing.
    unit
        One of :data:`AXIS_UNITS`.
    nucleus
        Observed isotope (``"13C"``) or ``None``.
    sf_mhz
        Spectrometer reference frequency SF (MHz) that defines the ppm scale (0 ppm).
    carrier_mhz
        Frequency of the transmitter (SFO1, MHz), when known.
    source
        File or folder the data came from.
    history
        Processing steps applied, in order, as readable strings.
    meta
        Acquisition facts later steps need (e.g. ``ns``, ``rg``, ``sw_hz``, ``group_delay``).
    """

    values: NDArray[Any]
    axis: NDArray[np.float64]
    unit: str
    nucleus: str | None = None
    sf_mhz: float | None = None
    carrier_mhz: float | None = None
    source: str | None = None
    history: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.unit not in AXIS_UNITS:
            raise ValueError(f"unit {self.unit!r} not one of {AXIS_UNITS}")
        if np.shape(self.values)[-1] != np.size(self.axis):
            raise ValueError(f"values' last axis ({np.shape(self.values)[-1]}) and axis "
                             f"({np.size(self.axis)}) differ in length")

    @property
    def n_points(self) -> int:
        """Number of points along the axis."""
        return int(np.size(self.axis))

    @property
    def is_time_domain(self) -> bool:
        """True for FIDs and other signals against time."""
        return self.unit == "s"

    def evolve(self, values: NDArray[Any], step: str, **changes: Any) -> Spectrum:
        """A new spectrum with ``values`` (and any other field changes) and ``step`` appended to
        the history; ``self`` is unchanged."""
        return replace(self, values=values, history=(*self.history, step), **changes)

    def region_mask(self, a: float, b: float) -> NDArray[np.bool_]:
        """Points with axis values between ``a`` and ``b`` (either order, inclusive)."""
        lo, hi = min(a, b), max(a, b)
        return (self.axis >= lo) & (self.axis <= hi)

    def real(self) -> NDArray[np.float64]:
        """Real part of the values."""
        return np.real(self.values)

    def plot(self, ax: Any = None, *, offset: float | None = None, **kwargs: Any) -> Any:
        """Draw the real part against the axis; returns the matplotlib ``Axes``.

        ppm and eV axes run high → low (chemical shift, binding energy), the axis title comes
        from :attr:`unit` and :attr:`nucleus`. A series (2-D ``values``, one row per
        increment) is drawn as a stacked plot, row 1 at the bottom, each row raised by
        ``offset`` (default 1.1 × the largest |value|); pick one row with
        ``spec.evolve(spec.values[i], "row")`` to draw it alone.

        Parameters
        ----------
        ax
            Axes to draw into; ``None`` makes a new figure (``matplotlib.pyplot``, so that a
            notebook shows it; any backend, Agg included).
        offset
            Vertical step between the rows of a series, in intensity units.
        kwargs
            Passed to ``Axes.plot`` (``color``, ``lw``, ``label`` …).

        Examples
        --------
        >>> import numpy as np
        >>> spec = Spectrum(np.array([0.0, 1.0, 0.0]), np.array([2.0, 1.0, 0.0]), "ppm", "1H")
        >>> ax = spec.plot(lw=1)
        >>> ax.get_xlabel(), bool(ax.xaxis_inverted())
        ('1H δ / ppm', True)
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6.0, 3.4), layout="constrained")
        values = np.real(np.asarray(self.values))
        rows = values.reshape(-1, self.n_points)
        if rows.shape[0] > 1:
            step = (1.1 * float(np.max(np.abs(rows))) or 1.0) if offset is None else offset
            kwargs.setdefault("lw", 0.8)
            for i, row in enumerate(rows):
                ax.plot(self.axis, row + i * step, **({"color": "black"} | kwargs))
        else:
            ax.plot(self.axis, rows[0], **({"lw": 0.8} | kwargs))
        if self.unit in REVERSED_UNITS and not ax.xaxis_inverted():
            ax.invert_xaxis()
        ax.set_xlabel(axis_label(self.unit, self.nucleus))
        ax.set_ylabel("intensity")
        return ax

    def to_dict(self) -> dict[str, Any]:
        """Metadata as a JSON-ready dictionary (not the values)."""
        return {
            "unit": self.unit,
            "n_points": self.n_points,
            "axis_first": float(self.axis[0]),
            "axis_last": float(self.axis[-1]),
            "nucleus": self.nucleus,
            "sf_mhz": self.sf_mhz,
            "carrier_mhz": self.carrier_mhz,
            "source": self.source,
            "history": list(self.history),
        }
