"""The shared fitting core (cald.fitting): the bound rule, the uncertainty rule, information
criteria, fractions and derived quantities with covariance errors."""

from __future__ import annotations

import json

import lmfit
import numpy as np
import pytest

from cald.errors import ParameterError
from cald.fitting import (
    BOUND_RTOL,
    Estimate,
    FitResult,
    FitStatistics,
    at_bound,
    covariance_block,
    derived_estimate,
    estimates_from_params,
    expression_inputs,
    fractions,
    gradient,
    information_criteria,
    parameter_covariance,
    parameters_at_bound,
    pin_at_bounds,
    point_sigma,
    propagate,
)
from cald.spectrum import axis_key, unit_key

# --- bounds --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "lower", "upper", "scale", "side"), [
    (0.0, 0.0, 1.0, 1.0, "lower"),
    (1.0 - 0.5 * BOUND_RTOL, 0.0, 1.0, 1.0, "upper"),
    (2.0 * BOUND_RTOL, 0.0, 1.0, 1.0, None),
    (1e-3 + 1e-9, 1e-3, 0.3, 1.0, "lower"),  # relative to the range, not to the bound
    (0.5, 0.0, np.inf, 1.0, None),
    (0.5e-6, 0.0, np.inf, 1.0, "lower"),  # half-open: relative to max(|bound|, scale)
    (0.5e-6, 0.0, np.inf, 1e-3, None),
    (5.0, -np.inf, np.inf, 1.0, None),
])
def test_one_bound_rule(value, lower, upper, scale, side):
    assert at_bound(value, lower, upper, scale) == side


def test_estimates_from_lmfit_parameters():
    p = lmfit.Parameters()
    p.add("rel", value=1e-3, min=1e-3, max=0.3)
    p.add("r0", value=2.5, min=0.5, max=50.0)
    p.add("f", value=0.24, vary=False)
    p.add("width", expr="rel * r0")
    p.add("twice", expr="2 * width")
    p.add("d", expr="10 / r0**3")
    for name, err in (("rel", 0.5), ("r0", 0.02), ("width", 5.6), ("twice", 11.2), ("d", 0.01)):
        p[name].stderr = err
    est = estimates_from_params(p, lambda n: "Å" if n in ("r0", "width") else "")
    assert est["rel"].at_bound and est["rel"].stderr is None and "lower bound" in est["rel"].note
    assert est["r0"].stderr == 0.02 and est["r0"].note is None and est["r0"].unit == "Å"
    assert est["f"].fixed and est["f"].stderr is None
    # derived from a parameter at a bound, directly or through another expression: no error
    for name in ("width", "twice"):
        assert est[name].stderr is None and est[name].limited_by_bound and not est[name].at_bound
        assert "rel" in est[name].note and "bound" in est[name].note
    assert est["d"].stderr == 0.01
    assert expression_inputs(p, "twice") == {"rel", "r0"}
    assert expression_inputs(p, "f") == set()


# --- statistics and the uncertainty rule ---------------------------------------------------


def test_information_criteria_formulas():
    chi, n, k = 11.0, 15, 2
    assert information_criteria(chi, n, k, True) == pytest.approx(
        (chi + 2 * k, chi + 2 * k + 2 * k * (k + 1) / (n - k - 1), chi + k * np.log(n)))
    core = n * np.log(chi / n)
    assert information_criteria(chi, n, k, False) == pytest.approx(
        (core + 2 * k, core + 2 * k + 2 * k * (k + 1) / (n - k - 1), core + k * np.log(n)))
    assert information_criteria(chi, 3, 2, True)[1] == np.inf


def test_uncertainty_rule():
    known = FitStatistics.from_chisqr(26.0, 15, 2, sigma_known=True)
    assert known.redchi == pytest.approx(2.0) and known.residual_std is None
    assert known.covariance_scale == 1.0 and "χ²ᵣ" in known.quality()
    estimated = FitStatistics.from_chisqr(26.0, 15, 2, sigma_known=False)
    assert estimated.redchi is None and estimated.residual_std == pytest.approx(np.sqrt(2.0))
    assert estimated.covariance_scale == pytest.approx(2.0)
    assert "residual s.d." in estimated.quality()
    d = estimated.to_dict()
    assert "redchi" in d and d["redchi"] is None


def test_fit_result_reads_the_same_for_every_family():
    stats = FitStatistics.from_chisqr(12.0, 20, 2, sigma_known=True)
    res = FitResult(statistics=stats, params={"a": Estimate(1.5, 0.1, "Hz", name="a")},
                    notes=("a note",))
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["params"]["a"] == {"value": 1.5, "stderr": 0.1, "unit": "Hz", "fixed": False,
                                "note": None}
    assert d["redchi"] == pytest.approx(12.0 / 18) and d["notes"] == ["a note"]
    assert res.redchi == d["redchi"] and res.n_points == 20 and res.value("a") == 1.5
    assert "1.5 ± 0.1 Hz" in res.report() and "a note" in res.report()
    assert res.curves() == {}


def test_estimate_intervals_keep_their_keys():
    e = Estimate(2.0, 0.1, "Å", intervals={"ci95_bootstrap": None, "ci95_profile": None})
    e = e.with_interval("ci95_profile", (1.8, None))
    assert list(e.to_dict()) == ["value", "stderr", "unit", "fixed", "ci95_bootstrap",
                                 "ci95_profile", "note"]
    assert e.to_dict()["ci95_profile"] == [1.8, None]


