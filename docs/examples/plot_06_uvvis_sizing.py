"""
UV-vis: size and concentration of CdSe quantum dots
===================================================

The first excitonic absorption of CdSe quantum dots moves to longer wavelength as they grow.
cald finds the first exciton (a smoothed second derivative locates it, a local fit gives peak
and FWHM), converts its wavelength into a diameter with an empirical sizing curve (Yu et al.
2003 by default, or Jasieniak et al. 2009), gives the molar absorption coefficient ε of the
exciton and, with the path length, the concentration c = A / (ε l).

The spectra are synthetic: the demo's 2.3 nm CdSe dots (exciton 495 nm, FWHM 25 nm) before and
after c-ALD cycles.
"""

# %%
import tempfile
from pathlib import Path

from cald.figures import exciton_figure, uvvis_series_figure
from cald.io.uvvis import read_uvvis
from cald.qd.options import UvvisSeriesOptions, UvvisSizeOptions
from cald.synth.optical import write_uvvis_csv

work = Path(tempfile.mkdtemp(prefix="cald-uvvis-"))
path = write_uvvis_csv(work / "uvvis_n0.csv", peak_nm=495.0, fwhm_nm=25.0, seed=20241)
spectrum = read_uvvis(path)

# %%
# Size and concentration
# ----------------------
# The same as ``cald uvvis size FILE --material CdSe --path-cm 1``.
result = UvvisSizeOptions(material="CdSe", path_cm=1.0).size(spectrum)
print(result.report())
fig = exciton_figure(spectrum, result)

# %%
# A series: exciton shift across c-ALD cycles
# -------------------------------------------
# ``cald uvvis series`` follows the exciton through a series (here the number of cycles) and
# flags aggregation, which shows as a rising scattering tail below the gap.
cycles = {0: (495.0, 25.0), 1: (495.2, 25.1), 3: (495.5, 25.4), 10: (496.0, 25.9)}
spectra = [read_uvvis(write_uvvis_csv(work / f"uvvis_n{n}.csv", peak, fwhm, seed=20220 + n))
           for n, (peak, fwhm) in cycles.items()]
series = UvvisSeriesOptions(values=list(cycles), variable="cycles").series(spectra)
print(series.report())
fig_series = uvvis_series_figure(spectra, series)
