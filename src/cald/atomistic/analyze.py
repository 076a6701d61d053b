"""What an atomistic model predicts for NMR: S–I spin pairs with their dipolar couplings,
carboxylate binding modes, Al coordination numbers and the RESPDOR curve of every observed site.

Distances in periodic cells: bonds (binding modes, Al coordination) use the minimum-image
convention; S–I pairs are every periodic image of I within the cutoff (ASE's neighbour list), which
is the minimum image whenever the cutoff is shorter than half the cell width, and in a smaller cell
lists the same (i, j) once per image, as the spins of the infinite crystal couple to each.

Predicted curves (``respdor`` experiment, times ``t_s`` in s): for each observed site (the
carboxylate carbons when S is 13C and the model has carboxylates, otherwise every atom of S's
element) with at least one I atom
within the cutoff,

- *two-spin*: ΔS/S0 = g_I(κ D₁ t) with D₁ the coupling to the nearest I
  (:func:`cald.recoupling.redor.dephasing`, f = 1);
- *multi-spin*: the same universal curve at the effective coupling D_eff = (Σ_i D_i²)^{1/2} over
  every I within the cutoff, the second-moment approximation (science sheet §3): exact at short
  times, where ΔS/S0 ∝ Σ D_i² t², and only an estimate at longer times, where the true multi-spin
  curve depends on the geometry (a numerical simulation is the remedy).

A carboxyl group is a C with exactly two O within :data:`CARBOXYL_CO_MAX_ANGSTROM` (a free acid
counts, and is ``unbound`` unless a metal is close); its mode follows from the metals within the
M–O cutoffs of its oxygens: one metal bonded to both O is ``chelating``, two different metals on
the two O ``bridging``, metal on one O only ``monodentate``. Al coordination counts the O and C
atoms within the Al–O cutoff (``cn``) and the O alone (``cn_o``).

Sites with no I within the cutoff do not dephase. The ensemble curve is the mean over all
observed sites, i.e. the fraction f of sites within the cutoff times the mean curve of those.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.atomistic.relax import relaxation_record
from cald.errors import ParameterError
from cald.nuclei import dipolar_constant_hz_angstrom3
from cald.recoupling.redor import dephasing

if TYPE_CHECKING:
    from ase import Atoms

__all__ = ["geometry_text", "AluminiumSite", "Carboxylate", "ModelAnalysis", "SiteCurve", "SpinPair",
           "CARBOXYL_CO_MAX_ANGSTROM", "MODES", "N_CURVE_POINTS", "analyze_model"]

#: Largest C–O distance (Å) of a carboxylate (C–O 1.25–1.30 Å; an Al–O–CH3 C–O is ≈ 1.43 Å).
CARBOXYL_CO_MAX_ANGSTROM = 1.40
#: Binding modes of a carboxylate, in the order reported.
MODES = ("chelating", "bridging", "monodentate", "unbound")
#: Points of a predicted curve, from 0 to ``t_max_s``.
N_CURVE_POINTS = 61


@dataclass(frozen=True)
class SpinPair:
    """An S–I pair: atom indices (0-based) ``i`` (S) and ``j`` (I), distance and coupling."""

    i: int
    j: int
    r_angstrom: float
    d_hz: float

    def to_dict(self) -> dict[str, Any]:
        """``{i, j, r_angstrom, d_hz}``."""
        return asdict(self)


@dataclass(frozen=True)
class Carboxylate:
    """A carboxylate: its carbon, its two oxygens, the metals bonded to each O and the mode."""

    carbon: int
    oxygens: tuple[int, int]
    metals: tuple[tuple[int, ...], tuple[int, ...]]
    metal_symbols: tuple[tuple[str, ...], tuple[str, ...]]
    mode: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (tuples as lists)."""
        return {"carbon": self.carbon, "oxygens": list(self.oxygens),
                "metals": [list(m) for m in self.metals],
                "metal_symbols": [list(m) for m in self.metal_symbols], "mode": self.mode}


