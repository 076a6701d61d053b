"""The c-ALD planner (``cald plan``) with the study's recipe (science.md §7), checked by hand."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cald.qd.options import PlanOptions
from test_cli import assert_clean_error, run, run_json

# the study: 3 µM QDs, 1.6 mM TMA, 25 TMA per QD per cycle, 1 mL/h, O2 1.5 mL/min, 5 min waits;
# here 10 mL of QD solution and oleic acid instead of O2 after cycle 2
RECIPE = ["plan", "--qd-um", 3, "--volume-ml", 10, "--tma-mm", 1.6, "--tma-per-qd", 25,
          "--cycles", 4, "--olac-after", 2]


def test_study_recipe_by_hand(capsys):
    out = run_json(capsys, [*RECIPE, "--ligands-per-qd", 85])
    # n_QD = 3e-6 mol/L × 0.010 L = 3e-8 mol; n_TMA = 25 × 3e-8 = 7.5e-7 mol per cycle
    assert out["qd_mol"] == pytest.approx(3e-8)
    assert out["tma_mol_per_cycle"] == pytest.approx(7.5e-7)
    # V = 7.5e-7 mol / 1.6e-3 mol/L = 4.6875e-4 L = 0.46875 mL; at 1 mL/h: 0.46875 h = 28.125 min
    assert out["tma_volume_ml_per_cycle"] == pytest.approx(0.46875)
    assert out["tma_addition_min"] == pytest.approx(28.125)
    steps = out["steps"]
    assert len(steps) == 16
    assert set(steps[0]) == {"cycle", "action", "volume_ml", "duration_min"}
    assert [s["action"] for s in steps[:4]] == ["add TMA", "wait", "O2 flow", "wait"]
    assert steps[0]["volume_ml"] == pytest.approx(0.46875)
    assert steps[0]["duration_min"] == pytest.approx(28.125)
    assert steps[1]["duration_min"] == pytest.approx(5.0)
    assert [s["action"] for s in steps if s["cycle"] == 3][2] == "add OLAC"
    assert [s["action"] for s in steps if s["cycle"] == 2][2] == "O2 flow"
    # totals over 4 cycles: 3e-6 mol, 1.875 mL; time 4 × (28.125 + 2 × 5) = 152.5 min
    assert out["total_tma_mol"] == pytest.approx(3e-6)
    assert out["total_tma_volume_ml"] == pytest.approx(1.875)
    assert out["total_duration_min"] == pytest.approx(152.5)
    assert out["oleate_fraction_per_cycle"] == pytest.approx(25 / 85)  # ≈ 30 % (the study)
    assert out["warnings"] == []


def test_pump_rate_wait_and_o2_duration():
    plan = PlanOptions(qd_um=3, volume_ml=20, tma_mm=1.6, tma_per_qd=25, cycles=1,
                       pump_ml_h=2, wait_min=10, o2_min=4).plan()
    # 20 mL → 0.9375 mL of TMA solution; at 2 mL/h: 28.125 min; O2 1.5 mL/min × 4 min = 6 mL
    assert plan.steps[0].volume_ml == pytest.approx(0.9375)
    assert plan.steps[0].duration_min == pytest.approx(28.125)
    assert plan.steps[2].volume_ml == pytest.approx(6.0)
    assert plan.steps[2].duration_min == pytest.approx(4.0)
    assert plan.total_duration_min == pytest.approx(28.125 + 4 + 2 * 10)
    assert "O2 flow" in plan.report() and "0.9375" in plan.report()


def test_stability_warning(capsys):
    out = run_json(capsys, [*RECIPE[:-4], "--cycles", 1, "--tma-per-qd", 30])
    assert len(out["warnings"]) == 1 and "stability limit of 25" in out["warnings"][0]
    out = run_json(capsys, [*RECIPE[:-4], "--cycles", 1, "--tma-per-qd", 30,
                            "--stability-limit", 40])
    assert out["warnings"] == []


def test_human_output_and_quiet(capsys):
    code, out, err = run(capsys, RECIPE)
    assert code == 0 and err == ""
    assert "28.13" in out and "add OLAC" in out
    code, out, err = run(capsys, [*RECIPE, "--quiet"])
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize(("flag", "value"), [("--qd-um", 0), ("--qd-um", -3), ("--volume-ml", 0),
                                             ("--tma-mm", -1.6), ("--pump-ml-h", 0),
                                             ("--tma-per-qd", 0), ("--cycles", 0),
                                             ("--olac-after", 0), ("--ligands-per-qd", -1)])
def test_bad_values_name_the_option(capsys, flag, value):
    argv = [*RECIPE, flag, value]
    assert_clean_error(*run(capsys, argv), flag)


def test_olac_after_the_last_cycle_is_an_error(capsys):
    argv = [*RECIPE[:-2], "--olac-after", 4]
    assert_clean_error(*run(capsys, argv), "--olac-after must be less than --cycles (4)")


def test_model_refuses_a_zero_concentration():
    with pytest.raises(ValidationError, match="qd_mol_l"):
        PlanOptions(qd_um=0, volume_ml=10, tma_mm=1.6, tma_per_qd=25, cycles=1)


def test_plot_timeline(capsys, tmp_path):
    figure = tmp_path / "plan.svg"
    run_json(capsys, [*RECIPE, "--plot", figure])
    assert figure.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert_clean_error(*run(capsys, [*RECIPE, "--plot", tmp_path / "plan.txt"]), "--plot")
