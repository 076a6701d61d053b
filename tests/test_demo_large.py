"""The large generated project of ``cald demo --size large`` (issue 14): written and planned
(validated) here; it is run by benchmarks/bench_large.py, not by the tests."""

from __future__ import annotations

import tomllib
from collections import Counter

import pytest

from cald.project.config import load_project
from cald.project.demo import _PROJECT
from cald.project.demo_large import LARGE_N_SAMPLES, sample_parameters, write_large_project
from cald.project.pipeline import plan_project


def test_large_project_validates_with_every_demo_kind(tmp_path):
    demo_kinds = {a["kind"] for a in tomllib.loads(_PROJECT)["analyses"]}
    config = load_project(write_large_project(tmp_path))
    plans = plan_project(config)  # every analysis validated against its kind, inputs hashed
    kinds = Counter(a.kind for a in config.analyses)
    assert len(plans) >= 200 and len(config.samples) >= 50
    assert set(kinds) == demo_kinds
    assert len({p.key for p in plans}) == len(plans)  # no two analyses of the same inputs
    # the fitting-heavy kinds at a lower count than the per-sample ones
    assert kinds["quad"] < kinds["dnp"] and kinds["csa"] < kinds["dnp"]


def test_generated_samples_follow_the_cycles():
    params = [sample_parameters(i) for i in range(LARGE_N_SAMPLES)]
    assert len({p.name for p in params}) == LARGE_N_SAMPLES
    assert len({p.seed for p in params}) == LARGE_N_SAMPLES
    first = [p for p in params if p.index // 10 == 0]
    assert [p.cycles for p in first] == sorted(p.cycles for p in first)
    assert [p.diffusion_m2_s for p in first] == sorted((p.diffusion_m2_s for p in first),
                                                        reverse=True)


def test_n_samples_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="n_samples"):
        write_large_project(tmp_path, n_samples=0)


def test_progress_bar_shows_done_total_kind_and_eta(monkeypatch):
    import io

    from rich.console import Console

    from cald.cli import common

    buf = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=buf, force_terminal=True, width=120))
    with common.progress_bar(True, "analyses") as update:
        assert update is not None
        update("dnp-n0", 1, 3, "dnp")
        update("cp13c-n0", 2, 3, "nmr")
    out = buf.getvalue()
    assert "analyses, done: nmr: cp13c-n0" in out and "2/3" in out and "ETA" in out
    with common.progress_bar(False, "analyses") as update:  # --quiet, --json
        assert update is None


def test_cli_checks_size_and_workers(capsys, tmp_path):
    from test_cli import run

    code, out, err = run(capsys, ["demo", "--size", "huge", "--out", tmp_path / "d"])
    assert code == 2 and not (tmp_path / "d").exists()
    code, out, err = run(capsys, ["run", tmp_path / "project.toml", "--out", tmp_path / "o",
                                  "--workers", "1", "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2 and err.startswith("error: --workers") and out == ""
    code, out, err = run(capsys, ["run", tmp_path / "project.toml", "--out", tmp_path / "o",
                                  "--workers", "0"])
    assert code == 2 and not (tmp_path / "o").exists()
