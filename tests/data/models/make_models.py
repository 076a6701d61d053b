"""Write the hand-made test model cd_acetate_alme2.extxyz (run from this folder; see README.md).

A heavy-atom sketch, not a relaxed structure: acetate A chelates a Cd (both Cd–O 2.25 Å) and
carries AlMe2 on its second O (Al–O 1.80 Å, carboxyl C–Al 2.857 Å, close to the 2.9 Å of the
reference study's DFT); acetate B, 9 Å away, is monodentate on another Cd. Two Se atoms complete
a small Cd2Se2 core.
"""

from __future__ import annotations

import numpy as np
from ase import Atoms
from ase.io import write


def acetate(origin: np.ndarray) -> tuple[list[str], list[np.ndarray]]:
    """Carboxyl C at ``origin``, O at (±1.10, 0, −0.635) (C–O 1.270 Å), methyl C at +1.51 z."""
    return (["C", "O", "O", "C"],
            [origin, origin + [-1.10, 0, -0.635], origin + [1.10, 0, -0.635], origin + [0, 0, 1.51]])


def model() -> Atoms:
    a_sym, a_pos = acetate(np.zeros(3))
    b_sym, b_pos = acetate(np.array([9.0, 0.0, 0.0]))
    symbols = a_sym + b_sym + ["Cd", "Cd", "Se", "Se", "Al", "C", "C"]
    positions = a_pos + b_pos + [
        np.array([0.0, 0.0, -2.6]),          # Cd chelated by A: Cd–O 2.249 Å
        np.array([7.9, 0.0, -2.835]),        # Cd under B's first O only: Cd–O 2.20 Å
        np.array([2.5, 0.0, -4.3]), np.array([5.4, 0.0, -4.3]),
        np.array([2.85, 0.0, -0.2]),         # Al on A's second O: Al–O 1.803 Å
        np.array([3.75, 1.6, 0.3]), np.array([3.75, -1.6, 0.3]),  # methyls, Al–C 1.90 Å
    ]
    return Atoms(symbols, positions=np.array(positions))


if __name__ == "__main__":
    write("cd_acetate_alme2.extxyz", model(), format="extxyz")
