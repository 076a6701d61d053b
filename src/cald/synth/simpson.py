"""Writer of SIMPSON ``fsave`` files (text, or SIMPSON's printable binary encoding), as SIMPSON
writes them, for tests and examples."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from cald.io.atomic import atomic_write_text

__all__ = ["write_simpson"]


def _float_bytes(value: float) -> bytes:
    """One value in SIMPSON's 4-byte float: sign bit, 8-bit exponent e + 127 and a 23-bit
    mantissa m·2²³ of frexp's m ∈ [0.5, 1) (no hidden bit), little-endian (the inverse of
    nmrglue's ``bytes2float``)."""
    if value == 0.0:
        return bytes(4)
    m, e = math.frexp(abs(value))
    mant = int(round(m * (1 << 23)))
    if mant == 1 << 23:
        mant, e = 1 << 22, e + 1
    exp = e + 127
    return bytes([mant & 0xFF, (mant >> 8) & 0xFF, ((mant >> 16) & 0x7F) | ((exp & 1) << 7),
                  (exp >> 1) | (0x80 if value < 0 else 0)])


def _encode(values: np.ndarray) -> str:
    """SIMPSON's binary encoding: 4-byte floats (:func:`_float_bytes`), 3 bytes → 4 characters
    of 6 bits each, offset by 33 (the inverse of nmrglue's ``chars2bytes``)."""
    raw = b"".join(_float_bytes(float(v)) for v in values)
    raw += b"\0" * (-len(raw) % 3)
    out = []
    for i in range(0, len(raw), 3):
        b0, b1, b2 = raw[i:i + 3]
        chars = (b0 & 0x3F, (b1 & 0x0F) | ((b0 >> 6) << 4), (b2 & 0x03) | ((b1 >> 4) << 2),
                 b2 >> 2)
        out.append("".join(chr(c + 33) for c in chars))
    text = "".join(out)
    return "\n".join(text[i:i + 64] for i in range(0, len(text), 64))


def write_simpson(path: str | os.PathLike[str], values: ArrayLike, sw_hz: float,
                  spectrum: bool = False, binary: bool = False) -> Path:
    """Write a 1D SIMPSON file: ``values`` in SIMPSON's order (an FID from t = 0, a spectrum
    from −SW/2 upwards), header NP, SW, TYPE (and FORMAT=BINARY)."""
    data = np.asarray(values, dtype=complex)
    head = ["SIMP", f"NP={data.size}", f"SW={sw_hz:g}", f"TYPE={'SPE' if spectrum else 'FID'}"]
    if binary:
        interleaved = np.empty(2 * data.size)
        interleaved[0::2], interleaved[1::2] = data.real, data.imag
        body = _encode(interleaved)
        return atomic_write_text(path, "\n".join([*head, "FORMAT=BINARY", "DATA", body, "END"])
                                 + "\n")
    rows = [f"{v.real:.9g} {v.imag:.9g}" for v in data]
    return atomic_write_text(path, "\n".join([*head, "DATA", *rows, "END"]) + "\n")
