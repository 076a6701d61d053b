"""
Process a Bruker spectrum
=========================

A Bruker experiment folder holds the raw FID (``fid``), the acquisition parameters (``acqus``) and
TopSpin's processing parameters (``procs``: SI, LB, PHC0, PHC1, …). :func:`cald.read` reads the
folder and processes the FID the way TopSpin's ``efp; apk`` would with those stored parameters;
keyword arguments override them (``lb_hz``, ``size``, ``p0_deg``, ``p1_deg``, ``auto_phase``,
``baseline``). The data set is a real 600 MHz 1H spectrum of sucrose from the nmrpy project
(``tests/data/bruker``, licence in that folder).
"""

# %%
# Read and process with the stored parameters
# -------------------------------------------
from pathlib import Path

import cald
from cald.figures import spectrum_figure
from cald.nmr.processing import pick_peaks

# (the gallery runs in docs/examples of a source checkout)
DATA = Path("../../tests/data/bruker/sucrose_1h_600").resolve()

spec = cald.read(DATA)
print(spec.nucleus, f"{spec.sf_mhz:.2f} MHz,", spec.n_points, "points, axis in", spec.unit)
for step in spec.history:
    print("  ", step)

# %%
# Pick peaks and draw the spectrum
# --------------------------------
# :func:`~cald.nmr.processing.pick_peaks` keeps peaks above a signal-to-noise threshold (the
# noise σ is measured on the spectrum's own signal-free parts).
peaks = pick_peaks(spec, min_snr=20.0)
print(len(peaks), "peaks; the five highest:")
for p in sorted(peaks, key=lambda p: -p.height)[:5]:
    print(f"  {p.ppm:7.3f} ppm")
fig = spectrum_figure(spec, peaks)

# %%
# Override the processing
# -----------------------
# The same FID with 1 Hz exponential broadening (TopSpin's ``LB``), a smaller size (32 k points
# , ``SI``) and automatic phasing (``apk``; ``acme`` minimises an entropy criterion). The command
# line does the same with ``cald nmr process FOLDER --lb-hz 1 --size 32768 --auto-phase acme``.
broadened = cald.read(DATA, lb_hz=1.0, size=32768, auto_phase="acme")
print(broadened.n_points, "points;", broadened.history[-1])
fig_broadened = spectrum_figure(broadened)
