"""Options of the NMR operations (``cald nmr process``, ``cald nmr enhancement``, ``cald respdor
extract``, and the ``nmr``, ``dnp`` and ``respdor`` analysis kinds): one model each, shared by the
command line and the project file (see :mod:`cald.options` for the conventions).

:class:`SpectrumOptions` is the base of every operation that reads one spectrum (Bruker folder,
JCAMP-DX or CSV), so options of the reading step are declared once for all of them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from cald.errors import FieldError
from cald.options import FloatList, Options, PositiveFloat, Region, check

if TYPE_CHECKING:
    from cald.io.bruker import BrukerDataset
    from cald.nmr.dnp import DnpEnhancement
    from cald.nmr.pseudo2d import RespdorSeries
    from cald.spectrum import Spectrum

__all__ = ["AUTOPHASE_METHODS", "AutoPhase", "EnhancementOptions", "ProcessOptions",
           "RespdorSeriesOptions", "SpectrumOptions"]

#: Automatic phase correction methods of :func:`cald.nmr.processing.autophase`.
AUTOPHASE_METHODS = ("acme", "negative")

#: An automatic phase correction method (``acme`` or ``negative``).
AutoPhase = Annotated[str, check(lambda v: v in AUTOPHASE_METHODS,
                                 f"must be {' or '.join(AUTOPHASE_METHODS)}", quote=True)]


class SpectrumOptions(Options):
    """Reading one spectrum (Bruker folder processed with its stored parameters, JCAMP-DX or CSV):
    the base of every operation on a 1D spectrum."""

    def read(self, source: str | os.PathLike[str]) -> Spectrum:
        """The spectrum of ``source`` (see :func:`cald.nmr.workflow.process_source`)."""
        from cald.nmr.workflow import process_source

        return process_source(source)


class ProcessOptions(SpectrumOptions):
    """``cald nmr process``: processing options (unset: the data set's stored parameters) and
    the peak-picking threshold."""

    processed: bool = Field(False, description="Use TopSpin's pdata/1/1r as it is.")
    lb_hz: float | None = Field(None, description="Exponential line broadening (Hz); default: "
                                                  "stored LB.")
    size: Annotated[int, check(lambda v: v >= 8, "must be at least 8 points")] | None = Field(
        None, description="Zero fill to this many points; default SI.")
    phc0: float | None = Field(None, description="Zero-order phase (°).")
    phc1: float | None = Field(None, description="First-order phase (°).")
    auto_phase: AutoPhase | None = Field(None, description="acme or negative.")
    baseline: str | None = Field(None, description="pybaselines method, e.g. asls.")
    shift_ppm: float = Field(0.0, description="Move the axis by this many ppm (referencing).")
    min_snr: PositiveFloat = Field(5.0, description="Peak-picking threshold.")

    def read(self, source: str | os.PathLike[str]) -> Spectrum:
        """The spectrum of ``source`` processed with these options."""
        from cald.nmr.workflow import process_source

        return process_source(source, processed=self.processed, lb_hz=self.lb_hz, size=self.size,
                              phc0=self.phc0, phc1=self.phc1, auto_phase=self.auto_phase,
                              baseline=self.baseline, shift_ppm=self.shift_ppm)


class EnhancementOptions(Options):
    """``cald nmr enhancement``: integration region and optional automatic phase of the
    microwave-on spectrum."""

    region: Region = Field(description="Integration region A:B (ppm).")
    auto_phase: AutoPhase | None = Field(None, description="acme or negative.")

    def enhancement(self, on: BrukerDataset, off: BrukerDataset) -> DnpEnhancement:
        """:func:`cald.nmr.dnp.dnp_enhancement` of a microwave-on/off pair."""
        from cald.nmr.dnp import dnp_enhancement

        return dnp_enhancement(on, off, self.region, self.auto_phase)


class RespdorSeriesOptions(Options):
    """``cald respdor extract``: integrate a RESPDOR series into its S0/S curve."""

    boundary_units = {"t_ms": ("t_s", 1e-3)}

    region: Region = Field(description="Integration region A:B (ppm).")
    t_s: Annotated[FloatList, check(lambda v: min(v) >= 0, "must not contain negative times")] \
        | None = Field(None, description="Recoupling times (ms), comma-separated; default from "
                                         "vclist × rotor period or vdlist.")
    s_first: bool = Field(False, description="Interleaved rows start with S, not S0.")
    auto_phase: AutoPhase | None = Field(None, description="acme or negative (on the sum).")

    def series(self, ds: BrukerDataset, reference: BrukerDataset | None = None) -> RespdorSeries:
        """:func:`cald.nmr.pseudo2d.respdor_series` of a series (and its S0 reference)."""
        import numpy as np

        from cald.nmr.pseudo2d import respdor_series

        times = None if self.t_s is None else np.asarray(self.t_s)
        try:
            return respdor_series(ds, self.region, times, reference, s0_first=not self.s_first,
                                  auto_phase=self.auto_phase)
        except FieldError as exc:  # the library names its argument; the user knows the option
            if exc.field != "times_s":
                raise
            raise FieldError(self.boundary_name("t_s"), exc.detail) from None

