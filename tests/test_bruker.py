"""Bruker reader (``cald.io.bruker``): the three real data sets in ``tests/data/bruker`` against
what TopSpin/XWIN-NMR processed from them, clean errors for broken copies of them, list files,
and round trips through the synthetic writer (``cald.synth.bruker``)."""

from __future__ import annotations

import builtins
import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cald.errors import DataFileError
from cald.io import bruker as bruker_io
from cald.io.bruker import (
    group_delay_points,
    identify_nucleus,
    processed_spectrum,
    raw_signal,
    read_bruker,
    read_list,
    read_parameters,
)
from cald.nmr.processing import fourier_transform, phase, pick_peaks, process_fid
from cald.nuclei import Isotope, larmor_mhz
from cald.spectrum import Spectrum
from cald.synth.bruker import (
    AcquisitionSetup,
    Line,
    apply_group_delay,
    lines_fid,
    write_experiment,
    write_list,
)

DATA = Path(__file__).parent / "data"
BRUKER = DATA / "bruker"

#: What the acquisition parameters of each real set say (see tests/data/README.md).
REAL = {
    "sucrose_1h_600": {"nucleus": "1H", "td": 65536, "group_delay": 76.0, "series": False},
    # DECIM 6, DSPFVS 10: no GRPDLY, value from the firmware table (59 + 1/12)
    "xwin_13c": {"nucleus": "13C", "td": 36360, "group_delay": 59.083333333333336, "series": False},
    # DECIM 32, DSPFVS 12
    "xwin_1h": {"nucleus": "1H", "td": 12018, "group_delay": 72.125, "series": False},
}
REAL_NAMES = list(REAL)


# --- helpers ------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file below ``root`` (relative path → digest)."""
    return {str(f.relative_to(root)): sha256(f) for f in sorted(root.rglob("*")) if f.is_file()}


def copy_set(name: str, tmp_path: Path) -> Path:
    """A writable copy of a real data set."""
    return Path(shutil.copytree(BRUKER / name, tmp_path / name))


def set_param(path: Path, key: str, value: object | None) -> None:
    """Replace (or with ``value=None`` delete) the ``##$KEY=`` line of a parameter file copy."""
    text = path.read_text(encoding="latin-1")
    pattern = re.compile(rf"^##\${re.escape(key)}=.*\n", re.MULTILINE)
    assert pattern.search(text), f"{key} not in {path}"
    new = "" if value is None else f"##${key}= {value}\n"
    path.write_text(pattern.sub(lambda _m: new, text, count=1), encoding="latin-1")


def assert_names(exc: pytest.ExceptionInfo[DataFileError], path: Path, *fields: str) -> None:
    """The error names the file (its path) and each of ``fields``."""
    msg = str(exc.value)
    assert str(path) in msg, (path, msg)
    assert exc.value.source is not None and Path(exc.value.source) == path, (path, exc.value.source)
    for f in fields:
        assert f.lower() in msg.lower(), (f, msg)


def topspin_and_cald(name: str):
    """(TopSpin's processed spectrum, the same FID processed by cald with the stored procs)."""
    ds = read_bruker(BRUKER / name)
    return processed_spectrum(BRUKER / name), process_fid(raw_signal(ds), ds.processing)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a, b)[0, 1])


def peaks_match(idx_a: list[int], idx_b: list[int], tol: int = 1) -> bool:
    """Every index of ``idx_a`` has a partner in ``idx_b`` within ``tol`` points."""
    b = np.asarray(idx_b)
    return all(np.min(np.abs(b - i)) <= tol for i in idx_a)


@pytest.fixture(scope="module")
def real_sets():
    return {name: read_bruker(BRUKER / name) for name in REAL_NAMES}


