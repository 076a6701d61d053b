"""Numeric tables in CSV/TSV text: a header row of column names, ``#`` comment lines.

The delimiter (comma, tab, semicolon or runs of spaces) is taken from the header row. Every cell
must be a finite number; problems are reported with the file, line and column.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cald.errors import DataFileError
from cald.io.atomic import atomic_write_text

__all__ = ["Table", "parse_table", "read_table", "format_table", "write_table"]

_DELIMITERS = ("\t", ",", ";")


@dataclass(frozen=True)
class Table:
    """Columns of floats read from a text table.

    Attributes
    ----------
    columns
        Column name → values, in file order.
    source
        The file read.
    comments
        Text of the ``#`` comment lines (without the ``#``).
    """

    columns: dict[str, NDArray[np.float64]]
    source: str
    comments: list[str] = field(default_factory=list)

    def find(self, name: str) -> NDArray[np.float64] | None:
        """Column by case-insensitive name, or ``None``."""
        for key, values in self.columns.items():
            if key.lower() == name.lower():
                return values
        return None

    def require(self, name: str) -> NDArray[np.float64]:
        """Column by case-insensitive name; a :class:`DataFileError` names it when missing."""
        values = self.find(name)
        if values is None:
            have = ", ".join(self.columns) or "none"
            raise DataFileError(f"missing column {name!r} (columns found: {have})", self.source)
        return values


def _split(line: str, delimiter: str | None) -> list[str]:
    return [c.strip() for c in (line.split(delimiter) if delimiter else line.split())]


def _parse_cell(text: str, source: str, line_no: int, column: str) -> float:
    where = f"line {line_no}, column {column!r}"
    if text == "":
        raise DataFileError(f"{where}: empty cell", source)
    try:
        value = float(text)
    except ValueError:
        raise DataFileError(f"{where}: {text!r} is not a number", source) from None
    if not math.isfinite(value):
        raise DataFileError(f"{where}: {text!r} is not a finite number (NaN or infinity)", source)
    return value


def parse_table(text: str, source: str) -> Table:
    """Parse table text (see module docstring); ``source`` names it in errors."""
    comments: list[str] = []
    header: list[str] | None = None
    delimiter: str | None = None
    rows: list[list[float]] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            comments.append(line[1:].strip())
            continue
        if header is None:
            delimiter = next((d for d in _DELIMITERS if d in line), None)
            header = _split(line, delimiter)
            if any(not name for name in header):
                raise DataFileError(f"line {line_no}: empty column name in header", source)
            seen = {n.lower() for n in header}
            if len(seen) != len(header):
                raise DataFileError(f"line {line_no}: duplicate column names {header}", source)
            continue
        cells = _split(line, delimiter)
        if len(cells) != len(header):
            raise DataFileError(
                f"line {line_no}: {len(cells)} cells, header has {len(header)} columns", source)
        rows.append([_parse_cell(c, source, line_no, n) for c, n in zip(cells, header, strict=True)])
    if header is None:
        raise DataFileError("no header row (expected column names such as t_ms,dS_S0)", source)
    if not rows:
        raise DataFileError("no data rows below the header", source)
    data = np.asarray(rows, dtype=float)
    return Table({n: data[:, i].copy() for i, n in enumerate(header)}, source, comments)


def read_table(path: str | os.PathLike[str]) -> Table:
    """Read a numeric text table (opened read-only).

    Raises
    ------
    DataFileError
        Missing or unreadable file, no header, non-numeric, empty or non-finite cells, ragged rows.
    """
    p = Path(path)
    if not p.exists():
        raise DataFileError("no such file", p)
    if p.is_dir():
        raise DataFileError("is a directory, expected a CSV/TSV table", p)
    try:
        with open(p, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise DataFileError("not a UTF-8 text table", p) from None
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", p) from None
    return parse_table(text, str(p))


def format_table(columns: Mapping[str, Sequence[float] | NDArray[np.float64]],
                 comments: Sequence[str] = ()) -> str:
    """CSV text with ``#`` comment lines, a header row and full-precision numbers."""
    names = list(columns)
    arrays = [np.asarray(columns[n], dtype=float) for n in names]
    lines = [f"# {line}" for c in comments for line in (c.splitlines() or [""])]
    lines.append(",".join(names))
    lines.extend(",".join(repr(float(v)) for v in row) for row in zip(*arrays, strict=True))
    return "\n".join(lines) + "\n"


def write_table(path: str | os.PathLike[str],
                columns: Mapping[str, Sequence[float] | NDArray[np.float64]],
                comments: Sequence[str] = ()) -> Path:
    """Write columns as CSV atomically (see :func:`format_table`)."""
    return atomic_write_text(path, format_table(columns, comments))
