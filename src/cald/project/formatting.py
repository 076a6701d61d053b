"""Formatting of numbers and samples for the report, shared by the report core and the analysis
kinds' presentation methods (a neutral module: it imports neither)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["fit_quality", "format_value", "sample_label", "site_key_numbers"]


def format_value(value: Any, error: Any = None, unit: str = "") -> str:
    """``value ± error unit`` with the error to 2 significant digits and the value to match."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return f"{', '.join(format_value(v) for v in value)} {unit}".strip()
    v = float(value)
    if error is None or not np.isfinite(float(error)) or float(error) <= 0:
        text = f"{v:.4g}"
    else:
        e = float(error)
        exp = int(np.floor(np.log10(e))) - 1  # last kept decade: two significant digits
        e_rounded = round(e, -exp)
        if e_rounded >= 10 ** (exp + 2):  # rounding went up a decade (0.0996 → 0.10)
            exp += 1
            e_rounded = round(e, -exp)
        digits = max(0, -exp)
        text = f"{round(v, -exp):.{digits}f} ± {e_rounded:.{digits}f}"
    return f"{text} {unit}".strip()


def fit_quality(fit: dict[str, Any]) -> tuple[str, str]:
    """The goodness of fit the one uncertainty rule reports: ``("χ²ᵣ", …)`` when σ was measured,
    ``("residual s.d.", …)`` when it was estimated from the residuals (χ²ᵣ is then ``None``)."""
    if fit.get("redchi") is None and fit.get("residual_std") is not None:
        return "residual s.d.", format_value(fit["residual_std"])
    return "χ²ᵣ", format_value(fit.get("redchi"))


def sample_label(name: str | None, cycles: dict[str | None, Any]) -> str:
    """``n1 (n = 1)``: a sample with its number of c-ALD cycles (``?`` when unknown)."""
    return f"{name} (n = {cycles.get(name, '?')})"


def site_key_numbers(result: dict[str, Any],
                     details: Callable[[dict[str, Any]], str]) -> list[tuple[str, str]]:
    """Key numbers of a site fit (``result["sites"]``): per site its label (or δiso), δiso, the
    model's ``details`` and the fraction; then χ²ᵣ (or the residual s.d.) when the result has
    one."""
    rows = []
    for site in result["sites"]:
        label = str(site.get("label") or f"{site['iso_ppm']:.0f} ppm")
        rows.append((label, f"δiso {format_value(site['iso_ppm'], site.get('iso_ppm_err'), 'ppm')}; "
                            f"{details(site)}; "
                            f"fraction {format_value(site['fraction'], site.get('fraction_err'))}"))
    return rows + ([fit_quality(result)] if "redchi" in result else [])
