"""Writers of realistic synthetic Varian/Agilent VnmrJ ``.fid`` folders (labelled synthetic in
their ``text`` file).

What makes them realistic: VnmrJ's ``procpar`` layout (header line with subtype, basic type,
limits, groups, protection and active flag; values; enumeration line), the big-endian ``fid``
file with its 32-byte file header and a 28-byte header per block, float32 complex pairs in
VnmrJ's sign convention (the complex conjugate of cald's), one FID per block for arrays,
``rfl``/``rfp`` referencing and ``reffrq``, and receiver noise.

The FIDs are given in cald's convention (:func:`cald.synth.bruker.lines_fid`, a line at ν Hz
from the carrier rotating as exp(+2πiνt)) with the carrier at the setup's SFO1 and 0 ppm at its
BF1, and conjugated on writing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from cald.io.atomic import atomic_write_bytes, atomic_write_text
from cald.synth.bruker import AcquisitionSetup

__all__ = ["format_procpar", "write_varian_experiment"]

#: procpar subtypes: real, string, delay (s), flag, frequency (Hz), pulse (µs), integer.
REAL, STRING, DELAY, FLAG, FREQUENCY, PULSE, INTEGER = 1, 2, 3, 4, 5, 6, 7


def _vnmrj_nucleus(symbol: str) -> str:
    """``"13C"`` → ``"C13"`` (VnmrJ spells the element first)."""
    digits = "".join(c for c in symbol if c.isdigit())
    return symbol[len(digits):] + digits


def format_procpar(params: Mapping[str, tuple[int, Sequence[Any], bool]]) -> str:
    """procpar text of ``name → (subtype, values, active)`` (strings for subtypes 2 and 4)."""
    out = []
    for name, (subtype, values, active) in params.items():
        basic = 2 if subtype in (STRING, FLAG) else 1
        out.append(f"{name} {subtype} {basic} 1e+18 -1e+18 0 2 1 0 {int(active)} 64")
        if basic == 1:
            out.append(f"{len(values)} " + " ".join(f"{float(v):.12g}" for v in values) + " ")
        else:
            quoted = [f'"{v}"' for v in values] or ['""']
            out.append(f"{len(quoted)} " + "\n".join(quoted))
        out.append("0 ")
    return "\n".join(out) + "\n"


def write_varian_experiment(folder: str | os.PathLike[str], setup: AcquisitionSetup,
                            fids: ArrayLike, noise_sd: float = 0.0, seed: int = 0,
                            arrays: Mapping[str, tuple[int, Sequence[Any]]] | None = None,
                            extra: Mapping[str, tuple[int, Sequence[Any]]] | None = None,
                            lb_hz: float = 20.0, title: str = "",
                            int_scale: float | None = None) -> Path:
    """Write a VnmrJ ``.fid`` folder: ``procpar``, ``fid`` (one block per FID) and ``text``.

    Parameters
    ----------
    fids
        Noise-free complex FID(s) in cald's convention, shape (n,) or (FIDs, n).
    noise_sd
        Standard deviation of complex Gaussian receiver noise per channel (units of ``fids``).
    arrays
        Arrayed parameters ``name → (subtype, values)`` in the order of ``array`` (the last
        varying fastest); their product must be the number of FIDs.
    extra
        Further procpar parameters ``name → (subtype, values)`` (e.g. ``srate``), or
        replacements of the defaults.
    int_scale
        Factor from ``fids`` units to stored values; by default the largest point is stored as
        2**24. Give the same factor to experiments whose absolute intensities are compared.
    """
    out = Path(folder)
    data = np.atleast_2d(np.asarray(fids, dtype=complex))
    rng = np.random.default_rng(seed)
    data = data + noise_sd * (rng.standard_normal(data.shape) + 1j * rng.standard_normal(data.shape))
    scale = int_scale if int_scale is not None else 2.0**24 / (float(np.max(np.abs(data))) or 1.0)
    n_rows, n = data.shape
    stored = np.empty((n_rows, 2 * n), dtype=">f4")
    stored[:, 0::2] = data.real * scale
    stored[:, 1::2] = -data.imag * scale  # VnmrJ's sign: the complex conjugate
    status = 0x1 | 0x8 | 0x10  # data, float, complex
    tbytes = 2 * n * 4
    header = np.array([n_rows, 1, 2 * n, 4, tbytes, tbytes + 28], dtype=">i4").tobytes()
    header += np.array([0, status], dtype=">i2").tobytes() + np.array([1], dtype=">i4").tobytes()
    blocks = []
    for i, row in enumerate(stored):
        block_head = (np.array([1, status, i + 1, 0], dtype=">i2").tobytes()
                      + np.array([setup.ns], dtype=">i4").tobytes()
                      + np.zeros(4, dtype=">f4").tobytes())
        blocks.append(block_head + row.tobytes())
    atomic_write_bytes(out / "fid", header + b"".join(blocks))
    sfrq, reffrq = setup.sfo1_mhz, setup.bf1_mhz
    params: dict[str, tuple[int, Sequence[Any], bool]] = {
        "tn": (STRING, [_vnmrj_nucleus(setup.nucleus)], True),
        "dn": (STRING, ["H1"], True),
        "seqfil": (STRING, [setup.pulse_program], True),
        "sfrq": (FREQUENCY, [sfrq], True),
        "sw": (FREQUENCY, [setup.sw_hz], True),
        "np": (INTEGER, [2 * n], True),
        "fn": (INTEGER, [2 * n], False),
        "at": (REAL, [n / setup.sw_hz], True),
        "nt": (INTEGER, [setup.ns], True),
        "ct": (INTEGER, [setup.ns], True),
        "gain": (REAL, [20.0 * np.log10(setup.rg)], True),
        "d1": (DELAY, [setup.d1_s], True),
        "pw": (PULSE, [2.5], True),
        "rfl": (FREQUENCY, [setup.sw_hz / 2 - (sfrq - reffrq) * 1e6], True),
        "rfp": (FREQUENCY, [0.0], True),
        "reffrq": (FREQUENCY, [reffrq], True),
        "lb": (REAL, [lb_hz], True),
        "gf": (REAL, [0.0], False),
        "sb": (REAL, [0.0], False),
        "lsfid": (INTEGER, [0], False),
        "rp": (REAL, [0.0], True),
        "lp": (REAL, [0.0], True),
        "console": (STRING, ["vnmrs"], True),
        "dsp": (STRING, ["i"], True),
        "array": (STRING, [",".join(arrays or {})], True),
        "arraydim": (INTEGER, [n_rows], True),
    }
    if setup.mas_hz is not None:
        params["srate"] = (INTEGER, [setup.mas_hz], True)
    for name, (subtype, values) in {**(arrays or {}), **(extra or {})}.items():
        params[name] = (subtype, list(values), True)
    atomic_write_text(out / "procpar", format_procpar(params))
    atomic_write_text(out / "text", title or "SYNTHETIC data written by cald.synth.varian")
    return out
