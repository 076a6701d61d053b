"""Analysis kind ``peaks``: deconvolution of a spectral region (e.g. the 13C carboxylate into
chelating and bridging components)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cald.lineshape.options import PeaksFitOptions
from cald.project.analyses import AnalysisKind, AnalysisOutput, figure_output, register
from cald.project.config import RAW_NMR_KINDS
from cald.project.formatting import fit_quality, format_value
from cald.spectrum import axis_key


class PeaksParameters(PeaksFitOptions):
    """The fit's options and the peaks' labels."""

    labels: list[str] | None = None


@register
class Peaks(AnalysisKind):
    """Peak deconvolution with areas and fractions."""

    name = "peaks"
    title = "Peak deconvolution"
    section = "ssnmr"
    input_kinds = (*RAW_NMR_KINDS, "jcamp", "csv")
    Parameters = PeaksParameters

    def run(self, inputs: list[Path], params: Any, sample: dict[str, Any] | None) -> AnalysisOutput:
        from cald.figures import lineshape_fit_figure

        p: PeaksParameters = params
        result = p.fit(p.read(inputs[0]))
        d = result.to_dict()
        labels = p.labels or [f"peak {i + 1}" for i in range(len(d["peaks"]))]
        for peak, label in zip(d["peaks"], labels, strict=False):
            peak["label"] = label
        fig = lineshape_fit_figure(result, labels)
        center = axis_key("center", d["unit"])
        summary = "; ".join(f"{pk['label']} {pk[center]:.1f}: fraction "
                            f"{format_value(pk['fraction'], pk['fraction_err'])}" for pk in d["peaks"])
        caption = (f"Deconvolution of {p.region[0]:g}–{p.region[1]:g} into {len(d['peaks'])} "
                   f"{p.shape} peaks (data, fit, components; residual below).")
        return AnalysisOutput(d, [figure_output("deconvolution", caption, fig)], {}, summary)

    def key_numbers(self, result: dict[str, Any]) -> list[tuple[str, str]]:
        center, fwhm = axis_key("center", result["unit"]), axis_key("fwhm", result["unit"])
        return [(str(pk.get("label", f"peak {i + 1}")),
                 f"{format_value(pk[center], pk[f'{center}_err'])}; FWHM "
                 f"{format_value(pk[fwhm], pk[f'{fwhm}_err'])}; fraction "
                 f"{format_value(pk['fraction'], pk['fraction_err'])}")
                for i, pk in enumerate(result["peaks"])] + [fit_quality(result)]
