"""JCAMP-DX reading (``cald.io.jcamp.read_jcamp``) on the official ISAS Dortmund test files in
``tests/data/jcamp`` (one 13C spectrum of ethylbenzene in four encodings, its FID, an IR
spectrum), bad input, and opening any spectrum file (``cald.io.spectrum_file.read_spectrum``,
``cald.read``).

About the four encodings of the spectrum: BRUKDIF, BRUKNTUP (real page) and TESTSPEC hold the
16-bit version of the data (TESTSPEC scaled by YFACTOR 29670.15, the Bruker files as integers that
are multiples of it); BRUKSQZ (title ``test32``) holds the 32-bit version, which differs from the
16-bit one by less than half a 16-bit step. The test checks exactly that."""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cald.errors import DataFileError
from cald.io.bruker import processed_spectrum
from cald.io.jcamp import read_jcamp
from cald.io.spectrum_file import read_spectrum
from cald.io.table import write_table
from cald.nmr.processing import process_fid
from cald.nmr.reading import read
from cald.spectrum import Spectrum
from cald.synth.nmr_sets import write_respdor_series

JCAMP = Path(__file__).parent / "data" / "jcamp"
BRUKER = Path(__file__).parent / "data" / "bruker"
SPECTRUM_FILES = ("BRUKSQZ", "BRUKDIF", "BRUKNTUP", "TESTSPEC")
NMR_FILES = (*SPECTRUM_FILES, "TESTFID")
ALL_FILES = (*NMR_FILES, "SPECFILE")
YFACTOR_16BIT = 29670.15003  # TESTSPEC's YFACTOR: one step of the 16-bit data
N = 16384


def path(name: str) -> Path:
    return JCAMP / f"{name}.DX"


@pytest.fixture(scope="module")
def spectra() -> dict[str, Spectrum]:
    return {name: read_jcamp(path(name)) for name in ALL_FILES}


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# --- the official test files ---------------------------------------------------------------


@pytest.mark.parametrize("name", SPECTRUM_FILES)
def test_nmr_spectrum_metadata(spectra, name):
    spec = spectra[name]
    assert spec.unit == "ppm" and spec.n_points == N
    assert spec.nucleus == "13C"
    assert spec.sf_mhz == pytest.approx(100.4)
    assert spec.source == str(path(name)) and spec.history == ("read JCAMP-DX",)
    # the first point is at $OFFSET (Bruker files) = FIRSTX / SF = 24038.5 Hz / 100.4 MHz
    assert spec.axis[0] == pytest.approx(239.4273, abs=1e-4)
    assert spec.axis[-1] == pytest.approx(0.0, abs=1e-4)
    assert np.all(np.diff(spec.axis) < 0)
    np.testing.assert_allclose(np.diff(spec.axis), -1.46728315937252 / 100.4, rtol=1e-6)
    assert np.all(np.isfinite(spec.values))


def test_bruker_offset_sets_first_point():
    assert read_jcamp(path("BRUKDIF")).axis[0] == 239.4273  # exactly ##$OFFSET


def test_dif_and_ntuples_decode_identically(spectra):
    dif, ntup = spectra["BRUKDIF"], spectra["BRUKNTUP"]
    assert not np.iscomplexobj(dif.values) and np.iscomplexobj(ntup.values)
    np.testing.assert_array_equal(ntup.values.real, dif.values)
    np.testing.assert_array_equal(ntup.axis, dif.axis)


def test_testspec_is_the_same_16_bit_spectrum(spectra):
    dif, spec = spectra["BRUKDIF"].values, spectra["TESTSPEC"].values
    np.testing.assert_allclose(spec, dif, rtol=0, atol=1.0)  # rounding of the Bruker integers
    steps = dif / YFACTOR_16BIT
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-4)


def test_sqz_is_the_32_bit_spectrum(spectra):
    """BRUKSQZ decodes to the 32-bit data: within half a 16-bit step of the others, not equal."""
    sqz, dif = spectra["BRUKSQZ"].values, spectra["BRUKDIF"].values
    assert spectra["BRUKSQZ"].meta["title"] == "test32"
    diff = np.abs(sqz - dif)
    assert diff.max() <= YFACTOR_16BIT / 2 + 1
    assert np.count_nonzero(diff) > N // 2
    assert np.corrcoef(sqz, dif)[0, 1] > 0.999999


