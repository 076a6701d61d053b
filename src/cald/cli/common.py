"""Shared pieces of the command-line layer: output, and the thin adapter from typer options to
the library's options models (:mod:`cald.options`)."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from cald.errors import ParameterError
from cald.options import Options, describe_validation_error

__all__ = ["JSON_OPTION", "PLOT_SUFFIXES", "QUIET_OPTION", "build_options", "check_plot_path",
           "console", "emit_json", "finite", "option", "progress_bar", "to_jsonable"]

#: The arguments of the current ``cald`` invocation (set by :func:`cald.cli.app.main`), recorded
#: as the command in results.
INVOCATION: list[str] = []

#: Human-readable output (stdout); errors go to stderr from the entry point.
console = Console(highlight=False, markup=False, soft_wrap=True)

JSON_OPTION = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="Print nothing but errors.")
PLOT_OPTION = typer.Option(None, "--plot", help="Figure (.svg, .png, .pdf).")


def finite(value: float | None) -> float | None:
    """Option callback: reject NaN and infinity in a float option (``None`` passes)."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"must be a finite number, got {value}")
    return value


def to_jsonable(obj: Any) -> Any:
    """Replace non-finite floats by ``None`` (strict JSON) recursively."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj


#: Figure formats of ``--plot``.
PLOT_SUFFIXES = (".svg", ".png", ".pdf")


def check_plot_path(plot: Path | None) -> None:
    """Refuse a figure name whose format is unknown before any work starts."""
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise ParameterError(f"--plot {plot}: file must end in .svg, .png or .pdf")


def show(data: Any, text: str, as_json: bool, quiet: bool) -> None:
    """A command's output: ``data`` as one JSON object with ``--json``, else ``text`` unless
    ``--quiet``."""
    if as_json:
        emit_json(data)
    elif not quiet:
        console.print(text)


def emit_json(obj: Any) -> None:
    """Print one JSON object on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, allow_nan=False) + "\n")


def option(model: type[Options], name: str, *flags: str, **kwargs: Any) -> Any:
    """A typer option for the field ``name`` (boundary spelling, e.g. ``mas_khz``) of an options
    model: flag ``--mas-khz`` unless ``flags`` are given, default and help from the model (a list
    default is shown as ``a,b,c`` unless the option is repeatable)."""
    field, factor = model.boundary_field(name)
    info = model.model_fields[field]
    default: Any = ...
    if not info.is_required():
        default = info.default
        if isinstance(default, (int, float)) and not isinstance(default, bool) and factor != 1.0:
            default = default / factor
        if isinstance(default, (list, tuple)) and not kwargs.pop("multiple", False):
            default = ",".join(str(v) for v in default)
    kwargs.setdefault("help", info.description)
    return typer.Option(default, *(flags or ("--" + name.replace("_", "-"),)), **kwargs)


M = TypeVar("M", bound=Options)


def build_options(model: type[M], flags: Mapping[str, str] | None = None, /,
                  **values: Any) -> M:
    """The options model from typer values keyed by boundary names (``None``: the model's
    default); a problem becomes a :class:`ParameterError` naming the option (``--t-ms``, or the
    flag given in ``flags`` for a field whose flag differs from its name)."""
    names = dict(flags or {})
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        where, msg = describe_validation_error(
            exc, model, lambda n: names.get(n, "--" + n.replace("_", "-")))
    if where is None:
        raise ParameterError(msg)
    sep = " " if msg.startswith(("must ", "needs ", "'")) else ": "
    raise ParameterError(f"{where}{sep}{msg}")


@contextmanager
def progress_bar(enabled: bool, label: str) -> Iterator[Callable[..., None] | None]:
    """A rich progress bar on a terminal (nothing otherwise, or when not ``enabled``): done/total,
    the item (and its kind) that finished last, elapsed time and an ETA. Yields
    ``update(item, done, total, kind="")`` or ``None``."""
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(item: str, done: int, total: int, kind: str = "") -> None:
            what = f"{kind}: {item}" if kind else item
            bar.update(task, completed=done, total=total,
                       description=f"{label}, done: {what}" if what else label)

        yield update
