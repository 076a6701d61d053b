"""The project file (``load_project``): a valid project loads; every problem is a
``ProjectConfigError`` (an ``InputError``) that names the file and the TOML line or the field path,
found before any analysis runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cald.errors import InputError
from cald.project import config as config_module
from cald.project.config import ProjectConfig, ProjectConfigError, load_project

MINIMAL = '[project]\nname = "minimal"\n'

FULL = """\
[project]
name = "full"
description = "two samples, three data sets, two analyses"
authors = ["A. Author"]

[[samples]]
name = "CdSe"
cycles = 0
ligands_per_qd = 85

[[samples]]
name = "CdSe@AlOx-1"
cycles = 1
tma_per_qd = 25

[[datasets]]
id = "cp-on"
path = "data/cp_on"
kind = "bruker"
sample = "CdSe@AlOx-1"

[[datasets]]
id = "curve"
path = "data/curve.csv"
kind = "csv"

[[datasets]]
id = "spectrum"
path = "data/spectrum.jdx"
kind = "jcamp"
sample = "CdSe"

[[analyses]]
id = "fit"
kind = "respdor"
inputs = ["curve"]
sample = "CdSe@AlOx-1"
[analyses.parameters]
pair = "13C-27Al"

[[analyses]]
id = "spec"
kind = "nmr"
inputs = ["spectrum"]
"""


def make_project(folder: Path, text: str = FULL) -> Path:
    """``project.toml`` with ``text`` and the data files/folders FULL refers to (content is not
    read by ``load_project``)."""
    (folder / "data" / "cp_on").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "curve.csv").write_text("t_ms,dS_S0\n1,0.1\n", encoding="utf-8")
    (folder / "data" / "spectrum.jdx").write_text("##TITLE=x\n##END=\n", encoding="utf-8")
    path = folder / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path, *fragments: str) -> ProjectConfigError:
    """``load_project(path)`` must fail with a ProjectConfigError naming the file and every
    fragment."""
    with pytest.raises(ProjectConfigError) as info:
        load_project(path)
    exc = info.value
    assert isinstance(exc, InputError)
    message = str(exc)
    assert message.startswith(str(path)), message
    assert exc.source == str(path)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "\n" not in message
    return exc


# --- valid projects ---------------------------------------------------------------------------


def test_minimal_project(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    config = load_project(path)
    assert isinstance(config, ProjectConfig)
    assert config.project.name == "minimal"
    assert config.project.synthetic is False
    assert config.samples == [] and config.datasets == [] and config.analyses == []
    assert config.root == tmp_path.resolve()
    assert config.file == path.resolve()


def test_full_project(tmp_path):
    config = load_project(make_project(tmp_path))
    assert [s.name for s in config.samples] == ["CdSe", "CdSe@AlOx-1"]
    assert [d.kind for d in config.datasets] == ["bruker", "csv", "jcamp"]
    assert config.dataset_path("curve") == (tmp_path / "data" / "curve.csv").resolve()
    assert config.dataset_path("cp-on").is_dir()
    fit, spec = config.analyses
    assert fit.parameters == {"pair": "13C-27Al"}
    assert config.analysis_sample(fit) == "CdSe@AlOx-1"  # its own
    assert config.analysis_sample(spec) == "CdSe"  # that of its first input
    assert config.sample("CdSe").ligands_per_qd == 85
    assert config.sample(None) is None


def test_relative_paths_resolve_against_the_project_folder(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    project.mkdir()
    make_project(project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert not (elsewhere / "data").exists()
    config = load_project(Path("..") / "proj" / "project.toml")
    assert config.root == project.resolve()
    assert config.dataset_path("curve") == (project / "data" / "curve.csv").resolve()
    assert config.dataset_path("cp-on") == (project / "data" / "cp_on").resolve()


# --- TOML and schema errors -------------------------------------------------------------------


def test_missing_project_file(tmp_path):
    config_error(tmp_path / "nope.toml", "no such project file")


def test_project_file_is_a_folder(tmp_path):
    config_error(tmp_path, "no such project file")


def test_invalid_toml_names_the_line(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('[project]\nname = "x"\ncycles = = 3\n', encoding="utf-8")
    exc = config_error(path, "invalid TOML")
    assert re.search(r"line 3\b", str(exc)), str(exc)


def test_missing_project_table(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('[[samples]]\nname = "a"\ncycles = 0\n', encoding="utf-8")
    config_error(path, "project:", "required")


def test_unknown_top_level_key(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text('colour = "blue"\n' + MINIMAL, encoding="utf-8")
    config_error(path, "colour", "not permitted")


@pytest.mark.parametrize("key", ["root", "file"])
def test_reserved_top_level_key_is_an_unknown_key(tmp_path, key):
    path = tmp_path / "project.toml"
    path.write_text(f'{key} = "/somewhere"\n' + MINIMAL, encoding="utf-8")
    config_error(path, key)


def test_unknown_key_in_a_dataset(tmp_path):
    text = FULL.replace('kind = "csv"\n', 'kind = "csv"\nformat = "wide"\n')
    config_error(make_project(tmp_path, text), "datasets[1].format", "not permitted")


def test_unknown_key_in_project_table(tmp_path):
    text = FULL.replace('name = "full"\n', 'name = "full"\nowner = "me"\n')
    config_error(make_project(tmp_path, text), "project.owner")


def test_negative_cycles(tmp_path):
    text = FULL.replace("cycles = 1", "cycles = -1")
    config_error(make_project(tmp_path, text), "samples[1].cycles", "greater than or equal to 0")


def test_non_positive_ligands(tmp_path):
    text = FULL.replace("ligands_per_qd = 85", "ligands_per_qd = 0")
    config_error(make_project(tmp_path, text), "samples[0].ligands_per_qd")


def test_dataset_kind_not_known(tmp_path):
    text = FULL.replace('kind = "jcamp"', 'kind = "xlsx"')
    exc = config_error(make_project(tmp_path, text), "datasets[2].kind")
    for kind in ("bruker", "jcamp", "csv"):
        assert kind in str(exc)


def test_missing_required_field(tmp_path):
    text = FULL.replace('id = "curve"\n', "")
    config_error(make_project(tmp_path, text), "datasets[1].id", "required")


def test_several_schema_errors_are_counted(tmp_path):
    text = FULL.replace("cycles = 1", "cycles = -1").replace('kind = "jcamp"', 'kind = "xlsx"')
    config_error(make_project(tmp_path, text), "samples[1].cycles", "(and 1 more)")


# --- references between sections -------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "section"), [
    ('name = "CdSe"\ncycles = 0', 'name = "CdSe@AlOx-1"\ncycles = 0', "samples"),
    ('id = "spectrum"', 'id = "curve"', "datasets"),
    ('id = "spec"', 'id = "fit"', "analyses"),
])
def test_duplicate_ids(tmp_path, old, new, section):
    assert old in FULL
    exc = config_error(make_project(tmp_path, FULL.replace(old, new)), f"{section}:", "duplicate")
    assert new.split('"')[1] in str(exc)


def test_dataset_with_unknown_sample(tmp_path):
    text = FULL.replace('kind = "bruker"\nsample = "CdSe@AlOx-1"', 'kind = "bruker"\nsample = "ZnS"')
    config_error(make_project(tmp_path, text), "datasets[0].sample", "ZnS")


def test_analysis_with_unknown_sample(tmp_path):
    text = FULL.replace('inputs = ["curve"]\nsample = "CdSe@AlOx-1"', 'inputs = ["curve"]\nsample = "ZnS"')
    config_error(make_project(tmp_path, text), "analyses[0].sample", "ZnS")


def test_analysis_with_unknown_input(tmp_path):
    text = FULL.replace('inputs = ["spectrum"]', 'inputs = ["spectrum", "ghost"]')
    config_error(make_project(tmp_path, text), "analyses[1].inputs[1]", "ghost")


def test_analysis_with_empty_inputs(tmp_path):
    text = FULL.replace('inputs = ["spectrum"]', "inputs = []")
    config_error(make_project(tmp_path, text), "analyses[1].inputs", "at least 1")


@pytest.mark.parametrize("bad_id", ["../../escape", "a/b", ""])
def test_analysis_id_must_be_a_plain_name(tmp_path, bad_id):
    text = FULL.replace('id = "spec"', f'id = "{bad_id}"')
    config_error(make_project(tmp_path, text), "analyses[1].id")


# --- data files -------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = make_project(tmp_path)
    (tmp_path / "data" / "curve.csv").unlink()
    config_error(path, "datasets[1].path", "data/curve.csv", "does not exist")


def test_missing_folder(tmp_path):
    path = make_project(tmp_path)
    (tmp_path / "data" / "cp_on").rmdir()
    config_error(path, "datasets[0].path", "does not exist")


def test_bruker_dataset_that_is_a_file(tmp_path):
    text = FULL.replace('path = "data/cp_on"', 'path = "data/curve.csv"')
    config_error(make_project(tmp_path, text), "datasets[0].path", "folder")


@pytest.mark.parametrize("kind", ["csv", "jcamp"])
def test_file_dataset_that_is_a_folder(tmp_path, kind):
    old = 'path = "data/curve.csv"' if kind == "csv" else 'path = "data/spectrum.jdx"'
    text = FULL.replace(old, 'path = "data/cp_on"')
    index = 1 if kind == "csv" else 2
    config_error(make_project(tmp_path, text), f"datasets[{index}].path", f"a {kind} data set",
                 "file")


def test_unreadable_file(tmp_path):
    path = make_project(tmp_path)
    target = tmp_path / "data" / "curve.csv"
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):
            pytest.skip("running with privileges that read a chmod 000 file (root)")
        config_error(path, "datasets[1].path", "not readable")
    finally:
        target.chmod(0o644)


def test_unreadable_file_reported(tmp_path, monkeypatch):
    """The same check as above, independent of privileges: ``os.access`` says no."""
    path = make_project(tmp_path)
    target = (tmp_path / "data" / "curve.csv").resolve()

    class _Os:
        def __getattr__(self, name):
            return getattr(os, name)

        @staticmethod
        def access(p, mode):
            return Path(p).resolve() != target and os.access(p, mode)

    monkeypatch.setattr(config_module, "os", _Os())
    config_error(path, "datasets[1].path", "data/curve.csv", "not readable")


def test_absolute_dataset_path(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("t_ms,dS_S0\n1,0.1\n", encoding="utf-8")
    project = tmp_path / "proj"
    project.mkdir()
    text = FULL.replace('path = "data/curve.csv"', f'path = "{outside.as_posix()}"')
    config = load_project(make_project(project, text))
    assert config.dataset_path("curve") == outside.resolve()
