"""JEOL, Spinsolve, Tecmag, RS2D and nmrML readers: real files against published or stored
results (tests/data/{jeol,tecmag,nmrml}), synthetic files where no redistributable real data
exist (Spinsolve, RS2D), and the bad-input contract."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from scipy.signal import argrelmax, find_peaks

from cald.cli.app import main
from cald.errors import DataFileError
from cald.io.jeol import filter_delay_points, read_jeol
from cald.io.nmrdata import NmrDataset, detect_raw_format, raw_signal, read_raw
from cald.io.nmrml import _decode, _find, read_nmrml
from cald.io.rs2d import read_rs2d
from cald.io.spectrum_file import read_spectrum
from cald.io.spinsolve import read_spinsolve
from cald.io.tecmag import read_tecmag
from cald.nmr.processing import process_fid
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid
from cald.synth.vendors import write_rs2d, write_spinsolve

DATA = Path(__file__).parent / "data"

#: Published 13C shifts of rutin in DMSO-d6 (ppm, DMSO-d6 septet at 39.52).
RUTIN_13C = (177.4, 164.1, 161.2, 156.6, 156.4, 148.4, 144.8, 133.3, 121.6, 121.2, 116.3,
             115.3, 104.0, 101.2, 100.8, 98.7, 93.6, 17.7)


def _nearest_max(values: np.ndarray, axis: np.ndarray, ppm: float, window: float) -> float:
    mask = np.abs(axis - ppm) <= window
    return float(axis[mask][np.argmax(values[mask])])


@pytest.fixture(scope="module")
def rutin_13c():
    ds = read_jeol(DATA / "jeol" / "rutin_13c.jdf")
    return ds, process_fid(raw_signal(ds), window="exponential", lb_hz=2.0, size=65536)


def test_jeol_real_files_axis_nucleus_and_filter():
    h1 = read_jeol(DATA / "jeol" / "epicatechin_1h.jdf")
    assert isinstance(h1, NmrDataset) and h1.vendor == "jeol"
    assert (h1.nucleus, h1.shape, h1.scans) == ("1H", (65536,), 64)
    assert h1.sf_mhz == pytest.approx(399.78219837825)
    assert h1.carrier_mhz == pytest.approx(399.78219837825 * (1 + 5e-6))
    assert h1.sw_hz == pytest.approx(7494.00479616307)
    # two FIR stages (orders 54, 73; factors 8, 2) minus ACQ_DELAY·SW
    assert filter_delay_points("25473", "82", h1.path) == pytest.approx(26.5 / 16 + 36 / 2)
    assert h1.group_delay == pytest.approx(19.65625 - 25.51e-6 * h1.sw_hz)


def test_jeol_matches_mestrenova_processing_of_the_same_fid():
    """MestReNova's JCAMP-DX export of the same acquisition: every line above 5 % lies within a
    fraction of a point of cald's (same reference, same direction)."""
    def vertex(axis, y, k):
        a, b, c = y[k - 1], y[k], y[k + 1]
        return axis[k] + 0.5 * (a - c) / (a - 2 * b + c) * (axis[k + 1] - axis[k])

    ds = read_jeol(DATA / "jeol" / "epicatechin_1h.jdf")
    spec = process_fid(raw_signal(ds), size=2 * ds.shape[0], auto_phase="acme")
    assert spec.axis[0] > spec.axis[-1]
    mnova = read_spectrum(DATA / "jeol" / "epicatechin_1h_mnova.jdx")
    y, ours = np.real(mnova.values), np.real(spec.values)
    theirs = [vertex(mnova.axis, y, k) for k in find_peaks(y, height=0.05 * y.max(),
                                                           distance=20)[0]]
    found = np.array([vertex(spec.axis, ours, k) for k in find_peaks(ours, height=0.01 *
                                                                     ours.max(), distance=5)[0]])
    point_ppm = ds.sw_hz / ds.shape[0] / ds.sf_mhz
    offsets = [np.min(np.abs(found - ppm)) / point_ppm for ppm in theirs]
    assert len(theirs) >= 20 and max(offsets) < 1.0 and np.median(offsets) < 0.5


