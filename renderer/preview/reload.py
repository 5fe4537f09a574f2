"""Live reload: notice when the scene's files change, and load them without freezing the window.

Loading (YAML, validation, meshes) runs in a background thread; the window keeps drawing the last
good scene and shows the progress. Only the finished `LoadedScene` crosses back to the main
thread, which does the GL uploads (GL objects belong to the window's thread). Files are watched by
polling their modification time and size a few times a second: simple, portable, and cheap for the
handful of files a scene has (the scene file, what it includes, and its meshes).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from renderer.errors import ProsectorError, SceneError
from renderer.scene.load import LoadedScene, load_scene
from renderer.scene.meshes import load_mesh
from renderer.scene.parallel_reads import parallel_reads


@dataclass
class LoadOutcome:
    """A finished load: the scene (None when it failed), its problems as FILE:LINE:COLUMN lines,
    the files it was read from, and how long it took."""

    loaded: LoadedScene | None
    problems: list[str]
    files: list[Path]
    seconds: float


def scene_files(loaded: LoadedScene) -> list[Path]:
    """The scene file, every file it includes, its meshes, molecule files and alpha-mask images."""
    source = loaded.source
    names = {str(loaded.path), source.file, *source.value_files.values(), *source.key_files.values()}
    assets = {*loaded.asset_paths.values(), *loaded.molecule_paths.values(), *loaded.mask_paths.values()}
    return sorted({Path(n) for n in names} | assets)


class SceneLoader:
    """Loads one scene file in a background thread; `poll()` hands over the result on the main thread."""

    def __init__(self, path: Path, asset_roots: list[Path] | None = None):
        self.path = path
        self.asset_roots = asset_roots or []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._outcome: LoadOutcome | None = None
        self._progress: tuple[str, float] = ("Loading", 0.0)
        self._again = False

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def progress(self) -> tuple[str, float]:
        """What is being loaded and the fraction done, for the progress display."""
        with self._lock:
            return self._progress

    def start(self) -> None:
        """Load the file (again); a request while a load runs starts another once it ends."""
        if self._thread is not None:
            self._again = True
            return
        self._progress = ("Reading the scene", 0.0)
        self._thread = threading.Thread(target=self._run, name="prosector-scene-loader", daemon=True)
        self._thread.start()

    def poll(self) -> LoadOutcome | None:
        """The outcome of a finished load (once), else None."""
        if self._thread is None or self._thread.is_alive():
            return None
        self._thread.join()
        self._thread = None
        outcome, self._outcome = self._outcome, None
        if self._again:
            self._again = False
            self.start()
            if outcome is not None and outcome.loaded is None:
                return None  # the file changed while it was read: the next load has the final word
        return outcome

    def _run(self) -> None:
        started = time.perf_counter()
        files = [self.path]
        try:
            plain = load_scene(self.path, load_assets=False, asset_roots=self.asset_roots)
            files = scene_files(plain)
            self._warm_meshes(plain)
            self._set_progress("Checking the scene", 1.0)
            loaded = load_scene(self.path, asset_roots=self.asset_roots)  # meshes come from the cache now
            outcome = LoadOutcome(loaded, [], scene_files(loaded), time.perf_counter() - started)
        except SceneError as exc:
            files += [Path(p.file) for p in exc.problems]
            outcome = LoadOutcome(None, [str(p) for p in exc.problems], files, time.perf_counter() - started)
        except ProsectorError as exc:
            outcome = LoadOutcome(None, [f"{self.path}: {exc}"], files, time.perf_counter() - started)
        except Exception as exc:  # a bug must not kill the window: report it like a problem
            message = f"{self.path}: internal error while loading: {type(exc).__name__}: {exc}"
            outcome = LoadOutcome(None, [message], files, time.perf_counter() - started)
        self._outcome = outcome

    def _warm_meshes(self, plain: LoadedScene) -> None:
        """Read the meshes one by one (they are cached per file), so the window can show progress."""
        parts = list(plain.scene.parts.items())
        reads = parallel_reads(parts, lambda item: load_mesh(plain.asset_paths[item[0]], item[1].node, item[1].unit,
                                                             item[1].up_axis, plain.roots))  # fmt: skip
        for index, (_, read) in enumerate(reads):
            self._set_progress(f"Loading meshes {index + 1}/{len(parts)}", index / max(len(parts), 1))
            try:
                read()
            except (ProsectorError, OSError, KeyError):
                pass  # the full load below reports it at the right line

    def _set_progress(self, what: str, fraction: float) -> None:
        with self._lock:
            self._progress = (what, fraction)


@dataclass
class FileWatcher:
    """Says when any watched file's modification time or size changes (or it appears/disappears)."""

    files: list[Path] = field(default_factory=list)
    _seen: dict[Path, tuple | None] = field(default_factory=dict)

    def watch(self, files: list[Path]) -> None:
        """Watch `files`; those already watched keep their last signature, so no change is missed."""
        self.files = list(dict.fromkeys(files))
        self._seen = {f: self._seen[f] if f in self._seen else _signature(f) for f in self.files}

    def changed(self) -> bool:
        now = {f: _signature(f) for f in self.files}
        if now != self._seen:
            self._seen = now
            return True
        return False


def _signature(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
