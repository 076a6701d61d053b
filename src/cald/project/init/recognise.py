"""What each data set is, from its own headers: the technique, the nucleus and the facts a kind
needs (MAS rate, pulse program, lists, microwave state, axis unit and range, XPS regions).

Bruker experiment folders are read with :func:`cald.io.bruker.read_bruker` (parameters, lists,
title and the layout of the raw file, not its points); VAMAS files with
:func:`cald.io.vamas.read_vamas`; JCAMP-DX and CSV files from their first lines and last line.
A file a reader refuses is :class:`~cald.project.init.walk.Skipped` with the reader's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cald.errors import InputError
from cald.io.detect import SNIFF_BYTES, read_head
from cald.project.init.walk import Candidate, Skipped

__all__ = ["Found", "recognise", "microwave_state"]

_DIFFUSION_PULPROG = re.compile(r"(ledbp|stebp|dstebp|ledgp|stegp|dosy|oneshot|bpled)", re.I)
_RECOUPLING = re.compile(r"(respdor|redor|rapid|sr4|resp)", re.I)
_MICROWAVE = re.compile(r"(?<![a-z])(?:mw|µw|uw|microwaves?)[\s_-]*(on|off)(?![a-z])", re.I)
_PAIR = re.compile(r"(\d{1,3}[A-Z][a-z]?)\s*\{\s*(\d{1,3}[A-Z][a-z]?)\s*\}")
_TAIL_BYTES = 512
#: MAS rates below this (Hz) are a static probe's leftover MASR (XWIN-NMR writes 1).
_MIN_MAS_HZ = 500.0


@dataclass
class Found:
    """A recognised data set: what it is, the facts read from it and where each came from."""

    path: Path
    rel: str
    format: str
    technique: str
    nucleus: str | None = None
    title: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    #: Text naming the sample (VAMAS sample identifiers, file comments), beside path and title.
    sample_text: str = ""


def microwave_state(text: str) -> str | None:
    """``"on"``/``"off"`` when the text says "microwaves on", "MW off", "mw_on" …; else None."""
    states = {m.group(1).lower() for m in _MICROWAVE.finditer(text)}
    return states.pop() if len(states) == 1 else None


def _utf8(text: str) -> str:
    """A title read as Latin-1 that was written as UTF-8 (δ, µ), decoded as UTF-8."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _bruker(c: Candidate) -> Found:
    from cald.io.bruker import read_bruker

    ds = read_bruker(c.path)
    acqus = ds.acqus
    pulprog = ds.pulse_program or str(acqus.get("PULPROG", ""))
    rows = ds.layout.n_rows or 1
    found = Found(c.path, c.rel, "bruker", "nmr", ds.nucleus, _utf8(ds.title))
    facts, ev = found.facts, found.evidence
    facts.update(pulprog=pulprog, rows=rows, sf_mhz=ds.sf_mhz)
    ev.append(f"acqus NUC1/BF1 → {ds.nucleus}, PULPROG {pulprog or '(none)'}")
    mas = acqus.get("MASR")
    cnst = acqus.get("CNST")
    if not mas and isinstance(cnst, list) and len(cnst) > 31 and cnst[31]:
        mas = cnst[31]
    if mas and float(mas) >= _MIN_MAS_HZ:
        facts["mas_hz"] = float(mas)
        ev.append(f"MAS {float(mas):g} Hz (acqus {'MASR' if acqus.get('MASR') else 'CNST31'})")
    solvent = str(acqus.get("SOLVENT", "")).strip("<> ")
    if solvent:
        facts["solvent"] = solvent
    lists = sorted(ds.lists)
    if lists:
        facts["lists"] = lists
    if rows > 1:
        ev.append(f"pseudo-2D, {rows} rows" + (f", {'/'.join(lists)}" if lists else ""))
        if "difflist" in ds.lists or _DIFFUSION_PULPROG.search(pulprog):
            found.technique = "dosy"
            ev.append("diffusion: " + ("difflist" if "difflist" in ds.lists else
                                       f"pulse program {pulprog}"))
        elif ("vclist" in ds.lists or "vdlist" in ds.lists) and (
                _RECOUPLING.search(pulprog) or _RECOUPLING.search(ds.title)):
            found.technique = "respdor"
            ev.append("dipolar recoupling series: " + ("pulse program " + pulprog
                                                       if _RECOUPLING.search(pulprog)
                                                       else "TITLE"))
        else:
            found.technique = "series"
    pair = _PAIR.search(ds.title)
    if pair and pair.group(1) == ds.nucleus:
        facts["pair"] = f"{pair.group(1)}-{pair.group(2)}"
        ev.append(f"TITLE {pair.group(0)} → pair {facts['pair']}")
    else:
        others = [str(acqus.get(f"NUC{i}", "")).strip("<> ") for i in range(2, 5)]
        others = [n for n in others if n and n not in ("1H", "off", "OFF", ds.nucleus)]
        if others:
            facts["pair"] = f"{ds.nucleus}-{others[0]}"
            ev.append(f"acqus NUC2.. → pair {facts['pair']}")
    mw = microwave_state(ds.title) or microwave_state(c.rel)
    if mw:
        facts["microwaves"] = mw
        ev.append(f"microwaves {mw} ({'TITLE' if microwave_state(ds.title) else 'folder name'})")
    facts["cp"] = "cp" in pulprog.lower()
    return found


