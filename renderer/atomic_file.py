"""Writing a file so that it is either the old one or the complete new one, never half-written.

A teacher's scene or a rendered image is written to a temporary file in the same folder and then
renamed over the target (atomic on POSIX and Windows), so a crash or a full disk loses nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Call `write(handle)` on a temporary binary file beside `path`, then rename it onto `path`."""
    fd, temporary = tempfile.mkstemp(prefix=".prosector-", suffix=path.suffix, dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