def test_jeol_rutin_13c_matches_published_shifts(rutin_13c):
    ds, spec = rutin_13c
    assert ds.nucleus == "13C" and ds.group_delay == pytest.approx(18.998106, abs=1e-5)
    mag = np.abs(spec.values)
    septet = _nearest_max(mag, spec.axis, 40.0, 0.15)  # DMSO-d6, on the lock reference
    assert septet == pytest.approx(40.04, abs=0.02)
    shift = 39.52 - septet
    found = [_nearest_max(mag, spec.axis, ppm - shift, 0.15) + shift for ppm in RUTIN_13C]
    assert np.max(np.abs(np.array(found) - RUTIN_13C)) < 0.1  # list has one decimal


@pytest.mark.parametrize("name", ["gaba_1h.nmrML", "gaba_13c.nmrML"])
def test_nmrml_fid_reproduces_the_stored_topspin_spectrum(name):
    path = DATA / "nmrml" / name
    ds = read_nmrml(path)
    assert (ds.vendor, ds.group_delay, ds.shape) == ("nmrml", 76.0, (16384,))
    root = ElementTree.parse(path).getroot()
    stored = np.real(_decode(_find(root, "spectrumList", "spectrum1D", "spectrumDataArray"),
                             "spectrum", path))
    start = float(_find(root, "spectrumList", "spectrum1D", "xAxis").attrib["startValue"])
    n = stored.size
    spec = process_fid(raw_signal(ds), window="exponential", lb_hz=0.5, size=n)
    stored_axis = start - np.arange(n) * ds.sw_hz / ds.sf_mhz / n
    assert np.max(np.abs(spec.axis - stored_axis)) < 1e-8
    peaks, _ = find_peaks(stored, height=0.1 * stored.max(), distance=5)
    maxima = argrelmax(np.abs(spec.values))[0]
    assert len(peaks) >= 3
    assert all(np.min(np.abs(maxima - k)) == 0 for k in peaks)


def test_tecmag_real_series_with_delay_table():
    one = read_tecmag(DATA / "tecmag" / "dnp_1h_1d.tnt")
    t1 = read_tecmag(DATA / "tecmag" / "dnp_1h_t1.tnt")
    assert (one.nucleus, one.shape, one.sw_hz, one.scans) == ("1H", (3, 1024), 5000.0, 4)
    assert one.carrier_mhz == pytest.approx(14.946627) and one.sf_mhz == one.carrier_mhz
    assert one.arrays == {} and "no unique table" in one.parameters["array_note"]
    assert t1.shape == (5, 1024)
    (array,) = t1.arrays.values()
    assert array.unit == "s" and np.allclose(array.values, [0.01, 0.09, 0.17, 0.25, 0.33])
    spec = process_fid(raw_signal(one), window="exponential", lb_hz=10.0)
    lines_hz = spec.axis[np.argmax(np.abs(spec.values), axis=-1)] * one.sf_mhz
    assert np.allclose(lines_hz, -115.0, atol=5.0)  # water: one line (±1 point) in every row


@pytest.fixture(scope="module")
def setup():
    return AcquisitionSetup(nucleus="1H", field_1h_mhz=80.49, sw_hz=5000.0, td=4096,
                            carrier_ppm=4.8, group_delay=0.0, ns=8, rg=22)


LINES = [Line(7.26, 1.0, 1.0), Line(1.2, 0.6, 1.5)]


def _line_positions(ds, row=None):
    sig = raw_signal(ds) if row is None else raw_signal(ds, (row, row + 1))
    spec = process_fid(sig, size=8 * ds.shape[-1])
    mag = np.abs(np.atleast_2d(spec.values)[0])
    return [_nearest_max(mag, spec.axis, line.ppm, 0.3) for line in LINES], spec


def test_spinsolve_synthetic_conventions(tmp_path, setup):
    fid = lines_fid(setup, LINES)
    ds = read_spinsolve(write_spinsolve(tmp_path / "1d", setup, fid, p0_deg=12.5) / "data.1d")
    assert (ds.vendor, ds.nucleus, ds.shape, ds.scans, ds.group_delay) == \
        ("spinsolve", "1H", (2048,), 8, 0.0)
    assert ds.sf_mhz == pytest.approx(setup.bf1_mhz) and ds.processing.p0_deg == 12.5
    assert np.allclose(ds.raw, fid)  # conjugated back, t = 0 point halved
    found, spec = _line_positions(ds)
    step = setup.sw_hz / ds.sf_mhz / (8 * 2048)
    assert np.max(np.abs(np.array(found) - [line.ppm for line in LINES])) < step
    rows = np.array([fid * s for s in (-1.0, 0.2, 0.9)])
    series = read_spinsolve(write_spinsolve(tmp_path / "2d", setup, rows, delays_ms=(1, 2001)))
    assert series.shape == (3, 2048) and np.allclose(series.raw, rows)
    assert np.allclose(series.arrays["delay"].values, [0.001, 1.001, 2.001])


