"""Writing a file so that it is either the old one or the complete new one, never half-written.

A teacher's scene or a rendered image is written to a temporary file in the same folder and then
renamed over the target (atomic on POSIX and Windows), so a crash or a full disk loses nothing.
`exclusive=True` (what `prosector new` uses without --force) publishes the temporary file with a
hard link, which fails if the target exists *at that moment*: a file saved meanwhile is never
overwritten, with no check-then-write gap. Temporary files are named `.prosector-PID-*.tmp`; they
are removed on errors, on SIGINT and on SIGTERM (`install_signal_cleanup`), and ones left by a killed
process (SIGKILL, power loss) are found and removed by the next write into the same folder.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from renderer.errors import ProsectorError

TEMP_PREFIX = ".prosector-"
_TEMP_NAME = re.compile(r"^\.prosector-(\d+)-[A-Za-z0-9_]+\.tmp$")
_OLD_TEMP_NAME = re.compile(r"^\.prosector-[A-Za-z0-9_]{8}\.\w+$")  # before PIDs were in the name
_live: set[str] = set()  # this process's temporary files, for the signal handler
log = logging.getLogger(__name__)


class TargetError(ProsectorError):
    """The file to write cannot be written as asked (exists, is a folder, a dangling link, ...)."""


def check_target(path: Path, exclusive: bool) -> None:
    """Refuse, with a message saying what to do, a target that is a folder, a dangling symbolic link,
    in a missing folder, or (when `exclusive`) that exists. Raises TargetError."""
    if os.path.islink(path) and not path.exists():
        raise TargetError(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; "
                          "remove the link or choose another name")  # fmt: skip
    if path.is_dir():
        raise TargetError(f"{path} is a folder; name a file, e.g. {path / ('scene' + (path.suffix or '.yaml'))}")
    if exclusive and (path.exists() or os.path.islink(path)):
        raise TargetError(f"{path} already exists; choose another name or add --force to overwrite it")
    if not path.absolute().parent.is_dir():
        raise TargetError(f"folder {path.absolute().parent} does not exist; create it first")


def write_atomically(path: Path, write: Callable[[IO[bytes]], None], exclusive: bool = False) -> None:
    """Call `write(handle)` on a temporary binary file beside `path`, then publish it as `path`:
    renamed over it, or with `exclusive`, linked so that an existing `path` is never replaced."""
    check_target(path, exclusive)
    folder = path.absolute().parent
    remove_stale_temporaries(folder)
    fd, temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=folder)
    _live.add(temporary)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        if exclusive:
            _publish_exclusively(temporary, path)
        else:
            os.replace(temporary, path)
    except IsADirectoryError:
        raise TargetError(f"{path} is a folder; name a file inside it") from None
    finally:
        Path(temporary).unlink(missing_ok=True)  # after a link (or on failure); a rename left nothing
        _live.discard(temporary)


def copy_atomically(source: Path, target: Path, exclusive: bool = True) -> None:
    """Copy `source` to `target` through a temporary file (see write_atomically)."""
    with open(source, "rb") as reading:
        write_atomically(target, lambda handle: shutil.copyfileobj(reading, handle, 1 << 20), exclusive)


def _publish_exclusively(temporary: str, path: Path) -> None:
    try:
        os.link(temporary, path)  # fails with EEXIST if anything (even a dangling link) is there now
    except FileExistsError:
        raise TargetError(f"{path} was created while Prosector was working; it was left as it is. "
                          "Choose another name or add --force to overwrite it") from None  # fmt: skip
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        # no hard links here (FAT, some network shares): reserve the name with O_EXCL, then rename onto it
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise TargetError(f"{path} was created while Prosector was working; it was left as it is") from None
        os.replace(temporary, path)


def remove_stale_temporaries(folder: Path) -> int:
    """Remove temporary files in `folder` left by Prosector processes that no longer run (or, for
    names without a process id, older than ten minutes). Returns how many were removed."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX) or not entry.is_file(follow_symlinks=False):
            continue
        match = _TEMP_NAME.match(entry.name)
        try:
            if match:
                stale = not _running(int(match.group(1))) or time.time() - entry.stat().st_mtime > 86400
            else:
                stale = bool(_OLD_TEMP_NAME.match(entry.name)) and time.time() - entry.stat().st_mtime > 600
            if stale:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    if removed:
        log.warning("removed %d temporary file(s) left in %s by an interrupted run", removed, folder)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process: leave its files alone
    return True


def install_signal_cleanup() -> None:
    """On SIGTERM (and SIGHUP), remove this process's temporary files and exit 128 + signal, as the
    default action would; SIGINT already raises KeyboardInterrupt, which the writers clean up after."""

    def handler(signum, _frame):
        for temporary in list(_live):
            Path(temporary).unlink(missing_ok=True)
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            try:
                signal.signal(getattr(signal, name), handler)
            except ValueError:  # not the main thread (embedded use): keep the default
                pass


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
