"""Bruker pulse programs of diffusion (DOSY) experiments: which sequence a data set ran and which
delays and gradient pulses it used.

TopSpin copies the pulse program into the experiment folder (``pulseprogram``) when it acquires.
Its comment lines name the parameters of the diffusion encoding (``;d20: diffusion time (big
DELTA)``, ``;p30: gradient pulse (little DELTA * 0.5)``, ``;d16: delay for gradient recovery``)
and its statements show the diffusion gradient (``p30:gp6`` and, for bipolar pairs,
``p30:gp6*-1``). :func:`parse_pulse_program` reads both; :func:`diffusion_setup` then takes the
values from ``acqus`` (D in s, P in µs, GPNAM, SOLVENT, TE).

Conventions (decided once here, used by :mod:`cald.qd.dosy`):

- ``gradient_pulse_s`` is P30 as acquired: the physical length of ONE gradient pulse, with no
  shape factor. For bipolar sequences (the comment says ``little DELTA * 0.5``) the encoding is a
  pair of such pulses, so the physical δ is 2 × P30; otherwise δ = P30.
- ``big_delta_s`` is the delay the comment calls big DELTA (D20 in the standard sequences).
- ``recovery_s`` is the gradient recovery delay τ (D16), 0 for monopolar sequences.
- ``gradient_shape`` is the GPNAM of the diffusion gradient (e.g. ``SMSQ10.100``, ``SINE.100``;
  empty = rectangular). Its shape factor is applied once, in :mod:`cald.qd.dosy`.

Known sequences (:data:`KNOWN_SEQUENCES`): ledbpgp2s, stebpgp1s, dstebpgp3s (bipolar), ledgp2s,
diffSte (monopolar). A data set without a ``pulseprogram`` file falls back to the table entry of
its PULPROG, with a note; a sequence outside the table is accepted when its comments name big
DELTA and little DELTA (with a note), and refused otherwise.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cald.errors import DataFileError

__all__ = ["KNOWN_SEQUENCES", "DiffusionSequence", "DiffusionSetup", "parse_pulse_program",
           "diffusion_sequence", "diffusion_setup"]

#: Largest pulse-program file read (bytes); real ones are a few kB.
_MAX_PP_BYTES = 1_000_000


@dataclass(frozen=True)
class DiffusionSequence:
    """What a pulse program says about its diffusion encoding.

    Attributes
    ----------
    name
        Sequence name (from the ``# 1 "…/name"`` line TopSpin's stored copy starts with, or
        the first comment, else PULPROG), lower case.
    bipolar
        True when each encoding is a pair of gradient pulses of opposite sign around a 180°
        pulse (δ = 2 × the pulse parameter).
    big_delta, little_delta, recovery
        Parameter names (``d20``, ``p30``, ``d16``); ``recovery`` is ``None`` without one.
    gradient_index
        N of ``gpN``, the diffusion gradient (its shape is GPNAM[N]); ``None`` when unknown.
    known
        True for a sequence of :data:`KNOWN_SEQUENCES`.
    notes
        Fallbacks taken.
    """

    name: str
    bipolar: bool
    big_delta: str
    little_delta: str
    recovery: str | None
    gradient_index: int | None
    known: bool
    notes: tuple[str, ...] = ()


def _entry(bipolar: bool, index: int) -> dict[str, Any]:
    return {"bipolar": bipolar, "big_delta": "d20", "little_delta": "p30",
            "recovery": "d16" if bipolar else None, "gradient_index": index}


#: The standard diffusion sequences: bipolar or not, the parameters of Δ, δ and τ, and the
#: diffusion gradient's index used when the data set has no ``pulseprogram`` to tell.
KNOWN_SEQUENCES: dict[str, dict[str, Any]] = {
    "ledbpgp2s": _entry(True, 6),
    "stebpgp1s": _entry(True, 1),
    "dstebpgp3s": _entry(True, 6),
    "ledgp2s": _entry(False, 6),
    "diffste": _entry(False, 1),
}

_NAME = re.compile(r"^\s*;\s*([A-Za-z][\w.+-]*)\s*$")
#: The first line of the copy TopSpin stores (preprocessed): ``# 1 "…/lists/pp/ledbpgp2s"``.
_SOURCE = re.compile(r'^#\s*1\s+"([^"]+)"')
_COMMENT = re.compile(r"^\s*;\s*([dp])(\d+)\s*:\s*(.*)$", re.IGNORECASE)
_GRADIENT = re.compile(r"\b([pP]\d+)\s*:\s*gp(\d+)(\s*\*\s*-\s*1)?")


def _normalise(name: str) -> str:
    name = name.strip().lower()
    return name[:-2] if name.endswith("1d") and name[:-2] in KNOWN_SEQUENCES else name


def parse_pulse_program(text: str, source: Path, pulprog: str = "") -> DiffusionSequence:
    """The diffusion encoding of a pulse program's text (see the module docstring).

    Parameters
    ----------
    text
        The pulse program.
    source
        Its file (for messages).
    pulprog
        PULPROG of the data set, the name when the text has none.

    Raises
    ------
    DataFileError
        A sequence outside :data:`KNOWN_SEQUENCES` whose comments do not name big DELTA and
        little DELTA.
    """
    lines = text.splitlines()
    name = ""
    for line in lines:
        if line.strip():
            match = _NAME.match(line) or _SOURCE.match(line)
            name = re.split(r"[/\\]", match.group(1))[-1] if match else ""
            break
    name = _normalise(name or pulprog)
    found: dict[str, str] = {}
    bipolar_comment: bool | None = None
    for line in lines:
        match = _COMMENT.match(line)
        if match is None:
            continue
        param, text_ = f"{match.group(1).lower()}{match.group(2)}", match.group(3).lower()
        if "big delta" in text_:
            found.setdefault("big_delta", param)
        elif "little delta" in text_:
            found.setdefault("little_delta", param)
            bipolar_comment = bool(re.search(r"\*\s*0?\.5|/\s*2", text_))
        elif "gradient recovery" in text_:
            found.setdefault("recovery", param)
    pulse = found.get("little_delta")
    signs: dict[int, set[bool]] = {}
    for line in lines:
        if line.lstrip().startswith(";"):
            continue
        for p, index, negative in _GRADIENT.findall(line):
            if pulse is None or p.lower() == pulse:
                signs.setdefault(int(index), set()).add(bool(negative))
    notes: list[str] = []
    table = KNOWN_SEQUENCES.get(name)
    if table is None and ("big_delta" not in found or pulse is None):
        known = ", ".join(KNOWN_SEQUENCES)
        raise DataFileError(f"pulse program {name or '(unnamed)'!r} is not a known diffusion "
                            f"sequence ({known}) and its comments name no big DELTA and little "
                            "DELTA; fit a CSV with --big-delta-ms/--little-delta-ms instead", source)
    base = dict(table or _entry(bool(bipolar_comment), 0))
    if table is None:
        notes.append(f"sequence {name!r} is not among the known ones ({', '.join(KNOWN_SEQUENCES)}): "
                     "delays and gradient read from its comments")
    for key in ("big_delta", "little_delta", "recovery"):
        if key in found:
            base[key] = found[key]
    if bipolar_comment is not None:
        base["bipolar"] = bipolar_comment
    if signs:
        base["gradient_index"] = min(signs, key=lambda i: (-len(signs[i]), i))
    elif table is None:
        base["gradient_index"] = None
    if not base["bipolar"]:
        base["recovery"] = None
    return DiffusionSequence(name, bool(base["bipolar"]), base["big_delta"], base["little_delta"],
                             base["recovery"], base["gradient_index"], table is not None,
                             tuple(notes))


def diffusion_sequence(folder: str | os.PathLike[str], pulprog: str) -> DiffusionSequence:
    """The diffusion sequence of an experiment folder: its ``pulseprogram`` file parsed, or
    without one the :data:`KNOWN_SEQUENCES` entry of ``pulprog`` (with a note)."""
    path = Path(folder) / "pulseprogram"
    if path.is_file():
        if path.stat().st_size > _MAX_PP_BYTES:
            raise DataFileError(f"{path.stat().st_size} bytes: too large for a pulse program", path)
        text = path.read_bytes().decode("latin-1")
        return parse_pulse_program(text, path, pulprog)
    name = _normalise(pulprog)
    if name not in KNOWN_SEQUENCES:
        raise DataFileError(f"no pulseprogram file and PULPROG {pulprog!r} is not a known "
                            f"diffusion sequence ({', '.join(KNOWN_SEQUENCES)})", Path(folder))
    e = KNOWN_SEQUENCES[name]
    return DiffusionSequence(name, e["bipolar"], e["big_delta"], e["little_delta"], e["recovery"],
                             e["gradient_index"], True,
                             ("no pulseprogram file: the parameters of the standard "
                              f"{name} assumed (d20, p30, gpnam{e['gradient_index']})",))


@dataclass(frozen=True)
class DiffusionSetup:
    """The diffusion encoding of a Bruker data set, as acquired (no shape factor applied).

    Attributes
    ----------
    sequence
        The :class:`DiffusionSequence`.
    big_delta_s
        Δ (s).
    gradient_pulse_s
        One gradient pulse as acquired (P30, s).
    little_delta_s
        Physical δ (s): 2 × ``gradient_pulse_s`` for bipolar sequences, else the pulse.
    recovery_s
        τ, the gradient recovery delay (s); 0 without one.
    gradient_shape
        GPNAM of the diffusion gradient (``""``: none given, rectangular).
    solvent
        SOLVENT of acqus (``""`` when absent).
    temperature_k
        TE of acqus (K), ``None`` when absent or not positive.
    """

    sequence: DiffusionSequence
    big_delta_s: float
    gradient_pulse_s: float
    little_delta_s: float
    recovery_s: float
    gradient_shape: str
    solvent: str
    temperature_k: float | None


def _array_value(acqus: dict[str, Any], param: str, source: Path) -> float:
    """D[n] (s) or P[n] (µs → s) of acqus; a missing or non-positive value is an error."""
    letter, index = param[0].upper(), int(param[1:])
    values = acqus.get(letter)
    value = values[index] if isinstance(values, list) and index < len(values) else None
    if not isinstance(value, (int, float)) or not value > 0:
        raise DataFileError(f"{param.upper()} = {value!r}: the diffusion sequence needs a positive "
                            "value", source)
    return float(value) * (1e-6 if letter == "P" else 1.0)


def _shape_name(acqus: dict[str, Any], index: int | None) -> str:
    if index is None:
        return ""
    names = acqus.get("GPNAM")
    value = names[index] if isinstance(names, list) and index < len(names) else acqus.get(
        f"GPNAM{index}")
    return str(value or "").strip()


def diffusion_setup(folder: str | os.PathLike[str], acqus: dict[str, Any]) -> DiffusionSetup:
    """Δ, δ, τ, the gradient shape, solvent and temperature of a DOSY experiment folder
    (its ``pulseprogram`` and ``acqus``, see the module docstring).

    Raises
    ------
    DataFileError
        An unknown sequence (:func:`parse_pulse_program`), or Δ, δ or τ missing or not positive,
        or δ (with τ) longer than Δ.
    """
    source = Path(folder) / "acqus"
    seq = diffusion_sequence(folder, str(acqus.get("PULPROG", "")))
    big = _array_value(acqus, seq.big_delta, source)
    pulse = _array_value(acqus, seq.little_delta, source)
    tau = _array_value(acqus, seq.recovery, source) if seq.recovery else 0.0
    little = 2.0 * pulse if seq.bipolar else pulse
    if little + tau >= big:
        raise DataFileError(f"δ = {little * 1e3:g} ms (+ τ = {tau * 1e3:g} ms) is not shorter "
                            f"than Δ = {big * 1e3:g} ms", source)
    te = acqus.get("TE")
    temperature = float(te) if isinstance(te, (int, float)) and te > 0 else None
    return DiffusionSetup(seq, big, pulse, little, tau, _shape_name(acqus, seq.gradient_index),
                          str(acqus.get("SOLVENT") or "").strip(), temperature)
