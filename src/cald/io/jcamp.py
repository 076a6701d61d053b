"""JCAMP-DX spectra (NMR spectra and FIDs, IR, UV-vis) into a :class:`~cald.spectrum.Spectrum`.

NMR files are decoded with nmrglue's JCAMP-DX reader (AFFN, PAC, SQZ, DIF/DUP compression and
NTUPLES real/imaginary pairs); other spectra (IR, UV-vis) by the decoder here: the first
block's ``##XYDATA=(X++(Y..Y))`` table in every ASDF form (AFFN, PAC, SQZ, DIF, DUP; the Y check
of DIF lines and an X check of every line against FIRSTX, LASTX and NPOINTS) or an
``(XY..XY)`` table of AFFN pairs; ``$$`` comments and control characters (a DOS end-of-file
byte) are ignored. (The ``jcamp`` package read DUP only after DIF and failed on ``$$`` comments
after a factor: 4 of the 7 public-domain IR test files.) X units: HZ → ppm by the observe
frequency, PPM kept, SECONDS kept for FIDs, 1/CM → cm⁻¹, NANOMETERS → nm; the ordinate as stored
(its unit in ``meta["yunits"]``).
"""

from __future__ import annotations

import math
import os
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from cald.errors import DataFileError
from cald.spectrum import Spectrum

__all__ = ["read_jcamp"]

_UNITS = {"HZ": "hz", "PPM": "ppm", "SECONDS": "s", "1/CM": "cm-1", "NANOMETERS": "nm",
          "NM": "nm"}


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _number(dic: dict[str, Any], key: str, path: Path) -> float:
    try:
        return float(str(_first(dic[key])).split()[0].rstrip(","))
    except (KeyError, ValueError, IndexError):
        raise DataFileError(f"JCAMP field {key} missing or not a number", path) from None


def _axis(first: float, last: float, n: int) -> np.ndarray:
    return np.linspace(first, last, n)


#: nmrglue warnings that leave the data intact (an empty ``##KEY=``): kept as notes.
_HARMLESS = ("JCAMP-DX key without value",)


def _parser_notes(dic: dict[str, Any], messages: list[str], path: Path) -> tuple[str, ...]:
    """nmrglue's parser warnings as errors (a factor not applied, a data line not parsed: the
    values would be wrong) or, for harmless ones, notes for the history."""
    for message in messages:
        if message.startswith(_HARMLESS):
            continue
        if "YFACTOR" in message:
            field = "FACTOR" if message.startswith("NTUPLES") else "YFACTOR"
            value = str(_first(dic.get(field, "")))
            raise DataFileError(f"##{field}= {value!r} cannot be applied (not a number, or not one "
                                "per R/I page): every intensity would be wrong by that factor",
                                path)
        raise DataFileError(f"JCAMP-DX parse error: {' '.join(message.split())}", path)
    return tuple(f"note: {m}" for m in messages)


