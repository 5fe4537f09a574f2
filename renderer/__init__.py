"""Prosector: anatomy and molecules for teaching, in a VR headset, a window, or rendered images."""

__version__ = "0.1.0"
