"""The project file, ``project.toml``: metadata, samples, data sets and analyses.

Example::

    [project]
    name = "CdSe@AlOx c-ALD"

    [[samples]]
    name = "CdSe@AlOx-1"
    cycles = 1
    ligands_per_qd = 85
    tma_per_qd = 25

    [[datasets]]
    id = "respdor-n1"
    path = "data/respdor_13c_27al"     # relative to project.toml
    kind = "bruker"                      # bruker | varian | jcamp | csv | vamas | structure
                                         # (a raw NMR folder's kind may be left out: detected)
    sample = "CdSe@AlOx-1"

    [synthesis]                          # optional: how the shells were grown
    qd_um = 3.0
    volume_ml = 5.0
    tma_mm = 1.6

    [[analyses]]
    id = "respdor-n1"
    kind = "respdor"
    inputs = ["respdor-n1"]
    [analyses.parameters]
    pair = "13C-27Al"
    region = [190, 178]

Validation happens here, once, before any work: TOML syntax (with its line), the schema (with
the field path, e.g. ``analyses[1].kind``), references between sections, the existence of
every input file, and the ``[synthesis]`` plan of every sample (:mod:`cald.project.synthesis`).
Analysis parameters are checked by each analysis kind (see :mod:`cald.project.analyses`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cald.errors import InputError
from cald.io.nmrdata import RAW_FORMATS, detect_raw_format, is_raw
from cald.io.tomlfile import read_toml
from cald.options import field_path
from cald.project.synthesis import sample_plans

__all__ = ["ProjectConfigError", "Sample", "Dataset", "Analysis", "ProjectInfo", "ProjectConfig",
           "load_project", "DATASET_KINDS", "RAW_NMR_KINDS"]

#: Data-set kinds of raw NMR folders (one per format of :data:`cald.io.nmrdata.RAW_FORMATS`).
RAW_NMR_KINDS = tuple(RAW_FORMATS)
#: Every data-set kind a project file names: the raw NMR formats and the spectrum/structure files.
DATASET_KINDS = (*RAW_NMR_KINDS, "jcamp", "csv", "vamas", "structure")


class ProjectConfigError(InputError):
    """project.toml is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectInfo(_Strict):
    """Project metadata."""

    name: str
    description: str = ""
    synthetic: bool = Field(False, description="data are synthetic (labelled in the report)")
    authors: list[str] = []


class Sample(_Strict):
    """A sample: core–shell particles after ``cycles`` c-ALD cycles."""

    name: str
    cycles: int = Field(ge=0)
    notes: str = ""
    ligands_per_qd: float | None = Field(None, gt=0)
    tma_per_qd: float | None = Field(None, ge=0)


#: Ids name output files (``figures/<id>_…``): letters, digits, ``.``, ``_``, ``-`` only.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class Dataset(_Strict):
    """A data file or folder; ``path`` is relative to the project file; ``kind`` one of
    :data:`DATASET_KINDS` (left out for a raw NMR folder: detected when the file is loaded)."""

    id: str = Field(pattern=ID_PATTERN)
    path: str
    kind: Literal[DATASET_KINDS] | None = None  # type: ignore[valid-type]
    sample: str | None = None
    parameters: dict[str, Any] = {}


class Analysis(_Strict):
    """An analysis of one or more data sets."""

    id: str = Field(pattern=ID_PATTERN)
    kind: str
    inputs: list[str] = Field(min_length=1)
    sample: str | None = None
    parameters: dict[str, Any] = {}


class ProjectConfig(_Strict):
    """The whole project file, with the folder paths are relative to."""

    project: ProjectInfo
    samples: list[Sample] = []
    datasets: list[Dataset] = []
    analyses: list[Analysis] = []
    synthesis: dict[str, Any] | None = Field(
        None, description="options of `cald plan` shared by the samples (cald.project.synthesis)")
    root: Path = Path(".")
    file: Path = Path("project.toml")

    def dataset(self, dataset_id: str) -> Dataset:
        """Data set by id."""
        return next(d for d in self.datasets if d.id == dataset_id)

    def dataset_path(self, dataset_id: str) -> Path:
        """Absolute path of a data set."""
        return (self.root / self.dataset(dataset_id).path).resolve()

    def sample(self, name: str | None) -> Sample | None:
        """Sample by name (``None`` for none)."""
        return next((s for s in self.samples if s.name == name), None)

    def analysis_sample(self, analysis: Analysis) -> str | None:
        """The analysis' sample, or that of its first input."""
        return analysis.sample or self.dataset(analysis.inputs[0]).sample