@dataclass(frozen=True)
class AluminiumSite:
    """An Al atom: coordination number ``cn`` (O and C neighbours), ``cn_o`` (O only) and its
    Al–O distances (Å, ascending)."""

    index: int
    cn: int
    cn_o: int
    r_o_angstrom: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"index": self.index, "cn": self.cn, "cn_o": self.cn_o,
                "r_o_angstrom": list(self.r_o_angstrom)}


@dataclass(frozen=True)
class SiteCurve:
    """Predicted dephasing of one observed site (``nearest`` is ``None`` with no I in reach)."""

    site: int
    nearest: int | None
    r_angstrom: float | None
    d_hz: float | None
    d_eff_hz: float | None
    n_partners: int
    ds_s0: NDArray[np.float64]
    ds_s0_multi: NDArray[np.float64]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (curves as ``dS_S0`` and ``dS_S0_multi``)."""
        return {"site": self.site, "nearest": self.nearest, "r_angstrom": self.r_angstrom,
                "d_hz": self.d_hz, "d_eff_hz": self.d_eff_hz, "n_partners": self.n_partners,
                "dS_S0": self.ds_s0.tolist(), "dS_S0_multi": self.ds_s0_multi.tolist()}


@dataclass(frozen=True)
class ModelAnalysis:
    """Result of :func:`analyze_model`; :meth:`to_dict` is the JSON of ``cald model analyze``."""

    pair: str
    spin: float
    kappa: float
    cutoff_angstrom: float
    formula: str
    n_atoms: int
    periodic: bool
    pairs: list[SpinPair]
    carboxylates: list[Carboxylate]
    aluminium: list[AluminiumSite]
    t_s: NDArray[np.float64]
    curves: list[SiteCurve]
    source: str | None = field(default=None, compare=False)
    relaxation: dict[str, Any] | None = None

    @property
    def f(self) -> float:
        """Fraction of observed sites with an I atom within the cutoff (0 without sites)."""
        return sum(c.nearest is not None for c in self.curves) / len(self.curves) if self.curves else 0.0

    @property
    def shortest(self) -> SpinPair | None:
        """The closest S–I pair within the cutoff."""
        return min(self.pairs, key=lambda p: p.r_angstrom, default=None)

    @property
    def closest_site(self) -> SiteCurve | None:
        """The observed site nearest to an I atom (for 13C: the carboxylate carbon closest to an
        Al, which :attr:`shortest` may not be when methyl carbons sit on the Al)."""
        bound = [c for c in self.curves if c.r_angstrom is not None]
        return min(bound, key=lambda c: c.r_angstrom or 0.0, default=None)

    def ensemble(self, multi: bool = False) -> NDArray[np.float64]:
        """Mean predicted ΔS/S0 over all observed sites (two-spin, or D_eff with ``multi``)."""
        if not self.curves:
            return np.zeros_like(self.t_s)
        return np.mean([c.ds_s0_multi if multi else c.ds_s0 for c in self.curves], axis=0)

    def mode_counts(self) -> dict[str, int]:
        """Number of carboxylates in each binding mode (every mode listed)."""
        counts = Counter(c.mode for c in self.carboxylates)
        return {m: counts.get(m, 0) for m in MODES}

    def cn_counts(self) -> dict[str, int]:
        """Number of Al atoms per coordination number (keys as strings, ascending)."""
        counts = Counter(a.cn for a in self.aluminium)
        return {str(k): counts[k] for k in sorted(counts)}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``pairs`` as ``{i, j, r_angstrom, d_hz}``, modes, Al CN and the
        predicted curves (``t_ms``; per site and the ensemble average)."""
        shortest, site = self.shortest, self.closest_site
        return {
            "source": self.source, "relaxation": self.relaxation, "pair": self.pair,
            "spin": self.spin, "kappa": self.kappa,
            "cutoff_angstrom": self.cutoff_angstrom, "formula": self.formula,
            "n_atoms": self.n_atoms, "periodic": self.periodic,
            "n_pairs": len(self.pairs),
            "shortest_r_angstrom": None if shortest is None else shortest.r_angstrom,
            "shortest_d_hz": None if shortest is None else shortest.d_hz,
            "site_r_angstrom": None if site is None else site.r_angstrom,
            "site_d_hz": None if site is None else site.d_hz,
            "pairs": [p.to_dict() for p in self.pairs],
            "modes": self.mode_counts(),
            "carboxylates": [c.to_dict() for c in self.carboxylates],
            "al_cn": self.cn_counts(),
            "aluminium": [a.to_dict() for a in self.aluminium],
            "f": self.f,
            "curves": {"t_ms": (self.t_s * 1e3).tolist(),
                       "sites": [c.to_dict() for c in self.curves],
                       "ensemble": {"dS_S0": self.ensemble().tolist(),
                                    "dS_S0_multi": self.ensemble(multi=True).tolist()}},
        }

    def report(self) -> str:
        """Human-readable summary."""
        counts = self.mode_counts()
        shortest = self.shortest
        lines = [f"{self.source or 'model'}: {self.formula} ({self.n_atoms} atoms"
                 f"{', periodic' if self.periodic else ''}), {geometry_text(self.relaxation)}",
                 f"{self.pair} pairs within {self.cutoff_angstrom:g} Å: {len(self.pairs)}"]
        if shortest is not None:
            lines.append(f"  shortest: atoms {shortest.i}–{shortest.j}, r = "
                         f"{shortest.r_angstrom:.3f} Å, D = {shortest.d_hz:.0f} Hz")
        lines.append("carboxylates: " + (", ".join(f"{n} {m}" for m, n in counts.items() if n)
                                         or "none"))
        if self.aluminium:
            lines.append("Al coordination: " + ", ".join(
                f"{n} × CN {cn}" for cn, n in self.cn_counts().items()))
        for c in self.curves:
            if c.nearest is not None:
                lines.append(f"  site {c.site}: nearest {c.nearest} at {c.r_angstrom:.3f} Å, "
                             f"D = {c.d_hz:.0f} Hz, D_eff = {c.d_eff_hz:.0f} Hz "
                             f"({c.n_partners} within cutoff)")
        lines.append(f"fraction of sites within the cutoff f = {self.f:.3f}")
        return "\n".join(lines)


