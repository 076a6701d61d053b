"""The pipeline (``plan_project``, ``run_project``) on the bundled demo project: validation before
any work, failures recorded per analysis, results.json against its schema, the content-hash
cache, atomic publishing, untouched raw data, and the dask map (``cald.parallel.map_tasks``)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import cald.project.cache as cache_module
from cald.errors import DataFileError, InputError
from cald.parallel import map_tasks
from cald.project import pipeline
from cald.project.analyses import load_kinds
from cald.project.cache import hash_path, load_outcome
from cald.project.config import ProjectConfigError, load_project
from cald.project.demo import write_demo_project
from cald.project.pipeline import plan_project, run_project
from conftest import DEMO_IDS

SCHEMA = Path(pipeline.__file__).with_name("results.schema.json")

OUTPUT_NAMES = {"results.json", "report.html", "figures", "files", ".cald-cache"}

BAD_ANALYSES = """
[[analyses]]
id = "cp13c-n0-bad-region"
kind = "nmr"
inputs = ["cp13c-n0-on"]
[analyses.parameters]
normalise_region = [2000.0, 1900.0]

[[analyses]]
id = "respdor-empty-region"
kind = "respdor"
inputs = ["respdor-n1"]
[analyses.parameters]
pair = "13C-27Al"
region = [900.0, 880.0]

[[analyses]]
id = "dnp-n0-wide"
kind = "dnp"
inputs = ["cp13c-n0-on", "cp13c-n0-off"]
[analyses.parameters]
region = [136.0, 124.0]
"""


# --- helpers ----------------------------------------------------------------------------------


def digest(folder: Path) -> dict[str, str]:
    """relative path → sha256 of every file below ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def append(project: Path, text: str) -> Path:
    project.write_text(project.read_text(encoding="utf-8") + text, encoding="utf-8")
    return project


def replace_in(project: Path, old: str, new: str) -> Path:
    text = project.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    project.write_text(text.replace(old, new), encoding="utf-8")
    return project


def touch_project(project: Path) -> Path:
    """A comment-only edit: the run key changes (so outputs are re-published), no analysis does."""
    return append(project, "\n# edited by the test\n")


def results_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def by_id(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in results["analyses"]}


def json_roundtrip(obj: Any) -> Any:
    return json.loads(json.dumps(pipeline._strict_json(obj), allow_nan=False))


