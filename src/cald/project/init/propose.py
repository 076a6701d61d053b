"""Analyses proposed across the recognised data sets: each data set's own proposal
(:mod:`~cald.project.init.single`) and those that take several: DNP on/off pairs, 13C spectra
overlaid, ligand density with the UV-vis of the same solution, a TMA titration series, UV-vis
against the pristine sample, atomistic models beside their sample's RESPDOR series.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from cald.errors import InputError
from cald.project.init.proposal import Proposal, Unplaced
from cald.project.init.recognise import Found
from cald.project.init.single import (
    EXCITON_HALF_NM,
    TITRATION_REGION_PPM,
    carboxylate_bands,
    exciton_nm,
    normalise_13c,
    optical_conditions,
    propose_csa,
    propose_dosy,
    propose_quad,
    propose_respdor,
    propose_xps,
    read_nmr,
    round_to,
    stated_standard,
    tallest_region,
    tma_per_qd,
)

__all__ = ["propose"]


def _dnp_pairs(cands: list[tuple[Found, str | None]]) -> tuple[list[Proposal], set[int]]:
    """Microwave on/off pairs of one nucleus and sample that differ in nothing else."""
    from cald.io.bruker import read_bruker
    from cald.nmr.dnp import acquisition_differences

    out, used = [], set()
    groups: dict[tuple[Any, ...], dict[str, list[Found]]] = defaultdict(lambda: defaultdict(list))
    for f, sample in cands:
        if f.facts.get("microwaves") and f.format == "bruker" and f.technique == "nmr":
            groups[(sample, f.nucleus)][f.facts["microwaves"]].append(f)
    for (_, nucleus), by_state in groups.items():
        for on in by_state.get("on", []):
            for off in by_state.get("off", []):
                if id(off) in used:
                    continue
                diffs = acquisition_differences(read_bruker(on.path), read_bruker(off.path))
                if diffs:
                    continue
                spec = read_nmr(on)
                region, why = (normalise_13c(spec) if nucleus == "13C" else
                               tallest_region(spec))
                if not region:
                    continue
                out.append(Proposal("dnp", [on, off], {"region": region},
                                    ["microwaves on/off from the TITLE or folder names, "
                                     "acquisitions otherwise identical", f"region: {why}"]))
                used |= {id(on), id(off)}
                break
    return out, used


def propose(found: list[Found], samples: dict[int, tuple[str | None, int | None, str | None]],
            ) -> tuple[list[Proposal], list[Unplaced], list[tuple[Found, str]]]:
    """Analyses for the recognised data sets.

    ``samples`` maps ``id(found)`` to (sample name, cycles, core). Returns the proposals, the
    data sets without an analysis (with the reason) and the data sets whose recognition failed
    while reading their data (with the reader's message).
    """
    proposals: list[Proposal] = []
    unplaced: list[Unplaced] = []
    failed: list[tuple[Found, str]] = []
    used: set[int] = set()

    def attempt(f: Found, make: Callable[[Found], Proposal | str]) -> Proposal | None:
        try:
            out = make(f)
        except InputError as exc:
            failed.append((f, exc.detail))
            used.add(id(f))
            return None
        except (OSError, ValueError, IndexError, ArithmeticError) as exc:  # data a reader let by
            failed.append((f, f"could not be analysed ({type(exc).__name__}: {exc})"))
            used.add(id(f))
            return None
        if isinstance(out, str):
            unplaced.append(Unplaced(f, out))
            used.add(id(f))
            return None
        proposals.append(out)
        used.update(id(x) for x in out.inputs)
        return out

    sample_of = {id(f): samples.get(id(f), (None, None, None))[0] for f in found}
    cycles_of = {id(f): samples.get(id(f), (None, None, None))[1] for f in found}
    core_of = {id(f): samples.get(id(f), (None, None, None))[2] for f in found}

    respdor = {}
    for f in found:
        if f.technique == "respdor":
            p = attempt(f, propose_respdor)
            if p is not None:
                respdor[id(f)] = p
        elif f.technique == "dosy":
            attempt(f, propose_dosy)

    # DNP on/off pairs, then 13C CP spectra overlaid (the 'on' of each pair, unpaired spectra)
    try:
        dnp, paired = _dnp_pairs([(f, sample_of[id(f)]) for f in found if id(f) not in used])
    except InputError as exc:
        dnp, paired = [], set()
        failed.extend((f, exc.detail) for f in found if f.facts.get("microwaves"))
    proposals.extend(dnp)
    used |= paired
    on_of_pair = {id(p.inputs[0]) for p in dnp}
    for f in found:
        if id(f) in used and id(f) not in on_of_pair:
            continue
        if f.format == "bruker" and f.technique == "nmr" and f.nucleus == "13C":
            def overlay(g: Found, dnp_on: bool = id(f) in on_of_pair) -> Proposal | str:
                region, why = normalise_13c(read_nmr(g))
                params: dict[str, Any] = {"overlay": "13C CP (DNP)" if dnp_on else "13C"}
                if region:
                    params["normalise_region"] = region
                return Proposal("nmr", [g], params, [f"13C spectrum overlaid, normalised to the "
                                                     f"{why}"], "medium")
            attempt(f, overlay)

    for f in found:
        if id(f) in used:
            continue
        if f.format == "bruker" and f.technique == "nmr" and f.nucleus == "27Al":
            attempt(f, propose_quad)
        elif (f.format == "bruker" and f.technique == "nmr" and f.nucleus in ("113Cd", "111Cd")
              and f.facts.get("mas_hz")):
            attempt(f, propose_csa)
        elif f.technique == "xps" and f.format == "vamas":
            attempt(f, propose_xps)

    # quantitative 1H with an internal standard → ligand density with the sample's UV-vis
    uvvis = [f for f in found if f.technique == "uvvis" and id(f) not in used]
    for f in found:
        if id(f) in used or f.technique != "nmr" or f.nucleus != "1H":
            continue
        std = stated_standard(f)
        if std is None:
            continue
        mine = [u for u in uvvis if sample_of[id(u)] == sample_of[id(f)] and id(u) not in used]
        tokens = set(re.split(r"[\W_]+", f.path.name.lower())) - {"1h", ""}
        mine.sort(key=lambda u: -len(tokens & set(re.split(r"[\W_]+", u.path.stem.lower()))))
        inputs = [f] + mine[:1]
        params = {**std, "standard_rel_err": 0.01, "qd_rel_err": 0.1}
        reasons = [f"internal standard {std['standard']} {std['standard_mm']:g} mM from the "
                   "TITLE", "standard_rel_err 1 % and qd_rel_err 10 % are typical values: "
                   "check them"]
        if mine:
            params.update(optical_conditions(mine[0]))
            reasons.append(f"QD concentration from {mine[0].rel}"
                           + (" (path and dilution from its comment)"
                              if optical_conditions(mine[0]) else ""))
        proposals.append(Proposal("ligands", inputs, params, reasons, "medium"))
        used.update(id(x) for x in inputs)

    # TMA titration: 1H spectra of one sample with a TMA/QD value each
    titr: dict[str | None, list[tuple[float, Found]]] = defaultdict(list)
    for f in found:
        if id(f) not in used and f.technique == "nmr" and f.nucleus == "1H":
            n = tma_per_qd(f)
            if n is not None:
                titr[sample_of[id(f)]].append((n, f))
    for series in titr.values():
        if len(series) < 3:
            continue
        series.sort(key=lambda t: t[0])
        values = [int(n) if n == int(n) else n for n, _ in series]
        proposals.append(Proposal(
            "titration", [f for _, f in series],
            {"tma_per_qd": values, "region": list(TITRATION_REGION_PPM)},
            ["TMA/QD of each spectrum from its folder name or TITLE",
             "region: the bound-oleate alkene window"], "medium"))
        used.update(id(f) for _, f in series)

    # UV-vis: size from the exciton, against the pristine sample's spectrum
    pristine: dict[str | None, Found] = {}
    for f in found:
        if id(f) not in used and f.technique == "uvvis" and cycles_of[id(f)] == 0:
            pristine.setdefault(core_of[id(f)], f)
    for f in found:
        if id(f) in used or f.technique != "uvvis":
            continue

        def uv(g: Found) -> Proposal | str:
            from cald.qd.options import MATERIALS

            core = core_of[id(g)]
            if core not in MATERIALS:
                return f"UV-vis: core material {core or '(not named)'} has no sizing curve " \
                       f"({', '.join(MATERIALS)})"
            peak = exciton_nm(g)
            if peak is None:
                return "UV-vis: no exciton maximum found"
            c = round_to(peak, 5.0)
            params: dict[str, Any] = {"material": core, **optical_conditions(g),
                                      "overlay": "UV-vis",
                                      "normalise_region": [c - EXCITON_HALF_NM,
                                                           c + EXCITON_HALF_NM]}
            inputs = [g]
            reasons = [f"first exciton at {peak:.0f} nm, material {core} from the names"]
            ref = pristine.get(core)
            if ref is not None and ref is not g and (cycles_of[id(g)] or 0) > 0:
                inputs.append(ref)
                reasons.append(f"compared with the pristine spectrum {ref.rel}")
            if "dilution" not in params:
                reasons.append("no dilution stated: 1 assumed")
            return Proposal("uvvis", inputs, params, reasons,
                            "high" if "path_cm" in params else "medium")
        attempt(f, uv)

    for f in found:
        if id(f) in used:
            continue
        if f.technique == "ir":
            attempt(f, lambda g: Proposal(
                "ftir", [g], {}, ["IR with broad bands (FWHM ≥ 20 cm⁻¹) in the carboxylate ν_as and "
                                  "ν_s windows (other compounds may have such bands too)"], "medium")
                if carboxylate_bands(g) else "IR: no pair of broad bands in the carboxylate ν_as and ν_s "
                                              "windows")

    # atomistic models, analysed beside the sample's RESPDOR series (13C{27Al} first)
    for f in found:
        if id(f) in used or f.technique != "structure":
            continue
        measured = [p for p in respdor.values() if sample_of[id(p.inputs[0])] == sample_of[id(f)]
                    and sample_of[id(f)] is not None]
        measured.sort(key=lambda p: p.parameters["pair"] != "13C-27Al")
        if not measured:
            unplaced.append(Unplaced(f, "structure: no RESPDOR series of its sample to compare"))
            used.add(id(f))
            continue
        p = measured[0]
        proposals.append(Proposal(
            "model", [f, p.inputs[0]], {"pair": p.parameters["pair"],
                                        "region": p.parameters["region"]},
            [f"beside the RESPDOR series {p.inputs[0].rel} of the same sample"], "medium"))
        used.add(id(f))

    for f in found:  # any other 1D NMR spectrum: processed and shown
        if id(f) in used:
            continue
        if f.technique == "nmr" and not f.facts.get("fid") and f.format in ("bruker", "jcamp"):
            attempt(f, lambda g: Proposal("nmr", [g], {}, ["1D spectrum, processed and shown"],
                                          "low"))
        else:
            unplaced.append(Unplaced(f, _why_not(f)))
    return proposals, unplaced, failed


def _why_not(f: Found) -> str:
    return {"series": "pseudo-2D series that is neither RESPDOR/REDOR nor DOSY",
            "xps": "XPS table without region names: use `cald xps fit`",
            "vamas-other": "VAMAS file of a technique other than XPS",
            "nmr": "NMR FID in JCAMP-DX: give the spectrum",
            }.get(f.technique, f"{f.technique}: no analysis kind proposes itself")
