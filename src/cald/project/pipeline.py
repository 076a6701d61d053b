"""``cald run``: project file → validated plan → cached, parallel analyses → results + report.

Everything that can be checked is checked before any work starts (project file, kinds, inputs,
parameters). Analyses that are not cached run in parallel through :mod:`cald.parallel`; a
failing analysis is recorded with its error and the others still finish. Outputs are assembled
in a temporary folder and moved into place at the end, so a failed run leaves the previous
results untouched and no half-written file. Runs into the same output folder take turns (a lock
in its cache folder): the second finds the first one's outcomes in the cache. An interrupted run
keeps every analysis it finished in the cache, so the next run computes only the others.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cald import __version__
from cald.errors import DataFileError, InputError
from cald.options import Options
from cald.parallel import map_tasks
from cald.project.analyses import AnalysisOutput, MissingParameter, load_kinds
from cald.project.cache import cache_key, hash_path, load_outcome, store_outcome
from cald.project.config import ProjectConfig, ProjectConfigError, load_project
from cald.project.provenance import code_fingerprint, versions

__all__ = ["SCHEMA_VERSION", "PlannedAnalysis", "RunSummary", "plan_project", "run_project"]

SCHEMA_VERSION = 1
CACHE_DIR = ".cald-cache"
#: Inside the cache folder: the lock file of the output folder and the prefix of staging folders.
_LOCK_FILE = "run.lock"
_STAGING_PREFIX = "staging-"


@dataclass(frozen=True)
class PlannedAnalysis:
    """One analysis, validated and ready to run."""

    id: str
    kind: str
    sample: str | None
    inputs: list[Path]
    input_hashes: list[str]
    parameters: dict[str, Any]
    params: Options
    sample_info: dict[str, Any] | None
    key: str


@dataclass
class RunSummary:
    """What a run produced."""

    out_dir: Path
    results: dict[str, Any]
    n_ok: int = 0
    n_failed: int = 0
    n_cached: int = 0
    files: list[Path] = field(default_factory=list)
    #: Wall time of the run (s).
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (what ``cald run --json`` prints)."""
        return {"out": str(self.out_dir), "results": str(self.out_dir / "results.json"),
                "report": str(self.out_dir / "report.html"), "n_ok": self.n_ok,
                "n_failed": self.n_failed, "n_cached": self.n_cached,
                "analyses": [{k: a[k] for k in ("id", "kind", "sample", "status", "summary",
                                                "cached", "error")}
                             for a in self.results["analyses"]]}


def plan_project(config: ProjectConfig) -> list[PlannedAnalysis]:
    """Validate every analysis against its kind and hash its inputs (no analysis runs)."""
    kinds = load_kinds()
    plans = []
    for i, a in enumerate(config.analyses):
        where = f"analyses[{i}]"
        if a.kind not in kinds:
            raise ProjectConfigError(f"{where}.kind: unknown kind {a.kind!r}; known: "
                                     f"{', '.join(sorted(kinds))}", config.file)
        kind = kinds[a.kind]
        lo, hi = kind.n_inputs
        if not lo <= len(a.inputs) <= hi:
            raise ProjectConfigError(f"{where}.inputs: kind {a.kind!r} takes {lo}–{hi} data sets, "
                                     f"got {len(a.inputs)}", config.file)
        for j, ref in enumerate(a.inputs):
            ds = config.dataset(ref)
            if ds.kind not in kind.input_kinds:
                raise ProjectConfigError(f"{where}.inputs[{j}]: data set {ref!r} is {ds.kind!r}; "
                                         f"kind {a.kind!r} reads {', '.join(kind.input_kinds)}",
                                         config.file)
        params = kind.parse_parameters(a.parameters, where, config.file)
        try:
            kind.check_inputs([config.dataset(ref).kind for ref in a.inputs], params)
        except MissingParameter as exc:
            raise ProjectConfigError(f"{where}.parameters.{exc.args[0]}: {exc.args[1]}",
                                     config.file) from None
        paths = [config.dataset_path(ref) for ref in a.inputs]
        hashes = [hash_path(p) for p in paths]
        sample_name = config.analysis_sample(a)
        sample = config.sample(sample_name)
        plans.append(PlannedAnalysis(a.id, a.kind, sample_name, paths, hashes, a.parameters,
                                     params, None if sample is None else sample.model_dump(),
                                     cache_key(a.kind, {"parameters": params.model_dump(),
                                                        "sample": None if sample is None
                                                        else sample.model_dump()}, hashes)))
    return plans


@dataclass(frozen=True)
class _Outcome:
    output: AnalysisOutput | None
    error: str | None
    duration_s: float


