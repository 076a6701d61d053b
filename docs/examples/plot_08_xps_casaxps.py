"""
XPS: a CasaXPS file refitted, and region presets with a charge reference
========================================================================

VAMAS files (``.vms``, ``.npl``) written by CasaXPS carry, in each block's comment, CasaXPS's own
analysis: quantification regions with their background, and components with line shape,
limits and links. cald reads them (:mod:`cald.io.casa`), refits the region with the same
background, line shapes and constraints (:mod:`cald.surface.casa`) and shows its numbers beside
CasaXPS's, a check of both programs (see :doc:`/migration/casaxps`).

The file is real: ``tests/data/xps/cheminfo_assigned.vms`` from the cheminfo VAMAS parser's test
data (licence in that folder), with a CasaXPS model of the Nb 3d region.
"""

# %%
# CasaXPS's model, refitted
# -------------------------
# The same as ``cald xps fit FILE --region "Nb 3d" --casa-model``.
import tempfile
from pathlib import Path

from cald.figures import xps_regions_figure
from cald.io.vamas import read_xps
from cald.surface.casa import casa_model_from_block, fit_casa_model
from cald.surface.options import XpsFitOptions, block_spectrum, find_block
from cald.synth.xps import demo_regions, write_vamas

# (the gallery runs in docs/examples of a source checkout)
DATA = Path("../../tests/data/xps/cheminfo_assigned.vms").resolve()
vamas = read_xps(DATA)
with_model = [b for b in vamas.blocks if b.casa_components]
print(f"{len(vamas.blocks)} blocks, {len(with_model)} with a CasaXPS model:",
      ", ".join(sorted({b.label for b in with_model})))

block, notes = find_block(with_model, "Nb 3d")
model = casa_model_from_block(block, "Nb 3d")
be_ev, cps, acquisition_s = block_spectrum(block)
comparison = fit_casa_model(be_ev, cps, model, "cps", acquisition_s, str(DATA))
print(f"background: {model.region.background}; largest |Δ BE| = {comparison.max_abs_d_be_ev:.3f} eV")
for row in comparison.rows:
    print(f"{row['name'][:24]:<24} BE CasaXPS {row['casa_be_ev']:8.3f}  cald {row['cald_be_ev']:8.3f}"
          f"   area % {row['casa_area_pct']:5.1f} / {row['cald_area_pct']:5.1f}")
fig_casa = xps_regions_figure([("Nb 3d (CasaXPS model)", comparison.result)])

# %%
# Region presets and the C 1s charge reference
# --------------------------------------------
# For the c-ALD samples, cald has presets for the regions of the reference study (Cd 3d, Se 3d,
# O 1s, Al 2s, Al 2p, C 1s: components, doublet splittings and area ratios, background). The
# sample charges: the C 1s C–C component is moved to 284.8 eV and every region follows
# (``cald xps fit FILE --region "Cd 3d" --charge-ref "C 1s"``). The file here is synthetic
# (:func:`cald.synth.xps.demo_regions`), charged by 0.35 eV.
work = Path(tempfile.mkdtemp(prefix="cald-xps-"))
path = write_vamas(work / "xps_n3.vms", demo_regions(3, charge_shift_ev=0.35, seed=20253),
                   comment="synthetic XPS, CdSe after 3 c-ALD cycles")
demo = read_xps(path)
c1s_options = XpsFitOptions(preset="C 1s")
c1s_block, _ = find_block(demo.blocks, "C 1s")
shift = c1s_options.charge_shift(c1s_options.fit_block(c1s_block, str(path)))
print(f"charge shift {shift.format(3)}")
panels = []
for name in ("Cd 3d", "O 1s", "Al 2s"):
    options = XpsFitOptions(preset=name)
    blk, _ = find_block(demo.blocks, name)
    result = options.fit_block(blk, str(path), shift)
    panels.append((name, result))
    print(result.report())
fig = xps_regions_figure(panels, title="CdSe@AlOx, 3 cycles (synthetic)")
