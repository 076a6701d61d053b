"""Publication figures rendered with matplotlib's object API (no pyplot state, so figures can be
made in worker threads), written atomically."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from cald.errors import ParameterError
from cald.io.atomic import atomic_write_bytes
from cald.nmr.processing import Peak
from cald.recoupling.fit import RespdorResult
from cald.spectrum import Spectrum, axis_label

if TYPE_CHECKING:
    from ase import Atoms

    from cald.qd.protocol import CaldPlan
    from cald.qd.titration import TitrationResult
    from cald.qd.uvvis import ExcitonResult
    from cald.qd.uvvis_series import UvvisSeriesResult
    from cald.recoupling.data import DephasingCurve
    from cald.surface.ftir import FtirResult
    from cald.surface.xps import XpsFitResult

__all__ = ["exciton_figure", "fit_figure", "ftir_figure", "ftir_overlay_figure",
           "lineshape_fit_figure", "model_curves_figure", "model_picture_figure", "overlay_figure",
           "plan_timeline_figure",
           "render_figure", "respdor_figure", "save_figure", "spectrum_figure",
           "titration_figure", "titration_stack_figure", "uvvis_series_figure",
           "xps_regions_figure"]

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}
#: An overlay of more traces than this colours them along viridis, with the legend beside the
#: axes in columns of at most ``_OVERLAY_ROWS`` entries.
_OVERLAY_INLINE = 10
_OVERLAY_ROWS = 20


def respdor_figure(result: RespdorResult, r_offsets_angstrom: tuple[float, ...] = (-0.2, 0.2), *,
                   corrected: RespdorResult | None = None,
                   simulated: tuple[ArrayLike, ArrayLike] | None = None,
                   compare: tuple[str, ArrayLike, ArrayLike] | None = None) -> Figure:
    """Dephasing curve as in the reference study's Figure 7b: data with error bars, the
    one-distance fit, curves for r ± 0.2 Å at the same f, and any further models fitted; with
    ``corrected`` also the fit with the simulated saturation (f_bound) and ``simulated``
    (t_s, ΔS/S0) the full simulation at its D, scaled by f_bound; ``compare`` (label, t_s,
    ΔS/S0) an outside curve as it is, e.g. a SIMPSON simulation."""
    curve = result.curve
    t_ms = curve.t_s * 1e3
    t_fine_s = np.linspace(0.0, max(curve.t_s.max() * 1.05, 1e-6), 400)
    fig = Figure(figsize=(4.8, 3.6), layout="constrained")
    ax = fig.subplots()
    yerr = None if curve.sigma is None else curve.sigma
    ax.errorbar(t_ms, curve.ds_s0, yerr=yerr, fmt="o", color="black", ms=4, capsize=2,
                label="data", zorder=3)
    d = result.to_dict()
    if d["r_angstrom"] is not None:
        label = f"fit: r = {d['r_angstrom']:.2f} Å, f = {d['f']:.2f}"
    else:
        label = f"fit: D = {d['d_hz']:.0f} Hz, f = {d['f']:.2f}"
    ax.plot(t_fine_s * 1e3, result.model_curve(t_fine_s), color="C0", lw=2, label=label)
    if result.d_r3_hz_angstrom3 is not None and d["r_angstrom"] is not None:
        for i, dr in enumerate(r_offsets_angstrom):
            r = d["r_angstrom"] + dr
            d_hz = result.d_r3_hz_angstrom3 / r**3
            ax.plot(t_fine_s * 1e3, result.dephasing(t_fine_s, d_hz, d["f"]),
                    color=f"C{i + 1}", lw=1, ls="--", label=f"r = {r:.1f} Å")
    extra = [name for name in result.fits if name != "single"]
    for i, name in enumerate(extra):
        ax.plot(t_fine_s * 1e3, result.model_curve(t_fine_s, name), lw=1, ls=":",
                color=f"C{i + 1 + len(r_offsets_angstrom)}", label=f"{name.replace('_', '-')} model")
    if corrected is not None:
        ax.plot(t_fine_s * 1e3, corrected.model_curve(t_fine_s), color="C3", lw=1.5,
                label=f"simulated saturation: D = {corrected.d_hz:.0f} Hz, "
                      f"f_bound = {corrected.f:.2f}")
    if simulated is not None:
        ax.plot(np.asarray(simulated[0]) * 1e3, simulated[1], "x", color="C3", ms=4,
                label="full simulation × f_bound")
    if compare is not None:
        ax.plot(np.asarray(compare[1]) * 1e3, compare[2], "-", color="C4", lw=1.2,
                marker=".", ms=3, label=compare[0])
    ax.set_xlabel("recoupling time / ms")
    ax.set_ylabel(r"$\Delta S/S_0$")
    title = result.pair.replace("-", "{") + "}" if result.pair else f"spin {result.spin:g}"
    ax.set_title(f"{result.experiment.upper()} {title}", fontsize=10)
    ax.set_xlim(0, t_fine_s.max() * 1e3)
    ax.legend(fontsize=7, frameon=False)
    return fig




def spectrum_figure(spec: Spectrum, peaks: Sequence[Peak] = (),
                    region: tuple[float, float] | None = None,
                    overlay: Spectrum | None = None) -> Figure:
    """Real part of a spectrum (ppm and eV axes drawn high to low, as chemists read them), with
    picked peaks marked and an integration region shaded; ``overlay`` (same axis unit, e.g. a
    SIMPSON simulation) is drawn scaled to the spectrum's maximum."""
    fig = Figure(figsize=(6.0, 3.4), layout="constrained")
    ax = fig.subplots()
    values = np.real(spec.values)
    if values.ndim == 2:
        for i, row in enumerate(values):
            ax.plot(spec.axis, row, lw=0.8, color=colormaps["viridis"](i / max(len(values) - 1, 1)))
    else:
        ax.plot(spec.axis, values, lw=0.8, color="black")
        for p in peaks:
            ax.annotate(f"{p.ppm:.2f}", (p.ppm, p.height), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=6, color="C3")
    if overlay is not None:
        other = np.real(overlay.values)
        scale = float(np.max(values)) / float(np.max(other)) if np.max(other) > 0 else 1.0
        ax.plot(overlay.axis, other * scale, lw=0.8, color="C3",
                label=Path(overlay.source or "overlay").name)
        ax.legend(fontsize=7, frameon=False)
    if region is not None:
        ax.axvspan(min(region), max(region), color="C0", alpha=0.15, lw=0)
    if spec.unit in ("ppm", "ev"):
        ax.invert_xaxis()
    ax.set_xlabel(axis_label(spec.unit, spec.nucleus))
    ax.set_ylabel("intensity")
    ax.set_yticks([])
    return fig