def test_rs2d_synthetic_conventions(tmp_path, setup):
    fid = lines_fid(setup, LINES)
    ds = read_rs2d(write_rs2d(tmp_path / "1d", setup, fid))
    assert (ds.vendor, ds.nucleus, ds.shape, ds.scans) == ("rs2d", "1H", (2048,), 8)
    assert ds.carrier_mhz == pytest.approx(setup.sfo1_mhz)
    found, _ = _line_positions(ds)
    step = setup.sw_hz / ds.sf_mhz / (8 * 2048)
    assert np.max(np.abs(np.array(found) - [line.ppm for line in LINES])) < step
    delayed = read_rs2d(write_rs2d(tmp_path / "gd", setup, np.array([fid, fid]),
                                   filter_shift=12))
    assert delayed.group_delay == 12.0 and delayed.shape == (2, 2048)


def _samples(tmp_path: Path, setup) -> dict[str, Path]:
    fid = lines_fid(setup, LINES)
    out = {"jeol": Path(shutil.copy(DATA / "jeol" / "rutin_13c.jdf", tmp_path)),
           "tecmag": Path(shutil.copy(DATA / "tecmag" / "dnp_1h_1d.tnt", tmp_path)),
           "nmrml": Path(shutil.copy(DATA / "nmrml" / "gaba_1h.nmrML", tmp_path)),
           "spinsolve": write_spinsolve(tmp_path / "ss", setup, fid) / "data.1d",
           "rs2d": write_rs2d(tmp_path / "rs", setup, fid) / "data.dat"}
    return out