def geometry_text(relaxation: dict[str, Any] | None) -> str:
    """How the geometry was obtained, for reports: ``relaxed (GFN2-xTB, fmax 0.041 eV/Å,
    converged in 212 steps)`` or ``not relaxed by cald (no relaxation record)``."""
    if not relaxation:
        return "not relaxed by cald (no relaxation record)"
    state = ("converged" if relaxation.get("converged") else "NOT converged")
    fmax = float(relaxation.get("fmax_ev_a", float("nan")))
    return (f"relaxed ({relaxation.get('method', '?')}, fmax {fmax:.3f} eV/Å, {state} in "
            f"{relaxation.get('steps', '?')} steps)")


def _distances(atoms: Atoms) -> NDArray[np.float64]:
    return np.asarray(atoms.get_all_distances(mic=bool(np.any(atoms.pbc))), dtype=float)


def _pairs(atoms: Atoms, s_el: str, i_el: str, cutoff_angstrom: float,
           d_r3_hz_angstrom3: float) -> list[SpinPair]:
    from ase.neighborlist import neighbor_list

    symbols = np.asarray(atoms.get_chemical_symbols())
    first, second, r, shift = neighbor_list("ijdS", atoms, cutoff_angstrom)
    keep = ((symbols[first] == s_el) & (symbols[second] == i_el)
            & ((first != second) | np.any(shift != 0, axis=1)))
    return sorted((SpinPair(int(i), int(j), float(d), float(d_r3_hz_angstrom3 / d**3))
                   for i, j, d in zip(first[keep], second[keep], r[keep], strict=True)),
                  key=lambda p: (p.i, p.r_angstrom, p.j))


def _indices(symbols: list[str], element: str) -> list[int]:
    return [k for k, s in enumerate(symbols) if s == element]