def validate(results: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(results)


class Scheduled:
    """Spy on the pipeline's ``map_tasks``: records the analysis ids handed over for computing
    (``sequential=True`` runs them in the calling thread instead of dask)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, sequential: bool = False) -> None:
        self.calls: list[list[str]] = []
        real = pipeline.map_tasks

        def spy(fn, items, scheduler=None, n_threads=None, on_result=None, **kwargs):
            self.calls.append([p.id for p in items])
            if not sequential:
                return real(fn, items, scheduler=scheduler, n_threads=n_threads,
                            on_result=on_result, **kwargs)
            out = []
            for i, item in enumerate(items):
                out.append(fn(item))
                if on_result is not None:
                    on_result(i, out[-1])
            return out

        monkeypatch.setattr(pipeline, "map_tasks", spy)

    @property
    def ids(self) -> list[str]:
        return [i for call in self.calls for i in call]


def forbid_analysis_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every kind's ``run`` fail the test if it is called."""

    def boom(self, inputs, params, sample):
        raise AssertionError(f"{self.name}.run called")

    for kind in load_kinds().values():
        monkeypatch.setattr(type(kind), "run", boom)


# --- fixtures ---------------------------------------------------------------------------------


@dataclass
class DemoRun:
    folder: Path
    project: Path
    summary: Any
    data_before: dict[str, str]
    data_after: dict[str, str]
    scheduled: list[list[str]] = field(default_factory=list)
    clusters: int = 0


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project written (not run) once; copy it before changing anything."""
    return write_demo_project(tmp_path_factory.mktemp("demo-project"))


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo project run once from scratch (in its own folder, as ``cald demo`` does), with
    spies on the dask map; copy ``folder`` before changing anything."""
    import dask.distributed

    folder = tmp_path_factory.mktemp("demo-run")
    project = write_demo_project(folder)
    before = digest(folder / "data")
    scheduled: list[list[str]] = []
    clusters: list[int] = []
    real_map = pipeline.map_tasks
    real_cluster = dask.distributed.LocalCluster

    class CountingCluster(real_cluster):  # type: ignore[misc,valid-type]
        def __init__(self, *args, **kwargs):
            clusters.append(1)
            super().__init__(*args, **kwargs)

    def spy(fn, items, **kwargs):
        scheduled.append([p.id for p in items])
        return real_map(fn, items, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "map_tasks", spy)
        mp.setattr(dask.distributed, "LocalCluster", CountingCluster)
        summary = run_project(project, folder, command="pytest demo")
    return DemoRun(folder, project, summary, before, digest(folder / "data"), scheduled,
                   len(clusters))


@pytest.fixture
def run_copy(demo_run: DemoRun, tmp_path: Path) -> Path:
    """A copy of the demo run (project, data, outputs and cache); returns its project file."""
    return Path(shutil.copytree(demo_run.folder, tmp_path / "run")) / "project.toml"


@pytest.fixture
def project_copy(demo_project: Path, tmp_path: Path) -> Path:
    """A copy of the written, never-run demo project; returns its project file."""
    return Path(shutil.copytree(demo_project.parent, tmp_path / "project")) / "project.toml"


# --- the demo run -----------------------------------------------------------------------------


def test_demo_run_succeeds(demo_run):
    s = demo_run.summary
    assert (s.n_ok, s.n_failed, s.n_cached) == (len(DEMO_IDS), 0, 0)
    results = results_of(demo_run.folder)
    assert [a["id"] for a in results["analyses"]] == DEMO_IDS
    assert all(a["status"] == "ok" and a["error"] is None and not a["cached"]
               for a in results["analyses"])
    assert results["command"] == "pytest demo"
    assert results["project"]["synthetic"] is True
    assert results["project"]["sha256"] == hash_path(demo_run.project)
    for a in results["analyses"]:
        for rel in [f[k] for f in a["figures"] for k in ("svg", "png")] + a["files"]:
            assert (demo_run.folder / rel).is_file(), rel
    assert {p.name for p in s.files} >= {"results.json", "report.html"}
    assert all(p.is_file() for p in s.files)
    assert not list(demo_run.folder.parent.glob(".*staging-*"))
    by = by_id(results)
    respdor = by["respdor-13c-27al-n1"]["result"]
    assert respdor["f"] == pytest.approx(0.24, abs=0.02)
    assert by["dnp-n1"]["result"]["enhancement"] == pytest.approx(50.0, rel=0.02)
    assert [f["name"] for f in by["respdor-13c-27al-n1"]["figures"]] == ["dephasing"]
    assert by["respdor-13c-27al-n1"]["files"] == ["files/respdor-13c-27al-n1_curve.csv"]


#: Key numbers of the demo's RESPDOR fit before the fitting core (issue 9); the refactor keeps them.
RESPDOR_BEFORE = {"d_hz": 490.8705816881999, "d_hz_err": 12.966886951625746,
                  "f": 0.23987621394920206, "f_err": 0.0026665447701602635,
                  "r_angstrom": 2.522429239023821, "r_angstrom_err": 0.022210915331564482,
                  "redchi": 0.8529595933039791}
RESPDOR_MODELS_BEFORE = {"single": (11.088474712951728, 16.504575115156147),
                         "two_site": (9.79888034441934, 20.63108114882818),
                         "gaussian": (11.088612359799905, 19.212762963106535)}  # (χ², BIC)


def test_respdor_numbers_unchanged_by_the_fitting_core(demo_run):
    res = by_id(results_of(demo_run.folder))["respdor-13c-27al-n1"]["result"]
    for key, value in RESPDOR_BEFORE.items():
        assert res[key] == pytest.approx(value, rel=1e-9), key
    assert res["d_hz_ci95"] == pytest.approx([466.7782068314729, 517.4806430836011], rel=1e-9)
    for model, (chisqr, bic) in RESPDOR_MODELS_BEFORE.items():
        assert res["models"][model]["chisqr"] == pytest.approx(chisqr, rel=1e-9)
        assert res["models"][model]["bic"] == pytest.approx(bic, rel=1e-9)
    # the one fixed defect: σ_r of the Gaussian model was 0.0025 ± 5.6 Å with σ_rel at its bound
    gauss = res["models"]["gaussian"]["params"]
    assert gauss["sigma_rel"]["stderr"] is None
    assert gauss["sigma_r_angstrom"]["stderr"] is None and "bound" in gauss["sigma_r_angstrom"]["note"]


def test_raw_data_never_modified(demo_run):
    assert demo_run.data_before == demo_run.data_after
    assert len(demo_run.data_before) >= 15  # five Bruker data sets with their files


def test_demo_results_match_schema(demo_run):
    validate(results_of(demo_run.folder))


def test_results_json_is_strict_json(demo_run):
    text = (demo_run.folder / "results.json").read_text(encoding="utf-8")
    assert not re.search(r"\b(NaN|Infinity)\b", text)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))


