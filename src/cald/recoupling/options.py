"""Options of the recoupling operations (``cald respdor curve``, ``cald respdor fit``,
``cald respdor simulate`` and the ``respdor`` analysis kind): one model each, shared by the
command line and the project file (see :mod:`cald.options` for the conventions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from cald.errors import DataFileError
from cald.nuclei import Isotope, dipolar_coupling_hz, larmor_mhz, parse_pair, parse_spin
from cald.options import FloatList, NonNegativeInt, Options, PositiveFloat, check
from cald.recoupling import MODELS

if TYPE_CHECKING:
    from cald.recoupling.data import DephasingCurve
    from cald.recoupling.fit import RespdorResult
    from cald.recoupling.saturation import CqNodes, SaturationCorrection
    from cald.recoupling.spindynamics import CoupledSpin, Crystallites, Experiment, SimulatedCurve

__all__ = ["DephasingOptions", "RespdorCurveOptions", "RespdorFitOptions", "RespdorSimulateOptions",
           "SaturationOptions"]


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


class SaturationOptions(Options):
    """The simulated experiment shared by ``cald respdor simulate`` and ``cald respdor fit
    --simulate``: MAS, recoupling on S, the saturation pulse on I, the quadrupolar coupling of I
    and the powder set (:mod:`cald.recoupling.spindynamics`)."""

    boundary_units = {"mas_khz": ("mas_hz", 1e3), "sat_pulse_us": ("sat_pulse_s", 1e-6),
                      "sat_rf_khz": ("sat_rf_hz", 1e3), "sat_offset_khz": ("sat_offset_hz", 1e3),
                      "s_rf_khz": ("s_rf_hz", 1e3), "cq_mhz": ("cq_hz", 1e6)}

    mas_hz: PositiveFloat | None = Field(None, description="MAS rate (kHz).")
    recoupling: str = Field("redor", description="redor (π pulses on S, XY-8) or sr4 (SR4₁²).")
    sat_pulse_s: PositiveFloat = Field(500e-6, description="Saturation pulse length (µs).")
    sat_rf_hz: PositiveFloat = Field(10e3, description="Saturation pulse rf amplitude (kHz).")
    sat_offset_hz: float = Field(0.0, description="Saturation pulse offset (kHz).")
    s_rf_hz: PositiveFloat = Field(50e3, description="RF amplitude of the REDOR π pulses on S "
                                                     "(kHz; SR4₁² uses 2× the MAS rate).")
    cq_hz: PositiveFloat = Field(5e6, description="Quadrupolar coupling C_Q of I (MHz; default "
                                                  "5, typical of amorphous alumina).")
    eta: Annotated[float, check(lambda v: 0.0 <= v <= 1.0, "must be within [0, 1]")] = Field(
        0.0, description="Quadrupolar asymmetry η of I.")
    field_1h_mhz: PositiveFloat | None = Field(None, description="Spectrometer 1H frequency "
                                                                  "(MHz): adds the second-order "
                                                                  "quadrupolar shift.")
    crystallites: Annotated[int, check(lambda v: v >= 1, "must be ≥ 1")] = Field(
        233, description="Base crystallite orientations (ZCW size, rounded up to a Fibonacci "
                         "number), each at --rotor-phases rotor phases.")
    rotor_phases: Annotated[int, check(lambda v: v >= 1, "must be ≥ 1")] = Field(
        8, description="Rotor phases per orientation.")
    crystallite_set: str = Field("zcw", description="zcw or legendre.")
    steps_per_period: Annotated[int, check(lambda v: v >= 4, "must be ≥ 4")] = Field(
        100, description="Time steps per rotor period inside pulses.")

    @field_validator("recoupling")
    @classmethod
    def _known_recoupling(cls, value: str) -> str:
        from cald.recoupling.spindynamics import RECOUPLINGS

        if value not in RECOUPLINGS:
            raise ValueError(f"must be {' or '.join(RECOUPLINGS)}, got {value!r}")
        return value

    @field_validator("crystallite_set")
    @classmethod
    def _known_set(cls, value: str) -> str:
        from cald.recoupling.spindynamics import CRYSTALLITE_SETS

        if value not in CRYSTALLITE_SETS:
            raise ValueError(f"must be {' or '.join(CRYSTALLITE_SETS)}, got {value!r}")
        return value

    def sequence(self, ideal: bool = False) -> Experiment:
        """The :class:`~cald.recoupling.spindynamics.Experiment` of these options (``ideal``:
        δ-pulses on S and perfect saturation)."""
        from cald.recoupling.spindynamics import Experiment, IPulse

        assert self.mas_hz is not None  # required where a sequence is built
        pulse = None if ideal else IPulse(self.sat_pulse_s, self.sat_rf_hz, self.sat_offset_hz)
        return Experiment(self.mas_hz, self.recoupling, self.s_rf_hz, pulse,
                          delta_pulses=ideal, steps_per_period=self.steps_per_period)

    def larmor_hz(self, dephasing: Isotope) -> float | None:
        """Signed Larmor frequency (Hz) of the dephasing nucleus at :attr:`field_1h_mhz`, or
        ``None`` (no second-order quadrupolar shift)."""
        if self.field_1h_mhz is None:
            return None
        return float(larmor_mhz(dephasing, self.field_1h_mhz) * 1e6
                     * np.sign(dephasing.gamma_rad_s_t))

    def powder(self) -> Crystallites:
        """The powder set of these options."""
        from cald.recoupling.spindynamics import crystallite_set

        return crystallite_set(self.crystallite_set, self.crystallites, self.rotor_phases)


class RespdorFitOptions(DephasingOptions, SaturationOptions):
    """``cald respdor fit``: D (and r) and f of a measured dephasing curve, with uncertainties;
    with ``simulate`` also refitted with the simulated saturation pulse
    (:mod:`cald.recoupling.saturation`): f_bound, the saturation efficiency ε, corrected D."""

    boundary_units = {**SaturationOptions.boundary_units,
                      "cq_sigma_mhz": ("cq_sigma_hz", 1e6)}

    fix_f: float | None = Field(None, description="Hold f at this value (0 < f ≤ 1).")
    models: list[str] = Field(["single"], description=f"Model(s) to fit: {', '.join(MODELS)} or "
                                                      "all (single is always fitted).")
    fit_distance: bool = Field(False, description="Fit r directly instead of D (needs --pair).")
    bootstrap: NonNegativeInt = Field(1000, description="Bootstrap samples (0: none).")
    seed: NonNegativeInt = Field(0, description="Seed of the bootstrap.")
    simulate: bool = Field(False, description="Also fit with the simulated saturation pulse "
                                              "(needs --mas-khz): fraction bound f_bound, "
                                              "saturation efficiency ε, corrected D.")
    cq_sigma_hz: PositiveFloat | None = Field(None, description="Czjzek σ of the I sites (MHz, "
                                                                "e.g. from cald quad): a C_Q "
                                                                "distribution instead of "
                                                                "--cq-mhz/--eta.")
    cq_from: str | None = Field(None, description="JSON of a 27Al Czjzek fit (`cald quad ... "
                                                  "--json`, or one analysis of a results.json): "
                                                  "its sites' σ and fractions as the C_Q "
                                                  "distribution.")
    cq_nodes: Annotated[int, check(lambda v: 1 <= v <= 32, "must be within 1 to 32")] = Field(
        6, description="Equal-probability C_Q nodes per Czjzek distribution.")
    convergence: bool = Field(False, description="With --simulate: also compute ε on a 4× larger "
                                                 "crystallite set and report the largest change.")

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

    @model_validator(mode="after")
    def _simulation_needs(self) -> Self:
        if not self.simulate:
            return self
        if self.mas_hz is None:
            raise ValueError("{simulate} needs the MAS rate ({mas_hz})")
        if self.experiment != "respdor" or self.spin_value <= 0.5:
            raise ValueError("{simulate} corrects the saturation of a quadrupolar dephasing spin: "
                             "it needs experiment respdor and I > 1/2")
        if self.cq_from is not None and self.cq_sigma_hz is not None:
            raise ValueError("give at most one of {cq_from} and {cq_sigma_hz}")
        return self

    def _cq_nodes(self) -> CqNodes:
        """The C_Q distribution: :attr:`cq_from`, else a Czjzek σ, else one C_Q and η."""
        from cald.recoupling.saturation import cq_nodes, czjzek_mixture_nodes

        if self.cq_from is None:
            return cq_nodes(self.cq_hz, self.eta, self.cq_sigma_hz, self.cq_nodes)
        sites = _czjzek_sites(self.cq_from)
        return czjzek_mixture_nodes([sig * 1e6 for sig, _ in sites], [f for _, f in sites],
                                    self.cq_nodes, f"Czjzek sites of {self.cq_from}")

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

        return fit_respdor(curve, **self._fit_kwargs(), models=self.models)

    def _fit_kwargs(self) -> dict[str, Any]:
        return {"spin": self.spin_value, "kappa": self.kappa, "pair": self.isotopes,
                "f_fixed": self.fix_f, "fit_distance": self.fit_distance,
                "n_bootstrap": self.bootstrap, "seed": self.seed, "experiment": self.experiment}

    def correct(self, curve: DephasingCurve, analytic: RespdorResult) -> SaturationCorrection:
        """:func:`cald.recoupling.saturation.correct_fit` of ``curve`` (its analytic fit
        ``analytic``) with the simulated saturation of these options (one-distance model)."""
        from cald.recoupling.saturation import correct_fit

        nodes = self._cq_nodes()
        isotopes = self.isotopes
        larmor = None if isotopes is None else self.larmor_hz(isotopes[1])
        return correct_fit(curve, analytic, self._fit_kwargs(), nodes, self.sequence(),
                           self.powder(), larmor, self.convergence)


class RespdorSimulateOptions(SaturationOptions):
    """``cald respdor simulate``: a numerical RESPDOR (or REDOR) curve of an observed spin-1/2
    dephased by one or more spins I (:mod:`cald.recoupling.spindynamics`), from a distance or a
    structure file."""

    boundary_units = {**SaturationOptions.boundary_units, "t_ms": ("t_s", 1e-3)}

    pair: Pair = Field(description="Observed-dephasing pair, e.g. 13C-27Al (observed spin 1/2).")
    t_s: FloatList = Field(description="Recoupling times (ms), comma-separated; even multiples of "
                                       "the rotor period.")
    mas_hz: PositiveFloat = Field(description="MAS rate (kHz).")
    r_angstrom: PositiveFloat | None = Field(None, description="S–I distance (Å); or --geometry.")
    geometry: str | None = Field(None, description="xyz/extxyz/CIF file: the observed atom "
                                                   "closest to a dephasing atom and its nearest "
                                                   "dephasing neighbours.")
    max_spins: Annotated[int, check(lambda v: 1 <= v <= 4, "must be within 1 to 4")] = Field(
        3, description="Dephasing spins taken from --geometry (nearest first).")
    cutoff_angstrom: PositiveFloat = Field(4.0, description="Largest S–I distance taken from "
                                                            "--geometry (Å).")
    ideal: bool = Field(False, description="δ-pulses on S and perfect saturation of I (the "
                                           "analytic limit).")
    convergence: bool = Field(False, description="Also run the next smaller crystallite set and "
                                                 "report the largest change of ΔS/S0.")

    @field_validator("t_s")
    @classmethod
    def _non_negative_times(cls, value: list[float]) -> list[float]:
        if any(t < 0 for t in value):
            raise ValueError("must not contain negative times")
        return value

    @model_validator(mode="after")
    def _one_geometry(self) -> Self:
        if (self.r_angstrom is None) == (self.geometry is None):
            raise ValueError("give exactly one of {r_angstrom} and {geometry}")
        observed = parse_pair(self.pair)[0]
        if observed.is_quadrupolar:
            raise ValueError(f"{{pair}}: the observed nucleus must have spin 1/2, {observed.symbol} "
                             f"has {observed.spin_label}")
        return self

    def experiment(self) -> Experiment:
        """The :class:`~cald.recoupling.spindynamics.Experiment` of these options."""
        return self.sequence(self.ideal)

    def simpson_input(self, name: str) -> str:
        """A SIMPSON input file for the same spins and sequence
        (:func:`cald.recoupling.simpson_input.simpson_input`; its ``main`` writes
        ``<name>.csv``)."""
        from cald.recoupling.simpson_input import simpson_input

        observed, dephasing = parse_pair(self.pair)
        spins, _ = self.spins()
        return simpson_input(name, observed, dephasing, spins, self.experiment(), self.t_s,
                             self.crystallites, self.rotor_phases, self.field_1h_mhz)

    def spins(self) -> tuple[list[CoupledSpin], list[float]]:
        """The dephasing spins and their distances (Å): one at :attr:`r_angstrom`, or those of
        :attr:`geometry` (:func:`~cald.recoupling.spindynamics.spins_from_vectors`)."""
        from cald.recoupling.spindynamics import spins_from_vectors

        observed, dephasing = parse_pair(self.pair)
        larmor = self.larmor_hz(dephasing)
        if self.r_angstrom is not None:
            vectors = np.array([[0.0, 0.0, self.r_angstrom]])
        else:
            vectors = self._geometry_vectors(observed, dephasing)
        spins = spins_from_vectors(vectors, observed, dephasing, cq_hz=self.cq_hz, eta=self.eta,
                                   larmor_hz=larmor)
        return spins, [float(r) for r in np.linalg.norm(vectors, axis=1)]

    def _geometry_vectors(self, observed: Isotope, dephasing: Isotope) -> NDArray[np.float64]:
        """S→I vectors (Å, minimum image) of the observed atom closest to a dephasing atom:
        its dephasing neighbours within :attr:`cutoff_angstrom`, nearest first, at most
        :attr:`max_spins`."""
        from cald.io.structure import read_structure

        assert self.geometry is not None
        atoms = read_structure(self.geometry)
        s_el, i_el = _element(observed), _element(dephasing)
        symbols = atoms.get_chemical_symbols()
        s_idx = [k for k, e in enumerate(symbols) if e == s_el]
        i_idx = [k for k, e in enumerate(symbols) if e == i_el]
        missing = [e for e, idx in ((s_el, s_idx), (i_el, i_idx)) if not idx]
        if missing:
            raise DataFileError(f"holds no {' and no '.join(missing)} atom for the pair "
                                f"{self.pair}", self.geometry)
        dist = atoms.get_all_distances(mic=True)[np.ix_(s_idx, i_idx)]
        s_best = int(np.unravel_index(np.argmin(dist), dist.shape)[0])
        order = [k for k in np.argsort(dist[s_best], kind="stable")
                 if dist[s_best, k] <= self.cutoff_angstrom][: self.max_spins]
        if not order:
            raise DataFileError(f"no {i_el} within {self.cutoff_angstrom:g} Å of any {s_el}",
                                self.geometry)
        return np.array([atoms.get_distance(s_idx[s_best], i_idx[k], mic=True, vector=True)
                         for k in order])

    def simulate(self) -> SimulatedCurve:
        """:func:`~cald.recoupling.spindynamics.simulate_curve` with these options."""
        from cald.recoupling.spindynamics import simulate_curve

        spins, _ = self.spins()
        return simulate_curve(spins, self.t_s, self.experiment(), self.powder(),
                              check_convergence=self.convergence)


def _czjzek_sites(path: str) -> list[tuple[float, float]]:
    """(Czjzek σ in MHz, fraction) of each site of a Czjzek fit's JSON: a ``sites`` list at the
    top, under ``result`` (an analysis of a results.json), or in the only analysis of
    ``analyses`` that has one."""
    import json
    from pathlib import Path

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"cannot be read as JSON ({exc.__class__.__name__})", path) from None
    candidates = [data, data.get("result")] if isinstance(data, dict) else []
    if isinstance(data, dict) and isinstance(data.get("analyses"), list):
        found = [a["result"] for a in data["analyses"] if isinstance(a, dict)
                 and isinstance(a.get("result"), dict) and _has_czjzek_sites(a["result"])]
        if len(found) > 1:
            raise DataFileError(f"holds {len(found)} analyses with Czjzek sites: save the one "
                                "wanted on its own", path)
        candidates += found
    for c in candidates:
        if isinstance(c, dict) and isinstance(c.get("sites"), list) and c["sites"]:
            try:
                return [(float(site["sigma_czjzek_mhz"]), float(site["fraction"]))
                        for site in c["sites"]]
            except (KeyError, TypeError, ValueError):
                raise DataFileError("its sites lack sigma_czjzek_mhz or fraction (is it a "
                                    "Czjzek fit?)", path) from None
    raise DataFileError("holds no Czjzek fit (a 'sites' list)", path)


def _has_czjzek_sites(result: dict[str, Any]) -> bool:
    sites = result.get("sites")
    return isinstance(sites, list) and bool(sites) and isinstance(sites[0], dict) \
        and "sigma_czjzek_mhz" in sites[0]


def _element(isotope: Isotope) -> str:
    return isotope.symbol.lstrip("0123456789")