def _run_one(plan: PlannedAnalysis) -> _Outcome:
    """Run one analysis, never raising (a failure becomes the outcome's error)."""
    start = time.perf_counter()
    try:
        kind = load_kinds()[plan.kind]
        output = kind.run(plan.inputs, plan.params, plan.sample_info)
        return _Outcome(output, None, time.perf_counter() - start)
    except InputError as exc:
        return _Outcome(None, str(exc), time.perf_counter() - start)
    except Exception as exc:  # an analysis may fail in any way; the run goes on
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f" ({Path(last.filename).name}:{last.lineno})"
        return _Outcome(None, f"{type(exc).__name__}: {exc}{where}", time.perf_counter() - start)


def _lost(index: int, error: BaseException) -> _Outcome:
    """The outcome of an analysis whose task failed for good (its worker died too often)."""
    return _Outcome(None, f"{type(error).__name__}: {error}", 0.0)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def run_project(project_file: str | os.PathLike[str], out_dir: str | os.PathLike[str],
                scheduler: str | None = None, command: str = "",
                progress: Callable[[str, int, int, str], None] | None = None,
                n_workers: int | None = None) -> RunSummary:
    """Run a project and write ``results.json``, ``report.html``, ``figures/`` and ``files/``.

    Parameters
    ----------
    scheduler, n_workers
        Where the analyses run (:func:`cald.parallel.map_tasks`): an existing dask scheduler,
        this many local worker processes, or (both ``None``) threads of this process.
    progress
        Called as ``progress("", 0, total, "")`` once the project is planned (before any analysis
        runs), then as ``progress(analysis_id, done, total, kind)`` when an analysis finishes
        (cached ones count as finished at once).
    """
    start = time.perf_counter()
    config = load_project(project_file)
    plans = plan_project(config)
    if progress:
        progress("", 0, len(plans), "")
    out = Path(out_dir).resolve()
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", out)
    run_key = cache_key("run", {"project": hash_path(config.file)}, [p.key for p in plans])
    cache_dir = out / CACHE_DIR
    with _output_lock(cache_dir):
        summary = _run_locked(config, plans, out, run_key, scheduler, n_workers, command,
                              progress)
    summary.wall_s = time.perf_counter() - start
    return summary