def test_summary_to_dict(demo_run):
    d = demo_run.summary.to_dict()
    assert set(d) == {"out", "results", "report", "n_ok", "n_failed", "n_cached", "analyses"}
    assert d["results"] == str(demo_run.folder.resolve() / "results.json")
    assert [a["id"] for a in d["analyses"]] == DEMO_IDS
    assert set(d["analyses"][0]) == {"id", "kind", "sample", "status", "summary", "cached",
                                     "error"}
    json.dumps(d, allow_nan=False)


def test_plan_project(demo_project):
    before = sorted(p.name for p in demo_project.parent.iterdir())
    plans = plan_project(load_project(demo_project))
    assert [p.id for p in plans] == DEMO_IDS
    assert len({p.key for p in plans}) == len(DEMO_IDS)
    assert all(re.fullmatch(r"[0-9a-f]{64}", p.key) for p in plans)
    dnp = plans[1]
    assert dnp.kind == "dnp" and dnp.sample == "CdSe"
    assert [p.name for p in dnp.inputs] == ["cp_13c_n0_mw_on", "cp_13c_n0_mw_off"]
    assert all(p.is_absolute() and p.is_dir() for p in dnp.inputs)
    assert dnp.input_hashes == [hash_path(p) for p in dnp.inputs]
    assert dnp.params.region == (135.0, 125.0)
    assert dnp.sample_info["ligands_per_qd"] == 85
    # planning writes nothing
    assert sorted(p.name for p in demo_project.parent.iterdir()) == before


# --- parallel path ----------------------------------------------------------------------------


def test_uncached_analyses_go_through_dask(demo_run):
    assert demo_run.scheduled == [DEMO_IDS]
    assert demo_run.clusters == 1


def test_parallel_results_equal_sequential(demo_run):
    """Each analysis run on its own in this thread gives the result the parallel run wrote."""
    results = by_id(results_of(demo_run.folder))
    for plan in plan_project(load_project(demo_run.project)):
        outcome = pipeline._run_one(plan)
        assert outcome.error is None, outcome.error
        assert json_roundtrip(outcome.output.result) == results[plan.id]["result"], plan.id
        assert outcome.output.summary == results[plan.id]["summary"]


def _slow_square(item: tuple[int, float]) -> tuple[int, int]:
    value, delay = item
    time.sleep(delay)
    return value * value, threading.get_ident()


def test_map_tasks_keeps_item_order():
    items = [(1, 0.4), (2, 0.0), (3, 0.1), (4, 0.0), (5, 0.05)]
    seen: list[tuple[int, int]] = []
    caller = threading.get_ident()

    def on_result(i: int, result: tuple[int, int]) -> None:
        assert threading.get_ident() == caller
        seen.append((i, result[0]))

    results = map_tasks(_slow_square, items, n_threads=len(items), on_result=on_result)
    assert [r[0] for r in results] == [1, 4, 9, 16, 25]
    assert sorted(seen) == [(0, 1), (1, 4), (2, 9), (3, 16), (4, 25)]  # once per item
    assert seen[-1][0] == 0  # the slowest item finished last: results were re-ordered


def test_map_tasks_single_item_runs_inline(monkeypatch):
    import dask.distributed

    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started for one item")

    monkeypatch.setattr(dask.distributed, "LocalCluster", no_cluster)
    monkeypatch.setattr(dask.distributed, "Client", no_cluster)
    calls: list[tuple[int, tuple[int, int]]] = []
    results = map_tasks(_slow_square, [(7, 0.0)], on_result=lambda i, r: calls.append((i, r)))
    assert results[0][0] == 49
    assert results[0][1] == threading.get_ident()
    assert calls == [(0, results[0])]


def test_local_cluster_listens_on_loopback_only(monkeypatch):
    import dask.distributed

    real = dask.distributed.LocalCluster
    seen: list[Any] = []

    class Spy(real):  # type: ignore[misc,valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            server = getattr(self.scheduler, "http_server", None)
            seen.append(None if server is None else server.address)

    monkeypatch.setattr(dask.distributed, "LocalCluster", Spy)
    assert [r[0] for r in map_tasks(_slow_square, [(1, 0.0), (2, 0.0)])] == [1, 4]
    assert len(seen) == 1
    assert seen[0] in (None, "127.0.0.1", "::1", "localhost"), seen


def test_map_tasks_empty():
    def never(item: Any) -> Any:
        raise AssertionError("called")

    calls: list[Any] = []
    assert map_tasks(never, [], on_result=lambda i, r: calls.append(i)) == []
    assert calls == []


# --- validation before any work ---------------------------------------------------------------


def _assert_refused_before_work(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                exc_type: type[Exception], *fragments: str) -> None:
    scheduled = Scheduled(monkeypatch)
    forbid_analysis_runs(monkeypatch)
    out = tmp_path / "out"
    with pytest.raises(exc_type) as info:
        run_project(project, out)
    message = str(info.value)
    assert message.startswith(str(project)) or str(project.resolve()) in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert not out.exists()
    assert scheduled.calls == []


