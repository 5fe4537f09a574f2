"""The GL layer: the only sub-package that imports OpenGL.

Import `renderer.gl.platform` and call `choose_platform()` before importing any other module of
this package: PyOpenGL binds its function loader (EGL, GLX or OSMesa) at its first import.
"""