@contextmanager
def _output_lock(cache_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (runs into one folder take turns); clears the staging
    folders that a killed run left behind."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fh = open(cache_dir / _LOCK_FILE, "ab")
    except OSError as exc:
        raise DataFileError(f"cannot write: {exc.strerror or exc}", cache_dir.parent) from None
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
        for stale in cache_dir.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


def _run_locked(config: ProjectConfig, plans: list[PlannedAnalysis], out: Path, run_key: str,
                scheduler: str | None, n_workers: int | None, command: str,
                progress: Callable[[str, int, int, str], None] | None) -> RunSummary:
    """The run itself, under the output folder's lock."""
    from cald.project.mechanism import mechanism_summary
    from cald.project.report.html import render_report
    from cald.project.synthesis import sample_plans

    previous = _previous_results(out, run_key)
    if previous is not None:  # nothing changed: nothing to recompute or rewrite
        for i, plan in enumerate(plans, start=1):
            if progress:
                progress(plan.id, i, len(plans), plan.kind)
        n_ok = sum(a["status"] == "ok" for a in previous["analyses"])
        return RunSummary(out, previous, n_ok, len(plans) - n_ok, len(plans))
    cache_dir = out / CACHE_DIR
    outcomes: dict[str, _Outcome] = {}
    cached: set[str] = set()
    total = len(plans)
    for plan in plans:
        hit = load_outcome(cache_dir, plan.key)
        if hit is not None:
            outcomes[plan.id] = _Outcome(hit[0], None, hit[1])
            cached.add(plan.id)
            if progress:
                progress(plan.id, len(outcomes), total, plan.kind)
    todo = [p for p in plans if p.id not in outcomes]

    def finished(i: int, outcome: _Outcome) -> None:
        plan = todo[i]
        outcomes[plan.id] = outcome
        if outcome.output is not None:
            store_outcome(cache_dir, plan.key, outcome.output, outcome.duration_s)
        if progress:
            progress(plan.id, len(outcomes), total, plan.kind)

    map_tasks(_run_one, todo, scheduler=scheduler, n_workers=n_workers, on_result=finished,
              on_failure=_lost)

    analyses = []
    figure_files: dict[str, bytes] = {}
    extra_files: dict[str, bytes] = {}
    for plan in plans:
        outcome = outcomes[plan.id]
        figures = []
        if outcome.output is not None:
            for fig in outcome.output.figures:
                stem = f"figures/{plan.id}_{fig.name}"
                figure_files[f"{stem}.svg"] = fig.svg
                figure_files[f"{stem}.png"] = fig.png
                figures.append({"name": fig.name, "caption": fig.caption, "svg": f"{stem}.svg",
                                "png": f"{stem}.png"})
            for name, data in outcome.output.files.items():
                extra_files[f"files/{plan.id}_{name}"] = data
        analyses.append({
            "id": plan.id, "kind": plan.kind, "sample": plan.sample,
            "inputs": [{"path": _relative(p, config.root), "sha256": h}
                       for p, h in zip(plan.inputs, plan.input_hashes, strict=True)],
            "parameters": plan.parameters,
            "result": None if outcome.output is None else outcome.output.result,
            "summary": None if outcome.output is None else outcome.output.summary,
            "figures": figures,
            "files": [f"files/{plan.id}_{n}" for n in (outcome.output.files if outcome.output else {})],
            "status": "ok" if outcome.output is not None else "failed",
            "error": outcome.error, "cached": plan.id in cached,
            "duration_s": outcome.duration_s,
        })
    results = {
        "schema_version": SCHEMA_VERSION, "cald_version": __version__, "command": command,
        "project": {**config.project.model_dump(), "file": str(config.file),
                    "sha256": hash_path(config.file)},
        "samples": [s.model_dump() for s in config.samples],
        "plan": sample_plans(config.synthesis, [s.model_dump() for s in config.samples],
                             config.file),
        "analyses": analyses, "versions": versions(), "code_fingerprint": code_fingerprint(),
        "run_key": run_key,
    }
    results["mechanism"] = mechanism_summary(results)
    figures_by_analysis = {}
    for plan in plans:
        output = outcomes[plan.id].output
        figures_by_analysis[plan.id] = [] if output is None else output.figures
    report = render_report(results, figures_by_analysis)
    summary = RunSummary(out, results, sum(a["status"] == "ok" for a in analyses),
                         sum(a["status"] == "failed" for a in analyses), len(cached))
    summary.files = _publish(out, {
        "results.json": (json.dumps(_strict_json(results), indent=2, allow_nan=False) + "\n").encode(),
        "report.html": report.encode(), **figure_files, **extra_files})
    return summary


def _previous_results(out: Path, run_key: str) -> dict[str, Any] | None:
    """The results of an earlier run with the same run key whose outputs are all in place."""
    path = out / "results.json"
    if not (path.is_file() and (out / "report.html").is_file()):
        return None
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if previous.get("run_key") != run_key or any(a["status"] != "ok" for a in previous["analyses"]):
        return None
    needed = [f[k] for a in previous["analyses"] for f in a["figures"] for k in ("svg", "png")]
    needed += [f for a in previous["analyses"] for f in a["files"]]
    if not all((out / rel).is_file() for rel in needed):
        return None
    for a in previous["analyses"]:
        a["cached"] = True
    return previous


def _strict_json(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {str(k): _strict_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict_json(v) for v in obj]
    return obj


def _publish(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files into a staging folder in ``out``'s cache folder (the same file system),
    then move them into place (``figures/`` and ``files/`` are swapped as whole folders).

    Raises
    ------
    DataFileError
        When a file cannot be written (no space, no permission); the previous outputs stay.
    """
    try:
        return _publish_staged(out, files)
    except OSError as exc:
        raise DataFileError(f"cannot write the results: {exc.strerror or exc}", out) from None


def _publish_staged(out: Path, files: dict[str, bytes]) -> list[Path]:
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out / CACHE_DIR))
    done: list[tuple[Path, Path]] = []  # (source, destination) of every move, for the undo

    def move(src: Path, dst: Path) -> None:
        os.replace(src, dst)
        done.append((src, dst))

    try:
        for rel, data in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        # keep the previous top-level files so that a failure can restore them
        for rel in files:
            if "/" not in rel and (out / rel).exists():
                shutil.copy2(out / rel, staging / f"old-{rel}")
        for folder in ("figures", "files"):
            if (out / folder).exists():
                move(out / folder, staging / f"old-{folder}")
            if (staging / folder).exists():
                move(staging / folder, out / folder)
        for rel in files:
            if "/" not in rel:
                move(staging / rel, out / rel)
    except BaseException:
        for src, dst in reversed(done):  # undo: previous outputs back in place
            if dst.parent == out and dst.name in files and (staging / f"old-{dst.name}").exists():
                os.replace(staging / f"old-{dst.name}", dst)
            elif dst.exists() and not src.exists():
                os.replace(dst, src)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / rel for rel in files]