def _read_nmr(path: Path) -> Spectrum:
    import nmrglue as ng

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dic, data = ng.jcampdx.read(str(path))
        except Exception as exc:  # nmrglue raises bare exceptions on corrupt data
            raise DataFileError(f"corrupt JCAMP-DX data: {exc}", path) from None
    notes = _parser_notes(dic, [str(w.message) for w in caught], path)
    if data is None or np.size(data[0] if isinstance(data, list) and data else data) == 0:
        raise DataFileError("no data block (file truncated or not a spectrum)", path)
    freq = _number(dic, ".OBSERVEFREQUENCY", path)
    nucleus = str(_first(dic.get(".OBSERVENUCLEUS", ""))).replace("^", "").strip() or None
    if isinstance(data, list):  # NTUPLES: [real, imaginary]
        dims = [int(float(x)) for x in str(_first(dic.get("VARDIM", "0"))).replace(",", " ").split()]
        expected = dims[0] if dims else 0
        sizes = [np.size(d) for d in data]
        if any(n != expected for n in sizes):
            raise DataFileError(f"NTUPLES pages hold {sizes} points, VAR_DIM says {expected} "
                                "(file truncated or corrupt)", path)
        values = np.asarray(data[0], dtype=float)
        if len(data) > 1:
            values = values + 1j * np.asarray(data[1], dtype=float)
        firsts = [float(x) for x in str(_first(dic.get("FIRST", "0"))).replace(",", " ").split()]
        lasts = [float(x) for x in str(_first(dic.get("LAST", "0"))).replace(",", " ").split()]
        units = str(_first(dic.get("UNITS", "HZ"))).replace(",", " ").split()
        x_unit = units[0].upper() if units else "HZ"
        first, last = firsts[0], lasts[0]
    else:
        values = np.asarray(data, dtype=float)
        x_unit = str(_first(dic.get("XUNITS", "HZ"))).strip().upper()
        first, last = _number(dic, "FIRSTX", path), _number(dic, "LASTX", path)
        expected = int(_number(dic, "NPOINTS", path))
        if values.size != expected:
            raise DataFileError(f"data block holds {values.size} points, NPOINTS says {expected} "
                                "(file truncated or corrupt)", path)
    n = values.shape[-1]
    if n < 2 or not np.all(np.isfinite(values)):
        raise DataFileError("JCAMP-DX data are empty or hold non-finite values", path)
    axis = _axis(first, last, n)
    unit = _UNITS.get(x_unit)
    if unit is None:
        raise DataFileError(f"JCAMP-DX x unit {x_unit!r} not supported", path)
    if unit == "hz":
        offset = dic.get("$OFFSET")
        axis = axis / freq
        if offset is not None:  # Bruker files: ppm of the first point
            axis = axis - axis[0] + _number(dic, "$OFFSET", path)
        unit = "ppm"
    # JCAMP-DX NMR convention: the observe frequency is the carrier (needed to transform FIDs)
    return Spectrum(values, axis, unit, nucleus, freq, freq, str(path), ("read JCAMP-DX", *notes),
                    {"title": str(_first(dic.get("TITLE", "")))})


# --- spectra other than NMR: labelled data records and the XYDATA table, decoded here ---------

#: Largest number of points accepted (an IR spectrum at 0.1 cm⁻¹ over 400–40000 cm⁻¹ has 4 × 10⁵).
MAX_POINTS = 10_000_000
#: ASDF characters (JCAMP-DX 4.24, McDonald & Wilks 1988, Table 2): SQZ digits (absolute value
#: with its first digit and sign), DIF digits (difference to the previous ordinate), DUP
#: digits (repeat count of the previous token).
_SQZ = {c: d for d, c in enumerate("@ABCDEFGHI")} | {c: -d for d, c in enumerate("abcdefghi", 1)}
_DIF = {c: d for d, c in enumerate("%JKLMNOPQR")} | {c: -d for d, c in enumerate("jklmnopqr", 1)}
_DUP = {c: d for d, c in enumerate("STUVWXYZs", 1)}
_AFFN_LINE = re.compile(r"[\s,;]*[+-]?(\d+\.?\d*|\.\d+)([Ee][+-]?\d+)?"
                        r"([\s,;]*[+-]?(\d+\.?\d*|\.\d+)([Ee][+-]?\d+)?)*[\s,;]*")
_AFFN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[Ee][+-]?\d+)?")
_ASDF_TOKEN = re.compile(r"(?P<affn>[+-]?(?:\d+\.?\d*|\.\d+))|(?P<sqz>[@A-Ia-i][\d.]*)"
                         r"|(?P<dif>[%J-Rj-r][\d.]*)|(?P<dup>[S-Zs]\d*)|(?P<sep>[\s,;]+)|(?P<bad>.)")
#: Tabular forms of ``##XYDATA=`` / ``##XYPOINTS=``.
_EQUIDISTANT, _PAIRS = "(X++(Y..Y))", "(XY..XY)"


def _label(key: str) -> str:
    """A data label as JCAMP-DX compares them: upper case without spaces, ``-``, ``/``, ``_``."""
    return re.sub(r"[\s\-/_]", "", key).upper()


def _records(text: str) -> tuple[dict[str, str], str, list[tuple[int, str]]]:
    """Labelled data records of the first block (``$$`` comments and control characters
    removed), the form of its data table and the table's lines with their line numbers."""
    records: dict[str, str] = {}
    form, table, in_table = "", [], False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = "".join(c for c in raw.split("$$", 1)[0] if c >= " " or c == "\t").strip()
        if line.startswith("##"):
            if in_table:
                break
            key, _, value = line[2:].partition("=")
            key = _label(key)
            if key in ("XYDATA", "XYPOINTS"):
                form, in_table = _label(value), True
            elif key == "END" and records:
                break
            else:
                records.setdefault(key, value.strip())
        elif in_table and line:
            table.append((number, line))
    return records, form, table


