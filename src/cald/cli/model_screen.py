"""``cald model screen``: build, relax and analyse the configurations of a screen file in
parallel (:mod:`cald.atomistic.screen`); :func:`register_screen` adds it to the ``model`` group."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import JSON_OPTION, QUIET_OPTION, progress_bar, show

__all__ = ["register_screen", "screen"]


def screen(
    file: Path = typer.Argument(..., help="Screen file (TOML): tables relax, analyze and build, "
                                          "and configurations, each with a name."),
    out: Path = typer.Option(..., "--out", help="Folder for NAME.xyz, NAME.json and screen.json "
                                                "(configurations already there are not recomputed)."),
    workers: int | None = typer.Option(None, "--workers", min=1,
                                       help="Local worker processes, one thread each "
                                            "(default: the number of CPUs)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of a running dask scheduler (its workers need cald; "
                                  "start them with --nthreads 1) instead of local workers."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Build, relax (GFN2-xTB) and analyse many configurations in parallel; a table of energies
    ranked among isomers (same composition), carboxylate C–Al distances, binding modes and Al
    coordination. Exit status: 0 all ok; 1 some configurations failed (the rest are written);
    2 input error before any work."""
    from cald.atomistic.screen import run_screen
    from cald.atomistic.screen_options import load_screen
    from cald.errors import ParameterError

    if workers is not None and scheduler is not None:
        raise ParameterError("give --workers (local) or --scheduler (a running cluster), not both")
    options = load_screen(file)
    with progress_bar(not (quiet or as_json), "configurations") as progress:
        result = run_screen(options, out, source=file, n_workers=workers, scheduler=scheduler,
                            progress=progress)
    show(result.to_dict(), result.report(), as_json, quiet)
    if result.n_failed:
        raise typer.Exit(1)


def register_screen(model_app: typer.Typer) -> None:
    """Add ``screen`` to the ``cald model`` group."""
    model_app.command("screen")(screen)
