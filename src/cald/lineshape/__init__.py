"""Lineshape models and fits: peaks, CSA sideband manifolds, quadrupolar Czjzek sites."""
