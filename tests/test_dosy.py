"""DOSY (issue 10, item 4): pulse programs, Stejskal–Tanner b-values with shaped and bipolar
gradients, mono/bi fits with their uncertainties, Stokes–Einstein, the viscosity table, the
command, the agreement with TopSpin's T1/T2 model and the ``dosy`` kind."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from cald.cli.app import main
from cald.errors import DataFileError, FieldError, InputError
from cald.fitting import SIGMA_MEASURED, FitResult
from cald.io.bruker import read_bruker
from cald.io.pulseprogram import diffusion_sequence, diffusion_setup, parse_pulse_program
from cald.qd.dosy import (
    DosyDecay,
    DosyResult,
    DosyTiming,
    attenuation,
    b_value_s_m2,
    fit_decay,
    fit_dosy,
    gradient_shape,
    hydrodynamic_diameter_nm,
)
from cald.qd.dosy_data import dosy_decay, read_dosy_table
from cald.qd.viscosity import SOLVENTS, viscosity
from cald.synth.nmr_sets import write_dosy_series
from invariants import FitInvariants, ModelInvariants

GAMMA_1H = 267.522128e6  # rad s⁻¹ T⁻¹ (cald.nuclei)
GAMMA_1H_HZ_G = GAMMA_1H / (2 * math.pi) / 1e4  # TopSpin's γ in Hz/G
GRADIENTS_G_CM = np.linspace(2.0, 50.0, 16)
REGION = (5.6, 5.2)


# --- b-values ---------------------------------------------------------------------------------


def test_b_value_rectangular_by_hand():
    """G = 0.5 T/m, δ = 2 ms, Δ = 100 ms: b = (γ G δ)² (Δ − δ/3)."""
    t = DosyTiming(0.1, 0.002)
    expected = (267.522128e6 * 0.5 * 0.002) ** 2 * (0.1 - 0.002 / 3)
    assert b_value_s_m2(0.5, t) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(7.109e9, rel=1e-3)


def test_shape_factors():
    rect, sine, smsq = (gradient_shape(n) for n in ("", "SINE.100", "SMSQ10.100"))
    assert (rect.sigma, rect.lam, rect.kappa) == pytest.approx((1.0, 0.5, 1 / 3), abs=1e-9)
    assert (sine.sigma, sine.lam, sine.kappa) == pytest.approx((2 / math.pi, 0.5, 3 / 8), abs=1e-9)
    assert smsq.sigma == pytest.approx(0.9, abs=1e-9) and smsq.lam == pytest.approx(0.5)
    assert gradient_shape("smsq10.32").sigma == pytest.approx(0.9, abs=1e-9)
    with pytest.raises(FieldError, match="unknown gradient shape 'GAUSS.100'"):
        gradient_shape("GAUSS.100")


@pytest.mark.parametrize(("shape", "bipolar", "expected_delta_prime"), [
    ("", False, lambda D, d, tau: D - d / 3),
    ("SINE.100", False, lambda D, d, tau: D - d / 4),
    ("", True, lambda D, d, tau: D - d / 3 - tau / 2),
    ("SINE.100", True, lambda D, d, tau: D - 5 * d / 16 - tau / 2),
])
def test_diffusion_time_by_hand(shape, bipolar, expected_delta_prime):
    t = DosyTiming(0.1, 0.002, 2e-4 if bipolar else 0.0, bipolar, gradient_shape(shape))
    assert t.diffusion_time_s == pytest.approx(expected_delta_prime(0.1, 0.002, t.tau_s), rel=1e-9)
    sigma = t.shape.sigma
    assert b_value_s_m2(0.3, t) == pytest.approx(
        (GAMMA_1H * sigma * 0.3 * 0.002) ** 2 * expected_delta_prime(0.1, 0.002, t.tau_s), rel=1e-9)


def _brute_force_b(timing: DosyTiming, g_t_m: float, n: int = 400_001) -> float:
    """b = γ² ∫ F(t)² dt with F(t) = ∫ g_eff: the effective gradient waveform of the encoding
    and decoding (each a pulse of δ, or two lobes of δ/2 with τ between), integrated numerically."""
    d, big, tau = timing.little_delta_s, timing.big_delta_s, timing.tau_s
    shape = {"SINE.100": lambda e: np.sin(np.pi * e), "": lambda e: np.ones_like(e)}[
        "" if timing.shape.name == "rectangular" else timing.shape.name]
    t = np.linspace(0.0, big + d + tau + 1e-3, n)
    g = np.zeros_like(t)
    lobes = ([(0.0, d / 2), (d / 2 + tau, d / 2)] if timing.bipolar else [(0.0, d)])
    for start, sign in ((0.0, 1.0), (big, -1.0)):
        for offset, length in lobes:
            m = (t >= start + offset) & (t <= start + offset + length)
            g[m] += sign * shape((t[m] - start - offset) / length)
    f = np.concatenate([[0.0], np.cumsum((g[1:] + g[:-1]) / 2 * np.diff(t))])
    return float(GAMMA_1H**2 * g_t_m**2 * np.trapezoid(f * f, t))


@pytest.mark.parametrize("bipolar", [False, True])
def test_b_value_against_brute_force_waveform(bipolar):
    t = DosyTiming(0.05, 0.004, 3e-4 if bipolar else 0.0, bipolar, gradient_shape("SINE.100"))
    assert b_value_s_m2(0.4, t) == pytest.approx(_brute_force_b(t, 0.4), rel=2e-4)


def test_topspin_formula_is_the_rectangular_b_with_the_effective_delta():
    """TopSpin's (2π γ G δ)² (Δ − δ/3) · 10⁴ (γ Hz/G, G G/cm) is b with G in T/m = G/100."""
    g_cm, delta, big = 35.0, 0.0018, 0.1
    topspin = (2 * math.pi * GAMMA_1H_HZ_G * g_cm * delta) ** 2 * (big - delta / 3) * 1e4
    assert b_value_s_m2(g_cm / 100, DosyTiming(big, delta)) == pytest.approx(topspin, rel=1e-12)


