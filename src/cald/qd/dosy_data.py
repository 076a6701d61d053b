"""DOSY decays from data: a Bruker series (the region's integral per row, with the encoding
from the data set's own pulse program and acqus) or a CSV table, ready for
:func:`cald.qd.dosy.fit_dosy`. The rows are extracted by :func:`cald.nmr.pseudo2d.dosy_series`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cald.errors import DataFileError, FieldError, ParameterError
from cald.fitting import SIGMA_ESTIMATED, SIGMA_GIVEN_PER_POINT, SIGMA_MEASURED
from cald.io.bruker import BrukerDataset, read_bruker
from cald.io.pulseprogram import diffusion_setup
from cald.io.table import read_table
from cald.nmr.pseudo2d import dosy_series
from cald.qd.dosy import DosyDecay, DosyTiming, gradient_shape

__all__ = ["dosy_decay", "read_dosy", "read_dosy_table"]


def dosy_decay(ds: BrukerDataset, region: tuple[float, float],
               auto_phase: str | None = None) -> DosyDecay:
    """The DOSY decay of a Bruker series for :func:`cald.qd.dosy.fit_dosy`: the region's
    integral per row (noise measured per row), the gradients of the difflist (G/cm → T/m), and
    the encoding from the data set's pulse program and acqus
    (:func:`cald.io.pulseprogram.diffusion_setup`: Δ, physical δ, τ, gradient shape; SOLVENT,
    TE).

    Raises
    ------
    DataFileError
        No difflist, a region outside the spectrum, an unknown sequence or gradient shape, missing
        or inconsistent delays, gradients not increasing or fewer than 4 rows.
    """
    setup = diffusion_setup(ds.path, ds.acqus)
    try:
        shape = gradient_shape(setup.gradient_shape)
    except FieldError as exc:
        raise DataFileError(f"GPNAM of the diffusion gradient: {exc.detail}", ds.path) from None
    try:
        series = dosy_series(ds, region, auto_phase)
    except FieldError:
        raise
    except ParameterError as exc:  # the region: name the option and the data set
        raise FieldError("region", f"{exc.detail} of {ds.path}") from None
    timing = DosyTiming(setup.big_delta_s, setup.little_delta_s, setup.recovery_s,
                        setup.sequence.bipolar, shape, ds.nucleus, setup.sequence.name)
    return DosyDecay(series.gradient_g_cm * 1e-2, series.intensity, series.noise, timing,
                     str(ds.path), SIGMA_MEASURED, series.region_ppm, setup.solvent,
                     setup.temperature_k, setup.sequence.notes)


def read_dosy_table(path: str, timing: DosyTiming) -> DosyDecay:
    """A DOSY decay from a CSV/TSV table with columns ``gradient_T_m`` and ``intensity`` (and
    optionally ``noise``, one σ per row: then σ is known); ``timing`` gives the encoding."""
    table = read_table(path)
    noise = table.find("noise")
    return DosyDecay(table.require("gradient_T_m"), table.require("intensity"), noise, timing,
                     table.source, SIGMA_ESTIMATED if noise is None else SIGMA_GIVEN_PER_POINT)


def read_dosy(path: str | os.PathLike[str], region: tuple[float, float] | None,
              csv_timing: Callable[[], DosyTiming]) -> DosyDecay:
    """A DOSY decay from a Bruker experiment folder (:func:`dosy_decay` over ``region``) or a
    CSV table (:func:`read_dosy_table` with the encoding ``csv_timing()``)."""
    if Path(path).is_dir():
        if region is None:
            raise FieldError("region", "a Bruker series needs the integration region A:B (ppm)")
        return dosy_decay(read_bruker(path), region)
    return read_dosy_table(str(path), csv_timing())