def render_figure(fig: Figure, fmt: str) -> bytes:
    """The figure as ``svg``, ``png`` (200 dpi) or ``pdf`` bytes; SVG output is identical for
    identical input (fixed hash salt, no date)."""
    if fmt not in _FORMATS.values():
        raise ParameterError(f"figure format must be svg, png or pdf, got {fmt!r}")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "cald"}):
        fig.savefig(buffer, format=fmt, dpi=200,
                    metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save a figure as SVG, PNG or PDF (by extension) atomically."""
    target = Path(path)
    fmt = _FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise ParameterError(f"{target}: figure file must end in .svg, .png or .pdf")
    return atomic_write_bytes(target, render_figure(fig, fmt))


def overlay_figure(traces: Sequence[tuple[str, np.ndarray, np.ndarray]], unit: str,
                   nucleus: str | None, title: str) -> Figure:
    """Several spectra (label, axis, normalised intensity) on one axis, offset-free, for
    comparisons across samples (e.g. 13C normalised to the alkene line). Up to
    :data:`_OVERLAY_INLINE` traces take the colour cycle and a legend inside the axes; more (a
    series of tens of samples) are coloured in their order along viridis, with the legend in
    columns beside the axes and the figure widened to hold it."""
    many = len(traces) > _OVERLAY_INLINE
    n_columns = -(-len(traces) // _OVERLAY_ROWS) if many else 0
    fig = Figure(figsize=(6.0 + 1.6 * n_columns, 3.4 + (0.6 if many else 0.0)),
                 layout="constrained")
    ax = fig.subplots()
    for i, (label, axis, values) in enumerate(traces):
        color = matplotlib.colormaps["viridis"](i / (len(traces) - 1)) if many else f"C{i}"
        ax.plot(axis, values, lw=0.6 if many else 0.9, color=color, label=label)
    if unit in ("ppm", "ev"):
        ax.invert_xaxis()
    ax.set_xlabel(axis_label(unit, nucleus))
    ax.set_ylabel("normalised intensity")
    ax.set_title(title, fontsize=10)
    if many:
        fig.legend(loc="outside right upper", ncols=n_columns, fontsize=5, frameon=False)
    else:
        ax.legend(fontsize=7, frameon=False)
    return fig


def fit_figure(x: np.ndarray, data: np.ndarray, total: np.ndarray,
               components: Sequence[tuple[str, np.ndarray]], unit: str, nucleus: str | None,
               title: str) -> Figure:
    """A lineshape fit: data, fit and components above, residual below (ppm axes high → low)."""
    fig = Figure(figsize=(6.0, 4.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot(x, data, lw=0.8, color="black", label="data")
    top.plot(x, total, lw=1.4, color="C3", label="fit")
    for i, (label, curve) in enumerate(components):
        top.plot(x, curve, lw=0.9, ls="--", color=f"C{i % 3}", label=label)
    bottom.plot(x, data - total, lw=0.7, color="grey")
    bottom.axhline(0.0, lw=0.5, color="black")
    if unit in ("ppm", "ev"):
        top.invert_xaxis()
    bottom.set_xlabel(axis_label(unit, nucleus))
    top.set_ylabel("intensity")
    bottom.set_ylabel("residual")
    top.set_yticks([])
    top.set_title(title, fontsize=10)
    top.legend(fontsize=7, frameon=False)
    return fig


def lineshape_fit_figure(result: Any, labels: Sequence[str] | None = None) -> Figure:
    """:func:`fit_figure` of a peak, Czjzek or CSA fit result (``PeakFitResult``,
    ``QuadrupolarFitResult``, ``CsaFitResult``), components labelled by ``labels`` or by default
    as peak k, the site label, or the site's δiso."""
    from cald.lineshape.csaresult import CsaFitResult
    from cald.lineshape.czjzekresult import QuadrupolarFitResult
    from cald.lineshape.peak_result import PeakFitResult

    if isinstance(result, PeakFitResult):
        x, unit = result.x, result.unit
        total, components = result.model_curve(x), list(result.component_curves(x))
        default = [f"peak {i + 1}" for i in range(len(components))]
        title = f"{result.shape} deconvolution"
    elif isinstance(result, QuadrupolarFitResult):
        x, unit, total, components = result.axis, "ppm", result.best_fit, list(result.components)
        default = [s.label for s in result.sites]
        title = "Czjzek sites"
    elif isinstance(result, CsaFitResult):
        x, unit, total, components = result.ppm, "ppm", result.best_fit, list(result.components)
        default = [f"{s['iso_ppm']:.0f} ppm" for s in result.to_dict(include_curves=False)["sites"]]
        title = "sideband manifolds"
    else:
        raise TypeError(f"no lineshape figure for {type(result).__name__}")
    names = list(labels) if labels else default
    return fit_figure(x, result.data, total, list(zip(names, components, strict=False)), unit,
                      result.nucleus, title)


def plan_timeline_figure(plan: CaldPlan) -> Figure:
    """The c-ALD schedule of ``cald plan`` as a timeline: one row per cycle, a bar per step of
    planned duration (min), a marker for a step whose duration is not planned."""
    fig = Figure(figsize=(6.4, 0.6 + 0.35 * plan.cycles), layout="constrained")
    ax = fig.subplots()
    colors = {"add TMA": "C0", "wait": "0.8", "O2 flow": "C3", "add OLAC": "C2"}
    t_min = 0.0
    shown: set[str] = set()
    for step in plan.steps:
        label = None if step.action in shown else step.action
        shown.add(step.action)
        color = colors.get(step.action, "C4")
        if step.duration_min is None:
            ax.plot([t_min], [step.cycle], marker="v", ms=8, color=color, ls="none", label=label)
            continue
        ax.barh(step.cycle, step.duration_min, left=t_min, height=0.6, color=color, label=label)
        t_min += step.duration_min
    ax.set_yticks(range(1, plan.cycles + 1))
    ax.invert_yaxis()
    ax.set_xlabel("time / min")
    ax.set_ylabel("cycle")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def exciton_figure(spec: Spectrum, result: ExcitonResult) -> Figure:
    """A UV-vis spectrum with its first exciton marked and the diameter in the legend."""
    fig = Figure(figsize=(6.0, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.plot(spec.axis, np.real(spec.values), lw=0.8, color="black")
    ex = result.exciton
    ax.axvline(ex.peak_nm, color="C3", lw=0.8,
               label=f"{ex.peak_nm:.1f} nm, d = {result.diameter_nm:.2f} nm ({result.model})")
    ax.set_xlabel("wavelength / nm")
    ax.set_ylabel("absorbance")
    ax.legend(fontsize=8, frameon=False)
    return fig


def dosy_figure(result: dict[str, Any]) -> Figure:
    """A DOSY decay (the ``cald dosy fit`` JSON dict): I/I0 against b on a log scale, with the
    fitted curve and D (and d_H) in the legend."""
    fig = Figure(figsize=(5.5, 3.6), layout="constrained")
    ax = fig.subplots()
    b = np.asarray(result["b_s_m2"], dtype=float) * 1e-9
    i0 = float(result["i0"]) or 1.0
    y = np.asarray(result["intensity"], dtype=float) / i0
    err = None if result.get("noise") is None else np.asarray(result["noise"], dtype=float) / i0
    ax.errorbar(b, y, yerr=err, fmt="o", ms=3.5, color="black", lw=0.8, label="integrals")
    label = f"{result['model']}-exponential fit, D = {result['diffusion_m2_s']:.3g} m²/s"
    if result.get("d_h_nm") is not None:
        label += f", d_H = {result['d_h_nm']:.2f} nm"
    ax.plot(b, np.asarray(result["best_fit"], dtype=float) / i0, color="C3", lw=1.0, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("b / (10⁹ s m⁻²)")
    ax.set_ylabel("I / I₀")
    ax.legend(fontsize=8, frameon=False)
    return fig


def cycles_figure(points: Sequence[tuple[float, float, float | None, str]], ylabel: str) -> Figure:
    """A quantity against c-ALD cycles: (cycles, value, error or None, label) per point, e.g.
    the hydrodynamic diameter of each sample (cf. Figure 2b of the reference study)."""
    fig = Figure(figsize=(4.8, 3.4), layout="constrained")
    ax = fig.subplots()
    for n, value, err, label in points:
        ax.errorbar([n], [value], yerr=None if err is None else [err], fmt="o", color="C0",
                    capsize=3, ms=5)
        ax.annotate(label, (n, value), textcoords="offset points", xytext=(5, 5), fontsize=7)
    ax.set_xlabel("c-ALD cycles n")
    ax.set_ylabel(ylabel)
    ax.margins(x=0.15, y=0.2)
    return fig


def uvvis_series_figure(spectra: Sequence[Spectrum], result: UvvisSeriesResult) -> Figure:
    """UV-vis spectra of a series normalised to their first-exciton absorbance (as the study's
    Figure 4a), labelled by the series' variable; aggregated spectra dashed, the scattering
    window shaded."""
    fig = Figure(figsize=(6.0, 3.4), layout="constrained")
    ax = fig.subplots()
    cmap = colormaps["viridis"]
    n = len(spectra)
    for i, (spec, point) in enumerate(zip(spectra, result.points, strict=True)):
        ax.plot(spec.axis, np.real(spec.values) / point.exciton.absorbance, lw=0.9,
                color=cmap(i / max(n - 1, 1)), ls="--" if point.aggregated else "-",
                label=f"{point.value:g}{' (aggregated)' if point.aggregated else ''}")
    ax.axvspan(*result.points[0].tail_window_nm, color="0.85", lw=0, zorder=0,
               label="scattering window (first spectrum)")
    ax.set_xlabel("wavelength / nm")
    ax.set_ylabel("absorbance / A(exciton)")
    ax.legend(title=result.variable.replace("_", " "), fontsize=7, title_fontsize=7,
              frameon=False)
    return fig


def titration_figure(result: TitrationResult) -> Figure:
    """Alkene shift (ppm) and FWHM (Hz) against TMA per QD with their errors, the stability
    limit marked (the quantities behind the study's Figure 4b)."""
    fig = Figure(figsize=(4.8, 4.4), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    x = [p.tma_per_qd for p in result.points]
    top.errorbar(x, [p.shift_ppm for p in result.points],
                 yerr=[p.shift_ppm_err or 0.0 for p in result.points], fmt="o-", color="C0",
                 ms=4, capsize=2)
    bottom.errorbar(x, [p.fwhm_hz for p in result.points],
                    yerr=[p.fwhm_hz_err or 0.0 for p in result.points], fmt="s-", color="C3",
                    ms=4, capsize=2)
    if result.stability_limit is not None:
        for ax in (top, bottom):
            ax.axvline(result.stability_limit, color="0.5", lw=0.8, ls="--")
        top.annotate(f"stable up to {result.stability_limit:g}", (result.stability_limit, 1.0),
                     xycoords=("data", "axes fraction"), xytext=(3, -10),
                     textcoords="offset points", fontsize=7, color="0.3")
    top.set_ylabel("alkene δ / ppm")
    bottom.set_ylabel("alkene FWHM / Hz")
    bottom.set_xlabel("TMA per QD")
    return fig


def titration_stack_figure(spectra: Sequence[Spectrum], tma_per_qd: Sequence[float],
                           region: tuple[float, float]) -> Figure:
    """The alkene region of each 1H spectrum of a titration, stacked bottom to top with
    increasing TMA per QD and labelled with it (the study's Figure 4b layout); each spectrum
    scaled to its own tallest point in the region."""
    fig = Figure(figsize=(4.8, 0.8 + 0.55 * len(spectra)), layout="constrained")
    ax = fig.subplots()
    lo, hi = min(region), max(region)
    for i, (spec, value) in enumerate(zip(spectra, tma_per_qd, strict=True)):
        mask = (spec.axis >= lo) & (spec.axis <= hi)
        y = np.real(spec.values)[mask]
        top = float(np.max(np.abs(y))) or 1.0
        ax.plot(spec.axis[mask], y / top * 0.9 + i, lw=0.8, color="black")
        ax.annotate(f"{value:g}", (hi, i + 0.15), fontsize=7, ha="left")
    ax.set_xlim(hi, lo)
    ax.set_yticks([])
    ax.set_xlabel("1H δ / ppm")
    ax.set_title("alkene region; labels: TMA per QD", fontsize=9)
    return fig


#: Shaded FTIR regions of the study's Figure 3b: (low, high) cm⁻¹, label, colour.
_FTIR_SHADES = ((450.0, 750.0, "Al–O–Al", "C2"), (3000.0, 3600.0, "O–H", "C1"))


def _ftir_axis(ax: Any, shade: bool = True) -> None:
    """Wavenumber axis drawn high → low (as FTIR spectra are read), Figure 3b's shaded bands."""
    if shade:
        for lo, hi, label, color in _FTIR_SHADES:
            ax.axvspan(lo, hi, color=color, alpha=0.12, lw=0, label=label)
    ax.set_xlabel(axis_label("cm-1"))
    ax.invert_xaxis()


def ftir_figure(result: FtirResult) -> Figure:
    """An FTIR analysis: the baseline-corrected spectrum with the integrated regions shaded
    (top), the carboxylate band fit with its components and Δ (bottom)."""
    fig = Figure(figsize=(6.4, 6.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[1, 1.2])
    spec = result.corrected
    top.plot(spec.axis, np.real(spec.values), lw=0.7, color="black", label="baseline-corrected")
    top.plot(spec.axis, np.real(spec.values) + result.baseline - result.baseline.min(), lw=0.5,
             color="grey", alpha=0.6, label="measured (offset)")
    _ftir_axis(top)
    top.set_ylabel("absorbance")
    top.legend(fontsize=7, frameon=False, loc="upper left")
    fit = result.fit
    bottom.plot(fit.x, fit.data, lw=0.8, color="black", label="data")
    bottom.plot(fit.x, fit.model_curve(fit.x), lw=1.3, color="C3", label="fit")
    base = fit.baseline_curve(fit.x)
    for i, (name, curve) in enumerate(zip(result.components, fit.component_curves(fit.x),
                                          strict=True)):
        bottom.plot(fit.x, curve + base, lw=0.9, ls="--", color=f"C{i}",
                    label=f"{name} {result.components[name].center:.0f}")
    bottom.plot(fit.x, fit.residual, lw=0.6, color="grey", label="residual")
    _ftir_axis(bottom, shade=False)
    bottom.set_ylabel("absorbance")
    delta = result.delta
    err = "" if delta.stderr is None else f" ± {delta.stderr:.1f}"
    bottom.set_title(f"Δ = {delta.value:.1f}{err} cm⁻¹: {result.mode}", fontsize=10)
    bottom.legend(fontsize=7, frameon=False, ncol=2)
    return fig


def ftir_overlay_figure(traces: Sequence[tuple[str, np.ndarray, np.ndarray]]) -> Figure:
    """FTIR spectra of several samples (label, cm⁻¹, absorbance normalised to the CH2 stretch),
    offset for clarity, with the Al–O–Al and O–H regions shaded (cf. the study's Figure 3b)."""
    fig = Figure(figsize=(6.4, 1.6 + 1.1 * max(len(traces), 1)), layout="constrained")
    ax = fig.subplots()
    for i, (label, axis, values) in enumerate(traces):
        ax.plot(axis, np.asarray(values) + 1.2 * i, lw=0.8, color=f"C{i}", label=label)
    _ftir_axis(ax)
    ax.set_ylabel("absorbance / CH2 stretch (offset)")
    ax.set_yticks([])
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, frameon=False, loc="upper left")
    return fig


def xps_regions_figure(panels: Sequence[tuple[str, XpsFitResult]], title: str = "") -> Figure:
    """XPS region fits side by side (cf. Figure 3a of the reference study): per region the data,
    the fit, each component on the background and the background, binding energy high → low
    (charge-corrected when the fit is)."""
    if not panels:
        raise ParameterError("no XPS regions to draw")
    fig = Figure(figsize=(min(3.0 * len(panels), 15.0), 3.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (name, result) in zip(axes, panels, strict=True):
        curves = result.curves()
        x = curves["data"].axis
        ax.plot(x, curves["data"].values, ".", ms=2, color="black", label="data")
        ax.plot(x, curves["background"].values, lw=0.8, color="grey", label="background")
        for i, c in enumerate(result.components):  # C3 (red) is the fit's
            ax.plot(x, curves[c.name].values, lw=0.8, color=f"C{(i + (i >= 3)) % 10}",
                    label=c.name)
        ax.plot(x, curves["fit"].values, lw=1.2, color="C3", label="fit")
        ax.invert_xaxis()
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("binding energy / eV")
        ax.set_yticks([])
        ax.legend(fontsize=5, frameon=False)
    axes[0].set_ylabel("intensity / cps")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def model_curves_figure(result: dict[str, Any], measured: DephasingCurve | None = None,
                        measured_f: float | None = None, title: str = "") -> Figure:
    """RESPDOR curves an atomistic model predicts (``cald model analyze`` JSON): the two-spin
    curve of each observed site to its nearest dephasing spin, the ensemble mean (two-spin and
    D_eff), and optionally the measured curve; with ``measured_f`` the nearest-spin curves are
    also drawn scaled by the measured dephased fraction (cf. Figure 7b of the reference study)."""
    curves = result["curves"]
    t_ms = np.asarray(curves["t_ms"])
    fig = Figure(figsize=(4.8, 3.6), layout="constrained")
    ax = fig.subplots()
    bound = [c for c in curves["sites"] if c["nearest"] is not None]
    for k, c in enumerate(bound):
        label = (f"site {c['site']}: r = {c['r_angstrom']:.2f} Å" if len(bound) <= 6
                 else ("sites, nearest spin" if k == 0 else None))
        ax.plot(t_ms, c["dS_S0"], lw=0.8, color=f"C{k % 10}" if len(bound) <= 6 else "0.6",
                label=label)
        if measured_f is not None:
            ax.plot(t_ms, measured_f * np.asarray(c["dS_S0"]), lw=0.8, ls="--",
                    color=f"C{k % 10}" if len(bound) <= 6 else "0.6",
                    label=f"× measured f = {measured_f:.2f}" if k == 0 else None)
    ax.plot(t_ms, curves["ensemble"]["dS_S0"], lw=2, color="black",
            label=f"model mean, f = {result['f']:.2f}")
    ax.plot(t_ms, curves["ensemble"]["dS_S0_multi"], lw=1.5, ls=":", color="black",
            label="model mean, D_eff (multi-spin)")
    if measured is not None:
        ax.errorbar(measured.t_s * 1e3, measured.ds_s0, yerr=measured.sigma, fmt="o", ms=4,
                    capsize=2, color="C3", label="measured", zorder=3)
    ax.set_xlabel("recoupling time / ms")
    ax.set_ylabel(r"$\Delta S/S_0$")
    pair = str(result["pair"])
    ax.set_title(title or f"predicted RESPDOR {pair.replace('-', '{')}}}", fontsize=10)
    ax.set_xlim(0, float(t_ms.max()))
    ax.legend(fontsize=7, frameon=False)
    return fig


def model_picture_figure(atoms: Atoms, title: str = "") -> Figure:
    """Top and side views of an atomistic model (ASE's ``plot_atoms``, covalent radii × 0.5,
    Jmol colours with an element legend)."""
    from ase.data import atomic_numbers
    from ase.data.colors import jmol_colors
    from ase.visualize.plot import plot_atoms
    from matplotlib.patches import Patch

    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    top, side = fig.subplots(1, 2)
    for ax, rotation, label in ((top, "0x,0y,0z", "top"), (side, "-90x,0y,0z", "side")):
        plot_atoms(atoms, ax, rotation=rotation, radii=0.5)
        ax.set_title(label, fontsize=9)
        ax.set_axis_off()
    elements = sorted(set(atoms.get_chemical_symbols()), key=lambda el: atomic_numbers[el])
    fig.legend(handles=[Patch(facecolor=jmol_colors[atomic_numbers[el]], edgecolor="black",
                              label=el) for el in elements],
               loc="lower center", ncols=len(elements), fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