# --- fractions and derived quantities ------------------------------------------------------


def test_fractions_against_monte_carlo():
    areas = np.array([75.0, 25.0, 10.0])
    cov = np.array([[4.0, -2.5, 0.3], [-2.5, 3.0, 0.0], [0.3, 0.0, 1.0]])
    f, err = fractions(areas, cov)
    assert f == pytest.approx(areas / areas.sum()) and f.sum() == pytest.approx(1.0)
    draws = np.random.default_rng(0).multivariate_normal(areas, cov, 200_000)
    mc = draws / draws.sum(axis=1, keepdims=True)
    assert err == pytest.approx(mc.std(axis=0), rel=0.01)
    nan, none = fractions([0.0, 0.0], cov[:2, :2])
    assert np.all(np.isnan(nan)) and none is None


def test_derived_estimate_and_gradient():
    a, b = Estimate(2.0, 0.1, name="a"), Estimate(3.0, 0.2, name="b")
    cov = np.array([[0.01, 0.005], [0.005, 0.04]])
    est = derived_estimate(lambda x, y: x * y, [a, b], cov, "Hz", "ab")
    grad = np.array([3.0, 2.0])
    assert est.value == 6.0 and est.stderr == pytest.approx(np.sqrt(grad @ cov @ grad), rel=1e-7)
    assert gradient(np.hypot, [3.0, 4.0]) == pytest.approx([0.6, 0.8], rel=1e-7)
    assert propagate(np.hypot, [3.0, 4.0], None) is None
    bounded = Estimate(0.0, None, bound="lower", name="eta")
    at = derived_estimate(lambda x, y: x * y, [a, bounded], cov, name="h")
    assert at.stderr is None and "eta" in at.note and "bound" in at.note and at.limited_by_bound
    # and further down the chain
    assert derived_estimate(lambda x: 2 * x, [at], np.zeros((1, 1))).stderr is None
    none = derived_estimate(lambda x, y: x * y, [a, b], None)
    assert none.stderr is None and "covariance" in none.note


def test_parameter_covariance_of_tied_parameters():
    """A tied parameter (an expression) gets its covariance through lmfit's uvars."""
    x = np.linspace(0.0, 10.0, 50)
    y = 2.0 * x + 1.0 + np.random.default_rng(0).normal(0.0, 0.1, x.size)
    p = lmfit.Parameters()
    p.add("a", value=1.0)
    p.add("b", value=0.0)
    p.add("c", value=0.0, vary=False)
    p.add("twice_a", expr="2 * a")
    out = lmfit.minimize(lambda q: (q["a"] * x + q["b"] - y) / 0.1, p, scale_covar=False)
    cov = parameter_covariance(out.uvars, ["a", "twice_a", "c"])
    ia = out.var_names.index("a")
    assert cov[0, 0] == pytest.approx(out.covar[ia, ia])
    assert cov[1, 1] == pytest.approx(4 * out.covar[ia, ia]) and cov[0, 1] == pytest.approx(
        2 * out.covar[ia, ia])
    assert np.all(cov[2] == 0) and parameter_covariance(None, ["a"]) is None


# --- noise σ given by the user, keys named by the axis unit ---------------------------------


def test_point_sigma_shapes():
    mask = np.array([False, True, True, False])
    assert point_sigma(0.5, 4, mask).sigma == pytest.approx([0.5, 0.5])
    assert point_sigma([1, 2, 3, 4], 4, mask).sigma == pytest.approx([2, 3])
    assert point_sigma([7, 8], 4, mask).known
    for bad in ([1, 2, 3], -1.0, [0.0, 1.0]):
        with pytest.raises(ParameterError):
            point_sigma(bad, 4, mask)


def test_axis_keys():
    assert axis_key("fwhm_lorentz", "ppm") == "fwhm_lorentz_ppm"
    assert axis_key("center", "cm-1") == "center_per_cm"
    assert axis_key("center", "ev") == "center_ev"
    assert unit_key("cm-1") == "per_cm" and unit_key("ppm") == "ppm"


def test_covariance_block_and_parameters_at_bound():
    cov = np.array([[1.0, 0.2, 0.1], [0.2, 2.0, 0.3], [0.1, 0.3, 3.0]])
    block = covariance_block(cov, ["a", "b", "c"], ["c", "x", "a"], exclude={"b"})
    np.testing.assert_array_equal(block, [[3.0, 0.0, 0.1], [0.0, 0.0, 0.0], [0.1, 0.0, 1.0]])
    assert covariance_block(None, ["a"], ["a"]) is None
    p = lmfit.Parameters()
    p.add("eta", value=0.0, min=0.0, max=1.0)
    p.add("w", value=1.0, min=0.0, max=2.0)
    p.add("tied", expr="eta")
    assert parameters_at_bound(p) == {"eta": "lower"}
    p["w"].set(value=2.0 - 1e-9)
    assert pin_at_bounds(p, ["eta", "w"]) == {"eta", "w"}
    assert (p["eta"].value, p["eta"].vary, p["w"].value, p["w"].vary) == (0.0, False, 2.0, False)
