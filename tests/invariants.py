"""Shared invariant tests for every model and every fit family, the way pybaselines does them
(its ``tests/base_tests.py``): a family gets them by declaring itself.

How to use
----------
A **model** (a plain numpy function, the independent variable first, named parameters after it)
declares a subclass of :class:`ModelInvariants` in its family's test module; pytest collects the
subclass (its name starts with ``Test``) and runs every ``test_*`` method of the base for it::

    from invariants import AreaInvariants

    class TestGaussian(AreaInvariants):
        function = staticmethod(gaussian)
        params = {"center": 3.0, "fwhm": 1.3, "area": 2.5}
        x = np.linspace(-4.0, 11.0, 1001)
        scaling = {"center": 1, "fwhm": 1}   # exponents of k when x → k·x
        output_scaling = -1                  # y → y·k⁻¹ (area-normalised line)
        area = "area"                        # ∫ y dx = params["area"]

Checked for every model: finite output (also far out on the axis and for a scalar), the axis and
the parameters not mutated (the axis is made read-only), a reversed axis gives the reversed output,
a change of axis units (x → k·x, each parameter × k**scaling[name], output × k**output_scaling)
gives the same curve. Area-normalised models derive from :class:`AreaInvariants` instead, which
adds: the integral over the axis equals parameter ``area`` (over
:meth:`AreaInvariants.area_axis`, within ``area_rtol``, and changes sign with the axis).
Parameters not listed in ``scaling`` do not change with the unit (fractions, η).

A **fit family** declares a subclass of :class:`FitInvariants` with a classmethod
``fit_at_bound()`` that returns a :class:`cald.fitting.FitResult` in which parameter
``bound_param`` ends at a bound of its range. Checked: that parameter has no error and a note
saying it is at a bound; every estimate without an error and not fixed says why; everything
derived from (or tied to) a parameter at a bound has no error; the statistics follow the
uncertainty rule (``redchi`` reported iff σ is known, ``residual_std`` otherwise; the ``redchi``
key always present); ``to_dict()`` is strict JSON; ``report()`` is text.

A new family (CSA sidebands, Czjzek sites, XPS, …) adds such classes in its test module; nothing
here needs to change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
import pytest
from numpy.typing import NDArray

from cald.fitting import FitResult

__all__ = ["ModelInvariants", "AreaInvariants", "FitInvariants"]


class ModelInvariants:
    """Invariants of one model function; subclasses set the class attributes."""

    #: ``function(x, **params)`` → array shaped like ``x``.
    function: ClassVar[Callable[..., Any]]
    #: One valid parameter set.
    params: ClassVar[Mapping[str, float]]
    #: An axis covering the interesting part of the model.
    x: ClassVar[NDArray[np.float64]]
    #: Exponent e of k for each parameter that changes with the axis unit (x → k·x, p → p·kᵉ).
    scaling: ClassVar[Mapping[str, float]] = {}
    #: Exponent of k of the output under that change (−1 for area-normalised lines, 0 for curves
    #: whose value is a ratio).
    output_scaling: ClassVar[float] = 0.0
    #: Factor k of the change of units (e.g. ppm → Hz at 150.9 MHz, s → ms).
    unit_factor: ClassVar[float] = 150.9
    #: Relative tolerance of the unit-scaling comparison.
    scaling_rtol: ClassVar[float] = 1e-12
    #: Relative tolerance of the reversed-axis comparison (0: bitwise equal; a model that sums
    #: with matrix products may differ in the last bit).
    reversed_rtol: ClassVar[float] = 0.0
    #: Output must be ≥ 0 everywhere.
    non_negative: ClassVar[bool] = True

    @classmethod
    def evaluate(cls, x: Any, **changes: float) -> NDArray[np.float64]:
        """The model at ``x`` with ``changes`` to :attr:`params`."""
        return np.asarray(cls.function(x, **{**cls.params, **changes}), dtype=float)

    def test_finite_output(self) -> None:
        far = float(np.max(np.abs(self.x))) * 1e6
        x = np.concatenate([self.x, [-far, far]])
        y = self.evaluate(x)
        assert y.shape == x.shape
        assert np.all(np.isfinite(y))
        if self.non_negative:
            assert np.all(y >= 0)
        assert np.isfinite(self.evaluate(float(self.x[len(self.x) // 2])))  # a scalar works too

    def test_input_not_mutated(self) -> None:
        x = np.array(self.x, dtype=float)
        x.flags.writeable = False  # any in-place operation on the axis raises
        before = x.copy()
        params = dict(self.params)
        self.function(x, **params)
        np.testing.assert_array_equal(x, before)
        assert params == dict(self.params)

    def test_reversed_axis_gives_reversed_output(self) -> None:
        x = np.asarray(self.x, dtype=float)
        if self.reversed_rtol == 0.0:
            np.testing.assert_array_equal(self.evaluate(x[::-1]), self.evaluate(x)[::-1])
        else:
            np.testing.assert_allclose(self.evaluate(x[::-1]), self.evaluate(x)[::-1],
                                       rtol=self.reversed_rtol, atol=0)

    def test_unit_scaling(self) -> None:
        k = self.unit_factor
        scaled = {n: v * k ** self.scaling[n] if n in self.scaling else v
                  for n, v in self.params.items()}
        x = np.asarray(self.x, dtype=float)
        expected = self.evaluate(x) * k**self.output_scaling
        got = np.asarray(self.function(x * k, **scaled), dtype=float)
        np.testing.assert_allclose(got, expected, rtol=self.scaling_rtol, atol=0)


class AreaInvariants(ModelInvariants):
    """:class:`ModelInvariants` plus area normalisation: ∫ y dx equals parameter :attr:`area`."""

    #: Name of the parameter that the integral over the axis equals.
    area: ClassVar[str] = "area"
    #: Relative tolerance of the area check.
    area_rtol: ClassVar[float] = 1e-3

    @classmethod
    def area_axis(cls) -> NDArray[np.float64]:
        """An axis wide and dense enough for the integral to reach :attr:`area_rtol`; the
        default spreads points as sinh around the middle of :attr:`x` out to 10⁵ × its span."""
        mid, span = float(np.mean(cls.x)), float(np.ptp(cls.x))
        u = np.linspace(-np.arcsinh(1e5), np.arcsinh(1e5), 200_001)
        return mid + 0.1 * span * np.sinh(u)

    def test_area_normalisation(self) -> None:
        x = self.area_axis()
        integral = float(np.trapezoid(self.evaluate(x), x))
        assert integral == pytest.approx(self.params[self.area], rel=self.area_rtol)
        # orientation does not matter: a decreasing axis gives −area
        assert float(np.trapezoid(self.evaluate(x[::-1]), x[::-1])) == pytest.approx(
            -integral, rel=1e-12)


class FitInvariants:
    """Invariants of one fit family's results; subclasses implement :meth:`fit_at_bound`."""

    #: Name (key of ``result.params``) of the parameter that ends at a bound.
    bound_param: ClassVar[str]

    @classmethod
    def fit_at_bound(cls) -> FitResult:
        """A fit whose parameter :attr:`bound_param` ends at a bound of its range."""
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls) -> FitResult:
        """The fit, computed once per class."""
        return cls.fit_at_bound()

    def test_parameter_at_bound_has_no_error_and_a_note(self, result: FitResult) -> None:
        est = result.params[self.bound_param]
        assert est.at_bound, est
        assert est.stderr is None
        assert est.note is not None and "bound" in est.note

    def test_every_missing_error_is_explained(self, result: FitResult) -> None:
        for name, est in result.params.items():
            if est.stderr is None and not est.fixed:
                assert est.note, name

    def test_nothing_derived_from_a_bound_has_an_error(self, result: FitResult) -> None:
        for name, est in result.params.items():
            if est.limited_by_bound:
                assert est.stderr is None, name
                assert est.note is not None and "bound" in est.note, name

    def test_statistics_follow_the_uncertainty_rule(self, result: FitResult) -> None:
        s = result.statistics
        assert s.n_points > s.n_varys > 0
        assert np.isfinite(s.chisqr) and np.isfinite(s.aic) and np.isfinite(s.bic)
        if s.sigma_known:
            assert s.redchi is not None and s.residual_std is None
        else:
            assert s.redchi is None and s.residual_std is not None and s.residual_std >= 0
        d = result.to_dict()
        assert "redchi" in d and d["redchi"] == s.redchi

    def test_to_dict_is_strict_json(self, result: FitResult) -> None:
        text = json.dumps(result.to_dict(), allow_nan=False)
        assert json.loads(text) is not None
        assert isinstance(result.report(), str) and result.report()

    def test_notebook_display(self, result: FitResult) -> None:
        """``_repr_html_`` shows the parameter at its bound with its note, and ``plot()`` draws
        every curve the family has (the residual left out)."""
        from matplotlib.figure import Figure

        html = result._repr_html_()
        assert html.startswith("<div") and html.endswith("</div>") and "bound" in html
        curves = [k for k in result.curves() if k != "residual"]
        if curves:
            assert len(result.plot(Figure().subplots()).lines) == len(curves)
