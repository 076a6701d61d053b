"""The shared fitting core: what every fit family (RESPDOR curves, peaks, CSA sidebands, Czjzek
sites, and the families to come) reports and how it computes its uncertainties.

Pieces
------
:class:`Estimate`
    A value with its standard error, unit, fixed flag, named intervals and a note saying why an
    error is missing (:mod:`cald.fitting.estimate`).
:class:`FitResult`
    The base of every family's result: estimates, :class:`FitStatistics`, notes, curves as
    :class:`~cald.spectrum.Spectrum` (:func:`curve_spectra`), ``to_dict()``, ``report()``
    (:mod:`cald.fitting.result`).
:class:`ResultDisplay`
    The notebook presentation every result shares: ``_repr_html_`` (parameters with errors,
    statistics, notes) and ``plot()`` of its curves (:mod:`cald.fitting.display`).
:func:`at_bound` and friends
    One tolerance rule for "a parameter at a bound" (:mod:`cald.fitting.bounds`).
:func:`information_criteria`
    AIC, AICc, BIC in one place (:mod:`cald.fitting.statistics`).
:func:`fractions`, :func:`derived_estimate`, :func:`propagate`
    Fractions and derived quantities with errors from the full covariance
    (:mod:`cald.fitting.derived`).
:func:`measure_noise`, :func:`point_sigma`
    Where σ comes from (:mod:`cald.fitting.uncertainty`).
:func:`estimates_from_params`
    lmfit parameters → estimates, the bound rule applied (:mod:`cald.fitting.parameters`).

The uncertainty rule
--------------------
One rule for every fit:

* **σ measured** — given by the user, propagated from intensity noise, or measured on the
  spectrum (receiver noise): the points are weighted by 1/σ, the covariance (JᵀWJ)⁻¹ is **not**
  rescaled, and χ²ᵣ = χ²/(n − k) is reported as the check of σ and of the model (≈ 1 expected;
  ≫ 1 means σ is underestimated, e.g. by correlated noise, or the model misses something).
* **σ estimated from the residuals** — nothing else is known: unit weights, the covariance is
  scaled by χ²/(n − k), and the result reports the residual standard deviation
  √(χ²/(n − k)) in data units (``residual_std``) instead of a χ²ᵣ computed with σ = 1, which
  would read as a verdict on the fit while it only reflects the units of the data
  (``redchi`` is then ``None``; the key stays in ``to_dict()``).

AIC/AICc/BIC use χ² with σ known and n·ln(χ²/n) with σ estimated (:func:`information_criteria`).

A parameter at a bound of its range (:func:`at_bound`: within 10⁻⁶ of the range, or of
max(|bound|, scale) for a half-open range) has no covariance error, and nothing derived from it
has one either: such estimates carry ``stderr = None`` and a note.
"""

from cald.fitting.bounds import (
    BOUND_RTOL,
    at_bound,
    bound_note,
    derived_bound_note,
    expression_inputs,
    parameter_at_bound,
    parameters_at_bound,
    pin_at_bounds,
)
from cald.fitting.derived import covariance_block, derived_estimate, fractions, gradient, propagate
from cald.fitting.display import Display, ResultDisplay
from cald.fitting.estimate import Estimate, Interval
from cald.fitting.parameters import estimate_of, estimates_from_params, parameter_covariance
from cald.fitting.result import FitResult, curve_spectra
from cald.fitting.statistics import FitStatistics, information_criteria
from cald.fitting.uncertainty import (
    SIGMA_ESTIMATED,
    SIGMA_GIVEN,
    SIGMA_GIVEN_PER_POINT,
    SIGMA_MEASURED,
    Noise,
    measure_noise,
    point_sigma,
)

__all__ = [
    "BOUND_RTOL",
    "Display",
    "Estimate",
    "FitResult",
    "curve_spectra",
    "FitStatistics",
    "Interval",
    "Noise",
    "ResultDisplay",
    "SIGMA_ESTIMATED",
    "SIGMA_GIVEN",
    "SIGMA_GIVEN_PER_POINT",
    "SIGMA_MEASURED",
    "at_bound",
    "bound_note",
    "covariance_block",
    "derived_bound_note",
    "derived_estimate",
    "estimate_of",
    "estimates_from_params",
    "expression_inputs",
    "fractions",
    "gradient",
    "information_criteria",
    "measure_noise",
    "parameter_at_bound",
    "parameter_covariance",
    "parameters_at_bound",
    "pin_at_bounds",
    "point_sigma",
    "propagate",
]
