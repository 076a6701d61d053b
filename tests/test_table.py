"""Numeric text tables (``cald.io.table``) and dephasing curves built from them
(``DephasingCurve.from_table``): examples, error messages and hypothesis properties."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cald.errors import DataFileError, InputError
from cald.io.table import Table, format_table, parse_table, read_table, write_table
from cald.recoupling.data import DephasingCurve, read_dephasing_csv

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
DELIMITERS = {"comma": ",", "tab": "\t", "semicolon": ";", "spaces": "   ", "space": " "}


# --- strategies ---------------------------------------------------------------------------

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
column_names = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1,
                       max_size=12).filter(lambda s: s[0] not in string.digits)


@st.composite
def tables(draw: st.DrawFn) -> dict[str, list[float]]:
    """1–5 columns (names unique ignoring case) of 1–50 finite floats."""
    names = draw(st.lists(column_names, min_size=1, max_size=5, unique_by=str.lower))
    n_rows = draw(st.integers(1, 50))
    return {n: draw(st.lists(finite_floats, min_size=n_rows, max_size=n_rows)) for n in names}


#: One line of text: no line-break characters of any kind (str.splitlines breaks on Cc/Zl/Zp).
line_text = st.text(st.characters(exclude_categories=("Cc", "Zl", "Zp", "Cs")), max_size=30)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


#: A cell that is not a number: no whitespace, delimiters or line breaks, not starting with #.
non_numeric_tokens = st.text(
    st.characters(exclude_categories=("Cc", "Zs", "Zl", "Zp", "Cs"),
                  exclude_characters=",;\t#"),
    min_size=1, max_size=10,
).filter(lambda s: s.strip() == s and not _is_float(s))


def _bits(values) -> bytes:
    return np.asarray(values, dtype=float).tobytes()


def _text(columns: dict[str, list[float]], delimiter: str) -> list[str]:
    """Lines of a table with the given delimiter (values in full precision)."""
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(repr(v) for v in row) for row in zip(*columns.values(), strict=True)]
    return lines


# --- parse_table: examples ----------------------------------------------------------------


def test_parse_basic():
    table = parse_table("# made by hand\nt_ms,dS_S0\n0.5,0.1\n1.0,0.25\n", "example.csv")
    assert isinstance(table, Table)
    assert list(table.columns) == ["t_ms", "dS_S0"]
    np.testing.assert_array_equal(table.columns["t_ms"], [0.5, 1.0])
    np.testing.assert_array_equal(table.columns["dS_S0"], [0.1, 0.25])
    assert table.columns["t_ms"].dtype == np.float64
    assert table.comments == ["made by hand"]
    assert table.source == "example.csv"


@pytest.mark.parametrize("delimiter", list(DELIMITERS.values()), ids=list(DELIMITERS))
def test_parse_delimiters(delimiter):
    text = f"a{delimiter}b{delimiter}c\n1{delimiter}2{delimiter}3\n-4e-3{delimiter}5{delimiter}6\n"
    table = parse_table(text, "x")
    assert list(table.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(table.columns["a"], [1.0, -4e-3])


def test_parse_tolerates_padding_crlf_and_mixed_whitespace():
    text = "  t_ms ,  dS_S0 \r\n 1 , 0.5 \r\n\r\n\t2,0.25\r\n   # trailing comment\r\n"
    table = parse_table(text, "x")
    assert list(table.columns) == ["t_ms", "dS_S0"]
    np.testing.assert_array_equal(table.columns["dS_S0"], [0.5, 0.25])
    assert table.comments == ["trailing comment"]
    spaced = parse_table("t_ms \t dS_S0\n1   \t 0.5\n", "x")  # tab wins over spaces
    np.testing.assert_array_equal(spaced.columns["dS_S0"], [0.5])


def test_find_and_require_ignore_case():
    table = parse_table("T_MS,ds_s0\n1,0.5\n", "f.csv")
    np.testing.assert_array_equal(table.find("t_ms"), [1.0])
    np.testing.assert_array_equal(table.require("dS_S0"), [0.5])
    assert table.find("sigma") is None
    with pytest.raises(DataFileError, match=r"f\.csv: missing column 'sigma' .*T_MS, ds_s0"):
        table.require("sigma")


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "no header row"),
    ("# only a comment\n\n   \n", "no header row"),
    ("t_ms,dS_S0\n", "no data rows below the header"),
    ("t_ms,,dS_S0\n1,2,3\n", "line 1: empty column name"),
    ("t_ms,\n1,2\n", "line 1: empty column name"),
    ("# c\nt_ms,T_MS\n1,2\n", "line 2: duplicate column names"),
    ("a,b\n1,2\n3\n", "line 3: 1 cells, header has 2 columns"),
    ("a,b\n1,2,3\n", "line 2: 3 cells, header has 2 columns"),
    ("a,b\n1,\n", "line 2, column 'b': empty cell"),
    ("a,b\n1,x\n", "line 2, column 'b': 'x' is not a number"),
    ("a;b\n1;2,5\n", "line 2, column 'b': '2,5' is not a number"),
    ("a,b\n\n1,2\nnan,2\n", "line 4, column 'a': 'nan' is not a finite number"),
    ("a,b\n1,inf\n", "line 2, column 'b': 'inf' is not a finite number"),
    ("a,b\n1,-Infinity\n", "not a finite number"),
    ("a,b\n1,1e999\n", "'1e999' is not a finite number"),
])
def test_parse_errors(text, fragment):
    with pytest.raises(DataFileError) as info:
        parse_table(text, "src.csv")
    message = str(info.value)
    assert message.startswith("src.csv: ")
    assert fragment in message
    assert info.value.source == "src.csv"
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


# --- read_table, format_table, write_table ------------------------------------------------


def test_read_table(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("\ufeff# bom and comment\nt_ms\tS0\n1\t2\n", encoding="utf-8")
    table = read_table(path)
    assert table.source == str(path)
    assert list(table.columns) == ["t_ms", "S0"]  # the byte-order mark is not part of a name
    assert table.comments == ["bom and comment"]


@pytest.mark.parametrize(("setup", "fragment"), [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b"a,b\n1,\xff\n"), "not a UTF-8 text table"),
    (lambda p: p.write_text("a,b\n1,x\n", encoding="utf-8"), "line 2, column 'b'"),
], ids=["missing", "directory", "binary", "bad-cell"])
def test_read_table_errors_name_the_file(tmp_path, setup, fragment):
    path = tmp_path / "in.csv"
    setup(path)
    with pytest.raises(DataFileError) as info:
        read_table(str(path))
    assert str(info.value).startswith(f"{path}: ")
    assert fragment in str(info.value)


def test_format_table():
    text = format_table({"t_ms": [0.1, 2.0], "S": np.array([1 / 3, -0.0])}, ["one", "two"])
    assert text == f"# one\n# two\nt_ms,S\n0.1,{1 / 3!r}\n2.0,-0.0\n"


def test_write_table(tmp_path):
    path = tmp_path / "new" / "folder" / "out.csv"
    returned = write_table(path, {"a": [1.5, 2.5]}, ["hello"])
    assert returned == path
    assert path.read_text(encoding="utf-8") == "# hello\na\n1.5\n2.5\n"
    write_table(path, {"b": [3.0]})  # overwrites
    assert read_table(path).columns.keys() == {"b"}
    assert [p.name for p in path.parent.iterdir()] == ["out.csv"], "no temporary files left"


def test_multiline_comment_round_trip(tmp_path):
    path = write_table(tmp_path / "c.csv", {"t_ms": [1.0], "dS_S0": [0.5]}, ["first\nsecond"])
    assert list(read_table(path).columns) == ["t_ms", "dS_S0"]


# --- properties ---------------------------------------------------------------------------


@SETTINGS
@given(columns=tables(), comments=st.lists(line_text, max_size=3))
def test_round_trip_is_exact(tmp_path_factory, columns, comments):
    path = tmp_path_factory.getbasetemp() / "round_trip.csv"
    write_table(path, columns, comments)
    table = read_table(path)
    assert list(table.columns) == list(columns)
    for name, values in columns.items():
        assert _bits(table.columns[name]) == _bits(values), name  # bit for bit, -0.0 included
    assert table.comments == [c.strip() for c in comments]
    # format_table and parse_table agree without the file system as well
    again = parse_table(format_table(columns, comments), "mem")
    assert all(_bits(again.columns[n]) == _bits(v) for n, v in columns.items())


@SETTINGS
@given(columns=tables(), delimiter=st.sampled_from(list(DELIMITERS.values())),
       data=st.data())
def test_delimiters_and_padding(columns, delimiter, data):
    lines = _text(columns, delimiter)
    if delimiter in (",", ";", "\t"):  # spaces around a real delimiter are ignored
        pad = data.draw(st.sampled_from(["", " ", "  "]), label="pad")
        lines = [(pad + delimiter + pad).join(line.split(delimiter)) for line in lines]
    table = parse_table("\n".join(lines), "x")
    assert list(table.columns) == list(columns)
    assert all(_bits(table.columns[n]) == _bits(v) for n, v in columns.items())


@SETTINGS
@given(columns=tables(), delimiter=st.sampled_from(list(DELIMITERS.values())), data=st.data())
def test_comments_and_blank_lines_are_ignored(columns, delimiter, data):
    clean = _text(columns, delimiter)
    noisy: list[str] = []
    expected_comments: list[str] = []
    for line in [*clean, None]:  # None: also after the last row
        for _ in range(data.draw(st.integers(0, 2), label="extra lines")):
            if data.draw(st.booleans(), label="comment?"):
                indent = data.draw(st.sampled_from(["", " ", "\t "]), label="indent")
                body = data.draw(line_text, label="comment")
                noisy.append(f"{indent}#{body}")
                expected_comments.append(body.strip())
            else:
                noisy.append(data.draw(st.sampled_from(["", " ", "\t", " \t  "]), label="blank"))
        if line is not None:
            noisy.append(line)
    ending = data.draw(st.sampled_from(["\n", "\r\n"]), label="line ending")
    table = parse_table(ending.join(noisy), "x")
    reference = parse_table("\n".join(clean), "x")
    assert list(table.columns) == list(reference.columns)
    assert all(_bits(table.columns[n]) == _bits(reference.columns[n]) for n in columns)
    assert table.comments == expected_comments


#: Text that looks a bit like a table, so that garbage reaches the cell parser too.
table_like = st.text(st.sampled_from(list("0123456789.,;\t \n\r#-+eEnaif_xtmsdS0\x00\u2028é٣")),
                     max_size=80)


@SETTINGS
@given(text=st.one_of(st.text(max_size=200), table_like))
def test_garbage_text_raises_only_data_file_error(text):
    try:
        table = parse_table(text, "garbage")
    except DataFileError as exc:
        assert str(exc).startswith("garbage: ")
        return
    assert table.columns and all(np.all(np.isfinite(v)) for v in table.columns.values())
    assert len({v.size for v in table.columns.values()}) == 1
    try:
        DephasingCurve.from_table(table)
    except DataFileError:
        pass


@SETTINGS
@given(content=st.one_of(st.binary(max_size=200), table_like.map(str.encode)))
def test_garbage_file_raises_only_data_file_error(tmp_path_factory, content):
    path = tmp_path_factory.getbasetemp() / "garbage.csv"
    path.write_bytes(content)
    try:
        read_dephasing_csv(str(path))
    except DataFileError as exc:
        assert str(exc).startswith(f"{path}: ")


@SETTINGS
@given(columns=tables(), delimiter=st.sampled_from(list(DELIMITERS.values())),
       token=non_numeric_tokens, data=st.data())
def test_non_numeric_cell_is_located(columns, delimiter, token, data):
    names = list(columns)
    n_rows = len(columns[names[0]])
    row = data.draw(st.integers(0, n_rows - 1), label="row")
    col = data.draw(st.integers(0, len(names) - 1), label="column")
    n_comments = data.draw(st.integers(0, 3), label="leading comments")
    lines = _text(columns, delimiter)
    cells = lines[1 + row].split(delimiter)
    cells[col] = token
    lines[1 + row] = delimiter.join(cells)
    text = "\n".join(["# comment"] * n_comments + lines)
    with pytest.raises(DataFileError) as info:
        parse_table(text, "cells.csv")
    line_no = n_comments + 2 + row
    assert f"line {line_no}, column {names[col]!r}" in str(info.value)
    assert str(info.value).startswith("cells.csv: ")


# --- DephasingCurve.from_table ------------------------------------------------------------


def test_times_converted_from_ms_to_s():
    curve = DephasingCurve.from_table(
        parse_table("t_ms,dS_S0,sigma\n0.5,0.1,0.01\n1,0.2,0.02\n2.5,0.3,0.03\n", "c.csv"))
    np.testing.assert_allclose(curve.t_s, [5e-4, 1e-3, 2.5e-3], rtol=1e-15)
    np.testing.assert_array_equal(curve.ds_s0, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(curve.sigma, [0.01, 0.02, 0.03])
    assert curve.sigma_source == "given"
    assert curve.source == "c.csv"
    assert curve.to_dict()["t_ms"] == pytest.approx([0.5, 1.0, 2.5], rel=1e-15)


def test_dephasing_without_sigma():
    curve = DephasingCurve.from_table(parse_table("T_MS;DS_S0\n1;0.1\n2;0.2\n", "c"))
    assert curve.sigma is None and curve.sigma_source == "unknown"
    np.testing.assert_array_equal(curve.weights(), [1.0, 1.0])


def test_intensities_without_noise():
    curve = DephasingCurve.from_table(parse_table("t_ms,S0,S\n1,2.0,1.5\n2,4.0,1.0\n", "c"))
    np.testing.assert_allclose(curve.ds_s0, [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(curve.t_s, [1e-3, 2e-3], rtol=1e-15)
    assert curve.sigma is None and curve.sigma_source == "unknown"


@SETTINGS
@given(rows=st.lists(st.tuples(st.floats(0.01, 1e3), st.floats(-1e3, 1e3),
                               st.floats(1e-6, 1e2), st.floats(1e-6, 1e2)),
                     min_size=2, max_size=20))
def test_sigma_propagation_formula(rows):
    s0, s, n0, n1 = (np.array(c) for c in zip(*rows, strict=True))
    t_ms = np.arange(len(rows), dtype=float)
    text = format_table({"t_ms": t_ms, "S0": s0, "S": s, "S0_noise": n0, "S_noise": n1})
    curve = DephasingCurve.from_table(parse_table(text, "p"))
    expected = np.sqrt((n1 / s0) ** 2 + (s * n0 / s0**2) ** 2)  # σ² = (σ_S/S0)² + (S σ_S0/S0²)²
    np.testing.assert_allclose(curve.sigma, expected, rtol=1e-12)
    np.testing.assert_allclose(curve.ds_s0, 1.0 - s / s0, rtol=1e-12, atol=1e-12)
    assert curve.sigma_source == "propagated from intensity noise"


def test_sigma_propagation_agrees_with_monte_carlo():
    s0 = np.array([1.0, 0.9, 0.7, 0.5])
    s = np.array([0.95, 0.6, 0.4, 0.1])
    n0 = np.array([0.002, 0.004, 0.003, 0.002])
    n1 = np.array([0.003, 0.002, 0.004, 0.002])
    text = format_table({"t_ms": [0.2, 0.4, 0.8, 1.6], "S0": s0, "S": s,
                         "S0_noise": n0, "S_noise": n1})
    curve = DephasingCurve.from_table(parse_table(text, "mc"))
    rng = np.random.default_rng(12345)
    n = 200_000
    draws = 1.0 - (s + n1 * rng.standard_normal((n, 4))) / (s0 + n0 * rng.standard_normal((n, 4)))
    np.testing.assert_allclose(curve.sigma, draws.std(axis=0), rtol=0.02)
    np.testing.assert_allclose(curve.ds_s0, draws.mean(axis=0), atol=1e-3)


@pytest.mark.parametrize(("text", "fragment"), [
    ("time,dS_S0\n1,0.1\n2,0.2\n", "missing column 't_ms'"),
    ("t_ms,S\n1,0.1\n2,0.2\n", "need column 'dS_S0' or columns 'S0' and 'S'"),
    ("t_ms,dS_S0\n1,0.1\n", "need at least 2 points"),
    ("t_ms,dS_S0\n1,0.1\n-2,0.2\n", "negative recoupling time in data row 2"),
    ("t_ms,dS_S0,sigma\n1,0.1,0.1\n2,0.2,0\n", "'sigma' must be > 0"),
    ("t_ms,S0,S\n1,1,0.5\n2,-1,0.5\n", "'S0' must be > 0"),
    ("t_ms,S0,S,S_noise\n1,1,0.5,0.1\n2,1,0.5,0.1\n", "give both noise columns"),
    ("t_ms,S0,S,S0_noise,S_noise\n1,1,0.5,0.1,0.1\n2,1,0.5,-0.1,0.1\n", "must be > 0"),
], ids=["no-t_ms", "no-S0", "one-row", "negative-time", "sigma-zero", "S0-negative",
        "one-noise-column", "negative-noise"])
def test_from_table_errors_name_the_source(text, fragment):
    with pytest.raises(DataFileError) as info:
        DephasingCurve.from_table(parse_table(text, "curve.csv"))
    assert str(info.value).startswith("curve.csv: ")
    assert fragment in str(info.value)


def test_read_dephasing_csv(tmp_path: Path):
    path = write_table(tmp_path / "r.csv", {"t_ms": [1.0, 2.0], "dS_S0": [0.1, 0.2]}, ["x"])
    curve = read_dephasing_csv(str(path))
    assert curve.source == str(path)
    np.testing.assert_allclose(curve.t_s, [1e-3, 2e-3])


@pytest.mark.parametrize(("column", "value", "fragment"), [
    ("dS_S0", -1e308, "out of any measurable range"), ("t_ms", 1e308, "above 10 s"),
    ("sigma", 1e-200, "column 'sigma' is out of range for fit weights"),
    ("sigma", 1e200, "column 'sigma' is out of range for fit weights"),
])
def test_absurd_curve_values_are_refused(column, value, fragment):
    """Found by the bad-file harness: 1e308 in a curve ended in a traceback of the fit; a σ of
    1e-200 or 1e308 overflowed the weights 1/σ² (overflow warnings)."""
    cols = {"t_ms": [0.4, 0.8, 1.2], "dS_S0": [0.1, 0.2, 0.25], "sigma": [0.01, 0.01, 0.01]}
    cols[column][0] = value
    with pytest.raises(DataFileError, match=fragment):
        DephasingCurve.from_table(parse_table(format_table(cols), "p"))