def test_unknown_kind_refused_before_any_work(run_copy, monkeypatch, tmp_path):
    append(run_copy, '\n[[analyses]]\nid = "x"\nkind = "nope"\ninputs = ["cp13c-n0-on"]\n')
    before = digest(run_copy.parent)  # previous outputs and cache stay as they are
    _assert_refused_before_work(run_copy, monkeypatch, tmp_path, ProjectConfigError,
                                f"analyses[{len(DEMO_IDS)}].kind", "'nope'", "dnp", "nmr", "respdor")
    with pytest.raises(ProjectConfigError, match=rf"analyses\[{len(DEMO_IDS)}\]\.kind"):
        run_project(run_copy, run_copy.parent)
    assert digest(run_copy.parent) == before


def test_unknown_kind_first_analysis(project_copy, monkeypatch, tmp_path):
    replace_in(project_copy, 'id = "dnp-n0"\nkind = "dnp"', 'id = "dnp-n0"\nkind = "DNP"')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, ProjectConfigError,
                                "analyses[1].kind", "'DNP'")


def test_wrong_dataset_kind(project_copy, monkeypatch, tmp_path):
    (project_copy.parent / "data" / "curve.csv").write_text("t_ms,dS_S0\n1,0.1\n2,0.2\n")
    append(project_copy, '\n[[datasets]]\nid = "curve"\npath = "data/curve.csv"\nkind = "csv"\n'
                         '\n[[analyses]]\nid = "x"\nkind = "dnp"\ninputs = ["curve", "cp13c-n0-off"]\n'
                         '[analyses.parameters]\nregion = [135.0, 125.0]\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, ProjectConfigError,
                                f"analyses[{len(DEMO_IDS)}].inputs[0]", "'curve'", "'csv'", "bruker")


@pytest.mark.parametrize(("kind", "inputs", "fragment"), [
    ("dnp", '["cp13c-n0-on"]', "takes 2–2 data sets, got 1"),
    ("nmr", '["cp13c-n0-on", "cp13c-n0-off"]', "takes 1–1 data sets, got 2"),
    ("respdor", '["respdor-n1", "cp13c-n0-on", "cp13c-n0-off"]', "takes 1–2 data sets, got 3"),
])
def test_wrong_number_of_inputs(project_copy, monkeypatch, tmp_path, kind, inputs, fragment):
    append(project_copy, f'\n[[analyses]]\nid = "x"\nkind = "{kind}"\ninputs = {inputs}\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, ProjectConfigError,
                                f"analyses[{len(DEMO_IDS)}].inputs", fragment)


@pytest.mark.parametrize(("kind", "inputs", "parameters", "field_name"), [
    ("respdor", '["respdor-n1"]', "bootstrap = -1\nregion = [190.0, 178.0]", "bootstrap"),
    ("respdor", '["respdor-n1"]', "frobnicate = 1", "frobnicate"),
    ("respdor", '["respdor-n1"]', "fix_f = 1.5", "fix_f"),
    ("respdor", '["respdor-n1"]', "experiment = 'redox'", "experiment"),
    ("nmr", '["cp13c-n0-on"]', "normalise_region = [1.0, 2.0, 3.0]", "normalise_region"),
    ("dnp", '["cp13c-n0-on", "cp13c-n0-off"]', "auto_phase = 'yes'", "region"),
])
def test_bad_parameter(project_copy, monkeypatch, tmp_path, kind, inputs, parameters, field_name):
    append(project_copy, f'\n[[analyses]]\nid = "x"\nkind = "{kind}"\ninputs = {inputs}\n'
                         f'[analyses.parameters]\n{parameters}\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, InputError,
                                f"analyses[{len(DEMO_IDS)}].parameters.{field_name}")


def test_model_with_a_bruker_series_needs_region(project_copy, monkeypatch, tmp_path):
    """A model's measured input may be a Bruker series, which needs the integration region."""
    append(project_copy, '\n[[analyses]]\nid = "x"\nkind = "model"\ninputs = ["model-n1", '
                         '"respdor-n1"]\n[analyses.parameters]\npair = "13C-27Al"\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, InputError,
                                f"analyses[{len(DEMO_IDS)}].parameters.region: ", "Bruker series")


def test_respdor_without_pair_or_spin_refused(project_copy, monkeypatch, tmp_path):
    """The kind assumed 13C-27Al when neither was given; now both spellings of the spin system
    are named, as on the command line."""
    append(project_copy, '\n[[analyses]]\nid = "x"\nkind = "respdor"\ninputs = ["respdor-n1"]\n'
                         '[analyses.parameters]\nregion = [190.0, 178.0]\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, InputError,
                                f"analyses[{len(DEMO_IDS)}].parameters: give pair", "or spin")