class TestAttenuationModel(ModelInvariants):
    function = staticmethod(attenuation)
    params = {"i0": 2.0, "diffusion_m2_s": 3e-10}
    x = np.linspace(0.0, 2e10, 64)
    scaling = {"diffusion_m2_s": -1}  # b → k b, D → D / k: the same decay
    unit_factor = 1e-9
    scaling_rtol = 1e-12


# --- fits -------------------------------------------------------------------------------------

TIMING = DosyTiming(0.1, 0.002, 2e-4, True, gradient_shape("SMSQ10.100"))
G_T_M = np.linspace(0.02, 0.5, 16)


def _decay(y, noise=None, **kw) -> DosyDecay:
    return DosyDecay(G_T_M, np.asarray(y, float), noise, TIMING, "test",
                     SIGMA_MEASURED if noise is not None else "estimated from the residuals", **kw)


def test_mono_recovery_and_coverage_of_the_interval():
    """200 seeded decays with σ known: D recovered, the 95 % profile interval covers the true D
    in 91–98.5 % of the cases, and the standard error matches the spread."""
    rng = np.random.default_rng(10)
    b = TIMING.b_value_s_m2(G_T_M)
    truth, sigma, hits, values, errs = 2.0e-10, 0.01, 0, [], []
    for _ in range(200):
        y = attenuation(b, 1.0, truth) + rng.normal(0, sigma, b.size)
        fit = fit_decay(_decay(y, np.full(b.size, sigma)))
        est = fit.params["diffusion_m2_s"]
        lo, hi = est.intervals["ci95_profile"]
        hits += lo <= truth <= hi
        values.append(est.value)
        errs.append(est.stderr)
        assert fit.redchi is not None and fit.residual_std is None
    assert 0.91 <= hits / 200 <= 0.985
    assert np.mean(values) == pytest.approx(truth, rel=0.01)
    assert np.std(values) == pytest.approx(np.mean(errs), rel=0.2)


def test_sigma_estimated_without_noise():
    rng = np.random.default_rng(3)
    y = attenuation(TIMING.b_value_s_m2(G_T_M), 5.0, 3e-10) + rng.normal(0, 0.05, G_T_M.size)
    fit = fit_decay(_decay(y))
    assert fit.redchi is None and fit.residual_std == pytest.approx(0.05, rel=0.5)
    assert fit.params["diffusion_m2_s"].value == pytest.approx(3e-10, rel=0.05)
    assert any("σ estimated" in n for n in fit.notes)


