"""Options of the FID → spectrum processing, as one typed object.

Readers translate a format's stored processing parameters into :class:`ProcessingOptions` once
(:func:`cald.io.bruker.processing_options` for TopSpin's ``procs``); the processing in
:mod:`cald.nmr.processing` takes a signal plus these options and never reads format keys. This
module sits below both (it imports neither), so that ``io`` does not import ``nmr``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from cald.errors import ParameterError

__all__ = ["AUTOPHASE_METHODS", "ProcessingOptions", "WINDOWS"]

#: Window functions of :func:`cald.nmr.processing.apodize`.
WINDOWS = ("none", "exponential", "gaussian", "gm", "sine", "qsine")
#: Automatic phase correction methods of :func:`cald.nmr.processing.autophase`.
AUTOPHASE_METHODS = ("acme", "negative")


@dataclass(frozen=True)
class ProcessingOptions:
    """How to turn an FID into a spectrum.

    Attributes
    ----------
    window
        One of :data:`WINDOWS`.
    lb_hz
        Line broadening of the exponential (and Gaussian/GM) window (Hz).
    gb_hz
        Gaussian FWHM of the ``gaussian`` window (Hz).
    gm_fraction
        TopSpin's GB of the ``gm`` window: position of the maximum as a fraction of AQ.
    ssb
        Sine-bell shift (TopSpin's SSB).
    size
        Complex points after zero filling (TopSpin's SI); ``None`` keeps the FID's length.
    p0_deg, p1_deg
        Zero- and first-order phase (TopSpin's PHC0, PHC1; pivot at the left edge).
    auto_phase
        ``"acme"`` or ``"negative"`` to phase automatically instead of ``p0_deg``/``p1_deg``.
    baseline
        pybaselines method to subtract a baseline with, or ``None``.
    shift_ppm
        Axis shift applied last (positive: peaks move to higher ppm).
    notes
        What the reader could not translate (e.g. an unsupported window), for the history.
    """

    window: str = "none"
    lb_hz: float = 0.0
    gb_hz: float = 0.0
    gm_fraction: float = 0.0
    ssb: float = 0.0
    size: int | None = None
    p0_deg: float = 0.0
    p1_deg: float = 0.0
    auto_phase: str | None = None
    baseline: str | None = None
    shift_ppm: float = 0.0
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise ParameterError(f"unknown window {self.window!r}; use {', '.join(WINDOWS)}")
        if self.size is not None and self.size < 1:
            raise ParameterError(f"zero-fill size must be ≥ 1, got {self.size}")

    def with_overrides(self, **overrides: Any) -> ProcessingOptions:
        """A copy with every override that is not ``None`` applied (unknown names are an error)."""
        names = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise ParameterError(f"unknown processing option(s): {', '.join(unknown)}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})
