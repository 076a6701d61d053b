"""Options of the lineshape fits (``cald peaks fit``, ``cald quad fit``, ``cald csa fit`` and the
``peaks``, ``quad`` and ``csa`` analysis kinds): one model each, shared by the command line and
the project file (see :mod:`cald.options` for the conventions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, field_validator, model_validator

from cald.nmr.options import SpectrumOptions
from cald.options import FloatList, NonNegativeFloat, PositiveFloat, Region, check

if TYPE_CHECKING:
    from cald.lineshape.csaresult import CsaFitResult
    from cald.lineshape.czjzekresult import QuadrupolarFitResult
    from cald.lineshape.pass_ import PassFitResult
    from cald.lineshape.peak_result import PeakFitResult
    from cald.spectrum import Spectrum

__all__ = ["PEAK_SHAPES", "CsaFitOptions", "PeaksFitOptions", "QuadFitOptions", "parse_sites"]

#: Peak shapes of :func:`cald.lineshape.peaks.fit_peaks` (the keys of its ``SHAPES``).
PEAK_SHAPES = ("gaussian", "lorentzian", "voigt", "pseudo_voigt")


def _none_word(value: Any) -> Any:
    return None if value == "none" else value


class PeaksFitOptions(SpectrumOptions):
    """``cald peaks fit``: region, number and shape of the peaks, starting centres and ties."""

    region: Region = Field(description="Fit region A:B (axis units).")
    n_peaks: Annotated[int, check(lambda v: v >= 1, "must be at least 1")] | None = Field(
        None, description="Number of peaks (default: picked).")
    shape: Annotated[str, check(lambda v: v in PEAK_SHAPES,
                                f"must be one of {', '.join(PEAK_SHAPES)}", quote=True)] = Field(
        "voigt", description="gaussian, lorentzian, voigt, pseudo_voigt.")
    centers: FloatList | None = Field(None, description="Starting centres, comma-separated.")
    equal_widths: bool = Field(False, description="One width for all peaks.")
    baseline: Annotated[Literal["linear", "constant"] | None, BeforeValidator(_none_word)] = Field(
        "linear", description="linear, constant or none.")

    @field_validator("baseline", mode="wrap")
    @classmethod
    def _baseline_message(cls, value: Any, handler: Any) -> Any:
        try:
            return handler(value)
        except ValueError:
            raise ValueError(f"must be linear, constant or none, got {value!r}") from None

    def fit(self, spec: Spectrum) -> PeakFitResult:
        """:func:`cald.lineshape.peaks.fit_peaks` of ``spec`` with these options."""
        from cald.lineshape.peaks import fit_peaks

        return fit_peaks(spec, self.region, n_peaks=self.n_peaks, shape=self.shape,
                         centers=self.centers, ties={"equal_widths": self.equal_widths},
                         baseline=self.baseline)


def parse_sites(value: Any) -> Any:
    """``"4,5,6"`` (coordination numbers), ``"68,35,8"`` (ppm, with a decimal point or beyond 9)
    or labels such as ``"IV"`` → a list; lists pass unchanged."""
    if not isinstance(value, str):
        return value
    out: list[float | int | str] = []
    for token in (t.strip() for t in value.split(",") if t.strip()):
        try:
            number = float(token)
        except ValueError:
            out.append(token)
            continue
        out.append(int(number) if number.is_integer() and "." not in token and 1 <= number <= 9
                   else number)
    if not out:
        raise ValueError(f"needs at least one site, got {value!r}")
    return out


class QuadFitOptions(SpectrumOptions):
    """``cald quad fit``: nucleus, field, MAS rate and starting sites (coordination numbers or
    δiso in ppm) of a Czjzek fit."""

    boundary_units = {**SpectrumOptions.boundary_units, "mas_khz": ("mas_hz", 1e3)}

    nucleus: str = Field("27Al", description="Quadrupolar nucleus, e.g. 27Al.")
    field_1h_mhz: PositiveFloat | None = Field(None, description="1H frequency (MHz); default "
                                                                 "from the data.")
    mas_hz: NonNegativeFloat | None = Field(None, description="MAS rate (kHz); omit for "
                                                              "infinitely fast.")
    sites: Annotated[list[float | int | str], BeforeValidator(parse_sites)] = Field(
        [4, 5, 6], description="4,5,6 (coordination) or starting δiso in ppm, comma-separated.")
    region: Region | None = Field(None, description="Fit region A:B (ppm).")
    cq_max_mhz: PositiveFloat = Field(20.0, description="Largest C_Q of the kernel grid (MHz); "
                                                        "doubled automatically when a fitted σ "
                                                        "reaches its limit.")

    def fit(self, spec: Spectrum) -> QuadrupolarFitResult:
        """:func:`cald.lineshape.czjzekfit.fit_quadrupolar` of ``spec`` with these options."""
        from cald.lineshape.czjzekfit import fit_quadrupolar

        return fit_quadrupolar(spec, self.nucleus, self.field_1h_mhz, self.mas_hz, self.sites,
                               region=self.region, cq_max_mhz=self.cq_max_mhz)


class CsaFitOptions(SpectrumOptions):
    """``cald csa fit``: MAS rate, field, starting isotropic shifts and lineshape of a
    sideband-manifold fit (or, with ``pass_data``, of a PASS table)."""

    boundary_units = {**SpectrumOptions.boundary_units, "mas_khz": ("mas_hz", 1e3)}

    nucleus: str | None = Field(None, description="Observed spin-1/2 nucleus, e.g. 113Cd.")
    mas_hz: PositiveFloat = Field(description="MAS rate (kHz): the start of the fitted rate "
                                              "(±2 %).")
    fix_mas: bool = Field(False, description="Hold the MAS rate at the value given.")
    field_1h_mhz: PositiveFloat | None = Field(None, description="1H frequency (MHz); default "
                                                                 "from the data.")
    sites: FloatList | None = Field(None, description="Isotropic shifts (ppm), comma-separated; "
                                                      "default: found.")
    lineshape: str = Field("lorentzian", description="lorentzian, gaussian, voigt.")
    region: Region | None = Field(None, description="Fit region A:B (ppm).")
    pass_data: bool = Field(False, description="The input is PASS data: CSV with ppm and "
                                               "order_<k> columns, or a Bruker folder with "
                                               "TopSpin's processed 2D PASS data (2rr).")

    @field_validator("lineshape")
    @classmethod
    def _lineshape(cls, value: str) -> str:
        if value not in ("lorentzian", "gaussian", "voigt"):
            raise ValueError(f"must be lorentzian, gaussian or voigt, got {value!r}")
        return value

    @model_validator(mode="after")
    def _pass_takes_no_spectrum_options(self) -> Self:
        """A PASS fit uses the sideband intensities of every order: refuse the options of a
        sideband-spectrum fit instead of ignoring them."""
        if self.pass_data:
            given = [name for name, unused in (
                ("region", self.region is not None), ("lineshape", self.lineshape != "lorentzian"),
                ("fix_mas", self.fix_mas), ("row", self.row is not None), ("cpmg", self.cpmg),
                ("echo_period_s", self.echo_period_s is not None),
                ("grpdly", self.grpdly is not None)) if unused]
            if given:
                raise ValueError(f"{{pass_data}} fits PASS intensities; {{{given[0]}}} does not "
                                 "apply to it")
        return self

    def fit(self, spec: Spectrum) -> CsaFitResult:
        """:func:`cald.lineshape.csafit.fit_csa` of a sideband spectrum with these options."""
        from cald.lineshape.csafit import fit_csa

        return fit_csa(spec, mas_hz=self.mas_hz, sites=self.sites, nucleus=self.nucleus,
                       field_1h_mhz=self.field_1h_mhz, lineshape=self.lineshape,
                       region=self.region, fix_mas=self.fix_mas)

    def fit_pass(self, rows: Spectrum) -> PassFitResult:
        """:func:`cald.lineshape.pass_.fit_pass` of PASS sideband-order rows with these options."""
        from cald.lineshape.pass_ import fit_pass

        return fit_pass(rows, mas_hz=self.mas_hz, sites=self.sites, nucleus=self.nucleus,
                        field_1h_mhz=self.field_1h_mhz)
