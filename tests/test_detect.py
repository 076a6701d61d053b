"""detect_format: the format of a path from its header bytes (real files and small writers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cald.io.detect import SNIFF_BYTES, detect_format

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(("rel", "expected"), [
    ("bruker/sucrose_1h_600", "bruker"),
    ("bruker/xwin_13c", "bruker"),
    ("dosy/doneshot_dmso_298k", "bruker"),
    ("bruker/xwin_13c/pdata", None),
    ("bruker/xwin_13c/fid", None),
    ("xps/pynx_regular.vms", "vamas"),
    ("xps/lg4x_kratos_0-150W.vms", "vamas"),  # blank lines before the identifier
    ("xps/lg4x_phi_multipak.npl", "vamas"),
    ("jcamp/TESTSPEC.DX", "jcamp"),  # leading blank before ##TITLE
    ("ftir/xyinc1.jdx", "jcamp"),
    ("jcamp/DX-DIR.TXT", None),  # prose
    ("uvvis/jasco_pbse_batch1.txt", "csv"),
    ("xps_models/cheminfo_assigned_block49_Nb3d.csv", "csv"),
    ("models/cd_acetate_alme2.extxyz", "structure"),
    ("README.md", None),
])
def test_real_files(rel: str, expected: str | None) -> None:
    assert detect_format(DATA / rel) == expected


def test_small_writers(tmp_path: Path) -> None:
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "acqus").write_text("##TITLE= Parameter file\n##$NUC1= <13C>\n")
    assert detect_format(tmp_path / "exp") == "bruker"
    assert detect_format(tmp_path / "missing") is None
    (tmp_path / "empty.csv").write_bytes(b"")
    assert detect_format(tmp_path / "empty.csv") is None
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02" * 100)
    assert detect_format(tmp_path / "bin.csv") is None
    (tmp_path / "semi.txt").write_text("# x;y\n1,5;2\n2,5;3\n3,5;4\n")  # separators only
    assert detect_format(tmp_path / "semi.txt") == "csv"
    (tmp_path / "two.csv").write_text("x,y\n1,2\n3,4\n")  # too few rows to call a table
    assert detect_format(tmp_path / "two.csv") is None
    (tmp_path / "bad.xyz").write_text("not a count\n")
    assert detect_format(tmp_path / "bad.xyz") is None
    (tmp_path / "m.cif").write_text("# comment\ndata_CdSe\n_cell_length_a 6.0\n")
    assert detect_format(tmp_path / "m.cif") == "structure"


def test_reads_only_the_head(tmp_path: Path) -> None:
    """A large table is recognised from its first bytes; its last line cut by the window is
    not counted against it."""
    p = tmp_path / "big.csv"
    p.write_text("wavelength_nm,absorbance\n" + "".join(f"{i}.5,{i * 1e-3:.6f}\n"
                                                         for i in range(SNIFF_BYTES)))
    assert detect_format(p) == "csv"
