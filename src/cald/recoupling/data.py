"""A measured dephasing curve: recoupling times with ΔS/S0 and its uncertainty."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import DataFileError
from cald.io.table import Table, read_table

if TYPE_CHECKING:
    from cald.nmr.pseudo2d import RespdorSeries

__all__ = ["DephasingCurve", "read_dephasing_csv", "read_simulated_curve"]


@dataclass(frozen=True)
class DephasingCurve:
    """ΔS/S0 against total recoupling time.

    Attributes
    ----------
    t_s
        Total recoupling times in s (≥ 0).
    ds_s0
        Dephasing ΔS/S0 = 1 − S/S0 (dimensionless).
    sigma
        Standard deviation of each ΔS/S0, or ``None`` when unknown (then estimated from the
        residuals of a fit).
    sigma_source
        How ``sigma`` was obtained: ``"given"``, ``"propagated from intensity noise"`` or
        ``"unknown"``.
    source
        File the curve came from, if any.
    """

    t_s: NDArray[np.float64]
    ds_s0: NDArray[np.float64]
    sigma: NDArray[np.float64] | None = None
    sigma_source: str = "unknown"
    source: str | None = field(default=None, compare=False)

    @classmethod
    def from_dephasing(
        cls,
        t_s: ArrayLike,
        ds_s0: ArrayLike,
        sigma: ArrayLike | None = None,
        source: str | None = None,
    ) -> DephasingCurve:
        """Curve from ΔS/S0 values (and optionally their σ); validates the arrays."""
        t = _as_1d(t_s, "t", source)
        y = _as_1d(ds_s0, "dS_S0", source)
        s = None if sigma is None else _as_1d(sigma, "sigma", source)
        _check_lengths(source, t=t, dS_S0=y, sigma=s)
        if s is not None and np.any(s <= 0):
            raise DataFileError("column 'sigma' must be > 0 in every row", source)
        if s is not None:
            _check_weights(s, "column 'sigma'", source)
        _check_times(t, source)
        _check_fractions(y, source)
        return cls(t, y, s, "given" if s is not None else "unknown", source)

    @classmethod
    def from_intensities(
        cls,
        t_s: ArrayLike,
        s0: ArrayLike,
        s: ArrayLike,
        s0_noise: ArrayLike | None = None,
        s_noise: ArrayLike | None = None,
        source: str | None = None,
    ) -> DephasingCurve:
        """Curve from reference (S0) and dephased (S) intensities.

        ΔS/S0 = 1 − S/S0; with the noise standard deviations of S0 and S the error is propagated
        to first order: σ² = (σ_S / S0)² + (S σ_S0 / S0²)².
        """
        t = _as_1d(t_s, "t", source)
        ref = _as_1d(s0, "S0", source)
        dephased = _as_1d(s, "S", source)
        _check_lengths(source, t=t, S0=ref, S=dephased)
        _check_times(t, source)
        if np.any(ref <= 0):
            raise DataFileError("column 'S0' must be > 0 in every row", source)
        y = 1.0 - dephased / ref
        _check_fractions(y, source)
        if s0_noise is None and s_noise is None:
            return cls(t, y, None, "unknown", source)
        if s0_noise is None or s_noise is None:
            raise DataFileError("give both noise columns 'S0_noise' and 'S_noise', or neither", source)
        n0 = _as_1d(s0_noise, "S0_noise", source)
        n1 = _as_1d(s_noise, "S_noise", source)
        _check_lengths(source, t=t, S0_noise=n0, S_noise=n1)
        if np.any(n0 <= 0) or np.any(n1 <= 0):
            raise DataFileError("noise columns must be > 0 in every row", source)
        sigma = np.hypot(n1 / ref, dephased * n0 / ref**2)
        _check_weights(sigma, "the σ propagated from the noise columns", source)
        return cls(t, y, sigma, "propagated from intensity noise", source)

    @classmethod
    def from_series(cls, series: RespdorSeries) -> DephasingCurve:
        """Curve of the S0/S integrals extracted from a Bruker series
        (:meth:`cald.nmr.options.RespdorSeriesOptions.read_series`), σ propagated from their
        noise as in :meth:`from_intensities`."""
        return cls.from_intensities(series.t_s, series.s0, series.s, series.s0_noise,
                                    series.s_noise, series.source)

    @classmethod
    def from_table(cls, table: Table) -> DephasingCurve:
        """Curve from a table with ``t_ms`` and either ``dS_S0`` (+ ``sigma``) or ``S0`` and ``S``
        (+ ``S0_noise`` and ``S_noise``); times converted from ms to s here."""
        t_s = table.require("t_ms") * 1e-3
        ds = table.find("dS_S0")
        if ds is not None:
            return cls.from_dephasing(t_s, ds, table.find("sigma"), table.source)
        if table.find("S0") is None or table.find("S") is None:
            have = ", ".join(table.columns)
            raise DataFileError(
                f"need column 'dS_S0' or columns 'S0' and 'S' beside 't_ms' (found: {have})",
                table.source)
        return cls.from_intensities(t_s, table.require("S0"), table.require("S"),
                                    table.find("S0_noise"), table.find("S_noise"), table.source)

    @property
    def n_points(self) -> int:
        """Number of points."""
        return int(self.t_s.size)

    def weights(self) -> NDArray[np.float64]:
        """Least-squares weights 1/σ² (all ones when σ is unknown)."""
        return np.ones_like(self.t_s) if self.sigma is None else 1.0 / self.sigma**2

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (times in ms, as in files)."""
        return {
            "t_ms": (self.t_s * 1e3).tolist(),
            "dS_S0": self.ds_s0.tolist(),
            "sigma": None if self.sigma is None else self.sigma.tolist(),
            "sigma_source": self.sigma_source,
            "source": self.source,
        }


