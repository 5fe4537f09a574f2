"""Running fuzz cases: each in its own forked process, with a time limit, an address-space limit and
its peak memory measured.

A worker warms up once (imports, the example scenes loaded with their meshes, so the mesh cache is
hot), then for each case writes its files into a fixed sandbox folder and forks: the child loads the
scene as `prosector validate` does (assets on) and prepares its state as `render` would, and exits
with a code for the outcome; the parent waits at most `time_limit` seconds (then kills it: a
timeout) and reads the child's peak resident memory from wait4's rusage. Forking from a warm parent
costs milliseconds, where a fresh interpreter per case would cost a second.

Outcomes: clean (a SceneError with well-formed problems), accepted (valid), internal (any other
exception, MemoryError included: the address-space limit was hit), timeout, crashed (killed by a
signal other than ours), malformed (a SceneError without a usable position).
"""

from __future__ import annotations

import gc
import json
import logging
import math
import os
import resource
import shutil
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.fuzz.corpus import ROOT, Corpus
from tools.fuzz.mutate import Case

EXIT = {0: "accepted", 1: "clean", 3: "internal", 4: "malformed", 5: "internal"}
SPARSE_BYTES = 6 * 2**30


@dataclass
class Outcome:
    index: int
    kind: str
    note: str
    outcome: str
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the case's process (what a loaded machine does not inflate)
    peak_rss_mb: float
    detail: str = ""


