"""The c-ALD planner: how much TMA solution to add per cycle, for how long to pump it, and the
step list of a shell growth (``cald plan``).

One cycle (Rusch et al., the study in ``science.md`` §7): TMA solution added at the pump rate,
a wait, the oxidant step (O2 flow, or oleic acid after the cycle given as ``olac_after``), a wait.
The TMA per cycle is fixed by the moles of QD, which do not change as solution is added:

    n_QD = c_QD × V,   n_TMA = n_QD × N_TMA/QD,   V_TMA = n_TMA / c_TMA,   t = V_TMA / pump rate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CaldPlan", "PlanStep", "plan_cald"]


@dataclass(frozen=True)
class PlanStep:
    """One step of the schedule: cycle number (from 1), action, volume added (mL; the gas volume
    for O2; ``None`` when not planned) and duration (min; ``None`` when not planned)."""

    cycle: int
    action: str
    volume_ml: float | None
    duration_min: float | None


@dataclass(frozen=True)
class CaldPlan:
    """The planned c-ALD schedule and its totals (moles in mol, volumes in mL, times in min)."""

    qd_mol: float
    tma_per_qd: float
    tma_mol_per_cycle: float
    tma_volume_ml_per_cycle: float
    tma_addition_min: float
    cycles: int
    steps: list[PlanStep]
    total_tma_mol: float
    total_tma_volume_ml: float
    total_duration_min: float
    oleate_fraction_per_cycle: float | None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``cald plan --json`` (key ``steps``: the step list)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaldPlan:
        """The plan of a :meth:`to_dict` object (further keys, e.g. a sample name, ignored)."""
        names = set(cls.__dataclass_fields__)
        return cls(**{**{k: v for k, v in d.items() if k in names},
                      "steps": [PlanStep(**s) for s in d["steps"]]})

    def report(self) -> str:
        """The schedule as a table with the per-cycle amounts and totals."""
        lines = [f"c-ALD plan: {self.cycles} cycle(s), {self.qd_mol:.4g} mol QD, "
                 f"{self.tma_per_qd:g} TMA per QD per cycle",
                 f"  per cycle: {self.tma_mol_per_cycle:.4g} mol TMA = "
                 f"{self.tma_volume_ml_per_cycle:.4g} mL of TMA solution, pumped in "
                 f"{self.tma_addition_min:.4g} min"]
        if self.oleate_fraction_per_cycle is not None:
            lines.append(f"  oleates addressed per cycle: {100 * self.oleate_fraction_per_cycle:.3g} %")
        lines.append(f"  {'cycle':>5}  {'action':<10} {'volume mL':>10} {'time min':>9}")
        for s in self.steps:
            vol = "—" if s.volume_ml is None else f"{s.volume_ml:.4g}"
            dur = "—" if s.duration_min is None else f"{s.duration_min:.4g}"
            lines.append(f"  {s.cycle:>5}  {s.action:<10} {vol:>10} {dur:>9}")
        lines.append(f"  total: {self.total_tma_mol:.4g} mol TMA, {self.total_tma_volume_ml:.4g} mL "
                     f"of TMA solution, {self.total_duration_min:.4g} min of planned steps")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def plan_cald(*, qd_mol_l: float, volume_l: float, tma_mol_l: float, tma_per_qd: float,
              cycles: int, pump_l_s: float, o2_l_s: float, o2_s: float | None, wait_s: float,
              olac_after: int | None = None, ligands_per_qd: float | None = None,
              stability_limit: float = 25.0) -> CaldPlan:
    """The c-ALD schedule: TMA addition, wait, oxidant step (O2, or oleic acid after cycle
    ``olac_after``), wait, for each cycle. The values are those of
    :class:`cald.qd.options.PlanOptions` (which checks them; :meth:`PlanOptions.plan` calls this):
    QD and TMA concentrations (mol/L), QD solution volume (L), TMA per QD per cycle, pump and O2
    rates (L/s), O2 duration and waits (s; ``o2_s`` None: not planned), ligands per QD (for the
    fraction addressed) and the colloidal stability limit (TMA per QD).
    """
    qd_mol = qd_mol_l * volume_l
    tma_mol = qd_mol * tma_per_qd
    tma_l = tma_mol / tma_mol_l
    tma_min = tma_l / pump_l_s / 60.0
    wait_min = wait_s / 60.0
    o2_min = None if o2_s is None else o2_s / 60.0
    o2_ml = None if o2_s is None else o2_l_s * o2_s * 1e3
    steps: list[PlanStep] = []
    for cycle in range(1, cycles + 1):
        steps.append(PlanStep(cycle, "add TMA", tma_l * 1e3, tma_min))
        steps.append(PlanStep(cycle, "wait", None, wait_min))
        if olac_after is not None and cycle > olac_after:
            steps.append(PlanStep(cycle, "add OLAC", None, None))
        else:
            steps.append(PlanStep(cycle, "O2 flow", o2_ml, o2_min))
        steps.append(PlanStep(cycle, "wait", None, wait_min))
    warnings: list[str] = []
    notes: list[str] = []
    if tma_per_qd > stability_limit:
        warnings.append(f"{tma_per_qd:g} TMA per QD exceeds the colloidal stability limit "
                        f"of {stability_limit:g} per cycle: the QDs may aggregate")
    fraction = None
    if ligands_per_qd is not None:
        fraction = tma_per_qd / ligands_per_qd
        if fraction > 1:
            warnings.append(f"{tma_per_qd:g} TMA per QD is more than the "
                            f"{ligands_per_qd:g} oleates per QD")
    if o2_min is None:
        notes.append(f"O2 at {o2_l_s / 1e-3 * 60:.4g} mL/min in excess; its duration is not "
                     "planned (--o2-min) and not in the total time")
    if olac_after is not None:
        notes.append(f"oleic acid instead of O2 from cycle {olac_after + 1}: volume not "
                     "planned (an excess, as in the study)")
    return CaldPlan(qd_mol=qd_mol, tma_per_qd=tma_per_qd, tma_mol_per_cycle=tma_mol,
                    tma_volume_ml_per_cycle=tma_l * 1e3, tma_addition_min=tma_min,
                    cycles=cycles, steps=steps, total_tma_mol=tma_mol * cycles,
                    total_tma_volume_ml=tma_l * 1e3 * cycles,
                    total_duration_min=sum(s.duration_min or 0.0 for s in steps),
                    oleate_fraction_per_cycle=fraction, warnings=warnings, notes=notes)
