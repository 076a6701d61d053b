"""The vendor-neutral raw data set (``cald.io.nmrdata``): Bruker satisfies the protocol, a data
set of another vendor (here a minimal in-memory one) runs through the same series processing,
and format detection refuses a folder that looks like two formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cald.errors import DataFileError
from cald.io.bruker import read_bruker
from cald.io.nmrdata import (
    RAW_FORMATS,
    ArrayedValues,
    NmrDataset,
    RawFormat,
    detect_raw_format,
    raw_row_blocks,
    raw_signal,
    read_raw,
)
from cald.nmr.pseudo2d import recoupling_times_s, respdor_series, rotor_period_s
from cald.processing_options import ProcessingOptions
from cald.synth.bruker import AcquisitionSetup, Line, lines_fid, write_experiment

SETUP = AcquisitionSetup("13C", sw_hz=20_000.0, td=512, carrier_ppm=100.0, ns=16, rg=64.0,
                         pulse_program="redor", mas_hz=10_000.0)
COUNTS = [2, 4, 8]
LINES = [Line(181.0, 1.0, 80.0), Line(30.0, 2.0, 80.0)]


@dataclass(frozen=True)
class MemoryDataset:
    """A raw series held in memory: the least another vendor's reader must provide."""

    rows: np.ndarray
    path: Path = Path("memory")
    nucleus: str = "13C"
    sf_mhz: float = SETUP.bf1_mhz
    carrier_mhz: float = SETUP.sfo1_mhz
    sw_hz: float = SETUP.sw_hz
    group_delay: float = 0.0
    processing: ProcessingOptions = ProcessingOptions()
    title: str = "in memory"
    arrays: dict[str, ArrayedValues] = field(default_factory=dict)
    rotor_period_s: float | None = 1e-4
    cpmg_echo_period_s: float | None = None
    scans: int = 16
    receiver_gain: float = 64.0
    vendor: str = "memory"

    @property
    def parameter_file(self) -> Path:
        return self.path

    @property
    def dwell_s(self) -> float:
        return 1.0 / self.sw_hz

    @property
    def shape(self) -> tuple[int, ...]:
        return self.rows.shape

    @property
    def is_series(self) -> bool:
        return self.rows.ndim == 2

    @property
    def raw(self) -> np.ndarray:
        return self.rows

    def read_rows(self, start: int, stop: int) -> np.ndarray:
        return self.rows[start:stop]

    def acquisition_settings(self) -> dict[str, tuple[Any, float | None]]:
        return {"sw_hz": (self.sw_hz, 1e-6)}

    def meta(self) -> dict[str, Any]:
        return {"group_delay": self.group_delay, "nucleus": self.nucleus}


def _pairs() -> np.ndarray:
    """Interleaved S0/S rows: the 181 ppm line dephased by 10 % per count step."""
    rows = []
    for i, _ in enumerate(COUNTS):
        rows.append(lines_fid(SETUP, LINES))
        rows.append(lines_fid(SETUP, [Line(181.0, 1.0 - 0.1 * (i + 1), 80.0), LINES[1]]))
    return np.array(rows)


@pytest.fixture(scope="module")
def bruker_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("nmrdata") / "series"
    write_experiment(folder, SETUP, _pairs(), noise_sd=0.0, seed=0,
                     acqu2s={"TD": 2 * len(COUNTS)}, lists={"vclist": (COUNTS, "")})
    return folder


def test_bruker_satisfies_the_protocol(bruker_series):
    ds = read_bruker(bruker_series)
    assert isinstance(ds, NmrDataset)
    assert ds.vendor == "bruker" and ds.parameter_file == bruker_series / "acqus"
    assert ds.arrays["vclist"].unit == "count"
    np.testing.assert_array_equal(ds.arrays["vclist"].values, COUNTS)
    assert ds.rotor_period_s == pytest.approx(1e-4)
    assert (ds.scans, ds.receiver_gain) == (16, 64.0)
    assert ds.acquisition_settings()["PULPROG"] == ("redor", None)
    assert detect_raw_format(bruker_series) == "bruker"
    assert read_raw(bruker_series).shape == ds.shape


def test_another_vendor_runs_through_the_series_processing(bruker_series):
    """The same rows as an in-memory data set give the Bruker curve (to 2e-4: the Bruker file
    stores the rows as integers behind a digital-filter delay)."""
    mem = MemoryDataset(_pairs(), arrays={"ncyc": ArrayedValues("ncyc", np.repeat(COUNTS, 2),
                                                                "count")})
    assert isinstance(mem, NmrDataset)
    sig = raw_signal(mem, (0, 2))
    assert sig.values.shape == (2, 256) and sig.axis[1] == pytest.approx(5e-5)
    assert [b.values.shape[0] for b in raw_row_blocks(mem, block_points=512)] == [2, 2, 2]
    # an array with one value per row of an interleaved series: one time per pair
    t, how = recoupling_times_s(mem, len(COUNTS))
    np.testing.assert_allclose(t, np.array(COUNTS) * 1e-4)
    assert how.startswith("ncyc (3 loop counts")
    ours = respdor_series(mem, (190.0, 172.0))
    theirs = respdor_series(read_bruker(bruker_series), (190.0, 172.0))
    np.testing.assert_allclose(ours.s / ours.s0, theirs.s / theirs.s0, rtol=2e-4)
    np.testing.assert_allclose(ours.s / ours.s0, [0.9, 0.8, 0.7], atol=5e-3)


def test_missing_rotor_period_names_the_parameter_file():
    mem = MemoryDataset(_pairs(), rotor_period_s=None,
                        arrays={"ncyc": ArrayedValues("ncyc", np.array(COUNTS), "count")})
    with pytest.raises(DataFileError, match="no MAS rate"):
        rotor_period_s(mem)
    with pytest.raises(DataFileError, match="no MAS rate"):
        respdor_series(mem, (190.0, 172.0))


def test_two_formats_in_one_folder(bruker_series, tmp_path, monkeypatch):
    folder = tmp_path / "both"
    folder.mkdir()
    (folder / "acqus").write_bytes((bruker_series / "acqus").read_bytes())
    (folder / "other.par").write_text("", encoding="ascii")
    other = RawFormat("other", "Other", "other.par", lambda p: (p / "other.par").is_file(),
                      "cald.io.bruker:read_bruker")
    monkeypatch.setitem(RAW_FORMATS, "other", other)
    with pytest.raises(DataFileError, match="looks like bruker and other data at once"):
        detect_raw_format(folder)
    with pytest.raises(DataFileError, match="missing acqus"):
        detect_raw_format(tmp_path)
    with pytest.raises(DataFileError, match="unknown raw format"):
        read_raw(bruker_series, kind="nmrpipe")


def test_arrayed_values_unit_is_checked():
    with pytest.raises(ValueError, match="unit"):
        ArrayedValues("x", np.zeros(2), "ms")


def test_project_dataset_kind_detected_or_checked(bruker_series, tmp_path):
    from cald.project.config import ProjectConfigError, load_project

    def project(kind: str) -> Path:
        path = tmp_path / "project.toml"
        path.write_text(f'[project]\nname = "x"\n[[datasets]]\nid = "s"\npath = "{bruker_series}"\n'
                        f"{kind}", encoding="utf-8")
        return path

    assert load_project(project("")).datasets[0].kind == "bruker"
    assert load_project(project('kind = "bruker"\n')).datasets[0].kind == "bruker"
    with pytest.raises(ProjectConfigError, match="datasets.0..kind"):
        load_project(project('kind = "nmrpipe"\n'))
