"""Options models: one pydantic model per operation, parsed and converted once at the boundary.

Every operation (``cald respdor fit``, ``cald csa fit``, …) has one :class:`Options` subclass
beside it in the library (:mod:`cald.recoupling.options`, :mod:`cald.lineshape.options`,
:mod:`cald.nmr.options`). The command line builds it from its typer options and the project
file's analysis kinds use it (or a subclass) as their parameters, so the two cannot drift apart;
a notebook user may build one directly.

Conventions
-----------
- Fields hold SI-suffixed units (``t_s``, ``mas_hz``). The file and command-line spelling
  (``t_ms``, ``mas_khz``) is declared once per model in :attr:`Options.boundary_units` and
  converted by the model itself; either spelling is accepted, not both.
- A region is accepted as ``"A:B"`` or ``[A, B]`` in either order and stored as (high, low); a
  list of numbers as ``"0.5,1,1.5"`` or ``[0.5, 1, 1.5]``; NaN and infinity are refused.
- Messages of field checks are predicates (``must be positive, got 0``); checks across fields
  name the fields as ``{name}``, which :func:`describe_validation_error` spells the way the
  caller does (``--t-ms`` on the command line, ``t_ms`` in a project file).

Adding an option to an operation: one field on its model (SI unit in the name, a ``description``
that is also the ``--help`` text, a boundary spelling in ``boundary_units`` if the file and the
command line use another unit), then one parameter of the typer command,
``x_ms: float | None = option(Model, "x_ms")``, passed on to ``build_options``. The analysis
kind gets it through its ``Parameters`` (the model or a subclass) with nothing more to write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

__all__ = ["FloatList", "NonNegativeFloat", "NonNegativeInt", "Options", "PositiveFloat", "Region",
           "check", "describe_validation_error", "field_path", "parse_float_list", "parse_region"]


def parse_region(value: Any) -> tuple[float, float]:
    """``"A:B"`` or ``[A, B]`` (either order, two different finite numbers) → (high, low)."""
    if isinstance(value, str):
        parts = value.split(":")
        if len(parts) != 2:
            raise ValueError(f"must look like A:B (e.g. 190:178), got {value!r}")
        try:
            a, b = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValueError(f"must hold two numbers A:B, got {value!r}") from None
    elif isinstance(value, Sequence) and len(value) == 2:
        try:
            a, b = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            raise ValueError(f"must hold two numbers [A, B], got {value!r}") from None
    else:
        raise ValueError(f"must be two numbers A:B or [A, B], got {value!r}")
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        raise ValueError(f"needs two different finite numbers, got {value!r}")
    return max(a, b), min(a, b)


def parse_float_list(value: Any) -> list[float]:
    """``"0.5,1,1.5"`` (commas or semicolons) or a sequence → a non-empty list of finite floats."""
    if isinstance(value, str):
        try:
            values = [float(v) for v in value.replace(";", ",").split(",") if v.strip()]
        except ValueError:
            raise ValueError(f"must be a comma-separated list of numbers, got {value!r}") from None
    elif isinstance(value, Sequence):
        try:
            values = [float(v) for v in value]
        except (TypeError, ValueError):
            raise ValueError(f"must be a list of numbers, got {value!r}") from None
    else:
        raise ValueError(f"must be a list of numbers, got {value!r}")
    if not values or not all(math.isfinite(v) for v in values):
        raise ValueError(f"must be a non-empty list of finite numbers, got {value!r}")
    return values


def check(predicate: Callable[[Any], bool], message: str, quote: bool = False) -> AfterValidator:
    """A field check (for ``Annotated``) whose failure reads ``<message>, got <value>`` (the
    value as ``repr`` with ``quote``)."""

    def validate(value: Any) -> Any:
        if not predicate(value):
            raise ValueError(f"{message}, got {value!r}" if quote else f"{message}, got {value}")
        return value

    return AfterValidator(validate)


#: A region (high, low) from ``"A:B"`` or ``[A, B]`` in either order.
Region = Annotated[tuple[float, float], BeforeValidator(parse_region)]
#: A non-empty list of finite numbers from ``"a,b,c"`` or a list.
FloatList = Annotated[list[float], BeforeValidator(parse_float_list)]
PositiveFloat = Annotated[float, check(lambda v: v > 0, "must be positive")]
NonNegativeFloat = Annotated[float, check(lambda v: v >= 0, "must be ≥ 0")]
NonNegativeInt = Annotated[int, check(lambda v: v >= 0, "must be ≥ 0")]


class Options(BaseModel):
    """Base of every options model: frozen, unknown keys refused, NaN and infinity refused.

    Subclasses declare the boundary spellings of converted fields in :attr:`boundary_units`,
    ``{"t_ms": ("t_s", 1e-3)}``: the value given as ``t_ms`` is multiplied by the factor into
    ``t_s`` (numbers and lists of numbers; anything else goes to the field's own check).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    boundary_units: ClassVar[dict[str, tuple[str, float]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _convert_units(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not cls.boundary_units:
            return data
        data = dict(data)
        for name, (field, factor) in cls.boundary_units.items():
            if name not in data:
                continue
            if field in data:
                raise ValueError(f"give {{{name}}} or {field}, not both")
            value = data.pop(name)
            data[field] = _scaled(value, factor)
        return data

    @classmethod
    def boundary_field(cls, name: str) -> tuple[str, float]:
        """The field a boundary name fills and the factor into its unit (``t_ms`` →
        (``t_s``, 1e-3)); other names are fields themselves (factor 1)."""
        return cls.boundary_units.get(name, (name, 1.0))

    @classmethod
    def boundary_name(cls, field: str) -> str:
        """The file/command-line spelling of a field (``t_s`` → ``t_ms``)."""
        return next((name for name, (f, _) in cls.boundary_units.items() if f == field), field)

    def boundary_value(self, field: str) -> Any:
        """A field's value in its boundary unit (``t_s`` → the times in ms)."""
        value = getattr(self, field)
        name = self.boundary_name(field)
        if name == field or value is None:
            return value
        factor = self.boundary_units[name][1]

        def back(v: float) -> float:  # 15 significant digits: the decimal number given
            return float(f"{v / factor:.15g}")

        return [back(v) for v in value] if isinstance(value, list) else back(value)


def _scaled(value: Any, factor: float) -> Any:
    """``value × factor`` for a number or a list of numbers (strings parsed as lists); other
    values unchanged so that the field's own check reports them."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value * factor
    try:
        return [v * factor for v in parse_float_list(value)]
    except ValueError:
        return value


def field_path(loc: Sequence[Any]) -> str:
    """A pydantic error location as a file's field path: ``("analyses", 0, "kind")`` →
    ``analyses[0].kind``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_validation_error(exc: ValidationError, model: type[Options],
                              spell: Callable[[str], str]) -> tuple[str | None, str]:
    """The first error of ``exc`` as (field, message): the field as the caller spells it
    (``spell`` maps a boundary name such as ``t_ms`` to ``--t-ms`` or
    ``analyses[0].parameters.t_ms``; ``None`` for a check across fields) and the message, in
    which ``{field}`` references are spelled the same way."""
    err = exc.errors()[0]
    msg = str(err["msg"]).removeprefix("Value error, ")
    loc = [str(x) for x in err["loc"]]
    if loc and model.boundary_name(loc[0]) != loc[0] and not isinstance(err.get("input"), str):
        msg = msg.split(", got ")[0]  # the value shown would be in the field's unit, not the user's
    fields = set(model.model_fields) | set(model.boundary_units)

    def name(field: str) -> str:
        return spell(model.boundary_name(field))

    msg = re.sub(r"\{(\w+)\}", lambda m: name(m[1]) if m[1] in fields else m[0], msg)
    if not loc:
        return None, msg
    return name(loc[0]) + "".join(f"[{x}]" if x.isdigit() else f".{x}" for x in loc[1:]), msg
