"""Numerical REDOR/RESPDOR spin dynamics under magic-angle spinning.

An observed spin-1/2 S (13C, 111Cd, 113Cd) dephased by one or more spins I (spin 1/2 or
quadrupolar, e.g. 27Al), simulated in the time domain and averaged over a powder. Pure
computation on numpy arrays, vectorised over crystallites; no I/O.

Experiment
----------
Both channels on resonance, in the rotating frames of S and I. The recoupling time
t_rec = N·T_r (N even) is split into two halves of N/2 rotor periods with the same sequence on S;
between them a *middle block* of ``k`` rotor periods holds a π pulse on S (at its start: it
inverts S_z, so the recoupled dipolar phase of the second half is subtracted from that of the
first, and without the I pulse the dephasing refocuses) and the pulse on I (centred in the
block). The S0 experiment omits the I pulse. Recoupling on S:

``redor``
    Two π pulses per rotor period centred at T_r/4 and 3T_r/4, XY-8 phases (x y x y y x y x,
    Gullion, Baker and Conradi, *J. Magn. Reson.* 89, 479 (1990)); δ-pulses with ``delta_pulses``.
``sr4``
    SR4₁² (Brinkmann and Levitt, *J. Chem. Phys.* 115, 357 (2001); used for RESPDOR by Chen, Lu,
    Wang, Trébosc, Lafon, Amoureux et al., *PCCP* 12, 9395 (2010) and Lu et al., *J. Magn.
    Reson.* 215, 34 (2012)). The symmetry R N_n^ν = R4₁² gives element phases ±φ with
    φ = 180°·ν/N = 90°; N = 4 elements in n = 1 rotor period, each element R a π pulse of length
    T_r/4 (ν1 = 2ν_r), so one rotor period is π₉₀ π₋₉₀ π₉₀ π₋₉₀. The supercycle
    [R4₁² R4₁⁻²]₀ [R4₁² R4₁⁻²]₁₂₀ [R4₁² R4₁⁻²]₂₄₀ (R4₁⁻²: phases inverted; overall phase shifts
    of 0°, 120°, 240°) spans 6 rotor periods; it is the usual SR4₁² construction as recalled
    from those papers (not checked against their text here). Symmetry selects the
    (l, m, λ, μ) = (2, ±2, 1, 0) term: S_z I_z with the orientation dependence sin²β cos 2γ,
    whose powder curve is exactly the REDOR curve with λ scaled (∫J0(a sin²β) d cosβ =
    R(a/2√2)). First-order average Hamiltonian theory gives κ = π/(4√2) = 0.5554
    (:data:`KAPPA_SR4_THEORY`: in the toggling frame of the π pulses S_z carries cos 2ω_r t
    throughout the rotor period, which keeps half of the sin²β cos 2γ / 2 component). Fitting
    simulated curves (ideal saturation or inversion, ZCW 987 × 8, 256 steps per rotor period,
    I = 1/2 and 5/2) with the analytic shape gives κ = 0.5556 ± 0.0001 at D/ν_r = 0.004 and a
    slow rise with D/ν_r from higher-order terms: 0.5559 ± 0.0002 at 0.0075, 0.5566 ± 0.0003
    at 0.015, 0.5579 ± 0.0005 at 0.03, 0.5601 ± 0.0008 at 0.06 (± half the I = 1/2 vs 5/2
    spread; fit residuals below 0.003). The time step matters: 32 steps per rotor period give a κ 1.2 %
    low. The κ ≈ 0.55 quoted earlier in the project was not verified against the literature;
    no published value was checked here.

Interactions (rad s⁻¹ in the code)
----------------------------------
- Heteronuclear dipolar coupling, truncated by both Zeeman interactions to ω_D(t)·2 S_z I_z
  (secular in S and in I). For quadrupolar I the I_z-only truncation is the standard one under a
  strong quadrupolar interaction; the neglected quadrupole–dipole cross term (residual dipolar
  coupling) is of order D·C_Q/ν0(I), a few Hz here. I–I couplings are neglected.
- First-order quadrupolar coupling in the I rotating frame,
  2π C_Q A(t) (3I_z² − I(I+1)) / (4I(2I−1)), A(t) the MAS-modulated lab-frame V_zz / eq.
- Second-order quadrupolar coupling when the I Larmor frequency is given: the second-order
  shift of each level m from perturbation theory over the non-secular terms (q = ±1, ±2),
  diagonal in I_z, evaluated at the step midpoints (contains the isotropic second-order shift;
  the I offset is counted from the unshifted Larmor frequency).
- RF on S (π pulses) and on I (the saturation or inversion pulse: length, amplitude ν1, offset).

MAS modulation: every rank-2 coupling is b(t)ᵀ V b(t) with V its tensor in the rotor frame and
b(t) the field direction in the rotor frame; its rotor-phase Fourier components (0, ±1, ±2) give
exact averages over each time step. Propagation is piecewise constant (``steps_per_period``
steps per rotor period inside pulses; free windows use the exact integral). Single crystallites
converge slowly with the step through a saturation pulse (C_Q = 3 MHz, 10 kHz MAS: S differs by
0.013 between 100 and 400 steps per period for some crystallites), the powder average much
faster (C_Q = 5 MHz: ΔS/S0 within 2e-4 and the saturation efficiency within 5e-4 from 100 to 400
steps); check with ``steps_per_period`` when it matters.

Structure used for speed: during the recoupling and the S pulses all I couplings are I_z-only, so
each configuration M = (m_1, …, m_n) of the I spins is a 2×2 (SU(2)) problem, vectorised over
crystallites and configurations; rotor-period propagators are computed once and reused for every
recoupling time. During the I pulse S_z is conserved, and with I–I couplings neglected the I
propagator factorises into one (2I+1)-dimensional propagator per spin and S_z state; only the
diagonal (m′, m′) blocks after the pulse matter (the second half and the detection are diagonal
in I_z), so the pulse acts through per-spin transfer matrices
T⁽ˢˢ′⁾[m′, m] = U(s)[m′, m]·U(s′)[m′, m]*. Three 27Al (216 configurations) stay cheap.

Ideal limits (``delta_pulses=True``, ``i_pulse=None``): δ-pulses on S (REDOR) and perfect
scrambling of the I levels (saturation: T = 1/(2I+1)) or perfect inversion (m → −m, the REDOR
experiment of a spin-1/2 partner); they reproduce :mod:`cald.recoupling.redor`.

Powder averaging: ZCW (α, β) sets (Cheng et al., *J. Chem. Phys.* 59, 3992 (1973)) with a
Kronecker γ sequence, or a Gauss–Legendre product grid, each orientation repeated at equally
spaced rotor phases (:func:`crystallite_set`); the convergence check reports the largest change of
ΔS/S0 against the next smaller ZCW set. REPULSION sets are not implemented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cald.errors import ParameterError
from cald.nuclei import Isotope, dipolar_coupling_hz

__all__ = [
    "CRYSTALLITE_SETS",
    "I_PULSES",
    "KAPPA_SR4_THEORY",
    "RECOUPLINGS",
    "ZCW_SIZES",
    "CoupledSpin",
    "Crystallites",
    "IPulse",
    "SimulatedCurve",
    "Experiment",
    "crystallite_set",
    "rotor_periods",
    "simulate_curve",
    "saturation_efficiency",
    "level_change_weights",
    "scaling_factor",
    "simulate_dense",
    "spins_from_vectors",
]

#: Recoupling sequences on S.
RECOUPLINGS = ("redor", "sr4")
#: Crystallite sets.
CRYSTALLITE_SETS = ("zcw", "legendre")
#: What the pulse on I in the middle block does in the ideal limit.
I_PULSES = ("saturation", "inversion")
#: SR4₁² scaling factor from first-order average Hamiltonian theory, π/(4√2).
KAPPA_SR4_THEORY = float(np.pi / (4.0 * np.sqrt(2.0)))
#: Sizes of the ZCW (α, β) sets (Fibonacci numbers).
ZCW_SIZES = (21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765)

_MAGIC = float(np.arccos(1.0 / np.sqrt(3.0)))
_XY8 = (0.0, 90.0, 0.0, 90.0, 90.0, 0.0, 90.0, 0.0)  # degrees, two pulses per rotor period


# --- crystallites ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Crystallites:
    """Orientations (ZYZ Euler angles, rad) of the molecule frame in the rotor frame, with
    weights summing to 1. α is the rotation about the rotor axis (the rotor phase).

    The set is ``n_base`` base orientations, each repeated at ``n_rotor_phases`` equally spaced
    rotor phases α + 2πk/n (crystallite index = base index · n + k): those copies see the same
    Hamiltonian shifted in time by k T_r / n, which the simulation exploits.
    """

    alpha_rad: NDArray[np.float64]
    beta_rad: NDArray[np.float64]
    gamma_rad: NDArray[np.float64]
    weights: NDArray[np.float64]
    name: str
    n_rotor_phases: int = 1

    @property
    def n(self) -> int:
        """Number of crystallites."""
        return int(self.weights.size)

    @property
    def n_base(self) -> int:
        """Number of base orientations."""
        return self.n // self.n_rotor_phases

    def rotations(self) -> NDArray[np.float64]:
        """Rotation matrices R = Rz(α) Ry(β) Rz(γ), shape (n, 3, 3)."""
        return _rz(self.alpha_rad) @ _ry(self.beta_rad) @ _rz(self.gamma_rad)


def _rz(a: NDArray[np.float64]) -> NDArray[np.float64]:
    c, s = np.cos(a), np.sin(a)
    out = np.zeros(a.shape + (3, 3))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0], out[..., 1, 1] = c, -s, s, c
    out[..., 2, 2] = 1.0
    return out


def _ry(b: NDArray[np.float64]) -> NDArray[np.float64]:
    c, s = np.cos(b), np.sin(b)
    out = np.zeros(b.shape + (3, 3))
    out[..., 0, 0], out[..., 0, 2], out[..., 2, 0], out[..., 2, 2] = c, s, -s, c
    out[..., 1, 1] = 1.0
    return out


def crystallite_set(name: str = "zcw", n_orientations: int = 233, n_rotor_phases: int = 8
                    ) -> Crystallites:
    """A powder set: base orientations times ``n_rotor_phases`` equally spaced rotor phases.

    Parameters
    ----------
    name
        ``"zcw"``: the ZCW full-sphere (α, β) set with the smallest Fibonacci size ≥
        ``n_orientations`` (:data:`ZCW_SIZES`), γ_j = 2π·frac(j√2) (a Kronecker sequence
        independent of the ZCW's golden-ratio α, so non-axial tensors are sampled too);
        ``"legendre"``: Gauss–Legendre nodes in
        cos β (about (n/2)^(1/2) of them) times twice as many equally spaced γ, α = 0 (an
        independent product quadrature for checks).
    n_orientations
        Requested number of base orientations.
    n_rotor_phases
        Copies of each base orientation at rotor phases α + 2πk/n.

    Raises
    ------
    ParameterError
        Unknown set name, or sizes below 1.
    """
    if name not in CRYSTALLITE_SETS:
        raise ParameterError(f"crystallite set {name!r} is not one of {', '.join(CRYSTALLITE_SETS)}")
    if n_orientations < 1 or n_rotor_phases < 1:
        raise ParameterError(f"crystallite counts must be ≥ 1, got {n_orientations} and "
                             f"{n_rotor_phases}")
    if name == "zcw":
        n = next((z for z in ZCW_SIZES if z >= n_orientations), ZCW_SIZES[-1])
        g = ZCW_SIZES[ZCW_SIZES.index(n) - 2] if ZCW_SIZES.index(n) >= 2 else 8
        j = np.arange(n)
        alpha = 2.0 * np.pi * np.mod(j * g / n, 1.0)
        beta = np.arccos(2.0 * np.mod(j / n, 1.0) - 1.0)
        gamma = 2.0 * np.pi * np.mod(j * np.sqrt(2.0), 1.0)
        w = np.full(n, 1.0 / n)
    else:
        n_beta = max(2, int(round(np.sqrt(n_orientations / 2.0))))
        x, wx = np.polynomial.legendre.leggauss(n_beta)
        n_g = 2 * n_beta
        beta = np.repeat(np.arccos(x), n_g)
        gamma = np.tile(2.0 * np.pi * np.arange(n_g) / n_g, n_beta)
        alpha = np.zeros_like(beta)
        w = np.repeat(wx / 2.0, n_g) / n_g
    shifts = 2.0 * np.pi * np.arange(n_rotor_phases) / n_rotor_phases
    return Crystallites((alpha[:, None] + shifts[None, :]).ravel(),
                        np.repeat(beta, n_rotor_phases), np.repeat(gamma, n_rotor_phases),
                        np.repeat(w, n_rotor_phases) / n_rotor_phases, name, n_rotor_phases)


# --- spin system and sequence ---------------------------------------------------------------


@dataclass(frozen=True)
class CoupledSpin:
    """One dephasing spin I coupled to the observed S.

    Attributes
    ----------
    spin
        I (1/2, 3/2, 5/2, …).
    d_hz
        Dipolar coupling constant D with S (Hz, > 0).
    direction
        S→I direction in the molecule frame (any length; normalised).
    cq_hz
        Quadrupolar coupling constant C_Q = e²qQ/h (Hz; 0 for none).
    eta
        Asymmetry η of the electric field gradient (0 ≤ η ≤ 1).
    efg_euler_rad
        ZYZ Euler angles (rad) of the EFG principal frame in the molecule frame.
    larmor_hz
        Larmor frequency of I (Hz, signed by γ); ``None`` leaves out the second-order
        quadrupolar shift.
    """

    spin: float
    d_hz: float
    direction: tuple[float, float, float] = (0.0, 0.0, 1.0)
    cq_hz: float = 0.0
    eta: float = 0.0
    efg_euler_rad: tuple[float, float, float] = (0.0, 0.0, 0.0)
    larmor_hz: float | None = None

    @property
    def dim(self) -> int:
        """2I + 1."""
        return int(round(2 * self.spin)) + 1

    @property
    def m(self) -> NDArray[np.float64]:
        """Magnetic quantum numbers I, I − 1, …, −I."""
        return np.asarray(self.spin - np.arange(self.dim), dtype=float)

    def dipolar_tensor(self) -> NDArray[np.float64]:
        """(3 u uᵀ − 1)/2 in the molecule frame (u the unit S→I vector)."""
        u = np.asarray(self.direction, dtype=float)
        u = u / np.linalg.norm(u)
        return 1.5 * np.outer(u, u) - 0.5 * np.eye(3)

    def efg_tensor(self) -> NDArray[np.float64]:
        """EFG tensor / eq in the molecule frame (V_zz = 1 in its principal frame)."""
        pas = np.diag([(self.eta - 1.0) / 2.0, -(1.0 + self.eta) / 2.0, 1.0])
        a, b, g = (np.array(x) for x in self.efg_euler_rad)
        r = _rz(a) @ _ry(b) @ _rz(g)
        return np.asarray(r @ pas @ r.T, dtype=float)


@dataclass(frozen=True)
class IPulse:
    """The pulse on I in the middle block: length (s), rf amplitude ν1 (Hz), offset (Hz).

    The offset enters as 2π·offset·I_z (carrier minus the unshifted I Larmor frequency). One rf
    amplitude, no rf inhomogeneity: the saturation efficiency then shows nutation resonances of
    the central transition (ν1,CT = (I + 1/2) ν1; e.g. 300 µs at 10 kHz is 9 full CT turns: for
    a 5 MHz 27Al at 10 kHz MAS the efficiency is 0.63 on resonance, 0.41 at 1.4 kHz offset and
    0.63 again at 3 kHz), which an rf distribution would smooth out."""

    length_s: float
    rf_hz: float
    offset_hz: float = 0.0


@dataclass(frozen=True)
class Experiment:
    """The experiment (see the module docstring).

    Attributes
    ----------
    mas_hz
        Spinning rate ν_r (Hz).
    recoupling
        ``"redor"`` or ``"sr4"`` on S.
    s_rf_hz
        RF amplitude of the REDOR π pulses and of the central π pulse on S (Hz); SR4₁² uses
        ν1 = 2ν_r for both. Ignored with ``delta_pulses``.
    i_pulse
        The pulse on I; ``None``: the ideal pulse ``ideal_i`` (perfect saturation or inversion).
    delta_pulses
        δ-pulses on S (REDOR; the SR4₁² rf is continuous and stays as it is).
    ideal_i
        The ideal I pulse (used when ``i_pulse`` is ``None``): ``"saturation"`` (RESPDOR) or
        ``"inversion"`` (REDOR of a spin-1/2 partner).
    middle_periods
        Rotor periods of the middle block; ``None``: the fewest that hold the S π pulse and the
        I pulse.
    steps_per_period
        Time steps per rotor period inside pulses.
    """

    mas_hz: float
    recoupling: str = "redor"
    s_rf_hz: float = 50e3
    i_pulse: IPulse | None = None
    delta_pulses: bool = False
    ideal_i: str = "saturation"
    middle_periods: int | None = None
    steps_per_period: int = 100

    @property
    def period_s(self) -> float:
        """Rotor period T_r (s)."""
        return 1.0 / self.mas_hz

    @property
    def s_pi_s(self) -> float:
        """Length of a π pulse on S (s); 0 for δ-pulses."""
        if self.delta_pulses and self.recoupling == "redor":
            return 0.0
        if self.recoupling == "sr4":
            return self.period_s / 4.0
        return 0.5 / self.s_rf_hz

    def check(self) -> None:
        """Refuse inconsistent settings (:class:`~cald.errors.ParameterError`)."""
        if not self.mas_hz > 0:
            raise ParameterError(f"MAS rate must be positive, got {self.mas_hz} Hz")
        if self.recoupling not in RECOUPLINGS:
            raise ParameterError(f"recoupling {self.recoupling!r} is not one of "
                                 f"{', '.join(RECOUPLINGS)}")
        if self.ideal_i not in I_PULSES:
            raise ParameterError(f"ideal I pulse {self.ideal_i!r} is not one of {', '.join(I_PULSES)}")
        if self.steps_per_period < 4:
            raise ParameterError(f"steps per rotor period must be ≥ 4, got {self.steps_per_period}")
        if not self.delta_pulses and self.recoupling == "redor":
            if not self.s_rf_hz > 0:
                raise ParameterError(f"S rf amplitude must be positive, got {self.s_rf_hz} Hz")
            if self.s_pi_s >= self.period_s / 2.0:
                raise ParameterError(
                    f"S π pulse of {self.s_pi_s * 1e6:.3g} µs does not fit twice in a rotor period "
                    f"of {self.period_s * 1e6:.3g} µs: raise the S rf amplitude")
        if self.middle_periods is not None and self.middle_periods < 1:
            raise ParameterError(f"the middle block needs ≥ 1 rotor period, got {self.middle_periods}")
        if self.i_pulse is not None:
            p = self.i_pulse
            if not (p.length_s > 0 and p.rf_hz > 0):
                raise ParameterError(f"the I pulse needs a positive length and rf amplitude, got "
                                     f"{p.length_s * 1e6:g} µs and {p.rf_hz:g} Hz")
            fit = self.n_middle * self.period_s - self.s_pi_s
            if p.length_s > fit + 1e-15:
                raise ParameterError(
                    f"I pulse of {p.length_s * 1e6:.4g} µs is longer than the middle block allows "
                    f"({self.n_middle} rotor period(s) of {self.period_s * 1e6:.4g} µs minus the "
                    f"S π pulse: {fit * 1e6:.4g} µs)")

    @property
    def n_middle(self) -> int:
        """Rotor periods of the middle block."""
        if self.middle_periods is not None:
            return self.middle_periods
        length = 0.0 if self.i_pulse is None else self.i_pulse.length_s
        return max(1, int(np.ceil((length + self.s_pi_s) / self.period_s - 1e-9)))

    def period_pattern(self) -> list[list[tuple[float, float, float, float]]]:
        """Segments (t_start_s, t_end_s, ν1_hz, phase_rad) of each rotor period of the
        recoupling pattern (one list per period; the pattern repeats)."""
        t = self.period_s
        if self.recoupling == "sr4":
            nu1 = 2.0 * self.mas_hz
            r412 = (90.0, -90.0, 90.0, -90.0)
            periods = []
            for shift in (0.0, 120.0, 240.0):
                for sign in (1.0, -1.0):
                    periods.append([(k * t / 4, (k + 1) * t / 4, nu1,
                                     np.deg2rad(sign * ph + shift)) for k, ph in enumerate(r412)])
            return periods
        tp = self.s_pi_s
        periods = []
        for p in range(4):
            segs = []
            for k, centre in enumerate((t / 4, 3 * t / 4)):
                segs.append((centre - tp / 2, centre + tp / 2, self.s_rf_hz,
                             np.deg2rad(_XY8[2 * p + k])))
            periods.append(segs)
        return periods


def rotor_periods(t_s: ArrayLike, mas_hz: float) -> NDArray[np.int64]:
    """Number of rotor periods N of each recoupling time; N must be even (two equal halves).

    Raises
    ------
    ParameterError
        A time that is not an even multiple of the rotor period (the nearest one is named).
    """
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    n_float = t * mas_hz
    n = np.rint(n_float).astype(np.int64)
    for ti, nf, ni in zip(t, n_float, n, strict=True):
        if abs(nf - ni) > 1e-6 * max(1.0, nf) or ni % 2 or ni < 0:
            if ti < 0:
                raise ParameterError(f"recoupling time must be ≥ 0, got {ti * 1e3:.6g} ms")
            low = 2 * int(np.floor(nf / 2.0 + 1e-9))
            raise ParameterError(
                f"recoupling time {ti * 1e3:.6g} ms is not an even multiple of the rotor period "
                f"({1e3 / mas_hz:.6g} ms at {mas_hz / 1e3:.6g} kHz; two equal halves): the "
                f"nearest are {low / mas_hz * 1e3:.6g} ms (N = {low}) and "
                f"{(low + 2) / mas_hz * 1e3:.6g} ms (N = {low + 2})")
    return n


# --- MAS modulation ---------------------------------------------------------------------------


def _fourier(v_rotor: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rotor-phase Fourier coefficients (A0, c1, s1, c2, s2) of bᵀ V b at the magic angle,
    b(t) = (sinθ cos ω_r t, sinθ sin ω_r t, cosθ); ``v_rotor`` (..., 3, 3)."""
    s2t, c2t, sc = np.sin(_MAGIC) ** 2, np.cos(_MAGIC) ** 2, np.sin(_MAGIC) * np.cos(_MAGIC)
    v = v_rotor
    return np.stack([s2t * (v[..., 0, 0] + v[..., 1, 1]) / 2 + c2t * v[..., 2, 2],
                     2 * sc * v[..., 0, 2], 2 * sc * v[..., 1, 2],
                     s2t * (v[..., 0, 0] - v[..., 1, 1]) / 2, s2t * v[..., 0, 1]], axis=-1)


def _step_weights(t0: NDArray[np.float64], t1: NDArray[np.float64], w_r: float) -> NDArray[np.float64]:
    """Weights (n_steps, 5) such that coefficients @ weights = average over [t0, t1]."""
    dt = t1 - t0
    out = np.empty(t0.shape + (5,))
    out[..., 0] = 1.0
    out[..., 1] = (np.sin(w_r * t1) - np.sin(w_r * t0)) / (w_r * dt)
    out[..., 2] = (np.cos(w_r * t0) - np.cos(w_r * t1)) / (w_r * dt)
    out[..., 3] = (np.sin(2 * w_r * t1) - np.sin(2 * w_r * t0)) / (2 * w_r * dt)
    out[..., 4] = (np.cos(2 * w_r * t0) - np.cos(2 * w_r * t1)) / (2 * w_r * dt)
    return out


def _steps(t0: float, t1: float, dt_max: float) -> tuple[NDArray[Any], NDArray[Any]]:
    n = max(1, int(np.ceil((t1 - t0) / dt_max - 1e-9)))
    edges = np.linspace(t0, t1, n + 1)
    return edges[:-1], edges[1:]


# --- SU(2) propagators of S per I configuration -----------------------------------------------


def _su2_step(omega_z: NDArray[np.float64], nu1_hz: float, phase: float, dt: float
              ) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """(a, b) of exp(−i dt [Ω S_z + ω1 (cos φ S_x + sin φ S_y)])."""
    w1 = 2.0 * np.pi * nu1_hz
    norm = np.sqrt(omega_z**2 + w1**2)
    half = 0.5 * norm * dt
    s = np.sin(half) / np.where(norm > 0, norm, 1.0)
    a = np.cos(half) - 1j * s * omega_z
    b = -1j * s * w1 * np.exp(1j * phase) * np.ones_like(omega_z)
    return a, b


def _su2_mul(u1: tuple[Any, Any], u2: tuple[Any, Any]) -> tuple[Any, Any]:
    """U1·U2 for U = [[a, −b*], [b, a*]]."""
    a1, b1 = u1
    a2, b2 = u2
    return a1 * a2 - np.conj(b1) * b2, b1 * a2 + np.conj(a1) * b2


def _su2_matrix(u: tuple[Any, Any]) -> NDArray[np.complex128]:
    a, b = u
    return np.stack([np.stack([a, -np.conj(b)], -1), np.stack([b, np.conj(a)], -1)], -2)


def _segment_propagator(coef: NDArray[np.float64], seg: tuple[float, float, float, float],
                        w_r: float, dt_max: float) -> tuple[Any, Any]:
    """Propagator of S over one segment; ``coef`` (..., 5): Fourier coefficients of Ω (rad/s)."""
    t0, t1, nu1, phase = seg
    if t1 <= t0:  # δ-pulse: ideal π rotation about the phase axis
        return (np.zeros(coef.shape[:-1], complex),
                np.full(coef.shape[:-1], -1j * np.exp(1j * phase)))
    if nu1 == 0.0:  # free window: exact integral of Ω
        w = _step_weights(np.array(t0), np.array(t1), w_r)
        phi = (coef @ w) * (t1 - t0)
        return np.exp(-0.5j * phi), np.zeros_like(phi, dtype=complex)
    starts, ends = _steps(t0, t1, dt_max)
    weights = _step_weights(starts, ends, w_r)  # (n_steps, 5)
    u: tuple[Any, Any] | None = None
    for k in range(starts.size):
        step = _su2_step(coef @ weights[k], nu1, phase, ends[k] - starts[k])
        u = step if u is None else _su2_mul(step, u)
    assert u is not None
    return u


def _with_windows(segs: list[tuple[float, float, float, float]], t_end: float,
                  t_start: float = 0.0) -> list[tuple[float, float, float, float]]:
    """Fill the gaps between pulse segments with free windows from t_start to t_end."""
    out, t = [], t_start
    for s in sorted(segs, key=lambda x: x[0]):
        if s[0] > t:
            out.append((t, s[0], 0.0, 0.0))
        out.append(s)
        t = max(t, s[1])
    if t_end > t:
        out.append((t, t_end, 0.0, 0.0))
    return out


def _propagate_segments(coef: NDArray[np.float64], segs: list[tuple[float, float, float, float]],
                        w_r: float, dt_max: float) -> tuple[Any, Any]:
    u: tuple[Any, Any] = (np.ones(coef.shape[:-1], complex), np.zeros(coef.shape[:-1], complex))
    for seg in segs:
        u = _su2_mul(_segment_propagator(coef, seg, w_r, dt_max), u)
    return u


# --- the I pulse: per-spin transfer matrices --------------------------------------------------


def _spin_operators(spin: float) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """I_z (diagonal), I_+ and I_x in the basis m = I, …, −I."""
    m = spin - np.arange(int(round(2 * spin)) + 1)
    iplus = np.diag(np.sqrt(spin * (spin + 1) - m[1:] * (m[1:] + 1)), 1)
    return m, iplus, (iplus + iplus.T) / 2.0


def _second_order_factors(spin: float) -> NDArray[np.float64]:
    """F[q-1, m] = |⟨m+q|T_2q|m⟩|² − |⟨m−q|T_2,−q|m⟩|² for q = 1, 2 (basis m = I … −I)."""
    m, ip, _ = _spin_operators(spin)
    iz = np.diag(m)
    t21 = -0.5 * (iz @ ip + ip @ iz)
    t22 = 0.5 * ip @ ip
    out = []
    for t in (t21, t22):  # raising part: ⟨m+q|T|m⟩ is column m; lowering part is its transpose
        up = np.sum(np.abs(t) ** 2, axis=0)
        down = np.sum(np.abs(t.T) ** 2, axis=0)
        out.append(up - down)
    return np.array(out)


def _transfer(spin_i: CoupledSpin, cryst: Crystallites, seq: Experiment, with_pulse: bool
              ) -> NDArray[np.complex128]:
    """T[c, s, s′, m′, m] of one I spin over the middle block after the S π pulse.

    The I Hamiltonian for S_z = s: quadrupolar (first and, with ``larmor_hz``, second order),
    offset, 2 s ω_D(t) I_z, and ν1 I_x during the pulse (centred in the block). Free windows are
    diagonal (exact exponentials per step). The pulse is time-stepped on a grid of
    dt = T_r / (n_r q) (n_r rotor phases of the set, q ≥ steps_per_period / n_r), its length
    rounded to that grid (at most dt/2 off): the step propagators of the base orientations over
    one rotor period then serve every rotor-phase copy (a copy k sees the Hamiltonian shifted by
    k T_r / n_r), and a pulse of several rotor periods uses the period propagator's power."""
    w_r = 2.0 * np.pi * seq.mas_hz
    period = seq.period_s
    t_block = seq.n_middle * period
    t0 = seq.s_pi_s
    m, _, ix = _spin_operators(spin_i.spin)
    d = m.size
    rot = cryst.rotations()
    n_c = rot.shape[0]
    coef_d = -2.0 * np.pi * spin_i.d_hz * _fourier(rot @ spin_i.dipolar_tensor() @ rot.transpose(0, 2, 1))
    v_q = rot @ spin_i.efg_tensor() @ rot.transpose(0, 2, 1)
    coef_q = _fourier(v_q)
    quad = np.zeros(d)
    if spin_i.cq_hz and spin_i.spin > 0.5:
        quad = 2.0 * np.pi * spin_i.cq_hz * (3 * m**2 - spin_i.spin * (spin_i.spin + 1)) / (
            4.0 * spin_i.spin * (2 * spin_i.spin - 1))
    f2 = None
    if spin_i.larmor_hz is not None and quad.any():
        c_q = 2.0 * np.pi * spin_i.cq_hz / (2.0 * spin_i.spin * (2 * spin_i.spin - 1))
        f2 = _second_order_factors(spin_i.spin) * c_q**2 / (2.0 * np.pi * spin_i.larmor_hz)
    pulse = seq.i_pulse
    offset = 0.0 if pulse is None else 2.0 * np.pi * pulse.offset_hz
    s_vals = np.array([0.5, -0.5])
    n_r = cryst.n_rotor_phases
    q = max(1, int(np.ceil(seq.steps_per_period / n_r)))
    n_s = n_r * q  # steps per rotor period on the pulse grid
    dt = period / n_s

    def diagonal(sel: NDArray[np.intp], starts: NDArray[np.float64], ends: NDArray[np.float64]
                 ) -> NDArray[np.float64]:
        """Diagonal of H (rad/s) per pulse step, (steps, len(sel), 2, d)."""
        w = _step_weights(starts, ends, w_r)
        a_q = w @ coef_q[sel].T  # (steps, c)
        a_d = w @ coef_d[sel].T
        out = (a_q[..., None] * quad + offset * m)[:, :, None, :] \
            + 2.0 * s_vals[None, None, :, None] * a_d[..., None, None] * m
        if f2 is not None:
            for k, tm in enumerate(0.5 * (starts + ends)):
                out[k] += _second_order_shift(v_q[sel], tm, w_r, f2)[:, None, :]
        return out

    def free(a: float, b: float) -> NDArray[np.complex128]:
        """Diagonal propagator of all crystallites over a window without rf, (c, 2, d): the
        exact integral of the first-order terms (one step); the second-order shift, the same
        for both S_z states, cancels from every T element and is left out here."""
        if b - a <= 1e-15:
            return np.ones((n_c, 2, d), complex)
        w = _step_weights(np.array([a]), np.array([b]), w_r)[0]
        phase = ((coef_q @ w)[:, None] * quad + offset * m)[:, None, :] \
            + 2.0 * s_vals[None, :, None] * (coef_d @ w)[:, None, None] * m
        return np.exp(-1j * phase * (b - a))

    if not (with_pulse and pulse is not None):
        u = free(t0, t_block)
        return _diagonal_transfer(u)
    n_steps = max(1, int(round(pulse.length_s / dt)))
    p0 = t0 + (t_block - t0 - n_steps * dt) / 2.0
    p1 = p0 + n_steps * dt
    base = np.arange(cryst.n_base) * n_r  # copies k = 0
    # step propagators of the base orientations over one rotor period from p0
    starts = np.asarray(p0 + dt * np.arange(n_s), dtype=float)
    diag = diagonal(base, starts, starts + dt)  # (n_s, b, 2, d)
    h = np.zeros(diag.shape + (d,))
    h += 2.0 * np.pi * pulse.rf_hz * ix
    idx = np.arange(d)
    h[..., idx, idx] += diag
    evals, evecs = np.linalg.eigh(h)
    steps = (evecs * np.exp(-1j * evals * dt)[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    # copy k runs the base steps cyclically from block (−k) mod n_r on (blocks of q steps):
    # block products and, per block, the product of its first (n_rest mod q) steps
    n_full, n_rest = divmod(n_steps, n_s)
    n_blocks, r_part = divmod(n_rest, q)
    eye = np.broadcast_to(np.eye(d, dtype=complex), steps.shape[1:])
    blocks, prefix = [], []
    for i in range(n_r):
        acc = eye
        for jj in range(q):
            if jj == r_part:
                prefix.append(acc)
            acc = steps[i * q + jj] @ acc
        blocks.append(acc)
    per_copy = []
    for k in range(n_r):
        i0 = (-k) % n_r
        acc, head = eye, eye
        for i in range(n_r):
            acc = blocks[(i0 + i) % n_r] @ acc
            if i + 1 == n_blocks:
                head = acc
        rest = prefix[(i0 + n_blocks) % n_r] @ head
        per_copy.append(rest @ np.linalg.matrix_power(acc, n_full) if n_full else rest)
    u_pulse = np.stack(per_copy)
    # (k, b, 2, d, d) → crystallite order b·n_r + k
    u_pulse = np.moveaxis(u_pulse, 0, 1).reshape((n_c, 2, d, d))
    before, after = free(t0, p0), free(p1, t_block)
    u = after[..., :, None] * u_pulse * before[..., None, :]
    # T[c, s, s', m', m] = U(s)[m', m] · conj(U(s')[m', m])
    return u[:, :, None, :, :] * np.conj(u[:, None, :, :, :])


def _diagonal_transfer(u: NDArray[np.complex128]) -> NDArray[np.complex128]:
    """T of a diagonal propagator u (c, 2, d): only T[m, m] = u_s[m] u_s′[m]*."""
    d = u.shape[-1]
    t = np.zeros(u.shape[:1] + (2, 2, d, d), complex)
    idx = np.arange(d)
    t[..., idx, idx] = u[:, :, None, :] * np.conj(u[:, None, :, :])
    return t


def _second_order_shift(v_rotor: NDArray[np.float64], t: float, w_r: float,
                        f2: NDArray[np.float64]) -> NDArray[np.float64]:
    """Second-order quadrupolar shift (rad/s) of each level at time t, (c, d)."""
    st, ct = np.sin(_MAGIC), np.cos(_MAGIC)
    c, s = np.cos(w_r * t), np.sin(w_r * t)
    ez = np.array([st * c, st * s, ct])
    ex = np.array([ct * c, ct * s, -st])
    ey = np.array([-s, c, 0.0])
    vx, vy = v_rotor @ ex, v_rotor @ ey
    v1 = (vx @ ez) ** 2 + (vy @ ez) ** 2
    v2 = ((vx @ ex - vy @ ey) / 2.0) ** 2 + (vx @ ey) ** 2
    return v1[:, None] * f2[0][None, :] + v2[:, None] * f2[1][None, :] / 2.0


def _ideal_transfer(spin_i: CoupledSpin, n_c: int, kind: str | None) -> NDArray[np.complex128]:
    d = spin_i.dim
    if kind is None:
        t = np.eye(d)
    elif kind == "saturation":
        t = np.full((d, d), 1.0 / d)
    else:
        t = np.eye(d)[::-1]
    return np.broadcast_to(t.astype(complex), (n_c, 2, 2, d, d))


# --- the curve ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatedCurve:
    """A simulated dephasing curve.

    Attributes
    ----------
    t_s
        Recoupling times (s).
    s0, s
        Signals without and with the I pulse, as fractions of the initial S magnetisation
        (phased on S0).
    ds_s0
        (S0 − S)/S0.
    saturation_efficiency
        Per I spin: 1 − ⟨Σ_m P(m→m)⟩/(2I+1), scaled so that perfect saturation gives 1 (the
        fraction of the ideal RESPDOR plateau the pulse reaches; an inversion scores 2I+1 over
        2I); ``None`` for the ideal I pulse.
    convergence
        Largest |Δ(ΔS/S0)| against the next smaller crystallite set, or ``None``.
    n_crystallites
        Crystallites of the set used.
    settings
        The sequence and set parameters (JSON-ready).
    """

    t_s: NDArray[np.float64]
    s0: NDArray[np.float64]
    s: NDArray[np.float64]
    ds_s0: NDArray[np.float64]
    saturation_efficiency: list[float] | None
    convergence: float | None
    n_crystallites: int
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (times in ms, as on the command line)."""
        eff = self.saturation_efficiency
        return {
            "t_ms": [float(f"{t * 1e3:.12g}") for t in self.t_s],
            "dS_S0": self.ds_s0.tolist(),
            "S0": self.s0.tolist(),
            "S": self.s.tolist(),
            "saturation_efficiency": None if eff is None else eff[0],
            "saturation_efficiency_per_spin": eff,
            "convergence": self.convergence,
            "n_crystallites": self.n_crystallites,
            **self.settings,
        }


def _signals(spins: Sequence[CoupledSpin], t_s: NDArray[np.float64], seq: Experiment,
             cryst: Crystallites) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                           list[float] | None]:
    """Powder-averaged S0(t) and S(t) and the saturation efficiencies."""
    n_periods = rotor_periods(t_s, seq.mas_hz)
    rot = cryst.rotations()
    n_c = cryst.n
    w_r = 2.0 * np.pi * seq.mas_hz
    dims = [s.dim for s in spins]
    # Ω(M) Fourier coefficients per crystallite and I configuration: Σ_j 2 m_j ω_Dj
    grids = np.meshgrid(*[s.m for s in spins], indexing="ij")
    coef = np.zeros((n_c,) + tuple(dims) + (5,))
    for sp, mj in zip(spins, grids, strict=True):
        cd = -2.0 * np.pi * sp.d_hz * _fourier(rot @ sp.dipolar_tensor() @ rot.transpose(0, 2, 1))
        coef += 2.0 * mj[None, ..., None] * cd.reshape((n_c,) + (1,) * len(dims) + (5,))
    coef = coef.reshape(n_c, -1, 5)
    dt_max = seq.period_s / seq.steps_per_period
    periods = [_propagate_segments(coef, _with_windows(p, seq.period_s), w_r, dt_max)
               for p in seq.period_pattern()]
    # central π pulse on S at the start of the middle block (phase x)
    tp = seq.s_pi_s
    u_pi = _segment_propagator(coef, (0.0, tp, 0.0 if tp == 0 else 0.5 / tp, 0.0), w_r, dt_max)
    # I transfer over the block: S0 (no pulse) and S (pulse)
    if seq.i_pulse is None:
        t0s = [_ideal_transfer(sp, n_c, None) for sp in spins]
        t1s = [_ideal_transfer(sp, n_c, seq.ideal_i) for sp in spins]
        eff = None
    else:
        t0s = [_transfer(sp, cryst, seq, False) for sp in spins]
        t1s = [_transfer(sp, cryst, seq, True) for sp in spins]
        eff = [_efficiency(t, sp, cryst.weights) for t, sp in zip(t1s, spins, strict=True)]
    rho0 = np.zeros((2, 2), complex)
    rho0[0, 1] = rho0[1, 0] = 0.5 / int(np.prod(dims))
    n_half_max = int(n_periods.max()) // 2
    wanted = {int(n) // 2 for n in n_periods}
    u: tuple[Any, Any] = (np.ones(coef.shape[:-1], complex), np.zeros(coef.shape[:-1], complex))
    half: dict[int, tuple[Any, Any]] = {}
    for k in range(n_half_max + 1):
        if k in wanted:
            half[k] = u
        if k < n_half_max:
            u = _su2_mul(periods[k % len(periods)], u)
    z0: dict[int, complex] = {}
    z1: dict[int, complex] = {}
    for k, uk in half.items():
        mat = _su2_matrix(_su2_mul(u_pi, uk))  # (c, conf, 2, 2)
        rho = mat @ rho0 @ np.conj(mat.swapaxes(-1, -2))
        uh = _su2_matrix(uk)
        for store, ts in ((z0, t0s), (z1, t1s)):
            r = _apply_transfer(rho, ts, dims)
            r = uh @ r @ np.conj(uh.swapaxes(-1, -2))
            store[k] = 2.0 * (cryst.weights @ r[:, :, 1, 0].sum(axis=1))
    halves = n_periods // 2
    zs0 = np.array([z0[int(k)] for k in halves])
    zs1 = np.array([z1[int(k)] for k in halves])
    phase = np.exp(-1j * np.angle(zs0))
    return np.real(zs0 * phase), np.real(zs1 * phase), eff


def _apply_transfer(rho: NDArray[np.complex128], transfers: list[NDArray[np.complex128]],
                    dims: list[int]) -> NDArray[np.complex128]:
    """ρ(M′)_{ss′} = Σ_M Π_j T_j[s, s′, m′_j, m_j] ρ(M)_{ss′}; rho (c, conf, 2, 2)."""
    n_c = rho.shape[0]
    r = rho.reshape((n_c,) + tuple(dims) + (2, 2))
    n = len(dims)
    for j, t in enumerate(transfers):
        r = np.moveaxis(r, 1 + j, -1)  # (..., 2, 2, m_j)
        t_b = t.reshape((n_c,) + (1,) * (n - 1) + t.shape[1:])  # (c, 1.., 2, 2, m', m)
        r = (t_b @ r[..., None])[..., 0]
        r = np.moveaxis(r, -1, 1 + j)
    return r.reshape(rho.shape)


def _efficiency(t: NDArray[np.complex128], spin_i: CoupledSpin, weights: NDArray[np.float64]
                ) -> float:
    d = spin_i.dim
    stay = np.real(np.trace(t[:, 0, 0] + t[:, 1, 1], axis1=-2, axis2=-1)) / 2.0  # Σ_m P(m→m)
    return float((1.0 - (weights @ stay) / d) * d / (d - 1))


def simulate_curve(spins: Sequence[CoupledSpin], t_s: ArrayLike, sequence: Experiment,
                   crystallites: Crystallites | None = None, check_convergence: bool = False
                   ) -> SimulatedCurve:
    """Simulate S0, S and ΔS/S0 at the recoupling times ``t_s``.

    Parameters
    ----------
    spins
        The dephasing spins (one or more).
    t_s
        Recoupling times (s), even multiples of the rotor period (:func:`rotor_periods`).
    sequence
        The experiment (:class:`Experiment`).
    crystallites
        Powder set; default ZCW 233 × 8 rotor phases (enough for the ideal limit; a
        quadrupolar I with a real saturation pulse needs about 1000 × 16 for 0.002, see
        ``benchmarks/bench_spindynamics.py``).
    check_convergence
        Also run the next smaller ZCW set and report the largest |Δ(ΔS/S0)| (ZCW sets only).

    Raises
    ------
    ParameterError
        No spins, bad spin data, times not even multiples of T_r, inconsistent sequence.
    """
    sequence.check()
    if not spins:
        raise ParameterError("give at least one dephasing spin")
    for sp in spins:
        if not sp.d_hz > 0:
            raise ParameterError(f"dipolar coupling must be positive, got {sp.d_hz} Hz")
        if sp.spin > 0.5 and not sp.cq_hz >= 0:
            raise ParameterError(f"C_Q must be ≥ 0, got {sp.cq_hz} Hz")
        if not 0.0 <= sp.eta <= 1.0:
            raise ParameterError(f"η must be within [0, 1], got {sp.eta}")
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    rotor_periods(t, sequence.mas_hz)
    if crystallites is None:
        crystallites = crystallite_set("zcw", 233, 8)
    s0, s, eff = _signals(spins, t, sequence, crystallites)
    ds = (s0 - s) / s0
    conv = None
    if check_convergence and crystallites.name == "zcw":
        smaller = ZCW_SIZES[max(0, ZCW_SIZES.index(crystallites.n_base) - 1)]
        ref = crystallite_set("zcw", smaller, crystallites.n_rotor_phases)
        r0, r1, _ = _signals(spins, t, sequence, ref)
        conv = float(np.max(np.abs((r0 - r1) / r0 - ds)))
    settings = {"mas_hz": sequence.mas_hz, "recoupling": sequence.recoupling,
                "delta_pulses": sequence.delta_pulses,
                "i_pulse": None if sequence.i_pulse is None else vars(sequence.i_pulse),
                "ideal_i": sequence.ideal_i if sequence.i_pulse is None else None,
                "middle_periods": sequence.n_middle,
                "steps_per_period": sequence.steps_per_period,
                "crystallite_set": crystallites.name}
    return SimulatedCurve(t, s0, s, ds, eff, conv, crystallites.n, settings)


def saturation_efficiency(spin_i: CoupledSpin, sequence: Experiment,
                          crystallites: Crystallites | None = None) -> float:
    """Saturation efficiency of the I pulse of ``sequence`` for one spin (see
    :class:`SimulatedCurve`), powder averaged; 1 is perfect scrambling of the 2I+1 levels."""
    sequence.check()
    if sequence.i_pulse is None:
        return 1.0 if sequence.ideal_i == "saturation" else float(spin_i.dim / (spin_i.dim - 1))
    if crystallites is None:
        crystallites = crystallite_set("zcw", 233, 8)
    t = _transfer(spin_i, crystallites, sequence, True)
    return _efficiency(t, spin_i, crystallites.weights)


def level_change_weights(spin_i: CoupledSpin, sequence: Experiment,
                         crystallites: Crystallites | None = None) -> NDArray[np.float64]:
    """Powder-averaged probabilities p_k that the I pulse of ``sequence`` changes m by |Δm| = k
    (k = 0 … 2I), averaged over the 2I + 1 starting levels (sum 1).

    With the orientation of the transfer decoupled from that of the S–I vector, the dephasing is
    ΔS/S0 = Σ_{k≥1} p_k [1 − R(kλ)] (:func:`cald.recoupling.redor.universal_curve` with
    ``level_weights``); perfect saturation gives p_k = 2(2I + 1 − k)/(2I + 1)² (k ≥ 1), the
    analytic RESPDOR curve, and the saturation efficiency is (1 − p_0)(2I + 1)/(2I).
    """
    sequence.check()
    d = spin_i.dim
    if sequence.i_pulse is None:
        prob = np.real(_ideal_transfer(spin_i, 1, sequence.ideal_i)[0, 0, 0])
        weights = np.ones(1)
    else:
        if crystallites is None:
            crystallites = crystallite_set("zcw", 233, 8)
        t = _transfer(spin_i, crystallites, sequence, True)
        prob = np.real(t[:, 0, 0] + t[:, 1, 1]) / 2.0  # (c, m', m): |U[m', m]|² averaged over s
        weights = crystallites.weights
        prob = np.einsum("c,cij->ij", weights, prob)
    if prob.ndim == 3:
        prob = prob[0]
    idx = np.arange(d)
    k = np.abs(idx[:, None] - idx[None, :])
    return np.bincount(k.ravel(), weights=prob.ravel(), minlength=d) / d


def spins_from_vectors(vectors_angstrom: ArrayLike, observed: Isotope, dephasing: Isotope,
                       cq_hz: float = 0.0, eta: float = 0.0, larmor_hz: float | None = None
                       ) -> list[CoupledSpin]:
    """Dephasing spins at the S→I vectors ``vectors_angstrom`` (n, 3) in Å: D from the distance
    and the isotopes' γ; every I gets the same C_Q and η with its EFG principal z axis along its
    own S–I vector (the EFG orientation is not known from a geometry; this is a choice)."""
    vectors = np.atleast_2d(np.asarray(vectors_angstrom, dtype=float))
    out = []
    for v in vectors:
        r = float(np.linalg.norm(v))
        if not r > 0:
            raise ParameterError("an S–I vector has zero length")
        u = v / r
        euler = (float(np.arctan2(u[1], u[0])), float(np.arccos(np.clip(u[2], -1.0, 1.0))), 0.0)
        out.append(CoupledSpin(dephasing.spin, float(dipolar_coupling_hz(r, observed, dephasing)),
                               (float(u[0]), float(u[1]), float(u[2])),
                               cq_hz if dephasing.is_quadrupolar else 0.0, eta, euler, larmor_hz))
    return out


def scaling_factor(curve: SimulatedCurve, d_hz: float, spin: float,
                   experiment: str = "respdor") -> tuple[float, float]:
    """Recoupling scaling factor κ of a simulated curve: the least-squares fit of the analytic
    curve f·g(κ D t) with f = 1 (:func:`cald.recoupling.redor.dephasing`) to ΔS/S0.

    Returns
    -------
    tuple of float
        κ and the root-mean-square residual of the fit (how well the analytic shape holds).
    """
    from scipy.optimize import least_squares

    from cald.recoupling.redor import dephasing

    fit = least_squares(lambda k: dephasing(curve.t_s, d_hz, 1.0, spin, k[0], experiment)
                        - curve.ds_s0, [1.0], bounds=([1e-3], [10.0]))
    return float(fit.x[0]), float(np.sqrt(np.mean(fit.fun**2)))


def simulate_dense(spins: Sequence[CoupledSpin], t_s: ArrayLike, sequence: Experiment,
                   rotations: NDArray[np.float64], weights: NDArray[np.float64] | None = None
                   ) -> tuple[NDArray[np.complex128], NDArray[np.complex128]]:
    """Reference engine: the same experiment propagated crystallite by crystallite in the full
    Hilbert space S ⊗ I₁ ⊗ … (dimension 2·Π(2I+1)), with the Hamiltonian sampled at the midpoint
    of every step of a uniform grid (``steps_per_period`` per rotor period) and exponentiated
    with :func:`scipy.linalg.expm`; first-order quadrupolar coupling only. Slow (a loop over
    crystallites); for tests and the benchmark baseline.

    Parameters
    ----------
    spins, t_s, sequence
        As for :func:`simulate_curve`; every pulse edge must lie on the time grid.
    rotations
        Crystallite rotation matrices (n, 3, 3) (:meth:`Crystallites.rotations`).
    weights
        Crystallite weights (default equal).

    Returns
    -------
    tuple of numpy.ndarray
        Powder-summed complex signals 2·Tr[ρ S₊] of S0 and S at each time (not phased).
    """
    from scipy.linalg import expm

    sequence.check()
    n_periods = rotor_periods(t_s, sequence.mas_hz)
    period, w_r = sequence.period_s, 2.0 * np.pi * sequence.mas_hz
    n_s = sequence.steps_per_period
    dt = period / n_s
    dims = [sp.dim for sp in spins]
    d_i = int(np.prod(dims))

    def embed(op: NDArray[Any], j: int) -> NDArray[Any]:
        mats = [np.eye(dd) for dd in dims]
        mats[j] = op
        out: NDArray[Any] = np.eye(1)
        for mat in mats:
            out = np.kron(out, mat)
        return out

    sz = np.diag([0.5, -0.5])
    sx = np.array([[0.0, 0.5], [0.5, 0.0]])
    sy = np.array([[0.0, -0.5j], [0.5j, 0.0]])
    eye_i = np.eye(d_i)
    i_ops = []
    for j, sp in enumerate(spins):
        m, _, ix = _spin_operators(sp.spin)
        i_ops.append((embed(np.diag(m), j), embed(ix, j),
                      embed(np.diag(3 * m**2 - sp.spin * (sp.spin + 1)), j)))

    def on_grid(t: float) -> int:
        k = t / dt
        if abs(k - round(k)) > 1e-6:
            raise ParameterError(f"pulse edge at {t * 1e6:.6g} µs is not on the time grid")
        return int(round(k))

    def rf_s(segments: list[tuple[float, float, float, float]], n_steps: int
             ) -> list[tuple[float, float]]:
        out = [(0.0, 0.0)] * n_steps
        for t0, t1, nu1, phase in segments:
            for k in range(on_grid(t0), on_grid(t1)):
                out[k] = (nu1, phase)
        return out

    pattern = [rf_s(p, n_s) for p in sequence.period_pattern()]
    n_mid = sequence.n_middle
    tp = sequence.s_pi_s
    mid_s = rf_s([(0.0, tp, 0.5 / tp, 0.0)] if tp > 0 else [], n_mid * n_s)
    pulse = sequence.i_pulse
    mid_i = [0.0] * (n_mid * n_s)
    if pulse is not None:
        p0 = tp + (n_mid * period - tp - pulse.length_s) / 2.0
        for k in range(on_grid(p0), on_grid(p0 + pulse.length_s)):
            mid_i[k] = pulse.rf_hz
    offset = 0.0 if pulse is None else 2.0 * np.pi * pulse.offset_hz
    theta = _MAGIC
    z0 = np.zeros(n_periods.size, complex)
    z1 = np.zeros(n_periods.size, complex)
    w = np.full(len(rotations), 1.0 / len(rotations)) if weights is None else weights
    for rot, wc in zip(rotations, w, strict=True):
        tensors = [(rot @ sp.dipolar_tensor() @ rot.T, rot @ sp.efg_tensor() @ rot.T) for sp in spins]

        def hamiltonian(t: float, s_rf: tuple[float, float], i_rf: float,
                        tensors: list[Any] = tensors) -> NDArray[np.complex128]:
            b = np.array([np.sin(theta) * np.cos(w_r * t), np.sin(theta) * np.sin(w_r * t),
                          np.cos(theta)])
            h = np.zeros((2 * d_i, 2 * d_i), complex)
            for sp, (v_d, v_q), (iz, ix, q_op) in zip(spins, tensors, i_ops, strict=True):
                h += -2.0 * np.pi * sp.d_hz * (b @ v_d @ b) * 2.0 * np.kron(sz, iz)
                if sp.cq_hz and sp.spin > 0.5:
                    cq = 2.0 * np.pi * sp.cq_hz / (4.0 * sp.spin * (2 * sp.spin - 1))
                    h += cq * (b @ v_q @ b) * np.kron(np.eye(2), q_op)
                h += np.kron(np.eye(2), offset * iz + 2.0 * np.pi * i_rf * ix)
            nu1, phase = s_rf
            if nu1:
                h += 2.0 * np.pi * nu1 * np.kron(np.cos(phase) * sx + np.sin(phase) * sy, eye_i)
            return h

        def propagate(s_rf: list[tuple[float, float]], i_rf: list[float]) -> NDArray[np.complex128]:
            u = np.eye(2 * d_i, dtype=complex)
            for k, (sr, ir) in enumerate(zip(s_rf, i_rf, strict=True)):
                u = expm(-1j * dt * hamiltonian((k + 0.5) * dt, sr, ir)) @ u
            return u

        periods = [propagate(p, [0.0] * n_s) for p in pattern]
        u_mid = {False: propagate(mid_s, [0.0] * len(mid_i)), True: propagate(mid_s, mid_i)}
        rho0 = np.kron(sx, eye_i) / d_i
        detect = np.kron(np.array([[0.0, 0.0], [1.0, 0.0]]), eye_i)  # S_+ᵀ: Tr[ρ S₊] = Σ ρ∘S₊ᵀ
        u_half = np.eye(2 * d_i, dtype=complex)
        halves = {0: u_half}
        for k in range(int(n_periods.max()) // 2):
            u_half = periods[k % len(periods)] @ u_half
            halves[k + 1] = u_half
        for i, n in enumerate(n_periods):
            uh = halves[int(n) // 2]
            for store, with_pulse in ((z0, False), (z1, True)):
                if with_pulse and pulse is None:
                    continue
                u = uh @ u_mid[with_pulse] @ uh
                rho = u @ rho0 @ u.conj().T
                store[i] += wc * 2.0 * np.sum(rho * detect)
    return z0, z1
