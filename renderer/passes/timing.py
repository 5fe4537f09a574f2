"""GPU time per pass from GL_TIME_ELAPSED queries (llvmpipe reports CPU-side driver time)."""

from __future__ import annotations

from contextlib import contextmanager

from renderer.gl.resources import Query, ResourceRegistry

_IMPLAUSIBLE_MS = 60_000.0


class PassTimer:
    """Measures named passes; `collect()` waits for the results and returns ms per pass."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self._free: list[Query] = []
        self._open: list[tuple[str, Query]] = []

    @contextmanager
    def measure(self, name: str):
        query = self._free.pop() if self._free else Query(self.registry)
        query.begin()
        try:
            yield
        finally:
            query.end()
            self._open.append((name, query))

    def collect(self) -> dict[str, float]:
        """ms per pass name. llvmpipe answers the first query of a context that spans real work with a
        bogus span (hundreds of seconds); such a pass is left out, never reported as NaN."""
        result: dict[str, float] = {}
        for name, query in self._open:
            elapsed = query.elapsed_ms()
            if 0.0 <= elapsed <= _IMPLAUSIBLE_MS:
                result[name] = result.get(name, 0.0) + elapsed
            self._free.append(query)
        self._open.clear()
        return result

    def release(self) -> None:
        for query in self._free + [q for _n, q in self._open]:
            query.release()
        self._free.clear()
        self._open.clear()
