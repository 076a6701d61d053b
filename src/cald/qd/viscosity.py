"""Viscosity of the common solvents of QD solutions against temperature, for Stokes–Einstein
sizes from DOSY (:mod:`cald.qd.dosy`).

Each solvent has a few tabulated points η(T); between them ln η is interpolated linearly in 1/T
(Andrade's law, ln η = A + B/T, piecewise), and outside them the nearest segment is extrapolated
with a note. Sources (also in ``docs/viscosity.md``):

======================  =================================================================
solvent                  source of the points
======================  =================================================================
toluene                  298.15 K: Santos, Nieto de Castro, Dymond, Dalaouti, Assael,
                         Nagashima, J. Phys. Chem. Ref. Data 35, 1 (2006), 0.5542 mPa s;
                         273.15/323.15/348.15/373.15 K: CRC Handbook of Chemistry and
                         Physics, "Viscosity of liquids"
toluene-d8               toluene × 1.043, the square root of the molar-mass ratio
                         (100.19/92.14): an ESTIMATE, not a measurement
chloroform, hexane,      CRC Handbook of Chemistry and Physics, "Viscosity of liquids"
octane, cyclohexane      (0, 25, 50, 75, 100 °C columns)
water                    Huber, Perkins, Laesecke, Friend, Sengers, Assael, Metaxa,
                         Vogel, Mareš, Miyagawa, J. Phys. Chem. Ref. Data 38, 101 (2009)
                         (IAPWS 2008)
D2O                      Hardy & Cottington, J. Res. Natl. Bur. Stand. 42, 573 (1949)
======================  =================================================================

Only the toluene value at 298.15 K (0.5542 mPa s, quoted in the project's science notes from
Santos et al.) was checked against its source while this table was written; the other points
were transcribed without access to the sources (no network) and should be checked against them
— pass ``--viscosity-mpa-s`` when the number matters. The toluene-d8 factor is an estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cald.errors import FieldError

__all__ = ["SOLVENTS", "SOLVENT_ALIASES", "Viscosity", "solvent_name", "viscosity"]

_CRC = "CRC Handbook of Chemistry and Physics, Viscosity of liquids"
_SANTOS = "Santos et al., J. Phys. Chem. Ref. Data 35, 1 (2006)"
_TOLUENE = ((273.15, 0.773), (298.15, 0.5542), (323.15, 0.424), (348.15, 0.333),
            (373.15, 0.271))
_D8_FACTOR = math.sqrt(100.19 / 92.14)

#: solvent → (source, ((T K, η mPa s), …) in increasing T).
SOLVENTS: dict[str, tuple[str, tuple[tuple[float, float], ...]]] = {
    "toluene": (f"{_SANTOS} (298.15 K); {_CRC}", _TOLUENE),
    "toluene-d8": (f"toluene ({_SANTOS}; {_CRC}) × {_D8_FACTOR:.3f} (√ molar-mass ratio, an "
                   "estimate)", tuple((t, round(v * _D8_FACTOR, 4)) for t, v in _TOLUENE)),
    "chloroform": (_CRC, ((273.15, 0.700), (298.15, 0.537), (323.15, 0.427))),
    "hexane": (_CRC, ((273.15, 0.405), (298.15, 0.300), (323.15, 0.240))),
    "octane": (_CRC, ((273.15, 0.700), (298.15, 0.508), (323.15, 0.385), (348.15, 0.302),
                      (373.15, 0.243))),
    "cyclohexane": (_CRC, ((298.15, 0.894), (323.15, 0.615), (348.15, 0.447))),
    "water": ("Huber et al., J. Phys. Chem. Ref. Data 38, 101 (2009) (IAPWS 2008)",
              ((273.15, 1.7914), (283.15, 1.3060), (293.15, 1.0016), (298.15, 0.8900),
               (303.15, 0.7972), (313.15, 0.6527), (323.15, 0.5465), (333.15, 0.4660),
               (353.15, 0.3540))),
    "D2O": ("Hardy & Cottington, J. Res. Natl. Bur. Stand. 42, 573 (1949)",
            ((283.15, 1.6780), (293.15, 1.2471), (298.15, 1.0950), (303.15, 0.9700),
             (313.15, 0.7860), (323.15, 0.6530))),
}

#: Other spellings, TopSpin's SOLVENT names included (lower case) → table name.
SOLVENT_ALIASES: dict[str, str] = {
    "tol": "toluene-d8", "c7d8": "toluene-d8", "toluene-d8": "toluene-d8", "toluene": "toluene",
    "cdcl3": "chloroform", "chcl3": "chloroform", "chloroform": "chloroform",
    "chloroform-d": "chloroform", "hexane": "hexane", "c6d14": "hexane", "hexane-d14": "hexane",
    "octane": "octane", "c8d18": "octane", "octane-d18": "octane", "cyclohexane": "cyclohexane",
    "c6d12": "cyclohexane", "cyclohexane-d12": "cyclohexane", "water": "water", "h2o": "water",
    "h2o+d2o": "water", "d2o": "D2O",
}


@dataclass(frozen=True)
class Viscosity:
    """A viscosity (mPa s) with where it came from and a note when extrapolated or given."""

    solvent: str
    temperature_k: float
    value_mpa_s: float
    source: str
    note: str | None = None


def solvent_name(text: str) -> str | None:
    """The table name of a solvent spelling (TopSpin's ``Tol``, ``CDCl3``, ``D2O`` …), or
    ``None`` when the solvent is not in the table."""
    return SOLVENT_ALIASES.get(text.strip().lower())


def viscosity(solvent: str, temperature_k: float) -> Viscosity:
    """η of a solvent at a temperature (see the module docstring for the form and sources).

    Raises
    ------
    FieldError
        ``solvent`` unknown (the message lists the known ones) or the temperature not positive.
    """
    name = solvent_name(solvent)
    if name is None:
        raise FieldError("solvent", f"unknown solvent {solvent!r} (known: {', '.join(SOLVENTS)}; "
                                    "or give the viscosity)")
    if not temperature_k > 0:
        raise FieldError("temperature_k", f"must be positive, got {temperature_k}")
    source, points = SOLVENTS[name]
    t = [p[0] for p in points]
    i = min(max(sum(1 for x in t if x <= temperature_k) - 1, 0), len(t) - 2)
    (t0, v0), (t1, v1) = points[i], points[i + 1]
    slope = (math.log(v1) - math.log(v0)) / (1 / t1 - 1 / t0)
    value = math.exp(math.log(v0) + slope * (1 / temperature_k - 1 / t0))
    note = None
    if not t[0] <= temperature_k <= t[-1]:
        note = (f"{temperature_k:g} K is outside the table of {name} ({t[0]:g}–{t[-1]:g} K): "
                "viscosity extrapolated (Andrade)")
    return Viscosity(name, float(temperature_k), float(value), source, note)
