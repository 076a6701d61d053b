"""``cald plan``: the c-ALD dosing schedule (TMA volume and pumping time per cycle)."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    option,
    show,
)
from cald.qd.options import PlanOptions

__all__ = ["register"]


def plan(
    qd_um: float = option(PlanOptions, "qd_um"),
    volume_ml: float = option(PlanOptions, "volume_ml"),
    tma_mm: float = option(PlanOptions, "tma_mm"),
    tma_per_qd: float = option(PlanOptions, "tma_per_qd"),
    cycles: int = option(PlanOptions, "cycles"),
    pump_ml_h: float = option(PlanOptions, "pump_ml_h"),
    o2_ml_min: float = option(PlanOptions, "o2_ml_min"),
    o2_min: float | None = option(PlanOptions, "o2_min"),
    wait_min: float = option(PlanOptions, "wait_min"),
    olac_after: int | None = option(PlanOptions, "olac_after"),
    ligands_per_qd: float | None = option(PlanOptions, "ligands_per_qd"),
    stability_limit: float = option(PlanOptions, "stability_limit"),
    plot: Path | None = typer.Option(None, "--plot", help="Timeline figure (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Plan c-ALD cycles: TMA solution volume and pumping time per cycle, waits, oxidant steps."""
    opts = build_options(PlanOptions, qd_um=qd_um, volume_ml=volume_ml, tma_mm=tma_mm,
                         tma_per_qd=tma_per_qd, cycles=cycles, pump_ml_h=pump_ml_h,
                         o2_ml_min=o2_ml_min, o2_min=o2_min, wait_min=wait_min,
                         olac_after=olac_after, ligands_per_qd=ligands_per_qd,
                         stability_limit=stability_limit)
    check_plot_path(plot)
    result = opts.plan()
    if plot is not None:
        from cald.figures import plan_timeline_figure, save_figure

        save_figure(plan_timeline_figure(result), plot)
    show(result.to_dict(), result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald plan`` to the root command."""
    app.command("plan")(plan)
