"""The large generated example project (``cald demo --size large``, issue 14): the bundled demo
(every analysis kind, written by :func:`cald.project.demo.write_demo_project`) plus a c-ALD
series of ``n_samples`` generated samples, SYNTHETIC like the demo.

Each generated sample ``i`` has a row of parameters (:func:`sample_parameters`): its c-ALD
cycles (0, 1, 2, 3, 4, 5, 6, 8, 10, 12 in turn; the i-th repeat of a cycle count is another
synthesis), its seed and the generator inputs that follow from the cycles (DNP enhancement,
bridging-carboxylate shoulder, diffusion coefficient, exciton, 27Al Al(VI) fraction, XPS
charging). Every sample gets the cheap analyses of the demo's kinds (13C CP: ``dnp`` and ``nmr``;
1H DOSY: ``dosy``; ``uvvis`` against the first pristine sample); every fifth sample also ``ftir``
and ``xps``; the fitting-heavy kinds at a lower count: ``quad`` (27Al Czjzek) on every sixth
sample (if coated), ``respdor`` (13C{27Al}) and ``csa`` (113Cd sidebands) on every seventh. The demo's
own analyses (``model``, ``titration``, ``ligands``, the simulated 111Cd{27Al} ``respdor``, …)
are kept as they are. The data sets have the demo's sizes (the same writers).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cald.io.atomic import atomic_write_text
from cald.project.demo import DEMO_D_HZ, DEMO_F, DEMO_SEED, write_demo_project
from cald.synth.bruker import Line
from cald.synth.infrared import (
    ALUMINA,
    BRIDGING_CARBOXYLATE,
    CHELATING_CARBOXYLATE,
    OLEATE_CHAIN,
    IrBand,
    write_ir_csv,
)
from cald.synth.nmr_sets import (
    OLEATE_13C_LINES,
    write_al27_cp,
    write_cd113_mas,
    write_dnp_pair,
    write_dosy_series,
    write_respdor_series,
)
from cald.synth.optical import write_uvvis_csv
from cald.synth.xps import demo_regions, write_vamas

__all__ = ["LARGE_N_SAMPLES", "SampleParameters", "sample_parameters", "write_large_project"]

#: Generated samples of ``cald demo --size large``.
LARGE_N_SAMPLES = 50
#: c-ALD cycles of the generated samples, in turn.
_CYCLES = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12)
_SEED = DEMO_SEED + 1000
_DOSY_GRADIENTS_G_CM = np.linspace(2.0, 50.0, 16)
_CD113_SITES = ((-50.0, 30.0, 0.5), (-140.0, 200.0, 0.5), (-320.0, -350.0, 0.3))  # core, CdSe3O, CdSe2O2


@dataclass(frozen=True)
class SampleParameters:
    """Generator inputs of one generated sample (units in the names)."""

    index: int
    cycles: int
    seed: int
    enhancement: float
    bridging_amplitude: float
    diffusion_m2_s: float
    exciton_nm: float
    exciton_fwhm_nm: float
    al_vi_fraction: float
    charge_shift_ev: float

    @property
    def name(self) -> str:
        """Sample name, e.g. ``L07-n6``."""
        return f"L{self.index:02d}-n{self.cycles}"

    @property
    def tag(self) -> str:
        """Prefix of its data set and analysis ids, e.g. ``l07``."""
        return f"l{self.index:02d}"


def sample_parameters(index: int) -> SampleParameters:
    """The generator inputs of generated sample ``index``: trends with the c-ALD cycles as the
    demo's samples have them (more bridging carboxylate and Al(VI), larger d_H, exciton shifting
    ≤ 1.2 nm), and a small spread between repeats."""
    cycles = _CYCLES[index % len(_CYCLES)]
    repeat = index // len(_CYCLES)
    spread = 1.0 + 0.02 * (repeat - 2)
    return SampleParameters(
        index=index, cycles=cycles, seed=_SEED + 100 * index,
        enhancement=(33.0 if cycles == 0 else 50.0 - 1.0 * cycles) * spread,
        bridging_amplitude=0.0 if cycles == 0 else min(0.2 + 0.05 * cycles, 0.6),
        diffusion_m2_s=2.5e-10 / (1.0 + 0.067 * cycles) * spread,
        exciton_nm=495.0 + 0.1 * cycles, exciton_fwhm_nm=25.0 + 0.09 * cycles,
        al_vi_fraction=min(0.28 + 0.02 * cycles, 0.5),
        charge_shift_ev=0.3 + 0.05 * (index % 7))


def _toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)  # str, int, float, bool: JSON spelling is TOML spelling here


def _table(name: str, fields: Mapping[str, Any]) -> str:
    """One ``[[name]]`` entry; a ``parameters`` mapping becomes its sub-table."""
    lines = [f"[[{name}]]"]
    params = fields.get("parameters")
    lines += [f"{k} = {_toml_value(v)}" for k, v in fields.items() if k != "parameters"]
    if params:
        lines.append(f"[{name}.parameters]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in params.items()]
    return "\n".join(lines) + "\n"


def _write_sample(data: Path, p: SampleParameters, reference_uvvis: str) -> Iterator[str]:
    """Write the data of one generated sample into ``data`` and yield its TOML entries."""
    t, seed = p.tag, p.seed
    notes = f"generated: {p.cycles} c-ALD cycles, synthesis {p.index // len(_CYCLES) + 1}"
    sample: dict[str, Any] = {"name": p.name, "cycles": p.cycles, "ligands_per_qd": 85}
    if p.cycles:
        sample["tma_per_qd"] = 25
    yield _table("samples", {**sample, "notes": notes})

    def dataset(suffix: str, path: str, kind: str = "bruker") -> str:
        return _table("datasets", {"id": f"{t}-{suffix}", "path": f"data/large/{path}", "kind": kind,
                                   "sample": p.name})

    def analysis(suffix: str, kind: str, inputs: list[str], **parameters: Any) -> str:
        return _table("analyses", {"id": f"{t}-{suffix}", "kind": kind, "inputs": inputs,
                                   "parameters": parameters})

    lines: tuple[Line, ...] = OLEATE_13C_LINES
    if p.bridging_amplitude:
        lines = (*lines, Line(180.5, p.bridging_amplitude, 300.0))
    write_dnp_pair(data / f"{t}_cp13c_on", data / f"{t}_cp13c_off", enhancement=p.enhancement,
                   seed=seed + 1, lines=lines, noise_sd=0.5)
    write_dosy_series(data / f"{t}_dosy", _DOSY_GRADIENTS_G_CM, p.diffusion_m2_s,
                      gradient_shape="SMSQ10.100", seed=seed + 2)
    write_uvvis_csv(data / f"{t}_uvvis.csv", p.exciton_nm, p.exciton_fwhm_nm, seed=seed + 3)
    yield dataset("cp13c-on", f"{t}_cp13c_on")
    yield dataset("cp13c-off", f"{t}_cp13c_off")
    yield dataset("dosy", f"{t}_dosy")
    yield dataset("uvvis", f"{t}_uvvis.csv", "csv")
    yield analysis("dnp", "dnp", [f"{t}-cp13c-on", f"{t}-cp13c-off"], region=[135.0, 125.0])
    yield analysis("cp13c", "nmr", [f"{t}-cp13c-on"], normalise_region=[135.0, 125.0],
                   overlay="13C CP (DNP), generated series")
    yield analysis("dosy", "dosy", [f"{t}-dosy"], region=[5.6, 5.2])
    uvvis_inputs = [f"{t}-uvvis"] + ([reference_uvvis] if reference_uvvis != f"{t}-uvvis" else [])
    yield analysis("uvvis", "uvvis", uvvis_inputs, material="CdSe", path_cm=1.0, dilution=20.0,
                   overlay="UV-vis, generated series", normalise_region=[480.0, 510.0])
    if p.index % 5 == 0:
        bands: tuple[IrBand, ...] = OLEATE_CHAIN + CHELATING_CARBOXYLATE
        if p.cycles:
            bands = bands + BRIDGING_CARBOXYLATE + ALUMINA
        write_ir_csv(data / f"{t}_ftir.csv", bands, note=f"generated, {p.cycles} cycles",
                     seed=seed + 4)
        write_vamas(data / f"{t}_xps.vms",
                    demo_regions(p.cycles, charge_shift_ev=p.charge_shift_ev, seed=seed + 5),
                    comment=f"synthetic XPS of the cald large demo, CdSe after {p.cycles} cycles")
        yield dataset("ftir", f"{t}_ftir.csv", "csv")
        yield dataset("xps", f"{t}_xps.vms", "vamas")
        yield analysis("ftir", "ftir", [f"{t}-ftir"])
        yield analysis("xps", "xps", [f"{t}-xps"], regions=["Cd 3d", "Se 3d", "O 1s", "Al 2s", "C 1s"],
                       ratios=["Al 2s/O 1s"], rsf={"Al 2s": 0.753, "O 1s": 2.93})
    if p.cycles and p.index % 6 == 2:
        al_iv = 0.75 - p.al_vi_fraction
        write_al27_cp(data / f"{t}_cp27al",
                      ((68.0, 3.0, al_iv), (36.0, 2.5, 0.25), (9.0, 2.0, p.al_vi_fraction)),
                      seed=seed + 6)
        yield dataset("cp27al", f"{t}_cp27al")
        yield analysis("al27-sites", "quad", [f"{t}-cp27al"], sites=[4, 5, 6],
                       overlay="27Al CP, generated series", normalise_region=[80.0, 55.0])
    if p.cycles and p.index % 7 == 1:
        write_respdor_series(data / f"{t}_respdor", DEMO_D_HZ, DEMO_F, list(range(2, 31, 2)),
                             mas_hz=10_000.0, spin=2.5, noise_sd=0.004, seed=seed + 7)
        bound = min(0.1 + 0.03 * p.cycles, 0.4)
        write_cd113_mas(data / f"{t}_cp113cd", ((*_CD113_SITES[0], 0.3), (*_CD113_SITES[1], bound),
                                                (*_CD113_SITES[2], 0.7 - bound)), seed=seed + 8)
        yield dataset("respdor", f"{t}_respdor")
        yield dataset("cp113cd", f"{t}_cp113cd")
        yield analysis("respdor", "respdor", [f"{t}-respdor"], pair="13C-27Al",
                       region=[190.0, 178.0], models=["single", "two_site", "gaussian"])
        yield analysis("cd113-csa", "csa", [f"{t}-cp113cd"], mas_khz=8.0,
                       sites=[-50.0, -140.0, -320.0], overlay="113Cd CP-MAS, generated series",
                       normalise_region=[-40.0, -60.0])


def write_large_project(out_dir: str | os.PathLike[str], n_samples: int = LARGE_N_SAMPLES) -> Path:
    """Write the demo project and ``n_samples`` generated samples (data under ``data/large``)
    into ``out_dir``; returns the project file. ``n_samples = 50`` gives 255 analyses of 54
    samples."""
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}")
    out = Path(out_dir)
    project = write_demo_project(out)
    data = out / "data" / "large"
    params = [sample_parameters(i) for i in range(n_samples)]
    reference = f"{params[0].tag}-uvvis"  # sample 0 is pristine (cycles 0)
    entries = [entry for p in params for entry in _write_sample(data, p, reference)]
    header = (f"\n# --- generated c-ALD series of `cald demo --size large`: {n_samples} samples "
              "(cald.project.demo_large) ---\n")
    text = project.read_text(encoding="utf-8") + header + "\n".join(entries)
    return atomic_write_text(project, text)