def test_mono_against_bi():
    rng = np.random.default_rng(4)
    b = TIMING.b_value_s_m2(np.linspace(0.01, 0.5, 32))
    g = np.linspace(0.01, 0.5, 32)
    y = 0.6 * np.exp(-1.0e-10 * b) + 0.4 * np.exp(-1.5e-9 * b) + rng.normal(0, 0.002, b.size)
    decay = DosyDecay(g, y, np.full(b.size, 0.002), TIMING, "bi", SIGMA_MEASURED)
    res = fit_dosy(decay, "bi", solvent="toluene", temperature_k=298.15)
    bi, mono = res.models["bi"], res.models["mono"]
    assert bi.params["d_slow_m2_s"].value == pytest.approx(1.0e-10, rel=0.05)
    assert bi.params["d_fast_m2_s"].value == pytest.approx(1.5e-9, rel=0.1)
    assert bi.params["fraction_slow"].value == pytest.approx(0.6, abs=0.03)
    assert bi.bic < mono.bic - 10
    assert res.diffusion is bi.params["d_slow_m2_s"] and res.to_dict()["model"] == "bi"
    single = fit_dosy(DosyDecay(g, np.exp(-2e-10 * b) + rng.normal(0, 0.002, b.size),
                                np.full(b.size, 0.002), TIMING, "mono", SIGMA_MEASURED), "bi")
    assert single.models["mono"].bic < single.models["bi"].bic


def test_result_round_trips_through_its_dict():
    """``DosyResult.from_dict`` (``cald.load_results``): the same dictionary back, the model not
    chosen evaluated from its estimates."""
    b = TIMING.b_value_s_m2(G_T_M)
    y = 0.6 * np.exp(-1.0e-10 * b) + 0.4 * np.exp(-1.5e-9 * b)
    res = fit_dosy(_decay(y + 0.002 * np.cos(7 * b * 1e-9), np.full(b.size, 0.002)), "bi",
                   solvent="toluene", temperature_k=298.15)
    d = json.loads(json.dumps(res.to_dict()))
    back = DosyResult.from_dict(d)
    assert json.dumps(back.to_dict()) == json.dumps(res.to_dict())
    np.testing.assert_allclose(back.models["mono"].best_fit, res.models["mono"].best_fit,
                               rtol=1e-9)
    assert len(back.plot(Figure().subplots()).lines) == 3  # data and both models


class TestDosyFit(FitInvariants):
    """A decay that rises: D ends at its lower bound 0."""

    bound_param = "diffusion_m2_s"

    @classmethod
    def fit_at_bound(cls) -> FitResult:
        y = 1.0 + 0.01 * np.arange(G_T_M.size)
        return fit_decay(_decay(y, np.full(G_T_M.size, 0.01)))


def test_decay_refusals():
    for g, match in ((G_T_M[:3], "3 rows"), (G_T_M[::-1], "must increase"),
                     (np.r_[G_T_M[:5], G_T_M[4], G_T_M[6:]], "must increase")):
        with pytest.raises(DataFileError, match=match):
            DosyDecay(g, np.ones(g.size), None, TIMING, "x.csv")
    with pytest.raises(DataFileError, match="is not shorter than Δ = 10 ms"):
        DosyDecay(G_T_M, np.ones(G_T_M.size), None, DosyTiming(0.01, 0.05), "x.csv")
    with pytest.raises(DataFileError, match="noise must be positive"):
        DosyDecay(G_T_M, np.ones(G_T_M.size), np.zeros(G_T_M.size), TIMING, "x.csv")
    for y in (np.zeros(G_T_M.size), np.full(G_T_M.size, 1e308)):  # the bad-file harness's 1e308
        with pytest.raises(DataFileError, match="too large .* for a least-squares fit"):
            DosyDecay(G_T_M, y, np.full(G_T_M.size, 0.05), TIMING, "x.csv")


# --- Stokes–Einstein and viscosity ------------------------------------------------------------


def test_stokes_einstein_by_hand():
    d = 1.380649e-23 * 298.15 / (3 * math.pi * 0.5542e-3 * 2.6e-10) * 1e9
    assert hydrodynamic_diameter_nm(2.6e-10, 298.15, 0.5542) == pytest.approx(d, rel=1e-12)
    assert d == pytest.approx(3.03, abs=0.01)


