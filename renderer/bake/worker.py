"""A bake worker: owns one headless GL context for its whole life, made on its first job (so the
process that plans and schedules never touches GL), and keeps the last scene loaded between jobs
of the same lesson."""

from __future__ import annotations

import io
import os
import time

from renderer.bake.plan import StepJob


class BakeWorker:
    """`run(job) -> {(kind, language): bytes}`: PNG per language with and without its caption, and MP4
    per language when the step moves. Used directly in-process, or as a Ray actor (renderer/bake/driver.py)."""

    def __init__(self, captions: bool = True, video: bool = True, fail_first: int = 0):
        self.captions, self.video = captions, video
        self._headless = None
        self._loaded = None
        self._fail_first = fail_first  # tests: fail this many jobs first, to exercise retries
        self.jobs_done = 0

    def pid(self) -> int:
        return os.getpid()

    def _renderer(self):
        if self._headless is None:
            from renderer.headless import HeadlessRenderer  # imports OpenGL: only in the worker

            self._headless = HeadlessRenderer()
        return self._headless

    def _scene(self, path: str):
        from renderer.scene.load import load_scene

        if self._loaded is None or str(self._loaded.path) != path:
            self._loaded = load_scene(path)
            self._renderer().load(self._loaded)
        return self._loaded

    def run(self, job: StepJob) -> dict:
        if self._fail_first > 0:
            self._fail_first -= 1
            raise RuntimeError("a failure injected by the test (fail_first)")
        from PIL import Image

        from renderer.bake.step_images import render_languages, with_caption

        started = time.perf_counter()
        headless = self._renderer()
        loaded = self._scene(job.scene)
        headless.context.make_current()
        images = render_languages(headless, loaded, job.step, job.languages, job.size)
        out = {}
        for lang, image in images.items():
            picture = with_caption(image, loaded, job.step, lang) if self.captions and loaded.scene.lesson else image
            buffer = io.BytesIO()
            Image.fromarray(picture).save(buffer, format="PNG")
            out[("png", lang)] = buffer.getvalue()
            plain = io.BytesIO()
            Image.fromarray(image).save(plain, format="PNG")
            out[("view", lang)] = plain.getvalue()
        if job.moves and self.video:
            from renderer.bake.video import step_videos

            for lang, data in step_videos(headless, loaded, job.step, job.languages, job.size).items():
                out[("mp4", lang)] = data
        self.jobs_done += 1
        out["seconds"] = time.perf_counter() - started
        return out

    def close(self) -> None:
        if self._headless is not None:
            self._headless.close()
            self._headless = None