# --- real data: parameters ----------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_set_parameters(real_sets, name):
    ds = real_sets[name]
    want = REAL[name]
    assert ds.nucleus == want["nucleus"]
    assert int(ds.acqus["TD"]) == want["td"]
    assert ds.raw.shape == (want["td"] // 2,)
    assert ds.raw.dtype == np.complex128
    assert ds.is_series is want["series"]
    assert np.all(np.isfinite(ds.raw))
    assert ds.group_delay == pytest.approx(want["group_delay"], rel=1e-12)
    # SF (0 ppm) comes from procs, the carrier from SFO1
    assert ds.procs is not None
    assert ds.sf_mhz == float(ds.procs["SF"])
    assert ds.carrier_mhz == float(ds.acqus["SFO1"])
    assert ds.sw_hz == float(ds.acqus["SW_h"])
    assert ds.dwell_s == pytest.approx(1.0 / ds.sw_hz)
    assert ds.procno_path == BRUKER / name / "pdata" / "1"
    meta = ds.meta()
    assert meta["group_delay"] == ds.group_delay and meta["nucleus"] == ds.nucleus
    title = BRUKER / name / "pdata" / "1" / "title"
    if title.is_file():
        assert "Sucrose" in ds.title


def test_group_delay_from_firmware_table_matches_nmrglue():
    import nmrglue as ng

    assert REAL["xwin_13c"]["group_delay"] == ng.bruker.bruker_dsp_table[10][6]
    assert REAL["xwin_1h"]["group_delay"] == ng.bruker.bruker_dsp_table[12][32]
    assert REAL["xwin_13c"]["group_delay"] == pytest.approx(59 + 1 / 12, rel=1e-12)


@pytest.mark.parametrize("name", REAL_NAMES)
def test_read_from_pdata_folder_or_file_path(real_sets, name):
    ref = real_sets[name]
    for path in (BRUKER / name / "pdata" / "1", BRUKER / name / "fid", str(BRUKER / name)):
        ds = read_bruker(path)
        assert ds.path == BRUKER / name
        np.testing.assert_array_equal(ds.raw, ref.raw)
        assert ds.procs == ref.procs


@pytest.mark.parametrize("name", REAL_NAMES)
def test_raw_signal_axis(real_sets, name):
    ds = real_sets[name]
    sig = raw_signal(ds)
    assert sig.is_time_domain and sig.unit == "s"
    assert sig.n_points == ds.raw.shape[-1]
    assert sig.axis[0] == 0.0
    np.testing.assert_allclose(np.diff(sig.axis), 1.0 / ds.sw_hz, rtol=1e-9)
    assert sig.meta["group_delay"] == ds.group_delay
    assert (sig.sf_mhz, sig.carrier_mhz, sig.nucleus) == (ds.sf_mhz, ds.carrier_mhz, ds.nucleus)


@pytest.mark.parametrize("name", REAL_NAMES)
def test_processed_spectrum_axis(name):
    spec = processed_spectrum(BRUKER / name)
    procs = read_parameters(BRUKER / name / "pdata" / "1" / "procs")
    si, sf = int(procs["SI"]), float(procs["SF"])
    assert spec.unit == "ppm" and spec.n_points == si
    assert spec.nucleus == REAL[name]["nucleus"]
    assert spec.sf_mhz == sf
    assert spec.axis[0] == float(procs["OFFSET"])
    np.testing.assert_allclose(np.diff(spec.axis), -float(procs["SW_p"]) / sf / si, rtol=1e-9)
    assert np.iscomplexobj(spec.values) and np.all(np.isfinite(spec.values))
    # the same spectrum when the pdata folder is given
    again = processed_spectrum(BRUKER / name / "pdata" / "1")
    np.testing.assert_array_equal(again.values, spec.values)


def test_processed_spectrum_scaled_by_nc_proc():
    """xwin_1h has NC_proc = −3: intensities are the stored integers × 2**−3."""
    pdata = BRUKER / "xwin_1h" / "pdata" / "1"
    stored = np.frombuffer((pdata / "1r").read_bytes(), dtype=">i4").astype(float)
    spec = processed_spectrum(BRUKER / "xwin_1h")
    np.testing.assert_array_equal(spec.real(), stored * 2.0**-3)


# --- real data: cald reproduces TopSpin -----------------------------------------------------


@pytest.mark.parametrize("name", REAL_NAMES)
def test_process_fid_reproduces_topspin_1r(name):
    topspin, ours = topspin_and_cald(name)
    assert ours.n_points == topspin.n_points
    # same axis (to rounding of the stored OFFSET)
    step = abs(topspin.axis[1] - topspin.axis[0])
    assert np.max(np.abs(ours.axis - topspin.axis)) < 0.01 * step
    assert correlation(ours.real(), topspin.real()) > 0.9999
    # top peaks at the same points
    ts_peaks = [p.index for p in pick_peaks(topspin, max_peaks=10)]
    our_peaks = [p.index for p in pick_peaks(ours, max_peaks=20)]
    assert len(ts_peaks) == 10
    assert peaks_match(ts_peaks, our_peaks)
    assert peaks_match([p.index for p in pick_peaks(ours, max_peaks=10)],
                       [p.index for p in pick_peaks(topspin, max_peaks=20)])


@pytest.mark.parametrize("name", REAL_NAMES)
def test_topspin_imaginary_part_in_cald_convention(name):
    """TopSpin's 1i agrees with cald's imaginary part, so that phasing TopSpin's spectrum further
    with cald's ``phase`` gives what cald gets with PHC0 + 30° from the FID."""
    ds = read_bruker(BRUKER / name)
    topspin = processed_spectrum(BRUKER / name)
    ours = process_fid(raw_signal(ds), ds.processing)
    assert correlation(np.imag(ours.values), np.imag(topspin.values)) > 0.999
    more = process_fid(raw_signal(ds), ds.processing, p0_deg=float(ds.procs["PHC0"]) + 30.0)
    assert correlation(more.real(), phase(topspin, 30.0).real()) > 0.9999


def test_raw_data_never_modified():
    """Reading and processing every real set leaves every file under tests/data as it was."""
    before = tree_hashes(DATA)
    for name in REAL_NAMES:
        ds = read_bruker(BRUKER / name)
        process_fid(raw_signal(ds), ds.processing)
        processed_spectrum(BRUKER / name)
        read_parameters(BRUKER / name / "acqu")
    assert tree_hashes(DATA) == before


def test_files_only_opened_for_reading(monkeypatch):
    """Every open() while reading uses a read mode (meaningful even when the tests run as root,
    to whom read-only permissions mean nothing)."""
    modes: list[tuple[str, str]] = []
    real_open = builtins.open
    real_os_open = os.open

    def spy_open(file, mode="r", *args, **kwargs):
        modes.append((str(file), mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        modes.append((str(path), "w" if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) else "r"))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    for name in REAL_NAMES:
        ds = read_bruker(BRUKER / name)
        processed_spectrum(BRUKER / name)
    monkeypatch.undo()
    assert ds.raw.size
    opened = [m for m in modes if str(BRUKER) in m[0]]
    assert opened, "the spy saw no file being opened"
    assert all(set(mode) <= set("rbt") for _, mode in opened), opened


@pytest.fixture
def read_only_copy(tmp_path):
    """A copy of the sucrose set with files 0o444 and folders 0o555; permissions restored after."""
    folder = copy_set("sucrose_1h_600", tmp_path)
    dirs = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    files = [p for p in folder.rglob("*") if p.is_file()]
    for f in files:
        f.chmod(0o444)
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        d.chmod(0o555)
    yield folder
    for d in dirs:
        d.chmod(0o755)
    for f in files:
        f.chmod(0o644)


def test_read_only_folder(read_only_copy):
    folder = read_only_copy
    assert stat.S_IMODE((folder / "fid").stat().st_mode) == 0o444
    assert stat.S_IMODE(folder.stat().st_mode) == 0o555
    before = tree_hashes(folder)
    ds = read_bruker(folder)
    assert ds.nucleus == "1H" and ds.raw.shape == (32768,)
    ours = process_fid(raw_signal(ds), ds.processing)
    topspin = processed_spectrum(folder)
    assert correlation(ours.real(), topspin.real()) > 0.9999
    assert tree_hashes(folder) == before
    assert sorted(p.name for p in folder.rglob("*")) == sorted(
        p.name for p in (BRUKER / "sucrose_1h_600").rglob("*"))


# --- bad input: clean DataFileError naming file and field ---------------------------------


def test_missing_folder(tmp_path):
    missing = tmp_path / "no_such_experiment"
    with pytest.raises(DataFileError) as exc:
        read_bruker(missing)
    assert_names(exc, missing, "folder")


def test_folder_without_acqus(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    (folder / "acqus").unlink()
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder, "acqus")


def test_acqus_without_fid_or_ser(tmp_path):
    folder = copy_set("xwin_1h", tmp_path)
    (folder / "fid").unlink()
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder, "fid", "ser")


@pytest.mark.parametrize("name", REAL_NAMES)
@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_truncated_fid(tmp_path, name, keep):
    folder = copy_set(name, tmp_path)
    fid = folder / "fid"
    data = fid.read_bytes()
    item = 8 if name == "sucrose_1h_600" else 4
    fid.write_bytes(data[: int(len(data) * keep) // item * item])
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, fid, "TD")


@pytest.mark.parametrize("name", REAL_NAMES)
@pytest.mark.parametrize("cut", [1, 2, 3])
def test_odd_sized_fid(tmp_path, name, cut):
    folder = copy_set(name, tmp_path)
    fid = folder / "fid"
    fid.write_bytes(fid.read_bytes()[:-cut])
    assert fid.stat().st_size % 4
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, fid, "size", "DTYPA")


@pytest.mark.parametrize("name", REAL_NAMES)
def test_td_larger_than_file(tmp_path, name):
    folder = copy_set(name, tmp_path)
    set_param(folder / "acqus", "TD", 2 * REAL[name]["td"])
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "fid", "TD")