def test_viscosity_table():
    assert viscosity("toluene", 298.15).value_mpa_s == pytest.approx(0.5542, rel=1e-12)  # Santos 2006
    assert viscosity("water", 298.15).value_mpa_s == pytest.approx(0.8900, rel=1e-12)  # IAPWS 2008
    assert viscosity("Tol", 298.15).solvent == "toluene-d8"
    assert viscosity("toluene-d8", 298.15).value_mpa_s == pytest.approx(0.5542 * 1.0428, rel=1e-3)
    for name, (_, points) in SOLVENTS.items():
        t = np.linspace(points[0][0], points[-1][0], 25)
        eta = [viscosity(name, x).value_mpa_s for x in t]
        assert np.all(np.diff(eta) < 0), name
        assert viscosity(name, points[0][0]).note is None
    assert "extrapolated" in (viscosity("hexane", 340.0).note or "")
    with pytest.raises(FieldError, match="unknown solvent 'benzene' .*toluene-d8"):
        viscosity("benzene", 298.15)


def test_solvent_and_temperature_rules():
    b = TIMING.b_value_s_m2(G_T_M)
    y = attenuation(b, 1.0, 2e-10) + np.random.default_rng(1).normal(0, 0.003, b.size)
    noise = np.full(b.size, 0.003)
    unknown = fit_dosy(_decay(y, noise, solvent="DMSO", temperature_k=300.0))
    assert unknown.d_h_nm is None and unknown.to_dict()["d_h_nm"] is None
    assert any("'DMSO'" in n and "d_H omitted" in n for n in unknown.notes)
    assert unknown.to_dict()["diffusion_m2_s"] == pytest.approx(2e-10, rel=0.05)
    with pytest.raises(FieldError, match="unknown solvent 'DMSO'"):
        fit_dosy(_decay(y, noise), solvent="DMSO", temperature_k=300.0)
    given = fit_dosy(_decay(y, noise, solvent="DMSO"), temperature_k=300.0, viscosity_mpa_s=1.99)
    assert given.to_dict()["viscosity_mpa_s"] == 1.99 and given.d_h_nm is not None
    no_t = fit_dosy(_decay(y, noise, solvent="Tol"))
    assert no_t.d_h_nm is None and any("no temperature" in n for n in no_t.notes)
    assert fit_dosy(_decay(y, noise, solvent="Tol"), temperature_k=298.15).d_h_nm is not None


# --- pulse programs ---------------------------------------------------------------------------

MONOPOLAR = """;ledgp2s
;d20: diffusion time (big DELTA)
;p30: gradient pulse (little DELTA)
1 ze
  p30:gp1
  d20
  p30:gp1
"""


def test_parse_bipolar_and_monopolar(tmp_path):
    folder = write_dosy_series(tmp_path / "1", GRADIENTS_G_CM[:4])
    seq = diffusion_sequence(folder, "ledbpgp2s")
    assert (seq.name, seq.bipolar, seq.big_delta, seq.little_delta, seq.recovery,
            seq.gradient_index, seq.known, seq.notes) == ("ledbpgp2s", True, "d20", "p30", "d16",
                                                          6, True, ())
    mono = parse_pulse_program(MONOPOLAR, tmp_path / "pp")
    assert (mono.bipolar, mono.recovery, mono.gradient_index) == (False, None, 1)
    other = parse_pulse_program(MONOPOLAR.replace(";ledgp2s", ";mydiff"), tmp_path / "pp")
    assert not other.known and "not among the known" in other.notes[0]
    with pytest.raises(DataFileError, match="'mydiff' is not a known diffusion sequence"):
        parse_pulse_program(";mydiff\n1 ze\n  p30:gp1\n", tmp_path / "pp")


def test_setup_from_the_data_set(tmp_path):
    folder = write_dosy_series(tmp_path / "1", GRADIENTS_G_CM[:4], big_delta_s=0.08,
                               little_delta_s=0.0024, gradient_shape="SINE.100", recovery_s=3e-4,
                               solvent="CDCl3", temperature_k=300.0)
    ds = read_bruker(folder)
    s = diffusion_setup(folder, ds.acqus)
    assert (s.big_delta_s, s.gradient_pulse_s, s.little_delta_s, s.recovery_s) == pytest.approx(
        (0.08, 0.0012, 0.0024, 3e-4))
    assert (s.gradient_shape, s.solvent, s.temperature_k) == ("SINE.100", "CDCl3", 300.0)
    (folder / "pulseprogram").unlink()
    fallback = diffusion_setup(folder, ds.acqus)
    assert fallback.little_delta_s == pytest.approx(0.0024)
    assert "no pulseprogram" in fallback.sequence.notes[0]
    ds.acqus["PULPROG"] = "zg30"
    with pytest.raises(DataFileError, match="PULPROG 'zg30' is not a known diffusion sequence"):
        diffusion_setup(folder, ds.acqus)
    ds.acqus["PULPROG"] = "ledbpgp2s"
    ds.acqus["D"][20] = 0.0
    with pytest.raises(DataFileError, match="D20 = 0.0"):
        diffusion_setup(folder, ds.acqus)


