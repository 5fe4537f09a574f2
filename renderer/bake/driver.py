"""Running a bake: plan every lesson's jobs, skip those whose outputs are stored, render the rest on
long-lived workers (Ray actors, or one in-process worker), store outputs as they arrive, retry
failed jobs, then write handouts, readable names and the manifest.

Ray is optional (`pip install 'prosector[cluster]'`): `workers=0` bakes in this process. With Ray,
nothing here touches GL: each actor makes its own EGL context on its first job.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from renderer import progress
from renderer.bake.plan import EXTENSIONS, StepJob, handout_key, plan_lesson
from renderer.bake.store import BakeStore
from renderer.errors import ProsectorError, SceneError

log = logging.getLogger("prosector.bake")


@dataclass
class BakeReport:
    planned: int = 0
    skipped: int = 0  # stored already
    rendered: int = 0
    retried: int = 0
    failed: list[str] = field(default_factory=list)
    handouts: int = 0
    seconds: float = 0.0
    job_seconds: list[float] = field(default_factory=list)


def _missing(store: BakeStore, job: StepJob) -> bool:
    return not all(store.has(key, EXTENSIONS[kind]) for (kind, _), key in job.keys.items())


def bake(scenes: list[Path], out: Path, languages: list[str] | None, size: tuple[int, int], workers: int = 2,
         address: str | None = None, retries: int = 2, captions: bool = True, video: bool = True,
         fail_first: int = 0) -> BakeReport:  # fmt: skip
    """Bake `scenes` into `out`. Lessons that fail to load are reported and the others baked."""
    from renderer.scene.load import load_scene

    started = time.perf_counter()
    report = BakeReport()
    store = BakeStore(out)
    lessons: dict[str, tuple] = {}
    for path in scenes:
        try:
            loaded = load_scene(path)
        except SceneError as exc:
            report.failed.append(f"{path}: {str(exc).splitlines()[0]}")
            continue
        name = _unique_name(lessons, Path(path).stem)
        jobs = plan_lesson(loaded, size, languages, video=video)
        lessons[name] = (loaded, jobs)
        report.planned += len(jobs)
    todo = [job for _, jobs in lessons.values() for job in jobs if _missing(store, job)]
    report.skipped = report.planned - len(todo)
    if todo:
        runner = _ray_runner if workers > 0 else _local_runner
        runner(todo, store, report, workers, address, retries, captions, video, fail_first)
    for loaded, jobs in lessons.values():
        for lang in jobs[0].languages if jobs else []:
            key = handout_key(jobs, lang)
            if store.has(key, "pdf") or any(_missing(store, j) for j in jobs):
                continue
            from renderer.bake.handout import handout_pdf

            pictures = [_read_png(store.path_of(j.keys[("view", lang)], "png")) for j in jobs]
            store.put(key, "pdf", handout_pdf(loaded, lang, pictures))
            report.handouts += 1
    manifest = _publish(store, lessons)
    manifest["failed"] = report.failed
    store.write_manifest(manifest)
    report.seconds = time.perf_counter() - started
    return report


def _unique_name(taken: dict, stem: str) -> str:
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    return name


def _store_outputs(store: BakeStore, job: StepJob, outputs: dict) -> None:
    for (kind, lang), key in job.keys.items():
        data = outputs.get((kind, lang))
        if data is None:
            raise ProsectorError(f"the worker made no {kind} for {job.lesson} step {job.step} ({lang})")
        store.put(key, EXTENSIONS[kind], data)


def _local_runner(todo, store, report, workers, address, retries, captions, video, fail_first) -> None:
    from renderer.bake.worker import BakeWorker

    worker = BakeWorker(captions, video, fail_first)
    try:
        with progress.task("baking", total=len(todo), unit="step") as bar:
            for job in todo:
                for attempt in range(retries + 1):
                    try:
                        outputs = worker.run(job)
                        break
                    except Exception as exc:  # a job's failure must not lose the others
                        if attempt == retries:
                            report.failed.append(f"{job.scene}: step {_human(job.step)}: {exc}")
                            outputs = None
                        else:
                            report.retried += 1
                if outputs is not None:
                    report.job_seconds.append(outputs.pop("seconds", 0.0))
                    _store_outputs(store, job, outputs)
                    report.rendered += 1
                bar.advance()
    finally:
        worker.close()


def _ray_runner(todo, store, report, workers, address, retries, captions, video, fail_first) -> None:
    try:
        import ray
    except ImportError:
        raise ProsectorError("baking on workers needs Ray: pip install 'prosector[cluster]' "
                             "(or --workers 0 to bake in this process)") from None  # fmt: skip
    from renderer.bake.worker import BakeWorker

    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:  # a local cluster of `workers` CPUs; small object store, no dashboard: a laptop or CI
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                     object_store_memory=200 * 2**20, configure_logging=False)  # fmt: skip
    try:
        actor = ray.remote(num_cpus=1)(BakeWorker)
        pool = [actor.remote(captions, video, fail_first) for _ in range(workers)]
        pending: dict = {}
        queue = [(job, 0) for job in todo]
        idle = list(pool)
        with progress.task("baking", total=len(todo), unit="step") as bar:
            while queue or pending:
                while queue and idle:
                    job, attempt = queue.pop(0)
                    worker = idle.pop()
                    pending[worker.run.remote(job)] = (job, attempt, worker)
                ready, _ = ray.wait(list(pending), num_returns=1)
                job, attempt, worker = pending.pop(ready[0])
                idle.append(worker)
                try:
                    outputs = ray.get(ready[0])
                except Exception as exc:  # Ray wraps the worker's exception; retry elsewhere
                    if attempt < retries:
                        report.retried += 1
                        queue.append((job, attempt + 1))
                    else:
                        cause = getattr(exc, "cause", None) or exc
                        report.failed.append(f"{job.scene}: step {_human(job.step)}: {str(cause).splitlines()[0]}")
                        bar.advance()
                    continue
                report.job_seconds.append(outputs.pop("seconds", 0.0))
                _store_outputs(store, job, outputs)
                report.rendered += 1
                bar.advance()
        for worker in pool:
            ray.get(worker.close.remote())
    finally:
        if started_here:
            ray.shutdown()


def _publish(store: BakeStore, lessons: dict) -> dict:
    manifest: dict = {"lessons": {}}
    for name, (loaded, jobs) in lessons.items():
        entry = {"scene": str(loaded.path), "languages": {}}
        for lang in jobs[0].languages if jobs else []:
            steps = []
            for job in jobs:
                files = {}
                for kind in ("png", "view", "mp4"):
                    key = job.keys.get((kind, lang))
                    if key is None or not store.has(key, EXTENSIONS[kind]):
                        continue
                    suffix = "-plain" if kind == "view" else ""
                    readable = Path(name) / lang / f"step-{_human(job.step)}{suffix}.{EXTENSIONS[kind]}"
                    store.publish(readable, key, EXTENSIONS[kind])
                    files[kind] = str(readable)
                steps.append({"step": None if job.step is None else job.step + 1, "view": job.view, **files})
            handout = handout_key(jobs, lang)
            entry_lang = {"steps": steps}
            if store.has(handout, "pdf"):
                readable = Path(name) / lang / "handout.pdf"
                store.publish(readable, handout, "pdf")
                entry_lang["handout"] = str(readable)
            entry["languages"][lang] = entry_lang
        manifest["lessons"][name] = entry
    return manifest


def _human(step: int | None) -> str:
    return "scene" if step is None else f"{step + 1:02d}"


def _read_png(path: Path):
    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(path.read_bytes())) as image:
        return np.asarray(image.convert("RGB"))
