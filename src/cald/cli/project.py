"""``cald run`` and ``cald demo``: the main job."""

from __future__ import annotations

import enum
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from cald.cli.common import INVOCATION, JSON_OPTION, QUIET_OPTION, console, emit_json, progress_bar
from cald.errors import InputError, ParameterError


class DemoSize(enum.StrEnum):
    """Size of ``cald demo``'s project."""

    default = "default"
    large = "large"


def _report(summary, as_json: bool, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        emit_json(summary.to_dict())
        return
    if quiet:
        return
    for a in summary.results["analyses"]:
        tag = "cached" if a["cached"] else a["status"]
        console.print(f"  {a['id']:28s} {tag:7s} {a['summary'] or a['error'] or ''}")
    console.print(f"{summary.n_ok} ok, {summary.n_failed} failed ({summary.n_cached} from cache) "
                  f"in {summary.wall_s:.1f} s; report: {summary.out_dir / 'report.html'}")


def _main_job(job: Callable[[str, Callable[..., None] | None], Any], out: Path,
              as_json: bool, quiet: bool) -> None:
    """Run ``job(command, progress)`` into ``out`` with a progress bar, report its summary and
    exit with status 1 when any analysis failed, 130 when interrupted (Ctrl-C)."""
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", out)
    try:
        with progress_bar(not (quiet or as_json), "analyses") as progress:
            summary = job(shlex.join(["cald", *map(str, INVOCATION)]), progress)
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted; the analyses that finished are cached and the next "
                         "run computes only the others\n")
        raise typer.Exit(130) from None
    _report(summary, as_json, quiet)
    if summary.n_failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``demo`` to the root command."""

    @app.command("run")
    def run(
        project: Path = typer.Argument(..., help="project.toml"),
        out: Path = typer.Option(..., "--out", help="Folder for results.json, report.html, figures."),
        scheduler: str | None = typer.Option(None, "--scheduler",
                                             help="dask scheduler address (default: local)."),
        workers: int | None = typer.Option(
            None, "--workers", min=1,
            help="Local worker processes, one thread each (default: threads of one process)."),
        as_json: bool = JSON_OPTION,
        quiet: bool = QUIET_OPTION,
    ) -> None:
        """Run every analysis of a project (cached, in parallel) and write the report.

        Exit status: 0 every analysis ok; 1 some analyses failed (the others finish,
        results.json and report.html are still written); 2 input error before any work or an
        output that cannot be written; 130 interrupted (finished analyses stay cached)."""
        from cald.project.pipeline import run_project

        if workers is not None and scheduler is not None:
            raise ParameterError("--workers: not with --scheduler (the cluster has its workers)")
        _main_job(lambda command, progress: run_project(project, out, scheduler=scheduler,
                                                        n_workers=workers, command=command,
                                                        progress=progress),
                  out, as_json, quiet)

    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for the example."),
        size: DemoSize = typer.Option(DemoSize.default, "--size",
                                      help="default: the example of the study; large: it and a "
                                           "generated c-ALD series (50 samples, 268 analyses)."),
        as_json: bool = JSON_OPTION,
        quiet: bool = QUIET_OPTION,
    ) -> None:
        """Write the bundled synthetic example project into OUT and run it there.

        Exit status as for ``cald run`` (0 ok, 1 some analyses failed, 2 input error)."""
        from cald.project.demo import run_demo

        _main_job(lambda command, progress: run_demo(out, command=command, progress=progress,
                                                     large=size is DemoSize.large),
                  out, as_json, quiet)
