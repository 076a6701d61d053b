"""Heteronuclear dipolar recoupling: REDOR/RESPDOR curves and fits."""