@pytest.mark.parametrize(("parameters", "field_name", "fragment"), [
    ("pair = '13C-27Al'\nt_ms = [0.1, -0.2]", "t_ms", "must not contain negative times"),
    ("pair = '13C-27Al'\nt_ms = 'a,b'", "t_ms", "comma-separated list"),
    ("spin = '1/3'", "spin", "positive multiple of 1/2"),
    ("pair = '13C-27Al'\nregion = '190'", "region", "must look like A:B"),
    ("pair = '13C-27Al'\nmodels = ['nonsense']", "models", "'nonsense' is not one of"),
    ("pair = '13C-27Al'\nkappa = nan", "kappa", "finite"),
])
def test_respdor_parameters_checked_as_on_the_command_line(project_copy, monkeypatch, tmp_path,
                                                           parameters, field_name, fragment):
    append(project_copy, f'\n[[analyses]]\nid = "x"\nkind = "respdor"\ninputs = ["respdor-n1"]\n'
                         f'[analyses.parameters]\n{parameters}\n')
    _assert_refused_before_work(project_copy, monkeypatch, tmp_path, InputError,
                                f"analyses[{len(DEMO_IDS)}].parameters.{field_name}: ", fragment)


def test_out_is_a_file(demo_project, tmp_path, monkeypatch):
    target = tmp_path / "results.txt"
    target.write_text("keep me")
    forbid_analysis_runs(monkeypatch)
    with pytest.raises(InputError, match="not a folder"):
        run_project(demo_project, target)
    assert target.read_text() == "keep me"


# --- failing analyses -------------------------------------------------------------------------


def test_failing_analyses_are_recorded_and_others_finish(run_copy, monkeypatch):
    folder = run_copy.parent
    data_before = digest(folder / "data")
    append(run_copy, BAD_ANALYSES)
    scheduled = Scheduled(monkeypatch)
    progress: list[tuple[str, int, int]] = []
    summary = run_project(run_copy, folder, progress=lambda *a: progress.append(a))
    assert sorted(scheduled.ids) == ["cp13c-n0-bad-region", "dnp-n0-wide", "respdor-empty-region"]
    assert (summary.n_ok, summary.n_failed, summary.n_cached) == (len(DEMO_IDS) + 1, 2, len(DEMO_IDS))
    results = results_of(folder)
    validate(results)
    by = by_id(results)
    for failed, fragment in (("cp13c-n0-bad-region", "outside the spectrum"),
                             ("respdor-empty-region", "region")):
        a = by[failed]
        assert a["status"] == "failed" and a["result"] is None
        assert a["figures"] == [] and a["files"] == []
        assert fragment in a["error"], a["error"]
        assert not a["cached"]
    assert by["cp13c-n0-bad-region"]["error"].startswith("ValueError: ")
    ok = [a for a in results["analyses"] if a["status"] == "ok"]
    assert {a["id"] for a in ok} == {*DEMO_IDS, "dnp-n0-wide"}
    assert all(a["error"] is None and isinstance(a["result"], dict) for a in ok)
    assert by["dnp-n0-wide"]["result"]["enhancement"] == pytest.approx(33.0, rel=0.05)
    # progress: "0 of N" once planned, then once per analysis, counting up to the total
    assert progress[0] == ("", 0, len(DEMO_IDS) + 3, "")
    progress = progress[1:]
    assert sorted(p[1] for p in progress) == list(range(1, len(DEMO_IDS) + 4))
    assert {p[2] for p in progress} == {len(DEMO_IDS) + 3}
    assert sorted(p[0] for p in progress) == sorted(by)
    # the report shows the failures with their errors, and the others
    html = (folder / "report.html").read_text(encoding="utf-8")
    for failed in ("cp13c-n0-bad-region", "respdor-empty-region"):
        card = re.search(rf'<div class="card failed" id="{failed}">(.*?)</div>', html, re.S)
        assert card, failed
        assert "<strong>Error:</strong>" in card.group(1)
        assert "status <strong>failed</strong>" in card.group(1)
    assert "lies outside the spectrum" in html
    assert '<div class="card" id="dnp-n0-wide">' in html
    # failed analyses are not cached: the next run tries them again, and only them
    again = Scheduled(monkeypatch)
    summary = run_project(run_copy, folder)
    assert sorted(again.ids) == ["cp13c-n0-bad-region", "respdor-empty-region"]
    assert (summary.n_ok, summary.n_failed, summary.n_cached) == (len(DEMO_IDS) + 1, 2,
                                                                 len(DEMO_IDS) + 1)
    assert digest(folder / "data") == data_before