def test_ser_td_larger_than_rows(tmp_path):
    setup = AcquisitionSetup("13C", td=2048, group_delay=0)
    fid = lines_fid(setup, [Line(50.0, 1.0, 100.0)])
    folder = write_experiment(tmp_path / "ser_exp", setup, np.stack([fid] * 4), noise_sd=1e-3,
                              seed=1)
    set_param(folder / "acqus", "TD", 4096)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "ser", "TD")


def test_ser_not_whole_rows(tmp_path):
    setup = AcquisitionSetup("13C", td=2048, group_delay=0)
    fid = lines_fid(setup, [Line(50.0, 1.0, 100.0)])
    folder = write_experiment(tmp_path / "ser_exp", setup, np.stack([fid] * 4), noise_sd=1e-3,
                              seed=1)
    ser = folder / "ser"
    ser.write_bytes(ser.read_bytes()[:-1024])
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, ser, "TD")


@pytest.mark.parametrize("td", [0, -4, 12019])
def test_td_not_positive_even(tmp_path, td):
    folder = copy_set("xwin_1h", tmp_path)
    set_param(folder / "acqus", "TD", td)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", "TD")


@pytest.mark.parametrize("dtypa", [1, 5])
def test_unknown_dtypa(tmp_path, dtypa):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "acqus", "DTYPA", dtypa)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", f"DTYPA = {dtypa}")


def test_ser_without_acqu2s(tmp_path):
    folder = copy_set("xwin_1h", tmp_path)
    (folder / "fid").rename(folder / "ser")
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder, "ser", "acqu2s")


def test_non_numeric_parameter(tmp_path):
    folder = copy_set("xwin_1h", tmp_path)
    set_param(folder / "acqus", "SW_h", "<wide>")
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", "SW_h")


@pytest.mark.parametrize("nuc", ["<99Xx>", "<C13x>", "<H>"])
def test_unknown_nuc1(tmp_path, nuc):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "acqus", "NUC1", nuc)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", "NUC1")


@pytest.mark.parametrize("nuc1", ["<off>", "<NONE>", None])
def test_nuc1_unset_without_1h_channel(tmp_path, nuc1):
    """sucrose: NUC2..8 are all <off>, so nothing gives the 1H base frequency."""
    folder = copy_set("sucrose_1h_600", tmp_path)
    set_param(folder / "acqus", "NUC1", nuc1)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", "NUC1", "1H")


