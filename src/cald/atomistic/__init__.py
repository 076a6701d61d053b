"""Atomistic models of CdSe surfaces with carboxylates and TMA products (ASE ``Atoms`` throughout)."""
