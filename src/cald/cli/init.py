"""``cald init``: draft project.toml from a folder of raw data."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import JSON_OPTION, QUIET_OPTION, console, emit_json
from cald.errors import InputError, ParameterError


def _table(draft, project_file: Path) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    ids = {id(d.found): d.id for d in draft.datasets}
    analyses: dict[str, list[str]] = {}
    for aid, p in draft.analyses:
        for f in p.inputs:
            analyses.setdefault(ids[id(f)], []).append(f"{aid} ({p.sure})" if f is p.inputs[0]
                                                       else f"input of {aid}")
    table = Table(title=f"cald init {draft.folder}", show_lines=False)
    for col in ("data set", "recognised as", "sample", "analysis"):
        table.add_column(col)
    for d in draft.datasets:
        what = d.found.technique + (f" {d.found.nucleus}" if d.found.nucleus else "")
        sample = f"{d.sample} ({d.guess.sure})" if d.sample else "-"
        table.add_row(d.path, what, sample, ", ".join(analyses.get(d.id, [])) or "-")
    console.print(table)
    for title, rows in (("no analysis proposed", draft.unplaced),
                        ("not grouped into a sample", draft.ungrouped),
                        ("skipped", draft.skipped_pairs())):
        if rows:
            console.print(f"{title} ({len(rows)}):")
            for rel, why in rows[:20]:
                console.print(f"  {rel}: {why}")
            if len(rows) > 20:
                console.print(f"  … and {len(rows) - 20} more (all of them in --json and in the "
                              "file's comments)")
    console.print(f"{len(draft.samples)} samples, {len(draft.datasets)} data sets, "
                  f"{len(draft.analyses)} analyses → {project_file}")


def register(app: typer.Typer) -> None:
    """Add ``init`` to the root command."""

    @app.command("init")
    def init(
        folder: Path = typer.Argument(..., help="Folder of raw data (read only, never written)."),
        out: Path = typer.Option(Path("project.toml"), "--out",
                                 help="Project file to write (outside FOLDER)."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
        run: bool = typer.Option(False, "--run", help="Run the drafted project at once (results "
                                                      "in <out's folder>/results; with --json the "
                                                      "run's summary, as `cald run --json`)."),
        as_json: bool = JSON_OPTION,
        quiet: bool = QUIET_OPTION,
    ) -> None:
        """Recognise every data set in FOLDER and draft a commented project.toml.

        Each data set is recognised from its own headers (Bruker parameters
        and title, VAMAS regions and sample ids, CSV/JCAMP axis units),
        grouped into samples ("n=1", "1 cycle", "AlOx-3" in names, titles,
        sample ids) and given an analysis with parameters read from the data;
        every guess is commented with what it was inferred from and how sure
        it is.

        Exit status: 0 drafted (with --run: every analysis ok); 1 --run
        finished with failed analyses; 2 nothing recognised, or an input or
        output error."""
        from cald.io.atomic import atomic_write_text
        from cald.project.config import load_project
        from cald.project.init.draft import draft_project

        root = folder.resolve()
        target = out.resolve()
        if root.is_dir() and target.is_relative_to(root):
            raise ParameterError(f"--out {out}: inside {folder}, which cald init never writes; "
                                 "give a path outside it")
        if target.exists() and not force:
            raise InputError("exists; give --force to overwrite it or another --out", out)
        draft = draft_project(folder)
        text = draft.toml(target.parent)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, text)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror}", out) from None
        load_project(target)  # the draft validates as written
        if as_json:
            if not run:
                emit_json({"project_file": str(target), **draft.to_dict()})
        elif not quiet:
            _table(draft, target)
        if run:
            from cald.cli.project import _main_job
            from cald.project.pipeline import run_project

            results = target.parent / "results"
            _main_job(lambda command, progress: run_project(target, results, command=command,
                                                            progress=progress),
                      results, as_json, quiet)