@pytest.mark.parametrize("nuc1", ["<off>", None])
def test_nuc1_unset_identified_from_bf1_real(tmp_path, nuc1):
    """xwin_13c has NUC2 = <1H> with BF2 = 600.13: BF1 = 150.902749 identifies 13C."""
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "acqus", "NUC1", nuc1)
    assert read_bruker(folder).nucleus == "13C"
    assert processed_spectrum(folder).nucleus == "13C"


def test_nuc1_unset_identified_with_explicit_1h_frequency(tmp_path):
    folder = copy_set("sucrose_1h_600", tmp_path)
    set_param(folder / "acqus", "NUC1", "<off>")
    assert read_bruker(folder, bf_1h_mhz=600.14).nucleus == "1H"


@pytest.mark.parametrize("field_1h", [400.13, 600.0])
@pytest.mark.parametrize("nucleus", ["13C", "27Al", "113Cd", "15N", "29Si", "1H"])
def test_identify_nucleus_from_bf1(nucleus, field_1h):
    acqus = {"BF1": larmor_mhz(nucleus, field_1h), "NUC2": "1H", "BF2": field_1h, "NUC3": "off"}
    assert identify_nucleus(acqus) == nucleus
    # 1H on another channel, NUC1 spelled <off>, 1H frequency given explicitly
    acqus = {"BF1": larmor_mhz(nucleus, field_1h), "NUC1": "off", "NUC2": "off", "NUC4": "1H",
             "BF4": field_1h}
    assert identify_nucleus(acqus) == nucleus
    assert identify_nucleus({"BF1": larmor_mhz(nucleus, field_1h)}, bf_1h_mhz=field_1h) == nucleus


@pytest.mark.parametrize("field_1h", [400.13, 600.0])
@pytest.mark.parametrize("nucleus", ["13C", "27Al", "113Cd"])
def test_synthetic_without_nuc1_identified(tmp_path, nucleus, field_1h):
    setup = AcquisitionSetup(nucleus, field_1h_mhz=field_1h, td=512, group_delay=0)
    folder = write_experiment(tmp_path / "exp", setup, lines_fid(setup, [Line(50.0, 1.0)]),
                              noise_sd=1e-3, seed=1)
    set_param(folder / "acqus", "NUC1", None)
    assert "NUC1" not in read_parameters(folder / "acqus")
    ds = read_bruker(folder)
    assert ds.nucleus == nucleus
    assert ds.acqus["BF1"] == pytest.approx(larmor_mhz(nucleus, field_1h))


def test_identify_nucleus_ambiguous(monkeypatch):
    """Two isotopes whose Ξ agree within the tolerance: refuse to guess."""
    xi = bruker_io.ISOTOPES["13C"].xi_percent * (1 + 5e-5)
    monkeypatch.setitem(bruker_io.ISOTOPES, "999Xx", Isotope("999Xx", 0.5, 1.0, 1.0, xi))
    src = Path("exp/acqus")
    with pytest.raises(DataFileError) as exc:
        identify_nucleus({"BF1": larmor_mhz("13C", 400.13), "NUC2": "1H", "BF2": 400.13}, src)
    assert_names(exc, src, "several", "13C", "999Xx")


def test_identify_nucleus_no_match():
    src = Path("exp/acqus")
    with pytest.raises(DataFileError) as exc:
        identify_nucleus({"BF1": 0.3 * 400.13, "NUC2": "1H", "BF2": 400.13}, src)
    assert_names(exc, src, "no isotope", "BF1")


def test_identify_nucleus_needs_bf1():
    src = Path("exp/acqus")
    with pytest.raises(DataFileError) as exc:
        identify_nucleus({"NUC1": "off", "NUC2": "1H", "BF2": 400.13}, src)
    assert_names(exc, src, "BF1")


@pytest.mark.parametrize("name", REAL_NAMES)
@pytest.mark.parametrize("change", [-4, 4, 1])
def test_1r_of_wrong_size(tmp_path, name, change):
    folder = copy_set(name, tmp_path)
    one_r = folder / "pdata" / "1" / "1r"
    data = one_r.read_bytes()
    one_r.write_bytes(data[:change] if change < 0 else data + b"\0" * change)
    with pytest.raises(DataFileError) as exc:
        processed_spectrum(folder)
    assert_names(exc, one_r, "size", "SI")