# --- agreement with TopSpin's T1/T2 model -----------------------------------------------------

#: Real Bruker DOSY data sets with the D that TopSpin's T1/T2 module reported for a region:
#: (folder under tests/data/dosy, region ppm, D m²/s). None found yet: see tests/data/dosy/README.md.
TOPSPIN_REFERENCES: list[tuple[str, tuple[float, float], float]] = []


def _topspin_fit(decay: DosyDecay, delta_eff_s: float, big_delta_s: float) -> float:
    """An independent fit of TopSpin's documented model I = I0 exp(−D (2π γ G δ)² (Δ − δ/3) 10⁴)
    (γ Hz/G, G G/cm, δ the effective δ TopSpin stores) to the integrals, by weighted linear
    least squares of ln I."""
    g_cm = decay.gradient_t_m * 100
    x = (2 * math.pi * GAMMA_1H_HZ_G * g_cm * delta_eff_s) ** 2 * (big_delta_s - delta_eff_s / 3) * 1e4
    w = decay.intensity / decay.noise if decay.noise is not None else None
    return -float(np.polyfit(x, np.log(decay.intensity), 1, w=w)[0])


@pytest.fixture(scope="module")
def synthetic_bruker(tmp_path_factory) -> Path:
    return write_dosy_series(tmp_path_factory.mktemp("dosy") / "1", GRADIENTS_G_CM, 1.5e-10,
                             gradient_shape="SMSQ10.100", seed=11)


def test_agreement_with_the_topspin_model(synthetic_bruker):
    """Synthetic ledbpgp2s (SMSQ10.100, rows made with TopSpin's model): cald's D for the alkene
    region agrees within 2 % with an independent fit of TopSpin's formula to the same integrals
    and with the generator's D."""
    decay = dosy_decay(read_bruker(synthetic_bruker), REGION)
    d = fit_dosy(decay).diffusion.value
    t = decay.timing
    assert d == pytest.approx(_topspin_fit(decay, t.effective_little_delta_s, t.big_delta_s), rel=0.02)
    assert d == pytest.approx(1.5e-10, rel=0.02)


@pytest.mark.parametrize("reference", TOPSPIN_REFERENCES or [None])
def test_agreement_with_topspin_on_real_data(reference, synthetic_bruker):
    """Each real data set of TOPSPIN_REFERENCES: cald's D within 2 % of TopSpin's. Until one is
    found, the synthetic data set stands in (its rows follow TopSpin's model)."""
    folder, region, d_topspin = (reference if reference is not None
                                 else (synthetic_bruker, REGION, 1.5e-10))
    path = Path(__file__).parent / "data" / "dosy" / folder if reference else folder
    d = fit_dosy(dosy_decay(read_bruker(path), region)).diffusion.value
    assert d == pytest.approx(d_topspin, rel=0.02)


def test_shape_factor_applied_once(synthetic_bruker):
    """The data set stores P30 (physical); the shape factor 0.9 enters b once: a decay read as
    rectangular gives D larger by 1/0.9² (≈ 1.235), not the right one."""
    decay = dosy_decay(read_bruker(synthetic_bruker), REGION)
    assert decay.timing.shape.sigma == pytest.approx(0.9)
    rect = DosyDecay(decay.gradient_t_m, decay.intensity, decay.noise,
                     DosyTiming(decay.timing.big_delta_s, decay.timing.little_delta_s,
                                decay.timing.tau_s, True), "rect", SIGMA_MEASURED)
    ratio = fit_dosy(decay).diffusion.value / fit_dosy(rect).diffusion.value
    assert ratio == pytest.approx(1 / 0.81, rel=0.01)


# --- command line ----------------------------------------------------------------------------