def _duplicates(names: list[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


def load_project(path: str | os.PathLike[str]) -> ProjectConfig:
    """Read and validate a project file.

    Raises
    ------
    ProjectConfigError
        With the file and the line (TOML syntax) or field path (schema, references, files).
    """
    p = Path(path)
    raw = read_toml(p, ProjectConfigError, "project file")
    reserved = sorted({"root", "file"} & raw.keys())
    if reserved:
        raise ProjectConfigError(f"{reserved[0]}: unknown top-level key", p)
    try:
        config = ProjectConfig(**raw, root=p.parent.resolve(), file=p.resolve())
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ProjectConfigError(f"{field_path(err['loc'])}: {err['msg']}"
                                 + (f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1
                                    else ""), p) from None
    config = config.model_copy(update={"datasets": _check_references(config, p)})
    try:
        sample_plans(config.synthesis, [s.model_dump() for s in config.samples], p)
    except InputError as exc:
        raise ProjectConfigError(exc.detail, p) from None
    return config


def _raw_kind(d: Dataset, target: Path, where: str, p: Path) -> str:
    """The kind of a raw NMR folder: the one declared, checked against the files present when
    they mark another format, or detected when none is declared."""
    try:
        found = detect_raw_format(target)
    except InputError as exc:
        if d.kind is None:
            raise ProjectConfigError(f"{where}.kind: not given and not detected: {exc.detail}",
                                     p) from None
        return d.kind  # the reader names what is missing when the analysis runs
    if d.kind is not None and found != d.kind:
        raise ProjectConfigError(f"{where}.kind: {d.kind!r}, but {d.path!r} is a {found} data "
                                 "set", p)
    return found


def _check_references(config: ProjectConfig, p: Path) -> list[Dataset]:
    """Checks of names, references and paths; returns the data sets with their kinds (raw NMR
    kinds detected where not given)."""
    for section, names in (("samples", [s.name for s in config.samples]),
                           ("datasets", [d.id for d in config.datasets]),
                           ("analyses", [a.id for a in config.analyses])):
        dup = _duplicates(names)
        if dup:
            raise ProjectConfigError(f"{section}: duplicate names/ids {dup}", p)
    samples = {s.name for s in config.samples}
    datasets = {d.id for d in config.datasets}
    checked = []
    for i, d in enumerate(config.datasets):
        if d.sample is not None and d.sample not in samples:
            raise ProjectConfigError(f"datasets[{i}].sample: unknown sample {d.sample!r}", p)
        target = config.root / d.path
        if not target.exists():
            raise ProjectConfigError(f"datasets[{i}].path: {d.path!r} does not exist", p)
        raw = d.kind is None or d.kind in RAW_NMR_KINDS
        if raw and not is_raw(target):
            raise ProjectConfigError(f"datasets[{i}].path: a {d.kind or 'raw NMR'} data set is a "
                                     "folder (or a file of a raw format)"
                                     + ("" if d.kind else "; give the kind of other files"), p)
        if not raw and not target.is_file():
            raise ProjectConfigError(f"datasets[{i}].path: a {d.kind} data set is a file", p)
        if target.is_file() and not os.access(target, os.R_OK):
            raise ProjectConfigError(f"datasets[{i}].path: {d.path!r} is not readable", p)
        kind = _raw_kind(d, target, f"datasets[{i}]", p) if raw else d.kind
        checked.append(d if kind == d.kind else d.model_copy(update={"kind": kind}))
    for i, a in enumerate(config.analyses):
        if a.sample is not None and a.sample not in samples:
            raise ProjectConfigError(f"analyses[{i}].sample: unknown sample {a.sample!r}", p)
        for j, ref in enumerate(a.inputs):
            if ref not in datasets:
                raise ProjectConfigError(f"analyses[{i}].inputs[{j}]: unknown data set {ref!r}", p)
    return checked
