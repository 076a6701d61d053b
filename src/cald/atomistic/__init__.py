"""Atomistic models of CdSe surfaces with carboxylates and TMA products (ASE ``Atoms``):
building (:mod:`cald.atomistic.build`, :mod:`cald.atomistic.recipes`)."""
