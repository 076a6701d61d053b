"""
Build, relax and analyse an atomistic model
===========================================

What would a RESPDOR experiment see if an AlMe2 fragment sat on a chelating carboxylate of a
CdSe {100} facet? cald builds such models with ASE (:mod:`cald.atomistic.build`: CdSe slabs or
dots, carboxylates in a binding mode, TMA products on a carboxylate O), relaxes them with the
GFN2-xTB tight-binding method through tblite (:mod:`cald.atomistic.relax`), and analyses them
(:mod:`cald.atomistic.analyze`): every 13C–27Al pair with its distance r and dipolar coupling D,
the carboxylate binding modes, Al coordination, and the RESPDOR curve each carboxylate carbon
would show.
"""

# %%
# Build
# -----
# The same as ``cald model build --facet 100 --ligands 4 --ligand acetate --tma 1 --out
# model.extxyz``: a 2 × 2 CdSe {100} slab of four layers with four chelating acetates and one
# AlMe2 on a carboxylate O, the bottom passivated and held fixed.
from importlib.resources import files

from cald.atomistic.analyze import analyze_model
from cald.atomistic.analyze_options import ModelAnalyzeOptions
from cald.atomistic.build import summarize
from cald.atomistic.options import BuildOptions
from cald.figures import model_curves_figure, model_picture_figure
from cald.io.structure import read_structure

atoms = BuildOptions(facet="100", ligands=4, ligand="acetate", tma=1).build()
info = summarize(atoms)
print(info["formula"], "—", len(atoms), "atoms; C–Al (Å):", [round(r, 2) for r in info["c_al_angstrom"]])
fig_model = model_picture_figure(atoms, "built (unrelaxed)")

# %%
# Relax
# -----
# A relaxation to 0.05 eV/Å takes about 15 minutes on two cores (one GFN2-xTB energy and forces
# of these 72 atoms takes seconds, and the optimiser needs hundreds of steps), so this example
# does not run it. In Python::
#
#     from cald.atomistic.relax import relax
#     from cald.atomistic.relax_options import RelaxOptions
#
#     relaxed, record, frames = relax(atoms, RelaxOptions(fmax_ev_a=0.05, steps=400))
#     print(record.converged, record.energy_ev, record.fmax_ev_a)
#
# and on the command line ``cald model relax model.extxyz --out relaxed.extxyz``; ``cald model
# screen recipes.toml`` builds, relaxes and analyses many configurations in parallel.

# %%
# Analyse the shipped relaxed model
# ---------------------------------
# cald ships the same model relaxed to 0.05 eV/Å with GFN2-xTB (``cald/project/demo_models``,
# its provenance in the README beside it); the demo project analyses it next to the measured
# 13C{27Al} RESPDOR series. ``cald model analyze model_alme2_n1_relaxed.extxyz --pair 13C-27Al``:
shipped = files("cald.project").joinpath("demo_models", "model_alme2_n1_relaxed.extxyz")
model = read_structure(str(shipped))
analysis = analyze_model(model, ModelAnalyzeOptions(pair="13C-27Al"), shipped.name)
print(analysis.report())
fig_relaxed = model_picture_figure(model, "relaxed with GFN2-xTB (shipped)")

# %%
# The predicted RESPDOR curves: each carboxylate carbon to its nearest 27Al (two-spin curves),
# and the ensemble mean; the measured f of the sample scales them in the report.
fig_curves = model_curves_figure(analysis.to_dict(), title="13C{27Al} predicted by the model")