def test_truncated_file_of_each_format_is_one_error_line(tmp_path, setup, capsys):
    for kind, path in _samples(tmp_path, setup).items():
        assert detect_raw_format(path) == kind
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
        with pytest.raises(DataFileError) as info:
            read_raw(path)
        assert str(path.name) in str(info.value), kind
        assert main(["nmr", "process", str(path), "--json"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:"), (kind, err)


def test_missing_keys_are_named_and_two_formats_refused(tmp_path, setup, capsys):
    fid = lines_fid(setup, LINES)
    folder = write_spinsolve(tmp_path / "x", setup, fid)
    acqu = folder / "acqu.par"
    acqu.write_text("".join(line for line in acqu.read_text().splitlines(keepends=True)
                            if not line.startswith("b1Freq")))
    with pytest.raises(DataFileError, match="parameter b1Freq missing"):
        read_spinsolve(folder)
    acqu.write_text("".join(line for line in acqu.read_text().splitlines(keepends=True)
                            if not line.startswith("nucleus")))
    with pytest.raises(DataFileError, match="parameter nucleus"):
        read_spinsolve(folder)
    rs2d = write_rs2d(tmp_path / "y", setup, fid)
    header = rs2d / "header.xml"
    header.write_text(header.read_text().replace("BASE_FREQ_1", "OTHER_FREQ"))
    with pytest.raises(DataFileError, match="parameter BASE_FREQ_1 missing"):
        read_rs2d(rs2d)
    both = write_rs2d(write_spinsolve(tmp_path / "z", setup, fid), setup, fid)
    assert main(["nmr", "process", str(both), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "spinsolve and rs2d" in err and "\n" not in err


def test_cli_processes_each_format(tmp_path, setup, capsys):
    import json

    samples = _samples(tmp_path, setup)
    for kind, path in samples.items():
        argv = ["nmr", "process", str(path), "--json"] + (["--row", "2"] if kind == "tecmag"
                                                          else [])
        assert main(argv) == 0, kind
        out = json.loads(capsys.readouterr().out)
        assert out["nucleus"] == ("13C" if kind == "jeol" else "1H") and out["peaks"], kind


@pytest.mark.slow
def test_project_runs_jeol_spinsolve_and_nmrml(tmp_path, setup):
    import json

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(DATA / "jeol" / "rutin_13c.jdf", data)
    shutil.copy(DATA / "nmrml" / "gaba_1h.nmrML", data)
    write_spinsolve(data / "ss", setup, lines_fid(setup, LINES))
    entries = [("rutin", "data/rutin_13c.jdf", 'kind = "jeol"\n'),
               ("ss", "data/ss", 'kind = "spinsolve"\n'), ("gaba", "data/gaba_1h.nmrML", "")]
    text = '[project]\nname = "vendors"\n\n[[samples]]\nname = "CdSe"\ncycles = 0\n'
    for name, path, kind in entries:
        text += f'\n[[datasets]]\nid = "{name}"\npath = "{path}"\n{kind}sample = "CdSe"\n'
    for name, _, _ in entries:
        text += f'\n[[analyses]]\nid = "{name}-nmr"\nkind = "nmr"\ninputs = ["{name}"]\n'
    (tmp_path / "project.toml").write_text(text)
    assert main(["run", str(tmp_path / "project.toml"), "--out", str(tmp_path / "out"),
                 "--quiet"]) == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())["analyses"]
    tallest = {a["id"]: a["summary"] for a in results}
    assert "40.0" in tallest["rutin-nmr"] and "4.78" in tallest["gaba-nmr"]
    assert "7.26" in tallest["ss-nmr"] or "1.20" in tallest["ss-nmr"]


def test_jeol_filter_rule_gives_the_most_coherent_phases():
    """The delay from ORDERS/FACTORS − ACQ_DELAY·SW leaves the strongest 1H lines of the real
    epicatechin FID with the most nearly equal phases (a wrong delay is a first-order phase)."""
    sig = raw_signal(read_jeol(DATA / "jeol" / "epicatechin_1h.jdf"))
    delay = sig.meta["group_delay"]

    def coherence(d):
        trial = sig.evolve(sig.values, "trial delay", meta={**sig.meta, "group_delay": d})
        spec = process_fid(trial, window="exponential", lb_hz=1.0)
        mag = np.abs(spec.values)
        peaks, _ = find_peaks(mag, height=15 * np.median(mag), distance=30)
        weights = mag[peaks]
        return abs(np.sum(spec.values[peaks])) / weights.sum()

    values = [coherence(delay + step) for step in (-0.5, 0.0, 0.5)]
    assert values[1] == max(values) and values[1] > 0.85


def test_tecmag_first_point_is_stored_halved():
    data = read_tecmag(DATA / "tecmag" / "dnp_1h_t1.tnt").raw
    assert np.allclose(np.abs(data[:, 0]) / np.abs(data[:, 1]), 0.48, atol=0.01)


def test_gains_without_a_documented_scale_must_agree_for_dnp(tmp_path, setup):
    from dataclasses import replace

    from cald.nmr.dnp import acquisition_differences

    on = read_tecmag(DATA / "tecmag" / "dnp_1h_1d.tnt")
    assert on.receiver_gain == 1.0 and acquisition_differences(on, on) == []
    louder = replace(on, settings={**on.settings,
                                   "receiver_gain (scale not documented)": (60.0, None)})
    assert acquisition_differences(on, louder) == ["receiver_gain (scale not documented) "
                                                   "(75.0 vs 60.0)"]
    fid = lines_fid(setup, LINES)
    ss = read_spinsolve(write_spinsolve(tmp_path / "g", setup, fid))
    assert ss.receiver_gain == pytest.approx(10 ** (22 / 20))  # rxGain in dB


@pytest.mark.parametrize("db", ["1e308", "-400", "inf"])
def test_a_receiver_gain_out_of_range_is_a_data_file_error(tmp_path, setup, db):
    """A damaged ``rxGain`` (the bad-file harness found 1e308 → OverflowError in 10^(dB/20))."""
    folder = write_spinsolve(tmp_path / "g", setup, lines_fid(setup, LINES))
    acqu = folder / "acqu.par"
    text = acqu.read_text(encoding="utf-8")
    acqu.write_text(re.sub(r"rxGain\s*=\s*\S+", f"rxGain = {db}", text), encoding="utf-8")
    with pytest.raises(DataFileError, match="rxGain"):
        read_spinsolve(folder)


@pytest.mark.parametrize("name", ["jeol/rutin_13c.jdf", "varian/p31_s2pul_243mhz.fid"])
def test_cald_read_of_one_raw_fid_equals_the_nmr_path(name):
    """``cald.read`` reads a raw single-FID data set once and processes it as ``read_nmr``."""
    import cald
    from cald.nmr.reading import read_nmr

    a, b = cald.read(DATA / name, lb_hz=2.0), read_nmr(DATA / name, lb_hz=2.0)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.axis, b.axis)
    assert a.history == b.history
