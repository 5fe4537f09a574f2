"""The soft-tissue step of `renderer.deform.xpbd`, written as NVIDIA Warp kernels: a reference to
measure our array code against (`prosector bench deform`), and a cross-check that both compute the
same thing. Same algorithm, same order: predict, pin, one Jacobi sweep of edges, of tet volumes
(corrections summed with atomics, then averaged), rest tethers, velocity update with damping.

Warp (PyPI `warp-lang`, optional) compiles kernels for the CPU or a CUDA device on first use.
"""

from __future__ import annotations

import math

import numpy as np

from renderer.deform import xpbd

_kernels = None


def _build():
    import warp as wp

    @wp.kernel
    def predict(x: wp.array(dtype=wp.vec3), v: wp.array(dtype=wp.vec3), prev: wp.array(dtype=wp.vec3), h: float):
        i = wp.tid()
        prev[i] = x[i]
        x[i] = x[i] + v[i] * h

    @wp.kernel
    def pin(x: wp.array(dtype=wp.vec3), nodes: wp.array(dtype=int), start: wp.array(dtype=wp.vec3),
            end: wp.array(dtype=wp.vec3), blend: float):  # fmt: skip
        k = wp.tid()
        x[nodes[k]] = start[k] + (end[k] - start[k]) * blend

    @wp.kernel
    def edges(x: wp.array(dtype=wp.vec3), w: wp.array(dtype=float), ends: wp.array(dtype=int, ndim=2),
              rest: wp.array(dtype=float), alpha: float, dx: wp.array(dtype=wp.vec3)):  # fmt: skip
        e = wp.tid()
        i, j = ends[e, 0], ends[e, 1]
        d = x[j] - x[i]
        length = wp.length(d)
        n = d / wp.max(length, 1e-12)
        dlam = -(length - rest[e]) / (w[i] + w[j] + alpha + 1e-12)
        wp.atomic_add(dx, i, -w[i] * dlam * n)
        wp.atomic_add(dx, j, w[j] * dlam * n)

    @wp.kernel
    def volumes(x: wp.array(dtype=wp.vec3), w: wp.array(dtype=float), tets: wp.array(dtype=int, ndim=2),
                rest: wp.array(dtype=float), alpha: float, dx: wp.array(dtype=wp.vec3)):  # fmt: skip
        t = wp.tid()
        a, b, c, d = tets[t, 0], tets[t, 1], tets[t, 2], tets[t, 3]
        e1, e2, e3 = x[b] - x[a], x[c] - x[a], x[d] - x[a]
        g1 = wp.cross(e2, e3) / 6.0
        g2 = wp.cross(e3, e1) / 6.0
        g3 = wp.cross(e1, e2) / 6.0
        g0 = -(g1 + g2 + g3)
        denom = w[a] * wp.dot(g0, g0) + w[b] * wp.dot(g1, g1) + w[c] * wp.dot(g2, g2) + w[d] * wp.dot(g3, g3)
        dlam = -(wp.dot(e1, g1) - rest[t]) / (denom + alpha + 1e-30)
        wp.atomic_add(dx, a, w[a] * dlam * g0)
        wp.atomic_add(dx, b, w[b] * dlam * g1)
        wp.atomic_add(dx, c, w[c] * dlam * g2)
        wp.atomic_add(dx, d, w[d] * dlam * g3)

    @wp.kernel
    def apply(x: wp.array(dtype=wp.vec3), dx: wp.array(dtype=wp.vec3), share: wp.array(dtype=float)):
        i = wp.tid()
        x[i] = x[i] + dx[i] * share[i]
        dx[i] = wp.vec3(0.0, 0.0, 0.0)

    @wp.kernel
    def finish(x: wp.array(dtype=wp.vec3), v: wp.array(dtype=wp.vec3), prev: wp.array(dtype=wp.vec3),
               rest: wp.array(dtype=wp.vec3), w: wp.array(dtype=float), alpha: float, keep_over_h: float):  # fmt: skip
        i = wp.tid()
        xi = x[i] + (rest[i] - x[i]) * (w[i] / (w[i] + alpha))
        v[i] = (xi - prev[i]) * keep_over_h
        x[i] = xi

    return predict, pin, edges, volumes, apply, finish


class WarpSoftBody:
    """A copy of an `xpbd.SoftBody` (NumPy backend) on a Warp device ("cpu" or "cuda:0")."""

    def __init__(self, body: xpbd.SoftBody, device: str = "cpu"):
        import warp as wp

        global _kernels
        wp.config.quiet = True
        wp.init()
        if _kernels is None:
            _kernels = _build()
        self.wp, self.device, self.body = wp, device, body

        def arr(a, dtype):
            return wp.array(np.asarray(a), dtype=dtype, device=device)

        self.x, self.v, self.rest = arr(body.x, wp.vec3), arr(body.v, wp.vec3), arr(body.rest, wp.vec3)
        self.prev = wp.zeros_like(self.x)
        self.dx = wp.zeros_like(self.x)
        self.w = arr(body.inv_mass, float)
        self.edges, self.rest_length = arr(body.edges, int), arr(body.rest_length, float)
        self.tets, self.rest_volume = arr(body.tets, int), arr(body.rest_volume, float)
        self.edge_share, self.tet_share = arr(body.edge_share[:, 0], float), arr(body.tet_share[:, 0], float)

    def step(self, pinned=None, targets_from=None, targets_to=None) -> None:
        """One 90 Hz frame, as `xpbd.step`; pinned nodes must already have inverse mass 0 in the body."""
        wp, body = self.wp, self.body
        predict, pin, edges, volumes, apply, finish = _kernels
        h = xpbd.FRAME_DT / body.substeps
        keep = math.exp(-body.material.damping_per_s * h)
        count, device = body.x.shape[0], self.device
        if pinned is not None:
            self.w = wp.array(np.asarray(body.inv_mass), dtype=float, device=device)
            nodes = wp.array(np.asarray(pinned), dtype=int, device=device)
            start = wp.array(np.asarray(targets_from), dtype=wp.vec3, device=device)
            end = wp.array(np.asarray(targets_to), dtype=wp.vec3, device=device)
        m = body.material
        for s in range(body.substeps):
            wp.launch(predict, count, (self.x, self.v, self.prev, h), device=device)
            if pinned is not None:
                wp.launch(pin, len(pinned), (self.x, nodes, start, end, (s + 1) / body.substeps), device=device)
            wp.launch(edges, len(body.edges), (self.x, self.w, self.edges, self.rest_length,
                                               m.edge_compliance / (h * h), self.dx), device=device)  # fmt: skip
            wp.launch(apply, count, (self.x, self.dx, self.edge_share), device=device)
            wp.launch(volumes, len(body.tets), (self.x, self.w, self.tets, self.rest_volume,
                                                m.volume_compliance / (h * h), self.dx), device=device)  # fmt: skip
            wp.launch(apply, count, (self.x, self.dx, self.tet_share), device=device)
            wp.launch(finish, count, (self.x, self.v, self.prev, self.rest, self.w, m.tether_compliance / (h * h),
                                      keep / h), device=device)  # fmt: skip
        wp.synchronize_device(device)

    def positions(self) -> np.ndarray:
        return self.x.numpy()
