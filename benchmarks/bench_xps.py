"""XPS fit benchmark (issue 11): a Cd 3d region with two spin–orbit doublets (core 405.3 eV,
surface 406.2 eV, splitting 6.74 eV, area ratio 2/3, equal widths, GL(30)) on a Shirley step,
Poisson counts, 360 points.

1. cald: :func:`cald.surface.xps.fit_xps_region` with the region preset ``Cd 3d`` and the Shirley
   background fitted together with the peaks (level + k·∫peaks), σ = √counts, errors from the
   covariance; best of 5.
2. Baseline in the same run (lmfitxps is not installed; a plain lmfit implementation written here,
   the way lmfitxps composes its models): four lmfit ``Model`` s of the same GL(30) function with
   the doublet ties as parameter expressions, plus an "active" Shirley on the **data**
   (k·Σ of the data from each point to the low-BE end + const, lmfitxps's ``ShirleyBG``), fitted
   by ``CompositeModel.fit`` (Levenberg–Marquardt) with weights 1/√counts; best of 5.
Prints both times, the ratio and the fitted core 3d5/2 positions.
"""

from __future__ import annotations

import lmfit
import numpy as np

from _timing import best_of
from cald.surface.backgrounds import shirley_integral
from cald.surface.components import region_preset
from cald.surface.lineshapes import gl
from cald.surface.xps import fit_xps_region

X = np.arange(400.0, 418.0, 0.05)[::-1]  # descending BE, as exported by most instruments
TRUE = [(405.3, 1.0, 3000.0), (406.2, 1.1, 1200.0)]


def spectrum(seed: int = 0) -> np.ndarray:
    peaks = sum(gl(X, be + d, w, a * r, 0.3) for be, w, a in TRUE for d, r in ((0.0, 1.0), (6.74, 2 / 3)))
    return np.random.default_rng(seed).poisson(200 + peaks + 0.02 * shirley_integral(X, peaks)).astype(float)


def gl30(x, center, fwhm, area):
    """GL(30), area-normalised (the same function for both sides)."""
    return gl(x, center, fwhm, area, 0.3)


def shirley_on_data(y, k, const):
    """lmfitxps-style active Shirley: k × (sum of the data from each point to the low-BE end,
    i.e. the array's end for a descending BE axis) + const."""
    return k * np.cumsum(y[::-1])[::-1] + const


def baseline_fit(y: np.ndarray) -> lmfit.model.ModelResult:
    model = lmfit.Model(shirley_on_data, independent_vars=["y"], prefix="bg_")
    for name in ("c5", "c3", "s5", "s3"):
        model = model + lmfit.Model(gl30, prefix=f"{name}_")
    p = model.make_params()
    p["bg_k"].set(value=1e-5, min=0)
    p["bg_const"].set(value=float(y[: 3].mean()))
    for name, (be, _, a) in zip(("c", "s"), TRUE, strict=True):
        p[f"{name}5_center"].set(value=be + 0.1, min=be - 0.5, max=be + 0.5)
        p[f"{name}5_fwhm"].set(value=1.2, min=0.3, max=4)
        p[f"{name}5_area"].set(value=a * 0.8, min=0)
        p[f"{name}3_center"].set(expr=f"{name}5_center + 6.74")
        p[f"{name}3_fwhm"].set(expr=f"{name}5_fwhm")
        p[f"{name}3_area"].set(expr=f"{name}5_area * 2/3")
    return model.fit(y, p, x=X, y=y, weights=1 / np.sqrt(np.maximum(y, 1)))


def main() -> None:
    y = spectrum()
    preset = region_preset("Cd 3d")
    t_cald, r = best_of(lambda: fit_xps_region(X, y, preset.components, (400.0, 417.95)), repeat=5)
    t_base, b = best_of(lambda: baseline_fit(y), repeat=5)
    core = r.component("Cd 3d core 5/2")
    print(f"cald fit_xps_region (Shirley fitted with peaks, 2 doublets): {1e3 * t_cald:.1f} ms "
          f"(core 3d5/2 {core.be_ev.value:.3f} ± {core.be_ev.stderr:.3f} eV, {r.statistics.quality()})")
    print(f"plain lmfit composite (GL models + data Shirley): {1e3 * t_base:.1f} ms "
          f"(core 3d5/2 {b.params['c5_center'].value:.3f} ± {b.params['c5_center'].stderr:.3f} eV, "
          f"χ²ᵣ = {b.redchi:.3g})")
    print(f"ratio baseline/cald: {t_base / t_cald:.2f}×")


if __name__ == "__main__":
    main()