def _text_lines(path: Path) -> tuple[list[str], str]:
    """The first lines (from :data:`SNIFF_BYTES`) and the last full line of a text file."""
    head = read_head(path) or b""
    lines = head.decode("utf-8", errors="replace").splitlines()
    if len(head) == SNIFF_BYTES and lines:
        lines = lines[:-1]
    last = lines[-1] if lines else ""
    if len(head) == SNIFF_BYTES:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read().decode("utf-8", errors="replace").strip().splitlines()
        last = tail[-1] if tail else last
    return lines, last


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _first_number(line: str) -> float | None:
    m = _NUMBER.match(line.strip())
    return float(m.group(0)) if m else None


def _axis_kind(name: str) -> tuple[str, str] | None:
    """(technique, unit) from an axis column name or unit text."""
    n = name.lower()
    if "wavenumber" in n or "cm-1" in n or "cm^-1" in n or "1/cm" in n:
        return "ir", "cm-1"
    if "wavelength" in n or n in ("nm", "nanometers") or "(nm)" in n or "_nm" in n:
        return "uvvis", "nm"
    if "binding" in n or "kinetic" in n or n.endswith("_ev") or "(ev)" in n:
        return "xps", "eV"
    if "ppm" in n or "shift" in n:
        return "nmr", "ppm"
    return None


def _csv(c: Candidate) -> Found | Skipped:
    lines, last = _text_lines(c.path)
    comments = [ln.lstrip("#").strip() for ln in lines if ln.lstrip().startswith("#")]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    header = next((ln for ln in body if _first_number(ln) is None), "")
    numeric = [ln for ln in body if _first_number(ln) is not None]
    kind = None
    axis_name = re.split(r"[,;\t]", header)[0].strip() if header else ""
    units = next((ln for ln in body if ln.upper().startswith("XUNITS")), "")
    if units:  # instrument exports: XUNITS NANOMETERS (JASCO) and the like
        axis_name = units.split(None, 1)[-1].strip()
        kind = ("uvvis", "nm") if "NANOMETER" in units.upper() else _axis_kind(axis_name)
    elif axis_name:
        kind = _axis_kind(axis_name)
    x0, x1 = _first_number(numeric[0]) if numeric else None, _first_number(last)
    if kind is None:
        return Skipped(c.rel, f"text table with axis {axis_name or '(no header)'!r}: unit not "
                              "recognised (wavelength nm, wavenumber cm-1, energy eV or ppm)")
    technique, unit = kind
    found = Found(c.path, c.rel, "csv", technique, sample_text=" ".join(comments))
    found.facts.update(unit=unit, axis=axis_name or "XUNITS")
    if x0 is not None and x1 is not None:
        found.facts["range"] = [min(x0, x1), max(x0, x1)]
    found.evidence.append(f"axis {axis_name or 'XUNITS'!r} ({unit})"
                          + (f", {min(x0, x1):g}–{max(x0, x1):g}" if x0 is not None
                             and x1 is not None else ""))
    return found