def _carboxylates(symbols: list[str], dist: NDArray[np.float64],
                  metal_o_max: dict[str, float]) -> list[Carboxylate]:
    oxygens = np.array(_indices(symbols, "O"), dtype=int)
    metals = [(k, metal_o_max[s]) for k, s in enumerate(symbols) if s in metal_o_max]
    out = []
    for c in _indices(symbols, "C"):
        close = oxygens[dist[c, oxygens] <= CARBOXYL_CO_MAX_ANGSTROM] if oxygens.size else oxygens
        if close.size != 2:
            continue
        o1, o2 = (int(o) for o in close)
        bound = tuple(tuple(m for m, rmax in metals if dist[o, m] <= rmax) for o in (o1, o2))
        s1, s2 = (set(b) for b in bound)
        if s1 & s2:
            mode = "chelating"
        elif s1 and s2:
            mode = "bridging"
        elif s1 or s2:
            mode = "monodentate"
        else:
            mode = "unbound"
        out.append(Carboxylate(c, (o1, o2), (bound[0], bound[1]),
                               (tuple(symbols[m] for m in bound[0]),
                                tuple(symbols[m] for m in bound[1])), mode))
    return out


def _aluminium(symbols: list[str], dist: NDArray[np.float64], al_max: float) -> list[AluminiumSite]:
    out = []
    for a in _indices(symbols, "Al"):
        ligands = [k for k, s in enumerate(symbols) if s in ("O", "C") and dist[a, k] <= al_max]
        r_o = sorted(float(dist[a, k]) for k in ligands if symbols[k] == "O")
        out.append(AluminiumSite(a, len(ligands), len(r_o), tuple(r_o)))
    return out


def analyze_model(atoms: Atoms, options: ModelAnalyzeOptions | None = None,
                  source: str | None = None) -> ModelAnalysis:
    """Spin pairs, binding modes, Al coordination and predicted RESPDOR curves of a model.

    Parameters
    ----------
    atoms
        The structure (ASE ``Atoms``; positions in Å, periodic directions from ``atoms.pbc``).
    options
        Pair, cutoffs (Å), κ and the longest recoupling time; defaults of
        :class:`ModelAnalyzeOptions` when ``None``.
    source
        File the model came from, named in errors and the result.

    Raises
    ------
    ParameterError
        The model has no atom of the pair's S or I element.
    """
    opts = options or ModelAnalyzeOptions.model_validate({})
    s_iso, i_iso = opts.isotopes
    symbols = list(atoms.get_chemical_symbols())
    s_el, i_el = (iso.symbol.lstrip("0123456789") for iso in (s_iso, i_iso))
    s_idx, i_idx = _indices(symbols, s_el), _indices(symbols, i_el)
    missing = [el for el, idx in ((s_el, s_idx), (i_el, i_idx)) if not idx]
    if missing:
        raise ParameterError(f"pair {opts.pair}: the model has no {' and no '.join(missing)} atoms "
                             f"(it holds {atoms.get_chemical_formula()})", source)
    dist = _distances(atoms)
    pairs = _pairs(atoms, s_el, i_el, opts.cutoff_angstrom,
                   dipolar_constant_hz_angstrom3(s_iso, i_iso))
    carboxylates = _carboxylates(symbols, dist, opts.metal_o_max_angstrom)
    sites = [c.carbon for c in carboxylates] if s_el == "C" and carboxylates else s_idx
    t_s = np.linspace(0.0, opts.t_max_s, N_CURVE_POINTS)
    curves = []
    for site in sites:
        near = [p for p in pairs if p.i == site]
        if not near:
            zeros = np.zeros_like(t_s)
            curves.append(SiteCurve(site, None, None, None, None, 0, zeros, zeros))
            continue
        d_eff = float(np.sqrt(sum(p.d_hz**2 for p in near)))
        curves.append(SiteCurve(site, near[0].j, near[0].r_angstrom, near[0].d_hz, d_eff, len(near),
                                dephasing(t_s, near[0].d_hz, 1.0, i_iso.spin, opts.kappa),
                                dephasing(t_s, d_eff, 1.0, i_iso.spin, opts.kappa)))
    return ModelAnalysis(opts.pair, i_iso.spin, opts.kappa, opts.cutoff_angstrom,
                         atoms.get_chemical_formula(), len(atoms), bool(np.any(atoms.pbc)), pairs,
                         carboxylates, _aluminium(symbols, dist, opts.al_o_max_angstrom), t_s,
                         curves, source, relaxation_record(atoms))
