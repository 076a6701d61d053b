"""Heteronuclear dipolar recoupling: REDOR/RESPDOR curves and fits."""

#: Dephasing-curve models of :func:`cald.recoupling.fit.fit_respdor`.
MODELS = ("single", "two_site", "gaussian")