def test_unexpected_exception_becomes_error_string(run_copy, monkeypatch):
    def crash(self, inputs, params, sample):
        raise ZeroDivisionError("synthetic crash")

    kind = load_kinds()["dnp"]
    monkeypatch.setattr(type(kind), "run", crash)
    replace_in(run_copy, "region = [135.0, 125.0]\n\n[[analyses]]\nid = \"dnp-n1\"",
               "region = [135.5, 125.0]\n\n[[analyses]]\nid = \"dnp-n1\"")  # dnp-n0 uncached
    summary = run_project(run_copy, run_copy.parent)
    assert (summary.n_ok, summary.n_failed) == (len(DEMO_IDS) - 1, 1)
    error = by_id(summary.results)["dnp-n0"]["error"]
    assert error.startswith("ZeroDivisionError: synthetic crash (test_pipeline.py:")


# --- cache ------------------------------------------------------------------------------------


def test_unchanged_rerun_recomputes_nothing(run_copy, monkeypatch):
    folder = run_copy.parent
    forbid_analysis_runs(monkeypatch)
    scheduled = Scheduled(monkeypatch)
    before = {name: (folder / name).read_bytes() for name in ("results.json", "report.html")}
    mtimes = {name: (folder / name).stat().st_mtime_ns for name in before}
    progress: list[tuple[str, int, int]] = []
    summary = run_project(run_copy, folder, progress=lambda *a: progress.append(a))
    assert (summary.n_ok, summary.n_failed, summary.n_cached) == (len(DEMO_IDS), 0, len(DEMO_IDS))
    assert all(a["cached"] and a["status"] == "ok" for a in summary.results["analyses"])
    assert scheduled.calls == []  # the run-level short-circuit: not even the map is called
    assert progress[0] == ("", 0, len(DEMO_IDS), "")
    progress = progress[1:]
    assert [p[0] for p in progress] == DEMO_IDS
    assert [p[1] for p in progress] == list(range(1, len(DEMO_IDS) + 1))
    for name, data in before.items():
        assert (folder / name).read_bytes() == data
        assert (folder / name).stat().st_mtime_ns == mtimes[name]


@pytest.mark.parametrize("change", ["comment", "spelling", "no-report"])
def test_cosmetic_changes_use_the_cache(run_copy, monkeypatch, change):
    """No short-circuit (the project file or an output changed), but every analysis is found in
    the cache: nothing is computed and the outputs are written again."""
    folder = run_copy.parent
    old = by_id(results_of(folder))
    if change == "comment":
        touch_project(run_copy)
    elif change == "spelling":  # 135.0 → 135 is the same parameter
        text = run_copy.read_text(encoding="utf-8").replace("[135.0, 125.0]", "[135, 125]")
        run_copy.write_text(text, encoding="utf-8")
    else:
        (folder / "report.html").unlink()
    forbid_analysis_runs(monkeypatch)
    scheduled = Scheduled(monkeypatch)
    summary = run_project(run_copy, folder)
    assert scheduled.calls == [[]]
    assert (summary.n_ok, summary.n_cached) == (len(DEMO_IDS), len(DEMO_IDS))
    new = by_id(results_of(folder))
    assert all(a["cached"] for a in new.values())
    assert {k: a["result"] for k, a in new.items()} == {k: a["result"] for k, a in old.items()}
    assert (folder / "report.html").is_file()
    validate(results_of(folder))


def test_one_changed_byte_recomputes_that_analysis(run_copy, monkeypatch):
    folder = run_copy.parent
    fid = folder / "data" / "cp_13c_n0_mw_off" / "fid"  # read by dnp-n0 only
    data = bytearray(fid.read_bytes())
    data[0] ^= 1
    fid.write_bytes(bytes(data))
    old = by_id(results_of(folder))
    scheduled = Scheduled(monkeypatch)
    summary = run_project(run_copy, folder)
    assert scheduled.ids == ["dnp-n0"]
    assert (summary.n_ok, summary.n_cached) == (len(DEMO_IDS), len(DEMO_IDS) - 1)
    new = by_id(results_of(folder))
    assert not new["dnp-n0"]["cached"]
    assert new["dnp-n0"]["inputs"][1]["sha256"] != old["dnp-n0"]["inputs"][1]["sha256"]
    assert new["dnp-n0"]["inputs"][0] == old["dnp-n0"]["inputs"][0]
    for other in DEMO_IDS[:1] + DEMO_IDS[2:]:
        assert new[other]["cached"] and new[other]["result"] == old[other]["result"]


