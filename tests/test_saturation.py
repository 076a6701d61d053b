"""RESPDOR fits corrected for the simulated saturation pulse (cald.recoupling.saturation) and
`cald respdor fit --simulate`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cald.cli.app import main
from cald.errors import ParameterError
from cald.lineshape.czjzek import czjzek_mean_cq_mhz
from cald.recoupling.data import DephasingCurve
from cald.recoupling.fit import fit_respdor
from cald.recoupling.options import RespdorFitOptions
from cald.recoupling.redor import respdor_universal, universal_curve
from cald.recoupling.saturation import cq_nodes
from cald.recoupling.spindynamics import (
    CoupledSpin,
    Experiment,
    IPulse,
    crystallite_set,
    level_change_weights,
    simulate_curve,
)

SEQ = Experiment(10e3, "redor", 50e3, IPulse(500e-6, 10e3, 0.0))
T_S = np.arange(1, 17) * 4e-4
F_BOUND, D_HZ, SIGMA = 0.4, 500.0, 0.01


@pytest.fixture(scope="module")
def simulated_data() -> tuple[DephasingCurve, float]:
    """A 13C{27Al} RESPDOR curve from the simulator (finite 500 µs saturation pulse, C_Q 5 MHz,
    η 0.3, a finer powder set than the fit uses), fraction bound 0.4, noise σ = 0.01; and its
    saturation efficiency."""
    spin = CoupledSpin(2.5, D_HZ, cq_hz=5e6, eta=0.3)
    sim = simulate_curve([spin], T_S, SEQ, crystallite_set("zcw", 610, 8))
    rng = np.random.default_rng(3)
    y = F_BOUND * sim.ds_s0 + rng.normal(0.0, SIGMA, T_S.size)
    assert sim.saturation_efficiency is not None
    return (DephasingCurve.from_dephasing(T_S, y, sigma=np.full(T_S.size, SIGMA)),
            sim.saturation_efficiency[0])


def test_ideal_level_weights_give_the_analytic_curve():
    for spin in (1.5, 2.5):
        ideal = level_change_weights(CoupledSpin(spin, 100.0), Experiment(10e3, delta_pulses=True))
        lam = np.linspace(0.0, 3.0, 50)
        assert np.allclose(universal_curve(lam, spin, level_weights=tuple(ideal)),
                           respdor_universal(lam, spin), atol=1e-9)


def test_level_weights_sum_to_one_and_give_the_efficiency():
    spin = CoupledSpin(2.5, D_HZ, cq_hz=5e6)
    cryst = crystallite_set("zcw", 89, 4)
    p = level_change_weights(spin, SEQ, cryst)
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    eff = simulate_curve([spin], T_S[:2], SEQ, cryst).saturation_efficiency
    assert eff is not None and (1.0 - p[0]) * 6 / 5 == pytest.approx(eff[0], abs=1e-12)


def test_f_bound_recovers_the_generating_fraction(simulated_data):
    curve, eff = simulated_data
    opts = RespdorFitOptions.model_validate({"pair": "13C-27Al", "simulate": True, "mas_khz": 10,
                                             "cq_mhz": 5, "eta": 0.3, "bootstrap": 200})
    analytic = opts.fit(curve)
    res = opts.correct(curve, analytic).to_dict()
    sat = res["saturation"]
    assert abs(sat["f_bound"] - F_BOUND) < 3 * sat["f_bound_err"]
    assert abs(sat["d_hz"] - D_HZ) < 3 * sat["d_hz_err"]
    # the analytic fit mixes bound fraction and saturation: f ≈ ε f_bound, D biased low
    assert res["f"] < F_BOUND - 10 * res["f_err"]
    assert res["f"] / sat["f_bound"] == pytest.approx(eff, abs=0.06)
    assert sat["saturation_efficiency"] == pytest.approx(eff, abs=0.03)
    assert sat["model_error"] < 0.02
    assert len(sat["simulated_curve"]["t_ms"]) == T_S.size


def test_czjzek_nodes():
    nodes = cq_nodes(0.0, 0.0, 4e6, 6)
    assert nodes.weights.sum() == pytest.approx(1.0)
    assert np.all(np.diff(nodes.cq_hz) > 0)
    mean_mhz = float(nodes.weights @ nodes.cq_hz) * 1e-6
    assert mean_mhz == pytest.approx(czjzek_mean_cq_mhz(4.0), rel=0.01)
    with pytest.raises(ParameterError):
        cq_nodes(0.0, 0.0, -1.0)


def test_level_weights_refuse_redor_and_wrong_length():
    with pytest.raises(ParameterError):
        fit_respdor(DephasingCurve.from_dephasing(T_S, 0.1 * np.ones(T_S.size)), spin=0.5,
                    experiment="redor", level_weights=(0.5, 0.5))
    with pytest.raises(ParameterError):
        universal_curve(np.ones(3), 2.5, level_weights=(0.5, 0.5))


def _cli(capsys, argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_fit_simulate(tmp_path, capsys, simulated_data):
    curve, _ = simulated_data
    csv = tmp_path / "curve.csv"
    csv.write_text("t_ms,dS_S0,sigma\n" + "".join(
        f"{t * 1e3:.6g},{y:.6f},{s}\n" for t, y, s in zip(curve.t_s, curve.ds_s0, curve.sigma,
                                                         strict=True)))
    base = ["respdor", "fit", csv, "--pair", "13C-27Al", "--bootstrap", "50"]
    code, out, err = _cli(capsys, [*base, "--simulate", "--mas-khz", "10", "--cq-sigma-mhz", "4",
                                   "--cq-nodes", "3", "--crystallites", "89", "--json"])
    assert code == 0, err
    obj = json.loads(out)
    sat = obj["saturation"]
    for key in ("f_bound", "f_bound_err", "saturation_efficiency", "saturation_efficiency_spread",
                "d_hz", "d_hz_err", "r_angstrom", "level_weights", "simulated_curve"):
        assert key in sat
    assert obj["f"] < sat["f_bound"]
    assert len(sat["cq_mhz"]) == 3
    for bad in (["--simulate"],  # no MAS rate
                ["--simulate", "--mas-khz", "0"],
                ["--simulate", "--mas-khz", "10", "--cq-sigma-mhz", "-2"],
                ["--simulate", "--mas-khz", "10", "--cq-mhz", "0"],
                ["--simulate", "--mas-khz", "10", "--sat-rf-khz", "-1"],
                ["--simulate", "--mas-khz", "10", "--crystallite-set", "repulsion"],
                ["--simulate", "--mas-khz", "10", "--experiment", "redor", "--spin", "0.5"]):
        code, out, err = _cli(capsys, [*base, *bad])
        assert code == 2, (bad, out, err)
        assert err.startswith("error:") and err.count("\n") == 1, (bad, err)


def test_respdor_kind_shows_the_corrected_fraction(tmp_path, simulated_data):
    from cald.project.analyses.respdor import Respdor, RespdorParameters

    curve, _ = simulated_data
    csv = tmp_path / "curve.csv"
    csv.write_text("t_ms,dS_S0,sigma\n" + "".join(
        f"{t * 1e3:.6g},{y:.6f},{s}\n" for t, y, s in zip(curve.t_s, curve.ds_s0, curve.sigma,
                                                         strict=True)))
    kind = Respdor()
    params = RespdorParameters.model_validate({"pair": "13C-27Al", "simulate": True,
                                               "mas_khz": 10, "cq_mhz": 5, "eta": 0.3,
                                               "bootstrap": 50})
    out = kind.run([csv], params, None)
    sat = out.result["saturation"]
    assert "f_bound" in out.summary
    names = [k for k, _ in kind.key_numbers(out.result)]
    assert {"saturation efficiency ε", "f_bound (corrected f)", "D (corrected)"} <= set(names)
    assert len(kind.card_tables(out.result)) == 2  # models, and ε per C_Q node
    statements = kind.mechanism({"result": out.result, "id": "a", "sample": "s"},
                                {"ligands_per_qd": 85})
    bound = [s for s in statements if "bound to 27Al" in s.text]
    assert len(bound) == 1 and bound[0].value == sat["f_bound"]
    ligands = [s for s in statements if s.unit == "per QD"]
    assert ligands[0].value == pytest.approx(85 * sat["f_bound"])
    # without simulate: no saturation block, the statements as before
    plain = kind.run([csv], RespdorParameters.model_validate({"pair": "13C-27Al",
                                                              "bootstrap": 50}), None)
    assert "saturation" not in plain.result


def test_cli_cq_from_a_czjzek_fit(tmp_path, capsys, simulated_data):
    curve, _ = simulated_data
    csv = tmp_path / "curve.csv"
    csv.write_text("t_ms,dS_S0,sigma\n" + "".join(
        f"{t * 1e3:.6g},{y:.6f},{s}\n" for t, y, s in zip(curve.t_s, curve.ds_s0, curve.sigma,
                                                         strict=True)))
    fit = {"sites": [{"label": "Al(IV)", "sigma_czjzek_mhz": 3.0, "fraction": 0.6},
                     {"label": "Al(VI)", "sigma_czjzek_mhz": 2.0, "fraction": 0.4}]}
    quad = tmp_path / "quad.json"
    quad.write_text(json.dumps({"id": "al27", "result": fit}))  # one analysis of a results.json
    base = ["respdor", "fit", csv, "--pair", "13C-27Al", "--bootstrap", "0", "--simulate",
            "--mas-khz", "10", "--crystallites", "55", "--rotor-phases", "4", "--cq-nodes", "2"]
    code, out, err = _cli(capsys, [*base, "--cq-from", quad, "--json"])
    assert code == 0, err
    sat = json.loads(out)["saturation"]
    assert sat["cq_weights"] == pytest.approx([0.3, 0.3, 0.2, 0.2], abs=0.01)
    two = tmp_path / "results.json"
    two.write_text(json.dumps({"analyses": [{"result": fit}, {"result": fit}]}))
    csa = tmp_path / "csa.json"
    csa.write_text(json.dumps({"sites": [{"zeta_ppm": 1.0, "fraction": 1.0}]}))
    for bad in (["--cq-from", csv], ["--cq-from", two], ["--cq-from", csa],
                ["--cq-from", tmp_path / "missing.json"],
                ["--cq-from", quad, "--cq-sigma-mhz", "2"]):
        code, out, err = _cli(capsys, [*base, *bad])
        assert code == 2, (bad, out, err)
        assert err.startswith("error:") and err.count("\n") == 1, (bad, err)
