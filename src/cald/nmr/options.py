"""Options of the NMR operations (``cald nmr process``, ``cald nmr enhancement``, ``cald respdor
extract``, and the ``nmr``, ``dnp`` and ``respdor`` analysis kinds): one model each, shared by the
command line and the project file (see :mod:`cald.options` for the conventions).

:class:`SpectrumOptions` is the base of every operation that reads one spectrum (Bruker folder,
JCAMP-DX or CSV), so options of the reading step are declared once for all of them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from cald.errors import FieldError
from cald.options import FloatList, Options, PositiveFloat, Region, check
from cald.processing_options import AUTOPHASE_METHODS

if TYPE_CHECKING:
    from cald.io.nmrdata import NmrDataset
    from cald.nmr.dnp import DnpEnhancement
    from cald.nmr.pseudo2d import RespdorSeries
    from cald.spectrum import Spectrum

__all__ = ["AutoPhase", "BrukerReadOptions", "CpmgOptions",
           "EnhancementOptions", "Grpdly", "ProcessOptions", "RespdorSeriesOptions",
           "SpectrumOptions"]

#: An automatic phase correction method (``acme`` or ``negative``).
AutoPhase = Annotated[str, check(lambda v: v in AUTOPHASE_METHODS,
                                 f"must be {' or '.join(AUTOPHASE_METHODS)}", quote=True)]


#: A digital-filter delay in dwell times, for Bruker data sets that do not store one.
Grpdly = Annotated[float, check(lambda v: v >= 0, "must be ≥ 0 points")]


class BrukerReadOptions(Options):
    """Reading a raw FID or series of any format (:func:`cald.io.nmrdata.read_raw`; the name
    is historical): the digital-filter delay when the data set cannot tell."""

    grpdly: Grpdly | None = Field(None, description="Digital-filter delay in points (dwell times) "
                                                    "for data sets that do not store it (e.g. "
                                                    "DSPFVS = 0 from simulation programs).")

    def dataset(self, path: str | os.PathLike[str]) -> NmrDataset:
        """:func:`cald.io.nmrdata.read_raw` (format detected) with these options."""
        from cald.io.nmrdata import read_raw

        return read_raw(path, grpdly=self.grpdly)


class CpmgOptions(Options):
    """Summing the echoes of CPMG-detected data (:func:`cald.nmr.cpmg.sum_echoes`)."""

    boundary_units = {"echo_period_us": ("echo_period_s", 1e-6)}

    cpmg: bool = Field(False, description="Sum the echoes of the CPMG train(s) before the "
                                          "Fourier transform.")
    echo_period_s: PositiveFloat | None = Field(None, description="Echo period of the CPMG train "
                                                                  "(µs); default from the data set "
                                                                  "(D6 + 2·D3 + P2).")


class SpectrumOptions(BrukerReadOptions, CpmgOptions):
    """Reading one spectrum (Bruker folder processed with its stored parameters, JCAMP-DX or CSV):
    the base of every operation on a 1D spectrum, with the row of a series, CPMG echo summation
    and the digital-filter delay of Bruker data (see :func:`cald.read`)."""

    row: Annotated[int, check(lambda v: v >= 1, "must be ≥ 1 (1 = first row)")] | None = Field(
        None, description="Row of a series (ser) to take, 1 = first (as TopSpin counts).")

    def read(self, source: str | os.PathLike[str], **processing: Any) -> Spectrum:
        """The spectrum of ``source`` (:func:`cald.read`; ``processing`` as its overrides)."""
        from cald.nmr.reading import read

        return read(source, row=self.row, cpmg=self.cpmg, echo_period_s=self.echo_period_s,
                    grpdly=self.grpdly, **processing)


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

    def read(self, source: str | os.PathLike[str], **processing: Any) -> Spectrum:
        """The spectrum of ``source`` processed with these options."""
        return super().read(source, processed=self.processed, lb_hz=self.lb_hz, size=self.size,
                            p0_deg=self.phc0, p1_deg=self.phc1, auto_phase=self.auto_phase,
                            baseline=self.baseline, shift_ppm=self.shift_ppm, **processing)


class EnhancementOptions(BrukerReadOptions):
    """``cald nmr enhancement``: integration region and optional automatic phase of the
    microwave-on spectrum."""

    region: Region = Field(description="Integration region A:B (ppm).")
    auto_phase: AutoPhase | None = Field(None, description="acme or negative.")

    def enhancement(self, on: NmrDataset, off: NmrDataset) -> DnpEnhancement:
        """:func:`cald.nmr.dnp.dnp_enhancement` of a microwave-on/off pair."""
        from cald.nmr.dnp import dnp_enhancement

        return dnp_enhancement(on, off, self.region, self.auto_phase)


class RespdorSeriesOptions(BrukerReadOptions, CpmgOptions):
    """``cald respdor extract``: integrate a RESPDOR series into its S0/S curve (with ``cpmg``:
    the echoes of each CPMG-detected row summed first)."""

    boundary_units = {**CpmgOptions.boundary_units, "t_ms": ("t_s", 1e-3)}

    region: Region = Field(description="Integration region A:B (ppm).")
    t_s: Annotated[FloatList, check(lambda v: min(v) >= 0, "must not contain negative times")] \
        | None = Field(None, description="Recoupling times (ms), comma-separated; default from "
                                         "vclist × rotor period or vdlist.")
    s_first: bool = Field(False, description="Interleaved rows start with S, not S0.")
    auto_phase: AutoPhase | None = Field(None, description="acme or negative (on the sum).")

    def series(self, ds: NmrDataset, reference: NmrDataset | None = None) -> RespdorSeries:
        """:func:`cald.nmr.pseudo2d.respdor_series` of a series (and its S0 reference)."""
        import numpy as np

        from cald.nmr.pseudo2d import respdor_series

        times = None if self.t_s is None else np.asarray(self.t_s)
        try:
            return respdor_series(ds, self.region, times, reference, s0_first=not self.s_first,
                                  auto_phase=self.auto_phase, cpmg=self.cpmg,
                                  echo_period_s=self.echo_period_s)
        except FieldError as exc:  # the library names its argument; the user knows the option
            if exc.field != "times_s":
                raise
            raise FieldError(self.boundary_name("t_s"), exc.detail) from None

    def read_series(self, path: str | os.PathLike[str],
                    reference: str | os.PathLike[str] | None = None) -> RespdorSeries:
        """:meth:`series` of the raw series at ``path`` (and of its separate S0 experiment
        ``reference``), read with :meth:`dataset`."""
        return self.series(self.dataset(path), None if reference is None else self.dataset(reference))