def test_one_changed_parameter_recomputes_that_analysis(run_copy, monkeypatch):
    replace_in(run_copy, 'inputs = ["cp13c-n1-on", "cp13c-n1-off"]\n[analyses.parameters]\n'
                         "region = [135.0, 125.0]",
               'inputs = ["cp13c-n1-on", "cp13c-n1-off"]\n[analyses.parameters]\n'
               "region = [134.0, 125.0]")
    scheduled = Scheduled(monkeypatch)
    summary = run_project(run_copy, run_copy.parent)
    assert scheduled.ids == ["dnp-n1"]
    assert summary.n_cached == len(DEMO_IDS) - 1
    assert by_id(summary.results)["dnp-n1"]["result"]["region_ppm"] == [134.0, 125.0]


def test_code_fingerprint_follows_every_source_byte(tmp_path):
    from cald.project.provenance import tree_fingerprint

    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "sub" / "t.j2").write_text("{{ x }}\n")
    (tmp_path / "pkg" / "notes.txt").write_text("not code\n")
    before = tree_fingerprint(tmp_path / "pkg", {"numpy": "2.0"})
    assert before == tree_fingerprint(tmp_path / "pkg", {"numpy": "2.0"})
    (tmp_path / "pkg" / "notes.txt").write_text("changed, still not code\n")
    assert tree_fingerprint(tmp_path / "pkg", {"numpy": "2.0"}) == before
    assert tree_fingerprint(tmp_path / "pkg", {"numpy": "2.1"}) != before
    (tmp_path / "pkg" / "sub" / "t.j2").write_text("{{ y }}\n")
    assert tree_fingerprint(tmp_path / "pkg", {"numpy": "2.0"}) != before


def test_results_record_the_code_fingerprint(demo_run):
    from cald.project.provenance import code_fingerprint

    assert demo_run.summary.results["code_fingerprint"] == code_fingerprint()


def test_new_cald_code_invalidates_the_cache(run_copy, monkeypatch):
    folder = run_copy.parent
    old_keys = [p.key for p in plan_project(load_project(run_copy))]
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "0" * 64)
    new_keys = [p.key for p in plan_project(load_project(run_copy))]
    assert not set(old_keys) & set(new_keys)

    def not_run(plan):
        return pipeline._Outcome(None, "not run by the test", 0.0)

    monkeypatch.setattr(pipeline, "_run_one", not_run)
    scheduled = Scheduled(monkeypatch, sequential=True)
    summary = run_project(run_copy, folder)
    assert scheduled.ids == DEMO_IDS
    assert summary.n_cached == 0 and summary.n_failed == len(DEMO_IDS)


