"""Options models (:mod:`cald.options` and the models beside each operation): one boundary per
operation, shared by the command line and the project file's analysis kinds."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cald.cli.common import build_options
from cald.errors import InputError, ParameterError
from cald.lineshape.options import PEAK_SHAPES, CsaFitOptions, PeaksFitOptions, QuadFitOptions
from cald.nmr.options import EnhancementOptions, ProcessOptions, RespdorSeriesOptions
from cald.options import Options
from cald.processing_options import AUTOPHASE_METHODS
from cald.project.analyses import load_kinds
from cald.recoupling.options import RespdorCurveOptions, RespdorFitOptions

KINDS = load_kinds()
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
POSITIVE = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
TIMES_MS = st.lists(st.floats(min_value=0.0, max_value=100.0, allow_nan=False), min_size=1,
                    max_size=8)
REGIONS = st.tuples(FINITE, FINITE).filter(lambda r: r[0] != r[1])


def kind_parameters(kind: str, parameters: dict[str, object]) -> Options:
    return KINDS[kind].parse_parameters(parameters, "analyses[0]", Path("project.toml"))


def operation_fields(model: Options, operation: type[Options]) -> dict[str, object]:
    """The fields of ``model`` that belong to ``operation`` (a kind's parameters add more)."""
    return {name: getattr(model, name) for name in operation.model_fields}


# --- the command line and the project file give the same options --------------------------------


@settings(max_examples=40, deadline=None)
@given(t_ms=TIMES_MS, region=REGIONS, kappa=POSITIVE, fix_f=st.floats(0.01, 1.0),
       s_first=st.booleans(), auto_phase=st.sampled_from([None, *AUTOPHASE_METHODS]),
       pair=st.sampled_from(["13C-27Al", "113Cd-27Al", "13C-15N"]))
def test_respdor_cli_and_project_agree(t_ms, region, kappa, fix_f, s_first, auto_phase, pair):
    cli_fit = build_options(RespdorFitOptions, pair=pair, kappa=kappa, fix_f=fix_f,
                            models=["single"], bootstrap=0, seed=3)
    cli_series = build_options(RespdorSeriesOptions, region=f"{region[0]!r}:{region[1]!r}",
                               t_ms=",".join(repr(t) for t in t_ms), s_first=s_first,
                               auto_phase=auto_phase)
    project = kind_parameters("respdor", {
        "pair": pair, "kappa": kappa, "fix_f": fix_f, "bootstrap": 0, "seed": 3,
        "region": list(region), "t_ms": t_ms, "s_first": s_first, "auto_phase": auto_phase})
    assert operation_fields(project, RespdorFitOptions) == cli_fit.model_dump()
    assert operation_fields(project, RespdorSeriesOptions) == cli_series.model_dump()
    assert project.t_s == [t * 1e-3 for t in t_ms]
    assert project.region == (max(region), min(region))


@settings(max_examples=30, deadline=None)
@given(mas_khz=POSITIVE, field=st.one_of(st.none(), POSITIVE), region=st.one_of(st.none(), REGIONS),
       sites=st.lists(st.floats(-900, 100, allow_nan=False), min_size=1, max_size=4),
       lineshape=st.sampled_from(["lorentzian", "gaussian", "voigt"]))
def test_csa_cli_and_project_agree(mas_khz, field, region, sites, lineshape):
    cli = build_options(CsaFitOptions, mas_khz=mas_khz, field_1h_mhz=field, nucleus="113Cd",
                        sites=",".join(repr(s) for s in sites), lineshape=lineshape,
                        region=None if region is None else f"{region[1]!r}:{region[0]!r}")
    project = kind_parameters("csa", {"mas_khz": mas_khz, "field_1h_mhz": field,
                                      "nucleus": "113Cd", "sites": sites, "lineshape": lineshape,
                                      "region": None if region is None else list(region)})
    assert operation_fields(project, CsaFitOptions) == cli.model_dump()
    assert cli.mas_hz == mas_khz * 1e3


@settings(max_examples=30, deadline=None)
@given(mas_khz=st.one_of(st.none(), st.just(0.0), POSITIVE),
       sites=st.sampled_from([("4,5,6", [4, 5, 6]), ("68.0,35.0", [68.0, 35.0]),
                              ("IV,VI", ["IV", "VI"]), ("70,10", [70.0, 10.0])]))
def test_quad_cli_and_project_agree(mas_khz, sites):
    text, values = sites
    cli = build_options(QuadFitOptions, mas_khz=mas_khz, sites=text)
    project = kind_parameters("quad", {"mas_khz": mas_khz, "sites": values})
    assert operation_fields(project, QuadFitOptions) == cli.model_dump()
    assert cli.sites == values


@settings(max_examples=30, deadline=None)
@given(region=REGIONS, n=st.one_of(st.none(), st.integers(1, 6)),
       shape=st.sampled_from(PEAK_SHAPES), baseline=st.sampled_from(["linear", "constant", "none"]))
def test_peaks_cli_and_project_agree(region, n, shape, baseline):
    cli = build_options(PeaksFitOptions, {"n_peaks": "--n"}, region=f"{region[0]!r}:{region[1]!r}",
                        n_peaks=n, shape=shape, baseline=baseline)
    project = kind_parameters("peaks", {"region": list(region), "n_peaks": n, "shape": shape,
                                        "baseline": None if baseline == "none" else baseline})
    assert operation_fields(project, PeaksFitOptions) == cli.model_dump()


def test_nmr_and_dnp_cli_and_project_agree():
    cli = build_options(ProcessOptions, lb_hz=5.0, size=1024, auto_phase="acme", min_snr=3.0)
    project = kind_parameters("nmr", {"lb_hz": 5.0, "size": 1024, "auto_phase": "acme",
                                      "min_snr": 3.0})
    assert operation_fields(project, ProcessOptions) == cli.model_dump()
    cli_dnp = build_options(EnhancementOptions, region="125:135")
    assert kind_parameters("dnp", {"region": [135, 125]}) == cli_dnp


def test_kinds_use_their_operations_options():
    """A kind's parameters are (a subclass of) its operation's options model, so the CLI and
    the project file cannot drift apart."""
    expected = {"respdor": (RespdorFitOptions, RespdorSeriesOptions), "csa": (CsaFitOptions,),
                "quad": (QuadFitOptions,), "peaks": (PeaksFitOptions,), "nmr": (ProcessOptions,),
                "dnp": (EnhancementOptions,)}
    for kind, models in expected.items():
        for model in models:
            assert issubclass(KINDS[kind].Parameters, model), (kind, model)


# --- units, spellings, refusals ---------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(t_ms=TIMES_MS.map(lambda ts: [round(t, 6) for t in ts]), khz=POSITIVE.map(lambda v: round(v, 6)))
def test_unit_conversion_round_trips(t_ms, khz):
    opts = RespdorSeriesOptions(region=(1.0, 2.0), t_ms=t_ms)
    assert opts.t_s == [t * 1e-3 for t in t_ms]
    assert opts.boundary_value("t_s") == t_ms
    csa = CsaFitOptions(mas_khz=khz)
    assert csa.mas_hz == khz * 1e3
    assert csa.boundary_value("mas_hz") == khz
    assert CsaFitOptions(mas_hz=csa.mas_hz) == csa  # the internal spelling gives the same model


def test_both_spellings_of_one_field_refused():
    with pytest.raises(ValidationError, match="give {mas_khz} or mas_hz, not both"):
        CsaFitOptions(mas_khz=8.0, mas_hz=8000.0)


@pytest.mark.parametrize("spin", ["5/2", "2.5", 2.5])
def test_spin_spellings(spin):
    assert RespdorFitOptions(spin=spin).spin_value == 2.5


def test_spin_from_the_pair():
    assert RespdorFitOptions(pair="13C-27Al").spin_value == 2.5
    assert RespdorFitOptions(pair="13C-15N").spin_value == 0.5
    assert RespdorFitOptions(pair="13C-27Al", spin="1/2").spin_value == 0.5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nan", "-inf"])
def test_non_finite_numbers_refused(value):
    with pytest.raises(ValidationError, match="finite"):
        CsaFitOptions(mas_khz=value)
    with pytest.raises(ValidationError):
        RespdorFitOptions(pair="13C-27Al", kappa=value)
    with pytest.raises(ValidationError, match="finite"):
        RespdorSeriesOptions(region=(1.0, 2.0), t_ms=[0.1, value])


@pytest.mark.parametrize("region", ["5:5", "1:inf", "nan:2", [1.0, 1.0], [1.0, 2.0, 3.0], "a:b"])
def test_bad_regions_refused(region):
    with pytest.raises(ValidationError):
        EnhancementOptions(region=region)


def test_cli_errors_name_the_option():
    with pytest.raises(ParameterError, match=r"^--mas-khz must be positive$"):
        build_options(CsaFitOptions, mas_khz=-2.0)
    with pytest.raises(ParameterError, match=r"^--n must be at least 1, got 0$"):
        build_options(PeaksFitOptions, {"n_peaks": "--n"}, region="1:2", n_peaks=0)
    with pytest.raises(ParameterError, match=r"^give exactly one of --d-hz and --r-angstrom$"):
        build_options(RespdorCurveOptions, spin="5/2", t_ms="1", d_hz=5.0, r_angstrom=2.0)


def test_project_errors_name_the_field():
    with pytest.raises(InputError, match=r"analyses\[0\]\.parameters\.mas_khz: must be positive"):
        kind_parameters("csa", {"mas_khz": 0})
    with pytest.raises(InputError, match=r"analyses\[0\]\.parameters: give pair \(e\.g\. "
                                         r"13C-27Al\) or spin"):
        kind_parameters("respdor", {})


def test_peak_shapes_are_those_of_the_fit():
    from cald.lineshape.profiles import SHAPES

    assert set(PEAK_SHAPES) == set(SHAPES)


def test_curve_coupling_from_distance():
    from cald.nuclei import dipolar_coupling_hz, parse_pair

    opts = RespdorCurveOptions(pair="13C-27Al", t_ms="1", r_angstrom=3.0)
    assert opts.coupling_hz() == pytest.approx(dipolar_coupling_hz(3.0, *parse_pair("13C-27Al")))
    assert math.isclose(RespdorCurveOptions(spin=2.5, t_ms=[1], d_hz=500).coupling_hz(), 500)


def test_experiment_checked_where_the_options_are_built():
    assert RespdorFitOptions(pair="13C-15N", experiment="redor").experiment == "redor"
    with pytest.raises(ValidationError, match="REDOR is modelled for a spin-1/2"):
        RespdorFitOptions(pair="13C-27Al", experiment="redor")
    with pytest.raises(ParameterError, match=r"^--experiment must be respdor or redor, got 'redox'"):
        build_options(RespdorCurveOptions, pair="13C-27Al", t_ms="1", d_hz=500.0,
                      experiment="redox")
    assert kind_parameters("respdor", {"pair": "13C-15N", "experiment": "redor"}) == \
        kind_parameters("respdor", {"pair": "13C-15N", "experiment": "redor", "bootstrap": 1000})


@pytest.mark.parametrize("argv, fragment", [
    (["csa", "fit", "x.csv", "--mas-khz", "8", "--pass", "--region", "0:-400"], "--region"),
    (["csa", "fit", "x.csv", "--mas-khz", "8", "--pass", "--fix-mas"], "--fix-mas"),
    (["csa", "fit", "x.csv", "--mas-khz", "8", "--pass", "--row", "2"], "--row"),
    (["respdor", "fit", "x.csv", "--spin", "5/2", "--fit-distance"], "--pair"),
])
def test_options_a_fit_would_ignore_are_refused(argv, fragment, capsys):
    """A PASS fit takes none of the sideband-spectrum options, and a distance needs both nuclei:
    refused before any file is read (they were accepted and silently dropped)."""
    from cald.cli.app import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1 and fragment in err


def test_project_file_refuses_the_same():
    kind = load_kinds()["csa"]
    with pytest.raises(InputError, match=r"analyses\[0\].parameters.*pass_data.*region"):
        kind.parse_parameters({"mas_khz": 8.0, "pass_data": True, "region": [0.0, -400.0]},
                              "analyses[0]", Path("project.toml"))
    with pytest.raises(InputError, match=r"fit_distance needs the spin pair \(pair\)"):
        load_kinds()["respdor"].parse_parameters({"spin": "5/2", "fit_distance": True},
                                                 "analyses[0]", Path("project.toml"))