def _field(records: dict[str, str], key: str, path: Path, default: float | None = None) -> float:
    if key not in records:
        if default is not None:
            return default
        raise DataFileError(f"##{key}= missing", path)
    try:
        value = float(records[key].split()[0].rstrip(",")) if records[key] else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DataFileError(f"##{key}= {records[key]!r} is not a finite number", path)
    return value


def _asdf_line(line: str, number: int, path: Path) -> tuple[list[float], bool]:
    """The numbers of one ``(X++(Y..Y))`` line (the abscissa first) and whether it ends with a
    DIF ordinate (then the next line starts with a check value). AFFN lines (exponents
    allowed) are read as plain numbers; other lines in the ASDF forms (SQZ, DIF, DUP, PAC)."""
    if _AFFN_LINE.fullmatch(line) and len(found := _AFFN_NUMBER.findall(line)) >= 2:
        return [float(v) for v in found], False
    values: list[float] = []
    last_kind, last_diff = "", 0.0
    for m in _ASDF_TOKEN.finditer(line):
        kind, text = m.lastgroup, m.group()
        if kind == "sep":
            continue
        try:
            if kind == "affn":
                values.append(float(text))
            elif kind == "sqz":
                values.append(float(f"{_SQZ[text[0]]}{text[1:]}" if _SQZ[text[0]] >= 0
                                    else f"-{-_SQZ[text[0]]}{text[1:]}"))
            elif kind == "dif":
                digits = text[1:]
                last_diff = float(f"{abs(_DIF[text[0]])}{digits}") * (1 if _DIF[text[0]] >= 0
                                                                       or text[0] == "%" else -1)
                if len(values) < 2:
                    raise DataFileError(f"XYDATA line {number}: a difference (DIF) before any "
                                        "ordinate", path)
                values.append(values[-1] + last_diff)
            elif kind == "dup":
                count = int(f"{_DUP[text[0]]}{text[1:]}")
                if len(values) < 2:
                    raise DataFileError(f"XYDATA line {number}: a repeat count (DUP) before any "
                                        "ordinate", path)
                if count > MAX_POINTS:
                    raise DataFileError(f"XYDATA line {number}: repeat count {count} exceeds "
                                        f"{MAX_POINTS} points", path)
                base, step = values[-1], last_diff if last_kind == "dif" else 0.0
                values.extend([base + step * k for k in range(1, count)])
                continue
            else:
                raise DataFileError(f"XYDATA line {number}: unexpected character {text!r}", path)
        except ValueError:
            raise DataFileError(f"XYDATA line {number}: {text!r} is not a number", path) from None
        last_kind = kind or ""
    return values, last_kind == "dif"