def test_processed_spectrum_without_1r(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    (folder / "pdata" / "1" / "1r").unlink()
    with pytest.raises(DataFileError) as exc:
        processed_spectrum(folder)
    assert_names(exc, folder / "pdata" / "1", "1r")


def test_processed_spectrum_without_procs(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    (folder / "pdata" / "1" / "procs").unlink()
    with pytest.raises(DataFileError) as exc:
        processed_spectrum(folder)
    assert_names(exc, folder / "pdata" / "1" / "procs", "parameter file")
    # the raw data stay readable without procs: SF falls back to BF1
    ds = read_bruker(folder)
    assert ds.procs is None and ds.sf_mhz == float(ds.acqus["BF1"])


@pytest.mark.filterwarnings("ignore:Extraneous line")
@pytest.mark.parametrize("content", ["", "just words\nno parameters\n"])
def test_unparsable_parameter_file(tmp_path, content):
    folder = copy_set("xwin_1h", tmp_path)
    (folder / "acqus").write_text(content)
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "acqus", "parameter")


# --- group delay --------------------------------------------------------------------------


@pytest.mark.parametrize(("acqus", "expected"), [
    ({"DIGMOD": 0, "GRPDLY": 76.0, "DSPFVS": 20, "DECIM": 16}, 0.0),   # no digital filter
    ({"DIGMOD": 0, "DSPFVS": 10, "DECIM": 6}, 0.0),
    ({"DIGMOD": 1, "DSPFVS": 20, "DECIM": 16}, 0.0),                   # DSPFVS ≥ 14, no GRPDLY
    ({"DIGMOD": 1, "DSPFVS": 14, "DECIM": 16, "GRPDLY": -1}, 0.0),
    ({"DIGMOD": 1, "DSPFVS": 21, "DECIM": 1600, "GRPDLY": 76}, 76.0),
    ({"DIGMOD": 1, "DSPFVS": 20, "DECIM": 16, "GRPDLY": 67.9862060546875}, 67.9862060546875),
    ({"DIGMOD": 1, "DSPFVS": 10, "DECIM": 6}, 59.083333333333336),     # firmware table
    ({"DIGMOD": 1, "DSPFVS": 12, "DECIM": 32}, 72.125),
    ({"DIGMOD": 1, "DSPFVS": 10, "DECIM": 1}, 0.0),                    # no decimation
    ({}, 0.0),
])
def test_group_delay_points(acqus, expected):
    assert group_delay_points(acqus) == pytest.approx(expected, rel=1e-12, abs=0)


def test_group_delay_unknown_firmware_combination():
    src = Path("exp/acqus")
    with pytest.raises(DataFileError) as exc:
        group_delay_points({"DIGMOD": 1, "DSPFVS": 13, "DECIM": 128}, src)
    assert_names(exc, src, "DSPFVS", "DECIM", "GRPDLY")


def test_data_without_filter_pass_through(tmp_path):
    """GRPDLY 0 writes DIGMOD = 0: the raw FID is stored undelayed, the reader reports a delay of
    0 and the Fourier transform is the same with or without the group-delay step."""
    setup = AcquisitionSetup("13C", group_delay=0, td=2048, sw_hz=40_000.0, carrier_ppm=100.0)
    fid = lines_fid(setup, [Line(40.0, 1.0, 80.0), Line(150.0, 0.5, 60.0)])
    folder = write_experiment(tmp_path / "nofilter", setup, fid, noise_sd=0.0, seed=3)
    ds = read_bruker(folder)
    assert int(ds.acqus["DIGMOD"]) == 0 and ds.group_delay == 0.0
    scale = np.vdot(fid, ds.raw).real / np.vdot(fid, fid).real
    np.testing.assert_allclose(ds.raw / scale, fid, atol=1e-6)  # int32 rounding only
    sig = raw_signal(ds)
    plain = fourier_transform(sig)
    np.testing.assert_array_equal(plain.values, fourier_transform(sig, group_delay=0.0).values)
    manual = np.roll(np.fft.fftshift(np.fft.fft(ds.raw))[::-1], 1)
    np.testing.assert_allclose(plain.values, manual, rtol=1e-12, atol=1e-9 * np.abs(manual).max())


# --- list files ---------------------------------------------------------------------------


def test_read_list_units_comments_blank_lines(tmp_path):
    path = tmp_path / "vdlist"
    path.write_text("# relaxation delays\n10m\n5u\n\n   \n2\n3n\n1.5s   # trailing comment\n"
                    "0.25M\n7e-3\n*  starred line\n$ dollar line\n4U\n")
    np.testing.assert_allclose(read_list(path),
                               [10e-3, 5e-6, 2.0, 3e-9, 1.5, 0.25e-3, 7e-3, 4e-6], rtol=1e-12)


def test_read_list_counter_values(tmp_path):
    path = tmp_path / "vclist"
    path.write_text("1\n2\n4\n8\n16\n")
    np.testing.assert_array_equal(read_list(path), [1, 2, 4, 8, 16])


@pytest.mark.parametrize(("content", "expected"), [
    ("10 ms\n", 10e-3), ("10ms\n", 10e-3), ("5 us\n", 5e-6), ("5us\n", 5e-6),
    ("3 ns\n", 3e-9), ("2 s\n", 2.0), ("7 M\n", 7e-3), ("4 u\n", 4e-6),
])
def test_read_list_unit_words(tmp_path, content, expected):
    path = tmp_path / "vdlist"
    path.write_text(content)
    np.testing.assert_allclose(read_list(path), [expected], rtol=1e-12)


def test_read_list_micro_sign_latin1(tmp_path):
    path = tmp_path / "vdlist"
    path.write_bytes("10µs\n20 µs\n".encode("latin-1"))
    np.testing.assert_allclose(read_list(path), [10e-6, 20e-6], rtol=1e-12)


def test_read_list_micro_sign_utf8(tmp_path):
    path = tmp_path / "vdlist"
    path.write_bytes("10µs\n20 µs\n".encode())
    np.testing.assert_allclose(read_list(path), [10e-6, 20e-6], rtol=1e-12)


@pytest.mark.parametrize(("content", "line_no"), [
    ("10m\nabc\n", 2),
    ("1\n\n# c\nx5m\n", 4),
    ("1\n2\nm\n", 3),
    ("1\n10 xs\n", 2),
    ("1 2 3\n", 1),
    ("1\n5mu\n", 2),
    ("1\n2\n3 4\n", 3),
])
def test_read_list_non_numeric_line(tmp_path, content, line_no):
    path = tmp_path / "vdlist"
    path.write_text(content)
    with pytest.raises(DataFileError) as exc:
        read_list(path)
    assert_names(exc, path, f"line {line_no}")


@pytest.mark.parametrize("content", ["", "\n\n# only a comment\n"])
def test_read_list_empty(tmp_path, content):
    path = tmp_path / "vdlist"
    path.write_text(content)
    with pytest.raises(DataFileError) as exc:
        read_list(path)
    assert_names(exc, path, "no values")


def test_read_list_missing(tmp_path):
    with pytest.raises(DataFileError) as exc:
        read_list(tmp_path / "vdlist")
    assert_names(exc, tmp_path / "vdlist", "list file")


UNIT_SCALE = {"": 1.0, "s": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.one_of(st.just(0.0),
                                 st.floats(1e-6, 1e6),
                                 st.floats(-1e6, -1e-6)), min_size=1, max_size=30),
       unit=st.sampled_from(sorted(UNIT_SCALE)))
