"""
DOSY: diffusion coefficient and hydrodynamic size
=================================================

A DOSY experiment attenuates the signal of a molecule with the gradient strength; the decay
gives its diffusion coefficient D (Stejskal–Tanner), and the Stokes–Einstein relation turns D
into a hydrodynamic diameter d_H = k_B T / (3π η D) (see :doc:`/background/solution`). For
ligands bound to a quantum dot, d_H is the size of the dot with its ligand shell.

cald reads the experiment's own ``pulseprogram`` to find the sequence (here ``ledbpgp2s``) and
its delays (Δ = D20, δ = P30 × 2 for bipolar pairs, τ = D16), the gradient shape from GPNAM
(SMSQ10.100: σ = 0.9), the solvent and temperature from the data set. The series is synthetic:
the oleate alkene of the demo's QDs after ten c-ALD cycles in toluene-d8 at 298.15 K.
"""

# %%
import tempfile
from pathlib import Path

import numpy as np

from cald.figures import dosy_figure
from cald.qd.dosy_data import read_dosy
from cald.qd.options import DosyFitOptions
from cald.synth.nmr_sets import write_dosy_series

work = Path(tempfile.mkdtemp(prefix="cald-dosy-"))
folder = write_dosy_series(work / "dosy_1h_n10", np.linspace(2.0, 50.0, 16), 1.5e-10,
                           gradient_shape="SMSQ10.100", seed=20230)

# %%
# Fit the alkene decay
# --------------------
# The same as ``cald dosy fit FOLDER --region 5.6:5.2``. A CSV of ``gradient_T_m,intensity``
# works as well, with the encoding given (``little_delta_ms``, ``big_delta_ms``, ``tau_ms``).
options = DosyFitOptions(region="5.6:5.2")
result = options.fit(read_dosy(folder, options.region, options.timing))
print(result.report())
fig = dosy_figure(result.to_dict())
