"""``cald titration track``: the 1H alkene of oleate-capped QDs over a TMA titration."""

from __future__ import annotations

from pathlib import Path

import typer

from cald.cli.common import (
    JSON_OPTION,
    QUIET_OPTION,
    build_options,
    check_plot_path,
    option,
    show,
)
from cald.qd.options import TitrationOptions

__all__ = ["register"]

titration_app = typer.Typer(help="TMA titrations of quantum dots followed by 1H NMR.",
                            no_args_is_help=True)


@titration_app.command("track")
def track(
    paths: list[Path] = typer.Argument(..., help="1H data sets (Bruker folders, JCAMP-DX or "
                                                 "CSV), in the order of --tma-per-qd."),
    tma_per_qd: str | None = option(TitrationOptions, "tma_per_qd"),
    region: str | None = typer.Option(None, "--region", help="Alkene region A:B (ppm); default "
                                                            "6.2:5.0."),
    shape: str = option(TitrationOptions, "shape"),
    jump_fraction: float = option(TitrationOptions, "jump_fraction"),
    sf_mhz: float | None = option(TitrationOptions, "sf_mhz"),
    plot: Path | None = typer.Option(None, "--plot", help="Figure of shift and FWHM against "
                                                          "TMA per QD (.svg, .png, .pdf)."),
    as_json: bool = JSON_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Alkene shift (ppm) and FWHM (Hz) with errors, relative integral, and the colloidal
    stability limit (the largest TMA per QD before the alkene width jumps)."""
    from cald.nmr.reading import read_nmr, read_title

    opts = build_options(TitrationOptions, tma_per_qd=tma_per_qd, region=region, shape=shape,
                         jump_fraction=jump_fraction, sf_mhz=sf_mhz)
    check_plot_path(plot)
    spectra = [read_nmr(p) for p in paths]
    titles = [read_title(p) for p in paths] if opts.tma_per_qd is None else []
    result = opts.track(spectra, titles)
    if plot is not None:
        from cald.figures import save_figure, titration_figure

        save_figure(titration_figure(result), plot)
    show(result.to_dict(), result.report(), as_json, quiet)


def register(app: typer.Typer) -> None:
    """Add ``cald titration`` to the root command."""
    app.add_typer(titration_app, name="titration")