def _equidistant(table: list[tuple[int, str]], records: dict[str, str], path: Path,
                 n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Ordinates of an ``(X++(Y..Y))`` table (before YFACTOR), with the Y check of DIF lines
    and the X check of every line against FIRSTX, LASTX and NPOINTS; and the axis."""
    first, last = _field(records, "FIRSTX", path), _field(records, "LASTX", path)
    x_factor = _field(records, "XFACTOR", path, 1.0)
    delta = (last - first) / (n_points - 1)
    # writers differ by a point in the abscissa they put on a line (SPECFILE.DX: the first new
    # point after the check value); 1.5 steps still catch a line lost or repeated
    tolerance = 1.5 * abs(delta) + 0.5 * abs(x_factor)
    ys: list[float] = []
    check_next = False
    for number, line in table:
        values, ends_dif = _asdf_line(line, number, path)
        if len(values) < 2:
            raise DataFileError(f"XYDATA line {number}: an abscissa without ordinates", path)
        x, line_ys = values[0] * x_factor, values[1:]
        index = len(ys)
        if check_next and len(ys) == n_points and len(line_ys) == 1:
            continue  # a closing line with the last abscissa only (SPECFILE.DX ends "31999@")
        if check_next:
            previous = ys[-1]
            if abs(line_ys[0] - previous) > 1e-9 * max(1.0, abs(previous)):
                raise DataFileError(f"XYDATA line {number}: Y check value {line_ys[0]:g} differs "
                                    f"from the last ordinate {previous:g} of the line before (a "
                                    "line lost or corrupt)", path)
            line_ys, index = line_ys[1:], index - 1
        expected = first + index * delta
        if abs(x - expected) > tolerance:
            raise DataFileError(f"XYDATA line {number}: X = {x:g}, expected {expected:g} from "
                                "FIRSTX, LASTX and NPOINTS (a line lost, repeated or corrupt)",
                                path)
        if len(ys) + len(line_ys) > n_points:
            raise DataFileError(f"XYDATA holds more than NPOINTS = {n_points} ordinates", path)
        ys.extend(line_ys)
        check_next = ends_dif
    if len(ys) != n_points:
        raise DataFileError(f"XYDATA holds {len(ys)} ordinates, NPOINTS says {n_points} (file "
                            "truncated or corrupt)", path)
    return np.linspace(first, last, n_points), np.asarray(ys, dtype=float)


def _pairs(table: list[tuple[int, str]], records: dict[str, str], path: Path,
           n_points: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Abscissae and ordinates (before the factors) of an ``(XY..XY)`` table of AFFN numbers."""
    numbers: list[float] = []
    for number, line in table:
        if not _AFFN_LINE.fullmatch(line):
            raise DataFileError(f"XYPOINTS line {number}: not a list of numbers", path)
        numbers.extend(float(v) for v in _AFFN_NUMBER.findall(line))
        if len(numbers) > 2 * MAX_POINTS:
            raise DataFileError(f"more than {MAX_POINTS} points", path)
    if len(numbers) % 2 or (n_points is not None and len(numbers) // 2 != n_points):
        raise DataFileError(f"the (XY..XY) table holds {len(numbers)} numbers, not "
                            f"{'2 per point' if n_points is None else f'2 × NPOINTS = {2 * n_points}'}"
                            " (file truncated or corrupt)", path)
    xy = np.asarray(numbers, dtype=float).reshape(-1, 2)
    return xy[:, 0] * _field(records, "XFACTOR", path, 1.0), xy[:, 1]


def _read_other(path: Path) -> Spectrum:
    text = path.read_bytes().decode("latin-1")
    records, form, table = _records(text)
    if not form:
        raise DataFileError("no ##XYDATA= or ##XYPOINTS= table (file truncated, or not a "
                            "spectrum)", path)
    n_points = None
    if "NPOINTS" in records or form == _EQUIDISTANT:
        value = _field(records, "NPOINTS", path)
        if not (value == int(value) and 2 <= value <= MAX_POINTS):
            raise DataFileError(f"##NPOINTS= {records['NPOINTS']} must be an integer between 2 "
                                f"and {MAX_POINTS}", path)
        n_points = int(value)
    if form == _EQUIDISTANT:
        x, y = _equidistant(table, records, path, n_points or 0)
    elif form == _PAIRS:
        x, y = _pairs(table, records, path, n_points)
    else:
        raise DataFileError(f"data table form {form!r} not supported (use (X++(Y..Y)) or "
                            "(XY..XY))", path)
    y = y * _field(records, "YFACTOR", path, 1.0)
    if x.size < 2 or not (np.all(np.isfinite(y)) and np.all(np.isfinite(x))):
        raise DataFileError("JCAMP-DX data are empty or hold non-finite values", path)
    x_unit = records.get("XUNITS", "").strip().upper()
    unit = _UNITS.get(x_unit)
    if unit is None:
        raise DataFileError(f"JCAMP-DX x unit {x_unit!r} not supported", path)
    return Spectrum(y, x, unit, None, None, None, str(path), ("read JCAMP-DX",),
                    {"title": records.get("TITLE", "").strip(),
                     "yunits": records.get("YUNITS", "").strip()})


def read_jcamp(path: str | os.PathLike[str]) -> Spectrum:
    """Read a JCAMP-DX file (opened read-only).

    Raises
    ------
    DataFileError
        Missing file, not JCAMP-DX, corrupt data, unsupported units.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("no such file", p)
    try:
        with open(p, encoding="latin-1") as fh:
            head = fh.read(4096).upper()
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", p) from None
    if "##TITLE" not in head or "##JCAMP" not in head.replace("JCAMPDX", "JCAMP-DX") \
            and "##JCAMP-DX" not in head:
        raise DataFileError("not a JCAMP-DX file (no ##TITLE/##JCAMP-DX header)", p)
    data_type = head.split("##DATA TYPE=")[-1].split("\n")[0] if "##DATA TYPE=" in head else ""
    data_type = data_type or (head.split("##DATATYPE=")[-1].split("\n")[0] if "##DATATYPE=" in head else "")
    return _read_nmr(p) if "NMR" in data_type else _read_other(p)
