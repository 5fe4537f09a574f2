"""Reading many asset files at once, in threads, while the caller still sees them one by one in order.

A whole-body scene names hundreds of meshes. Hashing files, `np.load` of cache entries, zlib and
NumPy work release the GIL, so a few threads overlap I/O and array code with the Python parts
(benchmarks/startup_profile.py measures it). Threads rather than processes: a worker process
would pay the imports (trimesh alone costs a second) and send every array back through a pipe.
The caller's checks (limits, error wording) stay sequential and in scene order; when it stops
early, reads not yet started are cancelled, so a scene refused at its first parts never reads
the rest. `PROSECTOR_READ_THREADS` sets the thread count (1: read in the calling thread).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def read_threads() -> int:
    try:
        wanted = int(os.environ.get("PROSECTOR_READ_THREADS", "0"))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else min(4, (os.cpu_count() or 1) + 1)


def parallel_reads(items: list[Item], read: Callable[[Item], Result]) -> Iterator[tuple[Item, Callable[[], Result]]]:
    """Yield (item, get) in the order of `items`; `get()` returns `read(item)` or raises what it raised.
    At most twice the thread count of reads run ahead of the caller."""
    threads = min(read_threads(), len(items))
    if threads <= 1:
        for item in items:
            yield item, (lambda item=item: read(item))
        return
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="prosector-read")
    pending: deque[tuple[Item, Future]] = deque()
    upcoming = iter(items)
    try:
        for item in upcoming:
            pending.append((item, executor.submit(read, item)))
            if len(pending) >= 2 * threads:
                break
        while pending:
            item, future = pending.popleft()
            following = next(upcoming, _END)
            if following is not _END:
                pending.append((following, executor.submit(read, following)))
            yield item, future.result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


_END = object()
