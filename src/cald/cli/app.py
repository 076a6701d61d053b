"""The ``cald`` command: entry point, global options and error handling."""

from __future__ import annotations

import sys
import traceback
import warnings

import typer

try:  # typer ≥ 0.20 vendors click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover - older typer with click as a dependency
    from click.exceptions import (  # type: ignore[assignment,no-redef]
        ClickException,
        NoArgsIsHelpError,
    )

from cald import __version__
from cald.cli import (
    common,
    dosy,
    ftir,
    init,
    ligands,
    lineshape,
    model,
    nmr,
    nuclei,
    plan,
    project,
    respdor,
    simpson,
    titration,
    uvvis,
    xps,
)
from cald.cli.common import console
from cald.errors import FieldError, InputError

app = typer.Typer(
    name="cald",
    help="c-ALD toolkit: from raw spectra to a surface-chemistry mechanism.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(nuclei.app, name="nuclei")
app.add_typer(respdor.app, name="respdor")
app.add_typer(nmr.app, name="nmr")
init.register(app)
app.add_typer(simpson.app, name="simpson")
project.register(app)
lineshape.register(app)
plan.register(app)
uvvis.register(app)
dosy.register(app)
titration.register(app)
ligands.register(app)
xps.register(app)
ftir.register(app)
model.register(app)


def _version(value: bool) -> None:
    if value:
        console.print(f"cald {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
) -> None:
    """c-ALD toolkit: from raw spectra to a surface-chemistry mechanism."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; input problems become ``error: …`` on stderr and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args  # accepted anywhere on the line, not only before the command
    args = [a for a in args if a != "--debug"]
    common.INVOCATION[:] = args
    with warnings.catch_warnings(record=True) as caught:  # the filters in force decide what shows
        code = _run(args, debug)
    # warnings of a failed command are noise next to its one error line (--debug shows them)
    if code != 2 or debug:
        for w in caught:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return code


def _run(args: list[str], debug: bool) -> int:
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="cald", standalone_mode=False)
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        return 1
    except NoArgsIsHelpError as exc:  # `cald` or `cald respdor` alone: show the help
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        return 0
    except ClickException as exc:  # usage errors: unknown option, missing argument
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"error: {_one_line(exc.format_message())}\n")
        return 2
    except InputError as exc:
        if debug:
            traceback.print_exc()
        message = (f"--{exc.field.replace('_', '-')}: {exc.detail}" if isinstance(exc, FieldError)
                   else str(exc))
        sys.stderr.write(f"error: {_one_line(message)}\n")
        return 2
    return code if isinstance(code, int) else 0


def _one_line(message: str) -> str:
    """An error message as the one line of stderr (a file's bad line may carry line breaks)."""
    return " ".join(message.split())


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
