"""Options of the recoupling operations (``cald respdor curve``, ``cald respdor fit`` and the
``respdor`` analysis kind): one model each, shared by the command line and the project file
(see :mod:`cald.options` for the conventions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from cald.nuclei import Isotope, dipolar_coupling_hz, parse_pair, parse_spin
from cald.options import FloatList, NonNegativeInt, Options, PositiveFloat
from cald.recoupling import MODELS

if TYPE_CHECKING:
    from cald.recoupling.data import DephasingCurve
    from cald.recoupling.fit import RespdorResult

__all__ = ["DephasingOptions", "RespdorCurveOptions", "RespdorFitOptions"]


def _check_pair(text: str) -> str:
    parse_pair(text)
    return text


#: A heteronuclear pair such as ``13C-27Al`` (observed-dephasing), kept as written.
Pair = Annotated[str, AfterValidator(_check_pair)]
#: A nuclear spin from ``5/2``, ``"2.5"`` or a number.
Spin = Annotated[float, BeforeValidator(parse_spin)]


class DephasingOptions(Options):
    """The spin system of a dephasing curve: the pair and/or the spin of the saturated nucleus,
    and the recoupling scaling factor."""

    pair: Pair | None = Field(None, description="Observed-dephasing pair, e.g. 13C-27Al (sets I "
                                                "from the dephasing nucleus).")
    spin: Spin | None = Field(None, description="Spin I of the saturated nucleus, 5/2 or 2.5 "
                                                "(overrides the pair's).")
    kappa: PositiveFloat = Field(1.0, description="Recoupling scaling factor κ, λ = κ·D·t "
                                                  "(1 for π-pulse REDOR).")
    experiment: str = Field("respdor", description="respdor (saturation of the dephasing spin, "
                                                   "plateau f·2I/(2I+1)) or redor (π pulses "
                                                   "invert a spin-1/2 partner, plateau f).")

    @field_validator("experiment")
    @classmethod
    def _known_experiment(cls, value: str) -> str:
        from cald.recoupling.redor import EXPERIMENTS  # scipy: not at import of the CLI

        if value not in EXPERIMENTS:
            raise ValueError(f"must be {' or '.join(EXPERIMENTS)}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _pair_or_spin(self) -> Self:
        from cald.recoupling.redor import check_experiment

        if self.pair is None and self.spin is None:
            raise ValueError("give {pair} (e.g. 13C-27Al) or {spin}")
        check_experiment(self.experiment, self.spin_value)
        return self

    @property
    def isotopes(self) -> tuple[Isotope, Isotope] | None:
        """(observed, dephasing) isotopes of :attr:`pair`, or ``None``."""
        return None if self.pair is None else parse_pair(self.pair)

    @property
    def spin_value(self) -> float:
        """Spin I of the saturated nucleus: :attr:`spin`, else the pair's dephasing nucleus."""
        if self.spin is not None:
            return self.spin
        isotopes = self.isotopes
        assert isotopes is not None  # checked by the model
        return isotopes[1].spin


class RespdorCurveOptions(DephasingOptions):
    """``cald respdor curve``: ΔS/S0 at given times (RESPDOR f·g_I(κ D t) or REDOR
    f·[1 − R(κ D t)]), D given or from r."""

    boundary_units = {"t_ms": ("t_s", 1e-3)}

    t_s: FloatList = Field(description="Recoupling times (ms), comma-separated.")
    d_hz: PositiveFloat | None = Field(None, description="Dipolar coupling D (Hz).")
    r_angstrom: PositiveFloat | None = Field(None, description="Distance (Å), needs --pair.")
    f: float = Field(1.0, description="Dephased fraction f, 0 ≤ f ≤ 1.")

    @field_validator("t_s")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(t < 0 for t in value):
            raise ValueError("must not contain negative times")
        return value

    @field_validator("f")
    @classmethod
    def _fraction(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"must be within [0, 1], got {value}")
        return value

    @model_validator(mode="after")
    def _one_coupling(self) -> Self:
        if (self.d_hz is None) == (self.r_angstrom is None):
            raise ValueError("give exactly one of {d_hz} and {r_angstrom}")
        if self.r_angstrom is not None and self.pair is None:
            raise ValueError("{r_angstrom} needs {pair} to convert the distance to D")
        return self

    def coupling_hz(self) -> float:
        """D (Hz): as given, or from the distance and the pair."""
        if self.d_hz is not None:
            return self.d_hz
        isotopes = self.isotopes
        assert isotopes is not None and self.r_angstrom is not None  # checked by the model
        return float(dipolar_coupling_hz(self.r_angstrom, *isotopes))


class RespdorFitOptions(DephasingOptions):
    """``cald respdor fit``: D (and r) and f of a measured dephasing curve, with uncertainties."""

    fix_f: float | None = Field(None, description="Hold f at this value (0 < f ≤ 1).")
    models: list[str] = Field(["single"], description=f"Model(s) to fit: {', '.join(MODELS)} or "
                                                      "all (single is always fitted).")
    fit_distance: bool = Field(False, description="Fit r directly instead of D (needs --pair).")
    bootstrap: NonNegativeInt = Field(1000, description="Bootstrap samples (0: none).")
    seed: NonNegativeInt = Field(0, description="Seed of the bootstrap.")

    @field_validator("fix_f")
    @classmethod
    def _fixed_fraction(cls, value: float | None) -> float | None:
        if value is not None and not 0.0 < value <= 1.0:
            raise ValueError(f"must be within (0, 1], got {value}")
        return value

    @model_validator(mode="after")
    def _distance_needs_pair(self) -> Self:
        if self.fit_distance and self.pair is None:
            raise ValueError("{fit_distance} needs the spin pair ({pair}): a distance needs both "
                             "nuclei")
        return self

    @field_validator("models", mode="before")
    @classmethod
    def _known_models(cls, value: Any) -> Any:
        names = [value] if isinstance(value, str) else value
        if isinstance(names, list):
            if "all" in names:
                return list(MODELS)
            unknown = [m for m in names if m not in MODELS]
            if unknown:
                raise ValueError(f"{unknown[0]!r} is not one of {', '.join(MODELS)}, all")
        return names

    def fit(self, curve: DephasingCurve) -> RespdorResult:
        """:func:`cald.recoupling.fit.fit_respdor` of a
        :class:`~cald.recoupling.data.DephasingCurve` with these options."""
        from cald.recoupling.fit import fit_respdor

        return fit_respdor(curve, spin=self.spin_value, kappa=self.kappa, pair=self.isotopes,
                           f_fixed=self.fix_f, models=self.models, fit_distance=self.fit_distance,
                           n_bootstrap=self.bootstrap, seed=self.seed,
                           experiment=self.experiment)
