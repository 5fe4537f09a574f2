"""Targets: where views are drawn -- an offscreen image, a window, or OpenXR swapchains."""
