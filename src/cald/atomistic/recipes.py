"""Reaction products of trimethylaluminium (TMA) on a surface carboxylate, by name.

Each :class:`Recipe` puts one Al on an O of a carboxylate (the C–O–Al angle 130°, the
C···Al distance then ≈ 2.8 Å before relaxation) with its groups around it: ``Me`` (CH3),
``OMe`` (O–CH3, O2 inserted into Al–C) and ``OOMe`` (O–O–CH3, the methylperoxide). Two groups
give a trigonal Al (AlMe2–O2CR after CH4 loss), three a tetrahedral one (the AlMe3 adduct).
The O and the orientation of the product about its C–O bond are the ones (2 × 24 trials) whose
closest contact to the rest of the model is largest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, covalent_radii

from cald.atomistic.geometry import (
    BOND_ANGSTROM,
    TETRAHEDRAL,
    Vec,
    cone,
    methyl_h,
    rotate,
    unit,
)
from cald.errors import ParameterError

__all__ = ["RECIPES", "Recipe", "attach_recipe", "get_recipe"]

_Z = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class Recipe:
    """A TMA product on a carboxylate O.

    Attributes
    ----------
    name
        The registry name.
    groups
        The groups on Al besides the carboxylate O (``Me``, ``OMe``, ``OOMe``).
    al_o_angstrom
        The Al–O(carboxylate) starting distance (Å): 1.85 covalent, 1.95 dative (adduct).
    description
        One line for listings.
    """

    name: str
    groups: tuple[str, ...]
    al_o_angstrom: float
    description: str

    @property
    def charge(self) -> int:
        """The formal charge of the Al fragment (Al³⁺ minus its anionic groups): +1 takes the
        place of a carboxylate's charge, 0 (adduct) does not."""
        return 3 - len(self.groups)


#: The named products (``cald model build --recipe``).
RECIPES: dict[str, Recipe] = {r.name: r for r in (
    Recipe("alme2", ("Me", "Me"), BOND_ANGSTROM["Al-O"], "AlMe2 on a carboxylate O after CH4 loss"),
    Recipe("alme3", ("Me", "Me", "Me"), BOND_ANGSTROM["Al-O-dative"],
           "AlMe3 adduct on a carboxylate O"),
    Recipe("alme-ome", ("Me", "OMe"), BOND_ANGSTROM["Al-O"],
           "AlMe(OCH3): O2 inserted into one Al–C of AlMe2"),
    Recipe("alme-oome", ("Me", "OOMe"), BOND_ANGSTROM["Al-O"],
           "AlMe(OOCH3): the methylperoxide of AlMe2 + O2"),
    Recipe("al-ome2", ("OMe", "OMe"), BOND_ANGSTROM["Al-O"], "Al(OCH3)2: both Al–C oxidised"),
)}


def get_recipe(name: str) -> Recipe:
    """The recipe called ``name``.

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the known ones).
    """
    try:
        return RECIPES[name]
    except KeyError:
        raise ParameterError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None


def _group(kind: str, al: Vec, d: Vec) -> tuple[list[str], list[Vec]]:
    """The atoms of one group on Al along the unit vector ``d``."""
    if kind == "Me":
        c = al + BOND_ANGSTROM["Al-C"] * d
        return ["C", "H", "H", "H"], [c, *methyl_h(c, al)]
    o = al + BOND_ANGSTROM["Al-O"] * d
    if kind == "OMe":
        c = o + BOND_ANGSTROM["C-O"] * cone(al - o, math.radians(120.0), 1, _Z)[0]
        return ["O", "C", "H", "H", "H"], [o, c, *methyl_h(c, o)]
    o2 = o + BOND_ANGSTROM["O-O"] * cone(al - o, TETRAHEDRAL, 1, _Z)[0]
    c = o2 + BOND_ANGSTROM["C-O"] * cone(o - o2, TETRAHEDRAL, 1, -d)[0]
    return ["O", "O", "C", "H", "H", "H"], [o, o2, c, *methyl_h(c, o2)]


def _product(recipe: Recipe, o: Vec, c: Vec, phi_rad: float) -> tuple[list[str], list[Vec]]:
    u = unit(o - c)
    d_al = cone(u, math.radians(50.0), 1, _Z)[0]
    al = o + recipe.al_o_angstrom * rotate(d_al, u, phi_rad)
    n = len(recipe.groups)
    angle = math.radians(120.0) if n == 2 else TETRAHEDRAL
    symbols, positions = ["Al"], [al]
    for kind, d in zip(recipe.groups, cone(o - al, angle, n, c - o), strict=True):
        s, p = _group(kind, al, d)
        symbols += s
        positions += p
    return symbols, positions


def attach_recipe(atoms: Atoms, recipe: Recipe, o_indices: tuple[int, ...], c_index: int,
                  n_trials: int = 24) -> tuple[Atoms, float]:
    """The product of ``recipe`` on one of the carboxylate O ``o_indices`` (its C
    ``c_index``): the O and orientation whose closest contact to ``atoms`` is largest.

    Returns
    -------
    product, c_al_angstrom
        The new atoms (Al first) and the C(carboxylate)–Al distance (Å).
    """
    c = atoms.positions[c_index]
    radii = covalent_radii[atoms.numbers]
    best: tuple[float, list[str], list[Vec]] | None = None
    trials = [(atoms.positions[o], 2 * math.pi * i / n_trials)
              for o in o_indices for i in range(n_trials)]
    for o, phi in trials:
        symbols, positions = _product(recipe, o, c, phi)
        new = np.array(positions)
        r_new = np.array([covalent_radii[atomic_numbers[s]] for s in symbols])
        probe = Atoms(atoms.get_chemical_symbols() + symbols,
                      positions=np.vstack([atoms.positions, new]), cell=atoms.cell, pbc=atoms.pbc)
        n0 = len(atoms)
        worst = math.inf
        for k in range(len(symbols)):
            dist = probe.get_distances(n0 + k, list(range(n0)), mic=True)
            worst = min(worst, float(np.min(dist / (radii + r_new[k]))))
        if best is None or worst > best[0]:
            best = (worst, symbols, positions)
    assert best is not None
    product = Atoms(best[1], positions=np.array(best[2]))
    return product, float(np.linalg.norm(best[2][0] - c))
