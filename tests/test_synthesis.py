"""The project's ``[synthesis]`` table: a c-ALD plan per sample, validated when the project is
loaded, in results.json and the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from cald.project.config import ProjectConfigError, load_project
from cald.project.report.html import render_report
from cald.project.synthesis import sample_plans
from cald.qd.protocol import CaldPlan

SOURCE = Path("project.toml")
RECIPE = {"qd_um": 3.0, "volume_ml": 5.0, "tma_mm": 1.6, "olac_after": 3}


def sample(name: str, cycles: int, tma: float | None = 25.0, ligands: float | None = 85.0):
    return {"name": name, "cycles": cycles, "tma_per_qd": tma, "ligands_per_qd": ligands,
            "notes": ""}


def test_no_synthesis_table_no_plans():
    assert sample_plans(None, [sample("n1", 1)], SOURCE) == []


def test_plans_by_hand():
    """3 µM × 5 mL = 15 nmol QD; × 25 = 375 nmol TMA = 0.234375 mL of 1.6 mM, 14.0625 min at
    1 mL/h; a cycle is that + 5 + 5 min of waits (O2 not timed)."""
    plans = sample_plans(RECIPE, [sample("n0", 0), sample("n1", 1), sample("x", 2, tma=None),
                                  sample("n10", 10)], SOURCE)
    assert [p["sample"] for p in plans] == ["n1", "n10"]  # no cycles or no TMA dose: no plan
    n1, n10 = plans
    assert n1["qd_mol"] == pytest.approx(1.5e-8)
    assert n1["tma_volume_ml_per_cycle"] == pytest.approx(0.234375)
    assert n1["tma_addition_min"] == pytest.approx(14.0625)
    assert n1["total_duration_min"] == pytest.approx(24.0625)
    assert n10["total_duration_min"] == pytest.approx(240.625)
    assert n10["total_tma_mol"] == pytest.approx(3.75e-6)
    assert n1["oleate_fraction_per_cycle"] == pytest.approx(25 / 85)
    # oleic acid after cycle 3 only for the sample with more cycles than that
    assert [s["action"] for s in n1["steps"]] == ["add TMA", "wait", "O2 flow", "wait"]
    actions = [s["action"] for s in n10["steps"]]
    assert actions.count("O2 flow") == 3 and actions.count("add OLAC") == 7


def test_plan_round_trips_through_its_dict():
    plan = sample_plans(RECIPE, [sample("n10", 10)], SOURCE)[0]
    assert CaldPlan.from_dict(plan).to_dict() == {k: v for k, v in plan.items() if k != "sample"}


def test_stability_warning_per_sample():
    plans = sample_plans({**RECIPE, "stability_limit": 20}, [sample("n1", 1)], SOURCE)
    assert plans[0]["warnings"] == ["25 TMA per QD exceeds the colloidal stability limit of 20 "
                                    "per cycle: the QDs may aggregate"]


PROJECT = """\
[project]
name = "plan"

[synthesis]
{synthesis}

[[samples]]
name = "CdSe@AlOx-1"
cycles = 1
tma_per_qd = 25
"""


@pytest.mark.parametrize("synthesis, fragments", [
    ("qd_um = -3.0\nvolume_ml = 5.0\ntma_mm = 1.6", ["synthesis.qd_um", "must be positive"]),
    ("qd_um = 3.0\ntma_mm = 1.6", ["synthesis.volume_ml", "required"]),
    ("qd_um = 3.0\nvolume_ml = 5.0\ntma_mm = 1.6\nspeed = 2", ["synthesis.speed"]),
    ("qd_um = 3.0\nvolume_ml = 5.0\ntma_mm = 1.6\ncycles = 2",
     ["synthesis.cycles", "set per sample"]),
    ("qd_um = 3.0\nvolume_ml = 5.0\ntma_mm = 1.6\npump_ml_h = 0", ["synthesis.pump_ml_h"]),
])
def test_bad_synthesis_is_a_project_error(tmp_path, synthesis, fragments):
    path = tmp_path / "project.toml"
    path.write_text(PROJECT.format(synthesis=synthesis), encoding="utf-8")
    with pytest.raises(ProjectConfigError) as info:
        load_project(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_valid_synthesis_loads(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(PROJECT.format(synthesis="qd_um = 3.0\nvolume_ml = 5.0\ntma_mm = 1.6"),
                    encoding="utf-8")
    assert load_project(path).synthesis == {"qd_um": 3.0, "volume_ml": 5.0, "tma_mm": 1.6}


def results_with(plans):
    return {"project": {"name": "p", "description": "", "synthetic": False, "authors": [],
                        "file": "project.toml", "sha256": "0" * 64},
            "samples": [], "plan": plans, "analyses": [], "mechanism": [],
            "versions": {}, "cald_version": "0", "command": "", "code_fingerprint": "0" * 64,
            "schema_version": 1, "run_key": "0"}


def test_report_shows_each_plan_and_the_longest_timeline():
    plans = sample_plans(RECIPE, [sample("n1", 1), sample("n10", 10, ligands=None)], SOURCE)
    html = render_report(results_with(plans), {})
    assert '<h2 id="plan">c-ALD plan</h2>' in html
    assert "<td>n1</td><td>1</td><td>25</td><td>0.2344</td><td>14.06</td><td>0.375</td>" in html
    assert "<td>n10</td><td>10</td>" in html and "<td>29.4 %</td>" in html and "<td>—</td>" in html
    assert "c-ALD schedule of n10 (10 cycles)." in html
    assert "note: oleic acid instead of O2 from cycle 4" in html


def test_report_without_plans_has_no_plan_section():
    assert 'id="plan"' not in render_report(results_with([]), {})
