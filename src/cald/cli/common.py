"""Shared pieces of the command-line layer: output, option parsing."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import typer
from rich.console import Console

from cald.errors import ParameterError

__all__ = ["JSON_OPTION", "QUIET_OPTION", "check_auto_phase", "console", "emit_json", "finite",
           "parse_float_list", "parse_region", "to_jsonable"]

#: The arguments of the current ``cald`` invocation (set by :func:`cald.cli.app.main`), recorded
#: as the command in results.
INVOCATION: list[str] = []

#: Human-readable output (stdout); errors go to stderr from the entry point.
console = Console(highlight=False, markup=False, soft_wrap=True)

JSON_OPTION = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="Print nothing but errors.")


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


def emit_json(obj: Any) -> None:
    """Print one JSON object on stdout."""
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False, allow_nan=False) + "\n")


def parse_float_list(text: str, option: str) -> list[float]:
    """Parse ``"0.5,1,1.5"`` into floats; a :class:`ParameterError` names the option."""
    try:
        values = [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"{option} must be a comma-separated list of numbers, got {text!r}") \
            from None
    if not values or not all(math.isfinite(v) for v in values):
        raise ParameterError(f"{option} must be a non-empty list of finite numbers, got {text!r}")
    return values


def parse_region(text: str, option: str = "--region") -> tuple[float, float]:
    """Parse ``"A:B"`` (either order) into (high, low)."""
    parts = text.split(":")
    if len(parts) != 2:
        raise ParameterError(f"{option} must look like A:B (e.g. 190:178), got {text!r}")
    try:
        a, b = float(parts[0]), float(parts[1])
    except ValueError:
        raise ParameterError(f"{option} must hold two numbers A:B, got {text!r}") from None
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        raise ParameterError(f"{option} needs two different finite numbers, got {text!r}")
    return max(a, b), min(a, b)


def check_auto_phase(method: str | None) -> None:
    """Refuse an unknown ``--auto-phase`` method before any work starts."""
    from cald.nmr.processing import AUTOPHASE_METHODS

    if method is not None and method not in AUTOPHASE_METHODS:
        raise ParameterError(f"--auto-phase must be {' or '.join(AUTOPHASE_METHODS)}, got {method!r}")