def _run(capsys, *args):
    code = main(["dosy", "fit", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_bruker_json_and_plot(capsys, synthetic_bruker, tmp_path):
    code, out, err = _run(capsys, synthetic_bruker, "--region", "5.2:5.6", "--json",
                          "--plot", tmp_path / "d.png")
    assert code == 0, err
    d = json.loads(out)
    for key in ("diffusion_m2_s", "diffusion_m2_s_err", "d_h_nm", "d_h_nm_err", "viscosity_mpa_s",
                "i0", "i0_err", "sequence", "big_delta_ms", "little_delta_ms", "tau_ms",
                "shape_factor_sigma", "redchi", "diffusion_m2_s_ci95"):
        assert key in d, key
    assert (d["sequence"], d["gradient_shape"], d["solvent"], d["temperature_k"]) == (
        "ledbpgp2s", "SMSQ10.100", "Tol", 298.15)
    assert d["d_h_nm"] == pytest.approx(5.0, rel=0.03) and d["sigma_known"]
    assert (tmp_path / "d.png").stat().st_size > 1000
    code, out, _ = _run(capsys, synthetic_bruker, "--region", "5.6:5.2", "--json",
                        "--temperature-k", "310", "--solvent", "toluene")
    hot = json.loads(out)
    assert hot["temperature_k"] == 310 and hot["viscosity_mpa_s"] < 0.5542


def test_cli_csv(capsys, tmp_path):
    t = DosyTiming(0.1, 0.0018, 2e-4, True)
    y = attenuation(t.b_value_s_m2(G_T_M), 100.0, 2.5e-10)
    path = tmp_path / "decay.csv"
    path.write_text("gradient_T_m,intensity,noise\n"
                    + "".join(f"{g},{v},0.05\n" for g, v in zip(G_T_M, y, strict=True)))
    code, out, err = _run(capsys, path, "--little-delta-ms", "1.8", "--big-delta-ms", "100",
                          "--tau-ms", "0.2", "--solvent", "toluene-d8", "--temperature-k",
                          "298.15", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["diffusion_m2_s"] == pytest.approx(2.5e-10, rel=1e-6) and d["i0"] == pytest.approx(100)
    assert d["sigma_source"] == "given per point" and d["gradient_shape"] == "rectangular"
    decay = read_dosy_table(str(path), t)
    assert decay.noise is not None and decay.source == str(path)


@pytest.mark.parametrize(("rows", "extra", "message"), [
    ("0.02,1\n0.1,0.8\n0.05,0.6\n0.3,0.4\n0.4,0.3\n", [], "decay.csv: gradients must increase"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n", [], "decay.csv: 3 rows: a DOSY fit needs at least 4"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n0.3,0.4\n", ["--solvent", "benzene"],
     "--solvent: is not a known solvent (known: toluene, toluene-d8"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n0.3,0.4\n", ["--little-delta-ms", "0"],
     "--little-delta-ms must be positive"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n0.3,0.4\n", ["--big-delta-ms", "-1"],
     "--big-delta-ms must be positive"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n0.3,0.4\n", ["--tau-ms", "-0.1"], "--tau-ms must be ≥ 0"),
    ("0.02,1\n0.1,0.8\n0.2,0.6\n0.3,0.4\n", ["--big-delta-ms", "1"],
     "decay.csv: δ = 1.8 ms (+ τ = 0 ms) is not shorter"),
])
def test_cli_bad_inputs(capsys, tmp_path, rows, extra, message):
    path = tmp_path / "decay.csv"
    path.write_text("gradient_T_m,intensity\n" + rows)
    opts = {"--little-delta-ms": "1.8", "--big-delta-ms": "100"}
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        opts[flag] = value
    code, out, err = _run(capsys, path, *[x for kv in opts.items() for x in kv])
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err


def test_cli_bad_bruker_inputs(capsys, synthetic_bruker, tmp_path):
    code, _, err = _run(capsys, synthetic_bruker, "--region", "50:40")
    assert code == 2 and "--region: region 50.0:40.0 lies outside the axis" in err
    assert str(synthetic_bruker) in err
    code, _, err = _run(capsys, synthetic_bruker)
    assert code == 2 and err.startswith("error: --region: a Bruker series needs")
    code, _, err = _run(capsys, tmp_path / "none.csv", "--little-delta-ms", "1", "--big-delta-ms", "50")
    assert code == 2 and "none.csv: no such file" in err
    code, _, err = _run(capsys, tmp_path / "none.csv", "--big-delta-ms", "50")
    assert code == 2 and "--little-delta-ms: is required for a CSV input" in err


def test_unknown_solvent_of_the_data_set(capsys, tmp_path):
    folder = write_dosy_series(tmp_path / "1", GRADIENTS_G_CM[:8], solvent="DMSO", seed=2)
    code, out, err = _run(capsys, folder, "--region", "5.6:5.2", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["d_h_nm"] is None and d["diffusion_m2_s"] > 0
    assert any("'DMSO'" in n for n in d["notes"])


# --- the kind ---------------------------------------------------------------------------------


def test_kind_presentation():
    from cald.project.analyses import get_kind

    kind = get_kind("dosy")
    res = {"diffusion_m2_s": 2.5e-10, "diffusion_m2_s_err": 1e-12,
           "diffusion_m2_s_ci95": [2.48e-10, 2.52e-10], "d_h_nm": 3.0, "d_h_nm_err": 0.01,
           "viscosity_mpa_s": 0.578, "solvent": "Tol", "temperature_k": 298.15, "model": "mono",
           "big_delta_ms": 100.0, "little_delta_ms": 2.0, "tau_ms": 0.2,
           "gradient_shape": "SMSQ10.100", "shape_factor_sigma": 0.9, "redchi": 1.1,
           "residual_std": None, "sigma_source": SIGMA_MEASURED}
    numbers = dict(kind.key_numbers(res))
    assert numbers["D"] == "2.500 ± 0.010 ×10⁻¹⁰ m²/s" and numbers["d_H"] == "3.000 ± 0.010 nm"
    analyses = [{"id": f"dosy-{n}", "sample": s, "result": {**res, "d_h_nm": dh}}
                for n, s, dh in ((0, "CdSe", 3.0), (10, "CdSe@AlOx-10", 5.0))]
    cycles = {"CdSe": 0, "CdSe@AlOx-10": 10}
    table = kind.tables(analyses, cycles)[0]
    assert [r[2] for r in table.rows] == ["3.000 ± 0.010", "5.000 ± 0.010"]
    figs = kind.figures(analyses, cycles)
    assert [f.name for f in figs] == ["dosy_dh_cycles"] and figs[0].svg.startswith(b"<?xml")
    st = kind.mechanism(analyses[1], {"name": "CdSe@AlOx-10"})
    assert st[0].value == 5.0 and st[0].unit == "nm" and "Hydrodynamic diameter" in st[0].text
    with pytest.raises(InputError):
        kind.parse_parameters({"solvent": "benzene"}, "analyses[0]", Path("project.toml"))


def test_real_stored_pulse_program_is_named_and_refused():
    """A real TopSpin-stored (preprocessed) pulse program, Manchester's Oneshot as run at
    Universidad del Valle (nmr-dosy-scilab, MIT): the name comes from its ``# 1 "…"`` line, the
    sequence is outside the known ones and its comments name no big/little DELTA, so it is
    refused with one line naming the file (its Δ' needs the imbalance α, not modelled)."""
    from cald.io.bruker import read_parameters

    folder = Path(__file__).parent / "data" / "dosy" / "doneshot_dmso_298k"
    acqus = read_parameters(folder / "acqus")
    assert (acqus["PULPROG"], acqus["SOLVENT"], acqus["TE"]) == ("doneshot2d_laura", "DMSO", 298)
    with pytest.raises(DataFileError, match=r"pulseprogram: pulse program 'doneshot2d_laura' is "
                                            "not a known diffusion sequence") as info:
        diffusion_setup(folder, acqus)
    assert "\n" not in str(info.value)


def test_stored_copy_of_a_standard_sequence(tmp_path):
    """TopSpin stores the preprocessed program: the name is on its ``# 1 "…"`` line (Windows
    path here) and the included files come before the sequence's own comments."""
    text = ('# 1 "C:\\\\Bruker\\\\TopSpin3.6\\\\exp\\\\stan\\\\nmr\\\\lists\\\\pp\\\\dstebpgp3s"\n'
            ';dstebpgp3s\n# 1 "C:/Bruker/TopSpin3.6/exp/stan/nmr/lists/pp/Avance.incl" 1\n'
            ';Avance3.incl\n;   for AV III\n'
            '  p30:gp6*diff\n  d16\n  p30:gp6*-1*diff\n'
            ';p30: gradient pulse (little DELTA * 0.5)\n;d16: delay for gradient recovery\n'
            ';d20: diffusion time (big DELTA)\n')
    seq = parse_pulse_program(text, tmp_path / "pulseprogram", "dstebpgp3s")
    assert (seq.name, seq.bipolar, seq.gradient_index, seq.recovery) == ("dstebpgp3s", True, 6, "d16")
