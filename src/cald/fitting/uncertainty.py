"""Where σ comes from: given, measured on the spectrum, or estimated from the residuals.

The outcome decides how the covariance is used (the rule of :mod:`cald.fitting`): a
:class:`Noise` with ``sigma`` set weights the points by 1/σ and leaves the covariance
unscaled; ``sigma`` ``None`` fits with unit weights and scales the covariance by χ²/(n − k).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.spectrum import Spectrum

__all__ = [
    "SIGMA_GIVEN",
    "SIGMA_GIVEN_PER_POINT",
    "SIGMA_MEASURED",
    "SIGMA_ESTIMATED",
    "Noise",
    "measure_noise",
    "point_sigma",
]

SIGMA_GIVEN = "given"
SIGMA_GIVEN_PER_POINT = "given per point"
SIGMA_MEASURED = "measured on the spectrum (noise_std)"
SIGMA_ESTIMATED = "estimated from the residuals"

#: A measured σ below this fraction of the largest |value| is rounding noise of noiseless data.
NOISE_FLOOR_RTOL = 1e-10


@dataclass(frozen=True)
class Noise:
    """σ per fitted point (``None``: estimated from the residuals) and where it came from.

    Attributes
    ----------
    sigma
        One σ per point, in the data's units, or ``None``.
    source
        One of the ``SIGMA_*`` strings of this module.
    note
        Why σ had to be estimated, when it had to be.
    """

    sigma: NDArray[np.float64] | None
    source: str
    note: str | None = None

    @property
    def known(self) -> bool:
        """True when σ is given or measured (covariance not rescaled)."""
        return self.sigma is not None

    @property
    def weights(self) -> NDArray[np.float64] | None:
        """1/σ per point (lmfit's residual weights), ``None`` when σ is estimated."""
        return None if self.sigma is None else 1.0 / self.sigma

    @property
    def typical(self) -> float | None:
        """Mean σ (``None`` when estimated)."""
        return None if self.sigma is None else float(np.mean(self.sigma))


def measure_noise(spec: Spectrum, n_points: int, scale: float = 0.0) -> Noise:
    """σ of the spectrum's real part (:func:`cald.noise.noise_std`) for ``n_points``
    fitted points; estimated from the residuals when it cannot be measured or lies below
    ``NOISE_FLOOR_RTOL`` × ``scale`` (``scale``: the largest |value| fitted)."""
    from cald.noise import noise_std

    try:
        s = float(noise_std(spec))
    except (ParameterError, ValueError, np.linalg.LinAlgError):
        s = float("nan")
    if np.isfinite(s) and s > NOISE_FLOOR_RTOL * scale:
        return Noise(np.full(n_points, s), SIGMA_MEASURED)
    return Noise(None, SIGMA_ESTIMATED,
                 "the noise σ could not be measured on the spectrum: σ estimated from the "
                 "residuals (covariance scaled by χ²/(n − k))")


def point_sigma(sigma: float | ArrayLike, spec_points: int, mask: NDArray[np.bool_]) -> Noise:
    """A user's σ: a number, or one value per point of the spectrum (``spec_points``) or of the
    fitted region (``mask.sum()`` points).

    Raises
    ------
    ParameterError
        Wrong shape, or a σ that is not positive and finite.
    """
    n = int(np.count_nonzero(mask))
    sig = np.asarray(sigma, dtype=float)
    if sig.ndim == 0:
        noise = Noise(np.full(n, float(sig)), SIGMA_GIVEN)
    elif sig.shape == (spec_points,):
        noise = Noise(sig[mask], SIGMA_GIVEN_PER_POINT)
    elif sig.shape == (n,):
        noise = Noise(sig.copy(), SIGMA_GIVEN_PER_POINT)
    else:
        raise ParameterError(f"sigma must be a number or one value per point of the spectrum "
                             f"({spec_points}) or of the region ({n}); got shape {sig.shape}")
    assert noise.sigma is not None
    if not np.all(np.isfinite(noise.sigma) & (noise.sigma > 0)):
        raise ParameterError("sigma must be positive and finite")
    return noise
