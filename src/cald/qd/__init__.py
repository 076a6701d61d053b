"""Quantum dots in solution: sizing and concentration from the first exciton
(:mod:`cald.qd.sizing`) and the c-ALD dosing planner (:mod:`cald.qd.protocol`)."""
