"""Options of ``cald model analyze`` and of the ``model`` analysis kind (see :mod:`cald.options`).

Default bond cutoffs are typical values, not fitted ones: sums of Shannon's ionic radii (Acta
Cryst. A32, 751 (1976); O²⁻ 1.35–1.40 Å) give Cd–O ≈ 2.3–2.4 Å for Cd²⁺ (0.95 Å, CN 6) and
Al–O ≈ 1.74 (CN 4), 1.83 (CN 5) and 1.89–1.94 Å (CN 6) for Al³⁺ (0.39, 0.48, 0.535 Å); carboxylate
Cd–O bonds in crystals spread over 2.2–2.6 Å. The cutoffs lie just above those ranges so that a
bond stretched by a relaxation still counts and a second-shell oxygen does not.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from cald.nuclei import Isotope, parse_pair
from cald.options import Options, PositiveFloat

__all__ = ["ModelAnalyzeOptions"]


def _check_pair(text: str) -> str:
    parse_pair(text)
    return text


class ModelAnalyzeOptions(Options):
    """``cald model analyze``: spin pairs, carboxylate binding modes, Al coordination and the
    RESPDOR curves a structure predicts."""

    boundary_units = {"t_max_ms": ("t_max_s", 1e-3)}

    pair: Annotated[str, AfterValidator(_check_pair)] = Field(
        "13C-27Al", description="Observed-dephasing isotope pair, e.g. 13C-27Al or 111Cd-27Al.")
    cutoff_angstrom: PositiveFloat = Field(
        6.0, description="Largest S–I distance (Å) listed and counted in the curves.")
    cd_o_max_angstrom: PositiveFloat = Field(
        2.7, description="Largest Cd–O distance (Å) counted as a bond (typical 2.2–2.6 Å).")
    al_o_max_angstrom: PositiveFloat = Field(
        2.2, description="Largest Al–O (and Al–C) distance (Å) counted as a bond (typical "
                         "Al–O 1.75–1.95 Å, Al–CH3 1.96 Å).")
    kappa: PositiveFloat = Field(1.0, description="Recoupling scaling factor κ, λ = κ·D·t "
                                                  "(1 for π-pulse trains).")
    t_max_s: PositiveFloat = Field(3e-3, description="Longest recoupling time of the predicted "
                                                     "curves (ms).")

    @property
    def isotopes(self) -> tuple[Isotope, Isotope]:
        """(observed S, dephasing I) isotopes of :attr:`pair`."""
        return parse_pair(self.pair)

    @property
    def metal_o_max_angstrom(self) -> dict[str, float]:
        """Element → largest M–O bond distance (Å) for the binding-mode classification."""
        return {"Cd": self.cd_o_max_angstrom, "Al": self.al_o_max_angstrom}
