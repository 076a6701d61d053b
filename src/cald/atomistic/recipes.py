"""Reaction products of trimethylaluminium (TMA) on a surface carboxylate, by name.

Each :class:`Recipe` puts one Al on an O of a carboxylate (the C–O–Al angle 130°, the
C···Al distance then ≈ 2.8 Å before relaxation) with its groups around it: ``Me`` (CH3),
``OMe`` (O–CH3, O2 inserted into Al–C) and ``OOMe`` (O–O–CH3, the methylperoxide). Two groups
give a trigonal Al (AlMe2–O2CR after CH4 loss), three a tetrahedral one (the AlMe3 adduct).
The O, the turn of Al about the C–O bond (24 steps) and of its groups about the Al–O bond (6
steps of the 3-fold period) are the ones whose closest contact to the rest of the model
(distance / sum of covalent radii; other O counted 1.5× farther from Al) is largest.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from cald.atomistic.geometry import (
    BOND_ANGSTROM,
    TETRAHEDRAL,
    Vec,
    cone,
    contact_ratios,
    methyl_h,
    rotate,
    unit,
)
from cald.errors import ParameterError

__all__ = ["RECIPES", "Recipe", "attach_recipe", "get_recipe"]

_Z = np.array([0.0, 0.0, 1.0])
#: Other O are kept from Al as if their covalent radii were this much larger (an O at
#: ≈ 2.25 Å would be a second Al–O bond).
_AL_O_SPACING = 1.5
#: Atoms farther than this from the carboxylate O cannot touch the product (Å).
_REACH_ANGSTROM = 12.0


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


def _product(recipe: Recipe, o: Vec, c: Vec, phi_rad: float,
             psi_rad: float) -> tuple[list[str], list[Vec]]:
    """The product with Al turned by ``phi_rad`` about the C–O bond and its groups by
    ``psi_rad`` about the Al–O bond."""
    u = unit(o - c)
    al = o + recipe.al_o_angstrom * rotate(cone(u, math.radians(50.0), 1, _Z)[0], u, phi_rad)
    n = len(recipe.groups)
    angle = math.radians(120.0) if n == 2 else TETRAHEDRAL
    symbols, positions = ["Al"], [al]
    ref = rotate(c - o, o - al, psi_rad)
    for kind, d in zip(recipe.groups, cone(o - al, angle, n, ref), strict=True):
        s, p = _group(kind, al, d)
        symbols += s
        positions += p
    return symbols, positions


def _neighbourhood(atoms: Atoms, centre: Vec) -> tuple[np.ndarray, np.ndarray]:
    """Indices and positions of all atoms and periodic images within :data:`_REACH_ANGSTROM`
    of ``centre`` (several images of one atom in a small cell)."""
    ranges = [range(-math.ceil(_REACH_ANGSTROM / np.linalg.norm(v)),
                    math.ceil(_REACH_ANGSTROM / np.linalg.norm(v)) + 1) if p else range(1)
              for v, p in zip(atoms.cell.array, atoms.pbc, strict=True)]
    index, images = [], []
    for i, j, k in itertools.product(*ranges):
        pos = atoms.positions + i * atoms.cell[0] + j * atoms.cell[1] + k * atoms.cell[2]
        inside = np.flatnonzero(np.linalg.norm(pos - centre, axis=1) < _REACH_ANGSTROM)
        index.append(inside)
        images.append(pos[inside])
    return np.concatenate(index), np.vstack(images)


def attach_recipe(atoms: Atoms, recipe: Recipe, o_indices: tuple[int, ...], c_index: int,
                  n_phi: int = 24, n_psi: int = 6) -> tuple[Atoms, float]:
    """The product of ``recipe`` on one of the carboxylate O ``o_indices`` (its C
    ``c_index``): the O and orientation whose closest contact to ``atoms`` is largest.

    Returns
    -------
    product, c_al_angstrom
        The new atoms (Al first) and the C(carboxylate)–Al distance (Å).
    """
    c = atoms.positions[c_index]
    best: tuple[float, list[str], list[Vec]] | None = None
    for o in o_indices:
        near, env = _neighbourhood(atoms, atoms.positions[o])
        is_o = (atoms.numbers[near] == 8) & (near != o)
        for i in range(n_phi):
            for j in range(n_psi):
                symbols, positions = _product(recipe, atoms.positions[o], c,
                                              2 * math.pi * i / n_phi, 2 * math.pi * j / n_psi / 3)
                q = contact_ratios(np.array(positions), np.array([atomic_numbers[s] for s in symbols]),
                                   env, atoms.numbers[near])
                q[0, near == o] = np.inf  # the Al–O bond made here
                q[0, is_o] /= _AL_O_SPACING  # keep Al 3- or 4-coordinate: other O farther off
                worst = float(np.min(q))
                if best is None or worst > best[0]:
                    best = (worst, symbols, positions)
    assert best is not None
    product = Atoms(best[1], positions=np.array(best[2]))
    return product, float(np.linalg.norm(best[2][0] - c))