@pytest.mark.parametrize(("name", "first", "last", "lo", "hi"), [
    ("BRUKSQZ", 2259260, None, -27593530, 972201806),
    ("BRUKDIF", 2254931, 1513177, -27593239, 972201806),
    ("BRUKNTUP", 2254931, 1513177, -27593239, 972201806),
], ids=["SQZ", "DIF", "NTUP"])
def test_values_match_header(spectra, name, first, last, lo, hi):
    """FIRSTY/FIRST, LAST, MINY/MIN, MAXY/MAX as stated in each file's header."""
    real = np.real(spectra[name].values)
    assert real[0] == first
    if last is not None:
        assert real[-1] == last
    assert real.min() == lo and real.max() == hi


def test_ntuples_imaginary_page(spectra):
    imag = spectra["BRUKNTUP"].values.imag
    assert (imag[0], imag[-1]) == (-6966283, -7303022)
    assert (imag.min(), imag.max()) == (-680128135, 689619959)


def test_fid(spectra):
    fid = spectra["TESTFID"]
    assert fid.unit == "s" and fid.is_time_domain
    assert np.iscomplexobj(fid.values) and fid.n_points == N
    assert fid.nucleus == "13C" and fid.sf_mhz == pytest.approx(100.4)
    assert fid.axis[0] == 0.0 and fid.axis[-1] == pytest.approx(0.6815317)
    np.testing.assert_allclose(np.diff(fid.axis), 0.6815317 / (N - 1), rtol=1e-9)
    # FIRST/LAST/MIN/MAX of the real and imaginary pages (header rounded to integers)
    assert fid.values[0] == pytest.approx(2980 + 6215j, abs=1.0)
    assert fid.values[-1] == pytest.approx(-60242 - 6063j, abs=1.0)
    assert fid.values.real.min() == pytest.approx(-170402, abs=1)
    assert fid.values.imag.max() == pytest.approx(161916, abs=1)


def test_ir_spectrum(spectra):
    ir = spectra["SPECFILE"]
    assert ir.unit == "cm-1" and ir.n_points == 1801
    assert ir.axis[0] == 400.0 and ir.axis[-1] == 4000.0
    np.testing.assert_allclose(np.diff(ir.axis), 2.0)
    assert ir.nucleus is None and ir.sf_mhz is None
    assert ir.meta == {"title": "POLYETHYLENE", "yunits": "TRANSMITTANCE"}
    assert 0 < ir.values.min() and ir.values.max() <= 100.0
    assert ir.values[0] == pytest.approx(31276 * 0.00312499, rel=1e-6)  # first DIFDUP value


@pytest.mark.parametrize("name", ALL_FILES)
def test_file_unchanged_by_reading(name):
    before = sha256(path(name))
    read_jcamp(path(name))
    assert sha256(path(name)) == before


# --- bad input -----------------------------------------------------------------------------


def _assert_names(info: pytest.ExceptionInfo, p: Path, fragment: str = "") -> None:
    message = str(info.value)
    assert message.startswith(str(p)), message
    assert fragment in message, message


def test_missing_file(tmp_path):
    p = tmp_path / "missing.dx"
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p, "no such file")


def test_directory(tmp_path):
    with pytest.raises(DataFileError) as info:
        read_jcamp(tmp_path)
    _assert_names(info, tmp_path, "no such file")


@pytest.mark.parametrize("content", [
    "hello world\nthis is not JCAMP-DX\n1 2 3\n",
    "",
    "##TITLE= only a title\n##END=\n",
    "t_ms,dS_S0\n1,0.1\n",
], ids=["text", "empty", "no-jcamp-line", "csv"])
def test_not_jcamp(tmp_path, content):
    p = tmp_path / "bad.dx"
    p.write_text(content, encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p, "not a JCAMP-DX file")


def test_binary_garbage(tmp_path):
    p = tmp_path / "bad.jdx"
    p.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p)


def _data_lines(lines: list[str]) -> tuple[int, int]:
    """First data line and the line that ends the first data block."""
    start = next(i for i, line in enumerate(lines)
                 if "XYDATA=" in line or "DATA TABLE=" in line) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("##"))
    return start, end


