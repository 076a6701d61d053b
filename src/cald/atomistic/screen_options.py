"""The screen file of ``cald model screen`` (see :mod:`cald.atomistic.screen`): shared relaxation
and analysis options, build defaults, and the configurations.

.. code-block:: toml

    [relax]                 # RelaxOptions, shared by every configuration
    steps = 50
    [analyze]               # ModelAnalyzeOptions (pair, cutoffs), shared
    pair = "13C-27Al"
    [build]                 # BuildOptions defaults of every configuration
    size = "2x2"
    ligands = 2
    tma = 1
    [[configurations]]      # a name and the BuildOptions that differ from [build]
    name = "chelating"
    mode = "chelating"
    [[configurations]]
    name = "bridging"
    mode = "bridging"

Ligand and recipe names are checked when the file is read; the models themselves are built
(clashes, a density impossible for the facet) before any relaxation starts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, ValidationError, field_validator, model_validator

from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.atomistic.options import BuildOptions
from cald.atomistic.relax_options import RelaxOptions
from cald.errors import InputError
from cald.io.tomlfile import read_toml
from cald.options import Options, check, field_path

__all__ = ["ScreenConfiguration", "ScreenFileError", "ScreenOptions", "load_screen"]

#: A configuration name: it names the files of the configuration in the output folder.
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"


class ScreenFileError(InputError):
    """The screen file is missing, not TOML, or does not follow the schema."""


class ScreenConfiguration(BuildOptions):
    """One configuration of a screen: a name and its build options (the file's ``[build]``
    defaults updated by the configuration's own keys)."""

    name: Annotated[str, check(lambda v: re.fullmatch(NAME_PATTERN, v) is not None,
                               "must be 1–64 letters, digits, '.', '_' or '-' (it names the "
                               "output files)", quote=True)] = Field(
        description="Name of the configuration (its files are NAME.xyz and NAME.json).")

    @field_validator("ligand")
    @classmethod
    def _known_ligand(cls, value: str) -> str:
        from cald.atomistic.build import ligand_carbons

        ligand_carbons(value)
        return value

    @field_validator("recipe", "o2_recipe")
    @classmethod
    def _known_recipe(cls, value: str) -> str:
        from cald.atomistic.recipes import get_recipe

        get_recipe(value)
        return value

    @property
    def build_options(self) -> BuildOptions:
        """The build options without the name."""
        return BuildOptions.model_validate(self.model_dump(exclude={"name"}))


class ScreenOptions(Options):
    """A screen: configurations built, relaxed and analysed with shared options."""

    relax: RelaxOptions = Field(default_factory=lambda: RelaxOptions.model_validate({}),
                                description="Relaxation options shared by every configuration.")
    analyze: ModelAnalyzeOptions = Field(
        default_factory=lambda: ModelAnalyzeOptions.model_validate({}),
        description="Analysis options (pair, cutoffs) shared by every configuration.")
    configurations: list[ScreenConfiguration] = Field(
        min_length=1, description="The configurations, each a name and its build options.")

    @model_validator(mode="before")
    @classmethod
    def _apply_build_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "build" not in data:
            return data
        data = dict(data)
        defaults = data.pop("build")
        if not isinstance(defaults, dict):
            raise ValueError("build: must be a table of build options")
        unknown = sorted(set(defaults) - set(BuildOptions.model_fields))
        if unknown:
            raise ValueError(f"build.{unknown[0]}: unknown key; known: "
                             f"{', '.join(BuildOptions.model_fields)}")
        configs = data.get("configurations")
        if isinstance(configs, list):
            data["configurations"] = [{**defaults, **c} if isinstance(c, dict) else c
                                      for c in configs]
        return data

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [c.name for c in self.configurations]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"configurations: duplicate names {dup}")
        return self


#: The model of each top-level table, for the known keys of an unknown one.
_TABLES: dict[str, type[Options]] = {"relax": RelaxOptions, "analyze": ModelAnalyzeOptions,
                                     "configurations": ScreenConfiguration}


def load_screen(path: str | os.PathLike[str]) -> ScreenOptions:
    """Read and validate a screen file.

    Raises
    ------
    ScreenFileError
        One line naming the file and the field (``configurations[1].ligand: unknown ligand
        'x'; known: …``), or the TOML syntax error.
    """
    p = Path(path)
    raw = read_toml(p, ScreenFileError, "screen file")
    try:
        return ScreenOptions.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = re.sub(r"\{(\w+)\}", r"\1", str(err["msg"]).removeprefix("Value error, "))
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            model = _TABLES.get(str(loc[0])) if len(loc) > 1 else None
            msg = "unknown key" + ("" if model is None else f"; known: {', '.join(model.model_fields)}")
        elif err["type"] == "missing":
            msg = "missing"
        where = field_path(loc)
        raise ScreenFileError(f"{where}: {msg}" if where else msg, p) from None