#: Longest recoupling time accepted (s): dipolar dephasing is over within a fraction of it.
MAX_TIME_S = 10.0
#: Largest |ΔS/S0| accepted: far beyond any measurement (S0 within the noise gives large ratios)
#: but below the values that overflow the fit's starting values (1e308 ended in a traceback).
MAX_FRACTION = 1e6


def _as_1d(values: ArrayLike, name: str, source: str | None) -> NDArray[np.float64]:
    try:
        a = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise DataFileError(f"column {name!r} is not numeric", source) from None
    if a.ndim != 1:
        raise DataFileError(f"column {name!r} must be one-dimensional", source)
    if not np.all(np.isfinite(a)):
        row = int(np.flatnonzero(~np.isfinite(a))[0]) + 1
        raise DataFileError(f"column {name!r} has a NaN or infinite value (data row {row})", source)
    return a


def _check_weights(sigma: NDArray[np.float64], what: str, source: str | None) -> None:
    """The fit weights 1/σ² must be finite and positive: σ outside ~1e-154…1e154 is refused."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        weights = 1.0 / sigma**2
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise DataFileError(f"{what} is out of range for fit weights 1/σ² (|σ| outside "
                            "1e-154…1e154)", source)


def _check_lengths(source: str | None, **columns: NDArray[np.float64] | None) -> None:
    sizes = {k: v.size for k, v in columns.items() if v is not None}
    if len(set(sizes.values())) > 1:
        raise DataFileError(f"columns have different lengths: {sizes}", source)


def _check_times(t: NDArray[np.float64], source: str | None) -> None:
    if t.size < 2:
        raise DataFileError(f"need at least 2 points, got {t.size}", source)
    if np.any(t < 0):
        row = int(np.flatnonzero(t < 0)[0]) + 1
        raise DataFileError(f"negative recoupling time in data row {row}", source)
    if not np.any(t > 0):
        raise DataFileError("all recoupling times are zero; nothing to fit", source)
    if np.any(t > MAX_TIME_S):
        row = int(np.flatnonzero(t > MAX_TIME_S)[0]) + 1
        raise DataFileError(f"recoupling time {t[row - 1] * 1e3:g} ms in data row {row} is above "
                            f"{MAX_TIME_S:g} s (t_ms is in milliseconds)", source)


def _check_fractions(y: NDArray[np.float64], source: str | None) -> None:
    if np.any(np.abs(y) > MAX_FRACTION):
        row = int(np.flatnonzero(np.abs(y) > MAX_FRACTION)[0]) + 1
        raise DataFileError(f"ΔS/S0 = {y[row - 1]:g} in data row {row} is out of any measurable "
                            f"range (|ΔS/S0| ≤ {MAX_FRACTION:g})", source)


def read_dephasing_csv(path: str) -> DephasingCurve:
    """Read a dephasing curve from a CSV/TSV file (see :meth:`DephasingCurve.from_table`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from cald.recoupling.data import read_dephasing_csv
    >>> path = Path(tempfile.mkdtemp()) / "curve.csv"
    >>> _ = path.write_text("# a RESPDOR curve\\nt_ms,dS_S0,sigma\\n0.5,0.08,0.01\\n1.0,0.15,0.01\\n")
    >>> curve = read_dephasing_csv(str(path))
    >>> curve.t_s.tolist(), curve.sigma_source
    ([0.0005, 0.001], 'given')
    """
    return DephasingCurve.from_table(read_table(path))


def read_simulated_curve(path: str) -> DephasingCurve:
    """A simulated dephasing curve to compare with a measured one: a SIMPSON ``fsave`` FID
    (text or binary; point k at t = k/SW, its real part taken as ΔS/S0) or a CSV as
    :func:`read_dephasing_csv` reads it (e.g. the ``t_ms,S0,S,dS_S0`` table that the SIMPSON
    input written by ``cald respdor simulate --simpson-input`` produces)."""
    from cald.io.simpson import is_simpson, read_simpson

    if not is_simpson(path):
        return read_dephasing_csv(path)
    sim = read_simpson(path)
    if not sim.is_time_domain:
        raise DataFileError("a SIMPSON spectrum (TYPE=SPE) is not a dephasing curve; save the "
                            "FID", path)
    return DephasingCurve.from_dephasing(sim.axis, np.real(sim.values), source=path)
