"""Raw Bruker data read through a memory map and series processed a block of rows at a time
(issue 14): the memory-mapped points equal the whole-file read on the real data sets, the row
iterator covers a series in order, curves do not depend on the block size, and a ``ser`` that is
shorter than its parameters say (or shrinks after being opened) is a one-line error naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.bruker import raw_row_blocks, raw_signal, read_bruker
from cald.nmr.processing import process_fid
from cald.nmr.pseudo2d import dosy_series, phased_series, process_series, respdor_series
from cald.synth.bruker import AcquisitionSetup, write_series_rows
from cald.synth.nmr_sets import write_dosy_series, write_respdor_series

BRUKER = Path(__file__).parent / "data" / "bruker"
REAL = ["xwin_13c", "xwin_1h", "sucrose_1h_600"]
REGION = (190.0, 178.0)


def whole_file_read(folder: Path) -> np.ndarray:
    """The raw points as read before issue 14: the whole file into memory, then complex."""
    ds = read_bruker(folder)
    dtype = np.dtype((">" if int(ds.acqus.get("BYTORDA", 0)) == 1 else "<")
                     + {0: "i4", 2: "f8"}[int(ds.acqus.get("DTYPA", 0))])
    td = int(ds.acqus["TD"])
    data = np.frombuffer((folder / "fid").read_bytes(), dtype=dtype, count=td)
    return (data[0::2] + 1j * data[1::2]).astype(np.complex128)


@pytest.mark.parametrize("name", REAL)
def test_memory_map_equals_whole_file_read_on_real_data(name):
    ds = read_bruker(BRUKER / name)
    assert "raw" not in ds.__dict__  # nothing read before it is asked for
    assert ds.shape == (int(ds.acqus["TD"]) // 2,)
    np.testing.assert_array_equal(ds.raw, whole_file_read(BRUKER / name))
    spec = process_fid(raw_signal(ds), ds.processing)
    again = process_fid(raw_signal(read_bruker(BRUKER / name)), ds.processing)
    np.testing.assert_array_equal(spec.values, again.values)


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_respdor_series(tmp_path_factory.mktemp("rows") / "1", 503.0, 0.24,
                                list(range(2, 16, 2)), noise_sd=0.004, seed=3)


@pytest.mark.parametrize("rows_per_block", [1, 3, 14, 100])
def test_row_iterator_covers_the_series_in_order(series, rows_per_block):
    ds = read_bruker(series)
    n_rows, n = ds.shape
    blocks = list(raw_row_blocks(ds, rows_per_block * n))
    assert len(blocks) == -(-n_rows // rows_per_block)
    assert "raw" not in ds.__dict__  # the blocks were read without the whole array
    assert all(b.values.shape[0] <= rows_per_block for b in blocks)
    np.testing.assert_array_equal(np.concatenate([b.values for b in blocks]), ds.raw)
    np.testing.assert_array_equal(blocks[0].axis, raw_signal(ds).axis)


@pytest.mark.parametrize("auto_phase", [None, "acme"])
def test_curve_does_not_depend_on_the_block_size(series, auto_phase):
    ds = read_bruker(series)
    whole = respdor_series(ds, REGION, auto_phase=auto_phase, block_points=None)
    n = ds.shape[1]
    for rows_per_block in (1, 4):
        blocks = respdor_series(read_bruker(series), REGION, auto_phase=auto_phase,
                                block_points=rows_per_block * n)
        for key, values in whole.columns().items():
            np.testing.assert_allclose(blocks.columns()[key], values, rtol=1e-12, atol=0,
                                       err_msg=key)


def test_blocks_equal_process_series(series):
    ds = read_bruker(series)
    whole = process_series(ds, auto_phase="acme")
    phases, blocks = phased_series(read_bruker(series), auto_phase="acme",
                                   block_points=2 * ds.shape[1])
    assert phases == (whole.meta["phc0"], whole.meta["phc1"])
    np.testing.assert_allclose(np.concatenate([b.values for b in blocks]), whole.values,
                               rtol=0, atol=1e-12 * np.abs(whole.values).max())


def test_separate_reference_by_blocks(series, tmp_path):
    ds = read_bruker(series)
    times = np.arange(1.0, ds.shape[0] + 1) * 1e-4
    whole = respdor_series(ds, REGION, times, reference=ds, block_points=None)
    rows = respdor_series(ds, REGION, times, reference=read_bruker(series),
                          block_points=ds.shape[1])
    np.testing.assert_allclose(rows.s0, whole.s0, rtol=1e-12)
    np.testing.assert_allclose(rows.s_noise, whole.s_noise, rtol=1e-12)


def test_dosy_series_by_blocks_equals_before(tmp_path):
    folder = write_dosy_series(tmp_path / "dosy", np.linspace(2.0, 50.0, 6), 5e-10, seed=4)
    ds = read_bruker(folder)
    spec = process_series(ds)
    from cald.nmr.processing import integral_noise, integrate

    curve = dosy_series(ds, (5.8, 5.0))
    np.testing.assert_array_equal(curve.intensity, integrate(spec, 5.8, 5.0))
    np.testing.assert_array_equal(curve.noise, integral_noise(spec, 5.8, 5.0))


def test_streamed_writer_writes_what_it_is_given(tmp_path):
    setup = AcquisitionSetup("13C", td=512, group_delay=68.0)
    rng = np.random.default_rng(1)
    rows = rng.standard_normal((5, 256)) + 1j * rng.standard_normal((5, 256))
    folder = write_series_rows(tmp_path / "ser", setup, iter(rows), int_scale=1000.0)
    ds = read_bruker(folder)
    assert ds.shape == (5, 256)
    np.testing.assert_array_equal(ds.raw, np.rint(rows.real * 1000) + 1j * np.rint(rows.imag * 1000))


def test_truncated_ser_is_one_line_naming_the_file(series, copy_dataset):
    folder = copy_dataset(series, "cut")
    ser = folder / "ser"
    ser.write_bytes(ser.read_bytes()[:-4096])
    with pytest.raises(DataFileError) as info:
        read_bruker(folder)
    message = str(info.value)
    assert str(ser) in message and "\n" not in message and "rows" in message


def test_ser_shrinking_after_reading_is_an_error_naming_it(series, copy_dataset):
    """The file is checked when the folder is read and mapped only later, a block at a time:
    if it has shrunk meanwhile (an acquisition still being copied), the map fails cleanly."""
    folder = copy_dataset(series, "shrinks")
    ds = read_bruker(folder)
    ser = folder / "ser"
    ser.write_bytes(ser.read_bytes()[: ser.stat().st_size // 2])
    with pytest.raises(DataFileError) as info:
        respdor_series(ds, REGION, block_points=ds.shape[1])
    message = str(info.value)
    assert str(ser) in message and "\n" not in message and "cannot read rows" in message


def test_cli_truncated_ser(series, copy_dataset, tmp_path, capsys):
    from cald.cli.app import main

    folder = copy_dataset(series, "cli_cut")
    (folder / "ser").write_bytes((folder / "ser").read_bytes()[:-100])
    code = main(["respdor", "extract", str(folder), "--region", "190:178", "--out",
                 str(tmp_path / "c.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ")
    assert str(folder / "ser") in err[0]
