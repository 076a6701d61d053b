"""Options of the atomistic operations (``cald model build``; see :mod:`cald.options` for the
conventions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from cald.options import NonNegativeInt, Options, PositiveFloat, check

if TYPE_CHECKING:
    from ase import Atoms

__all__ = ["BuildOptions", "QdModelOptions", "parse_size"]


def parse_size(value: object) -> tuple[int, int]:
    """``"2x2"`` or ``[2, 2]`` → (n, m), both ≥ 1."""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", value)
        if m is None:
            raise ValueError(f"must look like NxM (e.g. 2x2), got {value!r}")
        size = (int(m[1]), int(m[2]))
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        size = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"must look like NxM (e.g. 2x2), got {value!r}")
    if min(size) < 1 or max(size) > 20:
        raise ValueError(f"must have repeats 1–20, got {value!r}")
    return size


class BuildOptions(Options):
    """``cald model build``: a CdSe slab with carboxylates and TMA products."""

    facet: Literal["100", "111"] = Field("100", description="Exposed facet: 100 or 111.")
    size: Annotated[tuple[int, int], BeforeValidator(parse_size)] = Field(
        (2, 2), description="Lateral repeats NxM of the surface cell.")
    layers: Annotated[int, check(lambda v: v >= 2 and v % 2 == 0, "must be even and ≥ 2")] = Field(
        4, description="Atomic layers (Se bottom, Cd top).")
    vacuum_angstrom: PositiveFloat = Field(15.0, description="Vacuum along z (Å).")
    ligand: str = Field("acetate", description="Carboxylate: formate, acetate, butanoate, oleate.")
    chain_carbons: int | None = Field(
        None, description="Oleate truncated at this many carbons (2–9; default 9).")
    ligands: NonNegativeInt | None = Field(None, description="Number of carboxylates.")
    density_nm2: PositiveFloat | None = Field(
        None, description="Carboxylates per nm² (instead of --ligands).")
    mode: Literal["chelating", "bridging", "monodentate"] = Field(
        "chelating", description="Binding mode of the carboxylates.")
    tma: NonNegativeInt = Field(0, description="TMA products, one per carboxylate.")
    o2: NonNegativeInt = Field(0, description="Of the TMA products, how many after O2 (--o2-recipe).")
    recipe: str = Field("alme2", description="TMA product without O2 (see --list-recipes).")
    o2_recipe: str = Field("alme-ome", description="TMA product after O2.")
    fixed_layers: NonNegativeInt = Field(2, description="Bottom atomic layers held fixed.")
    cd_vacancies: bool = Field(
        True, description="Remove top Cd left without a carboxylate (in pairs, one H per bottom "
                          "Se; an odd count also takes one bottom Se); else bottom Se lose H.")

    @model_validator(mode="after")
    def _counts(self) -> Self:
        if self.ligands is not None and self.density_nm2 is not None:
            raise ValueError("give {ligands} or {density_nm2}, not both")
        if self.o2 > self.tma:
            raise ValueError(f"{{o2}} ({self.o2}) cannot exceed {{tma}} ({self.tma})")
        return self

    def build(self) -> Atoms:
        """The model (:func:`cald.atomistic.build.build_slab`).

        Examples
        --------
        A CdSe {100} slab with four chelating acetates and one AlMe2 on a carboxylate O:

        >>> from cald.atomistic.options import BuildOptions
        >>> atoms = BuildOptions(facet="100", ligands=4, ligand="acetate", tma=1).build()
        >>> print(len(atoms), atoms.get_chemical_formula(mode="hill"))
        72 C10H25AlCd13O8Se15
        """
        from cald.atomistic.build import build_slab, slab_area_nm2
        from cald.atomistic.recipes import get_recipe

        n = self.ligands
        if n is None:
            n = 0 if self.density_nm2 is None else round(
                self.density_nm2 * slab_area_nm2(self.facet, self.size))
            if self.density_nm2 is not None and n == 0:
                from cald.errors import ParameterError

                raise ParameterError(f"--density-nm2 {self.density_nm2} gives no ligand on the "
                                     f"{self.size[0]}x{self.size[1]} slab; use a larger --size")
        tma = (get_recipe(self.recipe),) * (self.tma - self.o2) + (get_recipe(self.o2_recipe),) * self.o2
        return build_slab(self.facet, self.size, self.layers, self.vacuum_angstrom, self.ligand, n,
                          self.mode, tma, self.fixed_layers, self.chain_carbons, self.cd_vacancies)


class QdModelOptions(Options):
    """``cald model qd``: a spherical-ish zinc-blende CdSe dot with a Cd-rich surface and
    carboxylates on its surface Cd (or only their count)."""

    diameter_nm: Annotated[float, check(lambda v: 1.3 <= v <= 6.0, "must be 1.3–6 nm")] = Field(
        2.3, description="Diameter of the dot (nm).")
    density_nm2: PositiveFloat = Field(5.3, description="Ligands per nm² of the sphere.")
    ligand: str = Field("acetate", description="Carboxylate: formate, acetate, butanoate, oleate.")
    chain_carbons: int | None = Field(
        None, description="Oleate truncated at this many carbons (2–9; default 9).")
    mode: Literal["chelating", "bridging", "monodentate"] = Field(
        "chelating", description="Binding mode of the carboxylates.")
    place: bool = Field(True, description="Place the carboxylates on the surface Cd; else only "
                                          "count them (fast).")

    def build(self) -> Atoms:
        """The dot (:func:`cald.atomistic.build.build_qd`)."""
        from cald.atomistic.build import build_qd

        return build_qd(self.diameter_nm, self.density_nm2, self.ligand, self.mode,
                        self.chain_carbons, self.place)
