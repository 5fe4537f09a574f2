"""Deformation: pure array code on NumPy or CuPy (`xp`), between the scene model and the GPU scene."""