def _jcamp(c: Candidate) -> Found | Skipped:
    lines, _ = _text_lines(c.path)
    records: dict[str, str] = {}
    for ln in lines:
        m = re.match(r"\s*##\s*([^=]+)=(.*)", ln)
        if m:
            key = re.sub(r"[\s_/-]", "", m.group(1)).upper()
            records.setdefault(key, m.group(2).split("$$")[0].strip())
    dtype, xunits = records.get("DATATYPE", "").upper(), records.get("XUNITS", "").upper()
    title = records.get("TITLE", "")
    if "LINK" in dtype:
        return Skipped(c.rel, "JCAMP-DX compound (LINK) file: give its blocks one by one")
    if "INFRARED" in dtype or "1/CM" in xunits:
        technique = "ir"
    elif "NMR" in dtype:
        technique = "nmr"
    elif "UV" in dtype or "NANOMETER" in xunits:
        technique = "uvvis"
    else:
        return Skipped(c.rel, f"JCAMP-DX of data type {dtype or '(none)'!r}: not a spectrum "
                              "cald analyses")
    nucleus = records.get(".OBSERVENUCLEUS", "").strip("^ ") or None
    found = Found(c.path, c.rel, "jcamp", technique, nucleus, title)
    found.facts.update(datatype=dtype, unit=xunits)
    first, last = (_first_number(records.get(k, "")) for k in ("FIRSTX", "LASTX"))
    if first is not None and last is not None:
        found.facts["range"] = [min(first, last), max(first, last)]
    found.evidence.append(f"##DATA TYPE={dtype}, ##XUNITS={xunits}"
                          + (f", {min(first, last):g}–{max(first, last):g}"
                             if first is not None and last is not None else ""))
    if "FID" in dtype:
        found.facts["fid"] = True
    return found


def _vamas(c: Candidate) -> Found:
    from cald.io.vamas import read_vamas

    vf = read_vamas(c.path)
    raw = [f"{b.species} {b.transition}" for b in vf.blocks]
    regions = [" ".join(r.replace("\x00", " ").split()) for r in raw]
    samples = sorted({b.sample_id for b in vf.blocks if b.sample_id})
    #: blocks whose stored name carries padding (PHI: NULs) are chosen by number
    padded = {clean: i + 1 for i, (clean, r) in enumerate(zip(regions, raw, strict=True))
              if clean != r.strip()}
    found = Found(c.path, c.rel, "vamas", "xps", sample_text=" ".join(samples))
    found.facts.update(regions=list(dict.fromkeys(regions)), sample_ids=samples, padded=padded,
                       casa_rsf=sorted({float(r.rsf) for b in vf.blocks for r in b.casa_regions
                                        if r.rsf}),
                       techniques=sorted({b.technique for b in vf.blocks}))
    found.evidence.append(f"VAMAS blocks {', '.join(dict.fromkeys(regions))}"
                          + (f"; sample ids {', '.join(samples)}" if samples else ""))
    if any(str(t).upper() not in ("XPS", "UPS") for t in found.facts["techniques"]):
        found.technique = "vamas-other"
    return found


def _structure(c: Candidate) -> Found:
    lines, _ = _text_lines(c.path)
    found = Found(c.path, c.rel, "structure", "structure",
                  sample_text=lines[1] if len(lines) > 1 else "")
    found.evidence.append("structure file (" + c.path.suffix + ")")
    return found


def recognise(c: Candidate) -> Found | Skipped:
    """What the data set at ``c`` is, or why it was skipped (a reader's one-line error)."""
    readers = {"bruker": _bruker, "csv": _csv, "jcamp": _jcamp, "vamas": _vamas,
               "structure": _structure}
    try:
        return readers[c.format](c)
    except InputError as exc:
        return Skipped(c.rel, exc.detail)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Skipped(c.rel, f"cannot read: {exc}")