def test_list_round_trip(values, unit):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_list(Path(tmp) / "vdlist", values, unit)
        got = read_list(path)
    expected = np.asarray(values) * UNIT_SCALE[unit]
    # write_list formats with %g: six significant digits
    np.testing.assert_allclose(got, expected, rtol=6e-6, atol=0)


# --- synthetic round trips ----------------------------------------------------------------

#: nucleus → (1H field in MHz, carrier ppm, spectral width Hz)
SYNTH_SETUPS = {
    "13C": (400.13, 100.0, 50_000.0),
    "27Al": (600.0, 10.0, 100_000.0),
    "113Cd": (400.13, -300.0, 60_000.0),
    "1H": (600.0, 4.7, 12_000.0),
}
GROUP_DELAYS = [0, 68, 76.0, 71.5625]
TD = 8192


def synthetic_lines(setup: AcquisitionSetup) -> list[Line]:
    """Three well separated lines inside the window, FWHM SW/500."""
    half_width_ppm = setup.sw_hz / 2 / setup.bf1_mhz
    return [Line(setup.carrier_ppm + f * half_width_ppm, a, setup.sw_hz / 500)
            for f, a in ((-0.6, 1.0), (-0.1, 0.6), (0.45, 0.8))]


@pytest.mark.parametrize("group_delay", GROUP_DELAYS)
@pytest.mark.parametrize("nucleus", list(SYNTH_SETUPS))
def test_synthetic_round_trip(tmp_path, nucleus, group_delay):
    field, carrier, sw = SYNTH_SETUPS[nucleus]
    setup = AcquisitionSetup(nucleus, field_1h_mhz=field, sw_hz=sw, td=TD, carrier_ppm=carrier,
                             group_delay=group_delay)
    lines = synthetic_lines(setup)
    lb = sw / 2000
    folder = write_experiment(tmp_path / "exp", setup, lines_fid(setup, lines), noise_sd=1e-3,
                              seed=7, lb_hz=lb)
    ds = read_bruker(folder)
    assert ds.nucleus == nucleus
    assert ds.group_delay == pytest.approx(group_delay)
    assert ds.raw.shape == (TD // 2,)
    assert ds.sf_mhz == pytest.approx(setup.bf1_mhz, rel=1e-12)
    assert ds.carrier_mhz == pytest.approx(setup.sfo1_mhz, rel=1e-12)
    spec = process_fid(raw_signal(ds), ds.processing)
    assert "phased PHC0 = 0.000°, PHC1 = 0.000°" in spec.history
    step_ppm = sw / spec.n_points / setup.bf1_mhz
    peaks = pick_peaks(spec, max_peaks=len(lines))
    assert len(peaks) == len(lines)
    for line in lines:
        # absorptive with PHC0 = PHC1 = 0, at the point nearest the true position
        value = spec.values[int(np.argmin(np.abs(spec.axis - line.ppm)))]
        assert value.real > 0 and abs(value.imag / value.real) < 0.1, (line, value)
        peak = min(peaks, key=lambda p, line=line: abs(p.ppm - line.ppm))
        assert abs(peak.ppm - line.ppm) <= step_ppm, (line, peak)
        assert peak.width_hz == pytest.approx(line.fwhm_hz + lb, rel=0.05), (line, peak)
    # heights in the ratio of the amplitudes
    matched = [min(peaks, key=lambda p, line=line: abs(p.ppm - line.ppm)) for line in lines]
    top = max(range(len(lines)), key=lambda i: lines[i].amplitude)
    for line, peak in zip(lines, matched, strict=True):
        assert peak.height / matched[top].height == pytest.approx(line.amplitude, rel=0.03)


@pytest.mark.parametrize("group_delay", [0.0, 68.0, 76.0, 12.0, 71.0, 71.5625, 67.9862060546875])
def test_apply_group_delay_inverted_by_fourier_transform(group_delay):
    """The writer's digital-filter delay and the FT's group-delay removal cancel exactly (as
    ``apply_group_delay``'s docstring promises), leaving the spectrum of the undelayed FID."""
    setup = AcquisitionSetup("13C", td=2048, sw_hz=40_000.0, group_delay=group_delay)
    fid = lines_fid(setup, [Line(30.0, 1.0, 100.0), Line(160.0, 0.7, 60.0)])
    plain = Spectrum(fid, np.arange(fid.size) / setup.sw_hz, "s", "13C", setup.bf1_mhz,
                     setup.sfo1_mhz)
    delayed = Spectrum(apply_group_delay(fid, group_delay), plain.axis, "s", "13C",
                       setup.bf1_mhz, setup.sfo1_mhz)
    want = fourier_transform(plain).values
    got = fourier_transform(delayed, group_delay=group_delay).values
    # all points but the Nyquist point (k = 0), where the two phase ramps meet
    np.testing.assert_allclose(got[1:], want[1:], atol=1e-9 * np.abs(want).max())


def test_synthetic_delayed_fid_starts_near_zero(tmp_path):
    """With a digital-filter delay the leading points of the stored FID are small (as in real
    data) and the FID maximum sits about GRPDLY points in."""
    setup = AcquisitionSetup("13C", td=4096, group_delay=68.0)
    folder = write_experiment(tmp_path / "exp", setup,
                              lines_fid(setup, [Line(100.0, 1.0, 30.0)]), noise_sd=0.0, seed=1)
    raw = read_bruker(folder).raw
    assert np.abs(raw[:40]).max() < 0.05 * np.abs(raw).max()
    assert abs(int(np.argmax(np.abs(raw))) - 68) <= 2


def test_synthetic_series(tmp_path):
    """A pseudo-2D ``ser`` with acqu2s and a vdlist: shape, rows, list and row intensities."""
    setup = AcquisitionSetup("27Al", td=2048, sw_hz=80_000.0, carrier_ppm=0.0, group_delay=68.0)
    vd_ms = [1.0, 5.0, 20.0, 80.0, 300.0]
    t1_s = 0.05
    amps = 1.0 - 2.0 * np.exp(-np.asarray(vd_ms) * 1e-3 / t1_s)   # inversion recovery
    base = lines_fid(setup, [Line(10.0, 1.0, 300.0)])
    fids = amps[:, None] * base[None, :]
    folder = write_experiment(tmp_path / "ser_exp", setup, fids, noise_sd=1e-4, seed=11,
                              lists={"vdlist": (vd_ms, "m")}, acqu2s={"FnMODE": 0})
    assert (folder / "ser").is_file() and not (folder / "fid").exists()
    ds = read_bruker(folder)
    assert ds.is_series
    assert ds.raw.shape == (len(vd_ms), setup.n_complex)
    assert ds.acqu2s is not None and int(ds.acqu2s["TD"]) == len(vd_ms)
    assert ds.nucleus == "27Al"
    np.testing.assert_allclose(ds.lists["vdlist"], np.asarray(vd_ms) * 1e-3, rtol=1e-12)
    spec = process_fid(raw_signal(ds), ds.processing)
    assert spec.values.shape == (len(vd_ms), int(ds.procs["SI"]))
    region = spec.region_mask(10.0 - 20.0, 10.0 + 20.0)
    integrals = spec.real()[:, region].sum(axis=1)
    np.testing.assert_allclose(integrals / integrals[-1], amps / amps[-1], atol=0.01)


@pytest.mark.filterwarnings("ignore:Error reading the pulse program")  # no pulseprogram file
@pytest.mark.parametrize("series", [False, True])
def test_nmrglue_reads_synthetic_folder(tmp_path, series):
    import nmrglue as ng

    setup = AcquisitionSetup("113Cd", td=1024, group_delay=76.0)
    fid = lines_fid(setup, [Line(-600.0, 1.0, 200.0)])
    fids = np.stack([fid, 0.5 * fid, 0.25 * fid]) if series else fid
    folder = write_experiment(tmp_path / "exp", setup, fids, noise_sd=1e-3, seed=5)
    dic, data = ng.bruker.read(str(folder))
    ds = read_bruker(folder)
    assert data.shape == ds.raw.shape
    np.testing.assert_array_equal(data, ds.raw)
    assert int(dic["acqus"]["TD"]) == setup.td
    assert float(dic["acqus"]["GRPDLY"]) == 76.0
    assert str(dic["acqus"]["NUC1"]).strip("<>") == "113Cd"
    assert "SYNTHETIC" in ds.title


def test_synthetic_lists_read_with_experiment(tmp_path):
    setup = AcquisitionSetup("13C", td=256, group_delay=0)
    folder = write_experiment(tmp_path / "exp", setup, lines_fid(setup, [Line(30.0, 1.0)]),
                              noise_sd=1e-3, seed=2,
                              lists={"vclist": ([2, 4, 8], ""), "vdlist": ([10, 250], "u")})
    ds = read_bruker(folder)
    assert sorted(ds.lists) == ["vclist", "vdlist"]
    np.testing.assert_array_equal(ds.lists["vclist"], [2, 4, 8])
    np.testing.assert_allclose(ds.lists["vdlist"], [10e-6, 250e-6], rtol=1e-12)


def test_bad_list_in_experiment_names_list_file(tmp_path):
    setup = AcquisitionSetup("13C", td=256, group_delay=0)
    folder = write_experiment(tmp_path / "exp", setup, lines_fid(setup, [Line(30.0, 1.0)]),
                              noise_sd=1e-3, seed=2)
    (folder / "vdlist").write_text("1m\n2m\nthree\n")
    with pytest.raises(DataFileError) as exc:
        read_bruker(folder)
    assert_names(exc, folder / "vdlist", "line 3")


# --- defects of issue 9: truncated parameter files, grpdly, out-of-range parameters --------


@pytest.mark.parametrize("name", REAL_NAMES)
def test_truncated_acqus_inside_array_fails_at_once(tmp_path, name):
    """nmrglue's read_jcamp waits forever for the rest of a cut array (100 % CPU); the reader
    stops at the end of the file with an error naming the parameter."""
    folder = copy_set(name, tmp_path)
    text = (folder / "acqus").read_text(encoding="latin-1")
    # the array parameter right before NS (TopSpin writes parameters in alphabetical order)
    before = text[:text.index("##$NS=")]
    array_key = re.findall(r"^##\$(\w+)= \(0\.\.\d+\)", before, re.MULTILINE)[-1]
    start = before.rindex(f"##${array_key}=")
    end = before.index("\n##", start)
    (folder / "acqus").write_text(before[:(start + end) // 2].rstrip("\n"), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_bruker(folder)
    assert_names(info, folder / "acqus", array_key, "truncated")


@pytest.mark.parametrize(("text", "fragment"), [
    ("##$PULPROG= <zg30\n", "not closed"),
    ("##$P= (0..63)\n1 2 3\n##$NS= 8\n", "3 of 64"),
    ("##$P= (0..x)\n1 2\n", "(0..N)"),
    ("##$= 5\n", "##$NAME= value"),
])
def test_parse_parameters_errors(tmp_path, text, fragment):
    p = tmp_path / "acqus"
    p.write_text("##TITLE= t\n" + text, encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_parameters(p)
    assert_names(info, p, fragment)


def test_parse_parameters_same_values_as_nmrglue():
    import nmrglue as ng

    for f in sorted(BRUKER.rglob("*")):
        if f.name in ("acqus", "acqu", "procs", "proc"):
            ref = ng.bruker.read_jcamp(str(f))
            ref.pop("_coreheader")
            ref.pop("_comments")
            assert read_parameters(f) == ref, f


def test_grpdly_option_for_unknown_filter(tmp_path):
    """DSPFVS = 0 (simulation programs): the error names --grpdly, and the option reads the set."""
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "acqus", "DSPFVS", 0)
    with pytest.raises(DataFileError) as info:
        read_bruker(folder)
    assert_names(info, folder / "acqus", "--grpdly POINTS")
    ds = read_bruker(folder, grpdly=REAL["xwin_13c"]["group_delay"])
    ref = read_bruker(BRUKER / "xwin_13c")
    assert ds.group_delay == ref.group_delay
    np.testing.assert_array_equal(process_fid(raw_signal(ds), ds.processing).values,
                                  process_fid(raw_signal(ref), ref.processing).values)
    with pytest.raises(DataFileError, match="--grpdly"):
        read_bruker(folder, grpdly=-1.0)


@pytest.mark.parametrize(("file", "key", "value", "fragment"), [
    ("acqus", "TD", -5, "TD = -5"),
    ("acqus", "SW_h", 0, "SW_h"),
    ("acqus", "BYTORDA", 7, "BYTORDA = 7"),
    ("acqus", "BF1", 0, "BF1"),
    ("pdata/1/procs", "SI", 10**9, "SI = 1000000000"),
    ("pdata/1/procs", "SI", 0, "SI = 0"),
    ("pdata/1/procs", "SF", -1, "SF"),
])
def test_out_of_range_parameters(tmp_path, file, key, value, fragment):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / file, key, value)
    with pytest.raises(DataFileError) as info:
        read_bruker(folder)
    assert_names(info, folder / file, fragment)


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("NC_proc", 400, "NC_proc = 400"), ("BYTORDP", 7, "BYTORDP = 7"), ("DTYPP", 5, "DTYPP = 5"),
    ("SW_p", 0, "SW_p"), ("SI", 2**30, "expected 1073741824 points"),
])
def test_out_of_range_processed_parameters(tmp_path, key, value, fragment):
    folder = copy_set("xwin_13c", tmp_path)
    procs = folder / "pdata" / "1" / "procs"
    set_param(procs, key, value)
    with pytest.raises(DataFileError) as info:
        processed_spectrum(folder)  # SI: refused before an axis of 2**30 points is made
    assert fragment.lower() in str(info.value).lower()


def test_td_the_fid_cannot_hold_is_an_error(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "acqus", "TD", 10**12)
    with pytest.raises(DataFileError) as info:
        read_bruker(folder)
    assert_names(info, folder / "fid", "TD = 1000000000000")


def test_small_si_is_a_valid_result(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "pdata" / "1" / "procs", "SI", 3)
    ds = read_bruker(folder)
    assert process_fid(raw_signal(ds), ds.processing).n_points == 3


def test_unsupported_window_is_noted(tmp_path):
    folder = copy_set("xwin_13c", tmp_path)
    set_param(folder / "pdata" / "1" / "procs", "WDW", 7)
    ds = read_bruker(folder)
    spec = process_fid(raw_signal(ds), ds.processing)
    assert any("WDW = 7 is not supported" in h for h in spec.history)