@pytest.mark.parametrize("damage", ["garbage", "empty-object", "truncated", "wrong-types"])
def test_damaged_cache_entry_is_recomputed(run_copy, monkeypatch, damage):
    folder = run_copy.parent
    plan = next(p for p in plan_project(load_project(run_copy)) if p.id == "dnp-n1")
    entry = folder / pipeline.CACHE_DIR / f"{plan.key}.json"
    assert entry.is_file()
    text = entry.read_text(encoding="utf-8")
    entry.write_text({"garbage": "{this is not json",
                      "empty-object": "{}",
                      "truncated": text[: len(text) // 2],
                      "wrong-types": '{"result": 1, "summary": 2, "duration_s": "x", '
                                     '"figures": 3, "files": 4}'}[damage], encoding="utf-8")
    touch_project(run_copy)
    scheduled = Scheduled(monkeypatch)
    summary = run_project(run_copy, folder)
    assert scheduled.ids == ["dnp-n1"]
    assert (summary.n_ok, summary.n_cached) == (len(DEMO_IDS), len(DEMO_IDS) - 1)
    assert load_outcome(folder / pipeline.CACHE_DIR, plan.key) is not None  # repaired


# --- atomic outputs ---------------------------------------------------------------------------


class _FailingOs:
    """Stands in for the ``os`` module inside the pipeline: ``os.replace`` fails on call
    ``fail_at`` (1-based)."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at = fail_at
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def replace(self, src: Any, dst: Any) -> None:
        self.calls += 1
        if self.calls == self.fail_at:
            raise OSError(28, "No space left on device (simulated)")
        os.replace(src, dst)


def _snapshot(folder: Path) -> dict[str, str]:
    return {k: v for k, v in digest(folder).items()
            if k != "project.toml" and not k.startswith(("data/", ".cald-cache/"))}


@pytest.mark.parametrize("crash", ["render", "replace-1", "replace-2"])
def test_crash_while_publishing_leaves_previous_results(run_copy, monkeypatch, crash):
    folder = run_copy.parent
    previous = {name: (folder / name).read_bytes() for name in ("results.json", "report.html")}
    names = {p.name for p in folder.iterdir()}
    data = digest(folder / "data")
    touch_project(run_copy)
    if crash == "render":
        import cald.project.report.html as html_module

        def broken(*args, **kwargs):
            raise RuntimeError("template exploded (simulated)")

        monkeypatch.setattr(html_module, "render_report", broken)
        expected: type[Exception] = RuntimeError
    else:
        monkeypatch.setattr(pipeline, "os", _FailingOs(int(crash[-1])))
        expected = DataFileError  # the full disk is a clean error, not a crash
    with pytest.raises(expected, match="simulated"):
        run_project(run_copy, folder)
    for name, content in previous.items():
        assert (folder / name).read_bytes() == content, name
    # no half file beside them (a lost figures/ folder is test_..._keeps_previous_figures)
    assert {p.name for p in folder.iterdir()} <= names
    assert not [p for p in folder.parent.iterdir() if ".staging-" in p.name]
    assert not [p for p in folder.rglob("*") if ".staging-" in p.name or p.suffix == ".tmp"]
    assert not list((folder / pipeline.CACHE_DIR).glob("staging-*"))
    assert digest(folder / "data") == data


def test_crash_while_publishing_keeps_previous_figures(run_copy, monkeypatch):
    folder = run_copy.parent
    before = _snapshot(folder)
    touch_project(run_copy)
    monkeypatch.setattr(pipeline, "os", _FailingOs(2))  # after old figures/ was moved aside
    with pytest.raises(DataFileError, match="simulated"):
        run_project(run_copy, folder)
    assert _snapshot(folder) == before


def test_analysis_ids_cannot_write_outside_the_output_folder(run_copy, monkeypatch):
    append(run_copy, '\n[[analyses]]\nid = "../../escape"\nkind = "nmr"\ninputs = ["cp13c-n0-on"]\n'
                     '[analyses.parameters]\nnormalise_region = [135.0, 125.0]\n'
                     'overlay = "13C CP (DNP)"\n')  # same key as cp13c-n0: a cache hit
    workspace = run_copy.parent.parent
    before = sorted(p.name for p in workspace.iterdir())
    try:
        run_project(run_copy, run_copy.parent)
    except InputError:
        pass  # refusing such an id is a fix
    assert sorted(p.name for p in workspace.iterdir()) == before


def _value_at(result: dict, path: str) -> float:
    node: Any = result
    for part in path.replace("]", "").replace("[", ".").split("."):
        node = node[int(part)] if part.isdigit() else node[part]
    return float(node)


def test_demo_key_numbers_are_those_before_the_consolidation(demo_run):
    """The consolidation (issue 9) changes the code's shape, not its results: the demo's key
    numbers equal those recorded before it (tests/data/demo_key_numbers.json, whose ``source`` says
    which tolerances the fixed defects widened: the CSA fits now refine the MAS rate)."""
    recorded = json.loads((Path(__file__).parent / "data" / "demo_key_numbers.json")
                          .read_text(encoding="utf-8"))["analyses"]
    results = by_id(demo_run.summary.results)
    assert set(recorded) <= set(results)
    for analysis_id, numbers in recorded.items():
        for path, (value, tolerance) in numbers.items():
            got = _value_at(results[analysis_id]["result"], path)
            assert abs(got - value) <= tolerance, (analysis_id, path, got, value, tolerance)
        if "mas_hz_given" in results[analysis_id]["result"]:  # CSA: the fitted MAS rate
            res = results[analysis_id]["result"]
            assert abs(res["mas_hz"] - res["mas_hz_given"]) <= 3 * res["mas_hz_err"], analysis_id


@pytest.mark.slow
def test_load_results_gives_back_every_demo_analysis(demo_run):
    """``cald.load_results`` rebuilds each analysis of the demo: the object's ``to_dict()`` is the
    stored entry (for the keys it has: a kind may store extras beside its result, e.g. the
    UV-vis overlay), and the rebuilt RESPDOR fit draws its curve."""
    import cald
    from cald.project.results import StoredResult

    loaded = cald.load_results(demo_run.folder)
    results = by_id(results_of(demo_run.folder))
    assert list(loaded) == DEMO_IDS
    for analysis_id, obj in loaded.items():
        stored = results[analysis_id]["result"]
        d = obj.to_dict()
        assert set(d) <= set(stored), analysis_id
        assert json.dumps(d, sort_keys=True) == json.dumps({k: stored[k] for k in d},
                                                           sort_keys=True), analysis_id
        assert obj._repr_html_().startswith("<div")
    rebuilt = {k for k, v in loaded.items() if not isinstance(v, StoredResult)}
    assert {"respdor-13c-27al-n1", "dnp-n0", "dosy-n0", "uvvis-size-n0", "titration-tma"} <= rebuilt
    assert len(loaded["respdor-13c-27al-n1"].plot().lines) == 2
    assert loaded["cp13c-n0"].plot().xaxis_inverted()  # the stored 13C spectrum, ppm high → low