class Sandbox:
    """A folder laid out like a checkout (scenes/ next to assets/), with hostile things prepared:
    a named pipe, a 6 GiB sparse file, a link out of the folder, a folder named like a file, and an
    `outside/secret.bin` that no case may read."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.scenes = folder / "scenes"
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "outside").mkdir(parents=True)
        (folder / "outside" / "secret.bin").write_bytes(b"SECRET-CANARY" * 100)
        self.scenes.mkdir()
        (folder / "assets").symlink_to(ROOT / "assets")
        os.mkfifo(self.scenes / "fifo.bin")
        with open(self.scenes / "sparse.bin", "wb") as handle:
            handle.truncate(SPARSE_BYTES)
        (self.scenes / "link_out.bin").symlink_to("../outside/secret.bin")
        (self.scenes / "folder.bin").mkdir()
        self.fixed = set(os.listdir(self.scenes))

    def write(self, case: Case) -> Path:
        self.clear()
        for name, data in case.files.items():
            (self.scenes / name).write_bytes(data)
        return self.scenes / case.scene

    def clear(self) -> None:
        for name in os.listdir(self.scenes):
            if name not in self.fixed:
                path = self.scenes / name
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def warm_up(sandbox: Sandbox, corpus: Corpus) -> float:
    """Import what cases use and load every example scene with its meshes; returns the RSS in MB."""
    import trimesh  # noqa: F401  mutated meshes always miss the mesh cache; a warm one would hide this import

    from renderer.scene.load import load_scene
    from renderer.scene.step_state import scene_state

    _memoise_bundled_molecules()
    for name, text in corpus.scenes.items():
        path = sandbox.scenes / name
        path.write_text(text, encoding="utf-8")
        try:
            scene_state(load_scene(path, load_assets=True))
        except Exception:  # noqa: BLE001  an example that does not load is reported by its own tests
            pass
    sandbox.clear()
    gc.collect()
    gc.freeze()  # the children's collector then leaves the warm objects alone: far fewer copy-on-write pages
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _memoise_bundled_molecules() -> None:
    """Parse the bundled (never mutated) molecule files once, in the warm parent: mutated example scenes
    name them in most cases, and re-parsing 1HPV in every child tests nothing new. Mutated molecule
    files live in the sandbox and are always parsed afresh."""
    import renderer.molecules.io as molecule_io

    original, memo = molecule_io.read_structure, {}
    bundled = (ROOT / "assets").resolve()

    def read_structure(path, *args, **kwargs):
        if not Path(path).resolve().is_relative_to(bundled):
            return original(path, *args, **kwargs)
        key = (str(path), args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = original(path, *args, **kwargs)
        return memo[key]

    molecule_io.read_structure = read_structure


def run_case(index: int, case: Case, sandbox: Sandbox, time_limit: float, address_limit: int) -> Outcome:
    """Run one case in a forked child. `time_limit` bounds its CPU time (RLIMIT_CPU, so that other
    work on a shared machine does not count); a child that uses no CPU but does not finish (blocked
    on a pipe, say) is killed after 10 s without CPU progress; anything is killed after 600 s of wall
    clock. All are timeouts."""
    scene = sandbox.write(case)
    wall_limit = 600.0
    log = sandbox.folder / "child.log"
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(scene, log, time_limit, address_limit)
    status, usage, outcome = _wait(pid, wall_limit)
    seconds = time.perf_counter() - started
    if outcome is None:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL, signal.SIGALRM):
            outcome = "timeout"  # RLIMIT_CPU: SIGXCPU, then SIGKILL; SIGALRM: the backstop
        elif os.WIFSIGNALED(status):
            outcome = f"crashed (signal {os.WTERMSIG(status)})"
        else:
            outcome = EXIT.get(os.WEXITSTATUS(status), f"exit {os.WEXITSTATUS(status)}")
    detail = ""
    if outcome not in ("accepted", "clean"):
        detail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    peak = usage.ru_maxrss / 1024 if usage else 0.0
    cpu = usage.ru_utime + usage.ru_stime if usage else 0.0
    return Outcome(index, case.kind, case.note, outcome, round(seconds, 3), round(cpu, 3), round(peak, 1), detail)


class _Expired(Exception):
    pass


def _wait(pid: int, wall_limit: float, check_every: float = 10.0):
    """(status, rusage, "timeout" or None): a blocking wait4 woken by a timer, so the parent sleeps until
    the child ends instead of polling (polling took CPU share from the child on a busy machine).

    Every `check_every` seconds the child's CPU time is read: a child that used none since the last
    check is blocked (on a pipe, say) and is killed, as is one still running after `wall_limit`.
    A child busy on the CPU is left to RLIMIT_CPU, so a loaded machine does not fake hangs."""

    def expire(_signum, _frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    started, last_cpu = time.monotonic(), -1.0
    try:
        while True:
            signal.setitimer(signal.ITIMER_REAL, check_every)
            try:
                _, status, usage = os.wait4(pid, 0)
                return status, usage, None
            except _Expired:
                cpu = _cpu_seconds(pid)
                if cpu <= last_cpu or time.monotonic() - started > wall_limit:
                    os.kill(pid, signal.SIGKILL)
                    _, status, usage = os.wait4(pid, 0)
                    return status, usage, "timeout"
                last_cpu = cpu
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc; fields 14 and 15 of stat)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return -1.0


def _child(scene: Path, log: Path, time_limit: float, address_limit: int) -> None:
    code = 3
    try:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = sys.stderr = open(fd, "w", buffering=1, closefd=False)  # also when pytest captured them
        logging.getLogger().handlers[:] = [logging.StreamHandler(sys.stderr)]
        resource.setrlimit(resource.RLIMIT_AS, (address_limit, address_limit))
        cpu = math.ceil(time_limit)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        signal.alarm(610)  # a backstop should the parent die
        code = _load(scene)
    except MemoryError:
        traceback.print_exc()
        code = 5
    except BaseException:  # noqa: BLE001  the outcome is the exit code
        traceback.print_exc()
        code = 3
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _load(scene: Path) -> int:
    from renderer.errors import SceneError
    from renderer.scene.load import load_scene
    from renderer.scene.step_state import scene_state

    try:
        loaded = load_scene(scene, load_assets=True)
    except SceneError as exc:
        text = str(exc)
        if not exc.problems or any(p.line < 1 or p.column < 1 or not p.message for p in exc.problems):
            print("malformed SceneError:", text[:2000])
            return 4
        if len(text) > 200_000:
            print(f"unbounded error output: {len(text)} characters")
            return 4
        return 1
    scene_state(loaded)
    for step in range(len(loaded.scene.lesson.steps) if loaded.scene.lesson else 0):
        scene_state(loaded, step)
    return 0


def address_limit_for(extra_bytes: int) -> int:
    """The worker's current address space plus `extra_bytes` (libraries reserve a lot of address
    space they never touch, so the limit is relative to what is already mapped)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024 + extra_bytes
    return 8 * 2**30


def write_outcome(handle, outcome: Outcome) -> None:
    handle.write(json.dumps(asdict(outcome)) + "\n")
    handle.flush()