@pytest.mark.parametrize("name", ALL_FILES)
def test_truncated_in_the_data(tmp_path, name):
    """A copy cut in the middle of its (first) data block, as an interrupted transfer leaves it."""
    lines = path(name).read_text(encoding="latin-1").splitlines(keepends=True)
    start, end = _data_lines(lines)
    p = tmp_path / f"{name}.dx"
    p.write_text("".join(lines[:(start + end) // 2]), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p)


@pytest.mark.parametrize("name", ALL_FILES)
def test_unknown_x_unit(tmp_path, name):
    text = path(name).read_text(encoding="latin-1")
    for unit in ("XUNITS=HZ", "XUNITS= HZ", "SECONDS,", "HZ,", "1/CM"):
        text = text.replace(unit, unit.replace("HZ", "FURLONGS").replace("SECONDS", "FURLONGS")
                            .replace("1/CM", "FURLONGS"), 1)
    p = tmp_path / f"{name}.dx"
    p.write_text(text, encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p, "x unit 'FURLONGS' not supported")


@pytest.mark.parametrize("name", ("BRUKSQZ", "BRUKDIF", "TESTSPEC"))
def test_data_lines_missing_xydata(tmp_path, name):
    lines = path(name).read_text(encoding="latin-1").splitlines(keepends=True)
    start, end = _data_lines(lines)
    p = tmp_path / f"{name}.dx"
    p.write_text("".join(lines[:(start + end) // 2] + lines[end:]), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p)


@pytest.mark.parametrize("name", ("BRUKNTUP", "TESTFID"))
def test_data_lines_missing_ntuples(tmp_path, name):
    lines = path(name).read_text(encoding="latin-1").splitlines(keepends=True)
    start, end = _data_lines(lines)
    p = tmp_path / f"{name}.dx"
    p.write_text("".join(lines[:(start + end) // 2] + lines[end:]), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p)


# --- property: garbage in, DataFileError or a spectrum out ---------------------------------

_GARBAGE = st.text(alphabet=string.ascii_letters + string.digits + "+-.,=#$@%?()^ \t",
                   max_size=40)
_EDITS = st.lists(st.tuples(st.sampled_from(["replace", "insert", "append"]),
                            st.floats(0.0, 1.0, allow_nan=False), st.booleans(), _GARBAGE),
                  min_size=1, max_size=3)
_CACHE: dict[str, list[str]] = {}


def _mangle(name: str, edits: list[tuple[str, float, bool, str]]) -> str:
    if name not in _CACHE:
        _CACHE[name] = path(name).read_text(encoding="latin-1").splitlines()
    lines = list(_CACHE[name])
    for op, where, ldr, text in edits:
        text = "##" + text if ldr else text
        i = min(int(where * len(lines)), len(lines) - 1)
        if op == "replace":
            lines[i] = text
        elif op == "insert":
            lines.insert(i, text)
        else:
            lines.append(text)
    return "\r\n".join(lines) + "\r\n"


def _check_mangled(tmp_path: Path, name: str, edits) -> None:
    p = tmp_path / "mangled.dx"
    p.write_text(_mangle(name, edits), encoding="latin-1")
    try:
        spec = read_jcamp(p)
    except DataFileError as exc:
        assert str(exc).startswith(str(p))
        return
    assert isinstance(spec, Spectrum)
    assert spec.n_points >= 2 and np.all(np.isfinite(spec.axis))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["SPECFILE", "TESTSPEC", "BRUKDIF"]), edits=_EDITS)
def test_garbage_lines_give_data_file_error_or_spectrum(tmp_path, name, edits):
    _check_mangled(tmp_path, name, edits)


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          phases=[Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS)
def test_garbage_lines_ntuples(tmp_path, edits):
    _check_mangled(tmp_path, "TESTFID", edits)


# --- read_spectrum / cald.read: any source -------------------------------------------------


def test_io_read_spectrum_does_not_process():
    """The io reader gives the stored data (raw FID, TopSpin's 1r); processing is cald.read's."""
    import cald

    raw = read_spectrum(BRUKER / "xwin_13c")
    assert raw.is_time_domain and raw.history == ("read raw data",)
    assert cald.read is read
    np.testing.assert_array_equal(read_spectrum(BRUKER / "xwin_13c", use_processed=True).values,
                                  processed_spectrum(BRUKER / "xwin_13c").values)



@pytest.mark.parametrize("name", ["sucrose_1h_600", "xwin_13c", "xwin_1h"])
def test_read_spectrum_bruker_raw_and_processed(name):
    folder = BRUKER / name
    raw = read(folder)
    topspin = read(folder, processed=True)
    assert raw.unit == topspin.unit == "ppm"
    assert raw.nucleus == topspin.nucleus is not None
    assert raw.n_points == topspin.n_points
    step = abs(topspin.axis[1] - topspin.axis[0])
    np.testing.assert_allclose(raw.axis, topspin.axis, rtol=0, atol=0.01 * step)
    assert topspin.history == ("read TopSpin processed spectrum",)
    assert topspin.source == str(folder / "pdata" / "1")
    assert any(h.startswith("Fourier transform") for h in raw.history)
    assert np.corrcoef(raw.real(), topspin.real())[0, 1] > 0.999
    equal = processed_spectrum(folder)
    np.testing.assert_array_equal(equal.values, topspin.values)


def test_read_spectrum_options_reach_processing():
    folder = BRUKER / "xwin_13c"
    spec = read(folder, size=8192, lb_hz=1.0)
    assert spec.n_points == 8192
    assert "exponential window LB = 1 Hz" in spec.history


@pytest.mark.parametrize("name", NMR_FILES + ("SPECFILE",))
def test_read_spectrum_jcamp(name, spectra, tmp_path):
    spec = read_spectrum(path(name))
    np.testing.assert_array_equal(spec.values, spectra[name].values)
    # the suffix decides, not its case
    lower = tmp_path / f"{name.lower()}.jdx"
    lower.write_bytes(path(name).read_bytes())
    np.testing.assert_array_equal(read_spectrum(lower).values, spec.values)


def test_read_spectrum_csv_round_trip(tmp_path):
    spec = read(BRUKER / "xwin_1h")
    csv = write_table(tmp_path / "spectrum.csv", {"ppm": spec.axis, "intensity": spec.real(),
                                                  "imag": np.imag(spec.values)}, ["a comment"])
    back = read(csv, nucleus="1H")
    assert back.unit == "ppm" and back.nucleus == "1H" and back.source == str(csv)
    np.testing.assert_allclose(back.axis, spec.axis, rtol=1e-12)
    np.testing.assert_allclose(back.values, spec.values, rtol=1e-9)


def test_read_spectrum_csv_real_only_and_other_axes(tmp_path):
    csv = write_table(tmp_path / "ir.csv", {"wavenumber_cm-1": [400.0, 402.0, 404.0],
                                            "intensity": [1.0, 2.0, 3.0]})
    spec = read(csv)
    assert spec.unit == "cm-1" and not np.iscomplexobj(spec.values)
    assert spec.nucleus is None


@pytest.mark.parametrize(("content", "fragment"), [
    ("time,intensity\n1,2\n2,3\n", "needs an axis column"),
    ("ppm,signal\n1,2\n2,3\n", "missing column 'intensity'"),
    ("ppm,intensity\n1,2\n2,abc\n", "is not a number"),
], ids=["no-axis", "no-intensity", "not-a-number"])
def test_read_spectrum_bad_csv(tmp_path, content, fragment):
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        read(p)
    _assert_names(info, p, fragment)


def test_read_spectrum_series_folder(tmp_path):
    """One spectrum of a series needs its row (the kinds, ``cald nmr process``); ``cald.read``
    gives the whole series, every row processed alike."""
    from cald.nmr.reading import read_nmr

    folder = write_respdor_series(tmp_path / "series", 503.0, 0.24, [2, 4])
    with pytest.raises(DataFileError) as info:
        read_nmr(folder)
    _assert_names(info, folder, "a series (ser)")
    series = read(folder)
    assert series.values.shape[0] == 4 and series.unit == "ppm"
    np.testing.assert_allclose(series.values[1], read(folder, row=2).values)


def test_read_spectrum_missing(tmp_path):
    with pytest.raises(DataFileError) as info:
        read(tmp_path / "nothing")
    _assert_names(info, tmp_path / "nothing", "no such file or folder")


def test_read_spectrum_folder_without_acqus(tmp_path):
    with pytest.raises(DataFileError) as info:
        read(tmp_path)
    _assert_names(info, tmp_path, "missing acqus")


def test_jcamp_fid_can_be_processed():
    spec = process_fid(read_jcamp(path("TESTFID")))
    assert spec.unit == "ppm" and spec.n_points == N


# --- defects of issue 9: parser warnings are errors ---------------------------------------


@pytest.mark.parametrize(("name", "old", "new", "field"), [
    ("TESTSPEC", "##YFACTOR= 29670.15003", "##YFACTOR= 29670,15003", "YFACTOR"),
    ("BRUKDIF", "##YFACTOR= 1", "##YFACTOR= one", "YFACTOR"),
    ("TESTFID", "##FACTOR= 0.4159993E-04, 0.5200415052E+01, 0.5044282357E+01,           1",
     "##FACTOR= 0.4159993E-04, x, y, 1", "FACTOR"),
])
def test_malformed_factor_is_an_error(tmp_path, name, old, new, field):
    """nmrglue warns and returns intensities off by the factor; the reader refuses the file."""
    text = path(name).read_text(encoding="latin-1")
    assert old in text
    p = tmp_path / f"{name}.dx"
    p.write_text(text.replace(old, new), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p, f"##{field}=")


def test_unparsable_data_line_is_an_error(tmp_path):
    lines = path("BRUKSQZ").read_text(encoding="latin-1").splitlines(keepends=True)
    start, end = _data_lines(lines)
    lines[(start + end) // 2] = "@@@ garbage line\n"
    p = tmp_path / "bad.dx"
    p.write_text("".join(lines), encoding="latin-1")
    with pytest.raises(DataFileError) as info:
        read_jcamp(p)
    _assert_names(info, p)


def test_empty_field_is_a_note(tmp_path):
    text = path("BRUKDIF").read_text(encoding="latin-1")
    p = tmp_path / "empty.dx"
    p.write_text(text.replace("##YFACTOR= 1", "##YFACTOR= 1\n##$EMPTY="), encoding="latin-1")
    spec = read_jcamp(p)
    np.testing.assert_array_equal(spec.values, read_jcamp(path("BRUKDIF")).values)
    assert any("without value" in h for h in spec.history)


# --- defect of issue 9: a ppm axis rounded in the file ------------------------------------


def _rounded_csv(tmp_path: Path, decimals: int) -> tuple[Path, Spectrum, float]:
    spec = processed_spectrum(BRUKER / "xwin_13c")
    step = abs(spec.axis[1] - spec.axis[0])
    csv = write_table(tmp_path / "rounded.csv", {"ppm": np.round(spec.axis, decimals),
                                                 "intensity": spec.real()})
    return csv, spec, step


def test_rounded_ppm_axis_is_accepted(tmp_path):
    """An axis exported with 5 decimals (steps of ~0.006 ppm) was refused by the CSA fit as
    'not uniformly spaced'; rounding below a tenth of a step is taken as uniform."""
    from cald.lineshape.sidebands import _axis

    csv, spec, step = _rounded_csv(tmp_path, 5)
    back = read_spectrum(csv, nucleus="13C")
    assert back.history == ("read CSV spectrum",)
    np.testing.assert_allclose(back.axis, spec.axis, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(back.values, spec.real())
    _axis(back.axis)  # accepted by the fit


def test_coarse_axis_is_regridded_with_a_note(tmp_path):
    csv, spec, step = _rounded_csv(tmp_path, 2)  # deviations up to ~0.4 of a step
    back = read_spectrum(csv)
    assert str(csv) in back.history[-1] and "re-gridded" in back.history[-1]
    assert np.ptp(np.diff(back.axis)) < 1e-9 * step
    assert np.corrcoef(back.real(), spec.real())[0, 1] > 0.99


def test_non_monotonic_axis_names_the_file(tmp_path):
    csv = write_table(tmp_path / "zigzag.csv", {"ppm": [3.0, 2.0, 2.5, 1.0],
                                                "intensity": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(DataFileError) as info:
        read_spectrum(csv)
    _assert_names(info, csv, "not monotonic (row 3")
