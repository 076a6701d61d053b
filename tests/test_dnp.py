"""DNP enhancement (``cald.nmr.dnp``) on synthetic microwave-on/off Bruker pairs
(``cald.synth.nmr_sets.write_dnp_pair``): the true enhancement is recovered with an honest error,
NS and RG are normalised, and pairs whose acquisitions differ are refused with the differences
named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.bruker import read_bruker
from cald.nmr.dnp import acquisition_differences, dnp_enhancement
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment
from cald.synth.nmr_sets import OLEATE_13C_LINES, write_dnp_pair, write_respdor_series

REGION = (190.0, 178.0)  # carboxylate


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("dnp")
    return write_dnp_pair(root / "on", root / "off", enhancement=33.0, seed=0)


# --- known answer --------------------------------------------------------------------------


@pytest.mark.parametrize("true_eps", [33.0, 50.0])
def test_recovers_enhancement_with_honest_error(tmp_path, true_eps):
    """ε within 3·err of the truth, and err matches the scatter of ε over 20 seeds within a
    factor 1.5."""
    eps, err = [], []
    for seed in range(20):
        on, off = write_dnp_pair(tmp_path / f"on{seed}", tmp_path / f"off{seed}",
                                 enhancement=true_eps, noise_sd=0.05, seed=2 * seed)
        result = dnp_enhancement(read_bruker(on), read_bruker(off), REGION)
        eps.append(result.enhancement)
        err.append(result.enhancement_err)
    eps, err = np.array(eps), np.array(err)
    assert np.all(err > 0)
    assert abs(eps[0] - true_eps) < 3 * err[0]
    scatter = np.std(eps, ddof=1)
    assert abs(np.mean(eps) - true_eps) < 3 * scatter / np.sqrt(eps.size)
    assert 1 / 1.5 < np.mean(err) / scatter < 1.5, (np.mean(err), scatter)


def test_result_fields(pair):
    on, off = pair
    r = dnp_enhancement(read_bruker(on), read_bruker(off), REGION)
    assert (r.ns_on, r.ns_off, r.rg_on, r.rg_off) == (16, 256, 32.0, 128.0)
    assert r.region_ppm == (190.0, 178.0)
    assert r.on == str(on) and r.off == str(off)
    assert r.enhancement == pytest.approx(r.integral_on / r.integral_off, rel=1e-12)
    rel = np.hypot(r.integral_on_err / r.integral_on, r.integral_off_err / r.integral_off)
    assert r.enhancement_err == pytest.approx(r.enhancement * rel, rel=1e-12)
    d = r.to_dict()
    assert d["region_ppm"] == [190.0, 178.0] and d["enhancement"] == r.enhancement


def test_region_order_does_not_matter(pair):
    on, off = (read_bruker(p) for p in pair)
    a = dnp_enhancement(on, off, (190.0, 178.0))
    b = dnp_enhancement(on, off, (178.0, 190.0))
    assert a == b


@pytest.mark.parametrize(("ns_on", "rg_on", "ns_off", "rg_off"), [
    (16, 32.0, 256, 128.0), (64, 8.0, 16, 512.0), (8, 101.0, 1024, 4.0), (32, 32.0, 32, 32.0),
])
def test_normalised_by_ns_and_rg(tmp_path, ns_on, rg_on, ns_off, rg_off):
    """Per scan and unit receiver gain, every NS/RG combination gives the same ε and the same
    integrals."""
    on, off = write_dnp_pair(tmp_path / "on", tmp_path / "off", enhancement=33.0, ns_on=ns_on,
                             rg_on=rg_on, ns_off=ns_off, rg_off=rg_off, seed=5)
    r = dnp_enhancement(read_bruker(on), read_bruker(off), REGION)
    assert (r.ns_on, r.rg_on, r.ns_off, r.rg_off) == (ns_on, rg_on, ns_off, rg_off)
    assert abs(r.enhancement - 33.0) < 3 * r.enhancement_err
    assert r.enhancement_err < 0.01 * 33.0
    # Per scan and unit gain the integrals are properties of the sample. (write_dnp_pair
    # stores both experiments with one integer scale ∝ 1 / (NS_on RG_on), which is undone here.)
    reference = dnp_enhancement(*(read_bruker(p) for p in write_dnp_pair(
        tmp_path / "on_ref", tmp_path / "off_ref", enhancement=33.0, seed=5)), REGION)
    rescale = (ns_on * rg_on) / (reference.ns_on * reference.rg_on)
    for name in ("integral_on", "integral_off"):
        value, expected = getattr(r, name) * rescale, getattr(reference, name)
        err = np.hypot(getattr(r, name + "_err") * rescale, getattr(reference, name + "_err"))
        assert abs(value - expected) < 4 * err, name


# --- refused pairs -------------------------------------------------------------------------


def test_valid_pair_has_no_differences(pair):
    """NS and RG differ (16/32 vs 256/128) but are normalised, so they are not listed."""
    on, off = (read_bruker(p) for p in pair)
    assert on.acqus["NS"] != off.acqus["NS"] and on.acqus["RG"] != off.acqus["RG"]
    assert acquisition_differences(on, off) == []


def _write_off_with_td(folder: Path, td: int) -> Path:
    """The off experiment of ``write_dnp_pair`` with another TD."""
    setup = AcquisitionSetup("13C", sw_hz=50_000.0, td=td, carrier_ppm=100.0, ns=256, rg=128.0,
                             pulse_program="cp")
    fid = lines_fid(setup, [Line(x.ppm, x.amplitude * 256 * 128, x.fwhm_hz)
                            for x in OLEATE_13C_LINES])
    return write_experiment(folder, setup, fid, 0.02 * 16 * 128, 1, lb_hz=50.0)


@pytest.mark.parametrize(("edit", "expected"), [
    (("D", 5.0, 1), "D1 (3 vs 5)"),
    (("P", 1500.0, 15), "P15 (0 vs 1500)"),
    (("PULPROG", "<cpx>", None), "PULPROG (cp vs cpx)"),
    (("SFO1", "100.63", None), "SFO1 ("),
    (("TD", None, None), "TD (4096 vs 2048)"),
], ids=["D1", "P15", "PULPROG", "SFO1", "TD"])
def test_acquisition_differences_named(pair, copy_dataset, set_parameter, tmp_path, edit,
                                       expected):
    on, off = pair
    name, value, index = edit
    if name == "TD":
        changed = _write_off_with_td(tmp_path / "off_td", 2048)
    else:
        changed = copy_dataset(off, "off_changed")
        if name == "SFO1":
            value = repr(read_bruker(off).carrier_mhz * (1 + 1e-6))  # a 1 ppm shift
        set_parameter(changed / "acqus", name, value, index)
    ds_on, ds_off = read_bruker(on), read_bruker(changed)
    diffs = acquisition_differences(ds_on, ds_off)
    assert len(diffs) == 1 and diffs[0].startswith(expected), diffs
    with pytest.raises(DataFileError) as info:
        dnp_enhancement(ds_on, ds_off, REGION)
    message = str(info.value)
    assert message.startswith(str(changed))
    assert "differ" in message and diffs[0] in message


def test_refusal_names_every_difference(pair, copy_dataset, set_parameter):
    on, off = pair
    changed = copy_dataset(off, "off_changed")
    set_parameter(changed / "acqus", "D", 10.0, index=1)
    set_parameter(changed / "acqus", "PULPROG", "<hahnecho>")
    set_parameter(changed / "acqus", "SFO1", repr(read_bruker(off).carrier_mhz + 0.001))
    with pytest.raises(DataFileError) as info:
        dnp_enhancement(read_bruker(on), read_bruker(changed), REGION)
    for name in ("D1 (3 vs 10)", "PULPROG", "SFO1"):
        assert name in str(info.value)


def test_series_refused(pair, tmp_path):
    series = read_bruker(write_respdor_series(tmp_path / "series", 503.0, 0.24, [2, 4]))
    on = read_bruker(pair[0])
    for args in ((series, on), (on, series)):
        with pytest.raises(DataFileError, match="two 1D experiments") as info:
            dnp_enhancement(*args, REGION)
        assert str(series.path) in str(info.value)
