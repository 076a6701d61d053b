"""
13C carboxylate deconvolution: chelating and bridging ligands
=============================================================

After c-ALD a low-frequency shoulder appears on the 13C carboxylate signal of the oleate
ligands: carboxylates bridging Cd and Al beside the chelating ones. A peak fit of the carboxylate
region separates the two and gives their area fractions with errors.

The spectra are synthetic 13C CP (DNP) spectra of the demo: oleate lines (carboxylate 184 ppm,
alkene 130, TCE 74, chain 30, CH3 14.5 ppm) and, after one cycle, a bridging shoulder at
180.5 ppm. The same data give the DNP enhancement (microwaves on against off).
"""

# %%
import tempfile
from pathlib import Path

import cald
from cald.figures import lineshape_fit_figure, spectrum_figure
from cald.lineshape.options import PeaksFitOptions
from cald.nmr.options import EnhancementOptions
from cald.synth.bruker import Line
from cald.synth.nmr_sets import OLEATE_13C_LINES, write_dnp_pair

work = Path(tempfile.mkdtemp(prefix="cald-13c-"))
lines = (*OLEATE_13C_LINES, Line(180.5, 0.25, 300.0))  # the bridging shoulder
on, off = write_dnp_pair(work / "cp_13c_n1_mw_on", work / "cp_13c_n1_mw_off", enhancement=50.0,
                         seed=20223, lines=lines, noise_sd=0.5)
spec = cald.read(on)
fig_spectrum = spectrum_figure(spec)

# %%
# Two Voigt lines in 195–170 ppm
# ------------------------------
# The same as ``cald peaks fit FOLDER --region 195:170 --centers 184,178``. Without ``centers``,
# cald starts from the local maxima and adds shoulders one at a time where the residual is
# largest. The σ of every point is the receiver noise measured on the spectrum, so χ²ᵣ says
# whether two lines are enough.
result = PeaksFitOptions(region="195:170", centers=[184.0, 178.0]).fit(spec)
print(result.report())
fig = lineshape_fit_figure(result, labels=["chelating", "bridging"])

# %%
# DNP enhancement
# ---------------
# The same data sets give ε = I_on / I_off per scan and unit receiver gain over the alkene
# (``cald nmr enhancement ON OFF --region 135:125``).
options = EnhancementOptions(region="135:125")
eps = options.enhancement(options.dataset(on), options.dataset(off))
print(f"ε = {eps.enhancement:.1f} ± {eps.enhancement_err:.1f}")
