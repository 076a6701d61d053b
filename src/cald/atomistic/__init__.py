"""Atomistic models of CdSe surfaces with carboxylates and TMA products (ASE ``Atoms`` throughout):
building (:mod:`cald.atomistic.build`, :mod:`cald.atomistic.recipes`), analysis
(:mod:`cald.atomistic.analyze`) and GFN2-xTB relaxation (:mod:`cald.atomistic.relax`)."""
