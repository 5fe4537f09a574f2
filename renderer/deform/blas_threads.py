"""One BLAS thread while the NumPy backend deforms.

Why: the per-frame products of the deformers are small ((N, 2) x (2, 3) spans, (12, k) x (k, n)
skinning blends). OpenBLAS splits them over its threads, which spin-wait for each other; when the
cores are busy with anything else (rendering, another program) a product then takes 5-25x longer
than on one thread. Measured on the 2-core CPU machine under load: 100k-vertex heartbeat 16 ms per
frame with 2 BLAS threads, 2.2 ms with one. threadpoolctl (from the scikit-learn/joblib developers)
changes the limit at run time for the libraries NumPy has loaded, and back afterwards.
"""

from __future__ import annotations

import contextlib
from types import ModuleType

import numpy as np

_controller = None  # created on first use; False where threadpoolctl is missing (then no limit)


@contextlib.contextmanager
def single_blas_thread(xp: ModuleType):
    """Within the block, NumPy's BLAS uses one thread (CuPy: no change)."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # a checkout run without installing (the XR test root): slower, still right
            _controller = False
        else:
            _controller = ThreadpoolController()
    if xp is not np or _controller is False:
        yield
        return
    with _controller.limit(limits=1, user_api="blas"):
        yield
