"""Small vector helpers and the bond lengths of the model builder (Å).

Bond lengths are typical starting values (a relaxation refines them), not fitted numbers:
Al–O 1.85, Al–C 1.97 (trimethylaluminium, gas-phase electron diffraction ≈ 1.96 Å),
C–O 1.26 (carboxylate) and 1.43 (methoxy), C–H 1.09, C–C 1.53, O–O 1.47 (peroxide),
Se–H 1.46 (H2Se), Cd–O 2.30 (chelating) / 2.25 (bridging) / 2.15 (monodentate).
"""

from __future__ import annotations

import math

import numpy as np
from ase.data import covalent_radii
from numpy.typing import NDArray

__all__ = ["BOND_ANGSTROM", "TETRAHEDRAL", "cone", "contact_ratios", "methyl_h", "methylene_h",
           "perpendicular", "rotate", "unit"]

Vec = NDArray[np.float64]

#: Typical bond lengths used to place atoms (Å); see the module docstring.
BOND_ANGSTROM: dict[str, float] = {
    "Al-O": 1.85, "Al-O-dative": 1.95, "Al-C": 1.97, "C-O-carboxylate": 1.26, "C-O": 1.43,
    "C-H": 1.09, "C-C": 1.53, "O-O": 1.47, "Se-H": 1.46, "Cd-O-chelating": 2.30,
    "Cd-O-bridging": 2.25, "Cd-O-monodentate": 2.15,
}

#: Tetrahedral angle (rad).
TETRAHEDRAL = math.acos(-1.0 / 3.0)


def unit(v: Vec) -> Vec:
    """``v`` scaled to length 1."""
    return np.asarray(v, dtype=float) / float(np.linalg.norm(v))


def perpendicular(v: Vec, hint: Vec | None = None) -> Vec:
    """A unit vector perpendicular to ``v`` (the part of ``hint`` perpendicular to it if given
    and not parallel)."""
    v = unit(v)
    for h in ([] if hint is None else [np.asarray(hint, float)]) + [np.array([0.0, 0.0, 1.0]),
                                                                    np.array([1.0, 0.0, 0.0])]:
        p = h - np.dot(h, v) * v
        if np.linalg.norm(p) > 1e-6:
            return unit(p)
    raise AssertionError("unreachable")  # pragma: no cover


def rotate(v: Vec, axis: Vec, angle_rad: float) -> Vec:
    """``v`` rotated by ``angle_rad`` about ``axis`` (Rodrigues)."""
    k = unit(axis)
    v = np.asarray(v, float)
    return (v * math.cos(angle_rad) + np.cross(k, v) * math.sin(angle_rad)
            + k * np.dot(k, v) * (1.0 - math.cos(angle_rad)))


def cone(axis: Vec, angle_rad: float, n: int, ref: Vec | None = None) -> list[Vec]:
    """``n`` unit vectors at ``angle_rad`` from ``axis``, evenly spread around it (the first in
    the plane of ``axis`` and ``ref``)."""
    a = unit(axis)
    p = perpendicular(a, ref)
    q = np.cross(a, p)
    return [math.cos(angle_rad) * a + math.sin(angle_rad)
            * (math.cos(2 * math.pi * i / n) * p + math.sin(2 * math.pi * i / n) * q)
            for i in range(n)]


def methyl_h(c: Vec, neighbour: Vec, ref: Vec | None = None) -> list[Vec]:
    """The three H of a methyl carbon at ``c`` bonded to an atom at ``neighbour``
    (tetrahedral, staggered relative to ``ref``)."""
    return [c + BOND_ANGSTROM["C-H"] * d for d in cone(c - neighbour, math.pi - TETRAHEDRAL, 3, ref)]


def methylene_h(c: Vec, prev: Vec, nxt: Vec) -> list[Vec]:
    """The two H of a CH2 carbon at ``c`` between ``prev`` and ``nxt``."""
    b = unit(2 * c - prev - nxt)
    n = unit(np.cross(prev - c, nxt - c))
    half = TETRAHEDRAL / 2
    return [c + BOND_ANGSTROM["C-H"] * (math.cos(half) * b + s * math.sin(half) * n)
            for s in (1.0, -1.0)]


def contact_ratios(positions: np.ndarray, numbers: np.ndarray, env_positions: np.ndarray,
                   env_numbers: np.ndarray) -> np.ndarray:
    """Distance / sum of covalent radii of every atom at ``positions`` (atomic ``numbers``) to
    every atom of the environment (rows: the atoms, columns: the environment); the model
    builder calls a contact closer than 0.8 a clash."""
    d = np.linalg.norm(np.asarray(positions)[:, None, :] - env_positions[None, :, :], axis=2)
    return d / (covalent_radii[numbers][:, None] + covalent_radii[env_numbers][None, :])
